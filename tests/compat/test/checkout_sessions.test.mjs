// Checkout Sessions (BILLING_CHECKOUT §7, docs/checkout.md): create in payment mode with price_data or a catalogue
// price, retrieve, list, line items, expire, Stripe's errors; the hosted page (raw fetch as a browser would) and the
// emulator's control call POST /_mock/checkout/sessions/{id}/complete for tests without a browser.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { REAL_STRIPE, expectStripeError, formEncode, newClient, raw } from './helpers.mjs';

const SUCCESS = 'https://shop.example/done?session_id={CHECKOUT_SESSION_ID}';

const tShirts = (extra = {}) => ({
  mode: 'payment',
  success_url: SUCCESS,
  cancel_url: 'https://shop.example/cart',
  line_items: [{ quantity: 2, price_data: { currency: 'usd', unit_amount: 1500, product_data: { name: 'T-shirt' } } }],
  ...extra,
});

describe('checkout sessions', () => {
  test('create, retrieve with line_items, list line items and list by status', async () => {
    const stripe = newClient();
    const session = await stripe.checkout.sessions.create(tShirts({ client_reference_id: 'order-1' }));
    assert.match(session.id, /^cs_test_/);
    assert.equal(session.object, 'checkout.session');
    assert.equal(session.status, 'open');
    assert.equal(session.payment_status, 'unpaid');
    assert.equal(session.amount_total, 3000);
    assert.equal(session.payment_intent, null);
    assert.ok(session.expires_at >= session.created + 23 * 3600);
    const fetched = await stripe.checkout.sessions.retrieve(session.id, { expand: ['line_items'] });
    assert.equal(fetched.line_items.data[0].description, 'T-shirt');
    const items = await stripe.checkout.sessions.listLineItems(session.id);
    assert.equal(items.data.length, 1);
    assert.equal(items.data[0].object, 'item');
    assert.equal(items.data[0].amount_total, 3000);
    assert.equal(items.data[0].price.unit_amount, 1500);
    const open = await stripe.checkout.sessions.list({ status: 'open', limit: 100 });
    assert.ok(open.data.some((s) => s.id === session.id));
  });

  test('bad input gets Stripe errors', async () => {
    const stripe = newClient();
    await expectStripeError(stripe.checkout.sessions.create(tShirts({ success_url: '/relative' })),
      { statusCode: 400, code: 'url_invalid', param: 'success_url' });
    await expectStripeError(stripe.checkout.sessions.create({ mode: 'payment', success_url: SUCCESS }),
      { statusCode: 400, param: 'line_items' });
    await expectStripeError(stripe.checkout.sessions.create(tShirts({
      line_items: [{ quantity: 1, price_data: { currency: 'usd', unit_amount: 500, recurring: { interval: 'month' }, product_data: { name: 'Plan' } } }],
    })), { statusCode: 400, message: /recurring price/ });
    await expectStripeError(stripe.checkout.sessions.create(tShirts({
      line_items: [...tShirts().line_items, { quantity: 1, price_data: { currency: 'eur', unit_amount: 500, product_data: { name: 'Mug' } } }],
    })), { statusCode: 400, param: 'line_items[1]' });
  });

  test('expire an open session; a second expire is refused', async () => {
    const stripe = newClient();
    const session = await stripe.checkout.sessions.create(tShirts());
    const expired = await stripe.checkout.sessions.expire(session.id);
    assert.equal(expired.status, 'expired');
    assert.equal(expired.url, null);
    await expectStripeError(stripe.checkout.sessions.expire(session.id), { statusCode: 400 });
  });

  test('complete through the control call: paid, events, list by payment_intent', { skip: REAL_STRIPE && 'needs the emulator control API' }, async () => {
    const stripe = newClient();
    const session = await stripe.checkout.sessions.create(tShirts({ customer_creation: 'always' }));
    const res = await raw('POST', `/_mock/checkout/sessions/${session.id}/complete`,
      { key: stripe.secretKey, body: { card: '4242424242424242', email: 'ann@example.com' } });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.status, 'complete');
    assert.equal(res.json.payment_status, 'paid');
    assert.match(res.json.customer, /^cus_/);
    const pi = await stripe.paymentIntents.retrieve(res.json.payment_intent);
    assert.equal(pi.status, 'succeeded');
    assert.equal(pi.amount, 3000);
    const byPi = await stripe.checkout.sessions.list({ payment_intent: pi.id });
    assert.deepEqual(byPi.data.map((s) => s.id), [session.id]);
    const types = (await stripe.events.list({ limit: 20 })).data.map((e) => e.type);
    for (const t of ['checkout.session.completed', 'payment_intent.succeeded', 'charge.succeeded', 'customer.created']) assert.ok(types.includes(t), t);
  });

  test('the hosted page takes a card and redirects to the success URL', { skip: REAL_STRIPE && 'the emulator serves this page' }, async () => {
    const stripe = newClient();
    const session = await stripe.checkout.sessions.create(tShirts());
    const page = await fetch(session.url);
    const html = await page.text();
    assert.equal(page.status, 200);
    assert.match(html, /T-shirt/);
    const declined = await fetch(session.url, {
      method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, redirect: 'manual',
      body: formEncode({ email: 'a@example.com', number: '4000000000000002', expiry: `12 / 34`, cvc: '123' }),
    });
    assert.equal(declined.status, 402);
    assert.match(await declined.text(), /Your card was declined\./);
    const paid = await fetch(session.url, {
      method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, redirect: 'manual',
      body: formEncode({ email: 'a@example.com', number: '4242424242424242', expiry: `12 / 34`, cvc: '123' }),
    });
    await paid.arrayBuffer();
    assert.equal(paid.status, 303);
    assert.equal(paid.headers.get('location'), `https://shop.example/done?session_id=${session.id}`);
    assert.equal((await stripe.checkout.sessions.retrieve(session.id)).status, 'complete');
  });
});
