// Time-driven work benchmark: a merchant with N pending time-driven actions (uncaptured authorizations that
// expire after 7 days) is advanced 90 days in one call; reports how long the call took and how many fired.
// Usage (repository root): dotnet publish src/MockProcessor -c Release -o /tmp/mp
//                          node tests/benchmarks/time-bench.mjs [--exe /tmp/mp/mockprocessor] [--actions 10000]
import { arg, startEmulator } from './emulator.mjs';

const exe = arg('exe', '/tmp/mp/mockprocessor');
const actions = Number(arg('actions', 10000));
const port = Number(arg('port', 12160));
const emu = await startEmulator({ exe, port, key: 'sk_test_timebench' });
const { call } = emu;
try {
  const body = 'amount=2000&currency=usd&confirm=true&payment_method=pm_card_visa&allowed_payment_method_types[]=card&capture_method=manual';
  let next = 0;
  const t0 = Date.now();
  await Promise.all(Array.from({ length: 16 }, async () => { while (next++ < actions) { const r = await call('POST', '/v1/payment_intents', body); if (r.status !== 200) throw new Error(r.body); } }));
  const created = Date.now() - t0;
  const t1 = process.hrtime.bigint();
  const res = await call('POST', '/_mock/merchant_clock/advance', `seconds=${90 * 86400}`);
  const ms = Number(process.hrtime.bigint() - t1) / 1e6;
  const fired = JSON.parse(res.body).fired;
  console.log(`created ${actions} pending authorizations in ${created} ms; advance 90 days: ${ms.toFixed(0)} ms, fired ${fired} (status ${res.status})`);
} finally {
  emu.stop();
}
