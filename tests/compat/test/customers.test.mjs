// Customers CRUD, list filters and pagination (including the SDK's auto-pagination).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { expectStripeError, newClient } from './helpers.mjs';

async function createMany(stripe, n, params = {}) {
  const created = [];
  for (let i = 0; i < n; i++) {
    created.push(await stripe.customers.create({ name: `Customer ${i}`, ...params }));
  }
  return created; // oldest first
}

describe('customers CRUD', () => {
  test('create returns a full customer object', async () => {
    const stripe = newClient();
    const c = await stripe.customers.create({
      email: 'jenny.rosen@example.com',
      name: 'Jenny Rosen',
      description: 'First customer',
      phone: '+14155550100',
      metadata: { order_id: '6735', tier: 'gold' },
    });
    assert.match(c.id, /^cus_[A-Za-z0-9]+$/);
    assert.equal(c.object, 'customer');
    assert.equal(c.email, 'jenny.rosen@example.com');
    assert.equal(c.name, 'Jenny Rosen');
    assert.equal(c.description, 'First customer');
    assert.equal(c.phone, '+14155550100');
    assert.deepEqual(c.metadata, { order_id: '6735', tier: 'gold' });
    assert.equal(c.livemode, false);
    assert.ok(Number.isInteger(c.created), 'created is integer Unix seconds');
    assert.ok(c.created > 1_500_000_000 && c.created < 10_000_000_000);
    assert.equal(c.balance, 0);
    assert.equal(c.delinquent, false);
    // Nullable fields are rendered as null, not omitted.
    assert.equal(c.address, null);
    assert.equal(c.shipping, null);
    assert.equal(c.default_source, null);
    assert.ok('invoice_settings' in c);
    assert.match(c.lastResponse.requestId, /^req_/);
    assert.equal(c.lastResponse.statusCode, 200, 'creates answer 200, not 201');
  });

  test('create with no parameters works and renders nulls', async () => {
    const stripe = newClient();
    const c = await stripe.customers.create();
    assert.equal(c.email, null);
    assert.equal(c.name, null);
    assert.equal(c.description, null);
    assert.equal(c.phone, null);
    assert.deepEqual(c.metadata, {});
  });

  test('retrieve returns the same object', async () => {
    const stripe = newClient();
    const c = await stripe.customers.create({ email: 'a@example.com', metadata: { a: '1' } });
    const got = await stripe.customers.retrieve(c.id);
    assert.equal(got.id, c.id);
    assert.equal(got.email, 'a@example.com');
    assert.equal(got.created, c.created);
    assert.deepEqual(got.metadata, { a: '1' });
  });

  test('update merges metadata, empty value deletes a key, empty string unsets a field', async () => {
    const stripe = newClient();
    const c = await stripe.customers.create({
      description: 'to be cleared',
      name: 'Old Name',
      metadata: { keep: 'k', drop: 'd', change: 'old' },
    });
    const u = await stripe.customers.update(c.id, {
      name: 'New Name',
      description: '',
      metadata: { change: 'new', added: 'x', drop: '' },
    });
    assert.equal(u.id, c.id);
    assert.equal(u.name, 'New Name');
    assert.equal(u.description, null);
    assert.deepEqual(u.metadata, { keep: 'k', change: 'new', added: 'x' });
    const again = await stripe.customers.retrieve(c.id);
    assert.equal(again.description, null);
    assert.deepEqual(again.metadata, { keep: 'k', change: 'new', added: 'x' });
  });

  test('delete returns a deletion stub and retrieve then shows deleted: true', async () => {
    const stripe = newClient();
    const c = await stripe.customers.create({ email: 'gone@example.com' });
    const del = await stripe.customers.del(c.id);
    assert.deepEqual({ ...del }, { id: c.id, object: 'customer', deleted: true });
    const got = await stripe.customers.retrieve(c.id);
    assert.equal(got.id, c.id);
    assert.equal(got.object, 'customer');
    assert.equal(got.deleted, true);
    const list = await stripe.customers.list();
    assert.equal(list.data.some((x) => x.id === c.id), false, 'deleted customers are not listed');
  });

  test('updating or deleting a deleted customer fails with resource_missing', async () => {
    const stripe = newClient();
    const c = await stripe.customers.create();
    await stripe.customers.del(c.id);
    await expectStripeError(stripe.customers.update(c.id, { name: 'x' }), {
      type: 'StripeInvalidRequestError',
      statusCode: 404,
      code: 'resource_missing',
    });
  });

  test('retrieve of an unknown id → 404 resource_missing', async () => {
    const stripe = newClient();
    const err = await expectStripeError(stripe.customers.retrieve('cus_doesnotexist'), {
      type: 'StripeInvalidRequestError',
      rawType: 'invalid_request_error',
      statusCode: 404,
      code: 'resource_missing',
      param: 'id',
    });
    assert.match(err.message, /No such customer: 'cus_doesnotexist'/);
  });

  test("customers are scoped to the merchant's key", async () => {
    const a = newClient();
    const b = newClient();
    const c = await a.customers.create({ email: 'mine@example.com' });
    await expectStripeError(b.customers.retrieve(c.id), { statusCode: 404, code: 'resource_missing' });
    const list = await b.customers.list();
    assert.equal(list.data.length, 0);
  });
});

