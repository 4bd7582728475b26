// Billing beyond renewals through stripe-node (docs/billing.md): hosted pages of subscription invoices, pause and
// resume, invoice.upcoming, invoice_payment objects. Counterpart of Stripe.net's PauseResumeTests and
// InvoicePaymentTests. Billing settings are the emulator's control API (raw()).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { expectStripeError, newClient, raw } from './helpers.mjs';
import { DAY, HOUR, advanceTo, clockCustomer, defaultCard, invoicesOf, monthly, utc } from './billing_helpers.mjs';


async function eventsOf(stripe, prefix) {
  const all = [];
  for await (const e of stripe.events.list({ limit: 100 })) if (e.type.startsWith(prefix)) all.push(e);
  return all.reverse();
}

describe('billing: hosted pages, pause and resume', () => {
  test('every finalized subscription invoice has a hosted page', async () => {
    const stripe = newClient();
    const start = utc(2026, 4, 1);
    const price = await monthly(stripe, 1500, 'Hosted');
    const { clock, customer } = await clockCustomer(stripe, start);
    const sub = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: price.id }] });
    await advanceTo(stripe, clock, utc(2026, 5, 1) + 2 * HOUR);
    const invoices = await invoicesOf(stripe, sub.id);
    assert.equal(invoices.length, 2);
    for (const inv of invoices) {
      assert.match(inv.hosted_invoice_url, new RegExp(`/invoice/pay/${inv.id}/tok_[0-9a-f]{32}$`));
      const page = await fetch(inv.hosted_invoice_url);
      assert.equal(page.status, 200);
      assert.match(await page.text(), /Paid \$15\.00/);
    }
  });

  test('a trial without a payment method pauses, and resume starts a new period now', async () => {
    const stripe = newClient();
    const start = utc(2026, 4, 1);
    const price = await monthly(stripe, 2000, 'Pausable');
    const { clock, customer } = await clockCustomer(stripe, start, null);
    const sub = await stripe.subscriptions.create({
      customer: customer.id, items: [{ price: price.id }], trial_period_days: 7,
      trial_settings: { end_behavior: { missing_payment_method: 'pause' } },
    });
    await advanceTo(stripe, clock, start + 10 * DAY);
    const paused = await stripe.subscriptions.retrieve(sub.id);
    assert.equal(paused.status, 'paused');
    assert.equal(paused.status_details.paused.subscription.type, 'trial_end_without_payment_method');
    assert.ok((await eventsOf(stripe, 'customer.subscription.paused')).some((e) => e.data.object.id === sub.id));

    await defaultCard(stripe, customer.id, 'pm_card_visa');
    const resumed = await stripe.subscriptions.resume(sub.id, { billing_cycle_anchor: { type: 'now' } });
    assert.equal(resumed.status, 'active');
    assert.equal(resumed.billing_cycle_anchor, start + 10 * DAY);
    const invoices = await invoicesOf(stripe, sub.id);
    assert.equal(invoices.at(-1).status, 'paid');
    assert.equal(invoices.at(-1).amount_paid, 2000);
    assert.ok((await eventsOf(stripe, 'customer.subscription.resumed')).some((e) => e.data.object.id === sub.id));
    await expectStripeError(stripe.subscriptions.resume(sub.id), { statusCode: 400, param: 'id' });
  });

  test('pause_collection keep_as_draft leaves renewals as drafts until unset', async () => {
    const stripe = newClient();
    const start = utc(2026, 4, 1);
    const price = await monthly(stripe, 1000, 'Collect later');
    const { clock, customer } = await clockCustomer(stripe, start);
    const sub = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: price.id }] });
    const updated = await stripe.subscriptions.update(sub.id, { pause_collection: { behavior: 'keep_as_draft' } });
    assert.deepEqual(updated.pause_collection, { behavior: 'keep_as_draft', resumes_at: null });
    await advanceTo(stripe, clock, utc(2026, 5, 1) + 2 * HOUR);
    const draft = (await invoicesOf(stripe, sub.id))[1];
    assert.equal(draft.status, 'draft');
    assert.equal(draft.auto_advance, false);
    const unset = await stripe.subscriptions.update(sub.id, { pause_collection: '' });
    assert.equal(unset.pause_collection, null);
    assert.equal(unset.status, 'active');
  });

  test('invoice.upcoming goes out before each renewal, without an id, and upcoming_days moves it', async () => {
    const stripe = newClient();
    const set = await raw('POST', '/_mock/billing/settings', { key: stripe.secretKey, body: { upcoming_days: 5 } });
    assert.equal(set.json.upcoming_days, 5);
    const start = utc(2026, 4, 1);
    const price = await monthly(stripe, 1300, 'Announced');
    const { clock, customer } = await clockCustomer(stripe, start);
    const sub = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: price.id }] });
    await advanceTo(stripe, clock, utc(2026, 7, 1) + 2 * HOUR);
    const upcoming = await eventsOf(stripe, 'invoice.upcoming');
    assert.deepEqual(upcoming.map((e) => e.created), [utc(2026, 5, 1), utc(2026, 6, 1), utc(2026, 7, 1)].map((t) => t - 5 * DAY));
    const object = upcoming[0].data.object;
    assert.equal(object.id, undefined);
    assert.equal(object.billing_reason, 'upcoming');
    assert.equal(object.amount_due, 1300);
    assert.equal(object.parent.subscription_details.subscription, sub.id);
    assert.equal(object.lines.data[0].period.start, utc(2026, 5, 1));
  });

  test('invoice_payments: one paid payment per paid invoice, listed by invoice and PaymentIntent', async () => {
    const stripe = newClient();
    const price = await monthly(stripe, 1700, 'Inpay');
    const customer = await stripe.customers.create({ email: 'inpay@example.com' });
    const pm = await stripe.paymentMethods.attach('pm_card_visa', { customer: customer.id });
    const sub = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: price.id }], default_payment_method: pm.id });
    const list = await stripe.invoicePayments.list({ invoice: sub.latest_invoice });
    assert.equal(list.data.length, 1);
    const payment = list.data[0];
    assert.match(payment.id, /^inpay_/);
    assert.equal(payment.object, 'invoice_payment');
    assert.equal(payment.status, 'paid');
    assert.equal(payment.amount_paid, 1700);
    assert.equal(payment.amount_requested, 1700);
    assert.equal(payment.payment.type, 'payment_intent');
    const expanded = await stripe.invoicePayments.retrieve(payment.id, { expand: ['payment.payment_intent'] });
    assert.equal(expanded.payment.payment_intent.status, 'succeeded');
    const byIntent = await stripe.invoicePayments.list({ payment: { type: 'payment_intent', payment_intent: payment.payment.payment_intent } });
    assert.deepEqual(byIntent.data.map((p) => p.id), [payment.id]);
    const invoice = await stripe.invoices.retrieve(sub.latest_invoice, { expand: ['payments'] });
    assert.deepEqual(invoice.payments.data.map((p) => p.id), [payment.id]);
    const paidEvents = await eventsOf(stripe, 'invoice_payment.paid');
    assert.deepEqual(paidEvents.map((e) => e.data.object.id), [payment.id]);
  });

  test('GET /v1/invoices/upcoming answers callers before basil and is gone at the current version', async () => {
    const stripe = newClient();
    const price = await monthly(stripe, 1900, 'Old preview');
    const customer = await stripe.customers.create({ email: 'old@example.com' });
    const pm = await stripe.paymentMethods.attach('pm_card_visa', { customer: customer.id });
    const sub = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: price.id }], default_payment_method: pm.id });
    const query = { customer: customer.id, subscription: sub.id };
    const old = await raw('GET', '/v1/invoices/upcoming', { key: stripe.secretKey, query, headers: { 'Stripe-Version': '2024-06-20' } });
    assert.equal(old.status, 200);
    assert.equal(old.json.billing_reason, 'upcoming');
    assert.equal(old.json.amount_due, 1900);
    assert.equal(old.json.subscription, sub.id);
    const lines = await raw('GET', '/v1/invoices/upcoming/lines', { key: stripe.secretKey, query, headers: { 'Stripe-Version': '2024-06-20' } });
    assert.equal(lines.json.data.length, 1);
    const gone = await raw('GET', '/v1/invoices/upcoming', { key: stripe.secretKey, query });
    assert.equal(gone.status, 404);
    assert.equal(gone.json.error.code, 'resource_missing');
  });
});
