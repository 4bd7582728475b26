// The emulator's QA faults on webhook endpoints (docs/webhooks.md "Control API"): what the receiver sees
// and what the delivery log records. Not Stripe features, but each one reproduces something Stripe does
// (duplicates, out-of-order and late arrival, failing receivers) or a misconfigured integration (wrong
// secret, clock skew). Like webhooks.test.mjs, a private emulator with a manual clock and manual dispatch.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { newClient, raw, startEmulator } from './helpers.mjs';
import {
  advanceClock,
  clearFaults,
  deliveries,
  flush,
  MANUAL_EMULATOR,
  reorderOffset,
  setFaults,
  startReceiver,
} from './webhook_helpers.mjs';

let emu;
before(async () => {
  emu = await startEmulator(MANUAL_EMULATOR);
});
after(async () => {
  await emu?.stop();
});

async function setup(t, { events = ['customer.created'], respond, faults } = {}) {
  const stripe = newClient({}, emu.url);
  const rcv = await startReceiver({ respond });
  const we = await stripe.webhookEndpoints.create({ url: rcv.url, enabled_events: events });
  if (faults) await setFaults(emu.url, stripe.secretKey, we.id, faults);
  t.after(async () => {
    await stripe.webhookEndpoints.del(we.id).catch(() => {});
    await rcv.close();
  });
  const log = async (query = {}) => deliveries(emu.url, stripe.secretKey, { endpoint: we.id, ...query });
  const verify = (rec, tolerance) => stripe.webhooks.constructEvent(rec.body, rec.headers['stripe-signature'], we.secret, tolerance);
  return { stripe, rcv, we, log, verify };
}

test('faults: GET shows them, POST changes only those named, DELETE clears; bad values are refused', async (t) => {
  const { stripe, we } = await setup(t);
  const path = `/_mock/webhook_endpoints/${we.id}/faults`;
  const opts = { base: emu.url, key: stripe.secretKey };
  let res = await raw('GET', path, opts);
  assert.equal(res.status, 200, res.text);
  assert.deepEqual(res.json, {
    object: 'webhook_endpoint_faults',
    endpoint: we.id,
    duplicate: false,
    reorder_window: 0,
    delay_seconds: 0,
    fail_first: 0,
    drop_types: [],
    wrong_secret: false,
    stale_timestamp: false,
  });
  await setFaults(emu.url, stripe.secretKey, we.id, { duplicate: true, fail_first: 2 });
  const f = await setFaults(emu.url, stripe.secretKey, we.id, { drop_types: ['charge.refunded'] });
  assert.deepEqual([f.duplicate, f.fail_first, f.drop_types], [true, 2, ['charge.refunded']]);
  res = await raw('DELETE', path, opts);
  assert.equal(res.json.duplicate, false);
  assert.equal(res.json.fail_first, 0);
  assert.deepEqual(res.json.drop_types, []);

  res = await raw('POST', path, { ...opts, body: { drop_types: ['charge.exploded'] } });
  assert.equal(res.status, 400);
  assert.equal(res.json.error.param, 'drop_types');
  res = await raw('POST', path, { ...opts, body: { explode: 'true' } });
  assert.equal(res.status, 400);
  assert.equal(res.json.error.code, 'parameter_unknown');
  res = await raw('GET', path, { base: emu.url, key: newClient().secretKey });
  assert.equal(res.status, 404, 'another merchant\'s endpoint is not found');
  res = await raw('GET', path, { base: emu.url });
  assert.equal(res.status, 401, 'the control API needs the merchant\'s key');
});

test('duplicate: a successful delivery arrives twice, both signed; the log shows the extra send', async (t) => {
  const { stripe, rcv, log, verify } = await setup(t, { faults: { duplicate: true } });
  const cus = await stripe.customers.create();
  await flush(emu.url);
  assert.equal(rcv.requests.length, 2);
  const [a, b] = rcv.requests.map((r) => verify(r));
  assert.equal(a.id, b.id, 'the same event');
  assert.equal(a.data.object.id, cus.id);
  const [d] = await log();
  assert.equal(d.status, 'succeeded');
  assert.equal(d.attempt_count, 1, 'a duplicate send is not a scheduled attempt');
  assert.deepEqual(d.attempts.map((x) => [x.status, x.faults]), [[200, []], [200, ['duplicate']]]);
  assert.equal((await stripe.events.retrieve(a.id)).pending_webhooks, 0);
});

