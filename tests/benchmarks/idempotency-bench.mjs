// Idempotent results benchmark (issue 16): what storing a result per POST costs in memory, as every SDK call with
// retries enabled sends an Idempotency-Key, and what a replay costs once the result's body lives on disk.
// Usage (repository root): dotnet publish src/MockProcessor -c Release -o /tmp/mp
//   node tests/benchmarks/idempotency-bench.mjs [--exe /tmp/mp/mockprocessor] [--calls 50000] [--replays 2000] [--in-memory]
// One emulator on a fresh file store (default object cache), `calls` create-and-confirm PaymentIntents with a fresh key
// each (16 in flight), then `replays` of random earlier keys one at a time. Reports the live managed heap
// (GET /_mock/stats?gc=true) and RSS before and after the calls, per call, and the replays' latency.
import { readFileSync } from 'node:fs';
import { arg, startEmulator } from './emulator.mjs';

const exe = arg('exe', '/tmp/mp/mockprocessor');
const calls = Number(arg('calls', 50000));
const replays = Number(arg('replays', 2000));
const inMemory = process.argv.includes('--in-memory');
const emu = await startEmulator({ exe, port: 12177, key: 'sk_test_idembench', inMemory, args: ['--seed', '16'] });
const rssMb = () => Number(readFileSync(`/proc/${emu.server.pid}/status`, 'utf8').match(/VmRSS:\s+(\d+)/)[1]) / 1024;
const body = 'amount=2000&currency=usd&confirm=true&payment_method=pm_card_visa&allowed_payment_method_types[]=card';
const pct = (xs, p) => xs[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
try {
  await emu.ok('POST', '/v1/payment_intents', body); // the merchant exists before the baseline
  const heap0 = (await emu.ok('GET', '/_mock/stats?gc=true')).managed_heap_bytes;
  const rss0 = rssMb();
  let next = 0;
  const firsts = new Map();
  const t0 = Date.now();
  await Promise.all(Array.from({ length: 16 }, async () => {
    while (next < calls) {
      const i = next++;
      const r = await emu.call('POST', '/v1/payment_intents', body, { 'Idempotency-Key': `bench-${i}` });
      if (r.status !== 200) throw new Error(`call ${i}: ${r.status} ${r.body}`);
      if (i % Math.max(1, Math.floor(calls / replays)) === 0) firsts.set(i, r.body);
    }
  }));
  const seconds = (Date.now() - t0) / 1000;
  const heap1 = (await emu.ok('GET', '/_mock/stats?gc=true')).managed_heap_bytes;
  const rss1 = rssMb();
  const times = [];
  let same = 0;
  for (const [i, first] of firsts) {
    const t = process.hrtime.bigint();
    const r = await emu.call('POST', '/v1/payment_intents', body, { 'Idempotency-Key': `bench-${i}` });
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
    if (r.status === 200 && r.replayed && r.body === first) same++;
  }
  times.sort((a, b) => a - b);
  const mb = (b) => (b / 1048576).toFixed(0);
  console.log(`${calls} create-and-confirm calls with keys (${inMemory ? 'in memory' : 'file, default cache'}) in ${seconds.toFixed(1)} s (${(calls / seconds).toFixed(0)}/s)`);
  console.log(`live managed heap ${mb(heap0)} -> ${mb(heap1)} MB (${((heap1 - heap0) / calls).toFixed(0)} bytes a call); RSS ${rss0.toFixed(0)} -> ${rss1.toFixed(0)} MB`);
  console.log(`replays: ${firsts.size}, identical to the first answer ${same}; latency p50 ${pct(times, 50).toFixed(2)} ms, p99 ${pct(times, 99).toFixed(2)} ms`);
} finally {
  emu.stop();
}
