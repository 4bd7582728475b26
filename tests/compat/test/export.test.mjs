// `mockprocessor export` writes day-partitioned Parquet files with Parquet.Net. hyparquet, an independent reader, must
// read them back with the right schema and logical types (UTC timestamps, int64 minor units, UTF-8 strings, Snappy),
// row counts and values, and the CSV partitions must agree with the API.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects } from 'hyparquet';
import { BASE_URL, EMULATOR_DLL, newClient, raw } from './helpers.mjs';
import { parseCsv } from './csv.mjs';

function run(args) {
  return new Promise((resolve, reject) => {
    const p = spawn('dotnet', [EMULATOR_DLL, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (c) => { out += c; });
    p.stderr.on('data', (c) => { out += c; });
    p.on('error', reject);
    p.on('exit', (code) => resolve({ code, out }));
  });
}

async function partitions(dir) {
  return (await readdir(dir)).filter((d) => d.startsWith('date=')).sort();
}

test('exported Parquet partitions read back with hyparquet, matching the API row for row', async () => {
  const stripe = newClient();
  // Manual payouts: the three days crossed below would otherwise add automatic payouts to the ledger.
  await raw('POST', '/_mock/payouts/settings', { key: stripe.secretKey, body: { schedule: { interval: 'manual' } } });
  const start = (await raw('GET', '/_mock/merchant_clock', { key: stripe.secretKey })).json.now;
  const pis = [];
  for (const [i, amount] of [1999, 2500, 12345].entries()) {
    pis.push(await stripe.paymentIntents.create({
      amount, currency: 'usd', confirm: true, payment_method: 'pm_card_visa', allowed_payment_method_types: ['card'],
      description: i === 0 ? 'first, "quoted"' : undefined,
    }));
    // Cross midnight between payments, so the export has several day partitions.
    await raw('POST', '/_mock/merchant_clock/advance', { key: stripe.secretKey, body: { seconds: 86400 } });
  }
  await stripe.refunds.create({ payment_intent: pis[2].id, amount: 345 });
  await assert.rejects(stripe.paymentIntents.create({
    amount: 700, currency: 'usd', confirm: true, payment_method: 'pm_card_chargeDeclined', allowed_payment_method_types: ['card'],
  }));
  const end = (await raw('GET', '/_mock/merchant_clock', { key: stripe.secretKey })).json.now + 1;

  const out = await mkdtemp(join(tmpdir(), 'mp-export-'));
  try {
    const common = ['--api-key', stripe.secretKey, '--url', BASE_URL, '--from', String(start - 10), '--to', String(end), '--out', out];
    const parquet = await run(['export', ...common, '--format', 'parquet']);
    assert.equal(parquet.code, 0, parquet.out);

    const txns = (await stripe.balanceTransactions.list({ limit: 100 })).data;
    const charges = (await stripe.charges.list({ limit: 100 })).data;
    assert.equal(txns.length, 4);
    assert.equal(charges.length, 4);

    const txnDays = await partitions(join(out, 'balance_transactions'));
    assert.ok(txnDays.length >= 3, `partitions: ${txnDays}`);
    const readTxns = [];
    for (const day of txnDays) {
      const file = await asyncBufferFromFile(join(out, 'balance_transactions', day, 'part-0.parquet'));
      const meta = await parquetMetadataAsync(file);
      const rows = await parquetReadObjects({ file });
      assert.equal(Number(meta.num_rows), rows.length);
      assert.deepEqual(meta.schema.slice(1).map((s) => s.name),
        ['id', 'created', 'available_on', 'type', 'reporting_category', 'currency', 'amount', 'fee', 'net', 'status', 'source', 'description']);
      const element = Object.fromEntries(meta.schema.map((s) => [s.name, s]));
      for (const name of ['created', 'available_on']) {
        assert.equal(element[name].type, 'INT64');
        assert.deepEqual(element[name].logical_type, { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MILLIS' });
      }
      for (const name of ['amount', 'fee', 'net']) {
        assert.equal(element[name].type, 'INT64');
        assert.deepEqual(element[name].logical_type, { type: 'INTEGER', bitWidth: 64, isSigned: true }); // minor units, no DECIMAL
        assert.equal(element[name].repetition_type, 'REQUIRED');
      }
      assert.equal(element.id.type, 'BYTE_ARRAY');
      assert.equal(element.id.logical_type?.type, 'STRING');
      assert.equal(element.source.repetition_type, 'OPTIONAL');
      assert.equal(meta.row_groups.length, 1);
      for (const column of meta.row_groups[0].columns) assert.equal(column.meta_data.codec, 'SNAPPY');
      for (const r of rows) {
        assert.ok(r.created instanceof Date, `created is a timestamp: ${r.created}`);
        assert.equal(day, `date=${r.created.toISOString().slice(0, 10)}`);
      }
      readTxns.push(...rows);
    }
    assert.equal(readTxns.length, txns.length);
    for (const t of txns) {
      const r = readTxns.find((x) => x.id === t.id);
      assert.ok(r, `row for ${t.id}`);
      assert.equal(r.amount, BigInt(t.amount));
      assert.equal(r.fee, BigInt(t.fee));
      assert.equal(r.net, BigInt(t.net));
      assert.equal(r.created.getTime(), t.created * 1000);
      assert.equal(r.available_on.getTime(), t.available_on * 1000);
      assert.equal(r.reporting_category, t.reporting_category);
      assert.equal(r.source, t.source);
      assert.equal(r.description, t.description);
    }

    const readCharges = [];
    for (const day of await partitions(join(out, 'payments'))) {
      readCharges.push(...await parquetReadObjects({ file: await asyncBufferFromFile(join(out, 'payments', day, 'part-0.parquet')) }));
    }
    assert.equal(readCharges.length, charges.length);
    for (const c of charges) {
      const r = readCharges.find((x) => x.id === c.id);
      assert.equal(r.amount, BigInt(c.amount));
      assert.equal(r.created.getTime(), c.created * 1000);
      assert.equal(r.amount_refunded, BigInt(c.amount_refunded));
      assert.equal(r.status, c.status);
      assert.equal(r.captured, c.captured);
      assert.equal(r.paid, c.paid);
      assert.equal(r.payment_intent, c.payment_intent);
      assert.equal(r.balance_transaction, c.balance_transaction); // null for the declined charge
      assert.equal(r.failure_code, c.failure_code);
      assert.equal(r.description, c.description);
    }

    const csv = await run(['export', ...common, '--format', 'csv']);
    assert.equal(csv.code, 0, csv.out);
    let csvRows = 0;
    for (const day of await partitions(join(out, 'balance_transactions'))) {
      const { header, records } = parseCsv(await readFile(join(out, 'balance_transactions', day, 'part-0.csv'), 'utf8'));
      assert.equal(header[0], 'id');
      for (const r of records) assert.equal(Number(r.net), txns.find((t) => t.id === r.id).net);
      csvRows += records.length;
    }
    assert.equal(csvRows, txns.length);
  } finally {
    await rm(out, { recursive: true, force: true });
  }
});
