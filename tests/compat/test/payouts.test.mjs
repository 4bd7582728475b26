// Payouts through the official SDK (STRIPE_BEHAVIOR §17, §21.3; docs/payouts.md): automatic payouts made by the
// merchant's schedule as its clock advances, manual payouts, failures to Stripe's failing test bank accounts,
// cancel, and `balanceTransactions.list({ payout })` summing exactly to each automatic payout.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BASE_URL, expectStripeError, newClient, raw } from './helpers.mjs';
import { flush, merchantWithReceiver, verify } from './webhook_helpers.mjs';

const DAY = 86400;

const pay = (stripe, amount, pm = 'pm_card_visa') =>
  stripe.paymentIntents.create({ amount, currency: 'usd', allowed_payment_method_types: ['card'], payment_method: pm, confirm: true });

async function control(stripe, method, path, body) {
  const res = await raw(method, path, { key: stripe.secretKey, body });
  assert.equal(res.status, 200, JSON.stringify(res.json));
  return res.json;
}

const advanceTo = (stripe, to) => control(stripe, 'POST', '/_mock/merchant_clock/advance', { to });

async function chargeTxn(stripe, pi) {
  const ch = await stripe.charges.retrieve(pi.latest_charge, { expand: ['balance_transaction'] });
  return ch.balance_transaction;
}

async function settledBy(stripe, payout) {
  return stripe.balanceTransactions.list({ payout: payout.id, limit: 100 }).autoPagingToArray({ limit: 1000 });
}

async function eventTypes(stripe) {
  const events = await stripe.events.list({ limit: 100 }).autoPagingToArray({ limit: 1000 });
  return events.map((e) => e.type).reverse();
}

