// The 1M balance-transaction benchmark of docs/performance.md (issue #7): a seeded merchant history generated into
// a database file (`mockprocessor generate`), then
//   (a) a reconciliation of the merchant's books against it (`mockprocessor reconcile --db`, streaming), and
//   (b) a payout_reconciliation.itemized.5 report run on the emulator serving that file,
// each timed (wall and CPU) with its peak RSS. Checks the results too: every injected discrepancy found, every payout
// adding up in the report.
//
//   dotnet build src/MockProcessor -c Release
//   node tests/benchmarks/ledger-bench.mjs [--exe src/MockProcessor/bin/Release/net10.0/mockprocessor.dll]
//        [--dir /tmp/mp-ledger-bench] [--transactions 1000000] [--port 13320] [--skip-report]
//
// The data set is kept in --dir and reused when it is there (generating 1M takes ~30-60 s).
import { spawn } from 'node:child_process';
import { createReadStream, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';

const args = Object.fromEntries(process.argv.slice(2).reduce((acc, a, i, all) => {
  if (a.startsWith('--')) acc.push([a.slice(2), all[i + 1] && !all[i + 1].startsWith('--') ? all[i + 1] : 'true']);
  return acc;
}, []));
const exe = resolve(args.exe ?? 'src/MockProcessor/bin/Release/net10.0/mockprocessor.dll');
const dir = resolve(args.dir ?? '/tmp/mp-ledger-bench');
const transactions = Number(args.transactions ?? 1_000_000);
const port = Number(args.port ?? 13320);
const days = Math.max(1, Math.round(transactions / 2700));
const start = Date.UTC(2026, 0, 1) / 1000;
const end = start + days * 86400;
const key = 'sk_test_bench';
const db = join(dir, 'bench.db');
const orders = join(dir, 'orders.csv');
mkdirSync(dir, { recursive: true });

const command = (extra) => (exe.endsWith('.dll') ? ['dotnet', [exe, ...extra]] : [exe, extra]);

function run(cmdArgs, { timed = false } = {}) {
  const [bin, rest] = command(cmdArgs);
  const [file, argv] = timed ? ['/usr/bin/time', ['-v', bin, ...rest]] : [bin, rest];
  return new Promise((res, rej) => {
    const p = spawn(file, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (c) => { out += c; });
    p.stderr.on('data', (c) => { out += c; });
    p.on('error', rej);
    p.on('exit', (code) => res({ code, out }));
  });
}

function timing(out) {
  const pick = (re) => Number((re.exec(out) ?? [])[1]);
  const wall = (/Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)/.exec(out) ?? []).slice(1).map(Number);
  return {
    wall: (wall[0] || 0) * 3600 + wall[1] * 60 + wall[2],
    cpu: pick(/User time \(seconds\): ([\d.]+)/) + pick(/System time \(seconds\): ([\d.]+)/),
    rssMb: pick(/Maximum resident set size \(kbytes\): (\d+)/) / 1024,
  };
}

// node:http straight to a file (fetch's web streams were ~100x slower for a 170 MB body here).
async function download(url, path) {
  const { get } = await import('node:http');
  const { createWriteStream } = await import('node:fs');
  const { pipeline } = await import('node:stream/promises');
  const res = await new Promise((ok, fail) => get(url, { headers: { Authorization: `Bearer ${key}` } }, ok).on('error', fail));
  if (res.statusCode !== 200) throw new Error(`download: ${res.statusCode}`);
  await pipeline(res, createWriteStream(path));
}

const loadavg = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const status = (pid) => Object.fromEntries(readFileSync(`/proc/${pid}/status`, 'utf8').split('\n')
  .filter((l) => /^Vm(RSS|HWM):/.test(l)).map((l) => [l.split(':')[0], Number(l.split(/\s+/)[1]) / 1024]));

const results = [];
console.log(`machine load before: ${loadavg()}`);

// 0. The data set.
if (!existsSync(db)) {
  const gen = await run(['generate', '--db', db, '--balance-transactions', String(transactions), '--days', String(days),
    '--orders', orders, '--discrepancies', '25'], { timed: true });
  if (gen.code !== 0) throw new Error(gen.out);
  writeFileSync(join(dir, 'generate.txt'), gen.out);
  const t = timing(gen.out);
  results.push(['generate the data set', t.wall, t.cpu, t.rssMb, gen.out.split('\n')[0]]);
}
const generated = readFileSync(join(dir, 'generate.txt'), 'utf8');
console.log(generated.split('\n').slice(0, 2).join('\n'));
const injected = Object.fromEntries([...(/injected: (.*)/.exec(generated)?.[1] ?? '').matchAll(/(\w+) (\d+)/g)].map((m) => [m[1], Number(m[2])]));

// (a) Reconciliation straight from the file.
const recon = await run(['reconcile', '--db', db, '--api-key', key, '--from', String(start), '--to', String(end + 86400),
  '--orders', orders, '--format', 'json', '--out', join(dir, 'reconciliation.json')], { timed: true });
