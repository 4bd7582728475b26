// What the billing suites share (subscriptions, billing_more): time arithmetic, a monthly price, a customer on a new
// test clock with a default card, clock advances and a subscription's invoices in billing order.
import assert from 'node:assert/strict';

export const DAY = 86400;
export const HOUR = 3600;
export const utc = (y, m, d) => Date.UTC(y, m - 1, d) / 1000;

export async function monthly(stripe, amount, name) {
  return stripe.prices.create({ currency: 'usd', unit_amount: amount, product_data: { name }, recurring: { interval: 'month' } });
}

export async function defaultCard(stripe, customer, card) {
  const pm = await stripe.paymentMethods.attach(card, { customer });
  await stripe.customers.update(customer, { invoice_settings: { default_payment_method: pm.id } });
}

/** A customer on a new test clock frozen at `start`, with `card` as its default payment method (none when card is null). */
export async function clockCustomer(stripe, start, card = 'pm_card_visa', email = 'billing@example.com') {
  const clock = await stripe.testHelpers.testClocks.create({ frozen_time: start });
  const customer = await stripe.customers.create({ email, test_clock: clock.id });
  if (card) await defaultCard(stripe, customer.id, card);
  return { clock, customer };
}

export async function advanceTo(stripe, clock, t) {
  const advanced = await stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: t });
  assert.equal(advanced.status, 'ready');
}

/** The subscription's invoices, oldest first. */
export async function invoicesOf(stripe, subscription) {
  const all = [];
  for await (const inv of stripe.invoices.list({ subscription, limit: 100 })) all.push(inv);
  return all.reverse();
}
