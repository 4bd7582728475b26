// Storage benchmark (issue 16): what a create-and-confirm PaymentIntent costs on disk, and how long a restart on the
// resulting file takes, for one or more published builds side by side in one run.
// Usage (repository root; node >= 20, python3 for reading the SQLite file):
//   dotnet publish src/MockProcessor -c Release -o /tmp/mp
//   node tests/benchmarks/storage-bench.mjs --exe /tmp/mp/mockprocessor [--exe /tmp/mp-old/mockprocessor] [--calls 20000]
//   node tests/benchmarks/storage-bench.mjs --exe A --exe B --db kept.db [--rounds 3]   (restarts only, on one file)
// For each build: a fresh file store, `calls` create-and-confirm PaymentIntents (confirm=true, pm_card_visa, 16 in
// flight), then a clean stop (SIGTERM: the WAL is checkpointed). Reported per call: rows and bytes of row data
// (sum(length(data)) over the objects table, the bytes the writer hands SQLite), and the file's size; then the restart:
// process start to the first answer of GET /v1/payment_intents?limit=1 (best of three).
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { client } from './emulator.mjs';

const exes = process.argv.flatMap((a, i) => (a === '--exe' ? [process.argv[i + 1]] : []));
const calls = Number(process.argv.includes('--calls') ? process.argv[process.argv.indexOf('--calls') + 1] : 20000);
const port = 12195;
const key = 'sk_test_storagebench';
if (exes.length === 0) { console.error('usage: node storage-bench.mjs --exe <published mockprocessor> [--exe <another>] [--calls N]'); process.exit(2); }

const { agent, call: send } = client({ port, key });
const call = async (method, path, body = '') => (await send(method, path, body)).status;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
// An --exe may carry flags after the path ("/tmp/mp/mockprocessor --no-index-snapshot"): one build, two ways to start.
const start = (exe, db) => {
  const [path, ...flags] = exe.split(/\s+/);
  return spawn(path, ['serve', '--port', String(port), '--db', db, '--log-level', 'Warning', ...flags], { stdio: 'ignore' });
};
const answered = async (t0) => {
  for (;;) {
    try { if ((await call('GET', '/v1/payment_intents?limit=1')) === 200) return Number(process.hrtime.bigint() - t0) / 1e6; } catch {}
    if (Number(process.hrtime.bigint() - t0) / 1e6 > 120000) throw new Error('no answer within 120 s');
    await sleep(5);
  }
};
// A clean stop; resolves to the milliseconds from SIGTERM to exit (a build that writes an index snapshot writes it then).
const stop = (child) => new Promise((r) => { const t = process.hrtime.bigint(); child.on('exit', () => r(Number(process.hrtime.bigint() - t) / 1e6)); child.kill('SIGTERM'); });
const rssOf = (child) => Number(execFileSync('grep', ['VmRSS', `/proc/${child.pid}/status`]).toString().split(/\s+/)[1]) / 1024;
// The resident set as Linux splits it, in MB: all of it, private (anonymous) memory, and pages of files (the database's
// and, with index pages, the index's), which the kernel can write back and drop; and the bytes the process caused to be
// written so far (its own writes and the write-back of its dirty mapped pages).
const memoryOf = (child) => {
  const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
  const kb = (name) => Number(status.match(new RegExp(`^${name}:\\s+(\\d+)`, 'm'))[1]) / 1024;
  const io = readFileSync(`/proc/${child.pid}/io`, 'utf8');
  return { rss: kb('VmRSS'), anon: kb('RssAnon'), file: kb('RssFile'), writtenMb: Number(io.match(/^write_bytes:\s+(\d+)/m)[1]) / 1048576 };
};
const memoryText = (m) => `RSS ${m.rss.toFixed(0)} MB (anonymous ${m.anon.toFixed(0)}, file pages ${m.file.toFixed(0)}), written ${m.writtenMb.toFixed(0)} MB`;
const sqlite = (db, sql) => execFileSync('python3', ['-c', `import sqlite3,sys; print(*sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone())`, db, sql]).toString().trim().split(' ').map(Number);

