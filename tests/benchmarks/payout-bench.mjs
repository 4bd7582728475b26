// Automatic payout benchmark: a merchant books N card charges (N balance transactions, pending for the 2-day delay),
// then its clock is advanced 3 days in one call: the daily run at the first midnight the funds are available sweeps
// all N into one payout (each transaction stored again with the payout's id), which then goes in transit and is paid.
// Reports the advance, and listing the payout's N transactions with ?payout= (100 per page), and checks that their
// nets add up to the payout amount.
// Usage (repository root): dotnet publish src/MockProcessor -c Release -o /tmp/mp
//                          node tests/benchmarks/payout-bench.mjs [--exe /tmp/mp/mockprocessor] [--charges 20000]
import { arg, startEmulator } from './emulator.mjs';

const exe = arg('exe', '/tmp/mp/mockprocessor');
const charges = Number(arg('charges', 20000));
const port = Number(arg('port', 13250));
const emu = await startEmulator({ exe, port, key: 'sk_test_payoutbench' });
const { ok: json } = emu;
try {
  const body = 'amount=2000&currency=usd&source=tok_visa';
  let next = 0;
  const t0 = Date.now();
  await Promise.all(Array.from({ length: 16 }, async () => { while (next++ < charges) await json('POST', '/v1/charges', body); }));
  const created = Date.now() - t0;

  const t1 = process.hrtime.bigint();
  const adv = await json('POST', '/_mock/merchant_clock/advance', `seconds=${3 * 86400}`);
  const advanceMs = Number(process.hrtime.bigint() - t1) / 1e6;

  const payouts = (await json('GET', '/v1/payouts?limit=100')).data;
  if (payouts.length !== 1) throw new Error(`expected one payout, got ${payouts.length}`);
  const [po] = payouts;
  const t2 = process.hrtime.bigint();
  let count = 0; let sum = 0; let after = null;
  for (;;) {
    const page = await json('GET', `/v1/balance_transactions?payout=${po.id}&limit=100` + (after ? `&starting_after=${after}` : ''));
    for (const t of page.data) { count++; sum += t.net; }
    if (!page.has_more) break;
    after = page.data[page.data.length - 1].id;
  }
  const listMs = Number(process.hrtime.bigint() - t2) / 1e6;
  if (count !== charges || sum !== po.amount) throw new Error(`listed ${count} transactions summing to ${sum}, payout ${po.amount}`);
  console.log(`booked ${charges} charges in ${created} ms; advance 3 days: ${advanceMs.toFixed(0)} ms (fired ${adv.fired}, payout ${po.status}, ${po.amount}); ` +
    `?payout= listing of ${count} transactions in ${Math.ceil(count / 100)} pages: ${listMs.toFixed(0)} ms; nets add up`);
} finally {
  emu.stop();
}
