// Start-up time: from spawning the published emulator to its first answered request (GET /healthz).
// Usage: node tests/benchmarks/startup.mjs <path-to-published-mockprocessor> [runs]
// Polls every 2 ms on loopback; reports min / median / max over the runs (each run a fresh process, --in-memory).
import { spawn } from 'node:child_process';
import { request } from 'node:http';

const exe = process.argv[2];
const runs = Number(process.argv[3] ?? 10);
if (!exe) { console.error('usage: node startup.mjs <published mockprocessor executable> [runs]'); process.exit(2); }

const port = 12190;
const ping = () => new Promise((resolve) => {
  const req = request({ host: '127.0.0.1', port, path: '/healthz', timeout: 200 }, (res) => { res.resume(); resolve(res.statusCode === 200); });
  req.on('error', () => resolve(false));
  req.on('timeout', () => { req.destroy(); resolve(false); });
  req.end();
});
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const times = [];
for (let i = 0; i < runs; i++) {
  const t0 = process.hrtime.bigint();
  const child = spawn(exe, ['serve', '--port', String(port), '--in-memory', '--log-level', 'Warning'], { stdio: 'ignore' });
  let ok = false;
  while (!ok) {
    ok = await ping();
    if (!ok) await sleep(2);
    if (Number(process.hrtime.bigint() - t0) / 1e6 > 10000) throw new Error('no answer within 10 s');
  }
  times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  child.kill('SIGTERM');
  await new Promise((r) => child.on('exit', r));
}
times.sort((a, b) => a - b);
const f = (x) => x.toFixed(0) + ' ms';
console.log(`runs=${runs} min=${f(times[0])} median=${f(times[Math.floor(times.length / 2)])} max=${f(times[times.length - 1])}`);
