// Credit notes through stripe-node (docs/credit-notes.md): a refund plus balance credit on a paid invoice that the next
// invoice consumes; a pre-payment note on an open invoice, previewed (with its lines), listed, updated and voided; the
// refusals. Counterpart of Stripe.net's CreditNoteTests.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { expectStripeError, newClient } from './helpers.mjs';

async function customerWithCard(stripe) {
  const customer = await stripe.customers.create({ email: 'notes@example.com' });
  const pm = await stripe.paymentMethods.attach('pm_card_visa', { customer: customer.id });
  await stripe.customers.update(customer.id, { invoice_settings: { default_payment_method: pm.id } });
  return customer;
}

async function openInvoice(stripe, customer, amount, extra = {}) {
  await stripe.invoiceItems.create({ customer: customer.id, amount, currency: 'usd', description: 'Consulting' });
  const draft = await stripe.invoices.create({ customer: customer.id, pending_invoice_items_behavior: 'include', ...extra });
  return stripe.invoices.finalizeInvoice(draft.id, { auto_advance: false });
}

describe('credit notes', () => {
  test('a refund and a balance credit on a paid invoice; the credit lowers the next invoice', async () => {
    const stripe = newClient();
    const customer = await customerWithCard(stripe);
    const inv = await stripe.invoices.pay((await openInvoice(stripe, customer, 5000)).id);
    assert.equal(inv.status, 'paid');

    const note = await stripe.creditNotes.create({
      invoice: inv.id, amount: 3000, refund_amount: 2000, credit_amount: 1000, reason: 'duplicate', metadata: { order: '17' },
    });
    assert.match(note.id, /^cn_/);
    assert.equal(note.object, 'credit_note');
    assert.equal(note.number, `${inv.number}-CN-01`);
    assert.equal(note.type, 'post_payment');
    assert.equal(note.post_payment_amount, 3000);
    assert.equal(note.refunds.length, 1);
    assert.equal(note.refunds[0].amount_refunded, 2000);

    const refund = await stripe.refunds.retrieve(note.refunds[0].refund);
    assert.equal(refund.reason, 'duplicate');
    const charge = await stripe.charges.retrieve(refund.charge);
    assert.equal(charge.amount_refunded, 2000);
    const txn = await stripe.customers.retrieveBalanceTransaction(customer.id, note.customer_balance_transaction);
    assert.deepEqual([txn.type, txn.amount, txn.credit_note], ['credit_note', -1000, note.id]);
    assert.equal((await stripe.invoices.retrieve(inv.id)).post_payment_credit_notes_amount, 3000);

    // 2000 is left to credit; more is refused, and so is a split that does not add up.
    await expectStripeError(stripe.creditNotes.create({ invoice: inv.id, amount: 2001, credit_amount: 2001 }), { statusCode: 400, param: 'amount' });
    await expectStripeError(stripe.creditNotes.create({ invoice: inv.id, amount: 100, credit_amount: 50 }), { statusCode: 400, param: 'refund_amount' });

    const next = await openInvoice(stripe, customer, 1500);
    assert.equal(next.starting_balance, -1000);
    assert.equal(next.amount_due, 500);
  });

  test('a note on an open invoice: preview, lines, update, void', async () => {
    const stripe = newClient();
    const customer = await customerWithCard(stripe);
    const inv = await openInvoice(stripe, customer, 4000, { collection_method: 'send_invoice', days_until_due: 30 });
    const lineId = inv.lines.data[0].id;
    const params = { invoice: inv.id, lines: [{ type: 'invoice_line_item', invoice_line_item: lineId, amount: 1500 }] };

    const preview = await stripe.creditNotes.preview(params);
    assert.deepEqual([preview.amount, preview.pre_payment_amount, preview.type], [1500, 1500, 'pre_payment']);
    const previewLines = await stripe.creditNotes.listPreviewLineItems(params);
    assert.equal(previewLines.data[0].invoice_line_item, lineId);
    assert.equal((await stripe.creditNotes.list({ invoice: inv.id })).data.length, 0);

    const note = await stripe.creditNotes.create({ ...params, memo: 'Shorter session' });
    const open = await stripe.invoices.retrieve(inv.id);
    assert.deepEqual([open.amount_due, open.amount_remaining, open.pre_payment_credit_notes_amount], [2500, 2500, 1500]);
    const lines = await stripe.creditNotes.listLineItems(note.id);
    assert.deepEqual(lines.data.map((l) => [l.object, l.amount]), [['credit_note_line_item', 1500]]);
    assert.equal((await stripe.creditNotes.update(note.id, { memo: 'Shorter session (agreed)' })).memo, 'Shorter session (agreed)');
    assert.deepEqual((await stripe.creditNotes.list({ customer: customer.id })).data.map((n) => n.id), [note.id]);

    const voided = await stripe.creditNotes.voidCreditNote(note.id);
    assert.equal(voided.status, 'void');
    assert.equal((await stripe.invoices.retrieve(inv.id)).amount_remaining, 4000);
    await expectStripeError(stripe.creditNotes.voidCreditNote(note.id), { statusCode: 400, code: 'credit_note_already_voided' });

    const draft = await stripe.invoices.create({ customer: customer.id });
    await expectStripeError(stripe.creditNotes.create({ invoice: draft.id, amount: 100 }), { statusCode: 400, param: 'invoice' });
    await expectStripeError(stripe.creditNotes.create({ invoice: inv.id, amount: 100, reason: 'whim' }), { statusCode: 400, param: 'reason' });
  });
});