// Restarts only, on a file an earlier run kept (MP_BENCH_KEEP_DB=1): the builds take turns, so each meets the file as the
// other left it (a build compacts superseded versions in the background; the bench's file has none).
const keptDb = process.argv.includes('--db') ? process.argv[process.argv.indexOf('--db') + 1] : null;
if (keptDb) {
  const rounds = Number(process.argv.includes('--rounds') ? process.argv[process.argv.indexOf('--rounds') + 1] : 3);
  const times = new Map(exes.map((e) => [e, []]));
  for (let i = 0; i < rounds; i++)
    for (const exe of exes) {
      const t = process.hrtime.bigint();
      const child = start(exe, keptDb);
      times.get(exe).push(await answered(t));
      times.get(exe).rss = Math.max(times.get(exe).rss ?? 0, rssOf(child));
      (times.get(exe).stops ??= []).push(await stop(child));
    }
  for (const [exe, t] of times)
    console.log(`${exe}: restart to first answer on ${keptDb}: best ${Math.min(...t).toFixed(0)} ms of [${t.map((x) => x.toFixed(0)).join(', ')}], RSS at the answer up to ${t.rss.toFixed(0)} MB, clean stops [${t.stops.map((x) => x.toFixed(0)).join(', ')}] ms`);
  agent.destroy();
  process.exit(0);
}

const body = 'amount=2000&currency=usd&confirm=true&payment_method=pm_card_visa&return_url=https%3A%2F%2Fexample.com';
for (const exe of exes) {
  const dir = mkdtempSync(join(tmpdir(), 'mp-storage-'));
  const db = join(dir, 'bench.db');
  try {
    let child = start(exe, db);
    await answered(process.hrtime.bigint());
    await stop(child);
    const [rows0, bytes0] = sqlite(db, 'SELECT COUNT(*), COALESCE(SUM(LENGTH(data)), 0) FROM objects');
    const file0 = statSync(db).size;
    child = start(exe, db);
    await answered(process.hrtime.bigint());
    let next = 0, done = 0;
    const t0 = Date.now();
    // Memory at each tenth of the calls: the issue asks for it flat from 100k to 1M.
    const samples = [];
    await Promise.all(Array.from({ length: 16 }, async () => {
      while (next++ < calls) {
        const status = await call('POST', '/v1/payment_intents', body);
        if (status !== 200) throw new Error(`create-and-confirm answered ${status}`);
        if (++done % Math.max(1, Math.floor(calls / 10)) === 0) samples.push([done, memoryOf(child)]);
      }
    }));
    const seconds = (Date.now() - t0) / 1000;
    const atEnd = memoryOf(child);
    const firstStop = await stop(child);
    const [rows, bytes] = sqlite(db, 'SELECT COUNT(*), SUM(LENGTH(data)) FROM objects');
    const file = statSync(db).size;
    const restarts = [], stops = [firstStop], rss = [];
    for (let i = 0; i < 3; i++) {
      const t = process.hrtime.bigint();
      child = start(exe, db);
      restarts.push(await answered(t));
      rss.push(rssOf(child));
      stops.push(await stop(child));
    }
    console.log(`${exe}: ${calls} create-and-confirm in ${seconds.toFixed(1)} s (${(calls / seconds).toFixed(0)}/s, node client)`);
    for (const [n, m] of samples) console.log(`  after ${n} calls: ${memoryText(m)}`);
    console.log(`  at the end of the calls: ${memoryText(atEnd)}`);
    console.log(`  per call: ${((rows - rows0) / calls).toFixed(2)} rows, ${((bytes - bytes0) / calls).toFixed(0)} bytes of row data, file ${((file - file0) / calls).toFixed(0)} bytes`);
    console.log(`  restart to first answer: best ${Math.min(...restarts).toFixed(0)} ms of [${restarts.map((x) => x.toFixed(0)).join(', ')}], RSS at the answer [${rss.map((x) => x.toFixed(0)).join(', ')}] MB`);
    console.log(`  clean stops (after the calls, then after each restart): [${stops.map((x) => x.toFixed(0)).join(', ')}] ms`);
  } finally {
    if (process.env.MP_BENCH_KEEP_DB) console.log(`  kept ${db}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}
agent.destroy();
