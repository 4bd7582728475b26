// Declining test cards (STRIPE_BEHAVIOR §18.3, §18.4, §13): every decline alias through
// paymentIntents.create({confirm: true}), the error stripe-node raises, the failed charge it leaves
// behind, and the intent's last_payment_error; plus the legacy charges.create({source: tok_...}).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { expectStripeError, newClient } from './helpers.mjs';

const issuer = 'issuer_declined';
// [payment method alias, error code, decline_code, outcome.type, error param]
const cases = [
  ['pm_card_visa_chargeDeclined', 'card_declined', 'generic_decline', issuer],
  ['pm_card_visa_chargeDeclinedInsufficientFunds', 'card_declined', 'insufficient_funds', issuer],
  ['pm_card_visa_chargeDeclinedLostCard', 'card_declined', 'lost_card', issuer],
  ['pm_card_visa_chargeDeclinedStolenCard', 'card_declined', 'stolen_card', issuer],
  ['pm_card_chargeDeclinedExpiredCard', 'expired_card', 'expired_card', issuer],
  ['pm_card_chargeDeclinedIncorrectCvc', 'incorrect_cvc', 'incorrect_cvc', issuer, 'cvc'],
  ['pm_card_chargeDeclinedProcessingError', 'processing_error', 'processing_error', issuer],
  ['pm_card_visa_chargeDeclinedVelocityLimitExceeded', 'card_declined', 'card_velocity_exceeded', issuer],
  ['pm_card_radarBlock', 'card_declined', 'fraudulent', 'blocked'],
  // Spellings without `visa_` behave the same (§18.3).
  ['pm_card_chargeDeclined', 'card_declined', 'generic_decline', issuer],
  ['pm_card_chargeDeclinedInsufficientFunds', 'card_declined', 'insufficient_funds', issuer],
];

// Checks everything a decline leaves behind; returns the failed charge.
async function checkDecline(stripe, err, { code, declineCode, outcomeType, amount }) {
  assert.match(err.raw.charge ?? '', /^ch_/, 'the error names the failed charge');
  assert.equal(err.charge, err.raw.charge);
  const pi = err.raw.payment_intent;
  assert.match(pi?.id ?? '', /^pi_/, 'the error embeds the payment intent');
  assert.equal(pi.status, 'requires_payment_method');
  assert.equal(pi.amount_received, 0);
  assert.equal(pi.latest_charge, err.raw.charge);
  const lpe = pi.last_payment_error;
  assert.equal(lpe.type, 'card_error');
  assert.equal(lpe.code, code);
  assert.equal(lpe.decline_code, declineCode);
  assert.equal(lpe.message, err.message);
  assert.equal(lpe.charge, err.raw.charge);
  assert.match(lpe.payment_method?.id ?? '', /^pm_/, 'last_payment_error embeds the payment method');
  assert.match(err.raw.payment_method?.id ?? '', /^pm_/);

  const again = await stripe.paymentIntents.retrieve(pi.id);
  assert.equal(again.status, 'requires_payment_method');
  assert.equal(again.last_payment_error.decline_code, declineCode);

  const ch = await stripe.charges.retrieve(err.raw.charge);
  assert.equal(ch.status, 'failed');
  assert.equal(ch.paid, false);
  assert.equal(ch.captured, false);
  assert.equal(ch.amount, amount);
  assert.equal(ch.amount_captured, 0);
  assert.equal(ch.balance_transaction, null);
  assert.equal(ch.payment_intent, pi.id);
  assert.equal(ch.failure_code, code);
  assert.equal(ch.failure_message, err.message);
  assert.equal(ch.outcome.type, outcomeType);
  if (outcomeType === issuer) {
    assert.equal(ch.outcome.network_status, 'declined_by_network');
    assert.equal(ch.outcome.reason, declineCode);
  }
  return ch;
}

