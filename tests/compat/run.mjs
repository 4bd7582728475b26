// Starts the emulator (unless MOCKPROCESSOR_URL points at a running one), waits for /healthz,
// runs the node:test files against it with the official stripe SDK, stops it, and exits with
// the test runner's code. It does not build: run `dotnet build src/MockProcessor -c Release`
// from the repository root first.
//
//   node run.mjs                         # all files in test/
//   node run.mjs test/customers.test.mjs # a subset
//   node run.mjs --test-name-pattern=idempot
//
// Env: MOCKPROCESSOR_URL (use this server, start nothing), MOCKPROCESSOR_TEST_PORT (default 12112).
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '..', '..');
const dll = join(repoRoot, 'src', 'MockProcessor', 'bin', 'Release', 'net10.0', 'mockprocessor.dll');
const HEALTH_TIMEOUT_MS = 30_000;

let server = null;
let serverStderr = '';
let tests = null;

function stopServer() {
  if (server && server.exitCode === null && server.signalCode === null) {
    server.kill('SIGTERM');
  }
}

function onSignal(signal) {
  if (tests && tests.exitCode === null) tests.kill(signal);
  stopServer();
  process.exit(signal === 'SIGINT' ? 130 : 143);
}
process.on('SIGINT', () => onSignal('SIGINT'));
process.on('SIGTERM', () => onSignal('SIGTERM'));
process.on('exit', stopServer);

function fail(message) {
  console.error(message);
  if (serverStderr) console.error('--- server stderr ---\n' + serverStderr);
  stopServer();
  process.exit(1);
}

async function healthy(url) {
  try {
    const res = await fetch(new URL('/healthz', url), { signal: AbortSignal.timeout(1000) });
    await res.arrayBuffer();
    return res.status === 200;
  } catch {
    return false;
  }
}

async function startServer() {
  const port = process.env.MOCKPROCESSOR_TEST_PORT || '12112';
  const url = `http://127.0.0.1:${port}`;
  if (!existsSync(dll)) {
    fail(`${dll} not found. Build first: (cd ${repoRoot} && dotnet build src/MockProcessor -c Release)`);
  }
  if (await healthy(url)) {
    fail(`Something already answers on ${url}; pick another MOCKPROCESSOR_TEST_PORT or set MOCKPROCESSOR_URL.`);
  }
  server = spawn('dotnet', [dll, 'serve', '--port', port, '--in-memory'], {
    cwd: repoRoot,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  server.stderr.setEncoding('utf8');
  server.stderr.on('data', (chunk) => {
    serverStderr += chunk;
    if (serverStderr.length > 200_000) serverStderr = serverStderr.slice(-100_000);
  });
  server.on('error', (err) => fail(`Could not start dotnet: ${err.message}`));

  const deadline = Date.now() + HEALTH_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (server.exitCode !== null || server.signalCode !== null) {
      fail(`Server exited early (code ${server.exitCode}, signal ${server.signalCode}).`);
    }
    if (await healthy(url)) return url;
    await new Promise((r) => setTimeout(r, 100));
  }
  fail(`Server did not answer 200 on ${url}/healthz within ${HEALTH_TIMEOUT_MS / 1000} s.`);
}

// Against real Stripe test mode (STRIPE_TEST_KEY given, no MOCKPROCESSOR_URL): nothing is started, and files
// that need the emulator (its control API under /_mock, emulators of their own, fresh merchants per key) are skipped.
const realStripe = !process.env.MOCKPROCESSOR_URL && !!process.env.STRIPE_TEST_KEY;

function needsEmulator(file) {
  const text = readFileSync(file, 'utf8');
  return /_mock|startEmulator|clientFor\(/.test(text);
}

// Arguments starting with `--` go to `node --test` (e.g. --test-name-pattern=...); others are files.
function testArgs() {
  const args = process.argv.slice(2);
  const flags = args.filter((a) => a.startsWith('--'));
  let files = args.filter((a) => !a.startsWith('--'));
  if (files.length === 0) {
    const dir = join(here, 'test');
    for (const f of readdirSync(dir).filter((f) => f.endsWith('.test.mjs')).sort()) files.push(join(dir, f));
  }
  if (realStripe) {
    const skipped = files.filter(needsEmulator);
    files = files.filter((f) => !needsEmulator(f));
    console.log(`Real Stripe test mode: SKIPPED (they need the emulator's control API or fresh merchants): ${skipped.map((f) => f.split('/').pop()).join(', ')}`);
  }
  return [...flags, ...files];
}

const url = realStripe ? 'https://api.stripe.com' : process.env.MOCKPROCESSOR_URL || (await startServer());
console.log(`Testing against ${url}`);

tests = spawn(process.execPath, ['--test', '--test-concurrency=1', ...testArgs()], {
  cwd: here,
  stdio: 'inherit',
  env: { ...process.env, MOCKPROCESSOR_URL: url, MOCKPROCESSOR_REAL_STRIPE: realStripe ? '1' : '0' },
});
const code = await new Promise((r) => tests.on('exit', (c, s) => r(c ?? (s ? 1 : 0))));
stopServer();
process.exit(code);
