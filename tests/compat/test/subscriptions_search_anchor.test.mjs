// Subscription search, a future billing_cycle_anchor on create and payment_behavior=pending_if_incomplete updates
// through stripe-node (docs/billing.md).
// Counterpart of Stripe.net's SubscriptionSearchAnchorTests.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { expectStripeError, newClient, randomSuffix } from './helpers.mjs';

const utc = (y, m, d) => Date.UTC(y, m - 1, d) / 1000;

async function setup(stripe, amount) {
  const price = await stripe.prices.create({ currency: 'usd', unit_amount: amount, product_data: { name: 'Anchor plan' }, recurring: { interval: 'month' } });
  const clock = await stripe.testHelpers.testClocks.create({ frozen_time: utc(2026, 3, 1) });
  const customer = await stripe.customers.create({ email: 'anchor@example.com', test_clock: clock.id });
  const pm = await stripe.paymentMethods.attach('pm_card_visa', { customer: customer.id });
  await stripe.customers.update(customer.id, { invoice_settings: { default_payment_method: pm.id } });
  return { price, clock, customer };
}

describe('subscription search and billing_cycle_anchor', () => {
  test('subscriptions.search matches metadata and status, includes canceled ones and auto-pages', async () => {
    const stripe = newClient();
    const tag = randomSuffix();
    const { price, customer } = await setup(stripe, 1500);
    const make = (plan, extra = {}) => stripe.subscriptions.create({ customer: customer.id, items: [{ price: price.id }], metadata: { tag, plan }, ...extra });
    const a = await make('pro');
    const b = await make('free', { trial_period_days: 7 });
    const c = await make('pro');
    await stripe.subscriptions.cancel(c.id);

    const ids = async (q) => (await stripe.subscriptions.search({ query: `metadata['tag']:'${tag}' AND ${q}`, limit: 100 })).data.map((s) => s.id);
    assert.deepEqual(await ids("metadata['plan']:'pro'"), [c.id, a.id]);
    assert.deepEqual(await ids("status:'trialing'"), [b.id]);
    assert.deepEqual(await ids("-status:'canceled'"), [b.id, a.id]);
    const page = await stripe.subscriptions.search({ query: `metadata['tag']:'${tag}'`, limit: 2 });
    assert.equal(page.object, 'search_result');
    assert.equal(page.url, '/v1/subscriptions/search');
    assert.equal(page.has_more, true);
    const all = [];
    for await (const s of stripe.subscriptions.search({ query: `metadata['tag']:'${tag}'`, limit: 2 })) all.push(s.id);
    assert.deepEqual(all, [c.id, b.id, a.id]);
    await expectStripeError(stripe.subscriptions.search({ query: `customer:'${customer.id}'` }), { statusCode: 400, param: 'query' });
  });

  test('a future anchor bills the prorated time until it, none bills $0, and a bad anchor is a 400', async () => {
    const stripe = newClient();
    const { price, clock, customer } = await setup(stripe, 3000);
    const anchor = utc(2026, 3, 11);
    const sub = await stripe.subscriptions.create({
      customer: customer.id, items: [{ price: price.id }], billing_cycle_anchor: anchor, expand: ['latest_invoice'],
    });
    assert.equal(sub.status, 'active');
    assert.equal(sub.billing_cycle_anchor, anchor);
    assert.equal(sub.items.data[0].current_period_end, anchor);
    // 10 of the 28 days Feb 11 - Mar 11: 3000 * 10 / 28 = 1071.43.
    assert.equal(sub.latest_invoice.total, 1071);
    assert.equal(sub.latest_invoice.lines.data[0].parent.subscription_item_details.proration, true);

    const free = await stripe.subscriptions.create({
      customer: customer.id, items: [{ price: price.id }], billing_cycle_anchor: anchor, proration_behavior: 'none', expand: ['latest_invoice'],
    });
    assert.equal(free.latest_invoice.total, 0);
    assert.equal(free.latest_invoice.status, 'paid');

    for (const bad of [utc(2026, 2, 27), utc(2026, 4, 2)]) {
      await expectStripeError(stripe.subscriptions.create({ customer: customer.id, items: [{ price: price.id }], billing_cycle_anchor: bad }),
        { statusCode: 400, type: 'StripeInvalidRequestError', param: 'billing_cycle_anchor' });
    }

    await stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: anchor + 7200 });
    const invoices = (await stripe.invoices.list({ subscription: sub.id })).data;
    assert.deepEqual(invoices.map((i) => i.total), [3000, 1071]);
    assert.deepEqual([invoices[0].lines.data[0].period.start, invoices[0].lines.data[0].period.end], [anchor, utc(2026, 4, 11)]);
  });

  test('a declined pending_if_incomplete upgrade waits in pending_update and expires after 23 hours', async () => {
    const stripe = newClient();
    const { price: basic, clock, customer } = await setup(stripe, 1000);
    const upgrade = await stripe.prices.create({ currency: 'usd', unit_amount: 3000, product_data: { name: 'Upgrade' }, recurring: { interval: 'month' } });
    const sub = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: basic.id }] });
    const declining = await stripe.paymentMethods.attach('pm_card_chargeCustomerFail', { customer: customer.id });
    await stripe.customers.update(customer.id, { invoice_settings: { default_payment_method: declining.id } });

    const held = await stripe.subscriptions.update(sub.id, {
      items: [{ id: sub.items.data[0].id, price: upgrade.id }], payment_behavior: 'pending_if_incomplete', expand: ['latest_invoice'],
    });
    assert.equal(held.status, 'active');
    assert.equal(held.items.data[0].price.id, basic.id);
    assert.equal(held.pending_update.expires_at, utc(2026, 3, 1) + 23 * 3600);
    assert.equal(held.pending_update.subscription_items[0].price.id, upgrade.id);
    assert.deepEqual([held.latest_invoice.status, held.latest_invoice.amount_due], ['open', 2000]);
    await expectStripeError(stripe.subscriptions.update(sub.id, {
      items: [{ id: sub.items.data[0].id, price: upgrade.id }], payment_behavior: 'pending_if_incomplete', metadata: { a: 'b' },
    }), { statusCode: 400, param: 'metadata' });

    await stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: utc(2026, 3, 2) });
    const after = await stripe.subscriptions.retrieve(sub.id);
    assert.equal(after.pending_update, null);
    assert.equal(after.items.data[0].price.id, basic.id);
    assert.equal((await stripe.invoices.retrieve(held.latest_invoice.id)).status, 'void');
    const expired = await stripe.events.list({ type: 'customer.subscription.pending_update_expired' });
    assert.deepEqual(expired.data.map((e) => e.data.object.id), [sub.id]);
  });
});
