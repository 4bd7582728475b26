// The billing cycle through stripe-node (docs/billing.md, "Billing cycle anchor on create" and "Trials and the anchor on
// update"): an anchor after a trial, billing_cycle_anchor_config, trial_end / trial_from_plan / billing_cycle_anchor on
// update, canceled_at when cancel_at_period_end is requested, and discounted prorations. Counterpart of Stripe.net's SubscriptionCycleTests.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { expectStripeError, newClient } from './helpers.mjs';
import { HOUR, utc, monthly, clockCustomer, advanceTo, invoicesOf } from './billing_helpers.mjs';

const period = (sub) => [sub.items.data[0].current_period_start, sub.items.data[0].current_period_end];

describe('subscription billing cycle', () => {
  test('a trial then an anchor: $0, then trial end → anchor prorated (3000 × 17/31 = 1645), then full periods', async () => {
    const stripe = newClient();
    const price = await monthly(stripe, 3000, 'Cycle plan');
    const { clock, customer } = await clockCustomer(stripe, utc(2026, 3, 1));
    const sub = await stripe.subscriptions.create({
      customer: customer.id, items: [{ price: price.id }], trial_period_days: 14, billing_cycle_anchor: utc(2026, 4, 1),
    });
    assert.equal(sub.status, 'trialing');
    assert.equal(sub.billing_cycle_anchor, utc(2026, 4, 1));
    assert.deepEqual(period(sub), [utc(2026, 3, 1), utc(2026, 3, 15)]);
    await advanceTo(stripe, clock, utc(2026, 3, 15) + 2 * HOUR);
    const invoices = await invoicesOf(stripe, sub.id);
    assert.deepEqual(invoices.map((i) => i.total), [0, 1645]);
    assert.deepEqual([invoices[1].lines.data[0].period.start, invoices[1].lines.data[0].period.end], [utc(2026, 3, 15), utc(2026, 4, 1)]);
    await expectStripeError(stripe.subscriptions.create({
      customer: customer.id, items: [{ price: price.id }], trial_end: utc(2026, 3, 20), billing_cycle_anchor: utc(2026, 3, 19),
    }), { type: 'StripeInvalidRequestError', param: 'billing_cycle_anchor' });
  });

  test('billing_cycle_anchor_config day 31 anchors on Feb 28 and renews on Mar 31', async () => {
    const stripe = newClient();
    const price = await monthly(stripe, 3000, 'Month-end plan');
    const start = utc(2026, 2, 10) + 12 * HOUR;
    const { clock, customer } = await clockCustomer(stripe, start);
    const sub = await stripe.subscriptions.create({
      customer: customer.id, items: [{ price: price.id }], billing_cycle_anchor_config: { day_of_month: 31, hour: 0, minute: 0, second: 0 },
    });
    assert.equal(sub.billing_cycle_anchor, utc(2026, 2, 28));
    assert.deepEqual(sub.billing_cycle_anchor_config, { day_of_month: 31, hour: 0, minute: 0, month: null, second: 0 });
    await advanceTo(stripe, clock, utc(2026, 2, 28) + 2 * HOUR);
    await advanceTo(stripe, clock, utc(2026, 3, 31) + 2 * HOUR);
    const invoices = await invoicesOf(stripe, sub.id);
    // 17.5 of the 28 days Jan 31 → Feb 28: 3000 × 1512000 / 2419200 = 1875.
    assert.deepEqual(invoices.map((i) => i.total), [1875, 3000, 3000]);
    assert.deepEqual([invoices[2].lines.data[0].period.start, invoices[2].lines.data[0].period.end], [utc(2026, 3, 31), utc(2026, 4, 30)]);
    await expectStripeError(stripe.subscriptions.create({
      customer: customer.id, items: [{ price: price.id }], billing_cycle_anchor_config: { day_of_month: 32 },
    }), { type: 'StripeInvalidRequestError', param: 'billing_cycle_anchor_config[day_of_month]' });
  });

  test('trial_end on update starts a trial with a credit, trial_end=now ends one and bills at once', async () => {
    const stripe = newClient();
    const price = await monthly(stripe, 3000, 'Trial update plan');
    const { clock, customer } = await clockCustomer(stripe, utc(2026, 4, 1));
    const sub = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: price.id }] });
    await advanceTo(stripe, clock, utc(2026, 4, 11));
    const trialing = await stripe.subscriptions.update(sub.id, { trial_end: utc(2026, 5, 1) });
    assert.equal(trialing.status, 'trialing');
    assert.equal(trialing.billing_cycle_anchor, utc(2026, 5, 1));
    const pending = await stripe.invoiceItems.list({ customer: customer.id, pending: true });
    assert.deepEqual(pending.data.map((ii) => ii.amount), [-2000]);

    const ended = await stripe.subscriptions.update(sub.id, { trial_end: 'now', expand: ['latest_invoice'] });
    assert.equal(ended.status, 'active');
    assert.deepEqual(period(ended), [utc(2026, 4, 11), utc(2026, 5, 11)]);
    assert.equal(ended.latest_invoice.status, 'paid');
    assert.equal(ended.latest_invoice.total, 1000); // the −2000 credit and the new period's 3000
    await expectStripeError(stripe.subscriptions.update(sub.id, { trial_end: utc(2026, 4, 20), trial_from_plan: true }),
      { type: 'StripeInvalidRequestError', param: 'trial_end' });
  });

  test('trial_from_plan on update takes the price trial; billing_cycle_anchor now resets the period and invoices', async () => {
    const stripe = newClient();
    const price = await stripe.prices.create({
      currency: 'usd', unit_amount: 3000, product_data: { name: 'Plan trial' }, recurring: { interval: 'month', trial_period_days: 7 },
    });
    const { clock, customer } = await clockCustomer(stripe, utc(2026, 4, 1));
    const a = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: price.id }] });
    const b = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: price.id }] });
    await advanceTo(stripe, clock, utc(2026, 4, 11));
    const fromPlan = await stripe.subscriptions.update(a.id, { trial_from_plan: true, proration_behavior: 'none' });
    assert.deepEqual([fromPlan.status, fromPlan.trial_end], ['trialing', utc(2026, 4, 18)]);

    const reset = await stripe.subscriptions.update(b.id, { billing_cycle_anchor: { type: 'now' }, expand: ['latest_invoice'] });
    assert.equal(reset.billing_cycle_anchor, utc(2026, 4, 11));
    assert.deepEqual(period(reset), [utc(2026, 4, 11), utc(2026, 5, 11)]);
    assert.deepEqual(reset.latest_invoice.lines.data.map((l) => l.amount), [-2000, 3000]);
    await expectStripeError(stripe.subscriptions.update(a.id, { billing_cycle_anchor: { type: 'now' } }),
      { type: 'StripeInvalidRequestError', param: 'billing_cycle_anchor' });
  });

  test('cancel_at_period_end records the request time as canceled_at, kept when the period ends', async () => {
    const stripe = newClient();
    const price = await monthly(stripe, 3000, 'Cancel plan');
    const { clock, customer } = await clockCustomer(stripe, utc(2026, 4, 1));
    const sub = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: price.id }] });
    await advanceTo(stripe, clock, utc(2026, 4, 6));
    const requested = await stripe.subscriptions.update(sub.id, { cancel_at_period_end: true });
    assert.equal(requested.canceled_at, utc(2026, 4, 6));
    await advanceTo(stripe, clock, utc(2026, 5, 1) + HOUR);
    const ended = await stripe.subscriptions.retrieve(sub.id);
    assert.deepEqual([ended.status, ended.canceled_at, ended.ended_at], ['canceled', utc(2026, 4, 6), utc(2026, 5, 1)]);
  });

  test('a 20%-off subscription prorates an upgrade at the discounted amounts (−533 / +1600)', async () => {
    const stripe = newClient();
    const basic = await monthly(stripe, 1000, 'Basic');
    const pro = await monthly(stripe, 3000, 'Pro');
    const coupon = await stripe.coupons.create({ percent_off: 20, duration: 'forever' });
    const { clock, customer } = await clockCustomer(stripe, utc(2026, 4, 1));
    const sub = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: basic.id }], discounts: [{ coupon: coupon.id }] });
    await advanceTo(stripe, clock, utc(2026, 4, 11));
    await stripe.subscriptions.update(sub.id, { items: [{ id: sub.items.data[0].id, price: pro.id }], proration_behavior: 'always_invoice' });
    const invoices = await invoicesOf(stripe, sub.id);
    const upgrade = invoices[invoices.length - 1];
    assert.deepEqual(upgrade.lines.data.map((l) => l.amount).sort((a, b) => a - b), [-533, 1600]);
    assert.equal(upgrade.total, 1067);
    assert.equal(upgrade.status, 'paid');
  });
});
