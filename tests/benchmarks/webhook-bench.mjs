// Webhook delivery benchmark: how fast signed deliveries reach a receiver, how long after the API response
// that caused them, and what sending them costs the API.
//
// Usage (from the repository root; node >= 20, no dependencies):
//   dotnet build src/MockProcessor -c Release            # or: dotnet publish src/MockProcessor -c Release -o /tmp/mp
//   node tests/benchmarks/webhook-bench.mjs [--exe /tmp/mp/mockprocessor] [--duration 10] [--warmup 2]
//        [--concurrency 16] [--endpoints 0,1,8] [--port 12141] [--rate 2000]
//
// For each endpoint count (0 first, the baseline) it starts a fresh emulator with a file db in a temp dir
// (`serve --db ... --log-level Warning`: real-time clock, automatic dispatch, default options), one merchant,
// N webhook endpoints subscribed to `*` that all point at one local node:http receiver answering 200 at once
// (each endpoint its own path and secret). It then drives POST /v1/payment_intents (confirm=true,
// pm_card_visa, card only) with `concurrency` requests in flight over a keep-alive http.Agent for
// warmup + duration seconds (with --rate R: at most R requests a second, paced evenly, still at most
// `concurrency` in flight; the row says whether the emulator kept up with the rate), stops, and waits for the delivery backlog to drain (no pending deliveries).
// Measured over the `duration` window:
//   API req/s and latency p50/p99; events/s emitted (a create+confirm emits 3);
//   signed deliveries/s received (each Stripe-Signature is checked with HMAC-SHA256; bad ones are counted apart);
//   delivery latency = receiver arrival − the API response that caused the event, matched by the event's
//   request.id = that response's Request-Id (p50, p99; it can be slightly negative: the dispatcher starts on
//   the commit, so a delivery may arrive before the client has read the response); drain = time after the load stopped until nothing
//   was pending. The load generator and the receiver share this node process (and the machine with the
//   emulator), so absolute figures are lower bounds; compare rows.
import { spawn } from 'node:child_process';
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, createServer, request } from 'node:http';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const argv = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : dflt;
};
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const EXE = opt('exe', null);
const DURATION = Number(opt('duration', 10));
const WARMUP = Number(opt('warmup', 2));
const CONCURRENCY = Number(opt('concurrency', 16));
const ENDPOINTS = opt('endpoints', '0,1,8').split(',').map(Number);
const PORT = Number(opt('port', 12141));
const RATE = opt('rate', null) === null ? null : Number(opt('rate', null));
const DLL = join(repoRoot, 'src', 'MockProcessor', 'bin', 'Release', 'net10.0', 'mockprocessor.dll');
const BODY = 'amount=2000&currency=usd&confirm=true&payment_method=pm_card_visa&allowed_payment_method_types[0]=card';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const now = () => performance.now();
const pct = (xs, p) => (xs.length ? xs[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] : NaN);

let agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
function call(method, path, key, body) {
  return new Promise((ok, fail) => {
    const headers = { Authorization: `Bearer ${key}` };
    if (body) {
      headers['Content-Type'] = 'application/x-www-form-urlencoded';
      headers['Content-Length'] = Buffer.byteLength(body);
    }
    const req = request({ host: '127.0.0.1', port: PORT, method, path, headers, agent }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => ok({ status: res.statusCode, requestId: res.headers['request-id'], text: Buffer.concat(chunks).toString() }));
    });
    req.on('error', fail);
    req.end(body);
  });
}

async function startEmulator(db) {
  const [cmd, pre] = EXE ? [EXE, []] : ['dotnet', [DLL]];
  const proc = spawn(cmd, [...pre, 'serve', '--port', String(PORT), '--db', db, '--log-level', 'Warning'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  proc.stderr.on('data', (c) => (err += c));
  for (let i = 0; i < 300; i++) {
    if (proc.exitCode !== null) throw new Error(`emulator exited: ${err}`);
    try {
      const res = await fetch(`http://127.0.0.1:${PORT}/healthz`);
      if (res.status === 200) return proc;
    } catch {
      // not yet
    }
    await sleep(100);
  }
  proc.kill('SIGKILL');
  throw new Error('emulator did not start');
}

// CPU seconds the process has used (user + system), from /proc (Linux); NaN elsewhere.
function cpuSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return NaN;
  }
}
const nodeCpuSeconds = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

