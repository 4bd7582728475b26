// HTTP fault injection (/_mock/faults, docs/faults.md) as stripe-node's retry logic meets it: a transient
// 500 or a 429 that says Stripe-Should-Retry: true is survived with maxNetworkRetries, a lost response
// (apply_then_fail) is made whole by the SDK's same-key retry (exactly one payment), and
// Stripe-Should-Retry: false stops the SDK. Every attempt is counted through the SDK's 'request' event
// and checked against the rule's `fired` count, so a test cannot pass without the fault having fired.
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, describe, test } from 'node:test';
import { expectStripeError, newClient, raw } from './helpers.mjs';

// stripe-node 23.1.0 retries a non-2xx answer without reading its body, so that socket stays busy until
// the request's 80 s timeout and keeps the test process alive; the retrying clients share an agent whose
// sockets are destroyed when the file is done. (A client-side trait, real Stripe included.)
const agent = new http.Agent({ keepAlive: true });
after(() => agent.destroy());

// A client that retries like production code (stripe-node's default is 1; these tests use 2) and
// records the attempts it makes: stripe-node emits 'request' once per attempt, retries included.
function retryingClient() {
  const stripe = newClient({ maxNetworkRetries: 2, httpAgent: agent });
  stripe.attempts = [];
  stripe.on('request', (e) => stripe.attempts.push(e));
  return stripe;
}

async function addFault(stripe, params) {
  const res = await raw('POST', '/_mock/faults', { key: stripe.secretKey, body: params });
  assert.equal(res.status, 200, res.text);
  assert.match(res.json.id, /^fault_/);
  return res.json;
}

async function fault(stripe, id) {
  const res = await raw('GET', `/_mock/faults/${id}`, { key: stripe.secretKey });
  assert.equal(res.status, 200, res.text);
  return res.json;
}

const payment = {
  amount: 2000,
  currency: 'usd',
  confirm: true,
  payment_method: 'pm_card_visa',
  allowed_payment_method_types: ['card'],
};

