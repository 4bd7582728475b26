// PaymentMethods: creation from raw numbers and tokens, card validation errors, test aliases,
// attach/detach, update, and the test-card catalogue.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { NEXT_YEAR, cardParams, expectStripeError, newClient } from './helpers.mjs';

const fromNumber = (stripe, number, extra) =>
  stripe.paymentMethods.create({ type: 'card', card: cardParams(number, extra) });

describe('payment method creation', () => {
  test('card from a raw number: brand, last4, fingerprint, and no PAN in the response', async () => {
    const stripe = newClient();
    const pm = await fromNumber(stripe, '4242424242424242');
    assert.match(pm.id, /^pm_[A-Za-z0-9]+$/);
    assert.equal(pm.object, 'payment_method');
    assert.equal(pm.type, 'card');
    assert.equal(pm.livemode, false);
    assert.equal(pm.customer, null);
    assert.deepEqual(pm.metadata, {});
    assert.ok(Number.isInteger(pm.created));
    assert.equal(pm.card.brand, 'visa');
    assert.equal(pm.card.last4, '4242');
    assert.equal(pm.card.exp_month, 12);
    assert.equal(pm.card.exp_year, NEXT_YEAR);
    assert.equal(pm.card.funding, 'credit');
    assert.equal(pm.card.country, 'US');
    assert.equal(typeof pm.card.fingerprint, 'string');
    assert.ok(pm.card.fingerprint.length > 0);
    assert.deepEqual(pm.billing_details, {
      address: { city: null, country: null, line1: null, line2: null, postal_code: null, state: null },
      email: null,
      name: null,
      phone: null,
      tax_id: null,
    });
    const json = JSON.stringify(pm);
    assert.doesNotMatch(json, /4242424242424242/, 'the full number never comes back');
    assert.doesNotMatch(json, /"cvc"\s*:\s*"123"/, 'the CVC never comes back');
  });

  test('fingerprints: same number → same fingerprint; other number → different', async () => {
    const stripe = newClient();
    const a = await fromNumber(stripe, '4242424242424242');
    const b = await fromNumber(stripe, '4242424242424242', { exp_month: 6 });
    const c = await fromNumber(stripe, '5555555555554444');
    assert.notEqual(a.id, b.id);
    assert.equal(a.card.fingerprint, b.card.fingerprint);
    assert.notEqual(a.card.fingerprint, c.card.fingerprint);
    assert.equal(c.card.brand, 'mastercard');
  });

  const invalid = [
    ['Luhn failure', { number: '4242424242424241' }, 'incorrect_number', 'number'],
    ['expiry month 13', { exp_month: 13 }, 'invalid_expiry_month', 'exp_month'],
    ['expiry year in the past', { exp_year: 2015 }, 'invalid_expiry_year', 'exp_year'],
    ['two-digit CVC', { cvc: '99' }, 'invalid_cvc', 'cvc'],
  ];
  for (const [name, override, code, param] of invalid) {
    test(`${name} → 402 card_error ${code}`, async () => {
      const stripe = newClient();
      const card = { ...cardParams('4242424242424242'), ...override };
      const err = await expectStripeError(stripe.paymentMethods.create({ type: 'card', card }), {
        type: 'StripeCardError',
        rawType: 'card_error',
        statusCode: 402,
        code,
        param,
      });
      assert.ok(err.message.length > 0);
    });
  }

  test('card from a token alias', async () => {
    const stripe = newClient();
    const pm = await stripe.paymentMethods.create({ type: 'card', card: { token: 'tok_visa' } });
    assert.match(pm.id, /^pm_/);
    assert.equal(pm.card.brand, 'visa');
    assert.equal(pm.card.last4, '4242');
  });

  test('retrieving a pm_card_* alias yields a real pm_ object', async () => {
    const stripe = newClient();
    const pm = await stripe.paymentMethods.retrieve('pm_card_visa');
    assert.match(pm.id, /^pm_/);
    assert.notEqual(pm.id, 'pm_card_visa');
    assert.equal(pm.object, 'payment_method');
    assert.equal(pm.card.brand, 'visa');
    assert.equal(pm.card.last4, '4242');
  });
});

