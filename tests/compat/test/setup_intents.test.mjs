// SetupIntents (BILLING_CHECKOUT §8, STRIPE_BEHAVIOR §11.6, §12, §18.5): saving a card without charging it, the test
// cards on setup (3-D Secure completed through the emulator's control API or its page, declines with last_setup_error),
// Stripe.js's publishable-key confirm, and the saved card's off-session payments. docs/setup-intents.md.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BASE_URL, expectStripeError, formEncode, newClient, raw } from './helpers.mjs';

const RETURN_URL = 'https://shop.example/account/cards';

async function setUp(stripe, card, params = {}) {
  const customer = await stripe.customers.create({ email: 'saver@example.com' });
  const si = await stripe.setupIntents.create({
    customer: customer.id, payment_method: card, allowed_payment_method_types: ['card'], confirm: true, ...params,
  });
  return { customer, si };
}

const authenticate = (stripe, id, outcome) =>
  raw('POST', `/_mock/setup_intents/${id}/authenticate`, { key: stripe.secretKey, body: { outcome } });

const chargeOffSession = (stripe, customer, paymentMethod) =>
  stripe.paymentIntents.create({
    amount: 1500, currency: 'usd', customer, payment_method: paymentMethod, off_session: true, confirm: true,
    allowed_payment_method_types: ['card'],
  });

async function eventTypes(stripe) {
  return (await stripe.events.list({ limit: 100 })).data.map((e) => e.type);
}

describe('setup', () => {
  test('4242 sets up, attaches to the customer, emits setup_intent.created/succeeded and payment_method.attached', async () => {
    const stripe = newClient();
    const { customer, si } = await setUp(stripe, 'pm_card_visa');
    assert.equal(si.object, 'setup_intent');
    assert.equal(si.status, 'succeeded');
    assert.equal(si.usage, 'off_session');
    assert.equal(si.last_setup_error, null);
    const pm = await stripe.paymentMethods.retrieve(si.payment_method);
    assert.equal(pm.customer, customer.id);
    assert.deepEqual((await eventTypes(stripe)).sort(),
      ['customer.created', 'payment_method.attached', 'setup_intent.created', 'setup_intent.succeeded']);
  });

  test('create, update, confirm later; list by customer; cancel', async () => {
    const stripe = newClient();
    const customer = await stripe.customers.create();
    const si = await stripe.setupIntents.create({ customer: customer.id, allowed_payment_method_types: ['card'], usage: 'on_session' });
    assert.equal(si.status, 'requires_payment_method');
    const updated = await stripe.setupIntents.update(si.id, { metadata: { plan: 'pro' }, payment_method: 'pm_card_mastercard' });
    assert.equal(updated.status, 'requires_confirmation');
    const confirmed = await stripe.setupIntents.confirm(si.id, { expand: ['payment_method'] });
    assert.equal(confirmed.status, 'succeeded');
    assert.equal(confirmed.payment_method.card.brand, 'mastercard');
    assert.equal(confirmed.metadata.plan, 'pro');

    const other = await stripe.setupIntents.create({ allowed_payment_method_types: ['card'] });
    const canceled = await stripe.setupIntents.cancel(other.id, { cancellation_reason: 'duplicate' });
    assert.equal(canceled.status, 'canceled');
    assert.equal(canceled.cancellation_reason, 'duplicate');
    const list = await stripe.setupIntents.list({ customer: customer.id });
    assert.deepEqual(list.data.map((s) => s.id), [si.id]);
  });

  test('a decline card fails with 402, last_setup_error and setup_intent.setup_failed', async () => {
    const stripe = newClient();
    const err = await expectStripeError(setUp(stripe, 'pm_card_visa_chargeDeclinedInsufficientFunds'),
      { type: 'StripeCardError', code: 'card_declined', declineCode: 'insufficient_funds', statusCode: 402 });
    const si = err.raw.setup_intent;
    assert.equal(si.status, 'requires_payment_method');
    assert.equal(si.last_setup_error.decline_code, 'insufficient_funds');
    assert.equal(si.last_setup_error.payment_method.id, err.raw.payment_method.id);
    assert.ok((await eventTypes(stripe)).includes('setup_intent.setup_failed'));
  });
});

describe('bad input', () => {
  test('unknown customer, confirm without a payment method, cancel after success, payment_method_types at endive', async () => {
    const stripe = newClient();
    await expectStripeError(stripe.setupIntents.create({ customer: 'cus_nope' }),
      { statusCode: 404, code: 'resource_missing', param: 'customer' });
    const si = await stripe.setupIntents.create({ allowed_payment_method_types: ['card'] });
    await expectStripeError(stripe.setupIntents.confirm(si.id), { statusCode: 400, code: 'setup_intent_unexpected_state' });
    const { si: done } = await setUp(stripe, 'pm_card_visa');
    await expectStripeError(stripe.setupIntents.cancel(done.id), { statusCode: 400, code: 'setup_intent_unexpected_state' });
    await expectStripeError(stripe.setupIntents.create({ payment_method_types: ['card'] }),
      { statusCode: 400, code: 'payment_method_types_no_longer_supported' });
  });
});

