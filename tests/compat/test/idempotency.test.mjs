// Idempotency-Key semantics as the SDK exercises them: replay, mismatch, concurrency.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import { expectStripeError, newClient, raw } from './helpers.mjs';

describe('idempotency', () => {
  test('same key and params → same object, replay is flagged, only one object exists', async () => {
    const stripe = newClient();
    const idempotencyKey = randomUUID();
    const params = { email: 'idem@example.com', metadata: { n: '1' } };
    const first = await stripe.customers.create(params, { idempotencyKey });
    const second = await stripe.customers.create(params, { idempotencyKey });

    assert.equal(second.id, first.id);
    assert.deepEqual({ ...second }, { ...first }, 'the replayed body is identical');
    assert.notEqual(first.lastResponse.headers['idempotent-replayed'], 'true');
    assert.equal(second.lastResponse.headers['idempotent-replayed'], 'true');
    assert.equal(second.lastResponse.idempotencyKey, idempotencyKey, 'Idempotency-Key is echoed');
    assert.notEqual(second.lastResponse.requestId, first.lastResponse.requestId);

    const list = await stripe.customers.list();
    assert.deepEqual(list.data.map((c) => c.id), [first.id]);
  });

  test('parameter order does not matter for the comparison', async () => {
    const stripe = newClient();
    const key = randomUUID();
    const a = await raw('POST', '/v1/customers', {
      key: stripe.secretKey,
      headers: { 'Idempotency-Key': key },
      body: 'name=Order&email=order%40example.com&metadata[a]=1&metadata[b]=2',
    });
    const b = await raw('POST', '/v1/customers', {
      key: stripe.secretKey,
      headers: { 'Idempotency-Key': key },
      body: 'metadata[b]=2&email=order%40example.com&metadata[a]=1&name=Order',
    });
    assert.equal(a.status, 200, a.text);
    assert.equal(b.status, 200, b.text);
    assert.equal(b.json.id, a.json.id);
    assert.equal(b.headers.get('idempotent-replayed'), 'true');
  });

  test('same key with different params → 400 StripeIdempotencyError', async () => {
    const stripe = newClient();
    const idempotencyKey = randomUUID();
    const first = await stripe.customers.create({ email: 'one@example.com' }, { idempotencyKey });
    const err = await expectStripeError(
      stripe.customers.create({ email: 'two@example.com' }, { idempotencyKey }),
      { type: 'StripeIdempotencyError', rawType: 'idempotency_error', statusCode: 400 },
    );
    assert.match(err.message, /idempoten|same parameters/i);
    const list = await stripe.customers.list();
    assert.deepEqual(list.data.map((c) => c.id), [first.id]);
  });

  test('same key on a different endpoint is a mismatch', async () => {
    const stripe = newClient();
    const idempotencyKey = randomUUID();
    await stripe.customers.create({ name: 'x' }, { idempotencyKey });
    await expectStripeError(
      stripe.paymentMethods.create({ type: 'card', card: { token: 'tok_visa' } }, { idempotencyKey }),
      { type: 'StripeIdempotencyError', statusCode: 400 },
    );
  });

  test('keys are scoped to the API key: two merchants may use the same key', async () => {
    const a = newClient();
    const b = newClient();
    const idempotencyKey = randomUUID();
    const ca = await a.customers.create({ name: 'A' }, { idempotencyKey });
    const cb = await b.customers.create({ name: 'B' }, { idempotencyKey });
    assert.notEqual(ca.id, cb.id);
    assert.equal(cb.name, 'B');
    assert.notEqual(cb.lastResponse.headers['idempotent-replayed'], 'true');
  });

  test('Idempotency-Key on GET has no effect', async () => {
    const stripe = newClient();
    const key = randomUUID();
    const before = await raw('GET', '/v1/customers', { key: stripe.secretKey, headers: { 'Idempotency-Key': key } });
    assert.equal(before.status, 200);
    assert.equal(before.json.data.length, 0);
    await stripe.customers.create();
    const after = await raw('GET', '/v1/customers', { key: stripe.secretKey, headers: { 'Idempotency-Key': key } });
    assert.equal(after.status, 200);
    assert.equal(after.json.data.length, 1);
    assert.notEqual(after.headers.get('idempotent-replayed'), 'true');
  });

  test('POSTs without a caller-chosen key each create a new object', async () => {
    // stripe-node 23 sends a fresh `stripe-node-retry-<uuid>` key on every POST (as Stripe.net
    // does), so identical bodies must still create distinct objects.
    const stripe = newClient();
    const a = await stripe.customers.create({ name: 'same' });
    const b = await stripe.customers.create({ name: 'same' });
    assert.notEqual(a.id, b.id);
    assert.equal((await stripe.customers.list()).data.length, 2);
  });

  test('20 concurrent creates with one key → exactly one customer', async () => {
    // 409 idempotency_key_in_use is retryable; the SDK retries it with the same key.
    const stripe = newClient({ maxNetworkRetries: 3 });
    const idempotencyKey = randomUUID();
    const params = { email: 'race@example.com', name: 'Race' };
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, () => stripe.customers.create(params, { idempotencyKey })),
    );
    const ok = results.filter((r) => r.status === 'fulfilled').map((r) => r.value);
    const failed = results.filter((r) => r.status === 'rejected').map((r) => r.reason);
    for (const err of failed) {
      // Anything other than a lingering 409 conflict is a bug.
      assert.equal(err.statusCode, 409, `unexpected failure: ${err.type} ${err.statusCode} ${err.message}`);
      assert.equal(err.code, 'idempotency_key_in_use');
    }
    assert.ok(ok.length >= 1, 'at least one call succeeded');
    const idSet = new Set(ok.map((c) => c.id));
    assert.equal(idSet.size, 1, `all successful calls return the same id, got ${[...idSet]}`);

    const list = await stripe.customers.list({ limit: 100 });
    assert.equal(list.data.length, 1);
    assert.equal(list.data[0].id, [...idSet][0]);
  });
});
