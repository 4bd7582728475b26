// Webhook deliveries survive kill -9: a file-backed emulator (--db in a temp dir, default options: real-time
// clock, automatic dispatch, Stripe's retry schedule) records events and their deliveries in one commit, so
// after a crash and restart on the same database every event recorded before the kill is still delivered.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { clientFor, randomSuffix, startEmulator } from './helpers.mjs';
import { advanceClock, allEvents, deliveries, flush, freePort, receiver } from './webhook_helpers.mjs';

async function until(what, fn, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await fn()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function fileBacked(t) {
  const dir = mkdtempSync(join(tmpdir(), 'mp-webhooks-'));
  const db = join(dir, 'mockprocessor.db');
  const running = [];
  t.after(async () => {
    for (const e of running) await e.kill9();
    rmSync(dir, { recursive: true, force: true });
  });
  return async () => {
    const e = await startEmulator({ args: ['--db', db, '--log-level', 'Warning'] });
    running.push(e);
    return e;
  };
}

test('kill -9 with the receiver down: after restart every event recorded before the kill is delivered', async (t) => {
  const start = fileBacked(t);
  const key = `sk_test_${randomSuffix()}`;
  let emu = await start();
  let stripe = clientFor(key, {}, emu.url);
  const rcv = receiver({ port: await freePort() }); // not listening yet: connection refused
  t.after(() => rcv.close().catch(() => {}));
  const we = await stripe.webhookEndpoints.create({ url: rcv.url, enabled_events: ['*'] });

  const pi = await stripe.paymentIntents.create({
    amount: 3000, currency: 'usd', allowed_payment_method_types: ['card'], payment_method: 'pm_card_visa', confirm: true,
  });
  // The first attempts fail (refused) and are rescheduled 5 minutes later...
  await until('first attempts', async () => {
    const log = await deliveries(emu.url, key);
    return log.length > 0 && log.every((d) => d.attempt_count >= 1);
  });
  const refused = await deliveries(emu.url, key);
  for (const d of refused) {
    assert.equal(d.status, 'pending');
    assert.equal(d.attempts[0].status, null, 'no HTTP status: the connection was refused');
  }
  // ...and these are killed before or during their first attempt.
  await stripe.refunds.create({ payment_intent: pi.id, amount: 1000 });
  await stripe.customers.create({ email: 'crash@example.com' });
  const before = await allEvents(stripe);
  assert.ok(before.length >= 5, `events before the kill: ${before.map((e) => e.type)}`);
  await emu.kill9();

  await rcv.listen();
  emu = await start();
  stripe = clientFor(key, {}, emu.url);
  const afterRestart = await allEvents(stripe);
  assert.deepEqual(afterRestart.map((e) => e.id).sort(), before.map((e) => e.id).sort(), 'the events survived');
  // The retries are due 5 minutes (virtual) after the refusals.
  await advanceClock(emu.url, 3600);
  await flush(emu.url);

  const got = new Map();
  for (const rec of rcv.requests) {
    const ev = stripe.webhooks.constructEvent(rec.body, rec.headers['stripe-signature'], we.secret);
    got.set(ev.id, ev);
  }
  assert.deepEqual([...got.keys()].sort(), before.map((e) => e.id).sort(), 'every event recorded before the kill arrived');
  for (const e of before) assert.equal(got.get(e.id).type, e.type);
  const log = await deliveries(emu.url, key);
  assert.equal(log.length, before.length, 'one delivery per event');
  for (const d of log) assert.equal(d.status, 'succeeded', `${d.event_type}: ${JSON.stringify(d.attempts)}`);
  for (const e of await allEvents(stripe)) assert.equal(e.pending_webhooks, 0);
});

test('kill -9 during an attempt: the delivery stays pending and is sent again after restart', async (t) => {
  const start = fileBacked(t);
  const key = `sk_test_${randomSuffix()}`;
  let emu = await start();
  let stripe = clientFor(key, {}, emu.url);
  const port = await freePort();
  // First life: the receiver takes the request and never answers.
  const stuck = [];
  const hang = createServer((req) => stuck.push(req));
  await new Promise((r) => hang.listen(port, '127.0.0.1', r));
  const url = `http://127.0.0.1:${port}/webhooks`;
  const we = await stripe.webhookEndpoints.create({ url, enabled_events: ['customer.created'] });
  const cus = await stripe.customers.create();
  await until('the attempt to reach the receiver', async () => stuck.length === 1);
  await emu.kill9();
  hang.closeAllConnections();
  await new Promise((r) => hang.close(r));

  const rcv = receiver({ port });
  await rcv.listen();
  t.after(() => rcv.close());
  emu = await start();
  stripe = clientFor(key, {}, emu.url);
  await until('the resend after restart', async () => rcv.requests.length >= 1);
  await flush(emu.url);
  const ev = stripe.webhooks.constructEvent(rcv.requests[0].body, rcv.requests[0].headers['stripe-signature'], we.secret);
  assert.equal(ev.data.object.id, cus.id);
  const [d] = await deliveries(emu.url, key);
  assert.equal(d.status, 'succeeded');
  assert.equal(d.attempts.at(-1).status, 200);
});
