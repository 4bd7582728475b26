// --rate-limit (docs/rate-limits.md) as stripe-node meets it, against an emulator of this file's own started with
// a bare `--rate-limit` (Stripe's test-mode limits: 25 requests a second per account). Over the limit the SDK
// gets Stripe's 429 (StripeRateLimitError, code rate_limit, Stripe-Rate-Limited-Reason) and, as with real Stripe,
// does not retry it on its own (no Stripe-Should-Retry); a request refused executes nothing, so the caller's
// retry with the same Idempotency-Key runs for real once the bucket has refilled.
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, test } from 'node:test';
import { expectStripeError, newClient, randomSuffix, startEmulator } from './helpers.mjs';

// As in faults.test.mjs: the clients share an agent whose sockets are destroyed when the file is done.
const agent = new http.Agent({ keepAlive: true });
let emu;
before(async () => {
  emu = await startEmulator({ args: ['--in-memory', '--rate-limit'] });
});
after(async () => {
  agent.destroy();
  await emu?.stop();
});

// Retries like production code (maxNetworkRetries: 2) and records every attempt ('request' fires once per attempt).
function retryingClient() {
  const stripe = newClient({ maxNetworkRetries: 2, httpAgent: agent }, emu.url);
  stripe.attempts = [];
  stripe.on('request', (e) => stripe.attempts.push(e));
  return stripe;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

describe('rate limits (--rate-limit)', () => {
  test('a burst over 25 a second gets 429 rate_limit with its reason header, and the SDK does not retry it', async () => {
    const stripe = retryingClient();
    const burst = 60;
    const results = await Promise.allSettled(Array.from({ length: burst }, () => stripe.customers.list({ limit: 1 })));
    const ok = results.filter((r) => r.status === 'fulfilled').length;
    const refused = results.filter((r) => r.status === 'rejected').map((r) => r.reason);
    assert.ok(ok >= 25, `a second's worth (25) gets through at once, got ${ok}`);
    assert.ok(refused.length > 0, 'the rest of the burst is refused');
    for (const err of refused) {
      await expectStripeError(Promise.reject(err), {
        type: 'StripeRateLimitError', rawType: 'invalid_request_error', code: 'rate_limit', statusCode: 429,
        message: /^Request rate limit exceeded\./,
      });
      assert.equal(err.headers['stripe-rate-limited-reason'], 'global-rate');
      assert.equal(err.headers['stripe-should-retry'], undefined);
    }
    assert.equal(stripe.attempts.length, burst, 'one attempt per call: a rate-limited request is not retried by the SDK');
  });

  test('a refused create stores nothing; the same key succeeds for real once the bucket refills', async () => {
    const stripe = retryingClient();
    // Drain the bucket (until a list is refused), then create at once: at 25 a second a token takes 40 ms to come back.
    // Should the create slip through anyway (a very slow machine), it is tried again under a new key.
    let key, email, err;
    for (let tries = 0; tries < 5 && !err; tries++) {
      for (;;) {
        try { await stripe.customers.list({ limit: 1 }); } catch (e) { if (e.statusCode === 429) break; throw e; }
      }
      key = `signup-${randomSuffix()}`;
      email = `${key}@example.com`;
      try { await stripe.customers.create({ email }, { idempotencyKey: key }); } catch (e) { err = e; }
    }
    assert.ok(err, 'a create was refused');
    await expectStripeError(Promise.reject(err), { type: 'StripeRateLimitError', code: 'rate_limit', statusCode: 429 });

    await sleep(200);
    const customer = await stripe.customers.create({ email }, { idempotencyKey: key });
    assert.equal(customer.email, email);
    assert.notEqual(customer.lastResponse.headers['idempotent-replayed'], 'true', 'the 429 was not stored under the key');
    await sleep(100);
    const list = await stripe.customers.list({ email });
    assert.deepEqual(list.data.map((c) => c.id), [customer.id]);
  });

  test('another merchant is not limited by this one', async () => {
    const busy = retryingClient();
    await Promise.allSettled(Array.from({ length: 40 }, () => busy.balance.retrieve()));
    const quiet = retryingClient();
    const balance = await quiet.balance.retrieve();
    assert.equal(balance.object, 'balance');
  });
});
