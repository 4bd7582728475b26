// Products and Prices: default_price_data, lookup keys (unique, transfer_lookup_key), list filters, search,
// includable currency_options, and Stripe's errors for bad input.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { expectStripeError, newClient, randomSuffix } from './helpers.mjs';

describe('products and prices', () => {
  let stripe;
  before(() => {
    stripe = newClient();
  });

  test('product with default_price_data creates its default price', async () => {
    const product = await stripe.products.create({
      name: 'T-shirt',
      default_price_data: { currency: 'usd', unit_amount: 2000 },
      expand: ['default_price'],
    });
    assert.equal(product.object, 'product');
    assert.equal(product.active, true);
    assert.equal(product.default_price.object, 'price');
    assert.equal(product.default_price.product, product.id);
    assert.equal(product.default_price.type, 'one_time');
    assert.equal(product.default_price.unit_amount_decimal, '2000');
  });

  test('recurring price with currency_options, expanded', async () => {
    const product = await stripe.products.create({ name: 'Plan' });
    const price = await stripe.prices.create({
      product: product.id,
      currency: 'usd',
      unit_amount: 1000,
      recurring: { interval: 'year', interval_count: 2 },
      currency_options: { eur: { unit_amount: 900 } },
      expand: ['currency_options'],
    });
    assert.deepEqual(price.recurring, { interval: 'year', interval_count: 2, meter: null, trial_period_days: null, usage_type: 'licensed' });
    assert.equal(price.currency_options.eur.unit_amount, 900);
    const plain = await stripe.prices.retrieve(price.id);
    assert.equal(plain.currency_options, undefined);
  });

  test('lookup keys are unique; transfer_lookup_key moves one', async () => {
    const product = await stripe.products.create({ name: 'Keyed' });
    const key = `std_${randomSuffix()}`;
    const first = await stripe.prices.create({ product: product.id, currency: 'usd', unit_amount: 500, lookup_key: key });
    await expectStripeError(
      stripe.prices.create({ product: product.id, currency: 'usd', unit_amount: 600, lookup_key: key }),
      { type: 'StripeInvalidRequestError', param: 'lookup_key', statusCode: 400 },
    );
    const second = await stripe.prices.create({ product: product.id, currency: 'usd', unit_amount: 600, lookup_key: key, transfer_lookup_key: true });
    const listed = await stripe.prices.list({ lookup_keys: [key] });
    assert.deepEqual(listed.data.map((p) => p.id), [second.id]);
    assert.equal((await stripe.prices.retrieve(first.id)).lookup_key, null);
  });

  test('list filters and search', async () => {
    const tag = randomSuffix();
    const a = await stripe.products.create({ name: `Alpha ${tag}`, metadata: { tag } });
    const b = await stripe.products.create({ name: `Beta ${tag}`, metadata: { tag }, active: false });
    await stripe.prices.create({ product: a.id, currency: 'usd', unit_amount: 100, metadata: { tag } });
    await stripe.prices.create({ product: a.id, currency: 'usd', unit_amount: 100, recurring: { interval: 'month' }, metadata: { tag } });
    const inactive = await stripe.products.list({ active: false, ids: [a.id, b.id] });
    assert.deepEqual(inactive.data.map((p) => p.id), [b.id]);
    const recurring = await stripe.prices.list({ product: a.id, type: 'recurring' });
    assert.equal(recurring.data.length, 1);
    const found = await stripe.products.search({ query: `metadata['tag']:'${tag}' AND active:'true'` });
    assert.deepEqual(found.data.map((p) => p.id), [a.id]);
    const prices = await stripe.prices.search({ query: `metadata['tag']:'${tag}' AND type:'one_time'` });
    assert.equal(prices.data.length, 1);
  });

  test('bad input', async () => {
    await expectStripeError(stripe.prices.create({ product: 'prod_nope', currency: 'usd', unit_amount: 1 }),
      { code: 'resource_missing', param: 'product', statusCode: 404 });
    const product = await stripe.products.create({ name: 'Bad' });
    await expectStripeError(stripe.prices.create({ product: product.id, currency: 'usd', unit_amount: -5 }),
      { param: 'unit_amount', statusCode: 400 });
    await expectStripeError(stripe.prices.create({ product: product.id, currency: 'usd', unit_amount: 5, recurring: { interval: 'decade' } }),
      { param: 'recurring[interval]', statusCode: 400 });
    await expectStripeError(stripe.prices.create({ product: product.id, unit_amount: 5 }),
      { code: 'parameter_missing', param: 'currency', statusCode: 400 });
    await expectStripeError(stripe.products.create({}), { code: 'parameter_missing', param: 'name', statusCode: 400 });
    const price = await stripe.prices.create({ product: product.id, currency: 'usd', unit_amount: 5 });
    await expectStripeError(stripe.prices.update(price.id, { unit_amount: 6 }), { code: 'parameter_unknown', statusCode: 400 });
    await expectStripeError(stripe.products.del(product.id), { statusCode: 400, type: 'StripeInvalidRequestError' });
  });
});
