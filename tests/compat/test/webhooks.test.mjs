// Webhooks as an integration sees them: endpoints through the SDK, signed deliveries to a local receiver
// verified with stripe.webhooks.constructEvent, the api_version they carry, and retries.
// Routing (enabled_events, disable/delete, resend): webhooks_routing.test.mjs. Faults and durability:
// webhooks_faults.test.mjs, webhooks_durability.test.mjs.
//
// Deliveries are asynchronous, so this file starts its own emulator with `--clock manual
// --webhook-dispatch manual`: nothing is sent until POST /_mock/webhooks/flush, which answers once every
// due attempt is recorded, and retries become due only when the test advances the virtual clock. One test
// ("auto dispatch") uses the run.mjs server (default options) to check deliveries go out by themselves.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import Stripe from 'stripe';
import { BASE_URL, expectStripeError, newClient, startEmulator } from './helpers.mjs';
import {
  advanceClock,
  allEvents,
  deliveries,
  flush,
  MANUAL_EMULATOR,
  merchantWithReceiver,
  pay,
  startReceiver,
  verify,
} from './webhook_helpers.mjs';

let emu;
before(async () => {
  emu = await startEmulator(MANUAL_EMULATOR);
});
after(async () => {
  await emu?.stop();
});
const setup = (t, respond) => merchantWithReceiver(t, emu.url, respond);

const sortedIds = (xs) => xs.map((x) => x.id).sort();

describe('webhook endpoints', () => {
  test('the signing secret is returned by create only', async (t) => {
    const { stripe, rcv } = await setup(t);
    const we = await stripe.endpoint({ description: 'orders', metadata: { team: 'payments' } });
    assert.match(we.id, /^we_/);
    assert.equal(we.object, 'webhook_endpoint');
    assert.match(we.secret, /^whsec_[A-Za-z0-9]{20,}$/);
    assert.equal(we.url, rcv.url);
    assert.deepEqual(we.enabled_events, ['*']);
    assert.equal(we.status, 'enabled');
    assert.equal(we.api_version, null);
    assert.equal(we.livemode, false);
    assert.equal(we.description, 'orders');
    assert.deepEqual(we.metadata, { team: 'payments' });

    const got = await stripe.webhookEndpoints.retrieve(we.id);
    assert.equal(got.id, we.id);
    assert.equal('secret' in got, false, 'retrieve does not show the secret');
    const list = await stripe.webhookEndpoints.list();
    assert.deepEqual(list.data.map((e) => e.id), [we.id]);
    assert.equal('secret' in list.data[0], false, 'list does not show the secret');
    const updated = await stripe.webhookEndpoints.update(we.id, { description: 'all' });
    assert.equal('secret' in updated, false, 'update does not show the secret');
  });

  test('an unknown event type in enabled_events is refused', async (t) => {
    const { stripe, rcv } = await setup(t);
    await expectStripeError(
      stripe.webhookEndpoints.create({ url: rcv.url, enabled_events: ['payment_intent.succeeded', 'payment_intent.exploded'] }),
      { type: 'StripeInvalidRequestError', rawType: 'invalid_request_error', statusCode: 400, param: /^enabled_events(\[1\])?$/ },
    );
    await expectStripeError(stripe.webhookEndpoints.create({ url: rcv.url }), {
      type: 'StripeInvalidRequestError',
      statusCode: 400,
      param: 'enabled_events',
    });
    assert.equal((await stripe.webhookEndpoints.list()).data.length, 0, 'nothing was created');
  });
});

