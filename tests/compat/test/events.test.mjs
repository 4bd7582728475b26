// Events emitted by the payments core, read back with events.list / events.retrieve
// (STRIPE_BEHAVIOR §11.4, §13, §14, §19.1). Stripe does not guarantee the order of events made by one
// request, so within a request only the set of types is asserted; across requests the list is newest
// first. charge.updated (balance transaction attached later) is allowed but not required.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import Stripe from 'stripe';
import { expectStripeError, newClient } from './helpers.mjs';

const card = { allowed_payment_method_types: ['card'] };
const OPTIONAL = new Set(['charge.updated']);

// Records, per SDK call, the Idempotency-Key stripe-node sent and the Request-Id that came back.
function recorder(stripe) {
  const calls = [];
  stripe.on('request', (e) => calls.push({ method: e.method, path: e.path, idempotencyKey: e.idempotency_key }));
  stripe.on('response', (e) => {
    calls[calls.length - 1].requestId = e.request_id;
  });
  return calls;
}

const allEvents = (stripe, params = {}) => stripe.events.list(params).autoPagingToArray({ limit: 100 });
const types = (events) => events.map((e) => e.type).filter((t) => !OPTIONAL.has(t));
const sorted = (a) => [...a].sort();

describe('events from the payments core', () => {
  test('create + confirm → payment_intent.created (oldest), charge.succeeded, payment_intent.succeeded', async () => {
    const stripe = newClient();
    const calls = recorder(stripe);
    const pi = await stripe.paymentIntents.create({ amount: 2000, currency: 'usd', ...card, payment_method: 'pm_card_visa', confirm: true });
    const events = await allEvents(stripe);
    assert.deepEqual(sorted(types(events)), ['charge.succeeded', 'payment_intent.created', 'payment_intent.succeeded']);
    const essential = events.filter((e) => !OPTIONAL.has(e.type));
    assert.equal(essential.at(-1).type, 'payment_intent.created', 'oldest last');

    const byType = Object.fromEntries(events.map((e) => [e.type, e]));
    assert.equal(byType['payment_intent.created'].data.object.id, pi.id);
    assert.equal(byType['payment_intent.succeeded'].data.object.id, pi.id);
    assert.equal(byType['payment_intent.succeeded'].data.object.status, 'succeeded');
    assert.equal(byType['charge.succeeded'].data.object.id, pi.latest_charge);
    assert.equal(byType['charge.succeeded'].data.object.object, 'charge');
    assert.equal(byType['charge.succeeded'].data.object.payment_intent, pi.id);

    const create = calls.find((c) => c.method === 'POST' && c.path === '/v1/payment_intents');
    assert.ok(create.idempotencyKey, 'stripe-node sends an Idempotency-Key on every POST');
    assert.equal(create.requestId, pi.lastResponse.requestId);
    assert.equal(pi.lastResponse.idempotencyKey, create.idempotencyKey, 'the response echoes Idempotency-Key');
    for (const e of events) {
      assert.match(e.id, /^evt_/);
      assert.equal(e.object, 'event');
      assert.equal(e.livemode, false);
      assert.ok(Number.isInteger(e.created));
      assert.equal(e.api_version, Stripe.API_VERSION);
      assert.equal(e.api_version, '2026-10-28.endive');
      if (OPTIONAL.has(e.type)) continue;
      assert.match(e.request.id, /^req_/);
      assert.equal(e.request.id, pi.lastResponse.requestId, `${e.type} was made by the create request`);
      assert.equal(e.request.idempotency_key, create.idempotencyKey);
    }
  });

  test('a decline → charge.failed + payment_intent.payment_failed', async () => {
    const stripe = newClient();
    const calls = recorder(stripe);
    const err = await expectStripeError(
      stripe.paymentIntents.create({ amount: 2000, currency: 'usd', ...card, payment_method: 'pm_card_chargeDeclined', confirm: true }),
      { type: 'StripeCardError', code: 'card_declined' },
    );
    const events = await allEvents(stripe);
    assert.deepEqual(sorted(types(events)), ['charge.failed', 'payment_intent.created', 'payment_intent.payment_failed']);
    const byType = Object.fromEntries(events.map((e) => [e.type, e]));
    assert.equal(byType['charge.failed'].data.object.id, err.raw.charge);
    assert.equal(byType['charge.failed'].data.object.status, 'failed');
    const failed = byType['payment_intent.payment_failed'].data.object;
    assert.equal(failed.id, err.raw.payment_intent.id);
    assert.equal(failed.status, 'requires_payment_method');
    assert.equal(failed.last_payment_error.decline_code, 'generic_decline');
    const create = calls.find((c) => c.method === 'POST' && c.path === '/v1/payment_intents');
    for (const e of events.filter((x) => !OPTIONAL.has(x.type))) {
      assert.equal(e.request.id, err.requestId, 'the failed request still made the events');
      assert.equal(e.request.idempotency_key, create.idempotencyKey);
    }
  });

  test('manual capture → amount_capturable_updated, then charge.captured + payment_intent.succeeded', async () => {
    const stripe = newClient();
    const calls = recorder(stripe);
    const pi = await stripe.paymentIntents.create({
      amount: 2000,
      currency: 'usd',
      ...card,
      payment_method: 'pm_card_visa',
      capture_method: 'manual',
      confirm: true,
    });
    const before = await allEvents(stripe);
    assert.deepEqual(sorted(types(before)), ['charge.succeeded', 'payment_intent.amount_capturable_updated', 'payment_intent.created']);
    const auth = before.find((e) => e.type === 'charge.succeeded').data.object;
    assert.equal(auth.captured, false);
    const capturable = before.find((e) => e.type === 'payment_intent.amount_capturable_updated').data.object;
    assert.equal(capturable.amount_capturable, 2000);
    assert.equal(capturable.status, 'requires_capture');

    const captured = await stripe.paymentIntents.capture(pi.id);
    const captureCall = calls.at(-1);
    assert.equal(captureCall.path, `/v1/payment_intents/${pi.id}/capture`);
    const after = await allEvents(stripe);
    const fresh = after.filter((e) => !before.some((b) => b.id === e.id) && !OPTIONAL.has(e.type));
    assert.deepEqual(sorted(types(fresh)), ['charge.captured', 'payment_intent.succeeded']);
    for (const e of fresh) {
      assert.equal(e.request.id, captured.lastResponse.requestId);
      assert.equal(e.request.idempotency_key, captureCall.idempotencyKey);
    }
    const capturedIndex = after.findIndex((e) => e.type === 'charge.captured');
    const capturableIndex = after.findIndex((e) => e.type === 'payment_intent.amount_capturable_updated');
    assert.ok(capturedIndex < capturableIndex, 'the capture events are newer');
    assert.equal(after[capturedIndex].data.object.captured, true);
  });

  test('refund → refund.created + charge.refunded', async () => {
    const stripe = newClient();
    const pi = await stripe.paymentIntents.create({ amount: 2000, currency: 'usd', ...card, payment_method: 'pm_card_visa', confirm: true });
    const before = await allEvents(stripe);
    const re = await stripe.refunds.create({ payment_intent: pi.id });
    const fresh = (await allEvents(stripe)).filter((e) => !before.some((b) => b.id === e.id) && !OPTIONAL.has(e.type));
    assert.deepEqual(sorted(types(fresh)), ['charge.refunded', 'refund.created']);
    const byType = Object.fromEntries(fresh.map((e) => [e.type, e]));
    assert.equal(byType['refund.created'].data.object.id, re.id);
    assert.equal(byType['charge.refunded'].data.object.id, pi.latest_charge);
    assert.equal(byType['charge.refunded'].data.object.refunded, true);
    assert.equal(byType['charge.refunded'].data.object.amount_refunded, 2000);
    for (const e of Object.values(byType)) assert.equal(e.request.id, re.lastResponse.requestId);
  });

  test('events.list filters by type and types; events.retrieve returns the same event', async () => {
    const stripe = newClient();
    const a = await stripe.paymentIntents.create({ amount: 1000, currency: 'usd', ...card, payment_method: 'pm_card_visa', confirm: true });
    const b = await stripe.paymentIntents.create({ amount: 1100, currency: 'usd', ...card, payment_method: 'pm_card_visa', confirm: true });

    const succeeded = await stripe.events.list({ type: 'charge.succeeded' });
    assert.equal(succeeded.object, 'list');
    assert.equal(succeeded.url, '/v1/events');
    assert.deepEqual(succeeded.data.map((e) => e.data.object.id), [b.latest_charge, a.latest_charge]);

    const wildcard = await stripe.events.list({ type: 'payment_intent.*' });
    assert.ok(wildcard.data.length >= 4);
    assert.ok(wildcard.data.every((e) => e.type.startsWith('payment_intent.')));

    const several = await stripe.events.list({ types: ['payment_intent.created', 'charge.succeeded'] });
    assert.equal(several.data.length, 4);
    assert.deepEqual(sorted(new Set(several.data.map((e) => e.type))), ['charge.succeeded', 'payment_intent.created']);

    const one = await stripe.events.retrieve(succeeded.data[0].id);
    assert.deepEqual({ ...one }, { ...succeeded.data[0] });
  });

  test('an idempotent replay returns the first response and emits no new events', async () => {
    const stripe = newClient();
    const params = { amount: 1000, currency: 'usd', ...card, payment_method: 'pm_card_visa', confirm: true };
    const first = await stripe.paymentIntents.create(params, { idempotencyKey: 'events-replay-1' });
    const before = await allEvents(stripe);
    const again = await stripe.paymentIntents.create(params, { idempotencyKey: 'events-replay-1' });
    assert.equal(again.id, first.id);
    assert.equal(again.lastResponse.headers['idempotent-replayed'], 'true');
    const after = await allEvents(stripe);
    assert.deepEqual(after.map((e) => e.id), before.map((e) => e.id));
    for (const e of after.filter((x) => !OPTIONAL.has(x.type))) {
      assert.equal(e.request.idempotency_key, 'events-replay-1');
      assert.equal(e.request.id, first.lastResponse.requestId);
    }
  });

  test("events are per merchant: another key sees none of them", async () => {
    const stripe = newClient();
    await stripe.paymentIntents.create({ amount: 1000, currency: 'usd', ...card, payment_method: 'pm_card_visa', confirm: true });
    const other = newClient();
    assert.deepEqual((await other.events.list()).data, []);
    const [first] = (await stripe.events.list({ limit: 1 })).data;
    await expectStripeError(other.events.retrieve(first.id), { statusCode: 404, code: 'resource_missing' });
  });
});