describe('declines through PaymentIntents', () => {
  for (const [alias, code, declineCode, outcomeType, param] of cases) {
    test(`${alias} → ${code}/${declineCode}, failed charge ${outcomeType}`, async () => {
      const stripe = newClient();
      const err = await expectStripeError(
        stripe.paymentIntents.create({
          amount: 2000,
          currency: 'usd',
          allowed_payment_method_types: ['card'],
          payment_method: alias,
          confirm: true,
        }),
        { type: 'StripeCardError', rawType: 'card_error', statusCode: 402, code, declineCode, ...(param ? { param } : {}) },
      );
      const ch = await checkDecline(stripe, err, { code, declineCode, outcomeType, amount: 2000 });
      if (alias === 'pm_card_radarBlock') {
        assert.equal(ch.outcome.network_status, 'not_sent_to_network');
        assert.equal(ch.outcome.risk_level, 'highest');
        assert.equal(ch.outcome.reason, 'highest_risk_level');
      }
    });
  }

  test('pm_card_chargeCustomerFail: attaching succeeds, charging fails with card_declined', async () => {
    const stripe = newClient();
    const customer = await stripe.customers.create();
    const pm = await stripe.paymentMethods.attach('pm_card_chargeCustomerFail', { customer: customer.id });
    assert.match(pm.id, /^pm_/);
    assert.equal(pm.customer, customer.id);
    const err = await expectStripeError(
      stripe.paymentIntents.create({
        amount: 1200,
        currency: 'usd',
        allowed_payment_method_types: ['card'],
        customer: customer.id,
        payment_method: pm.id,
        confirm: true,
      }),
      { type: 'StripeCardError', statusCode: 402, code: 'card_declined', declineCode: 'generic_decline' },
    );
    await checkDecline(stripe, err, { code: 'card_declined', declineCode: 'generic_decline', outcomeType: issuer, amount: 1200 });
    assert.equal(err.raw.payment_intent.customer, customer.id);
    assert.equal(err.raw.payment_method.id, pm.id);
  });

  test('a declined confirm on an existing intent leaves it retryable', async () => {
    const stripe = newClient();
    const pi = await stripe.paymentIntents.create({ amount: 2000, currency: 'usd', allowed_payment_method_types: ['card'] });
    const err = await expectStripeError(
      stripe.paymentIntents.confirm(pi.id, { payment_method: 'pm_card_visa_chargeDeclinedInsufficientFunds' }),
      { type: 'StripeCardError', code: 'card_declined', declineCode: 'insufficient_funds' },
    );
    assert.equal(err.raw.payment_intent.id, pi.id);
    await checkDecline(stripe, err, {
      code: 'card_declined',
      declineCode: 'insufficient_funds',
      outcomeType: issuer,
      amount: 2000,
    });
  });
});

describe('declines through the legacy Charges API', () => {
  const legacy = [
    ['tok_visa_chargeDeclined', 'card_declined', 'generic_decline'],
    ['tok_visa_chargeDeclinedInsufficientFunds', 'card_declined', 'insufficient_funds'],
    ['tok_chargeDeclinedExpiredCard', 'expired_card', 'expired_card'],
  ];
  for (const [token, code, declineCode] of legacy) {
    test(`charges.create({source: ${token}}) → ${code}/${declineCode}`, async () => {
      const stripe = newClient();
      const err = await expectStripeError(stripe.charges.create({ amount: 1500, currency: 'usd', source: token }), {
        type: 'StripeCardError',
        rawType: 'card_error',
        statusCode: 402,
        code,
        declineCode,
      });
      assert.match(err.raw.charge ?? '', /^ch_/);
      const ch = await stripe.charges.retrieve(err.raw.charge);
      assert.equal(ch.status, 'failed');
      assert.equal(ch.paid, false);
      assert.equal(ch.amount, 1500);
      assert.equal(ch.failure_code, code);
      assert.equal(ch.outcome.type, 'issuer_declined');
      assert.equal(ch.outcome.reason, declineCode);
      assert.equal(ch.payment_intent, null, 'a legacy charge has no payment intent');
    });
  }

  test('charges.create({source: tok_visa}) succeeds as a control', async () => {
    const stripe = newClient();
    const ch = await stripe.charges.create({ amount: 1500, currency: 'usd', source: 'tok_visa' });
    assert.match(ch.id, /^ch_/);
    assert.equal(ch.status, 'succeeded');
    assert.equal(ch.paid, true);
    assert.equal(ch.captured, true);
    assert.match(ch.balance_transaction, /^txn_/);
    assert.equal(ch.payment_method_details.card.brand, 'visa');
    assert.equal(ch.outcome.type, 'authorized');
  });
});