function verifySignature(header, body, secret) {
  const m = /^t=(\d+),v1=([0-9a-f]{64})/.exec(header ?? '');
  if (!m) return false;
  const want = createHmac('sha256', secret).update(`${m[1]}.`).update(body).digest();
  return timingSafeEqual(want, Buffer.from(m[2], 'hex'));
}

async function phase(nEndpoints) {
  const dir = mkdtempSync(join(tmpdir(), 'mp-webhook-bench-'));
  agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const proc = await startEmulator(join(dir, 'bench.db'));
  const key = `sk_test_${randomBytes(12).toString('hex')}`;
  const secrets = new Map(); // path → secret
  const deliveries = []; // {at, requestId, ok}
  const rcv = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const at = now();
      res.writeHead(200).end();
      const body = Buffer.concat(chunks);
      const ok = verifySignature(req.headers['stripe-signature'], body, secrets.get(req.url));
      // The cause: the event's request.id (a regex is cheaper than parsing every body in the load process).
      const requestId = /"request":\s*\{\s*"id":\s*"([^"]+)"/.exec(body.toString('utf8'))?.[1] ?? null;
      deliveries.push({ at, requestId, ok });
    });
  });
  rcv.keepAliveTimeout = 60_000;
  await new Promise((r) => rcv.listen(0, '127.0.0.1', r));
  const rport = rcv.address().port;
  for (let i = 0; i < nEndpoints; i++) {
    const path = `/e${i}`;
    const res = await call('POST', '/v1/webhook_endpoints', key, `url=${encodeURIComponent(`http://127.0.0.1:${rport}${path}`)}&enabled_events[0]=*`);
    if (res.status !== 200) throw new Error(`endpoint create: ${res.status} ${res.text}`);
    secrets.set(path, JSON.parse(res.text).secret);
  }

  const responses = new Map(); // requestId → {at, measured}
  const apiLatency = [];
  let errors = 0;
  let stop = false;
  const t0 = now();
  const tMeasure = t0 + WARMUP * 1000;
  const tEnd = tMeasure + DURATION * 1000;
  let measuredRequests = 0;
  // CPU used by the emulator and by this process (load generator + receiver) over the measured window.
  const cpu = {};
  const cpuTimers = [
    setTimeout(() => (cpu.start = [cpuSeconds(proc.pid), nodeCpuSeconds()]), tMeasure - now()),
    setTimeout(() => (cpu.end = [cpuSeconds(proc.pid), nodeCpuSeconds()]), tEnd - now()),
  ];
  const load1Start = loadavg()[0];
  let ticket = 0;
  const worker = async () => {
    while (!stop) {
      if (RATE !== null) {
        // Paced: request n is due at t0 + n / RATE; a worker that is late sends at once.
        const due = t0 + (ticket++ * 1000) / RATE;
        const wait = due - now();
        if (wait > 1) await sleep(wait);
        if (stop) break;
      }
      const start = now();
      const res = await call('POST', '/v1/payment_intents', key, BODY);
      const at = now();
      if (res.status !== 200) errors++;
      const measured = start >= tMeasure && at <= tEnd;
      if (measured) {
        measuredRequests++;
        apiLatency.push(at - start);
      }
      responses.set(res.requestId, { at, measured });
      if (at >= tEnd) stop = true;
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const loadEnd = now();
  cpuTimers.forEach(clearTimeout);
  const emuCores = cpu.end ? (cpu.end[0] - cpu.start[0]) / DURATION : NaN;
  const nodeCores = cpu.end ? (cpu.end[1] - cpu.start[1]) / DURATION : NaN;
  const load1 = loadavg()[0];

  // Drain: wait until the emulator has no pending deliveries (at most 120 s).
  let drainMs = 0;
  if (nEndpoints > 0) {
    for (;;) {
      const res = await call('GET', '/_mock/webhooks/deliveries?status=pending&limit=1', key);
      const pending = JSON.parse(res.text).data.length;
      drainMs = now() - loadEnd;
      if (pending === 0 || drainMs > 120_000) break;
      await sleep(50);
    }
    await sleep(200);
  }
  const stats = JSON.parse((await call('GET', '/_mock/stats', key)).text);
  const events = stats.objects?.event ?? 0;

  const inWindow = deliveries.filter((d) => d.at >= tMeasure && d.at <= tEnd);
  const latencies = [];
  let unmatched = 0;
  for (const d of deliveries) {
    const r = responses.get(d.requestId);
    if (!r) unmatched++;
    else if (r.measured) latencies.push(d.at - r.at);
  }
  latencies.sort((a, b) => a - b);
  apiLatency.sort((a, b) => a - b);
  const row = {
    endpoints: nEndpoints,
    rate: RATE ?? 'max',
    apiRps: measuredRequests / DURATION,
    apiP50: pct(apiLatency, 50),
    apiP99: pct(apiLatency, 99),
    eventsPerRequest: events / responses.size,
    deliveriesPerSec: inWindow.filter((d) => d.ok).length / DURATION,
    badSignatures: deliveries.filter((d) => !d.ok).length,
    delivered: deliveries.length,
    expected: events * nEndpoints,
    unmatched,
    p50: pct(latencies, 50),
    p99: pct(latencies, 99),
    drainMs,
    errors,
    emuCores,
    nodeCores,
    load1: `${load1Start.toFixed(2)}→${load1.toFixed(2)}`,
  };
  agent.destroy();
  rcv.closeAllConnections();
  rcv.close();
  proc.kill('SIGTERM');
  await new Promise((r) => proc.on('exit', r));
  rmSync(dir, { recursive: true, force: true });
  return row;
}

console.log(`webhook-bench: ${EXE ?? `dotnet ${DLL}`}; duration ${DURATION} s (+${WARMUP} s warm-up), concurrency ${CONCURRENCY}, ` +
  `endpoints ${ENDPOINTS.join(',')}${RATE === null ? '' : `, rate ${RATE} req/s`}; load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
const rows = [];
for (const n of ENDPOINTS) {
  const row = await phase(n);
  rows.push(row);
  console.error(`  done: ${n} endpoint(s)`);
}
const base = rows.find((r) => r.endpoints === 0);
const f0 = (x) => (Number.isFinite(x) ? x.toFixed(0) : '-');
const f1 = (x) => (Number.isFinite(x) ? x.toFixed(1) : '-');
const table = [
  ['endpoints', 'API req/s', 'vs 0', 'API p50 ms', 'API p99 ms', 'events/req', 'deliveries/s', 'delivered/expected', 'bad sig', 'deliv p50 ms', 'deliv p99 ms', 'drain ms', 'API errors', 'emulator cores', 'node cores', 'emulator CPU µs/req', 'load1'],
  ...rows.map((r) => [
    r.endpoints, f0(r.apiRps), base ? `${f0((100 * r.apiRps) / base.apiRps)}%` : '-', f1(r.apiP50), f1(r.apiP99),
    f1(r.eventsPerRequest), f0(r.deliveriesPerSec), `${r.delivered}/${r.expected}`, r.badSignatures,
    r.endpoints ? f1(r.p50) : '-', r.endpoints ? f1(r.p99) : '-', r.endpoints ? f0(r.drainMs) : '-', r.errors, r.emuCores.toFixed(2), r.nodeCores.toFixed(2),
    f0((1e6 * r.emuCores) / r.apiRps), r.load1,
  ]),
];
const widths = table[0].map((_, i) => Math.max(...table.map((row) => String(row[i]).length)));
for (const [i, row] of table.entries()) {
  console.log(row.map((c, j) => String(c).padStart(widths[j])).join('  '));
  if (i === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '));
}
