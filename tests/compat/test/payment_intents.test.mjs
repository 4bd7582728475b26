// PaymentIntents (card): create, confirm, capture (full and partial), cancel, state errors, and a
// decline followed by a successful retry on the same intent. STRIPE_BEHAVIOR §11, §13.
// Update, list, search, publishable keys and amounts: payment_intents_params.test.mjs.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { expectStripeError, newClient } from './helpers.mjs';

// Card-only intents: since 2023-08-16 an intent created without payment_method_types enables
// automatic_payment_methods with allow_redirects=always, and confirming it needs a return_url.
const card = { allowed_payment_method_types: ['card'] };
const pay = (stripe, params = {}) =>
  stripe.paymentIntents.create({ amount: 2000, currency: 'usd', ...card, payment_method: 'pm_card_visa', confirm: true, ...params });

describe('payment intent create', () => {
  test('without a payment method → requires_payment_method with a client secret', async () => {
    const stripe = newClient();
    const pi = await stripe.paymentIntents.create({ amount: 2000, currency: 'usd', ...card });
    assert.match(pi.id, /^pi_[A-Za-z0-9]+$/);
    assert.equal(pi.object, 'payment_intent');
    assert.equal(pi.status, 'requires_payment_method');
    assert.equal(pi.amount, 2000);
    assert.equal(pi.currency, 'usd');
    assert.deepEqual(pi.payment_method_types, ['card']);
    assert.equal(pi.capture_method, 'automatic_async'); // the default since API 2024-04-10
    assert.equal(pi.amount_received, 0);
    assert.equal(pi.amount_capturable, 0);
    assert.equal(pi.latest_charge, null);
    assert.equal(pi.payment_method, null);
    assert.equal(pi.last_payment_error, null);
    assert.equal(pi.canceled_at, null);
    assert.equal(pi.livemode, false);
    assert.deepEqual(pi.metadata, {});
    assert.ok(pi.client_secret.startsWith(`${pi.id}_secret_`), pi.client_secret);
    assert.match(pi.client_secret, /^pi_[A-Za-z0-9]+_secret_[A-Za-z0-9]+$/);
  });

  test('without payment_method_types → automatic_payment_methods enabled by default', async () => {
    const stripe = newClient();
    const pi = await stripe.paymentIntents.create({ amount: 1500, currency: 'usd' });
    assert.equal(pi.status, 'requires_payment_method');
    assert.equal(pi.automatic_payment_methods?.enabled, true);
    assert.ok(pi.payment_method_types.includes('card'), JSON.stringify(pi.payment_method_types));
  });

  test('automatic payment methods: confirm needs a return_url unless allow_redirects=never', async () => {
    const stripe = newClient();
    const err = await expectStripeError(
      stripe.paymentIntents.create({ amount: 1500, currency: 'usd', payment_method: 'pm_card_visa', confirm: true }),
      { type: 'StripeInvalidRequestError', statusCode: 400 },
    );
    assert.match(err.message, /return_url/);
    const pi = await stripe.paymentIntents.create({
      amount: 1500,
      currency: 'usd',
      automatic_payment_methods: { enabled: true, allow_redirects: 'never' },
      payment_method: 'pm_card_visa',
      confirm: true,
    });
    assert.equal(pi.status, 'succeeded');
  });

  test('with payment_method but no confirm → requires_confirmation', async () => {
    const stripe = newClient();
    const pi = await stripe.paymentIntents.create({ amount: 2000, currency: 'usd', ...card, payment_method: 'pm_card_visa' });
    assert.equal(pi.status, 'requires_confirmation');
    assert.match(pi.payment_method, /^pm_/);
    const confirmed = await stripe.paymentIntents.confirm(pi.id);
    assert.equal(confirmed.status, 'succeeded');
  });
});

