// Network rules (docs/network-rules.md): the emulator's control API /_mock/network_rules scripts the card
// network's answer for any card. Payments go through the official SDK; rules, the clock
// (/_mock/merchant_clock, docs/time.md) and 3DS completion (/_mock/payment_intents/{id}/authenticate,
// docs/three-d-secure.md) are the emulator's control API, called with raw().
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { expectStripeError, newClient, raw } from './helpers.mjs';

async function addRule(stripe, body) {
  const res = await raw('POST', '/_mock/network_rules', { key: stripe.secretKey, body });
  assert.equal(res.status, 200, res.text);
  assert.equal(res.json.object, 'mock.network_rule');
  assert.match(res.json.id, /^rule_/);
  return res.json;
}

async function listRules(stripe) {
  const res = await raw('GET', '/_mock/network_rules', { key: stripe.secretKey });
  assert.equal(res.status, 200, res.text);
  assert.equal(res.json.object, 'list');
  return res.json.data;
}

async function chargeNetwork(stripe, id) {
  const res = await raw('GET', `/_mock/charges/${id}/network`, { key: stripe.secretKey });
  assert.equal(res.status, 200, res.text);
  return res.json;
}

async function advance(stripe, seconds) {
  const res = await raw('POST', '/_mock/merchant_clock/advance', { key: stripe.secretKey, body: { seconds } });
  assert.equal(res.status, 200, res.text);
  return res.json;
}

function pay(stripe, extra = {}) {
  return stripe.paymentIntents.create({
    amount: 2000, currency: 'usd', confirm: true, payment_method: 'pm_card_visa', allowed_payment_method_types: ['card'], ...extra,
  });
}

async function balanceMatchesNets(stripe) {
  const balance = await stripe.balance.retrieve();
  const total = [...balance.available, ...balance.pending].filter((b) => b.currency === 'usd').reduce((s, b) => s + b.amount, 0);
  const txns = await stripe.balanceTransactions.list({ limit: 100 }).autoPagingToArray({ limit: 1000 });
  assert.equal(total, txns.reduce((s, t) => s + t.net, 0));
  return total;
}

async function eventTypes(stripe) {
  return (await stripe.events.list({ limit: 100 })).data.map((e) => e.type).filter((t) => t !== 'charge.updated');
}

describe('network rule outcomes', () => {
  test('decline with a chosen decline code: card error, failed charge with the issuer outcome, rule recorded', async () => {
    const stripe = newClient();
    const rule = await addRule(stripe, { outcome: 'decline', decline_code: 'insufficient_funds' });
    assert.equal(rule.outcome, 'decline');
    assert.equal(rule.fired, 0);
    assert.equal(rule.active, true);
    const err = await expectStripeError(pay(stripe), {
      type: 'StripeCardError', rawType: 'card_error', statusCode: 402, code: 'card_declined', declineCode: 'insufficient_funds',
    });
    assert.equal(err.raw.payment_intent.status, 'requires_payment_method');
    assert.equal(err.raw.payment_intent.last_payment_error.decline_code, 'insufficient_funds');
    const ch = await stripe.charges.retrieve(err.raw.charge);
    assert.deepEqual([ch.status, ch.paid, ch.balance_transaction, ch.failure_code], ['failed', false, null, 'card_declined']);
    assert.equal(ch.failure_message, err.message);
    assert.equal(ch.outcome.type, 'issuer_declined');
    assert.equal(ch.outcome.network_status, 'declined_by_network');
    assert.equal(ch.outcome.reason, 'insufficient_funds');
    const net = await chargeNetwork(stripe, ch.id);
    assert.deepEqual([net.network_rule, net.status, net.pending_settlement], [rule.id, 'failed', null]);
    // expired_card maps to its own error code.
    await raw('DELETE', '/_mock/network_rules', { key: stripe.secretKey });
    await addRule(stripe, { outcome: 'decline', decline_code: 'expired_card' });
    await expectStripeError(pay(stripe), { type: 'StripeCardError', code: 'expired_card', declineCode: 'expired_card' });
  });

  test('block: a legacy charge and a PaymentIntent are blocked as fraudulent by Radar', async () => {
    const stripe = newClient();
    await addRule(stripe, { outcome: 'block' });
    const err = await expectStripeError(stripe.charges.create({ amount: 1500, currency: 'usd', source: 'tok_visa' }), {
      type: 'StripeCardError', statusCode: 402, code: 'card_declined', declineCode: 'fraudulent',
    });
    const ch = await stripe.charges.retrieve(err.raw.charge);
    assert.equal(ch.status, 'failed');
    assert.equal(ch.outcome.type, 'blocked');
    assert.equal(ch.outcome.network_status, 'not_sent_to_network');
    const err2 = await expectStripeError(pay(stripe), { code: 'card_declined', declineCode: 'fraudulent' });
    assert.equal((await stripe.charges.retrieve(err2.raw.charge)).outcome.type, 'blocked');
    assert.equal((await listRules(stripe))[0].fired, 2);
  });

  test('require_3ds: requires_action, then authentication through the control API succeeds', async () => {
    const stripe = newClient();
    await addRule(stripe, { outcome: 'require_3ds', match: { brand: 'visa' } });
    const pi = await pay(stripe);
    assert.equal(pi.status, 'requires_action');
    assert.equal(pi.next_action.type, 'use_stripe_sdk');
    assert.equal(pi.latest_charge, null);
    const res = await raw('POST', `/_mock/payment_intents/${pi.id}/authenticate`, { key: stripe.secretKey, body: { outcome: 'complete' } });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.status, 'succeeded');
    const done = await stripe.paymentIntents.retrieve(pi.id, { expand: ['latest_charge'] });
    assert.equal(done.status, 'succeeded');
    assert.equal(done.latest_charge.status, 'succeeded');
    assert.equal(done.latest_charge.paid, true);
  });

  test('approve: a decline card and a Radar-block card succeed', async () => {
    const stripe = newClient();
    await addRule(stripe, { outcome: 'approve' });
    const pi = await pay(stripe, { payment_method: 'pm_card_chargeDeclined' });
    assert.equal(pi.status, 'succeeded');
    const ch = await stripe.charges.retrieve(pi.latest_charge);
    assert.equal(ch.status, 'succeeded');
    assert.equal(ch.outcome.type, 'authorized');
    assert.equal((await pay(stripe, { payment_method: 'pm_card_radarBlock' })).status, 'succeeded');
    const legacy = await stripe.charges.create({ amount: 1000, currency: 'usd', source: 'tok_chargeDeclined' });
    assert.equal(legacy.status, 'succeeded');
  });
});