describe('signed deliveries', () => {
  test('a payment: every event is delivered once, signed, with the SDK\'s API version', async (t) => {
    const { stripe, rcv } = await setup(t);
    const we = await stripe.endpoint();
    const pi = await pay(stripe);
    assert.equal(pi.status, 'succeeded');
    await flush(emu.url);

    const events = await allEvents(stripe);
    const types = events.map((e) => e.type);
    for (const type of ['payment_intent.created', 'payment_intent.succeeded', 'charge.succeeded']) {
      assert.ok(types.includes(type), `${type} among ${types}`);
    }
    assert.equal(rcv.requests.length, events.length, 'one delivery per event');
    const delivered = rcv.requests.map((rec) => {
      assert.equal(rec.method, 'POST');
      assert.equal(rec.url, '/webhooks');
      assert.match(rec.headers['content-type'], /^application\/json/);
      assert.match(rec.headers['user-agent'], /^Stripe\/1\.0 \(\+https:\/\/stripe\.com\/docs\/webhooks\)$/);
      assert.match(rec.headers['stripe-signature'], /^t=\d+,v1=[0-9a-f]{64}/);
      const ev = verify(stripe, rec, we.secret);
      assert.equal(ev.api_version, Stripe.API_VERSION, `event ${ev.type} api_version`);
      assert.equal(ev.pending_webhooks, 1, 'the payload counts the delivery being made');
      return ev;
    });
    assert.deepEqual(sortedIds(delivered), sortedIds(events), 'the delivered events are the recorded ones');
    for (const ev of delivered) {
      const stored = events.find((e) => e.id === ev.id);
      assert.equal(ev.type, stored.type);
      assert.equal(ev.data.object.id, stored.data.object.id);
      assert.equal(ev.data.object.object, stored.data.object.object);
      if (ev.type.startsWith('payment_intent.')) assert.equal(ev.data.object.id, pi.id);
      if (ev.type.startsWith('charge.')) assert.equal(ev.data.object.id, pi.latest_charge);
    }
    for (const e of events) {
      assert.equal(e.api_version, Stripe.API_VERSION);
      assert.equal((await stripe.events.retrieve(e.id)).pending_webhooks, 0, 'delivered: nothing pending');
    }
  });

  test('an endpoint created with api_version gets events in that version; others in the account\'s', async (t) => {
    const { stripe, rcv } = await setup(t);
    const pinned = await stripe.endpoint({ api_version: '2024-06-20', enabled_events: ['payment_intent.succeeded'] });
    assert.equal(pinned.api_version, '2024-06-20');
    const plain = await stripe.endpoint({ enabled_events: ['payment_intent.succeeded'] });
    await pay(stripe);
    await flush(emu.url);
    assert.equal(rcv.requests.length, 2);
    const versions = {};
    for (const rec of rcv.requests) {
      // Which endpoint a request is for is told by the secret that verifies it.
      let ev;
      let endpoint;
      try {
        ev = verify(stripe, rec, pinned.secret);
        endpoint = 'pinned';
      } catch {
        ev = verify(stripe, rec, plain.secret);
        endpoint = 'plain';
      }
      versions[endpoint] = ev.api_version;
    }
    assert.deepEqual(versions, { pinned: '2024-06-20', plain: Stripe.API_VERSION });
    const [ev] = (await stripe.events.list({ type: 'payment_intent.succeeded' })).data;
    assert.equal(ev.api_version, Stripe.API_VERSION, 'the event itself keeps the account\'s version');
  });

  test('constructEvent rejects a body re-signed with another secret, a tampered body and a stale timestamp', async (t) => {
    const { stripe, rcv } = await setup(t);
    const we = await stripe.endpoint({ enabled_events: ['customer.created'] });
    await stripe.customers.create({ email: 'sig@example.com' });
    await flush(emu.url);
    assert.equal(rcv.requests.length, 1);
    const rec = rcv.requests[0];
    assert.equal(verify(stripe, rec, we.secret).type, 'customer.created');

    const other = 'whsec_' + 'x'.repeat(32);
    assert.throws(() => verify(stripe, rec, other), { type: 'StripeSignatureVerificationError' });
    const forged = stripe.webhooks.generateTestHeaderString({ payload: rec.body, secret: other });
    assert.throws(() => stripe.webhooks.constructEvent(rec.body, forged, we.secret), { type: 'StripeSignatureVerificationError' });
    assert.equal(stripe.webhooks.constructEvent(rec.body, forged, other).id, rec.event.id, 'the forged header is well-formed');

    const tampered = rec.body.replace('sig@example.com', 'sig@example.org');
    assert.notEqual(tampered, rec.body);
    assert.throws(() => stripe.webhooks.constructEvent(tampered, rec.headers['stripe-signature'], we.secret), {
      type: 'StripeSignatureVerificationError',
    });

    const old = Math.floor(Date.now() / 1000) - 600;
    const stale = stripe.webhooks.generateTestHeaderString({ payload: rec.body, secret: we.secret, timestamp: old });
    assert.throws(() => stripe.webhooks.constructEvent(rec.body, stale, we.secret), {
      type: 'StripeSignatureVerificationError',
      message: /Timestamp outside the tolerance zone/,
    });
    // The emulator signs with the wall clock (not the virtual one), so the default 300 s tolerance holds.
    const t0 = Number(/t=(\d+)/.exec(rec.headers['stripe-signature'])[1]);
    assert.ok(Math.abs(t0 - rec.at / 1000) < 60, `signature timestamp ${t0} is the receiver's now`);
  });
});