describe('customers list', () => {
  test('list shape and email filter', async () => {
    const stripe = newClient();
    await stripe.customers.create({ email: 'one@example.com' });
    const two = await stripe.customers.create({ email: 'two@example.com' });
    await stripe.customers.create({ email: 'three@example.com' });
    const all = await stripe.customers.list();
    assert.equal(all.object, 'list');
    assert.equal(all.url, '/v1/customers');
    assert.equal(all.has_more, false);
    assert.equal(all.data.length, 3);
    const filtered = await stripe.customers.list({ email: 'two@example.com' });
    assert.deepEqual(filtered.data.map((c) => c.id), [two.id]);
    const none = await stripe.customers.list({ email: 'nobody@example.com' });
    assert.deepEqual(none.data, []);
  });

  test('default limit is 10', async () => {
    const stripe = newClient();
    await createMany(stripe, 12);
    const page = await stripe.customers.list();
    assert.equal(page.data.length, 10);
    assert.equal(page.has_more, true);
  });

  test('manual pagination: newest first, starting_after and ending_before', async () => {
    const stripe = newClient();
    const created = await createMany(stripe, 25);
    const expected = created.map((c) => c.id).reverse(); // newest first

    const p1 = await stripe.customers.list({ limit: 10 });
    assert.deepEqual(p1.data.map((c) => c.id), expected.slice(0, 10));
    assert.equal(p1.has_more, true);

    const p2 = await stripe.customers.list({ limit: 10, starting_after: p1.data.at(-1).id });
    assert.deepEqual(p2.data.map((c) => c.id), expected.slice(10, 20));
    assert.equal(p2.has_more, true);

    const p3 = await stripe.customers.list({ limit: 10, starting_after: p2.data.at(-1).id });
    assert.deepEqual(p3.data.map((c) => c.id), expected.slice(20, 25));
    assert.equal(p3.has_more, false);

    // ending_before returns the items just before the cursor, still newest first.
    const back = await stripe.customers.list({ limit: 10, ending_before: p3.data[0].id });
    assert.deepEqual(back.data.map((c) => c.id), expected.slice(10, 20));
    assert.equal(back.has_more, true);

    const backToStart = await stripe.customers.list({ limit: 10, ending_before: p2.data[0].id });
    assert.deepEqual(backToStart.data.map((c) => c.id), expected.slice(0, 10));
    assert.equal(backToStart.has_more, false);

    const short = await stripe.customers.list({ limit: 3, ending_before: expected[5] });
    assert.deepEqual(short.data.map((c) => c.id), expected.slice(2, 5));
    assert.equal(short.has_more, true);
  });

  test('SDK auto-pagination returns every customer once, newest first', async () => {
    const stripe = newClient();
    const created = await createMany(stripe, 25);
    const expected = created.map((c) => c.id).reverse();

    const seen = [];
    for await (const c of stripe.customers.list({ limit: 10 })) seen.push(c.id);
    assert.deepEqual(seen, expected);

    const arr = await stripe.customers.list({ limit: 7 }).autoPagingToArray({ limit: 1000 });
    assert.deepEqual(arr.map((c) => c.id), expected);
    assert.equal(new Set(arr.map((c) => c.id)).size, 25);
  });

  test('created range filters', async () => {
    const stripe = newClient();
    const created = await createMany(stripe, 6);
    const pivot = created[3].created;

    const gte = await stripe.customers.list({ created: { gte: pivot }, limit: 100 });
    const expectedGte = created.filter((c) => c.created >= pivot).map((c) => c.id).reverse();
    assert.deepEqual(gte.data.map((c) => c.id), expectedGte);
    assert.ok(gte.data.every((c) => c.created >= pivot));

    const lt = await stripe.customers.list({ created: { lt: pivot }, limit: 100 });
    const expectedLt = created.filter((c) => c.created < pivot).map((c) => c.id).reverse();
    assert.deepEqual(lt.data.map((c) => c.id), expectedLt);

    const exact = await stripe.customers.list({ created: pivot, limit: 100 });
    assert.deepEqual(
      exact.data.map((c) => c.id),
      created.filter((c) => c.created === pivot).map((c) => c.id).reverse(),
    );

    const future = await stripe.customers.list({ created: { gt: created.at(-1).created } });
    assert.deepEqual(future.data, []);
  });

  test('an unknown starting_after cursor is rejected', async () => {
    const stripe = newClient();
    await stripe.customers.create();
    await expectStripeError(stripe.customers.list({ starting_after: 'cus_nope' }), {
      type: 'StripeInvalidRequestError',
      code: 'resource_missing',
    });
  });
});