describe('timeout and the reconciliation on the merchant clock', () => {
  async function timedOut(stripe, settle) {
    const f = await raw('POST', '/_mock/merchant_clock/freeze', { key: stripe.secretKey });
    assert.equal(f.status, 200, f.text);
    const rule = await addRule(stripe, { outcome: 'timeout', settle_after_seconds: 120, remaining: 1, ...settle });
    assert.equal(rule.settle_after_seconds, 120);
    // Frozen clock: settle_at is exact. The payment hangs at the network; confirm still answers 200.
    const pi = await pay(stripe, { amount: 1000, payment_method: 'pm_card_mastercard' });
    return { rule, pi };
  }

  async function checkProcessing(stripe, pi, rule, settleOutcome) {
    assert.equal(pi.status, 'processing');
    const ch = await stripe.charges.retrieve(pi.latest_charge);
    assert.deepEqual([ch.status, ch.paid, ch.outcome, ch.balance_transaction], ['pending', false, null, null]);
    const net = await chargeNetwork(stripe, ch.id);
    assert.equal(net.status, 'pending');
    assert.equal(net.network_rule, rule.id);
    assert.equal(net.pending_settlement.outcome, settleOutcome);
    assert.equal(net.pending_settlement.settle_at, ch.created + 120);
    const types = await eventTypes(stripe);
    assert.ok(types.includes('charge.pending') && types.includes('payment_intent.processing'), types.join());
    await expectStripeError(stripe.paymentIntents.cancel(pi.id), { code: 'payment_intent_unexpected_state' });
    await balanceMatchesNets(stripe);
    assert.equal((await advance(stripe, 119)).fired, 0);
    assert.equal((await stripe.paymentIntents.retrieve(pi.id)).status, 'processing');
    const before = new Set((await stripe.events.list({ limit: 100 })).data.map((e) => e.id));
    assert.equal((await advance(stripe, 1)).fired, 1);
    const fresh = (await stripe.events.list({ limit: 100 })).data.filter((e) => !before.has(e.id) && e.type !== 'charge.updated');
    return { ch, fresh };
  }

  test('settles as succeeded: processing/pending, then succeeded with a balance transaction', async () => {
    const stripe = newClient();
    const { rule, pi: first } = await timedOut(stripe, {});
    const { ch, fresh } = await checkProcessing(stripe, first, rule, 'succeed');
    assert.deepEqual(fresh.map((e) => e.type).sort(), ['charge.succeeded', 'payment_intent.succeeded']);
    assert.ok(fresh.every((e) => e.request.id === null));
    const pi = await stripe.paymentIntents.retrieve(first.id);
    assert.equal(pi.status, 'succeeded');
    assert.equal(pi.amount_received, 1000);
    const settled = await stripe.charges.retrieve(ch.id);
    assert.deepEqual([settled.status, settled.paid, settled.captured, settled.outcome?.type], ['succeeded', true, true, 'authorized']);
    assert.match(settled.balance_transaction ?? '', /^txn_/);
    assert.equal((await chargeNetwork(stripe, ch.id)).pending_settlement, null);
    assert.equal(await balanceMatchesNets(stripe), 1000 - 59);
    // remaining: 1 → the next payment is decided by the card again.
    assert.equal((await pay(stripe)).status, 'succeeded');
    await balanceMatchesNets(stripe);
  });

  test('settles as a decline: back to requires_payment_method with last_payment_error', async () => {
    const stripe = newClient();
    const { rule, pi: first } = await timedOut(stripe, { settle_outcome: 'decline', decline_code: 'do_not_honor' });
    assert.equal(rule.settle_outcome, 'decline');
    const { ch, fresh } = await checkProcessing(stripe, first, rule, 'decline');
    assert.deepEqual(fresh.map((e) => e.type).sort(), ['charge.failed', 'payment_intent.payment_failed']);
    const pi = await stripe.paymentIntents.retrieve(first.id);
    assert.equal(pi.status, 'requires_payment_method');
    assert.equal(pi.last_payment_error.type, 'card_error');
    assert.equal(pi.last_payment_error.code, 'card_declined');
    assert.equal(pi.last_payment_error.decline_code, 'do_not_honor');
    assert.equal(pi.last_payment_error.charge, ch.id);
    const failed = await stripe.charges.retrieve(ch.id);
    assert.deepEqual([failed.status, failed.paid, failed.failure_code], ['failed', false, 'card_declined']);
    assert.equal(failed.outcome.type, 'issuer_declined');
    assert.equal(failed.outcome.reason, 'do_not_honor');
    assert.equal(failed.balance_transaction, null);
    assert.equal(await balanceMatchesNets(stripe), 0);
    // The same intent can be retried; the rule is spent.
    const retried = await stripe.paymentIntents.confirm(pi.id, { payment_method: 'pm_card_visa' });
    assert.equal(retried.status, 'succeeded');
    await balanceMatchesNets(stripe);
  });
});

