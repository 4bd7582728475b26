// The customer portal through stripe-node (docs/portal.md): configurations (create, retrieve, update, list with
// is_default/active), sessions (the default configuration made on demand, flows), and the session's page followed with
// fetch (no key: its URL is the credential) to update the card and to cancel at once. Counterpart of Stripe.net's
// PortalTests; the browser test (browser/portal.test.mjs) clicks the same page.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { expectStripeError, newClient } from './helpers.mjs';

async function subscriber(stripe) {
  const price = await stripe.prices.create({ currency: 'usd', unit_amount: 1500, product_data: { name: 'Portal plan' }, recurring: { interval: 'month' } });
  const customer = await stripe.customers.create({ email: 'portal@example.com' });
  const pm = await stripe.paymentMethods.attach('pm_card_visa', { customer: customer.id });
  await stripe.customers.update(customer.id, { invoice_settings: { default_payment_method: pm.id } });
  const sub = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: price.id }] });
  assert.equal(sub.status, 'active');
  return { price, customer, sub, pm };
}

// Posts one of the page's forms as the browser would; answers the response (redirects are not followed).
async function submit(url, fields) {
  return fetch(url, { method: 'POST', body: new URLSearchParams(fields), redirect: 'manual' });
}

async function eventTypes(stripe, limit) {
  return (await stripe.events.list({ limit })).data.map((e) => e.type);
}

