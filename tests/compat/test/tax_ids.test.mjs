// Customer tax IDs through stripe-node (docs/credit-notes.md): tax_id_data on create, the nested and top-level
// resources, test-mode verification (the emulator's clock advanced through /_mock), invoices' customer_tax_ids, and
// refusals. Counterpart of Stripe.net's TaxIdTests.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { expectStripeError, newClient, raw } from './helpers.mjs';

describe('customer tax IDs', () => {
  test('created, verified by test value, listed, copied to an invoice and deleted', async () => {
    const stripe = newClient();
    const customer = await stripe.customers.create({
      email: 'vat@example.com', tax_id_data: [{ type: 'gb_vat', value: 'GB111111111' }],
    });
    const abn = await stripe.customers.createTaxId(customer.id, { type: 'au_abn', value: '12000000000' });
    assert.match(abn.id, /^txi_/);
    assert.deepEqual([abn.object, abn.country, abn.verification.status, abn.owner.type], ['tax_id', 'AU', 'pending', 'customer']);
    const listed = await stripe.customers.listTaxIds(customer.id);
    assert.deepEqual(listed.data.map((t) => t.type), ['au_abn', 'gb_vat']);

    const advanced = await raw('POST', '/_mock/clock/advance', { key: stripe.secretKey, body: { seconds: 61 } });
    assert.equal(advanced.status, 200);
    assert.equal((await stripe.taxIds.retrieve(abn.id)).verification.status, 'verified');
    assert.equal((await stripe.customers.retrieveTaxId(customer.id, listed.data[1].id)).verification.status, 'unverified');

    await stripe.invoiceItems.create({ customer: customer.id, amount: 1200, currency: 'gbp' });
    const draft = await stripe.invoices.create({ customer: customer.id, pending_invoice_items_behavior: 'include', collection_method: 'send_invoice', days_until_due: 7 });
    const inv = await stripe.invoices.finalizeInvoice(draft.id);
    assert.deepEqual(inv.customer_tax_ids, [{ type: 'gb_vat', value: 'GB111111111' }, { type: 'au_abn', value: '12000000000' }]);

    const deleted = await stripe.customers.deleteTaxId(customer.id, abn.id);
    assert.equal(deleted.deleted, true);
    assert.equal((await stripe.customers.listTaxIds(customer.id)).data.length, 1);
  });

  test('merchant tax IDs and refusals', async () => {
    const stripe = newClient();
    const mine = await stripe.taxIds.create({ type: 'eu_vat', value: 'NL123456789B01', owner: { type: 'self' } });
    assert.deepEqual([mine.owner.type, mine.customer, mine.country], ['self', null, 'NL']);
    assert.ok((await stripe.taxIds.list()).data.some((t) => t.id === mine.id));
    const customer = await stripe.customers.create({});
    await expectStripeError(stripe.customers.createTaxId(customer.id, { type: 'us_ein', value: '1234' }), { statusCode: 400, code: 'tax_id_invalid', param: 'value' });
    await expectStripeError(stripe.customers.createTaxId(customer.id, { type: 'zz_tin', value: '1234' }), { statusCode: 400, param: 'type' });
    await expectStripeError(stripe.customers.create({ tax_id_data: [{ type: 'eu_vat', value: 'DE1' }] }), { statusCode: 400, param: 'tax_id_data[0][value]' });
    assert.equal((await stripe.taxIds.del(mine.id)).deleted, true);
  });
});
