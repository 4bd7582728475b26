// Disputes (STRIPE_BEHAVIOR §15, §18.6): each dispute test card to won / lost / accepted, with the balance
// adding up at every step (available + pending == Σ net of the balance transactions). Stripe opens the
// dispute "shortly after" the charge, so the tests poll the list instead of assuming it is there at once.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newClient } from './helpers.mjs';

const FEE = 1500; // $15 dispute fee, classic US pricing

async function pay(stripe, pm, amount = 10000) {
  const pi = await stripe.paymentIntents.create({
    amount, currency: 'usd', payment_method: pm, allowed_payment_method_types: ['card'], confirm: true,
  });
  assert.equal(pi.status, 'succeeded');
  return pi;
}

async function disputesOf(stripe, pi, count = 1) {
  for (let i = 0; i < 50; i++) {
    const list = await stripe.disputes.list({ payment_intent: pi.id, limit: 10 });
    if (list.data.length >= count) return list.data;
    await new Promise((r) => setTimeout(r, 200));
  }
  assert.fail(`no dispute for ${pi.id}`);
}

// Checks the ledger invariant and returns Σ net in usd.
async function ledger(stripe) {
  let net = 0;
  for await (const t of stripe.balanceTransactions.list({ limit: 100 })) net += t.net;
  const b = await stripe.balance.retrieve();
  const sum = (xs) => xs.filter((f) => f.currency === 'usd').reduce((s, f) => s + f.amount, 0);
  assert.equal(sum(b.available) + sum(b.pending), net);
  return net;
}

const chargeNet = (amount) => amount - Math.round(amount * 0.029) - 30;

for (const [pm, reason] of [
  ['pm_card_createDispute', 'fraudulent'],
  ['pm_card_createDisputeProductNotReceived', 'product_not_received'],
  ['pm_card_createComplianceDispute', 'noncompliant'],
  ['pm_card_createCe3EligibleDispute', 'fraudulent'],
]) {
  test(`${pm}: chargeback withdraws amount + fee; winning_evidence reinstates both`, async () => {
    const stripe = newClient();
    const pi = await pay(stripe, pm);
    const [d] = await disputesOf(stripe, pi);
    assert.equal(d.object, 'dispute');
    assert.equal(d.status, 'needs_response');
    assert.equal(d.reason, reason);
    assert.equal(d.amount, 10000);
    assert.equal(d.charge, pi.latest_charge);
    assert.equal(d.payment_method_details.card.case_type, 'chargeback');
    const [w] = d.balance_transactions;
    assert.equal(w.amount, -10000);
    assert.equal(w.fee, FEE);
    assert.equal(w.net, -10000 - FEE);
    assert.equal(w.reporting_category, 'dispute');
    assert.equal(w.fee_details[0].description, 'Dispute fee');
    assert.equal(await ledger(stripe), chargeNet(10000) - 10000 - FEE);
    assert.equal((await stripe.charges.retrieve(pi.latest_charge)).disputed, true);

    const won = await stripe.disputes.update(d.id, { evidence: { uncategorized_text: 'winning_evidence' } });
    assert.equal(won.status, 'won');
    const r = won.balance_transactions.find((t) => t.reporting_category === 'dispute_reversal');
    assert.equal(r.amount, 10000);
    assert.equal(r.net, 10000 + FEE);
    assert.equal(await ledger(stripe), chargeNet(10000));
  });
}

test('losing_evidence loses; the money stays withdrawn', async () => {
  const stripe = newClient();
  const pi = await pay(stripe, 'pm_card_createDispute', 5000);
  const [d] = await disputesOf(stripe, pi);
  const lost = await stripe.disputes.update(d.id, { evidence: { uncategorized_text: 'losing_evidence' } });
  assert.equal(lost.status, 'lost');
  assert.equal(lost.balance_transactions.length, 1);
  assert.equal(await ledger(stripe), chargeNet(5000) - 5000 - FEE);
});

test('close accepts the dispute as lost, and a refund of the disputed charge is refused', async () => {
  const stripe = newClient();
  const pi = await pay(stripe, 'pm_card_createDisputeProductNotReceived', 3000);
  const [d] = await disputesOf(stripe, pi);
  await assert.rejects(stripe.refunds.create({ payment_intent: pi.id }), (e) => e.code === 'charge_disputed');
  const closed = await stripe.disputes.close(d.id);
  assert.equal(closed.status, 'lost');
  assert.equal(await ledger(stripe), chargeNet(3000) - 3000 - FEE);
});

test('inquiry card: warning_needs_response, no money moves, closing it leaves the balance alone', async () => {
  const stripe = newClient();
  const pi = await pay(stripe, 'pm_card_createDisputeInquiry');
  const [d] = await disputesOf(stripe, pi);
  assert.equal(d.status, 'warning_needs_response');
  assert.equal(d.balance_transactions.length, 0);
  assert.equal(await ledger(stripe), chargeNet(10000));
  const closed = await stripe.disputes.close(d.id);
  assert.equal(closed.status, 'warning_closed');
  assert.equal(await ledger(stripe), chargeNet(10000));
});

test('multiple disputes card is disputed more than once', async () => {
  const stripe = newClient();
  const pi = await pay(stripe, 'pm_card_createMultipleDisputes');
  const disputes = await disputesOf(stripe, pi, 2);
  assert.ok(disputes.length >= 2);
  assert.equal(await ledger(stripe), chargeNet(10000) - disputes.length * (10000 + FEE));
});

test('evidence can be staged without submitting, then submitted for review', async () => {
  const stripe = newClient();
  const pi = await pay(stripe, 'pm_card_createDispute');
  const [d] = await disputesOf(stripe, pi);
  const staged = await stripe.disputes.update(d.id, { evidence: { customer_name: 'Jo' }, submit: false, metadata: { k: 'v' } });
  assert.equal(staged.status, 'needs_response');
  assert.equal(staged.evidence.customer_name, 'Jo');
  assert.equal(staged.metadata.k, 'v');
  const review = await stripe.disputes.update(d.id, { submit: true });
  assert.equal(review.status, 'under_review');
  assert.equal(review.evidence_details.submission_count, 1);
  assert.equal(await ledger(stripe), chargeNet(10000) - 10000 - FEE);
});