describe('attach and detach', () => {
  test('attaching pm_card_visa creates a fresh pm_ on the customer each time', async () => {
    const stripe = newClient();
    const customer = await stripe.customers.create();
    const a = await stripe.paymentMethods.attach('pm_card_visa', { customer: customer.id });
    const b = await stripe.paymentMethods.attach('pm_card_visa', { customer: customer.id });
    for (const pm of [a, b]) {
      assert.match(pm.id, /^pm_/);
      assert.notEqual(pm.id, 'pm_card_visa');
      assert.equal(pm.customer, customer.id);
      assert.equal(pm.card.brand, 'visa');
    }
    assert.notEqual(a.id, b.id);
    const list = await stripe.customers.listPaymentMethods(customer.id);
    assert.deepEqual(list.data.map((p) => p.id).sort(), [a.id, b.id].sort());
  });

  test('attach sets customer, detach clears it; both list endpoints follow', async () => {
    const stripe = newClient();
    const customer = await stripe.customers.create();
    const pm = await fromNumber(stripe, '4242424242424242');

    const attached = await stripe.paymentMethods.attach(pm.id, { customer: customer.id });
    assert.equal(attached.id, pm.id);
    assert.equal(attached.customer, customer.id);
    assert.equal((await stripe.paymentMethods.retrieve(pm.id)).customer, customer.id);

    const viaPm = await stripe.paymentMethods.list({ customer: customer.id, type: 'card' });
    assert.equal(viaPm.object, 'list');
    assert.deepEqual(viaPm.data.map((p) => p.id), [pm.id]);
    const viaCustomer = await stripe.customers.listPaymentMethods(customer.id);
    assert.deepEqual(viaCustomer.data.map((p) => p.id), [pm.id]);
    const one = await stripe.customers.retrievePaymentMethod(customer.id, pm.id);
    assert.equal(one.id, pm.id);

    const detached = await stripe.paymentMethods.detach(pm.id);
    assert.equal(detached.id, pm.id);
    assert.equal(detached.customer, null);
    assert.equal((await stripe.paymentMethods.list({ customer: customer.id, type: 'card' })).data.length, 0);
    assert.equal((await stripe.customers.listPaymentMethods(customer.id)).data.length, 0);
  });

  test('detaching a PM that is not attached → 400', async () => {
    const stripe = newClient();
    const pm = await fromNumber(stripe, '4242424242424242');
    await expectStripeError(stripe.paymentMethods.detach(pm.id), {
      type: 'StripeInvalidRequestError',
      statusCode: 400,
    });
  });

  test('attaching to an unknown customer → 404 resource_missing', async () => {
    const stripe = newClient();
    const pm = await fromNumber(stripe, '4242424242424242');
    await expectStripeError(stripe.paymentMethods.attach(pm.id, { customer: 'cus_missing' }), {
      type: 'StripeInvalidRequestError',
      code: 'resource_missing',
    });
  });

  test('attaching a declining card → 402 card_declined', async () => {
    const stripe = newClient();
    const customer = await stripe.customers.create();
    const err = await expectStripeError(stripe.paymentMethods.attach('pm_card_chargeDeclined', { customer: customer.id }), {
      type: 'StripeCardError',
      rawType: 'card_error',
      statusCode: 402,
      code: 'card_declined',
      declineCode: 'generic_decline',
    });
    assert.match(err.message, /declined/i);
    assert.equal((await stripe.customers.listPaymentMethods(customer.id)).data.length, 0);

    const pm = await fromNumber(stripe, '4000000000009995');
    await expectStripeError(stripe.paymentMethods.attach(pm.id, { customer: customer.id }), {
      type: 'StripeCardError',
      code: 'card_declined',
      declineCode: 'insufficient_funds',
    });
  });

  test('pm_card_chargeCustomerFail attaches fine', async () => {
    const stripe = newClient();
    const customer = await stripe.customers.create();
    const pm = await stripe.paymentMethods.attach('pm_card_chargeCustomerFail', { customer: customer.id });
    assert.equal(pm.customer, customer.id);
    assert.equal(pm.card.last4, '0341');
  });
});

