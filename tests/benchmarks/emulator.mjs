// What the benchmarks share: start a published emulator on its own port and temporary database, call it over
// keep-alive HTTP with one secret key, wait until it answers, and stop it (killed, its directory removed unless
// MP_BENCH_KEEP_DB=1).
//   const emu = await startEmulator({ exe, port, key: 'sk_test_x', args: ['--seed', '1'], inMemory: false });
//   const r = await emu.call('GET', '/v1/balance');          // { status, body, replayed }; a 4th argument adds headers
//   const o = await emu.ok('POST', '/v1/customers', 'a=b');  // parsed JSON, throws unless 200
//   emu.stop();
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const arg = (name, fallback) => { const i = process.argv.indexOf(`--${name}`); return i >= 0 ? process.argv[i + 1] : fallback; };

// Keep-alive HTTP calls to an emulator on `port` with one secret key (16 sockets): call answers { status, body }, ok the
// parsed JSON of a 200 (throws otherwise). Close the agent when done.
export function client({ port, key }) {
  const agent = new Agent({ keepAlive: true, maxSockets: 16 });
  const auth = 'Basic ' + Buffer.from(`${key}:`).toString('base64');
  const call = (method, path, body = '', headers = {}) => new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, agent, headers: { Authorization: auth, 'Content-Type': 'application/x-www-form-urlencoded', ...headers } }, (res) => {
      const replayed = res.headers['idempotent-replayed'] === 'true';
      let data = ''; res.setEncoding('utf8'); res.on('data', (c) => (data += c)); res.on('end', () => resolve({ status: res.statusCode, body: data, replayed }));
    });
    req.on('error', reject); req.end(body);
  });
  const ok = async (method, path, body = '') => {
    const r = await call(method, path, body);
    if (r.status !== 200) throw new Error(`${method} ${path}: ${r.status} ${r.body}`);
    return JSON.parse(r.body);
  };
  return { agent, call, ok };
}

export async function startEmulator({ exe, port, key, args = [], inMemory = false }) {
  const dir = mkdtempSync(join(tmpdir(), 'mp-bench-'));
  const store = inMemory ? ['--in-memory'] : ['--db', join(dir, 'bench.db')];
  const server = spawn(exe, ['serve', '--port', String(port), ...store, '--log-level', 'Warning', ...args], { stdio: 'ignore' });
  const { agent, call, ok } = client({ port, key });
  // MP_BENCH_KEEP_DB=1 keeps the database for a look at what was written (sqlite3 on the printed path).
  const keep = process.env.MP_BENCH_KEEP_DB === '1' && !inMemory;
  const stop = () => {
    server.kill('SIGKILL');
    if (keep) console.log(`database kept: ${join(dir, 'bench.db')}`);
    else rmSync(dir, { recursive: true, force: true });
    agent.destroy();
  };
  try {
    for (let i = 0; ; i++) {
      try { if ((await call('GET', '/healthz')).status === 200) break; } catch {}
      if (i > 200) throw new Error(`the emulator (${exe}) did not start on port ${port}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  } catch (e) { stop(); throw e; }
  return { server, call, ok, stop };
}