describe('HTTP fault injection', () => {
  test('the control API lists, counts and deletes rules in the Stripe error envelope', async () => {
    const stripe = newClient();
    const rule = await addFault(stripe, { method: 'POST', path: '/v1/payment_intents*', kind: 'api_error', count: 2 });
    assert.equal(rule.object, 'mock.fault_rule');
    assert.equal(rule.remaining, 2);
    const list = await raw('GET', '/_mock/faults', { key: stripe.secretKey });
    assert.deepEqual(list.json.data.map((r) => r.id), [rule.id]);
    const bad = await raw('POST', '/_mock/faults', { key: stripe.secretKey, body: { path: '/v1/customers', kind: 'meteor' } });
    assert.equal(bad.status, 400);
    assert.equal(bad.json.error.type, 'invalid_request_error');
    assert.equal(bad.json.error.param, 'kind');
    const del = await raw('DELETE', `/_mock/faults/${rule.id}`, { key: stripe.secretKey });
    assert.equal(del.json.deleted, true);
    const none = await raw('GET', '/_mock/faults', { key: stripe.secretKey });
    assert.deepEqual(none.json.data, []);
  });

  test('maxNetworkRetries: 2 survives one injected 500 (same Idempotency-Key on the retry)', async () => {
    const stripe = retryingClient();
    const rule = await addFault(stripe, { method: 'POST', path: '/v1/customers', kind: 'api_error' });
    const customer = await stripe.customers.create({ email: 'retry@example.com' });
    assert.match(customer.id, /^cus_/);
    assert.equal((await fault(stripe, rule.id)).fired, 1);
    assert.equal(stripe.attempts.length, 2, 'one failed attempt, one retry');
    assert.equal(stripe.attempts[0].idempotency_key, stripe.attempts[1].idempotency_key);
    // The injected 500 stored nothing, so the retry executed for real rather than replaying a failure.
    assert.notEqual(customer.lastResponse.headers['idempotent-replayed'], 'true');
    const list = await stripe.customers.list();
    assert.deepEqual(list.data.map((c) => c.id), [customer.id]);
  });

  test('a 429 rate_limit with Stripe-Should-Retry: true is retried; without it the SDK reports it', async () => {
    const stripe = retryingClient();
    const told = await addFault(stripe, { path: '/v1/customers', kind: 'rate_limit', should_retry: true });
    const customer = await stripe.customers.create({ email: 'rate@example.com' });
    assert.match(customer.id, /^cus_/);
    assert.equal((await fault(stripe, told.id)).fired, 1);
    assert.equal(stripe.attempts.length, 2);

    stripe.attempts.length = 0;
    const plain = await addFault(stripe, { path: '/v1/customers', kind: 'rate_limit' });
    await expectStripeError(stripe.customers.create({ email: 'rate2@example.com' }), {
      type: 'StripeRateLimitError', rawType: 'invalid_request_error', code: 'rate_limit', statusCode: 429,
    });
    assert.equal((await fault(stripe, plain.id)).fired, 1);
    assert.equal(stripe.attempts.length, 1, 'a 429 without Stripe-Should-Retry is not retried');
    assert.equal((await stripe.customers.list()).data.length, 1);
  });

  test('a 503 is retried like any 5xx', async () => {
    const stripe = retryingClient();
    const rule = await addFault(stripe, { method: 'GET', path: '/v1/balance', kind: 'service_unavailable' });
    const balance = await stripe.balance.retrieve();
    assert.equal(balance.object, 'balance');
    assert.equal((await fault(stripe, rule.id)).fired, 1);
    assert.equal(stripe.attempts.length, 2);
  });

  test('Stripe-Should-Retry: false stops the SDK from retrying a 500', async () => {
    const stripe = retryingClient();
    // count 1: had the SDK retried, the retry would have succeeded and the create resolved.
    const rule = await addFault(stripe, { path: '/v1/customers', kind: 'api_error', should_retry: false });
    const err = await expectStripeError(stripe.customers.create({ email: 'no-retry@example.com' }), {
      type: 'StripeAPIError', rawType: 'api_error', statusCode: 500,
    });
    assert.match(err.message, new RegExp(rule.id));
    assert.equal(stripe.attempts.length, 1);
    assert.equal((await fault(stripe, rule.id)).fired, 1);
    assert.equal((await stripe.customers.list()).data.length, 0, 'an injected error changes nothing');
  });

  test('lost response (apply_then_fail): the SDK retry replays the payment, exactly one PaymentIntent and charge', async () => {
    const stripe = retryingClient();
    const rule = await addFault(stripe, { method: 'POST', path: '/v1/payment_intents', kind: 'apply_then_fail' });
    const pi = await stripe.paymentIntents.create(payment);
    assert.equal(pi.status, 'succeeded');
    assert.equal((await fault(stripe, rule.id)).fired, 1);
    assert.equal(stripe.attempts.length, 2);
    assert.equal(stripe.attempts[0].idempotency_key, stripe.attempts[1].idempotency_key);
    assert.equal(pi.lastResponse.headers['idempotent-replayed'], 'true', 'the retry is answered from the stored result');

    const intents = await stripe.paymentIntents.list();
    assert.deepEqual(intents.data.map((p) => p.id), [pi.id]);
    const charges = await stripe.charges.list();
    assert.deepEqual(charges.data.map((c) => c.id), [pi.latest_charge]);
  });

  test('lost response by dropped connection (apply_then_disconnect): one charge after the SDK retry', async () => {
    const stripe = retryingClient();
    const rule = await addFault(stripe, { method: 'POST', path: '/v1/charges', kind: 'apply_then_disconnect' });
    const charge = await stripe.charges.create({ amount: 1500, currency: 'usd', source: 'tok_visa' });
    assert.equal(charge.status, 'succeeded');
    assert.equal((await fault(stripe, rule.id)).fired, 1);
    assert.equal(stripe.attempts.length, 2);
    assert.equal(charge.lastResponse.headers['idempotent-replayed'], 'true');
    const charges = await stripe.charges.list();
    assert.deepEqual(charges.data.map((c) => c.id), [charge.id]);
  });

  test('a dropped connection before execution is retried and creates one object', async () => {
    const stripe = retryingClient();
    const rule = await addFault(stripe, { method: 'POST', path: '/v1/customers', kind: 'disconnect' });
    const customer = await stripe.customers.create({ email: 'drop@example.com' });
    assert.equal((await fault(stripe, rule.id)).fired, 1);
    assert.equal(stripe.attempts.length, 2);
    assert.notEqual(customer.lastResponse.headers['idempotent-replayed'], 'true');
    assert.deepEqual((await stripe.customers.list()).data.map((c) => c.id), [customer.id]);
  });

  test('a seeded percentage fails the same requests in two runs', async () => {
    const stripe = newClient();
    const run = async () => {
      const rule = await addFault(stripe, { method: 'GET', path: '/v1/customers', kind: 'api_error', percentage: 40, seed: 99 });
      let pattern = '';
      for (let i = 0; i < 25; i++) {
        const res = await raw('GET', '/v1/customers', { key: stripe.secretKey });
        pattern += res.status === 500 ? 'X' : '.';
      }
      await raw('DELETE', `/_mock/faults/${rule.id}`, { key: stripe.secretKey });
      return pattern;
    };
    const first = await run();
    assert.equal(await run(), first);
    assert.match(first, /X/);
    assert.match(first, /\./);
  });
});
