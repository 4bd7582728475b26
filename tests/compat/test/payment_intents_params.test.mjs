// PaymentIntents: update, list (customer filter, auto-pagination), search, publishable-key access with
// the client secret, zero-decimal currencies and amount/currency validation.
// STRIPE_BEHAVIOR §2.3, §10, §11.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { clientFor, expectStripeError, newClient } from './helpers.mjs';

// Card-only intents: since 2023-08-16 an intent created without payment_method_types enables
// automatic_payment_methods with allow_redirects=always, and confirming it needs a return_url.
const card = { allowed_payment_method_types: ['card'] };
const pay = (stripe, params = {}) =>
  stripe.paymentIntents.create({ amount: 2000, currency: 'usd', ...card, payment_method: 'pm_card_visa', confirm: true, ...params });

describe('update, list and search', () => {
  test('update amount, metadata and description before confirmation', async () => {
    const stripe = newClient();
    const pi = await stripe.paymentIntents.create({ amount: 2000, currency: 'usd', ...card, metadata: { a: '1' } });
    const updated = await stripe.paymentIntents.update(pi.id, {
      amount: 2500,
      description: 'Order 42',
      metadata: { b: '2' },
    });
    assert.equal(updated.amount, 2500);
    assert.equal(updated.description, 'Order 42');
    assert.deepEqual(updated.metadata, { a: '1', b: '2' });
    assert.equal(updated.status, 'requires_payment_method');
    assert.deepEqual(await stripe.paymentIntents.retrieve(pi.id), updated);
  });

  test('list with a customer filter, and SDK auto-pagination', async () => {
    const stripe = newClient();
    const alice = await stripe.customers.create({ name: 'Alice' });
    const bob = await stripe.customers.create({ name: 'Bob' });
    const mine = [];
    for (let i = 0; i < 3; i++) {
      mine.push((await stripe.paymentIntents.create({ amount: 1000 + i, currency: 'usd', ...card, customer: alice.id })).id);
    }
    await stripe.paymentIntents.create({ amount: 5000, currency: 'usd', ...card, customer: bob.id });

    const page = await stripe.paymentIntents.list({ customer: alice.id, limit: 2 });
    assert.equal(page.object, 'list');
    assert.equal(page.url, '/v1/payment_intents');
    assert.equal(page.has_more, true);
    assert.deepEqual(page.data.map((p) => p.id), [mine[2], mine[1]]);
    const all = await stripe.paymentIntents.list({ customer: alice.id, limit: 2 }).autoPagingToArray({ limit: 100 });
    assert.deepEqual(all.map((p) => p.id), [...mine].reverse());
    const everything = await stripe.paymentIntents.list().autoPagingToArray({ limit: 100 });
    assert.equal(everything.length, 4);
  });

  test("search status:'succeeded'", async () => {
    const stripe = newClient();
    const a = await pay(stripe);
    const b = await pay(stripe, { amount: 999 });
    await stripe.paymentIntents.create({ amount: 2000, currency: 'usd', ...card });
    const res = await stripe.paymentIntents.search({ query: "status:'succeeded'" });
    assert.equal(res.object, 'search_result');
    assert.deepEqual(res.data.map((p) => p.id).sort(), [a.id, b.id].sort());
  });
});

describe('publishable key with client_secret', () => {
  test('retrieve and confirm work with the client secret and hide metadata; retrieve fails without it', async () => {
    const stripe = newClient();
    const pi = await stripe.paymentIntents.create({ amount: 2000, currency: 'usd', ...card, metadata: { secret: 'x' } });
    const pk = clientFor(stripe.publishableKey);
    const seen = await pk.paymentIntents.retrieve(pi.id, { client_secret: pi.client_secret });
    assert.equal(seen.id, pi.id);
    assert.equal(seen.amount, 2000);
    assert.equal(seen.status, 'requires_payment_method');
    assert.equal(seen.client_secret, pi.client_secret);
    assert.ok(seen.metadata === undefined || Object.keys(seen.metadata).length === 0, JSON.stringify(seen.metadata));

    const confirmed = await pk.paymentIntents.confirm(pi.id, { client_secret: pi.client_secret, payment_method: 'pm_card_visa' });
    assert.equal(confirmed.status, 'succeeded');
    assert.ok(confirmed.metadata === undefined || Object.keys(confirmed.metadata).length === 0);
    assert.equal((await stripe.paymentIntents.retrieve(pi.id)).metadata.secret, 'x', 'the secret key still sees metadata');

    const noSecret = await expectStripeError(pk.paymentIntents.retrieve(pi.id), { rawType: 'invalid_request_error' });
    assert.ok([400, 401, 404].includes(noSecret.statusCode), String(noSecret.statusCode));
    const wrong = await expectStripeError(
      pk.paymentIntents.retrieve(pi.id, { client_secret: `${pi.id}_secret_wrongwrongwrongwrongwrong` }),
      { rawType: 'invalid_request_error' },
    );
    assert.ok([400, 401, 404].includes(wrong.statusCode), String(wrong.statusCode));
  });
});

describe('amounts and currencies', () => {
  test('zero-decimal currency: jpy 500 is ¥500 on the intent, the charge and the balance transaction', async () => {
    const stripe = newClient();
    const pi = await pay(stripe, { amount: 500, currency: 'jpy' });
    assert.equal(pi.amount, 500);
    assert.equal(pi.currency, 'jpy');
    assert.equal(pi.amount_received, 500);
    const ch = await stripe.charges.retrieve(pi.latest_charge, { expand: ['balance_transaction'] });
    assert.equal(ch.amount, 500);
    const txn = ch.balance_transaction;
    // Real Stripe books the charge in the account's settlement currency: a JPY account books 500, a
    // USD account books round(500 × exchange_rate) cents with exchange_rate set. Either way it is ¥500.
    if (txn.currency === 'jpy') {
      assert.equal(txn.amount, 500);
      assert.equal(txn.exchange_rate, null);
    } else {
      assert.equal(typeof txn.exchange_rate, 'number');
      assert.ok(Math.abs(txn.amount - 500 * txn.exchange_rate * 100) <= 1, `${txn.amount} ${txn.currency} @ ${txn.exchange_rate}`);
    }
    assert.equal(txn.net, txn.amount - txn.fee);
  });

  test('below the minimum: usd 49 → amount_too_small on amount', async () => {
    const stripe = newClient();
    const err = await expectStripeError(stripe.paymentIntents.create({ amount: 49, currency: 'usd', ...card }), {
      type: 'StripeInvalidRequestError',
      statusCode: 400,
      code: 'amount_too_small',
      param: 'amount',
    });
    assert.match(err.message, /0\.50/);
    const ok = await stripe.paymentIntents.create({ amount: 50, currency: 'usd', ...card });
    assert.equal(ok.amount, 50);
  });

  test('unsupported currency → 400 on currency', async () => {
    const stripe = newClient();
    await expectStripeError(stripe.paymentIntents.create({ amount: 2000, currency: 'xyz', ...card }), {
      type: 'StripeInvalidRequestError',
      statusCode: 400,
      param: 'currency',
    });
  });
});
