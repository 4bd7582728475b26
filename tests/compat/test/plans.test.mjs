// Plans through stripe-node (docs/credit-notes.md "Plans"): a plan is a recurring price under its legacy name (one
// object, two routes); a subscription on a plan; update, list, delete; refusals. Counterpart of Stripe.net's PlanTests.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { expectStripeError, newClient } from './helpers.mjs';

describe('plans', () => {
  test('a plan is a recurring price, usable as plan or price on a subscription', async () => {
    const stripe = newClient();
    const plan = await stripe.plans.create({ amount: 1200, currency: 'usd', interval: 'month', product: { name: 'Basic' }, nickname: 'Basic monthly' });
    assert.deepEqual([plan.object, plan.amount, plan.interval, plan.usage_type], ['plan', 1200, 'month', 'licensed']);
    const price = await stripe.prices.retrieve(plan.id);
    assert.deepEqual([price.object, price.unit_amount, price.recurring.interval], ['price', 1200, 'month']);

    const customer = await stripe.customers.create({ email: 'plans@example.com' });
    const pm = await stripe.paymentMethods.attach('pm_card_visa', { customer: customer.id });
    await stripe.customers.update(customer.id, { invoice_settings: { default_payment_method: pm.id } });
    const sub = await stripe.subscriptions.create({ customer: customer.id, items: [{ plan: plan.id }] });
    assert.equal(sub.status, 'active');
    assert.equal(sub.items.data[0].plan.id, plan.id);
    assert.equal(sub.items.data[0].price.id, plan.id);

    const events = (await stripe.events.list({ limit: 100 })).data.filter((e) => e.data.object.id === plan.id).map((e) => e.type).reverse();
    assert.deepEqual(events, ['plan.created', 'price.created']);
  });

  test('update, list, delete and refusals', async () => {
    const stripe = newClient();
    const product = await stripe.products.create({ name: 'Pro' });
    const plan = await stripe.plans.create({ amount: 5000, currency: 'usd', interval: 'year', product: product.id });
    const updated = await stripe.plans.update(plan.id, { nickname: 'Pro yearly', metadata: { k: 'v' } });
    assert.deepEqual([updated.nickname, updated.metadata.k], ['Pro yearly', 'v']);
    const recurring = await stripe.prices.create({ product: product.id, currency: 'usd', unit_amount: 600, recurring: { interval: 'month' } });
    assert.deepEqual((await stripe.plans.list({ product: product.id })).data.map((p) => p.id), [recurring.id, plan.id]);
    assert.equal((await stripe.plans.retrieve(recurring.id)).amount, 600);

    assert.equal((await stripe.plans.del(plan.id)).deleted, true);
    await expectStripeError(stripe.plans.retrieve(plan.id), { statusCode: 404, code: 'resource_missing' });
    await expectStripeError(stripe.plans.create({ amount: 1, currency: 'usd', interval: 'month', product: product.id, billing_scheme: 'tiered' }),
      { statusCode: 400, param: 'billing_scheme' });
    await expectStripeError(stripe.plans.create({ amount: 1, currency: 'usd', interval: 'fortnight', product: product.id }), { statusCode: 400, param: 'interval' });
  });
});
