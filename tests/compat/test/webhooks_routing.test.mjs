// Which endpoints get which events: enabled_events filtering and updates, disabling and deleting endpoints
// (pending retries canceled), and resend through the control API. Private emulator with a manual clock and
// manual dispatch, as in webhooks.test.mjs.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { expectStripeError, newClient, startEmulator } from './helpers.mjs';
import {
  advanceClock,
  allEvents,
  deliveries,
  flush,
  MANUAL_EMULATOR,
  merchantWithReceiver,
  pay,
  resend,
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

describe('routing', () => {
  test('enabled_events: each endpoint gets exactly the types it asked for; update changes them', async (t) => {
    const { stripe } = await setup(t);
    const a = await startReceiver();
    const b = await startReceiver();
    t.after(() => Promise.all([a.close(), b.close()]));
    const weA = await stripe.endpoint({ url: a.url, enabled_events: ['payment_intent.succeeded'] });
    const weB = await stripe.endpoint({ url: b.url, enabled_events: ['charge.succeeded', 'payment_intent.created'] });
    const pi = await pay(stripe);
    await flush(emu.url);
    assert.deepEqual(a.requests.map((r) => verify(stripe, r, weA.secret).type), ['payment_intent.succeeded']);
    assert.deepEqual(b.requests.map((r) => verify(stripe, r, weB.secret).type).sort(), ['charge.succeeded', 'payment_intent.created']);
    assert.equal(a.requests[0].event.data.object.id, pi.id);

    const ev = (await allEvents(stripe)).find((e) => e.type === 'payment_intent.succeeded');
    const log = await deliveries(emu.url, stripe.secretKey, { event: ev.id });
    assert.deepEqual(log.map((d) => d.endpoint), [weA.id], 'no delivery is made to an endpoint that does not want it');

    const upd = await stripe.webhookEndpoints.update(weA.id, { enabled_events: ['customer.created'] });
    assert.deepEqual(upd.enabled_events, ['customer.created']);
    await pay(stripe);
    const cus = await stripe.customers.create();
    await flush(emu.url);
    assert.deepEqual(a.requests.map((r) => r.event.type), ['payment_intent.succeeded', 'customer.created']);
    assert.equal(a.requests[1].event.data.object.id, cus.id);
    assert.equal(b.requests.length, 4);
  });

  test('disabling an endpoint cancels its retries and stops deliveries; enabling resumes with new events', async (t) => {
    let status = 500;
    const { stripe, rcv } = await setup(t, () => status);
    const we = await stripe.endpoint({ enabled_events: ['customer.created'] });
    await stripe.customers.create();
    await flush(emu.url);
    assert.equal(rcv.requests.length, 1);
    const [ev] = (await stripe.events.list()).data;
    assert.equal(ev.pending_webhooks, 1);

    const off = await stripe.webhookEndpoints.update(we.id, { disabled: true });
    assert.equal(off.status, 'disabled');
    const [d] = await deliveries(emu.url, stripe.secretKey, { event: ev.id });
    assert.equal(d.status, 'canceled');
    assert.equal((await stripe.events.retrieve(ev.id)).pending_webhooks, 0);
    status = 200;
    await stripe.customers.create();
    await advanceClock(emu.url, 3600);
    await flush(emu.url);
    assert.equal(rcv.requests.length, 1, 'no retry and no new delivery while disabled');

    const on = await stripe.webhookEndpoints.update(we.id, { disabled: false });
    assert.equal(on.status, 'enabled');
    const c3 = await stripe.customers.create();
    await flush(emu.url);
    assert.equal(rcv.requests.length, 2, 'only the event made after re-enabling');
    assert.equal(verify(stripe, rcv.requests[1], we.secret).data.object.id, c3.id);
  });

  test('deleting an endpoint cancels its retries and stops deliveries', async (t) => {
    const { stripe, rcv } = await setup(t, () => 503);
    const we = await stripe.endpoint({ enabled_events: ['customer.created'] });
    await stripe.customers.create();
    await flush(emu.url);
    assert.equal(rcv.requests.length, 1);
    const del = await stripe.webhookEndpoints.del(we.id);
    assert.deepEqual(del, { ...del, id: we.id, object: 'webhook_endpoint', deleted: true });
    await expectStripeError(stripe.webhookEndpoints.retrieve(we.id), { statusCode: 404, code: 'resource_missing' });
    assert.equal((await stripe.webhookEndpoints.list()).data.length, 0);
    const [d] = await deliveries(emu.url, stripe.secretKey, { endpoint: we.id });
    assert.equal(d.status, 'canceled');
    await stripe.customers.create();
    await advanceClock(emu.url, 3600);
    await flush(emu.url);
    assert.equal(rcv.requests.length, 1);
  });

  test('resend through the control API delivers the event again as a new delivery', async (t) => {
    const { stripe, rcv } = await setup(t);
    const we = await stripe.endpoint({ enabled_events: ['customer.created'] });
    await stripe.customers.create();
    await flush(emu.url);
    assert.equal(rcv.requests.length, 1);
    const [ev] = (await stripe.events.list()).data;

    const res = await resend(emu.url, stripe.secretKey, ev.id, we.id);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.object, 'webhook_delivery');
    assert.equal(res.json.resend, true);
    assert.equal(res.json.event, ev.id);
    assert.equal(res.json.status, 'pending');
    await flush(emu.url);
    assert.equal(rcv.requests.length, 2);
    assert.equal(verify(stripe, rcv.requests[1], we.secret).id, ev.id);
    const log = await deliveries(emu.url, stripe.secretKey, { event: ev.id });
    assert.deepEqual(log.map((d) => [d.resend, d.status]).sort(), [[false, 'succeeded'], [true, 'succeeded']]);

    const missing = await resend(emu.url, stripe.secretKey, 'evt_nope', we.id);
    assert.equal(missing.status, 404, missing.text);
    assert.equal(missing.json.error.param, 'event');
    const other = newClient({}, emu.url);
    const foreign = await resend(emu.url, other.secretKey, ev.id, we.id);
    assert.equal(foreign.status, 404, 'another merchant cannot resend this event');
    await stripe.webhookEndpoints.update(we.id, { disabled: true });
    const disabled = await resend(emu.url, stripe.secretKey, ev.id, we.id);
    assert.equal(disabled.status, 400, disabled.text);
    assert.equal(disabled.json.error.param, 'endpoint');
  });
});

