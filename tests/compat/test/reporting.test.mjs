// The Reporting API and the Files API through stripe-node: a report run goes pending → succeeded in the
// background, its result file is retrieved with stripe.files.retrieve (API host, as stripe-node sends it), and
// the CSV at file.url downloads with the secret key. The CSV is parsed here (RFC 4180, independent of the
// emulator's writer) and its totals are checked against stripe.balanceTransactions.list.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newClient, raw } from './helpers.mjs';
import { parseCsv } from './csv.mjs';

async function advance(stripe, seconds) {
  const res = await raw('POST', '/_mock/merchant_clock/advance', { key: stripe.secretKey, body: { seconds } });
  assert.equal(res.status, 200, res.text);
  return res.json.now;
}

async function runToEnd(stripe, params) {
  let run = await stripe.reporting.reportRuns.create(params);
  assert.equal(run.status, 'pending');
  for (let i = 0; i < 200 && run.status === 'pending'; i++) {
    await new Promise((r) => setTimeout(r, 50));
    run = await stripe.reporting.reportRuns.retrieve(run.id);
  }
  return run;
}

const cents = (major) => Math.round(Number(major) * 100);

test('an activity report run succeeds, its file downloads with the key and its totals match the balance transactions', async () => {
  const stripe = newClient();
  const start = (await raw('GET', '/_mock/merchant_clock', { key: stripe.secretKey })).json.now;
  const pi = await stripe.paymentIntents.create({
    amount: 2599, currency: 'usd', confirm: true, payment_method: 'pm_card_visa', allowed_payment_method_types: ['card'],
    description: 'Order "42", gift',
  });
  await stripe.paymentIntents.create({ amount: 1000, currency: 'usd', confirm: true, payment_method: 'pm_card_visa', allowed_payment_method_types: ['card'] });
  await stripe.refunds.create({ payment_intent: pi.id, amount: 599 });
  const end = await advance(stripe, 120);

  const types = await stripe.reporting.reportTypes.list();
  assert.deepEqual(types.data.map((t) => t.id).sort(),
    ['balance.summary.1', 'balance_change_from_activity.itemized.1', 'payout_reconciliation.itemized.5']);

  const run = await runToEnd(stripe, {
    report_type: 'balance_change_from_activity.itemized.1',
    parameters: { interval_start: start - 60, interval_end: end, columns: ['balance_transaction_id', 'gross', 'fee', 'net', 'reporting_category', 'payment_intent_id'] },
  });
  assert.equal(run.status, 'succeeded');
  assert.equal(run.result.object, 'file');
  assert.equal(run.result.purpose, 'finance_report_run');

  const file = await stripe.files.retrieve(run.result.id);
  assert.equal(file.id, run.result.id);
  assert.match(file.url, new RegExp(`/v1/files/${file.id}/contents$`));
  const unauthenticated = await fetch(file.url);
  assert.equal(unauthenticated.status, 401);
  await unauthenticated.arrayBuffer();
  const res = await fetch(file.url, { headers: { Authorization: `Bearer ${stripe.secretKey}` } });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /^text\/csv/);
  const text = await res.text();
  assert.equal(Buffer.byteLength(text), file.size);

  const { header, records } = parseCsv(text);
  assert.deepEqual(header, ['balance_transaction_id', 'gross', 'fee', 'net', 'reporting_category', 'payment_intent_id']);
  const txns = (await stripe.balanceTransactions.list({ limit: 100 })).data;
  assert.equal(records.length, txns.length);
  assert.equal(records.length, 3);
  for (const t of txns) {
    const r = records.find((x) => x.balance_transaction_id === t.id);
    assert.ok(r, `row for ${t.id}`);
    assert.equal(cents(r.gross), t.amount);
    assert.equal(cents(r.fee), t.fee);
    assert.equal(cents(r.net), t.net);
    assert.equal(r.reporting_category, t.reporting_category);
  }
  assert.equal(records.reduce((s, r) => s + cents(r.net), 0), txns.reduce((s, t) => s + t.net, 0));
  assert.ok(records.some((r) => r.reporting_category === 'refund' && r.payment_intent_id === pi.id));

  const events = await stripe.events.list({ type: 'reporting.report_run.succeeded' });
  assert.equal(events.data.length, 1);
  assert.equal(events.data[0].data.object.id, run.id);
});

test('report run validation errors surface as Stripe errors in the SDK', async () => {
  const stripe = newClient();
  const now = (await raw('GET', '/_mock/merchant_clock', { key: stripe.secretKey })).json.now;
  await assert.rejects(
    stripe.reporting.reportRuns.create({ report_type: 'balance.summary.1', parameters: { interval_start: now - 60, interval_end: now + 86400 } }),
    (err) => err.type === 'StripeInvalidRequestError' && err.param === 'parameters[interval_end]',
  );
  await assert.rejects(
    stripe.reporting.reportRuns.create({ report_type: 'nope.1', parameters: { interval_start: now - 60, interval_end: now } }),
    (err) => err.type === 'StripeInvalidRequestError' && err.param === 'report_type',
  );
});