describe('confirm and charge', () => {
  test('create + confirm with pm_card_visa → succeeded, and the charge is captured and booked', async () => {
    const stripe = newClient();
    const pi = await pay(stripe);
    assert.equal(pi.status, 'succeeded');
    assert.equal(pi.amount_received, 2000);
    assert.equal(pi.amount_capturable, 0);
    assert.match(pi.latest_charge, /^ch_/);
    assert.match(pi.payment_method, /^pm_/);
    assert.notEqual(pi.payment_method, 'pm_card_visa', 'the alias becomes a fresh pm_ object');
    assert.equal(pi.last_payment_error, null);
    assert.equal(pi.next_action, null);

    const ch = await stripe.charges.retrieve(pi.latest_charge);
    assert.equal(ch.object, 'charge');
    assert.equal(ch.status, 'succeeded');
    assert.equal(ch.captured, true);
    assert.equal(ch.paid, true);
    assert.equal(ch.refunded, false);
    assert.equal(ch.amount, 2000);
    assert.equal(ch.amount_captured, 2000);
    assert.equal(ch.amount_refunded, 0);
    assert.equal(ch.currency, 'usd');
    assert.equal(ch.payment_intent, pi.id);
    assert.equal(ch.payment_method, pi.payment_method);
    assert.match(ch.balance_transaction, /^txn_/);
    assert.equal(ch.failure_code, null);
    assert.equal(ch.payment_method_details.type, 'card');
    assert.equal(ch.payment_method_details.card.brand, 'visa');
    assert.equal(ch.payment_method_details.card.last4, '4242');
    assert.equal(ch.outcome.type, 'authorized');
    assert.equal(ch.outcome.network_status, 'approved_by_network');
    assert.equal(ch.outcome.risk_level, 'normal');
  });

  test('manual capture: requires_capture, then a full capture succeeds', async () => {
    const stripe = newClient();
    const pi = await pay(stripe, { capture_method: 'manual' });
    assert.equal(pi.status, 'requires_capture');
    assert.equal(pi.amount_capturable, 2000);
    assert.equal(pi.amount_received, 0);
    const auth = await stripe.charges.retrieve(pi.latest_charge);
    assert.equal(auth.captured, false);
    assert.equal(auth.paid, true);
    assert.equal(auth.status, 'succeeded');
    assert.equal(auth.amount_captured, 0);

    const captured = await stripe.paymentIntents.capture(pi.id);
    assert.equal(captured.status, 'succeeded');
    assert.equal(captured.amount_received, 2000);
    assert.equal(captured.amount_capturable, 0);
    const ch = await stripe.charges.retrieve(pi.latest_charge);
    assert.equal(ch.captured, true);
    assert.equal(ch.amount_captured, 2000);
    assert.match(ch.balance_transaction, /^txn_/);
  });

  test('partial capture: amount_received is the captured part, the remainder is refunded', async () => {
    const stripe = newClient();
    const pi = await pay(stripe, { amount: 1000, capture_method: 'manual' });
    const captured = await stripe.paymentIntents.capture(pi.id, { amount_to_capture: 600 });
    assert.equal(captured.status, 'succeeded');
    assert.equal(captured.amount_received, 600);
    assert.equal(captured.amount_capturable, 0);
    const ch = await stripe.charges.retrieve(captured.latest_charge);
    assert.equal(ch.captured, true);
    assert.equal(ch.amount_captured, 600);
    assert.equal(ch.amount_refunded, 400);
    assert.equal(ch.refunded, false, 'refunded is true only when fully refunded');
  });

  test('cancel with a reason → canceled with canceled_at', async () => {
    const stripe = newClient();
    const pi = await stripe.paymentIntents.create({ amount: 2000, currency: 'usd', ...card });
    const canceled = await stripe.paymentIntents.cancel(pi.id, { cancellation_reason: 'requested_by_customer' });
    assert.equal(canceled.status, 'canceled');
    assert.equal(canceled.cancellation_reason, 'requested_by_customer');
    assert.ok(Number.isInteger(canceled.canceled_at) && canceled.canceled_at >= pi.created);
  });

  test('cancel of an authorized intent releases the hold', async () => {
    const stripe = newClient();
    const pi = await pay(stripe, { capture_method: 'manual' });
    const canceled = await stripe.paymentIntents.cancel(pi.id);
    assert.equal(canceled.status, 'canceled');
    assert.equal(canceled.amount_capturable, 0);
    const ch = await stripe.charges.retrieve(pi.latest_charge);
    assert.equal(ch.captured, false);
    assert.equal(ch.amount_refunded, 2000);
    assert.equal(ch.refunded, true);
  });

  test('confirm, capture and cancel of a succeeded intent → payment_intent_unexpected_state', async () => {
    const stripe = newClient();
    const pi = await pay(stripe);
    for (const call of [
      () => stripe.paymentIntents.confirm(pi.id),
      () => stripe.paymentIntents.capture(pi.id),
      () => stripe.paymentIntents.cancel(pi.id),
    ]) {
      const err = await expectStripeError(call(), {
        type: 'StripeInvalidRequestError',
        statusCode: 400,
        code: 'payment_intent_unexpected_state',
      });
      assert.equal(err.raw.payment_intent?.id, pi.id);
      assert.equal(err.raw.payment_intent.status, 'succeeded');
    }
  });

  test('a canceled intent cannot be confirmed, and a succeeded one cannot change its amount', async () => {
    const stripe = newClient();
    const pi = await stripe.paymentIntents.create({ amount: 2000, currency: 'usd', ...card });
    await stripe.paymentIntents.cancel(pi.id);
    const err = await expectStripeError(stripe.paymentIntents.confirm(pi.id, { payment_method: 'pm_card_visa' }), {
      type: 'StripeInvalidRequestError',
      code: 'payment_intent_unexpected_state',
    });
    assert.equal(err.raw.payment_intent?.status, 'canceled');
    const paid = await pay(stripe);
    await expectStripeError(stripe.paymentIntents.update(paid.id, { amount: 3000 }), {
      type: 'StripeInvalidRequestError',
      code: 'payment_intent_unexpected_state',
    });
    assert.equal((await stripe.paymentIntents.update(paid.id, { metadata: { after: 'yes' } })).metadata.after, 'yes');
  });

  test('a decline, then a successful retry on the same intent', async () => {
    const stripe = newClient();
    const pi = await stripe.paymentIntents.create({ amount: 3000, currency: 'usd', ...card });
    const err = await expectStripeError(stripe.paymentIntents.confirm(pi.id, { payment_method: 'pm_card_chargeDeclined' }), {
      type: 'StripeCardError',
      rawType: 'card_error',
      statusCode: 402,
      code: 'card_declined',
      declineCode: 'generic_decline',
    });
    assert.equal(err.raw.payment_intent.id, pi.id);
    assert.equal(err.raw.payment_intent.status, 'requires_payment_method');
    assert.equal(err.raw.payment_intent.last_payment_error.decline_code, 'generic_decline');
    assert.equal(err.raw.payment_intent.last_payment_error.code, 'card_declined');
    assert.match(err.raw.charge, /^ch_/);
    assert.equal(err.raw.payment_intent.latest_charge, err.raw.charge);

    const ok = await stripe.paymentIntents.confirm(pi.id, { payment_method: 'pm_card_visa' });
    assert.equal(ok.status, 'succeeded');
    assert.equal(ok.amount_received, 3000);
    assert.notEqual(ok.latest_charge, err.raw.charge);

    const charges = await stripe.charges.list({ payment_intent: pi.id });
    assert.equal(charges.data.length, 2);
    assert.deepEqual(charges.data.map((c) => c.status), ['succeeded', 'failed'], 'newest first');
    assert.deepEqual(charges.data.map((c) => c.id), [ok.latest_charge, err.raw.charge]);
  });
});
