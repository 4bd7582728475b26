// expand[]: on retrieve, list (data.*), actions and nested paths; errors; curl-style encoding.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { expectStripeError, newClient, raw } from './helpers.mjs';

async function customerWithCard(stripe) {
  const customer = await stripe.customers.create({ email: 'expand@example.com' });
  const pm = await stripe.paymentMethods.create({ type: 'card', card: { token: 'tok_visa' } });
  await stripe.paymentMethods.attach(pm.id, { customer: customer.id });
  return { customer, pm };
}

describe('expand', () => {
  test('an expandable field is an id by default and an object when expanded', async () => {
    const stripe = newClient();
    const { customer, pm } = await customerWithCard(stripe);

    const plain = await stripe.paymentMethods.retrieve(pm.id);
    assert.equal(plain.customer, customer.id);

    const expanded = await stripe.paymentMethods.retrieve(pm.id, { expand: ['customer'] });
    assert.equal(typeof expanded.customer, 'object');
    assert.equal(expanded.customer.id, customer.id);
    assert.equal(expanded.customer.object, 'customer');
    assert.equal(expanded.customer.email, 'expand@example.com');
  });

  test('expand on an action (attach) expands the response', async () => {
    const stripe = newClient();
    const customer = await stripe.customers.create({ name: 'Attach Expand' });
    const pm = await stripe.paymentMethods.create({ type: 'card', card: { token: 'tok_mastercard' } });
    const attached = await stripe.paymentMethods.attach(pm.id, { customer: customer.id, expand: ['customer'] });
    assert.equal(attached.customer.id, customer.id);
    assert.equal(attached.customer.name, 'Attach Expand');
  });

  test('data.customer expands every item of a list', async () => {
    const stripe = newClient();
    const { customer } = await customerWithCard(stripe);
    const pm2 = await stripe.paymentMethods.create({ type: 'card', card: { token: 'tok_amex' } });
    await stripe.paymentMethods.attach(pm2.id, { customer: customer.id });

    const list = await stripe.paymentMethods.list({ customer: customer.id, type: 'card', expand: ['data.customer'] });
    assert.equal(list.data.length, 2);
    for (const item of list.data) {
      assert.equal(item.customer.object, 'customer');
      assert.equal(item.customer.id, customer.id);
    }
    const plain = await stripe.paymentMethods.list({ customer: customer.id, type: 'card' });
    for (const item of plain.data) assert.equal(item.customer, customer.id);
  });

  test('a nested path expands inside a sub-object', async () => {
    const stripe = newClient();
    const { customer, pm } = await customerWithCard(stripe);
    await stripe.customers.update(customer.id, { invoice_settings: { default_payment_method: pm.id } });

    const plain = await stripe.customers.retrieve(customer.id);
    assert.equal(plain.invoice_settings.default_payment_method, pm.id);

    const expanded = await stripe.customers.retrieve(customer.id, {
      expand: ['invoice_settings.default_payment_method'],
    });
    assert.equal(expanded.invoice_settings.default_payment_method.object, 'payment_method');
    assert.equal(expanded.invoice_settings.default_payment_method.id, pm.id);
    assert.equal(expanded.invoice_settings.default_payment_method.card.last4, '4242');
  });

  test('a null expandable field stays null when expanded', async () => {
    const stripe = newClient();
    const pm = await stripe.paymentMethods.create({ type: 'card', card: { token: 'tok_visa' } });
    const got = await stripe.paymentMethods.retrieve(pm.id, { expand: ['customer'] });
    assert.equal(got.customer, null);
  });

  test('several expansions at once', async () => {
    const stripe = newClient();
    const { customer, pm } = await customerWithCard(stripe);
    await stripe.customers.update(customer.id, { invoice_settings: { default_payment_method: pm.id } });
    const got = await stripe.paymentMethods.retrieve(pm.id, {
      expand: ['customer', 'customer.invoice_settings.default_payment_method'],
    });
    assert.equal(got.customer.id, customer.id);
    assert.equal(got.customer.invoice_settings.default_payment_method.id, pm.id);
  });

  test('expanding an unknown field → 400 invalid_request_error', async () => {
    const stripe = newClient();
    const { customer, pm } = await customerWithCard(stripe);
    const err = await expectStripeError(stripe.paymentMethods.retrieve(pm.id, { expand: ['no_such_field'] }), {
      type: 'StripeInvalidRequestError',
      rawType: 'invalid_request_error',
      statusCode: 400,
    });
    assert.match(err.message, /no_such_field/);
    await expectStripeError(stripe.customers.retrieve(customer.id, { expand: ['email'] }), {
      type: 'StripeInvalidRequestError',
      statusCode: 400,
    });
    await expectStripeError(stripe.paymentMethods.list({ customer: customer.id, type: 'card', expand: ['data.bogus'] }), {
      type: 'StripeInvalidRequestError',
      statusCode: 400,
    });
  });

  test('curl-style expand[]= works on GET and POST', async () => {
    const stripe = newClient();
    const { customer, pm } = await customerWithCard(stripe);
    const key = stripe.secretKey;

    const get = await raw('GET', `/v1/payment_methods/${pm.id}`, { key, query: 'expand[]=customer' });
    assert.equal(get.status, 200, get.text);
    assert.equal(get.json.customer.id, customer.id);

    const encoded = await raw('GET', `/v1/payment_methods/${pm.id}`, { key, query: 'expand%5B%5D=customer' });
    assert.equal(encoded.status, 200, encoded.text);
    assert.equal(encoded.json.customer.id, customer.id);

    const post = await raw('POST', `/v1/payment_methods/${pm.id}`, {
      key,
      body: 'metadata[via]=curl&expand[]=customer',
    });
    assert.equal(post.status, 200, post.text);
    assert.equal(post.json.customer.object, 'customer');
    assert.deepEqual(post.json.metadata, { via: 'curl' });

    const list = await raw('GET', '/v1/payment_methods', {
      key,
      query: `customer=${customer.id}&type=card&expand[]=data.customer`,
    });
    assert.equal(list.status, 200, list.text);
    assert.equal(list.json.data[0].customer.id, customer.id);
  });
});