test('duplicate: a failed attempt is not duplicated', async (t) => {
  const { stripe, rcv, log } = await setup(t, { respond: () => 500, faults: { duplicate: true } });
  await stripe.customers.create();
  await flush(emu.url);
  assert.equal(rcv.requests.length, 1);
  assert.equal((await log())[0].attempts.length, 1);
});

test('reorder window: each delivery is postponed by its offset, so a burst arrives shuffled', async (t) => {
  const window = 20;
  const { stripe, rcv, log, verify } = await setup(t, { faults: { reorder_window: window } });
  const customers = [];
  for (let i = 0; i < 8; i++) customers.push(await stripe.customers.create({ metadata: { i } }));
  const logged = await log();
  assert.equal(logged.length, 8);
  const offsetOf = new Map();
  for (const d of logged) {
    offsetOf.set(d.event, reorderOffset(d.id, window));
    assert.equal(d.next_attempt_at - d.created, offsetOf.get(d.event), `${d.id}: due = created + FNV-1a offset`);
  }
  // Step the (manual) clock one second at a time: a delivery arrives exactly at its offset.
  const arrivedAt = new Map();
  for (let s = 0; s < window; s++) {
    await flush(emu.url);
    for (const r of rcv.requests) if (!arrivedAt.has(r.event.id)) arrivedAt.set(r.event.id, s);
    await advanceClock(emu.url, 1);
  }
  assert.equal(rcv.requests.length, 8, 'all arrive within the window, once');
  for (const [id, s] of arrivedAt) assert.equal(s, offsetOf.get(id), `${id} arrived at +${s}s`);
  const order = rcv.requests.map((r) => verify(r).data.object.id);
  const offsets = rcv.requests.map((r) => offsetOf.get(r.event.id));
  assert.deepEqual(offsets, [...offsets].sort((x, y) => x - y), 'arrival follows the offsets');
  // 8 offsets drawn from 0..19 keep creation order with probability < 1/8!; a failure here is a broken hash.
  assert.notDeepEqual(order, customers.map((c) => c.id), 'the burst is shuffled');
  for (const d of await log()) {
    assert.equal(d.status, 'succeeded');
    assert.deepEqual(d.attempts[0].faults, ['reorder']);
  }
});

test('delay: the first attempt waits delay_seconds of virtual time', async (t) => {
  const { stripe, rcv, log, verify } = await setup(t, { faults: { delay_seconds: 120 } });
  const cus = await stripe.customers.create();
  await flush(emu.url);
  assert.equal(rcv.requests.length, 0);
  const [pending] = await log();
  assert.equal(pending.status, 'pending');
  assert.equal(pending.attempt_count, 0);
  assert.equal(pending.next_attempt_at, pending.created + 120);
  await advanceClock(emu.url, 119);
  await flush(emu.url);
  assert.equal(rcv.requests.length, 0, 'not before 120 s');
  await advanceClock(emu.url, 1);
  await flush(emu.url);
  assert.equal(rcv.requests.length, 1);
  assert.equal(verify(rcv.requests[0]).data.object.id, cus.id);
  const [d] = await log();
  assert.equal(d.attempts[0].attempted_at, d.created + 120);
  assert.deepEqual(d.attempts[0].faults, ['delay']);
});

test('fail_first: the first N attempts fail without reaching the receiver and are retried on schedule', async (t) => {
  const { stripe, rcv, log, verify } = await setup(t, { faults: { fail_first: 2 } });
  await stripe.customers.create();
  await flush(emu.url);
  assert.equal(rcv.requests.length, 0);
  let [d] = await log();
  assert.equal(d.status, 'pending');
  assert.equal(d.attempt_count, 1);
  assert.equal(d.attempts[0].status, null);
  assert.match(d.attempts[0].error, /fail_first/);
  assert.deepEqual(d.attempts[0].faults, ['fail_first']);
  assert.equal((await stripe.events.retrieve(d.event)).pending_webhooks, 1);
  await advanceClock(emu.url, 300);
  await flush(emu.url);
  assert.equal(rcv.requests.length, 0, 'second attempt also failed by the fault');
  await advanceClock(emu.url, 1800);
  await flush(emu.url);
  assert.equal(rcv.requests.length, 1);
  assert.equal(verify(rcv.requests[0]).id, d.event);
  [d] = await log();
  assert.equal(d.status, 'succeeded');
  assert.deepEqual(d.attempts.map((a) => [a.status, a.faults]), [[null, ['fail_first']], [null, ['fail_first']], [200, []]]);
  assert.equal((await stripe.events.retrieve(d.event)).pending_webhooks, 0);
});

