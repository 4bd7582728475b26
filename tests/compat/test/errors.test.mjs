// Error shapes and wire-level behaviour: parameter validation, auth, routing, headers, encoding.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { assertJsonError, clientFor, expectStripeError, newClient, randomSuffix, raw } from './helpers.mjs';

describe('parameter validation', () => {
  test('unknown parameter → 400 parameter_unknown naming the parameter', async () => {
    const stripe = newClient();
    const err = await expectStripeError(stripe.customers.create({ favourite_colour: 'blue' }), {
      type: 'StripeInvalidRequestError',
      rawType: 'invalid_request_error',
      statusCode: 400,
      code: 'parameter_unknown',
      param: 'favourite_colour',
    });
    assert.match(err.message, /favourite_colour/);
    assert.equal(err.raw.type, 'invalid_request_error');
    assert.equal(err.raw.code, 'parameter_unknown');
  });

  test('unknown nested parameter names the full bracket path', async () => {
    const stripe = newClient();
    await expectStripeError(stripe.customers.create({ address: { city: 'Paris', planet: 'Mars' } }), {
      statusCode: 400,
      code: 'parameter_unknown',
      param: 'address[planet]',
    });
  });

  test('missing required parameter → 400 parameter_missing', async () => {
    const stripe = newClient();
    const err = await expectStripeError(stripe.paymentMethods.create({}), {
      type: 'StripeInvalidRequestError',
      statusCode: 400,
      code: 'parameter_missing',
      param: 'type',
    });
    assert.match(err.message, /type/);
  });

  test('non-integer limit → 400 parameter_invalid_integer', async () => {
    const stripe = newClient();
    await expectStripeError(stripe.customers.list({ limit: 'abc' }), {
      type: 'StripeInvalidRequestError',
      statusCode: 400,
      code: 'parameter_invalid_integer',
      param: 'limit',
    });
  });

  test('limit must be between 1 and 100', async () => {
    const stripe = newClient();
    for (const limit of [0, 101, -1]) {
      await expectStripeError(stripe.customers.list({ limit }), {
        type: 'StripeInvalidRequestError',
        statusCode: 400,
        param: 'limit',
      });
    }
    const ok = await stripe.customers.list({ limit: 100 });
    assert.equal(ok.object, 'list');
    const one = await stripe.customers.list({ limit: 1 });
    assert.equal(one.object, 'list');
  });

  test('starting_after and ending_before together are rejected', async () => {
    const stripe = newClient();
    const c = await stripe.customers.create();
    await expectStripeError(stripe.customers.list({ starting_after: c.id, ending_before: c.id }), {
      type: 'StripeInvalidRequestError',
      statusCode: 400,
    });
  });

  test('unknown id → 404 resource_missing with param id', async () => {
    const stripe = newClient();
    const err = await expectStripeError(stripe.paymentMethods.retrieve('pm_doesnotexist'), {
      type: 'StripeInvalidRequestError',
      statusCode: 404,
      code: 'resource_missing',
      param: 'id',
    });
    assert.match(err.message, /pm_doesnotexist/);
    assert.match(err.raw.doc_url ?? '', /resource-missing/);
  });
});

describe('metadata limits', () => {
  const many = (n) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, 'v']));

  test('50 keys, 40-char keys and 500-char values are accepted', async () => {
    const stripe = newClient();
    const c = await stripe.customers.create({ metadata: many(50) });
    assert.equal(Object.keys(c.metadata).length, 50);
    const key40 = 'k'.repeat(40);
    const clearAll = Object.fromEntries(Object.keys(many(50)).map((k) => [k, '']));
    const u = await stripe.customers.update(c.id, { metadata: { ...clearAll, [key40]: 'x'.repeat(500) } });
    assert.deepEqual(u.metadata, { [key40]: 'x'.repeat(500) });
  });

  for (const [name, metadata] of [
    ['51 keys', many(51)],
    ['a 41-character key', { ['k'.repeat(41)]: 'v' }],
    ['a 501-character value', { k: 'v'.repeat(501) }],
  ]) {
    test(`${name} → 400 invalid_request_error on metadata`, async () => {
      const stripe = newClient();
      const err = await expectStripeError(stripe.customers.create({ metadata }), {
        type: 'StripeInvalidRequestError',
        rawType: 'invalid_request_error',
        statusCode: 400,
        param: /^metadata/,
      });
      assert.ok(err.message.length > 0);
    });
  }

  test('updating past 50 keys in total is rejected too', async () => {
    const stripe = newClient();
    const c = await stripe.customers.create({ metadata: many(50) });
    await expectStripeError(stripe.customers.update(c.id, { metadata: { extra: 'v' } }), {
      statusCode: 400,
      param: /^metadata/,
    });
  });
});

