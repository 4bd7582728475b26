// Card tokens, token aliases, and what a publishable key may and may not do.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { NEXT_YEAR, cardParams, clientFor, expectStripeError, newClient } from './helpers.mjs';

describe('tokens', () => {
  test('create a card token', async () => {
    const stripe = newClient();
    const tok = await stripe.tokens.create({ card: cardParams('4242424242424242') });
    assert.match(tok.id, /^tok_[A-Za-z0-9]+$/);
    assert.equal(tok.object, 'token');
    assert.equal(tok.type, 'card');
    assert.equal(tok.used, false);
    assert.equal(tok.livemode, false);
    assert.ok(Number.isInteger(tok.created));
    assert.equal(tok.card.object, 'card');
    assert.match(tok.card.id, /^card_/);
    assert.equal(tok.card.last4, '4242');
    assert.equal(tok.card.brand, 'Visa', 'legacy card objects use display-case brands');
    assert.equal(tok.card.exp_month, 12);
    assert.equal(tok.card.exp_year, NEXT_YEAR);
    assert.equal(tok.card.funding, 'credit');
    assert.equal(tok.card.country, 'US');
    assert.equal(typeof tok.card.fingerprint, 'string');
    assert.doesNotMatch(JSON.stringify(tok), /4242424242424242/);
  });

  test('retrieve a token by id', async () => {
    const stripe = newClient();
    const tok = await stripe.tokens.create({ card: cardParams('5555555555554444') });
    const got = await stripe.tokens.retrieve(tok.id);
    assert.equal(got.id, tok.id);
    assert.equal(got.card.id, tok.card.id);
    assert.equal(got.card.brand, 'MasterCard');
    assert.equal(got.card.last4, '4444');
  });

  test('retrieve the tok_visa alias', async () => {
    const stripe = newClient();
    const tok = await stripe.tokens.retrieve('tok_visa');
    assert.match(tok.id, /^tok_/);
    assert.equal(tok.object, 'token');
    assert.equal(tok.type, 'card');
    assert.equal(tok.card.brand, 'Visa');
    assert.equal(tok.card.last4, '4242');
  });

  test('an invalid card number is rejected at tokenization', async () => {
    const stripe = newClient();
    await expectStripeError(stripe.tokens.create({ card: cardParams('4242424242424241') }), {
      type: 'StripeCardError',
      statusCode: 402,
      code: 'incorrect_number',
      param: 'number',
    });
  });

  test('a token is single-use', async () => {
    const stripe = newClient();
    const tok = await stripe.tokens.create({ card: cardParams('4242424242424242') });
    const pm = await stripe.paymentMethods.create({ type: 'card', card: { token: tok.id } });
    assert.equal(pm.card.last4, '4242');
    assert.equal((await stripe.tokens.retrieve(tok.id)).used, true);
    await expectStripeError(stripe.paymentMethods.create({ type: 'card', card: { token: tok.id } }), {
      type: 'StripeInvalidRequestError',
      statusCode: 400,
      code: 'token_already_used',
    });
  });

  test('unknown token → 404 resource_missing', async () => {
    const stripe = newClient();
    await expectStripeError(stripe.tokens.retrieve('tok_doesnotexist123'), {
      type: 'StripeInvalidRequestError',
      statusCode: 404,
      code: 'resource_missing',
    });
  });
});

describe('publishable keys', () => {
  test('a pk_test_ key can create a token that the secret key then uses', async () => {
    const stripe = newClient();
    const publishable = clientFor(stripe.publishableKey);
    const tok = await publishable.tokens.create({ card: cardParams('4242424242424242') });
    assert.match(tok.id, /^tok_/);
    assert.equal(tok.card.last4, '4242');

    const pm = await stripe.paymentMethods.create({ type: 'card', card: { token: tok.id } });
    assert.equal(pm.card.last4, '4242');
    const customer = await stripe.customers.create();
    await stripe.paymentMethods.attach(pm.id, { customer: customer.id });
  });

  test('a pk_test_ key can create a payment method', async () => {
    const stripe = newClient();
    const publishable = clientFor(stripe.publishableKey);
    const pm = await publishable.paymentMethods.create({ type: 'card', card: cardParams('4242424242424242') });
    assert.match(pm.id, /^pm_/);
    const seen = await stripe.paymentMethods.retrieve(pm.id);
    assert.equal(seen.card.last4, '4242');
  });

  test('a pk_test_ key cannot use secret-only endpoints → 401 secret_key_required', async () => {
    const stripe = newClient();
    const publishable = clientFor(stripe.publishableKey);
    const err = await expectStripeError(publishable.customers.list(), {
      type: 'StripeAuthenticationError',
      statusCode: 401,
      code: 'secret_key_required',
    });
    assert.match(err.message, /publishable/i);
    await expectStripeError(publishable.customers.create({ name: 'nope' }), {
      type: 'StripeAuthenticationError',
      code: 'secret_key_required',
    });
  });

  test("another merchant's token is invisible", async () => {
    const a = newClient();
    const b = newClient();
    const tok = await clientFor(a.publishableKey).tokens.create({ card: cardParams('4242424242424242') });
    await expectStripeError(b.tokens.retrieve(tok.id), { statusCode: 404, code: 'resource_missing' });
  });
});