describe('update', () => {
  test('an unattached PaymentMethod cannot be updated', async () => {
    const stripe = newClient();
    const pm = await fromNumber(stripe, '4242424242424242');
    const err = await expectStripeError(stripe.paymentMethods.update(pm.id, { metadata: { a: 'b' } }), {
      type: 'StripeInvalidRequestError',
      statusCode: 400,
    });
    assert.match(err.message, /save this PaymentMethod to a customer/);
  });

  test('billing_details, metadata and card expiry', async () => {
    const stripe = newClient();
    const pm = await fromNumber(stripe, '4242424242424242', { exp_month: 1 });
    const customer = await stripe.customers.create();
    await stripe.paymentMethods.attach(pm.id, { customer: customer.id });
    const u = await stripe.paymentMethods.update(pm.id, {
      billing_details: { name: 'Jenny Rosen', email: 'jenny@example.com', address: { postal_code: '94107', country: 'US' } },
      metadata: { ref: 'abc' },
      card: { exp_month: 11 },
    });
    assert.equal(u.billing_details.name, 'Jenny Rosen');
    assert.equal(u.billing_details.email, 'jenny@example.com');
    assert.equal(u.billing_details.address.postal_code, '94107');
    assert.equal(u.billing_details.address.country, 'US');
    assert.equal(u.billing_details.address.city, null);
    assert.deepEqual(u.metadata, { ref: 'abc' });
    assert.equal(u.card.exp_month, 11);
    assert.equal(u.card.last4, '4242');
    const got = await stripe.paymentMethods.retrieve(pm.id);
    assert.equal(got.card.exp_month, 11);
    assert.equal(got.billing_details.name, 'Jenny Rosen');
  });
});

describe('test-card catalogue', () => {
  const aliases = [
    ['pm_card_mastercard', { brand: 'mastercard', last4: '4444', funding: 'credit', country: 'US' }],
    ['pm_card_amex', { brand: 'amex', last4: '0005', funding: 'credit', country: 'US' }],
    ['pm_card_visa_debit', { brand: 'visa', last4: '5556', funding: 'debit', country: 'US' }],
    ['pm_card_mastercard_prepaid', { brand: 'mastercard', last4: '5100', funding: 'prepaid' }],
    ['pm_card_discover', { brand: 'discover', last4: '1117' }],
  ];
  for (const [alias, expected] of aliases) {
    test(`${alias} attaches as ${expected.brand} ${expected.funding ?? ''}`.trim(), async () => {
      const stripe = newClient();
      const customer = await stripe.customers.create();
      const pm = await stripe.paymentMethods.attach(alias, { customer: customer.id });
      for (const [k, v] of Object.entries(expected)) assert.equal(pm.card[k], v, `${alias} card.${k}`);
    });
  }

  const tokens = [
    ['tok_gb', { brand: 'visa', last4: '0000', country: 'GB' }],
    ['tok_mastercard', { brand: 'mastercard', last4: '4444', country: 'US' }],
    ['tok_visa_debit', { brand: 'visa', funding: 'debit' }],
    ['tok_jcb', { brand: 'jcb', last4: '0505' }],
  ];
  for (const [token, expected] of tokens) {
    test(`${token} renders ${JSON.stringify(expected)}`, async () => {
      const stripe = newClient();
      const pm = await stripe.paymentMethods.create({ type: 'card', card: { token } });
      for (const [k, v] of Object.entries(expected)) assert.equal(pm.card[k], v, `${token} card.${k}`);
    });
  }
});
