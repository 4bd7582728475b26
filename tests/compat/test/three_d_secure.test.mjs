// 3-D Secure (STRIPE_BEHAVIOR §11.3–11.5, §18.5): authentication cards stop a PaymentIntent in
// requires_action with Stripe's next_action; the customer completes or fails the challenge on the
// emulator's test page (/_mock/3ds/{id}, raw fetch as a browser would) or a test calls the control API
// (POST /_mock/payment_intents/{id}/authenticate, raw fetch with the secret key). docs/three-d-secure.md.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BASE_URL, clientFor, expectStripeError, formEncode, newClient, raw } from './helpers.mjs';

const RETURN_URL = 'https://shop.example/checkout/done';
const REQUIRED = ['pm_card_threeDSecure2Required', 'pm_card_authenticationRequired', 'pm_card_authenticationRequiredOnSetup'];

const confirmWith = (stripe, card, params = {}) =>
  stripe.paymentIntents.create({
    amount: 2000, currency: 'usd', allowed_payment_method_types: ['card'], payment_method: card, confirm: true, ...params,
  });

const authenticate = (stripe, id, outcome) =>
  raw('POST', `/_mock/payment_intents/${id}/authenticate`, { key: stripe.secretKey, body: { outcome } });

const pageUrl = (pi) => (pi.next_action.type === 'redirect_to_url'
  ? pi.next_action.redirect_to_url.url
  : pi.next_action.use_stripe_sdk.stripe_js);

