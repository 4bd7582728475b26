// Virtual time through the official SDK: a merchant's clock is advanced with the emulator's control API
// (POST /_mock/merchant_clock/advance), and the time-driven work Stripe would do over those days shows up in
// objects, balance and events exactly as the SDK reads them.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { newClient, raw } from './helpers.mjs';

const DAY = 86400;

async function advance(stripe, seconds) {
  const res = await raw('POST', '/_mock/merchant_clock/advance', { key: stripe.secretKey, body: { seconds } });
  assert.equal(res.status, 200, JSON.stringify(res.json));
  return res.json;
}

async function balanceMatchesNets(stripe) {
  const balance = await stripe.balance.retrieve();
  const total = [...balance.available, ...balance.pending].filter((b) => b.currency === 'usd').reduce((s, b) => s + b.amount, 0);
  const txns = await stripe.balanceTransactions.list({ limit: 100 }).autoPagingToArray({ limit: 1000 });
  assert.equal(total, txns.reduce((s, t) => s + t.net, 0));
}

describe('virtual time', () => {
  test('an uncaptured authorization expires after 7 virtual days', async () => {
    const stripe = newClient();
    const pi = await stripe.paymentIntents.create({
      amount: 2500, currency: 'usd', confirm: true, payment_method: 'pm_card_visa',
      allowed_payment_method_types: ['card'], capture_method: 'manual',
    });
    assert.equal(pi.status, 'requires_capture');
    // To the second before the deadline by `to`: the realtime clock may have ticked since the intent was made.
    const expiresAt = pi.created + 7 * DAY;
    const justBefore = await raw('POST', '/_mock/merchant_clock/advance', { key: stripe.secretKey, body: { to: expiresAt - 1 } });
    assert.equal(justBefore.json.fired, 0);
    assert.equal((await stripe.paymentIntents.retrieve(pi.id)).status, 'requires_capture');
    assert.equal((await advance(stripe, 2)).fired, 1);
    const after = await stripe.paymentIntents.retrieve(pi.id, { expand: ['latest_charge'] });
    assert.equal(after.status, 'canceled');
    assert.equal(after.cancellation_reason, 'automatic');
    assert.equal(after.latest_charge.refunded, true);
    const types = (await stripe.events.list({ limit: 2 })).data.map((e) => e.type);
    assert.deepEqual(types, ['payment_intent.canceled', 'charge.expired']);
    await assert.rejects(stripe.paymentIntents.capture(pi.id), (e) => e.code === 'payment_intent_unexpected_state');
  });

  test('a dispute left unanswered is lost after its due date, and the balance adds up at each step', async () => {
    const stripe = newClient();
    const pi = await stripe.paymentIntents.create({
      amount: 5000, currency: 'usd', confirm: true, payment_method: 'pm_card_createDispute', allowed_payment_method_types: ['card'],
    });
    assert.equal(pi.status, 'succeeded');
    const [dispute] = (await stripe.disputes.list()).data;
    assert.equal(dispute.status, 'needs_response');
    await balanceMatchesNets(stripe);
    const now = (await raw('GET', '/_mock/merchant_clock', { key: stripe.secretKey })).json.now;
    await advance(stripe, dispute.evidence_details.due_by - now + 1);
    const lost = await stripe.disputes.retrieve(dispute.id);
    assert.equal(lost.status, 'lost');
    await balanceMatchesNets(stripe);
    assert.equal((await stripe.events.list({ type: 'charge.dispute.closed' })).data.length, 1);
  });

  test('pending balance becomes available on the clock, and the clock is per merchant', async () => {
    const a = newClient();
    const b = newClient();
    // Manual payouts, so the available funds stay in the balance instead of leaving in the daily payout.
    const settings = await raw('POST', '/_mock/payouts/settings', { key: a.secretKey, body: { schedule: { interval: 'manual' } } });
    assert.equal(settings.status, 200);
    await a.paymentIntents.create({ amount: 10000, currency: 'usd', confirm: true, payment_method: 'pm_card_visa', allowed_payment_method_types: ['card'] });
    const before = await a.balance.retrieve();
    assert.equal(before.pending.find((x) => x.currency === 'usd').amount, 9680);
    await advance(a, 3 * DAY);
    const after = await a.balance.retrieve();
    assert.equal(after.available.find((x) => x.currency === 'usd').amount, 9680);
    assert.equal(after.pending.find((x) => x.currency === 'usd').amount, 0);
    const clockA = (await raw('GET', '/_mock/merchant_clock', { key: a.secretKey })).json;
    const clockB = (await raw('GET', '/_mock/merchant_clock', { key: b.secretKey })).json;
    assert.ok(clockA.now - clockB.now >= 3 * DAY - 5, `a=${clockA.now} b=${clockB.now}`);
  });
});
