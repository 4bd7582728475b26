// Billing through stripe-node (docs/billing.md): subscriptions and invoices on a test clock. A trial and a year of
// renewals; a declined renewal retried on the documented days into cancellation, or into unpaid and back to active
// with a new card; a hard decline whose retries wait for a new card; a downgrade without proration; a prorated upgrade previewed and
// billed; cancel at period end; cancel now with a proration credit the next invoice consumes. Counterpart of
// Stripe.net's SubscriptionTests. Network rules and billing settings are the emulator's control API (raw()).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { expectStripeError, newClient, raw } from './helpers.mjs';
import { DAY, HOUR, advanceTo, clockCustomer, defaultCard, invoicesOf, monthly, utc } from './billing_helpers.mjs';

const addMonths = (t, n) => { const d = new Date(t * 1000); d.setUTCMonth(d.getUTCMonth() + n); return d.getTime() / 1000; };

async function allEvents(stripe) {
  const all = [];
  for await (const e of stripe.events.list({ limit: 100 })) all.push(e);
  return all.reverse();
}

describe('subscriptions and invoices', () => {
  test('a 14-day trial advanced 12 months bills $0 then 12 paid invoices, with events in order', async () => {
    const stripe = newClient();
    const start = utc(2026, 3, 1);
    const price = await monthly(stripe, 2000, 'Monthly plan');
    const { clock, customer } = await clockCustomer(stripe, start);
    const sub = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: price.id }], trial_period_days: 14, expand: ['latest_invoice'] });
    assert.equal(sub.status, 'trialing');
    assert.equal(sub.latest_invoice.total, 0);
    assert.equal(sub.items.data[0].current_period_end, start + 14 * DAY);
    assert.equal(sub.current_period_end, undefined, 'current_period_end lives on items at this version');
    for (let m = 1; m <= 12; m++) await advanceTo(stripe, clock, addMonths(start, m));

    const invoices = await invoicesOf(stripe, sub.id);
    assert.equal(invoices.length, 13);
    const trialEnd = start + 14 * DAY;
    invoices.slice(1).forEach((inv, k) => {
      assert.equal(inv.status, 'paid');
      assert.equal(inv.amount_paid, 2000);
      assert.equal(inv.billing_reason, 'subscription_cycle');
      assert.equal(inv.parent.subscription_details.subscription, sub.id);
      assert.equal(inv.lines.data[0].period.start, addMonths(trialEnd, k));
      assert.equal(inv.lines.data[0].period.end, addMonths(trialEnd, k + 1));
      assert.equal(inv.status_transitions.finalized_at, addMonths(trialEnd, k) + HOUR);
    });
    const events = await allEvents(stripe);
    const invoiceTypes = events.filter((e) => e.type.startsWith('invoice.')).map((e) => e.type);
    // The $0 trial invoice, then each renewal announced 7 days ahead (invoice.upcoming, the default setting).
    assert.deepEqual(invoiceTypes, [
      'invoice.created', 'invoice.finalized', 'invoice.paid', 'invoice.payment_succeeded',
      ...Array(12).fill(['invoice.upcoming', 'invoice.created', 'invoice.finalized', 'invoice.paid', 'invoice.payment_succeeded']).flat(),
    ]);
    const subTypes = events.filter((e) => e.type.startsWith('customer.subscription.')).map((e) => e.type);
    assert.deepEqual(subTypes.slice(0, 2), ['customer.subscription.created', 'customer.subscription.trial_will_end']);
  });

  test('a declined renewal goes past_due, is retried 1, 3, 5 and 7 days later, then is canceled', async () => {
    const stripe = newClient();
    const start = utc(2026, 4, 1);
    const price = await monthly(stripe, 1000, 'Basic');
    const { clock, customer } = await clockCustomer(stripe, start);
    const sub = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: price.id }] });
    assert.equal(sub.status, 'active');
    const rule = await raw('POST', '/_mock/network_rules', { key: stripe.secretKey, body: { match: { customer: customer.id }, outcome: 'decline', decline_code: 'insufficient_funds' } });
    assert.equal(rule.status, 200);
    const first = utc(2026, 5, 1) + HOUR;
    await advanceTo(stripe, clock, first);
    assert.equal((await stripe.subscriptions.retrieve(sub.id)).status, 'past_due');
    await advanceTo(stripe, clock, first + 10 * DAY);
    const failures = (await allEvents(stripe)).filter((e) => e.type === 'invoice.payment_failed').map((e) => e.created);
    assert.deepEqual(failures, [0, 1, 3, 5, 7].map((d) => first + d * DAY));
    const ended = await stripe.subscriptions.retrieve(sub.id);
    assert.equal(ended.status, 'canceled');
    assert.equal(ended.cancellation_details.reason, 'payment_failed');
  });

  test('unpaid after the last retry; a new default card and paying the open invoice make it active again', async () => {
    const stripe = newClient();
    const settings = await raw('POST', '/_mock/billing/settings', { key: stripe.secretKey, body: { retry_days: ['3', '6'], after_final_failure: 'unpaid' } });
    assert.equal(settings.status, 200);
    const start = utc(2026, 4, 1);
    const price = await monthly(stripe, 1500, 'Pro');
    const { clock, customer } = await clockCustomer(stripe, start);
    const sub = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: price.id }] });
    const rule = await raw('POST', '/_mock/network_rules', { key: stripe.secretKey, body: { match: { customer: customer.id }, outcome: 'decline' } });
    await advanceTo(stripe, clock, utc(2026, 5, 1) + 7 * DAY);
    assert.equal((await stripe.subscriptions.retrieve(sub.id)).status, 'unpaid');
    const failures = (await allEvents(stripe)).filter((e) => e.type === 'invoice.payment_failed').map((e) => e.created);
    assert.deepEqual(failures, [0, 3, 6].map((d) => utc(2026, 5, 1) + HOUR + d * DAY));

    assert.equal((await raw('DELETE', `/_mock/network_rules/${rule.json.id}`, { key: stripe.secretKey })).status, 200);
    const card = await stripe.paymentMethods.attach('pm_card_mastercard', { customer: customer.id });
    await stripe.customers.update(customer.id, { invoice_settings: { default_payment_method: card.id } });
    const open = await stripe.invoices.list({ subscription: sub.id, status: 'open' });
    assert.equal(open.data.length, 1);
    const paid = await stripe.invoices.pay(open.data[0].id);
    assert.equal(paid.status, 'paid');
    assert.equal(paid.amount_paid, 1500);
    assert.equal((await stripe.subscriptions.retrieve(sub.id)).status, 'active');
  });

  test('after a hard decline (lost_card) the retries wait for a new card, which the next scheduled retry charges', async () => {
    const stripe = newClient();
    const start = utc(2026, 4, 1);
    const price = await monthly(stripe, 1000, 'Basic');
    const { clock, customer } = await clockCustomer(stripe, start);
    const sub = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: price.id }] });
    const rule = await raw('POST', '/_mock/network_rules', { key: stripe.secretKey, body: { match: { customer: customer.id }, outcome: 'decline', decline_code: 'lost_card' } });
    assert.equal(rule.status, 200);
    const first = utc(2026, 5, 1) + HOUR;
    await advanceTo(stripe, clock, first + 2 * DAY);
    let [, renewal] = await invoicesOf(stripe, sub.id);
    assert.equal(renewal.attempt_count, 1); // the day-1 retry on the same card was not made
    assert.equal(renewal.next_payment_attempt, first + 3 * DAY);

    assert.equal((await raw('DELETE', `/_mock/network_rules/${rule.json.id}`, { key: stripe.secretKey })).status, 200);
    const card = await stripe.paymentMethods.attach('pm_card_mastercard', { customer: customer.id });
    await stripe.customers.update(customer.id, { invoice_settings: { default_payment_method: card.id } });
    await advanceTo(stripe, clock, first + 4 * DAY);
    renewal = await stripe.invoices.retrieve(renewal.id);
    assert.equal(renewal.status, 'paid');
    assert.equal(renewal.attempt_count, 2);
    assert.equal(renewal.status_transitions.paid_at, first + 3 * DAY);
    const failures = (await allEvents(stripe)).filter((e) => e.type === 'invoice.payment_failed').map((e) => e.created);
    assert.deepEqual(failures, [first]);
    assert.equal((await stripe.subscriptions.retrieve(sub.id)).status, 'active');
  });

  test('a downgrade with proration_behavior=none bills nothing until the renewal, which charges the new price', async () => {
    const stripe = newClient();
    const start = utc(2026, 4, 1);
    const a = await monthly(stripe, 1000, 'A');
    const b = await monthly(stripe, 3000, 'B');
    const { clock, customer } = await clockCustomer(stripe, start);
    const sub = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: b.id }] });
    await advanceTo(stripe, clock, start + 10 * DAY);
    const downgraded = await stripe.subscriptions.update(sub.id, { items: [{ id: sub.items.data[0].id, price: a.id }], proration_behavior: 'none' });
    assert.equal(downgraded.items.data[0].price.id, a.id);
    assert.equal((await stripe.invoiceItems.list({ customer: customer.id, pending: true })).data.length, 0);
    assert.equal((await invoicesOf(stripe, sub.id)).length, 1);
    await advanceTo(stripe, clock, utc(2026, 5, 1) + HOUR);
    const invoices = await invoicesOf(stripe, sub.id);
    assert.deepEqual(invoices.map((i) => i.amount_paid), [3000, 1000]);
  });

  test('an upgrade prorates −667 / +2000 (previewed), billed at renewal as 4333', async () => {
    const stripe = newClient();
    const start = utc(2026, 4, 1);
    const a = await monthly(stripe, 1000, 'A');
    const b = await monthly(stripe, 3000, 'B');
    const { clock, customer } = await clockCustomer(stripe, start);
    const sub = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: a.id }] });
    const item = sub.items.data[0].id;
    await advanceTo(stripe, clock, start + 10 * DAY);
    const preview = await stripe.invoices.createPreview({ subscription: sub.id, subscription_details: { items: [{ id: item, price: b.id }] } });
    assert.equal(preview.total, 4333);
    await stripe.subscriptions.update(sub.id, { items: [{ id: item, price: b.id }] });
    const pending = await stripe.invoiceItems.list({ customer: customer.id, pending: true });
    assert.deepEqual(pending.data.map((i) => i.amount).sort((x, y) => x - y), [-667, 2000]);
    await advanceTo(stripe, clock, utc(2026, 5, 1) + HOUR);
    const renewal = (await invoicesOf(stripe, sub.id))[1];
    assert.equal(renewal.amount_paid, 4333);
  });

  test('cancel at period end, and cancel now with a credit the next invoice consumes', async () => {
    const stripe = newClient();
    const start = utc(2026, 4, 1);
    const price = await monthly(stripe, 3000, 'Team');
    const { clock, customer } = await clockCustomer(stripe, start);
    const atEnd = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: price.id }] });
    const now = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: price.id }] });
    assert.equal((await stripe.subscriptions.update(atEnd.id, { cancel_at_period_end: true })).cancel_at, utc(2026, 5, 1));
    await advanceTo(stripe, clock, start + 20 * DAY);
    const canceled = await stripe.subscriptions.cancel(now.id, { prorate: true, invoice_now: true });
    assert.equal(canceled.status, 'canceled');
    assert.equal((await stripe.customers.retrieve(customer.id)).balance, -1000);
    await advanceTo(stripe, clock, utc(2026, 5, 2));
    const ended = await stripe.subscriptions.retrieve(atEnd.id);
    assert.equal(ended.status, 'canceled');
    assert.equal(ended.ended_at, utc(2026, 5, 1));
    const next = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: price.id }], expand: ['latest_invoice'] });
    assert.equal(next.latest_invoice.starting_balance, -1000);
    assert.equal(next.latest_invoice.amount_paid, 2000);
    await expectStripeError(stripe.subscriptions.cancel(now.id), { statusCode: 400 });
  });
});