describe('matching', () => {
  test('amount_gte and currency', async () => {
    const stripe = newClient();
    await addRule(stripe, { outcome: 'decline', decline_code: 'insufficient_funds', match: { amount_gte: 5000 } });
    await addRule(stripe, { outcome: 'decline', decline_code: 'currency_not_supported', match: { currency: 'eur' } });
    assert.equal((await pay(stripe, { amount: 4999 })).status, 'succeeded');
    await expectStripeError(pay(stripe, { amount: 5000 }), { code: 'card_declined', declineCode: 'insufficient_funds' });
    await expectStripeError(pay(stripe, { currency: 'eur' }), { code: 'card_declined', declineCode: 'currency_not_supported' });
    assert.deepEqual((await listRules(stripe)).map((r) => r.fired), [1, 1]);
  });

  test('brand and last4', async () => {
    const stripe = newClient();
    await addRule(stripe, { outcome: 'decline', decline_code: 'do_not_honor', match: { brand: 'mastercard' } });
    await addRule(stripe, { outcome: 'decline', decline_code: 'lost_card', match: { last4: '4242' } });
    await expectStripeError(pay(stripe, { payment_method: 'pm_card_mastercard' }), { declineCode: 'do_not_honor' });
    await expectStripeError(pay(stripe), { declineCode: 'lost_card' });
    assert.equal((await pay(stripe, { payment_method: 'pm_card_amex' })).status, 'succeeded');
  });

  test('metadata key=value on PaymentIntents and legacy charges', async () => {
    const stripe = newClient();
    const rule = await addRule(stripe, { outcome: 'block', match: { metadata: { scenario: 'fraud' } } });
    assert.deepEqual(rule.match.metadata, { scenario: 'fraud' });
    await expectStripeError(pay(stripe, { metadata: { scenario: 'fraud', other: 'x' } }), { declineCode: 'fraudulent' });
    assert.equal((await pay(stripe, { metadata: { scenario: 'normal' } })).status, 'succeeded');
    assert.equal((await pay(stripe)).status, 'succeeded');
    await expectStripeError(
      stripe.charges.create({ amount: 1000, currency: 'usd', source: 'tok_visa', metadata: { scenario: 'fraud' } }),
      { declineCode: 'fraudulent' },
    );
  });

  test('attempt: the first attempt is declined, a retry on the same PaymentIntent succeeds', async () => {
    const stripe = newClient();
    await addRule(stripe, { outcome: 'decline', decline_code: 'try_again_later', match: { attempt: 1 } });
    const err = await expectStripeError(pay(stripe), { code: 'card_declined', declineCode: 'try_again_later' });
    const piId = err.raw.payment_intent.id;
    const retried = await stripe.paymentIntents.confirm(piId, { payment_method: 'pm_card_visa' });
    assert.equal(retried.status, 'succeeded');
    const charges = (await stripe.charges.list({ payment_intent: piId })).data;
    assert.deepEqual(charges.map((c) => c.status).sort(), ['failed', 'succeeded']);
    // A new intent is attempt 1 again.
    await expectStripeError(pay(stripe), { declineCode: 'try_again_later' });
  });

  test('remaining: 1 fires once, then the card decides again; the rule stays listed inactive', async () => {
    const stripe = newClient();
    await addRule(stripe, { outcome: 'decline', decline_code: 'insufficient_funds', remaining: 1 });
    await expectStripeError(pay(stripe), { declineCode: 'insufficient_funds' });
    assert.equal((await pay(stripe)).status, 'succeeded');
    await expectStripeError(pay(stripe, { payment_method: 'pm_card_chargeDeclined' }), { declineCode: 'generic_decline' });
    const [rule] = await listRules(stripe);
    assert.deepEqual([rule.fired, rule.remaining, rule.active], [1, 0, false]);
  });

  test('rules are per merchant', async () => {
    const a = newClient();
    const b = newClient();
    await addRule(a, { outcome: 'decline' });
    await expectStripeError(pay(a), { code: 'card_declined', declineCode: 'generic_decline' });
    assert.equal((await pay(b)).status, 'succeeded');
    assert.deepEqual(await listRules(b), []);
    assert.equal((await listRules(a)).length, 1);
  });
});

