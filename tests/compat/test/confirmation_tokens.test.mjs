// ConfirmationTokens through stripe-node: the server side of Stripe.js's createConfirmationToken (docs/stripe-js.md).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newClient } from './helpers.mjs';

test('a test-helper ConfirmationToken confirms a PaymentIntent once, and retrieve shows what it confirmed', async () => {
  const stripe = newClient();
  const token = await stripe.testHelpers.confirmationTokens.create({ payment_method: 'pm_card_visa', return_url: 'https://shop.example/done' });
  assert.match(token.id, /^ctoken_/);
  assert.equal(token.object, 'confirmation_token');
  assert.equal(token.payment_method_preview.card.brand, 'visa');
  assert.equal(token.payment_intent, null);
  const pi = await stripe.paymentIntents.create({ amount: 1200, currency: 'usd', confirm: true, confirmation_token: token.id });
  assert.equal(pi.status, 'succeeded');
  const used = await stripe.confirmationTokens.retrieve(token.id);
  assert.equal(used.payment_intent, pi.id);
  await assert.rejects(
    stripe.paymentIntents.create({ amount: 1200, currency: 'usd', confirm: true, confirmation_token: token.id }),
    (err) => err.type === 'StripeInvalidRequestError' && err.param === 'confirmation_token');
});

test('confirm with a ConfirmationToken of a declining card answers the decline', async () => {
  const stripe = newClient();
  const token = await stripe.testHelpers.confirmationTokens.create({ payment_method: 'pm_card_chargeDeclined' });
  const pi = await stripe.paymentIntents.create({ amount: 1200, currency: 'usd', automatic_payment_methods: { enabled: true, allow_redirects: 'never' } });
  await assert.rejects(stripe.paymentIntents.confirm(pi.id, { confirmation_token: token.id }),
    (err) => err.type === 'StripeCardError' && err.code === 'card_declined');
});
