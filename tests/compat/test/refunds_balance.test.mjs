// Refunds (full, partial, exhausted, by payment intent, list) and the balance: fees, balance
// transactions and the invariant balance == Σ net. STRIPE_BEHAVIOR §13, §14, §16.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { expectStripeError, newClient } from './helpers.mjs';

const pay = (stripe, amount = 2000, params = {}) =>
  stripe.paymentIntents.create({
    amount,
    currency: 'usd',
    allowed_payment_method_types: ['card'],
    payment_method: 'pm_card_visa',
    confirm: true,
    ...params,
  });

describe('refunds', () => {
  test('full refund by charge → refunded true', async () => {
    const stripe = newClient();
    const pi = await pay(stripe);
    const re = await stripe.refunds.create({ charge: pi.latest_charge });
    assert.match(re.id, /^re_/);
    assert.equal(re.object, 'refund');
    assert.equal(re.amount, 2000, 'amount defaults to what remains refundable');
    assert.equal(re.currency, 'usd');
    assert.equal(re.charge, pi.latest_charge);
    assert.equal(re.payment_intent, pi.id);
    assert.equal(re.status, 'succeeded');
    assert.match(re.balance_transaction, /^txn_/);
    const ch = await stripe.charges.retrieve(pi.latest_charge);
    assert.equal(ch.amount_refunded, 2000);
    assert.equal(ch.refunded, true);
  });

  test('two partial refunds adding up; refunded only when the second completes it', async () => {
    const stripe = newClient();
    const pi = await pay(stripe, 1000);
    const a = await stripe.refunds.create({ charge: pi.latest_charge, amount: 300, reason: 'requested_by_customer' });
    assert.equal(a.amount, 300);
    assert.equal(a.reason, 'requested_by_customer');
    let ch = await stripe.charges.retrieve(pi.latest_charge);
    assert.equal(ch.amount_refunded, 300);
    assert.equal(ch.refunded, false);

    const b = await stripe.refunds.create({ charge: pi.latest_charge, amount: 700 });
    assert.notEqual(a.id, b.id);
    ch = await stripe.charges.retrieve(pi.latest_charge);
    assert.equal(ch.amount_refunded, 1000);
    assert.equal(ch.refunded, true);
  });

  test('over-refund → 400, nothing refunded', async () => {
    const stripe = newClient();
    const pi = await pay(stripe, 1000);
    await stripe.refunds.create({ charge: pi.latest_charge, amount: 400 });
    await expectStripeError(stripe.refunds.create({ charge: pi.latest_charge, amount: 700 }), {
      type: 'StripeInvalidRequestError',
      rawType: 'invalid_request_error',
      statusCode: 400,
    });
    await expectStripeError(stripe.refunds.create({ charge: pi.latest_charge, amount: 5000 }), {
      type: 'StripeInvalidRequestError',
      statusCode: 400,
    });
    const ch = await stripe.charges.retrieve(pi.latest_charge);
    assert.equal(ch.amount_refunded, 400);
  });

  test('refund of a fully refunded charge → charge_already_refunded', async () => {
    const stripe = newClient();
    const pi = await pay(stripe);
    await stripe.refunds.create({ charge: pi.latest_charge });
    await expectStripeError(stripe.refunds.create({ charge: pi.latest_charge }), {
      type: 'StripeInvalidRequestError',
      statusCode: 400,
      code: 'charge_already_refunded',
    });
    await expectStripeError(stripe.refunds.create({ payment_intent: pi.id, amount: 100 }), {
      type: 'StripeInvalidRequestError',
      code: 'charge_already_refunded',
    });
  });

  test('refund by payment_intent refunds its latest charge', async () => {
    const stripe = newClient();
    const pi = await pay(stripe, 1500);
    const re = await stripe.refunds.create({ payment_intent: pi.id, amount: 500 });
    assert.equal(re.charge, pi.latest_charge);
    assert.equal(re.payment_intent, pi.id);
    assert.equal(re.amount, 500);
    assert.equal((await stripe.refunds.retrieve(re.id)).id, re.id);
    const ch = await stripe.charges.retrieve(pi.latest_charge);
    assert.equal(ch.amount_refunded, 500);
  });

  test('refunds.list({charge}) lists that charge only, newest first', async () => {
    const stripe = newClient();
    const one = await pay(stripe, 1000);
    const two = await pay(stripe, 1000);
    const r1 = await stripe.refunds.create({ charge: one.latest_charge, amount: 100 });
    const r2 = await stripe.refunds.create({ charge: one.latest_charge, amount: 200 });
    const other = await stripe.refunds.create({ charge: two.latest_charge, amount: 300 });
    const list = await stripe.refunds.list({ charge: one.latest_charge });
    assert.equal(list.object, 'list');
    assert.deepEqual(list.data.map((r) => r.id), [r2.id, r1.id]);
    const all = await stripe.refunds.list().autoPagingToArray({ limit: 100 });
    assert.deepEqual(all.map((r) => r.id), [other.id, r2.id, r1.id]);
  });
});