describe('listing and deleting rules', () => {
  test('GET lists rules in order with fired counts; DELETE one and DELETE all', async () => {
    const stripe = newClient();
    const r1 = await addRule(stripe, { outcome: 'decline', decline_code: 'insufficient_funds', match: { amount_gte: 5000 } });
    const r2 = await addRule(stripe, { outcome: 'block', match: { metadata: { scenario: 'fraud' } } });
    const r3 = await addRule(stripe, { outcome: 'approve', match: { currency: 'eur' } });
    await expectStripeError(pay(stripe, { amount: 6000 }), { declineCode: 'insufficient_funds' });
    await expectStripeError(pay(stripe, { amount: 7000 }), { declineCode: 'insufficient_funds' });
    await expectStripeError(pay(stripe, { metadata: { scenario: 'fraud' } }), { declineCode: 'fraudulent' });
    assert.equal((await pay(stripe)).status, 'succeeded');
    const rules = await listRules(stripe);
    assert.deepEqual(rules.map((r) => [r.id, r.fired, r.active]), [[r1.id, 2, true], [r2.id, 1, true], [r3.id, 0, true]]);

    const one = await raw('DELETE', `/_mock/network_rules/${r3.id}`, { key: stripe.secretKey });
    assert.equal(one.status, 200, one.text);
    assert.deepEqual(one.json, { id: r3.id, object: 'mock.network_rule', deleted: true });
    const missing = await raw('DELETE', `/_mock/network_rules/${r3.id}`, { key: stripe.secretKey });
    assert.equal(missing.status, 404);
    assert.equal(missing.json.error.code, 'resource_missing');

    const all = await raw('DELETE', '/_mock/network_rules', { key: stripe.secretKey });
    assert.equal(all.status, 200, all.text);
    assert.deepEqual(all.json, { object: 'mock.network_rules', deleted: 2 });
    assert.deepEqual(await listRules(stripe), []);
    assert.equal((await pay(stripe, { amount: 6000 })).status, 'succeeded');
    assert.equal((await pay(stripe, { metadata: { scenario: 'fraud' } })).status, 'succeeded');
  });
});