describe('authentication', () => {
  test('no API key → 401 with a JSON error', async () => {
    const res = await raw('GET', '/v1/customers');
    const error = assertJsonError(res, 401);
    assert.match(error.message, /API key/i);
    assert.match(res.headers.get('request-id') ?? '', /^req_/);
  });

  test('a live key is rejected → StripeAuthenticationError', async () => {
    const stripe = clientFor(`sk_live_${randomSuffix()}`);
    await expectStripeError(stripe.customers.list(), {
      type: 'StripeAuthenticationError',
      statusCode: 401,
    });
  });

  test('a malformed key is rejected with 401 and a masked key in the message', async () => {
    const stripe = clientFor('not_a_key_abcd1234');
    const err = await expectStripeError(stripe.customers.list(), {
      type: 'StripeAuthenticationError',
      statusCode: 401,
      rawType: 'invalid_request_error',
    });
    assert.doesNotMatch(err.message, /not_a_key_abcd1234/, 'the full key is not echoed back');
  });

  test('Basic auth with the key as user name works (curl -u sk_test_...:)', async () => {
    const key = `sk_test_${randomSuffix()}`;
    const auth = `Basic ${Buffer.from(`${key}:`).toString('base64')}`;
    const created = await raw('POST', '/v1/customers', { auth, body: { email: 'basic@example.com' } });
    assert.equal(created.status, 200, created.text);
    assert.equal(created.json.object, 'customer');
    // Same merchant whether the key comes via Basic or Bearer.
    const got = await clientFor(key).customers.retrieve(created.json.id);
    assert.equal(got.email, 'basic@example.com');
  });
});

describe('routing and headers', () => {
  test('unknown route → 404 with a JSON error body', async () => {
    const stripe = newClient();
    const res = await raw('GET', '/v1/no_such_resource', { key: stripe.secretKey });
    const error = assertJsonError(res, 404);
    assert.match(error.message, /Unrecognized request URL/);
    assert.match(res.headers.get('content-type') ?? '', /application\/json/);
  });

  test('wrong method on a known path → 405 with a JSON error body', async () => {
    const stripe = newClient();
    const res = await raw('PUT', '/v1/customers', { key: stripe.secretKey, body: { name: 'x' } });
    assertJsonError(res, 405);
  });

  test('every response carries a Request-Id starting with req_', async () => {
    const stripe = newClient();
    const key = stripe.secretKey;
    const responses = [
      await raw('GET', '/v1/customers', { key }),
      await raw('POST', '/v1/customers', { key, body: { name: 'r' } }),
      await raw('POST', '/v1/customers', { key, body: { bogus: '1' } }),
      await raw('GET', '/v1/customers/cus_missing', { key }),
      await raw('GET', '/v1/customers'),
      await raw('GET', '/v1/nowhere', { key }),
      await raw('PUT', '/v1/customers', { key }),
    ];
    const expectedStatuses = [200, 200, 400, 404, 401, 404, 405];
    assert.deepEqual(responses.map((r) => r.status), expectedStatuses);
    const idsSeen = responses.map((r) => r.headers.get('request-id'));
    for (const id of idsSeen) assert.match(id ?? '', /^req_[A-Za-z0-9]+$/);
    assert.equal(new Set(idsSeen).size, idsSeen.length, 'request ids are unique');
    const c = await stripe.customers.create();
    assert.match(c.lastResponse.requestId, /^req_/);
  });

  test("the SDK's pinned Stripe-Version and other versions are accepted", async () => {
    const pinned = newClient();
    const c = await pinned.customers.create({ name: 'pinned' });
    assert.equal(c.object, 'customer');
    const old = newClient({ apiVersion: '2020-08-27' });
    const c2 = await old.customers.create({ name: 'dated' });
    assert.equal(c2.object, 'customer');
    const train = await raw('GET', '/v1/customers', {
      key: pinned.secretKey,
      headers: { 'Stripe-Version': '2026-07-29.dahlia' },
    });
    assert.equal(train.status, 200);
  });

  test('a doubled slash before v1 is tolerated', async () => {
    const stripe = newClient();
    const res = await raw('GET', '//v1/customers', { key: stripe.secretKey });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.object, 'list');
  });
});

describe('form encoding', () => {
  test('percent-encoded brackets decode like literal ones', async () => {
    const stripe = newClient();
    const res = await raw('POST', '/v1/customers', {
      key: stripe.secretKey,
      body: 'metadata%5Border_id%5D=6735&name=Encoded+Name',
    });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.json.metadata, { order_id: '6735' });
    assert.equal(res.json.name, 'Encoded Name');
  });

  test('bad percent-encoding → 400, not 500', async () => {
    const stripe = newClient();
    const res = await raw('POST', '/v1/customers', { key: stripe.secretKey, body: 'name=%zz&email=%' });
    assertJsonError(res, 400);
  });

  test('absurdly deep bracket nesting → 400, not 500', async () => {
    const stripe = newClient();
    const deep = `metadata${'[a]'.repeat(2000)}=v`;
    const res = await raw('POST', '/v1/customers', { key: stripe.secretKey, body: deep });
    assertJsonError(res, 400);
    const unbalanced = await raw('POST', '/v1/customers', { key: stripe.secretKey, body: 'metadata[[[[x=1' });
    assertJsonError(unbalanced, 400);
  });

  test('bad query-string encoding on GET → 400, not 500', async () => {
    const stripe = newClient();
    const res = await raw('GET', '/v1/customers', { key: stripe.secretKey, query: 'limit=%zz' });
    assertJsonError(res, 400);
  });
});
