// The card-era customer API older integrations still run on: customer sources (card_), default_source,
// charges on a customer's card, and defect 7 (the same pm_card_ alias as payment_method and default).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { expectStripeError, newClient } from './helpers.mjs';

describe('customer sources', () => {
  test('customers.create({source}) saves a card as the default source', async () => {
    const stripe = newClient();
    const cus = await stripe.customers.create({ source: 'tok_visa', email: 'jenny@example.com' });
    assert.match(cus.default_source, /^card_/);
    assert.equal(cus.sources, undefined, 'sources only when expanded');
    const card = await stripe.customers.retrieveSource(cus.id, cus.default_source);
    assert.equal(card.object, 'card');
    assert.equal(card.brand, 'Visa');
    assert.equal(card.last4, '4242');
    assert.equal(card.customer, cus.id);
    assert.equal(card.funding, 'credit');
    assert.ok(Number.isInteger(card.exp_year));
    assert.ok(card.fingerprint);
  });

  test('createSource, updateSource, listSources, deleteSource', async () => {
    const stripe = newClient();
    const cus = await stripe.customers.create();
    const first = await stripe.customers.createSource(cus.id, { source: 'tok_visa', metadata: { k: 'v' } });
    assert.equal(first.object, 'card');
    assert.deepEqual(first.metadata, { k: 'v' });
    const second = await stripe.customers.createSource(cus.id, { source: 'tok_mastercard' });
    assert.equal(second.brand, 'MasterCard');
    assert.equal((await stripe.customers.retrieve(cus.id)).default_source, first.id, 'the first card stays the default');

    const updated = await stripe.customers.updateSource(cus.id, first.id, { exp_month: '4', exp_year: '2034', name: 'Jenny Rosen' });
    assert.equal(updated.exp_month, 4);
    assert.equal(updated.exp_year, 2034);
    assert.equal(updated.name, 'Jenny Rosen');

    const page = await stripe.customers.listSources(cus.id, { object: 'card', limit: 1 });
    assert.equal(page.object, 'list');
    assert.equal(page.has_more, true);
    assert.equal(page.data[0].id, second.id);
    const all = [];
    for await (const card of stripe.customers.listSources(cus.id, { object: 'card', limit: 1 })) all.push(card.id);
    assert.deepEqual(all, [second.id, first.id]);

    const deleted = await stripe.customers.deleteSource(cus.id, first.id);
    assert.deepEqual({ id: deleted.id, object: deleted.object, deleted: deleted.deleted }, { id: first.id, object: 'card', deleted: true });
    assert.equal((await stripe.customers.retrieve(cus.id)).default_source, second.id, 'the most recent card becomes the default');
    await expectStripeError(stripe.customers.retrieveSource(cus.id, first.id), { statusCode: 404, code: 'resource_missing' });
  });

  test('default_source switches and expands; sources expand', async () => {
    const stripe = newClient();
    const cus = await stripe.customers.create({ source: 'tok_visa' });
    const amex = await stripe.customers.createSource(cus.id, { source: 'tok_amex' });
    const switched = await stripe.customers.update(cus.id, { default_source: amex.id, expand: ['default_source', 'sources'] });
    assert.equal(switched.default_source.id, amex.id);
    assert.equal(switched.default_source.brand, 'American Express');
    assert.equal(switched.sources.object, 'list');
    assert.equal(switched.sources.data.length, 2);
    const events = await stripe.events.list({ type: 'customer.updated' });
    assert.equal(events.data[0].data.previous_attributes.default_source, cus.default_source);
    assert.equal((await stripe.events.list({ type: 'customer.source.created' })).data.length, 2);
  });

  test('charges.create({customer}) charges the default source', async () => {
    const stripe = newClient();
    const cus = await stripe.customers.create({ source: 'tok_visa' });
    const ch = await stripe.charges.create({ customer: cus.id, amount: 2000, currency: 'usd' });
    assert.equal(ch.status, 'succeeded');
    assert.equal(ch.customer, cus.id);
    assert.equal(ch.payment_method, cus.default_source);
    assert.equal(ch.source.object, 'card');
    assert.equal(ch.source.id, cus.default_source);
    assert.equal(ch.payment_method_details.card.last4, '4242');
  });

  test('a decline card cannot be saved; a chargeCustomerFail card saves and its charges decline', async () => {
    const stripe = newClient();
    await expectStripeError(stripe.customers.create({ source: 'tok_chargeDeclined' }),
      { type: 'StripeCardError', code: 'card_declined', statusCode: 402 });
    assert.equal((await stripe.customers.list()).data.length, 0);

    const cus = await stripe.customers.create({ source: 'tok_chargeCustomerFail' });
    await expectStripeError(stripe.charges.create({ customer: cus.id, amount: 2000, currency: 'usd' }),
      { type: 'StripeCardError', code: 'card_declined', statusCode: 402 });
    const failed = (await stripe.charges.list({ customer: cus.id })).data[0];
    assert.equal(failed.status, 'failed');
    assert.equal(failed.source.id, cus.default_source);
  });

  test('missing source and an unknown card are Stripe errors with their param', async () => {
    const stripe = newClient();
    const cus = await stripe.customers.create();
    await expectStripeError(stripe.customers.createSource(cus.id, {}), { statusCode: 400, code: 'parameter_missing', param: 'source' });
    await expectStripeError(stripe.customers.retrieveSource(cus.id, 'card_nope'), { statusCode: 404, code: 'resource_missing', param: 'id' });
  });
});

describe('defect 7', () => {
  test('payment_method and invoice_settings.default_payment_method naming one pm_card_ alias', async () => {
    const stripe = newClient();
    const cus = await stripe.customers.create({
      payment_method: 'pm_card_visa',
      invoice_settings: { default_payment_method: 'pm_card_visa' },
    });
    assert.match(cus.invoice_settings.default_payment_method, /^pm_/);
    assert.notEqual(cus.invoice_settings.default_payment_method, 'pm_card_visa');
    const pms = await stripe.customers.listPaymentMethods(cus.id);
    assert.deepEqual(pms.data.map((p) => p.id), [cus.invoice_settings.default_payment_method]);
  });
});
