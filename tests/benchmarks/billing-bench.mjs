// Billing benchmark (issue 14): N customers on one test clock, each with a monthly subscription paid by card, then the
// clock is advanced by one year in one call. Reports the advance's wall time, the renewals it produced (invoices and
// events, read back through the API) and the emulator's resident memory (VmRSS) before and after the advance.
// Usage (repository root): dotnet publish src/MockProcessor -c Release -o /tmp/mp
//                          node tests/benchmarks/billing-bench.mjs [--exe /tmp/mp/mockprocessor] [--subscriptions 1000]
//                          [--in-memory] [--cache-objects N] [--trial-days 0] [--hold]
import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { arg, startEmulator } from './emulator.mjs';

const exe = arg('exe', '/tmp/mp/mockprocessor');
const count = Number(arg('subscriptions', 1000));
const trialDays = Number(arg('trial-days', 0));
const port = Number(arg('port', 12170));
const inMemory = process.argv.includes('--in-memory');
const cacheObjects = arg('cache-objects', null);
const emu = await startEmulator({
  exe, port, key: 'sk_test_billingbench', inMemory,
  args: ['--seed', '14', ...(cacheObjects === null ? [] : ['--cache-objects', String(cacheObjects)])],
});
const { server, ok } = emu;
// The emulator's CPU time (user + system, all threads, in seconds), minor page faults, CPU by thread and bytes passed to
// write calls so far, from /proc/<pid>/stat, /proc/<pid>/task and /proc/<pid>/io (the commits come from /_mock/stats).
const procStat = () => {
  const text = readFileSync(`/proc/${server.pid}/stat`, 'utf8');
  const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const io = readFileSync(`/proc/${server.pid}/io`, 'utf8');
  const written = Number(/^wchar: (\d+)/m.exec(io)[1]);
  return { cpu: (Number(f[11]) + Number(f[12])) / 100, faults: Number(f[7]), threads: threadCpu(), written, machine: machineCpu() };
};
// The machine's CPU (seconds, all cores) from /proc/stat: busy (user+nice+system+irq+softirq) and steal (time the
// hypervisor ran something else while this VM wanted a core), to tell a slow advance from a machine that gave it less.
const machineCpu = () => {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  return { busy: (f[0] + f[1] + f[2] + f[5] + f[6]) / 100, steal: (f[7] ?? 0) / 100 };
};
// CPU seconds by thread name (threads of one name summed: the pool's workers, the collector's heaps).
const threadCpu = () => {
  const byName = {};
  for (const tid of readdirSync(`/proc/${server.pid}/task`)) {
    try {
      const text = readFileSync(`/proc/${server.pid}/task/${tid}/stat`, 'utf8');
      const name = text.slice(text.indexOf('(') + 1, text.lastIndexOf(')')).replace(/ \d+$/, '').trim();
      const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
      byName[name] = (byName[name] ?? 0) + (Number(f[11]) + Number(f[12])) / 100;
    } catch { /* the thread ended */ }
  }
  return byName;
};
const rssMb = () => {
  const line = readFileSync(`/proc/${server.pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'));
  return Number(line.split(/\s+/)[1]) / 1024;
};
// Counts a list by paging it through (limit 100), with an optional filter in the query.
const countList = async (path, query) => {
  let n = 0; let after = '';
  for (;;) {
    const page = await ok('GET', `${path}?limit=100${query ? `&${query}` : ''}${after ? `&starting_after=${after}` : ''}`);
    n += page.data.length;
    if (!page.has_more) return n;
    after = page.data[page.data.length - 1].id;
  }
};

try {
  const product = await ok('POST', '/v1/products', 'name=Bench+plan');
  const price = await ok('POST', '/v1/prices', `product=${product.id}&currency=usd&unit_amount=1000&recurring[interval]=month`);
  const clock = await ok('POST', '/v1/test_helpers/test_clocks', `frozen_time=${Math.floor(Date.UTC(2026, 0, 1) / 1000)}`);
  let next = 0;
  const t0 = Date.now();
  await Promise.all(Array.from({ length: 16 }, async () => {
    while (next++ < count) {
      const customer = await ok('POST', '/v1/customers', `test_clock=${clock.id}&payment_method=pm_card_visa&invoice_settings[default_payment_method]=pm_card_visa`);
      const pm = customer.invoice_settings.default_payment_method;
      await ok('POST', '/v1/subscriptions', `customer=${customer.id}&items[0][price]=${price.id}&default_payment_method=${pm}${trialDays ? `&trial_period_days=${trialDays}` : ''}`);
    }
  }));
  const setupMs = Date.now() - t0;
  global.gc?.();
  await new Promise((r) => setTimeout(r, 500));
  const hold = async (seconds, when) => {
    if (!process.argv.includes('--hold')) return;
    console.log(`holding pid ${server.pid} ${when} for ${seconds} s (e.g. dotnet-gcdump collect -p ${server.pid})`);
    await new Promise((r) => setTimeout(r, seconds * 1000));
  };
  await hold(20, 'before the advance');
  const invoicesBefore = await countList('/v1/invoices', '');
  const statsBefore = await ok('GET', '/_mock/stats?gc=true');
  const before = rssMb();
  const proc0 = procStat();
  const t1 = process.hrtime.bigint();
  const advanced = await ok('POST', `/v1/test_helpers/test_clocks/${clock.id}/advance`, `frozen_time=${clock.frozen_time + 365 * 86400}`);
  const ms = Number(process.hrtime.bigint() - t1) / 1e6;
  const after = rssMb();
  const proc1 = procStat();
  // What the emulator does in the 3 s after answering (the WAL checkpoint it left for when the writer rests).
  await new Promise((r) => setTimeout(r, 3000));
  const proc2 = procStat();
  await hold(30, 'after the advance');
  const statsAfter = await ok('GET', '/_mock/stats');
  const liveAfter = (await ok('GET', '/_mock/stats?gc=true')).managed_heap_bytes;
  const invoices = await countList('/v1/invoices', '') - invoicesBefore;
  const paid = await countList('/v1/invoices', 'status=paid');
  const active = await countList('/v1/subscriptions', 'status=active');
  const mode = inMemory ? 'in memory' : `file, cache ${cacheObjects ?? 'default'}`;
  console.log(`subscriptions ${count} (created in ${setupMs} ms, ${mode}); advance one year: ${ms.toFixed(0)} ms, clock ${advanced.status}`);
  console.log(`renewal invoices ${invoices} (${(invoices / count).toFixed(2)} per subscription), paid invoices in total ${paid}, active subscriptions ${active}`);
  console.log(`emulator CPU during the advance ${(proc1.cpu - proc0.cpu).toFixed(2)} s (${((proc1.cpu - proc0.cpu) * 1000 / ms).toFixed(2)} cores), minor page faults ${proc1.faults - proc0.faults}, ` +
    `${((proc1.written - proc0.written) / 1048576).toFixed(0)} MB written (write calls), ${statsAfter.commits - statsBefore.commits} commits`);
  const byThread = Object.entries(proc1.threads).map(([name, cpu]) => [name, cpu - (proc0.threads[name] ?? 0)])
    .filter(([, cpu]) => cpu >= 0.05).sort((a, b) => b[1] - a[1]);
  console.log(`  by thread: ${byThread.map(([name, cpu]) => `${name} ${cpu.toFixed(2)} s`).join(', ')}`);
  const cores = availableParallelism();
  const others = proc1.machine.busy - proc0.machine.busy - (proc1.cpu - proc0.cpu);
  console.log(`  the machine (${cores} cores, ${(cores * ms / 1000).toFixed(2)} core-seconds in the advance): other processes ${Math.max(0, others).toFixed(2)} s, ` +
    `steal ${(proc1.machine.steal - proc0.machine.steal).toFixed(2)} s`);
  console.log(`  in the 3 s after the advance (idle but for background work): CPU ${(proc2.cpu - proc1.cpu).toFixed(2)} s, ` +
    `${((proc2.written - proc1.written) / 1048576).toFixed(0)} MB written`);
  console.log(`RSS before advance ${before.toFixed(0)} MB, after ${after.toFixed(0)} MB (grew ${(after - before).toFixed(0)} MB)`);
  // The managed heap after a full collection (what the emulator holds on to), and the GC's work during the advance.
  const mb = (b) => (b / 1048576).toFixed(0);
  const gc0 = statsBefore.gc; const gc1 = statsAfter.gc;
  console.log(`live managed heap before ${mb(statsBefore.managed_heap_bytes)} MB, after ${mb(liveAfter)} MB (grew ${mb(liveAfter - statsBefore.managed_heap_bytes)} MB); ` +
    `GC during the advance: ${mb(gc1.allocated_bytes - gc0.allocated_bytes)} MB allocated, ${gc1.pause_total_ms - gc0.pause_total_ms} ms paused, ` +
    `collections ${gc1.gen0 - gc0.gen0} (gen1 ${gc1.gen1 - gc0.gen1}, gen2 ${gc1.gen2 - gc0.gen2})` +
    (statsAfter.thread_pool ? `; pool work items ${statsAfter.thread_pool.completed_items - statsBefore.thread_pool.completed_items}` : '') +
    (statsAfter.jit ? `; JIT ${statsAfter.jit.compiled_methods - statsBefore.jit.compiled_methods} methods in ${statsAfter.jit.compilation_ms - statsBefore.jit.compilation_ms} ms` : ''));
} finally {
  emu.stop();
}
