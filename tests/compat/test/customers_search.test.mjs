// Customer search: query language, paging with next_page, errors.
// Real Stripe search is eventually consistent (<1 min); the emulator is expected to be immediate.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { expectStripeError, newClient } from './helpers.mjs';

const ids = (res) => res.data.map((c) => c.id).sort();

describe('customers search', () => {
  let stripe;
  let alice, bob, carol, dave;

  before(async () => {
    stripe = newClient();
    alice = await stripe.customers.create({
      email: 'alice@example.com',
      name: 'Alice Abcdef',
      phone: '+15550001',
      metadata: { plan: 'pro', region: 'eu' },
    });
    bob = await stripe.customers.create({
      email: 'bob@example.com',
      name: 'Bob Xabcx',
      metadata: { plan: 'free', region: 'eu' },
    });
    carol = await stripe.customers.create({
      email: 'carol@example.org',
      name: 'Carol Smith',
      metadata: { plan: 'pro', region: 'us' },
    });
    dave = await stripe.customers.create({ email: 'dave@example.org', name: 'Dave Jones' });
  });

  test('result shape', async () => {
    const res = await stripe.customers.search({ query: "email:'alice@example.com'" });
    assert.equal(res.object, 'search_result');
    assert.equal(res.url, '/v1/customers/search');
    assert.equal(res.has_more, false);
    assert.equal(res.next_page, null);
    assert.equal(res.data.length, 1);
    assert.equal(res.data[0].object, 'customer');
    assert.equal(res.data[0].id, alice.id);
  });

  test('exact email match with single or double quotes', async () => {
    assert.deepEqual(ids(await stripe.customers.search({ query: "email:'bob@example.com'" })), [bob.id]);
    assert.deepEqual(ids(await stripe.customers.search({ query: 'email:"bob@example.com"' })), [bob.id]);
    assert.deepEqual(ids(await stripe.customers.search({ query: "email:'zed@example.com'" })), []);
  });

  test('substring match with ~', async () => {
    const res = await stripe.customers.search({ query: "name~'abc'" });
    assert.deepEqual(ids(res), [alice.id, bob.id].sort());
  });

  test('metadata match', async () => {
    const pro = await stripe.customers.search({ query: "metadata['plan']:'pro'" });
    assert.deepEqual(ids(pro), [alice.id, carol.id].sort());
    const dq = await stripe.customers.search({ query: 'metadata["region"]:"eu"' });
    assert.deepEqual(ids(dq), [alice.id, bob.id].sort());
  });

  test('numeric comparison on created', async () => {
    const all = [alice, bob, carol, dave];
    const min = Math.min(...all.map((c) => c.created));
    const max = Math.max(...all.map((c) => c.created));
    const res = await stripe.customers.search({ query: `created>${min - 1}`, limit: 100 });
    assert.deepEqual(ids(res), all.map((c) => c.id).sort());
    const none = await stripe.customers.search({ query: `created>${max}` });
    assert.deepEqual(none.data, []);
    const lte = await stripe.customers.search({ query: `created<=${max}`, limit: 100 });
    assert.equal(lte.data.length, 4);
  });

  test('AND and OR', async () => {
    const and = await stripe.customers.search({ query: "metadata['plan']:'pro' AND metadata['region']:'eu'" });
    assert.deepEqual(ids(and), [alice.id]);
    const implicitAnd = await stripe.customers.search({ query: "metadata['plan']:'pro' metadata['region']:'us'" });
    assert.deepEqual(ids(implicitAnd), [carol.id]);
    const or = await stripe.customers.search({ query: "email:'bob@example.com' OR email:'dave@example.org'" });
    assert.deepEqual(ids(or), [bob.id, dave.id].sort());
  });

  test('paging with next_page and SDK auto-pagination', async () => {
    const query = "metadata['region']:'eu' OR metadata['region']:'us'";
    const p1 = await stripe.customers.search({ query, limit: 2 });
    assert.equal(p1.data.length, 2);
    assert.equal(p1.has_more, true);
    assert.equal(typeof p1.next_page, 'string');
    assert.ok(p1.next_page.length > 0);
    const p2 = await stripe.customers.search({ query, limit: 2, page: p1.next_page });
    assert.equal(p2.data.length, 1);
    assert.equal(p2.has_more, false);
    assert.equal(p2.next_page, null);
    const union = [...p1.data, ...p2.data].map((c) => c.id).sort();
    assert.deepEqual(union, [alice.id, bob.id, carol.id].sort());

    const auto = await stripe.customers.search({ query, limit: 1 }).autoPagingToArray({ limit: 100 });
    assert.deepEqual(auto.map((c) => c.id).sort(), [alice.id, bob.id, carol.id].sort());
  });

  test('a deleted customer is no longer found', async () => {
    const s = newClient();
    const c = await s.customers.create({ email: 'temp@example.com' });
    assert.equal((await s.customers.search({ query: "email:'temp@example.com'" })).data.length, 1);
    await s.customers.del(c.id);
    assert.equal((await s.customers.search({ query: "email:'temp@example.com'" })).data.length, 0);
  });

  test('invalid query → 400 with param query', async () => {
    for (const query of ["email:'unterminated", 'nonsense', "unknown_field:'x'", "name>'abc'"]) {
      await expectStripeError(stripe.customers.search({ query }), {
        type: 'StripeInvalidRequestError',
        statusCode: 400,
        param: 'query',
      });
    }
  });

  test('missing query → 400 parameter_missing', async () => {
    await expectStripeError(stripe.customers.search({}), {
      type: 'StripeInvalidRequestError',
      statusCode: 400,
      code: 'parameter_missing',
      param: 'query',
    });
  });

  test('mixing AND and OR is rejected', async () => {
    await expectStripeError(
      stripe.customers.search({ query: "email:'a@b.c' AND name:'x' OR phone:'1'" }),
      { statusCode: 400, param: 'query' },
    );
  });
});