describe('payouts', () => {
  test('an automatic daily payout sweeps the available funds, lists them with ?payout= and is paid the next day', async () => {
    const stripe = newClient();
    const a = await pay(stripe, 10000);
    const b = await pay(stripe, 2000);
    await stripe.refunds.create({ payment_intent: b.id, amount: 500 });
    const txn = await chargeTxn(stripe, a);
    assert.equal(txn.status, 'pending');

    await advanceTo(stripe, txn.available_on + 60);
    const [payout] = (await stripe.payouts.list()).data;
    assert.equal(payout.automatic, true);
    assert.equal(payout.status, 'pending', 'a minute after it was made the payout can still be canceled (an hour)');
    assert.equal(payout.amount, 9680 + 1912 - 500);
    assert.equal(payout.created, txn.available_on);
    assert.equal(payout.arrival_date, txn.available_on + DAY);
    assert.equal(payout.reconciliation_status, 'in_progress');

    const settled = await settledBy(stripe, payout);
    assert.equal(settled.length, 3);
    assert.equal(settled.reduce((s, t) => s + t.net, 0), payout.amount);
    assert.ok(settled.some((t) => t.source === a.latest_charge));
    const own = await stripe.balanceTransactions.retrieve(payout.balance_transaction);
    assert.equal(own.type, 'payout');
    assert.equal(own.amount, -payout.amount);

    const balance = await stripe.balance.retrieve();
    assert.equal(balance.available.find((x) => x.currency === 'usd').amount, 0);

    await advanceTo(stripe, payout.arrival_date);
    const paid = await stripe.payouts.retrieve(payout.id);
    assert.equal(paid.status, 'paid');
    assert.equal(paid.reconciliation_status, 'completed');
    const types = (await eventTypes(stripe)).filter((t) => t.startsWith('payout.'));
    assert.deepEqual(types, ['payout.created', 'payout.updated', 'payout.updated', 'payout.paid', 'payout.reconciliation_completed']);
  });

  test('a manual payout draws on the available balance, can be updated and canceled while pending', async () => {
    const stripe = newClient();
    await pay(stripe, 10000, 'pm_card_bypassPending');
    await expectStripeError(stripe.payouts.create({ amount: 9681, currency: 'usd' }), {
      type: 'StripeInvalidRequestError', code: 'balance_insufficient', param: 'amount',
    });
    const po = await stripe.payouts.create({ amount: 4000, currency: 'usd', metadata: { batch: '1' } });
    assert.match(po.id, /^po_/);
    assert.equal(po.status, 'pending');
    assert.equal(po.automatic, false);
    assert.equal(po.reconciliation_status, 'not_applicable');
    assert.match(po.destination, /^ba_/);
    assert.equal((await stripe.balance.retrieve()).available[0].amount, 5680);

    const updated = await stripe.payouts.update(po.id, { metadata: { batch: '2' } });
    assert.equal(updated.metadata.batch, '2');
    assert.deepEqual((await stripe.payouts.list({ status: 'pending' })).data.map((p) => p.id), [po.id]);
    assert.equal((await settledBy(stripe, po)).length, 0, 'manual payouts are not itemized');

    const canceled = await stripe.payouts.cancel(po.id, { expand: ['failure_balance_transaction'] });
    assert.equal(canceled.status, 'canceled');
    assert.equal(canceled.failure_balance_transaction.type, 'payout_cancel');
    assert.equal(canceled.failure_balance_transaction.amount, 4000);
    assert.equal((await stripe.balance.retrieve()).available[0].amount, 9680);
    await expectStripeError(stripe.payouts.cancel(po.id), { type: 'StripeInvalidRequestError' });
    assert.ok((await eventTypes(stripe)).includes('payout.canceled'));
  });

  test('a payout to a failing test bank account fails and returns the funds, which the next payout sweeps', async () => {
    const stripe = newClient();
    const settings = await control(stripe, 'POST', '/_mock/payouts/settings', { bank_account: { account_number: '000111111116' } });
    assert.equal(settings.schedule.interval, 'daily');
    const pi = await pay(stripe, 5000);
    const txn = await chargeTxn(stripe, pi);
    await advanceTo(stripe, txn.available_on + DAY);
    const [failed] = (await stripe.payouts.list()).data;
    assert.equal(failed.status, 'failed');
    assert.equal(failed.failure_code, 'no_account');
    assert.ok(failed.failure_message.length > 0);
    const back = await stripe.balanceTransactions.retrieve(failed.failure_balance_transaction);
    assert.equal(back.type, 'payout_failure');
    assert.equal(back.reporting_category, 'payout_reversal');
    assert.equal(back.amount, failed.amount);
    assert.ok((await eventTypes(stripe)).includes('payout.failed'));

    await control(stripe, 'POST', '/_mock/payouts/settings', { bank_account: { account_number: '000123456789' } });
    await advanceTo(stripe, txn.available_on + 2 * DAY);
    const [next] = (await stripe.payouts.list()).data;
    assert.notEqual(next.id, failed.id);
    const settled = await settledBy(stripe, next);
    assert.deepEqual(settled.map((t) => t.type), ['payout_failure']);
    assert.equal(settled[0].net, next.amount);
  });

  test('a manual schedule makes no automatic payouts; weekly runs on its anchor day', async () => {
    const stripe = newClient();
    await control(stripe, 'POST', '/_mock/payouts/settings', { schedule: { interval: 'manual' } });
    const pi = await pay(stripe, 3000);
    const txn = await chargeTxn(stripe, pi);
    await advanceTo(stripe, txn.available_on + 10 * DAY);
    assert.equal((await stripe.payouts.list()).data.length, 0);

    const weekly = await control(stripe, 'POST', '/_mock/payouts/settings', { schedule: { interval: 'weekly', weekly_anchor: 'tuesday' } });
    assert.deepEqual(weekly.schedule, { delay_days: 2, interval: 'weekly', weekly_anchor: 'tuesday' });
    await advanceTo(stripe, txn.available_on + 18 * DAY);
    const [payout] = (await stripe.payouts.list()).data;
    assert.equal(new Date(payout.created * 1000).getUTCDay(), 2);
    assert.equal((await settledBy(stripe, payout)).reduce((s, t) => s + t.net, 0), payout.amount);
  });

  test('payout events reach a webhook endpoint signed, with the payout as data.object', async (t) => {
    const { stripe, rcv } = await merchantWithReceiver(t, BASE_URL);
    const types = ['payout.created', 'payout.updated', 'payout.paid', 'payout.reconciliation_completed'];
    const we = await stripe.endpoint({ enabled_events: types });
    // Noon UTC: a payout made after 23:00 arrives (at the next midnight) before its hour as pending is over, and skips
    // in_transit (one payout.updated, not two).
    const { now } = await control(stripe, 'GET', '/_mock/merchant_clock');
    await advanceTo(stripe, (Math.floor(now / DAY) + 1) * DAY + 12 * 3600);
    await pay(stripe, 4000, 'pm_card_bypassPending');
    const [payout] = (await control(stripe, 'POST', '/_mock/payouts/run')).data;
    await advanceTo(stripe, payout.arrival_date);
    await flush(BASE_URL);
    const recs = await rcv.waitFor(5);
    // Deliveries may arrive in any order (as Stripe's); their events' order is checked through events.list above.
    const events = recs.map((r) => verify(stripe, r, we.secret));
    assert.deepEqual(events.map((e) => e.type).sort(), [...types, 'payout.updated'].sort());
    assert.ok(events.every((e) => e.data.object.id === payout.id));
    // Made by the control call (a request); the later transitions are the emulator's own work (request null).
    assert.ok(events.every((e) => (e.type === 'payout.created') === (e.request.id !== null)));
    assert.equal(events.find((e) => e.type === 'payout.paid').data.object.status, 'paid');
    const updates = events.filter((e) => e.type === 'payout.updated').map((e) => e.data.previous_attributes.status).sort();
    assert.deepEqual(updates, ['in_transit', 'pending']);
  });
});
