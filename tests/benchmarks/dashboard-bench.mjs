// The dashboard's payments list over a merchant with 100,000 PaymentIntents (docs/performance.md, issue 15): an
// emulator started here (in memory) gets the payments through the API (16 connections; 1 in 10 declined by a test
// card, 1 in 5 with a customer), then the dashboard's first page and its filters are each fetched --runs times after a
// warm-up, and the median and worst server time are printed (server time = time to the last byte, on loopback).
//
//   dotnet build src/MockProcessor -c Release
//   node tests/benchmarks/dashboard-bench.mjs [--payments 100000] [--runs 20] [--port 13330]
//        [--exe src/MockProcessor/bin/Release/net10.0/mockprocessor.dll]
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';

const args = Object.fromEntries(process.argv.slice(2).reduce((acc, a, i, all) => {
  if (a.startsWith('--')) acc.push([a.slice(2), all[i + 1] && !all[i + 1].startsWith('--') ? all[i + 1] : 'true']);
  return acc;
}, []));
const exe = resolve(args.exe ?? 'src/MockProcessor/bin/Release/net10.0/mockprocessor.dll');
const payments = Number(args.payments ?? 100_000);
const runs = Number(args.runs ?? 20);
const port = Number(args.port ?? 13330);
const base = `http://127.0.0.1:${port}`;
const key = 'sk_test_dashboard_bench';
const auth = { Authorization: `Bearer ${key}`, 'Content-Type': 'application/x-www-form-urlencoded' };

const server = spawn('dotnet', [exe, 'serve', '--port', String(port), '--in-memory', '--seed', '15', '--log-level', 'Warning'],
  { stdio: ['ignore', 'inherit', 'inherit'] });
process.on('exit', () => server.kill('SIGTERM'));

async function waitReady() {
  for (let i = 0; i < 300; i++) {
    try { if ((await fetch(`${base}/healthz`)).ok) return; } catch { /* not yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the emulator did not start');
}

async function post(path, body) {
  const res = await fetch(base + path, { method: 'POST', headers: auth, body });
  const text = await res.text();
  return { status: res.status, json: JSON.parse(text) };
}

await waitReady();
const customers = [];
for (let i = 0; i < 20; i++) customers.push((await post('/v1/customers', `email=bench${i}%40example.com`)).json.id);

let next = 0;
const started = performance.now();
async function worker() {
  for (;;) {
    const i = next++;
    if (i >= payments) return;
    const pm = i % 10 === 3 ? 'pm_card_chargeDeclinedInsufficientFunds' : 'pm_card_visa';
    const customer = i % 5 === 0 ? `&customer=${customers[i % customers.length]}` : '';
    const r = await post('/v1/payment_intents', `amount=${500 + (i % 200) * 25}&currency=usd&confirm=true&payment_method=${pm}` +
      `&allowed_payment_method_types[]=card${customer}`);
    if (r.status !== 200 && r.status !== 402) throw new Error(`payment ${i}: ${r.status} ${JSON.stringify(r.json)}`);
  }
}
await Promise.all(Array.from({ length: 16 }, worker));
console.log(`${payments} payments created in ${((performance.now() - started) / 1000).toFixed(1)} s`);

const signIn = await fetch(`${base}/dashboard/sign-in`, { method: 'POST', redirect: 'manual', body: `key=${key}`,
  headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
const cookie = signIn.headers.get('set-cookie').split(';')[0];

async function timed(path) {
  const t0 = performance.now();
  const res = await fetch(base + path, { headers: { Cookie: cookie } });
  const html = await res.text();
  if (res.status !== 200) throw new Error(`${path}: ${res.status}`);
  return { ms: performance.now() - t0, rows: (html.match(/<tr>/g) ?? []).length - 1 };
}

const pages = [
  ['first page', '/dashboard/payments'],
  ['page 100 (Older payments x100)', null],
  ['status = requires_payment_method', '/dashboard/payments?status=requires_payment_method'],
  ['card = InsufficientFunds', '/dashboard/payments?card=InsufficientFunds'],
  ['amount 20.00 to 20.00', '/dashboard/payments?min=20&max=20'],
  [`customer = ${customers[5]}`, `/dashboard/payments?customer=${customers[5]}`],
  ['customer email contains bench5@', '/dashboard/payments?customer=bench5%40'],
  ['no match (card 0000)', '/dashboard/payments?card=0000'],
];
// The 100th page's cursor: the 5,000th newest payment, found by walking the "Older payments" links once.
let cursorPath = '/dashboard/payments';
for (let i = 0; i < 99; i++) {
  const html = await (await fetch(base + cursorPath, { headers: { Cookie: cookie } })).text();
  cursorPath = html.match(/href="(\/dashboard\/payments\?starting_after=[^"]+)"/)[1].replaceAll('&amp;', '&');
}
pages[1][1] = cursorPath;

console.log('| page | rows | median ms | worst ms |');
console.log('|---|---|---|---|');
for (const [name, path] of pages) {
  for (let i = 0; i < 3; i++) await timed(path); // warm-up
  const samples = [];
  let rows = 0;
  for (let i = 0; i < runs; i++) {
    const s = await timed(path);
    samples.push(s.ms);
    rows = s.rows;
  }
  samples.sort((a, b) => a - b);
  console.log(`| ${name} | ${rows} | ${samples[Math.floor(runs / 2)].toFixed(1)} | ${samples[runs - 1].toFixed(1)} |`);
}
server.kill('SIGTERM');