// A browser's round trip: GET the page, then submit its form; the 303 is not followed (it leaves the emulator).
async function click(pi, outcome, secret = pi.client_secret) {
  const page = await fetch(pageUrl(pi));
  assert.equal(page.status, 200, await page.text());
  await page.arrayBuffer().catch(() => {});
  const res = await fetch(`${BASE_URL}/_mock/3ds/${pi.id}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: formEncode({ client_secret: secret, outcome }),
    redirect: 'manual',
  });
  return { status: res.status, location: res.headers.get('location'), text: await res.text() };
}

async function eventTypes(stripe) {
  const events = await stripe.events.list({ limit: 100 });
  return events.data.map((e) => e.type);
}

describe('next_action', () => {
  for (const card of REQUIRED) {
    test(`${card}: requires_action with use_stripe_sdk pointing at an absolute emulator URL`, async () => {
      const stripe = newClient();
      const pi = await confirmWith(stripe, card);
      assert.equal(pi.status, 'requires_action');
      assert.equal(pi.latest_charge, null);
      assert.equal(pi.next_action.type, 'use_stripe_sdk');
      const url = new URL(pi.next_action.use_stripe_sdk.stripe_js);
      assert.equal(url.origin, new URL(BASE_URL).origin);
      assert.equal(url.pathname, `/_mock/3ds/${pi.id}`);
      assert.equal(url.searchParams.get('client_secret'), pi.client_secret);
      assert.deepEqual((await eventTypes(stripe)).sort(), ['payment_intent.created', 'payment_intent.requires_action']);
    });
  }

  test('server-side confirm with return_url → redirect_to_url, repeated by retrieve and the event', async () => {
    const stripe = newClient();
    const pi = await confirmWith(stripe, 'pm_card_threeDSecure2Required', { return_url: RETURN_URL });
    assert.equal(pi.next_action.type, 'redirect_to_url');
    assert.equal(pi.next_action.redirect_to_url.return_url, RETURN_URL);
    const url = pi.next_action.redirect_to_url.url;
    assert.equal(url, `${new URL(BASE_URL).origin}/_mock/3ds/${pi.id}?client_secret=${pi.client_secret}`);
    assert.equal((await stripe.paymentIntents.retrieve(pi.id)).next_action.redirect_to_url.url, url);
    const [event] = (await stripe.events.list({ type: 'payment_intent.requires_action' })).data;
    assert.equal(event.data.object.next_action.redirect_to_url.url, url);
  });

  test('publishable-key confirm (stripe.js style) gets use_stripe_sdk', async () => {
    const stripe = newClient();
    const created = await stripe.paymentIntents.create({ amount: 2000, currency: 'usd', allowed_payment_method_types: ['card'] });
    const pk = clientFor(stripe.publishableKey);
    const pi = await pk.paymentIntents.confirm(created.id, {
      client_secret: created.client_secret, payment_method: 'pm_card_threeDSecure2Required',
    });
    assert.equal(pi.status, 'requires_action');
    assert.equal(pi.next_action.type, 'use_stripe_sdk');
  });

  for (const card of ['pm_card_threeDSecureOptional', 'pm_card_amex_threeDSecureNotSupported']) {
    test(`${card}: succeeds without any action`, async () => {
      const stripe = newClient();
      const pi = await confirmWith(stripe, card, { return_url: RETURN_URL });
      assert.equal(pi.status, 'succeeded');
      assert.equal(pi.next_action, null);
      assert.ok(!(await eventTypes(stripe)).includes('payment_intent.requires_action'));
    });
  }

  test('off_session with pm_card_authenticationRequired → 402 authentication_required', async () => {
    const stripe = newClient();
    const customer = await stripe.customers.create();
    const err = await expectStripeError(
      confirmWith(stripe, 'pm_card_authenticationRequired', { customer: customer.id, off_session: true }),
      { type: 'StripeCardError', rawType: 'card_error', statusCode: 402, code: 'authentication_required', declineCode: 'authentication_required' },
    );
    assert.equal(err.raw.payment_intent.status, 'requires_payment_method');
  });
});

describe('control API: POST /_mock/payment_intents/{id}/authenticate', () => {
  for (const card of REQUIRED) {
    test(`${card}: complete → succeeded with an authenticated charge`, async () => {
      const stripe = newClient();
      const pi = await confirmWith(stripe, card);
      const res = await authenticate(stripe, pi.id, 'complete');
      assert.equal(res.status, 200, res.text);
      assert.equal(res.json.status, 'succeeded');
      assert.equal(res.json.next_action, null);
      const charge = await stripe.charges.retrieve(res.json.latest_charge);
      assert.equal(charge.status, 'succeeded');
      assert.equal(charge.payment_method_details.card.three_d_secure.result, 'authenticated');
      const types = await eventTypes(stripe);
      for (const t of ['payment_intent.requires_action', 'charge.succeeded', 'payment_intent.succeeded']) assert.ok(types.includes(t), t);
    });
  }

  test('fail → requires_payment_method with payment_intent_authentication_failure, no charge', async () => {
    const stripe = newClient();
    const pi = await confirmWith(stripe, 'pm_card_threeDSecure2Required');
    const res = await authenticate(stripe, pi.id, 'fail');
    assert.equal(res.status, 200, res.text);
    const after = await stripe.paymentIntents.retrieve(pi.id);
    assert.equal(after.status, 'requires_payment_method');
    assert.equal(after.last_payment_error.code, 'payment_intent_authentication_failure');
    assert.equal(after.latest_charge, null);
    assert.equal((await eventTypes(stripe))[0], 'payment_intent.payment_failed');
  });

  test('pm_card_threeDSecureRequiredChargeDeclined: complete → 402 card_declined, failed charge kept', async () => {
    const stripe = newClient();
    const pi = await confirmWith(stripe, 'pm_card_threeDSecureRequiredChargeDeclined');
    const res = await authenticate(stripe, pi.id, 'complete');
    assert.equal(res.status, 402, res.text);
    assert.equal(res.json.error.type, 'card_error');
    assert.equal(res.json.error.code, 'card_declined');
    const after = await stripe.paymentIntents.retrieve(pi.id, { expand: ['latest_charge'] });
    assert.equal(after.status, 'requires_payment_method');
    assert.equal(after.latest_charge.status, 'failed');
    const types = await eventTypes(stripe);
    assert.ok(types.includes('charge.failed') && types.includes('payment_intent.payment_failed'), types.join());
  });

  test('confirmation_method=manual → requires_confirmation, then the server confirms', async () => {
    const stripe = newClient();
    const pi = await confirmWith(stripe, 'pm_card_threeDSecure2Required', { confirmation_method: 'manual' });
    const res = await authenticate(stripe, pi.id, 'complete');
    assert.equal(res.json.status, 'requires_confirmation');
    assert.equal((await stripe.paymentIntents.confirm(pi.id)).status, 'succeeded');
  });

  test('errors: not awaiting action, bad outcome, unknown id, publishable key', async () => {
    const stripe = newClient();
    const visa = await confirmWith(stripe, 'pm_card_visa');
    const unexpected = await authenticate(stripe, visa.id, 'complete');
    assert.equal(unexpected.status, 400);
    assert.equal(unexpected.json.error.code, 'payment_intent_unexpected_state');
    const pi = await confirmWith(stripe, 'pm_card_threeDSecure2Required');
    assert.equal((await authenticate(stripe, pi.id, 'maybe')).json.error.param, 'outcome');
    assert.equal((await authenticate(stripe, 'pi_doesnotexist', 'complete')).status, 404);
    const pk = await raw('POST', `/_mock/payment_intents/${pi.id}/authenticate`, { key: stripe.publishableKey, body: { outcome: 'complete' } });
    assert.equal(pk.status, 401);
    assert.equal((await stripe.paymentIntents.retrieve(pi.id)).status, 'requires_action');
  });
});

describe('test page: /_mock/3ds/{id}', () => {
  test('shows the amount, the card and both buttons', async () => {
    const stripe = newClient();
    const pi = await confirmWith(stripe, 'pm_card_threeDSecure2Required', { return_url: RETURN_URL });
    const res = await fetch(pageUrl(pi));
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type'), /^text\/html/);
    const html = await res.text();
    assert.match(html, /MockProcessor 3-D Secure test page/);
    assert.match(html, /20\.00 USD/);
    assert.match(html, /3220/);
    assert.match(html, />Complete authentication<\/button>/);
    assert.match(html, />Fail authentication<\/button>/);
  });

  for (const card of REQUIRED) {
    test(`${card}: complete → 303 to return_url with redirect_status=succeeded`, async () => {
      const stripe = newClient();
      const pi = await confirmWith(stripe, card, { return_url: RETURN_URL });
      const res = await click(pi, 'complete');
      assert.equal(res.status, 303, res.text);
      const location = new URL(res.location);
      assert.equal(`${location.origin}${location.pathname}`, RETURN_URL);
      assert.equal(location.searchParams.get('payment_intent'), pi.id);
      assert.equal(location.searchParams.get('payment_intent_client_secret'), pi.client_secret);
      assert.equal(location.searchParams.get('redirect_status'), 'succeeded');
      assert.equal((await stripe.paymentIntents.retrieve(pi.id)).status, 'succeeded');
    });
  }

  test('fail → redirect_status=failed; the intent wants a new payment method', async () => {
    const stripe = newClient();
    const pi = await confirmWith(stripe, 'pm_card_threeDSecure2Required', { return_url: RETURN_URL });
    const res = await click(pi, 'fail');
    assert.equal(res.status, 303);
    assert.equal(new URL(res.location).searchParams.get('redirect_status'), 'failed');
    const after = await stripe.paymentIntents.retrieve(pi.id);
    assert.equal(after.status, 'requires_payment_method');
    assert.equal(after.last_payment_error.code, 'payment_intent_authentication_failure');
  });

  test('a decline after authentication → redirect_status=failed', async () => {
    const stripe = newClient();
    const pi = await confirmWith(stripe, 'pm_card_threeDSecureRequiredChargeDeclined', { return_url: RETURN_URL });
    const res = await click(pi, 'complete');
    assert.equal(new URL(res.location).searchParams.get('redirect_status'), 'failed');
    assert.equal((await stripe.paymentIntents.retrieve(pi.id)).last_payment_error.code, 'card_declined');
  });

  test('wrong client_secret → 404; a second submit → 400', async () => {
    const stripe = newClient();
    const pi = await confirmWith(stripe, 'pm_card_threeDSecure2Required', { return_url: RETURN_URL });
    const wrong = await fetch(`${BASE_URL}/_mock/3ds/${pi.id}?client_secret=${pi.id}_secret_wrong`);
    assert.equal(wrong.status, 404);
    await wrong.arrayBuffer();
    assert.equal((await click(pi, 'complete')).status, 303);
    const again = await fetch(`${BASE_URL}/_mock/3ds/${pi.id}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: formEncode({ client_secret: pi.client_secret, outcome: 'complete' }),
      redirect: 'manual',
    });
    assert.equal(again.status, 400);
    assert.match(await again.text(), /succeeded/);
  });
});
