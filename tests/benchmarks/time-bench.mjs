// Time-driven work benchmark: a merchant with N pending time-driven actions (uncaptured authorizations that
// expire after 7 days) is advanced 90 days in one call; reports how long the call took and how many fired.
// Usage (repository root): dotnet publish src/MockProcessor -c Release -o /tmp/mp
//                          node tests/benchmarks/time-bench.mjs [--exe /tmp/mp/mockprocessor] [--actions 10000]
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const arg = (n, d) => { const i = process.argv.indexOf(`--${n}`); return i >= 0 ? process.argv[i + 1] : d; };
const exe = arg('exe', '/tmp/mp/mockprocessor');
const actions = Number(arg('actions', 10000));
const port = Number(arg('port', 12160));
const dir = mkdtempSync(join(tmpdir(), 'mp-time-'));
const server = spawn(exe, ['serve', '--port', String(port), '--db', join(dir, 'bench.db'), '--log-level', 'Warning'], { stdio: 'ignore' });
const agent = new Agent({ keepAlive: true, maxSockets: 16 });
const auth = 'Basic ' + Buffer.from('sk_test_timebench:').toString('base64');
const call = (method, path, body = '') => new Promise((resolve, reject) => {
  const req = request({ host: '127.0.0.1', port, method, path, agent, headers: { Authorization: auth, 'Content-Type': 'application/x-www-form-urlencoded' } }, (res) => {
    let data = ''; res.setEncoding('utf8'); res.on('data', (c) => (data += c)); res.on('end', () => resolve({ status: res.statusCode, body: data }));
  });
  req.on('error', reject); req.end(body);
});
try {
  for (let i = 0; ; i++) { try { if ((await call('GET', '/healthz')).status === 200) break; } catch {} if (i > 200) throw new Error('no start'); await new Promise((r) => setTimeout(r, 50)); }
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
  server.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
  agent.destroy();
}