describe('billing portal', () => {
  test('configurations: the first is the default, updates announce previous attributes, lists filter', async () => {
    const stripe = newClient();
    const { price } = await subscriber(stripe);
    const first = await stripe.billingPortal.configurations.create({
      business_profile: { headline: 'Manage billing', privacy_policy_url: 'https://shop.example/privacy' },
      features: {
        invoice_history: { enabled: true },
        subscription_cancel: { enabled: true, mode: 'immediately', proration_behavior: 'create_prorations' },
        subscription_update: { enabled: true, default_allowed_updates: ['price'], products: [{ product: price.product, prices: [price.id] }] },
      },
      metadata: { plan: 'a' },
    });
    assert.match(first.id, /^bpc_/);
    assert.equal(first.object, 'billing_portal.configuration');
    assert.equal(first.is_default, true);
    assert.equal(first.features.subscription_cancel.mode, 'immediately');
    assert.equal(first.features.subscription_cancel.proration_behavior, 'create_prorations');
    assert.equal(first.features.payment_method_update.enabled, false);
    assert.deepEqual(first.features.subscription_update.products[0].prices, [price.id]);
    assert.equal(first.business_profile.privacy_policy_url, 'https://shop.example/privacy');
    assert.equal(first.login_page.enabled, false);

    const second = await stripe.billingPortal.configurations.create({ features: { invoice_history: { enabled: true } } });
    assert.equal(second.is_default, false);
    const off = await stripe.billingPortal.configurations.update(second.id, { active: false, default_return_url: 'https://shop.example/x' });
    assert.equal(off.active, false);
    assert.equal(off.default_return_url, 'https://shop.example/x');
    assert.deepEqual((await stripe.billingPortal.configurations.list({ is_default: true })).data.map((c) => c.id), [first.id]);
    assert.deepEqual((await stripe.billingPortal.configurations.list({ active: false })).data.map((c) => c.id), [second.id]);
    assert.equal((await stripe.billingPortal.configurations.retrieve(first.id)).metadata.plan, 'a');
    const [updated] = (await stripe.events.list({ type: 'billing_portal.configuration.updated' })).data;
    assert.equal(updated.data.object.id, second.id);
    assert.equal(updated.data.previous_attributes.active, true);

    await expectStripeError(stripe.billingPortal.configurations.create({
      features: { subscription_update: { enabled: true, default_allowed_updates: ['price'] } },
    }), { statusCode: 400, type: 'StripeInvalidRequestError', param: 'features[subscription_update][products]' });
    await expectStripeError(stripe.billingPortal.sessions.create({ customer: 'cus_missing' }), { statusCode: 404, param: 'customer' });
    // An inactive configuration cannot open a session.
    await expectStripeError(stripe.billingPortal.sessions.create({ customer: (await stripe.customers.create()).id, configuration: second.id }),
      { statusCode: 400, param: 'configuration' });
  });

  test('a session without configuration gets the default one; its page updates the card through the API', async () => {
    const stripe = newClient();
    const { customer, sub } = await subscriber(stripe);
    const session = await stripe.billingPortal.sessions.create({ customer: customer.id, return_url: 'https://shop.example/account' });
    assert.match(session.id, /^bps_/);
    assert.equal(session.return_url, 'https://shop.example/account');
    assert.equal(session.flow, null);
    const config = await stripe.billingPortal.configurations.retrieve(session.configuration);
    assert.equal(config.is_default, true);
    assert.equal(config.features.payment_method_update.enabled, true);
    assert.deepEqual((await eventTypes(stripe, 2)), ['billing_portal.session.created', 'billing_portal.configuration.created']);

    const page = await (await fetch(session.url)).text();
    assert.match(page, /Portal plan/);
    assert.match(page, new RegExp(`cancel-${sub.id}`));
    assert.match(page, /href="https:\/\/shop\.example\/account"/);
    const res = await submit(session.url, { action: 'payment_method', number: '5555555555554444', expiry: '12 / 34', cvc: '123', name: 'Pat' });
    assert.equal(res.status, 303);
    const after = await stripe.customers.retrieve(customer.id, { expand: ['invoice_settings.default_payment_method'] });
    assert.equal(after.invoice_settings.default_payment_method.card.last4, '4444');
    assert.equal(after.invoice_settings.default_payment_method.customer, customer.id);
    assert.deepEqual(await eventTypes(stripe, 2), ['customer.updated', 'payment_method.attached']);
    // The page is only this emulator's to post: a cross-site form is refused.
    const forged = await fetch(session.url, { method: 'POST', headers: { Origin: 'https://evil.example' },
      body: new URLSearchParams({ action: 'cancel', subscription: sub.id }), redirect: 'manual' });
    assert.equal(forged.status, 403);
    assert.equal((await stripe.subscriptions.retrieve(sub.id)).cancel_at_period_end, false);
  });

  test('a subscription_cancel flow cancels at once with the configuration and returns to after_completion', async () => {
    const stripe = newClient();
    const { customer, sub } = await subscriber(stripe);
    const config = await stripe.billingPortal.configurations.create({
      features: { subscription_cancel: { enabled: true, mode: 'immediately', proration_behavior: 'none' } },
    });
    const session = await stripe.billingPortal.sessions.create({
      customer: customer.id, configuration: config.id,
      flow_data: { type: 'subscription_cancel', subscription_cancel: { subscription: sub.id },
        after_completion: { type: 'redirect', redirect: { return_url: 'https://shop.example/canceled' } } },
    });
    assert.equal(session.flow.type, 'subscription_cancel');
    assert.equal(session.flow.subscription_cancel.subscription, sub.id);
    assert.equal(session.flow.after_completion.redirect.return_url, 'https://shop.example/canceled');
    await expectStripeError(stripe.billingPortal.sessions.create({ customer: customer.id, configuration: config.id,
      flow_data: { type: 'payment_method_update' } }), { statusCode: 400, param: 'flow_data[type]' });

    const page = await (await fetch(session.url)).text();
    assert.match(page, /Cancel plan now/);
    assert.doesNotMatch(page, /save-card/);
    const res = await submit(session.url, { action: 'cancel', subscription: sub.id });
    assert.equal(res.status, 303);
    assert.equal(res.headers.get('location'), 'https://shop.example/canceled');
    const after = await stripe.subscriptions.retrieve(sub.id);
    assert.equal(after.status, 'canceled');
    assert.equal(after.cancellation_details.reason, 'cancellation_requested');
    assert.equal((await eventTypes(stripe, 1))[0], 'customer.subscription.deleted');
    // A feature the configuration leaves off is refused on the page too.
    const refused = await submit(session.url, { action: 'payment_method', number: '4242424242424242', expiry: '12 / 34' });
    assert.equal(refused.status, 403);
  });
});
