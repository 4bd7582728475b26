// Discounts and tax rates through stripe-node (docs/discounts.md): a repeating coupon on a test clock, the amount-off
// split on a draft invoice, promotion code limits, and tax rates (exclusive and inclusive) in invoice totals.
// Counterpart of Stripe.net's DiscountTests and TaxRateTests.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { expectStripeError, newClient } from './helpers.mjs';

const utc = (y, m, d) => Date.UTC(y, m - 1, d) / 1000;
const addMonths = (t, n) => { const d = new Date(t * 1000); d.setUTCMonth(d.getUTCMonth() + n); return d.getTime() / 1000; };

async function clockCustomer(stripe, start) {
  const clock = await stripe.testHelpers.testClocks.create({ frozen_time: start });
  const customer = await stripe.customers.create({ email: 'discounts@example.com', test_clock: clock.id });
  const pm = await stripe.paymentMethods.attach('pm_card_visa', { customer: customer.id });
  await stripe.customers.update(customer.id, { invoice_settings: { default_payment_method: pm.id } });
  return { clock, customer };
}

describe('discounts and tax rates', () => {
  test('a 20% repeating coupon discounts three monthly invoices, then full price', async () => {
    const stripe = newClient();
    const start = utc(2026, 6, 1);
    const price = await stripe.prices.create({ currency: 'usd', unit_amount: 1500, product_data: { name: 'Node plan' }, recurring: { interval: 'month' } });
    const { clock, customer } = await clockCustomer(stripe, start);
    const coupon = await stripe.coupons.create({ percent_off: 20, duration: 'repeating', duration_in_months: 3 });
    const sub = await stripe.subscriptions.create({
      customer: customer.id, items: [{ price: price.id }], discounts: [{ coupon: coupon.id }], expand: ['discounts'],
    });
    assert.equal(sub.discounts[0].object, 'discount');
    assert.equal(sub.discounts[0].source.type, 'coupon');
    assert.equal(sub.discounts[0].end, addMonths(start, 3));
    for (let m = 1; m <= 4; m++) {
      const advanced = await stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: addMonths(start, m) + 7200 });
      assert.equal(advanced.status, 'ready');
    }
    const invoices = [];
    for await (const inv of stripe.invoices.list({ subscription: sub.id, limit: 100 })) invoices.push(inv);
    invoices.reverse();
    assert.deepEqual(invoices.map((i) => i.total), [1200, 1200, 1200, 1500, 1500]);
    assert.deepEqual(invoices.map((i) => i.amount_paid), [1200, 1200, 1200, 1500, 1500]);
    assert.equal(invoices[0].total_discount_amounts[0].amount, 300);
    assert.equal(invoices[0].lines.data[0].discount_amounts[0].discount, sub.discounts[0].id);
    assert.deepEqual((await stripe.subscriptions.retrieve(sub.id)).discounts, []);
    const types = [];
    for await (const e of stripe.events.list({ limit: 100 })) if (e.type.startsWith('customer.discount.')) types.push(e.type);
    assert.deepEqual(types.reverse(), ['customer.discount.created', 'customer.discount.deleted']);
  });

  test('amount off is split over lines; a used-up promotion code is coupon_expired', async () => {
    const stripe = newClient();
    const customer = await stripe.customers.create({ email: 'split@example.com' });
    await stripe.invoiceItems.create({ customer: customer.id, amount: 1000, currency: 'usd' });
    await stripe.invoiceItems.create({ customer: customer.id, amount: 2000, currency: 'usd' });
    const coupon = await stripe.coupons.create({ amount_off: 500, currency: 'usd', max_redemptions: 1 });
    const code = await stripe.promotionCodes.create({ promotion: { type: 'coupon', coupon: coupon.id }, code: `SPLIT${Date.now()}` });
    const invoice = await stripe.invoices.create({ customer: customer.id, pending_invoice_items_behavior: 'include', discounts: [{ promotion_code: code.id }] });
    assert.deepEqual(invoice.lines.data.map((l) => l.discount_amounts[0].amount), [166, 334]);
    assert.equal(invoice.total, 2500);
    assert.equal((await stripe.coupons.retrieve(coupon.id)).times_redeemed, 1);
    await expectStripeError(
      stripe.invoices.create({ customer: customer.id, discounts: [{ coupon: coupon.id }] }),
      { statusCode: 400, type: 'StripeInvalidRequestError', code: 'coupon_expired', param: 'discounts[0][coupon]' },
    );
  });

  test('an exclusive 10% rate adds tax; an inclusive 20% rate is contained in the total', async () => {
    const stripe = newClient();
    const sales = await stripe.taxRates.create({ display_name: 'Sales tax', percentage: 10, inclusive: false, country: 'US', state: 'CA' });
    const vat = await stripe.taxRates.create({ display_name: 'VAT', percentage: 20, inclusive: true });
    assert.equal(sales.object, 'tax_rate');
    assert.equal(sales.percentage, 10);
    const customer = await stripe.customers.create({ email: 'tax@example.com' });
    await stripe.invoiceItems.create({ customer: customer.id, amount: 1000, currency: 'usd' });
    await stripe.invoiceItems.create({ customer: customer.id, amount: 1200, currency: 'usd', tax_rates: [vat.id] });
    const invoice = await stripe.invoices.create({ customer: customer.id, pending_invoice_items_behavior: 'include', default_tax_rates: [sales.id] });
    assert.equal(invoice.subtotal, 2200);
    assert.equal(invoice.total, 2300);
    assert.equal(invoice.total_excluding_tax, 2000);
    assert.deepEqual(invoice.total_taxes.map((t) => [t.amount, t.tax_behavior, t.tax_rate_details.tax_rate]),
      [[100, 'exclusive', sales.id], [200, 'inclusive', vat.id]]);
    const inclusive = await stripe.taxRates.list({ inclusive: true, limit: 100 });
    assert.ok(inclusive.data.some((r) => r.id === vat.id));
    assert.ok(!inclusive.data.some((r) => r.id === sales.id));
    await expectStripeError(stripe.taxRates.update(vat.id, { percentage: 5 }), { statusCode: 400, code: 'parameter_unknown' });
  });
});