test('drop_types: events of a dropped type never reach the receiver; the log says dropped', async (t) => {
  const { stripe, rcv, log, verify } = await setup(t, { events: ['*'], faults: { drop_types: ['payment_intent.created'] } });
  const pi = await stripe.paymentIntents.create({
    amount: 1500, currency: 'usd', allowed_payment_method_types: ['card'], payment_method: 'pm_card_visa', confirm: true,
  });
  await flush(emu.url);
  const types = rcv.requests.map((r) => verify(r).type);
  assert.ok(types.includes('payment_intent.succeeded'), types.join());
  assert.ok(!types.includes('payment_intent.created'), types.join());
  const [created] = (await stripe.events.list({ type: 'payment_intent.created' })).data;
  assert.equal(created.data.object.id, pi.id);
  const [d] = await log({ event: created.id });
  assert.equal(d.status, 'dropped');
  assert.equal(d.attempts[0].status, null);
  assert.deepEqual(d.attempts[0].faults, ['drop_type']);
  assert.equal((await stripe.events.retrieve(created.id)).pending_webhooks, 0);
  await advanceClock(emu.url, 86_400);
  await flush(emu.url);
  assert.ok(!rcv.requests.some((r) => r.event.type === 'payment_intent.created'), 'never retried');
});

test('wrong_secret: constructEvent rejects it; a verifying receiver answers 400 and the retry succeeds once cleared', async (t) => {
  let secret;
  const stripe0 = newClient();
  const respond = (req, rec) => {
    try {
      stripe0.webhooks.constructEvent(rec.body, rec.headers['stripe-signature'], secret);
      return 200;
    } catch {
      return 400;
    }
  };
  const { stripe, rcv, we, log, verify } = await setup(t, { respond, faults: { wrong_secret: true } });
  secret = we.secret;
  await stripe.customers.create();
  await flush(emu.url);
  assert.equal(rcv.requests.length, 1);
  assert.throws(() => verify(rcv.requests[0]), { type: 'StripeSignatureVerificationError' });
  assert.match(rcv.requests[0].headers['stripe-signature'], /^t=\d+,v1=[0-9a-f]{64}/, 'still a well-formed header');
  let [d] = await log();
  assert.deepEqual([d.status, d.attempts[0].status, d.attempts[0].faults], ['pending', 400, ['wrong_secret']]);

  await clearFaults(emu.url, stripe.secretKey, we.id);
  await advanceClock(emu.url, 300);
  await flush(emu.url);
  assert.equal(rcv.requests.length, 2);
  assert.equal(verify(rcv.requests[1]).id, d.event);
  [d] = await log();
  assert.deepEqual([d.status, d.attempts.map((a) => a.status)], ['succeeded', [400, 200]]);
});

test('stale_timestamp: signed 10 minutes in the past, outside the default 300 s tolerance', async (t) => {
  const { stripe, rcv, log, verify } = await setup(t, { faults: { stale_timestamp: true } });
  await stripe.customers.create();
  await flush(emu.url);
  assert.equal(rcv.requests.length, 1);
  const rec = rcv.requests[0];
  assert.throws(() => verify(rec), { type: 'StripeSignatureVerificationError', message: /Timestamp outside the tolerance zone/ });
  const ev = verify(rec, 3600);
  assert.equal(ev.type, 'customer.created', 'the signature itself is right: only the timestamp is old');
  const t0 = Number(/t=(\d+)/.exec(rec.headers['stripe-signature'])[1]);
  assert.ok(Math.abs(rec.at / 1000 - 600 - t0) < 60, `t=${t0} is about 600 s before arrival`);
  const [d] = await log();
  assert.deepEqual(d.attempts[0].faults, ['stale_timestamp']);
  assert.equal(d.attempts[0].wall_time, t0, 'the log records the timestamp that was signed');
});