describe('3-D Secure on setup', () => {
  test('4000002500003155: requires_action, completed, then off-session payments succeed', async () => {
    const stripe = newClient();
    const { customer, si } = await setUp(stripe, 'pm_card_authenticationRequiredOnSetup');
    assert.equal(si.status, 'requires_action');
    assert.equal(si.next_action.type, 'use_stripe_sdk');
    assert.equal(new URL(si.next_action.use_stripe_sdk.stripe_js).pathname, `/_mock/3ds/${si.id}`);
    const res = await authenticate(stripe, si.id, 'complete');
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.status, 'succeeded');
    const pi = await chargeOffSession(stripe, customer.id, si.payment_method);
    assert.equal(pi.status, 'succeeded');
  });

  test('4000002760003184: set up, yet off-session payments decline with authentication_required', async () => {
    const stripe = newClient();
    const { customer, si } = await setUp(stripe, 'pm_card_authenticationRequired');
    assert.equal((await authenticate(stripe, si.id, 'complete')).status, 200);
    const err = await expectStripeError(chargeOffSession(stripe, customer.id, si.payment_method),
      { statusCode: 402, code: 'authentication_required', declineCode: 'authentication_required' });
    assert.equal(err.raw.payment_intent.status, 'requires_payment_method');
    assert.equal(err.raw.payment_intent.last_payment_error.code, 'authentication_required');
  });

  test('the browser page returns to return_url with setup_intent, setup_intent_client_secret, redirect_status', async () => {
    const stripe = newClient();
    const { si } = await setUp(stripe, 'pm_card_threeDSecure2Required', { return_url: RETURN_URL });
    assert.equal(si.next_action.type, 'redirect_to_url');
    const page = await fetch(si.next_action.redirect_to_url.url);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /SetupIntent/);
    const res = await fetch(`${BASE_URL}/_mock/3ds/${si.id}`, {
      method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: formEncode({ client_secret: si.client_secret, outcome: 'fail' }), redirect: 'manual',
    });
    assert.equal(res.status, 303);
    const back = new URL(res.headers.get('location'));
    assert.equal(back.searchParams.get('setup_intent'), si.id);
    assert.equal(back.searchParams.get('setup_intent_client_secret'), si.client_secret);
    assert.equal(back.searchParams.get('redirect_status'), 'failed');
    const after = await stripe.setupIntents.retrieve(si.id);
    assert.equal(after.status, 'requires_payment_method');
    assert.equal(after.last_setup_error.code, 'setup_intent_authentication_failure');
  });
});

describe('Stripe.js surface', () => {
  test('publishable key + client_secret retrieves and confirms with payment_method_data', async () => {
    const stripe = newClient();
    const si = await stripe.setupIntents.create({ allowed_payment_method_types: ['card'] });
    const noSecret = await raw('GET', `/v1/setup_intents/${si.id}`, { key: stripe.publishableKey });
    assert.equal(noSecret.status, 400);
    const got = await raw('GET', `/v1/setup_intents/${si.id}`, { key: stripe.publishableKey, query: { client_secret: si.client_secret } });
    assert.equal(got.status, 200, got.text);
    const confirmed = await raw('POST', `/v1/setup_intents/${si.id}/confirm`, {
      key: stripe.publishableKey,
      body: {
        client_secret: si.client_secret, use_stripe_sdk: 'true',
        payment_method_data: { type: 'card', card: { number: '4000002500003155', exp_month: '12', exp_year: '2040', cvc: '123' } },
      },
    });
    assert.equal(confirmed.status, 200, confirmed.text);
    assert.equal(confirmed.json.status, 'requires_action');
    assert.equal(confirmed.json.next_action.type, 'use_stripe_sdk');
  });
});

describe('setup_future_usage', () => {
  test('a PaymentIntent with setup_future_usage=off_session saves the card; an off-session charge on it succeeds', async () => {
    const stripe = newClient();
    const customer = await stripe.customers.create();
    const first = await stripe.paymentIntents.create({
      amount: 2000, currency: 'usd', customer: customer.id, payment_method: 'pm_card_visa', setup_future_usage: 'off_session',
      confirm: true, allowed_payment_method_types: ['card'],
    });
    assert.equal(first.status, 'succeeded');
    assert.equal((await stripe.paymentMethods.retrieve(first.payment_method)).customer, customer.id);
    assert.equal((await chargeOffSession(stripe, customer.id, first.payment_method)).status, 'succeeded');
  });
});