describe('balance and balance transactions', () => {
  test('a 10000 usd charge: fee 320 (2.9% + 30¢) as a stripe_fee, net 9680', async () => {
    const stripe = newClient();
    const pi = await pay(stripe, 10000);
    const ch = await stripe.charges.retrieve(pi.latest_charge);
    const txn = await stripe.balanceTransactions.retrieve(ch.balance_transaction);
    assert.equal(txn.object, 'balance_transaction');
    assert.equal(txn.type, 'charge');
    assert.equal(txn.reporting_category, 'charge');
    assert.equal(txn.source, ch.id);
    assert.equal(txn.amount, 10000);
    assert.equal(txn.currency, 'usd');
    assert.equal(txn.fee, 320);
    assert.equal(txn.net, 9680);
    assert.equal(txn.fee_details.length, 1);
    assert.equal(txn.fee_details[0].type, 'stripe_fee');
    assert.equal(txn.fee_details[0].amount, 320);
    assert.equal(txn.fee_details[0].currency, 'usd');
    assert.ok(['pending', 'available'].includes(txn.status), txn.status);
    assert.ok(txn.available_on >= txn.created);
  });

  test('a refund is booked with a negative amount and no fee', async () => {
    const stripe = newClient();
    const pi = await pay(stripe, 5000);
    const re = await stripe.refunds.create({ payment_intent: pi.id, amount: 1200 });
    const txn = await stripe.balanceTransactions.retrieve(re.balance_transaction);
    assert.equal(txn.type, 'refund');
    assert.equal(txn.reporting_category, 'refund');
    assert.equal(txn.source, re.id);
    assert.equal(txn.amount, -1200);
    assert.equal(txn.fee, 0);
    assert.equal(txn.net, -1200);
    assert.deepEqual(txn.fee_details, []);
  });

  test('balance equals Σ net of all balance transactions; net = amount − fee everywhere', async () => {
    const stripe = newClient();
    const empty = await stripe.balance.retrieve();
    assert.equal(empty.object, 'balance');
    assert.equal(empty.livemode, false);
    assert.ok(Array.isArray(empty.available) && Array.isArray(empty.pending));

    const a = await pay(stripe, 10000);
    await pay(stripe, 2000);
    await pay(stripe, 5000);
    await stripe.refunds.create({ payment_intent: a.id, amount: 4000 });
    await expectStripeError(pay(stripe, 3000, { payment_method: 'pm_card_chargeDeclined' }), { code: 'card_declined' });

    const txns = await stripe.balanceTransactions.list().autoPagingToArray({ limit: 100 });
    assert.equal(txns.length, 4, 'three charges and one refund; the decline books nothing');
    for (const t of txns) {
      assert.match(t.id, /^txn_/);
      assert.equal(t.net, t.amount - t.fee, `${t.id} ${t.type}`);
      assert.equal(t.fee, t.fee_details.reduce((s, d) => s + d.amount, 0));
    }
    const net = txns.filter((t) => t.currency === 'usd').reduce((s, t) => s + t.net, 0);
    // Amounts whose 2.9% is a whole number of cents, so no rounding rule is assumed.
    assert.equal(net, 10000 + 2000 + 5000 - 4000 - (320 + 88 + 175));

    const balance = await stripe.balance.retrieve();
    const usd = (entries) => entries.filter((e) => e.currency === 'usd').reduce((s, e) => s + e.amount, 0);
    assert.equal(usd(balance.available) + usd(balance.pending), net);
    for (const e of [...balance.available, ...balance.pending]) {
      assert.equal(typeof e.source_types, 'object', 'each entry carries source_types');
    }
  });

  test('balanceTransactions.list({type: refund}) returns only refunds', async () => {
    const stripe = newClient();
    const pi = await pay(stripe, 3000);
    const r1 = await stripe.refunds.create({ payment_intent: pi.id, amount: 1000 });
    const r2 = await stripe.refunds.create({ payment_intent: pi.id, amount: 500 });
    const refunds = await stripe.balanceTransactions.list({ type: 'refund' });
    assert.deepEqual(refunds.data.map((t) => t.source), [r2.id, r1.id]);
    assert.ok(refunds.data.every((t) => t.type === 'refund'));
    const charges = await stripe.balanceTransactions.list({ type: 'charge' });
    assert.deepEqual(charges.data.map((t) => t.source), [pi.latest_charge]);
  });
});