const r = JSON.parse(readFileSync(join(dir, 'reconciliation.json'), 'utf8'));
const found = r.discrepancy_counts;
const allFound = Object.entries(injected).every(([k, v]) => found[k] === v) && Object.keys(found).length === Object.keys(injected).length;
const t = timing(recon.out);
results.push(['(a) reconcile --db (1M-row books)', t.wall, t.cpu, t.rssMb,
  `${r.orders} orders, ${r.matched} matched, ${JSON.stringify(found)} (injected ${JSON.stringify(injected)}: ${allFound ? 'all found' : 'MISMATCH'}), ` +
  `${r.payouts.length} payouts, ${r.payouts.filter((p) => !p.matches).length} not adding up`]);

// (b) The report run on the emulator serving the file.
if (args['skip-report'] !== 'true') {
  const [bin, rest] = command(['serve', '--db', db, '--port', String(port), '--clock', 'manual', '--start-time', String(end),
    '--log-level', 'Information', '--webhook-dispatch', 'manual']);
  const t0 = Date.now();
  const server = spawn(bin, rest, { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  server.stdout.on('data', (c) => { log += c; });
  server.stderr.on('data', (c) => { log += c; });
  const base = `http://127.0.0.1:${port}`;
  const api = async (path, init = {}) => {
    const res = await fetch(base + path, { ...init, headers: { Authorization: `Bearer ${key}`, ...(init.headers ?? {}) } });
    return res;
  };
  try {
    for (;;) {
      if (server.exitCode !== null) throw new Error(`the emulator exited:\n${log}`);
      try { if ((await fetch(`${base}/healthz`)).ok) break; } catch { /* not yet */ }
      await new Promise((res) => setTimeout(res, 250));
    }
    const startup = (Date.now() - t0) / 1000;
    const stats = await (await api('/_mock/stats?gc=true')).json();
    const idle = status(server.pid);
    results.push(['emulator start-up with the file loaded', startup, null, idle.VmHWM,
      `RSS after start ${idle.VmRSS.toFixed(0)} MB, managed heap ${(stats.managed_heap_bytes / 2 ** 20).toFixed(0)} MB for ${Object.values(stats.objects).reduce((a, b) => a + b, 0)} objects ${JSON.stringify(stats.objects)}`]);

    const body = new URLSearchParams({ report_type: 'payout_reconciliation.itemized.5', 'parameters[interval_start]': String(start), 'parameters[interval_end]': String(end) });
    const before = status(server.pid).VmRSS;
    let peak = before;
    const t1 = Date.now();
    let runObj = await (await api('/v1/reporting/report_runs', { method: 'POST', body, headers: { 'Content-Type': 'application/x-www-form-urlencoded' } })).json();
    while (runObj.status === 'pending') {
      peak = Math.max(peak, status(server.pid).VmRSS);
      await new Promise((res) => setTimeout(res, 20));
      runObj = await (await api(`/v1/reporting/report_runs/${runObj.id}`)).json();
    }
    const seconds = (Date.now() - t1) / 1000;
    peak = Math.max(peak, status(server.pid).VmRSS);
    if (runObj.status !== 'succeeded') throw new Error(JSON.stringify(runObj));
    const line = /Report run .*?: (\d+) rows selected in (\d+) ms, (\d+) bytes written in (\d+) ms, process CPU (\d+) ms/.exec(log);

    // Check the file: rows per payout add up to each payout's amount.
    const csvPath = join(dir, 'payout_reconciliation.csv');
    const t2 = Date.now();
    await download(runObj.result.url, csvPath);
    const downloadSeconds = (Date.now() - t2) / 1000;
    const sums = new Map();
    let rows = -1;
    let header = null;
    for await (const l of createInterface({ input: createReadStream(csvPath) })) {
      const f = l.split(',');
      if (!header) { header = f; continue; }
      rows++;
      const po = f[header.indexOf('automatic_payout_id')];
      sums.set(po, (sums.get(po) ?? 0) + Math.round(Number(f[header.indexOf('net')]) * 100));
    }
    rows++;
    const payouts = [];
    let after = null;
    for (;;) {
      const page = await (await api(`/v1/payouts?limit=100${after ? `&starting_after=${after}` : ''}`)).json();
      payouts.push(...page.data);
      if (!page.has_more) break;
      after = page.data.at(-1).id;
    }
    const inInterval = payouts.filter((p) => p.automatic && p.arrival_date >= start && p.arrival_date < end);
    const bad = inInterval.filter((p) => sums.get(p.id) !== p.amount).length;
    results.push(['(b) payout_reconciliation.itemized.5 run', seconds, line ? Number(line[5]) / 1000 : null, peak,
      `${rows} rows, ${(runObj.result.size / 2 ** 20).toFixed(0)} MB CSV; selected in ${line?.[2]} ms under the lock, written in ${line?.[4]} ms; ` +
      `RSS ${before.toFixed(0)} → peak ${peak.toFixed(0)} MB (+${(peak - before).toFixed(0)} MB for the run); ` +
      `${inInterval.length} payouts, ${bad} not adding up; download ${downloadSeconds.toFixed(1)} s`]);
  } finally {
    server.kill('SIGTERM');
  }
}

console.log(`machine load after: ${loadavg()}\n`);
console.log('| step | wall s | CPU s | peak RSS MB | notes |');
console.log('|---|---|---|---|---|');
for (const [step, wall, cpu, rss, note] of results)
  console.log(`| ${step} | ${wall.toFixed(2)} | ${cpu == null ? '–' : cpu.toFixed(2)} | ${rss.toFixed(0)} | ${note} |`);