describe('retries', () => {
  test('500, 500, then 200: three attempts on the retry schedule; pending_webhooks 1 → 0', async (t) => {
    const script = [500, 500, 200];
    const { stripe, rcv } = await setup(t, (req, rec, i) => script[i] ?? 200);
    const we = await stripe.endpoint({ enabled_events: ['customer.created'] });
    const cus = await stripe.customers.create();
    const [ev] = (await stripe.events.list({ type: 'customer.created' })).data;
    assert.equal(ev.data.object.id, cus.id);
    assert.equal(ev.pending_webhooks, 1, 'one endpoint, not yet delivered');

    await flush(emu.url);
    assert.equal(rcv.requests.length, 1);
    assert.equal((await stripe.events.retrieve(ev.id)).pending_webhooks, 1, 'failed attempt: still pending');
    let [d] = await deliveries(emu.url, stripe.secretKey, { event: ev.id });
    assert.equal(d.endpoint, we.id);
    assert.equal(d.status, 'pending');
    assert.equal(d.attempt_count, 1);
    assert.equal(d.attempts[0].status, 500);
    assert.ok(d.next_attempt_at > d.attempts[0].attempted_at, 'the retry is scheduled later');

    await flush(emu.url);
    assert.equal(rcv.requests.length, 1, 'a retry is not due at once');
    // Stripe's schedule (docs/webhooks.md): 5 min, then 30 min after the second failure.
    await advanceClock(emu.url, 300);
    await flush(emu.url);
    assert.equal(rcv.requests.length, 2);
    assert.equal((await stripe.events.retrieve(ev.id)).pending_webhooks, 1);
    await advanceClock(emu.url, 1800);
    await flush(emu.url);
    assert.equal(rcv.requests.length, 3);

    for (const rec of rcv.requests) assert.equal(verify(stripe, rec, we.secret).id, ev.id, 'the same event each time');
    assert.equal(rcv.requests[2].event.pending_webhooks, 1, 'the successful attempt still counts itself');
    assert.equal((await stripe.events.retrieve(ev.id)).pending_webhooks, 0, 'delivered: 0 pending');
    [d] = await deliveries(emu.url, stripe.secretKey, { event: ev.id });
    assert.equal(d.status, 'succeeded');
    assert.equal(d.attempt_count, 3);
    assert.equal(d.next_attempt_at, null);
    assert.deepEqual(d.attempts.map((a) => a.status), [500, 500, 200]);
    const at = d.attempts.map((a) => a.attempted_at);
    assert.deepEqual([at[1] - at[0], at[2] - at[1]], [300, 1800]);
    for (const a of d.attempts) {
      assert.equal(typeof a.duration_ms, 'number');
      assert.deepEqual(a.faults, []);
    }
    assert.match(d.attempts[2].response_body, /received/);
    await flush(emu.url);
    await advanceClock(emu.url, 86_400);
    await flush(emu.url);
    assert.equal(rcv.requests.length, 3, 'nothing more after success');
  });

  test('a refused connection is a failed attempt, logged with an error', async (t) => {
    const { stripe, rcv } = await setup(t);
    const we = await stripe.endpoint({ enabled_events: ['customer.created'] });
    await rcv.close();
    await stripe.customers.create();
    await flush(emu.url);
    const [d] = await deliveries(emu.url, stripe.secretKey, { endpoint: we.id });
    assert.equal(d.status, 'pending');
    assert.equal(d.attempts.length, 1);
    assert.equal(d.attempts[0].status, null);
    assert.equal(typeof d.attempts[0].error, 'string');
    assert.ok(d.attempts[0].error.length > 0);
    await rcv.listen();
    await advanceClock(emu.url, 300);
    await flush(emu.url);
    assert.equal(rcv.requests.length, 1);
    assert.equal(verify(stripe, rcv.requests[0], we.secret).id, d.event);
    assert.equal((await deliveries(emu.url, stripe.secretKey, { endpoint: we.id }))[0].status, 'succeeded');
  });
});

describe('auto dispatch (the run.mjs server, default options)', () => {
  test('deliveries go out without a flush', async (t) => {
    const stripe = newClient({}, BASE_URL);
    const rcv = await startReceiver();
    const we = await stripe.webhookEndpoints.create({ url: rcv.url, enabled_events: ['customer.created'] });
    t.after(async () => {
      await stripe.webhookEndpoints.del(we.id).catch(() => {});
      await rcv.close();
    });
    const cus = await stripe.customers.create();
    await rcv.waitFor(1, 10_000);
    const ev = verify(stripe, rcv.requests[0], we.secret);
    assert.equal(ev.type, 'customer.created');
    assert.equal(ev.data.object.id, cus.id);
  });
});
