// Shared helpers: an SDK client per test (each with a fresh sk_test_ key, i.e. a fresh empty
// merchant, since the emulator provisions one for every unseen key) and a raw fetch for what
// the SDK hides (headers, non-JSON failures, curl-style encodings, other auth schemes).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Stripe from 'stripe';

export const BASE_URL = process.env.MOCKPROCESSOR_URL || 'http://127.0.0.1:12112';

// Real Stripe test mode (run.mjs with STRIPE_TEST_KEY and no MOCKPROCESSOR_URL): one account for every test.
export const REAL_STRIPE = process.env.MOCKPROCESSOR_REAL_STRIPE === '1';

export function randomSuffix() {
  return randomBytes(12).toString('hex');
}

// Options are those accepted by stripe-node 23.1.0 (ALLOWED_CONFIG_PROPERTIES in stripe.core.js).
// `baseUrl` points the client at another emulator (one a test file started with startEmulator).
export function clientFor(key, extra = {}, baseUrl = BASE_URL) {
  const base = new URL(baseUrl);
  return new Stripe(key, {
    host: base.hostname,
    port: Number(base.port || (base.protocol === 'https:' ? 443 : 80)),
    protocol: base.protocol.replace(':', ''),
    maxNetworkRetries: 0,
    telemetry: false,
    ...extra,
  });
}

// Returns a client for a brand-new merchant; `.secretKey` / `.publishableKey` expose its keys.
export function newClient(extra = {}, baseUrl = BASE_URL) {
  if (REAL_STRIPE) {
    const stripe = clientFor(process.env.STRIPE_TEST_KEY, extra, baseUrl);
    stripe.secretKey = process.env.STRIPE_TEST_KEY;
    stripe.publishableKey = process.env.STRIPE_TEST_PUBLISHABLE_KEY;
    return stripe;
  }
  const suffix = randomSuffix();
  const stripe = clientFor(`sk_test_${suffix}`, extra, baseUrl);
  stripe.secretKey = `sk_test_${suffix}`;
  stripe.publishableKey = `pk_test_${suffix}`;
  return stripe;
}

// Form-encode like Stripe's clients do (literal brackets, indexed arrays) — or pass a string.
export function formEncode(params) {
  if (typeof params === 'string') return params;
  const parts = [];
  const walk = (prefix, value) => {
    if (value === undefined) return;
    if (Array.isArray(value)) {
      value.forEach((v, i) => walk(`${prefix}[${i}]`, v));
    } else if (value !== null && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) walk(prefix ? `${prefix}[${k}]` : k, v);
    } else {
      parts.push(`${prefix}=${encodeURIComponent(value ?? '')}`);
    }
  };
  walk('', params);
  return parts.join('&');
}

// Raw HTTP call. `key` → Bearer auth (null for none); `auth` overrides the Authorization header.
// `query` and `body` may be objects (form-encoded) or preformatted strings.
// `base` targets another emulator than BASE_URL.
export async function raw(method, path, { key, auth, query, body, headers = {}, base = BASE_URL } = {}) {
  const qs = query === undefined ? '' : `?${formEncode(query)}`;
  const h = { ...headers };
  if (auth !== undefined) h.Authorization = auth;
  else if (key) h.Authorization = `Bearer ${key}`;
  let payload;
  if (body !== undefined) {
    payload = formEncode(body);
    h['Content-Type'] ??= 'application/x-www-form-urlencoded';
  }
  const res = await fetch(`${base}${path}${qs}`, { method, headers: h, body: payload });
  const text = await res.text();
  let json = null;
  try {
    json = JSON.parse(text);
  } catch {
    // left null: callers assert on it when a JSON body is required
  }
  return { status: res.status, headers: res.headers, text, json };
}

// Asserts that `promise` rejects with a Stripe SDK error matching `expected` (a subset of
// {type, rawType, code, param, statusCode, declineCode}); `message` may be a RegExp.
// Returns the error for further checks.
export async function expectStripeError(promise, expected) {
  let err;
  try {
    await promise;
  } catch (e) {
    err = e;
  }
  assert.ok(err, `expected a Stripe error ${JSON.stringify(expected)}, but the call succeeded`);
  const seen = {
    type: err.type,
    rawType: err.rawType,
    code: err.code,
    param: err.param,
    statusCode: err.statusCode,
    declineCode: err.decline_code,
  };
  for (const [k, v] of Object.entries(expected)) {
    if (k === 'message') continue;
    if (v instanceof RegExp) assert.match(String(seen[k]), v, `${k}: ${JSON.stringify(seen)} ${err.message}`);
    else assert.equal(seen[k], v, `${k}: got ${JSON.stringify(seen)} — ${err.message}`);
  }
  if (expected.message instanceof RegExp) assert.match(err.message, expected.message);
  else if (expected.message !== undefined) assert.equal(err.message, expected.message);
  assert.match(err.requestId ?? '', /^req_/, 'error carries a Request-Id');
  return err;
}

// Asserts a raw response is a Stripe-shaped JSON error.
export function assertJsonError(res, status, type = 'invalid_request_error') {
  assert.equal(res.status, status, `status; body: ${res.text.slice(0, 300)}`);
  assert.ok(res.json && typeof res.json.error === 'object', `JSON error body expected, got: ${res.text.slice(0, 300)}`);
  assert.equal(res.json.error.type, type);
  assert.equal(typeof res.json.error.message, 'string');
  return res.json.error;
}

export const NEXT_YEAR = new Date().getUTCFullYear() + 1;

export function cardParams(number, extra = {}) {
  return { number, exp_month: 12, exp_year: NEXT_YEAR, cvc: number.length === 15 ? '1234' : '123', ...extra };
}

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const EMULATOR_DLL = join(repoRoot, 'src', 'MockProcessor', 'bin', 'Release', 'net10.0', 'mockprocessor.dll');

// Starts a private emulator (for tests that need server options run.mjs does not give, or a restartable
// file-backed server): `dotnet mockprocessor.dll serve --port <port> ...args`. Port 0 (default) lets the
// server choose; its "Now listening on" line gives the URL. Resolves once /healthz answers 200.
// Returns {url, pid, stop() (SIGTERM, waits for exit), kill9() (SIGKILL, waits), output()}.
// Callers must stop it (after()/t.after()); a process-exit hook kills any left over.
const started = new Set();
process.on('exit', () => {
  for (const p of started) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
});

export async function startEmulator({ args = ['--in-memory'], port = 0, timeoutMs = 30_000 } = {}) {
  const proc = spawn('dotnet', [EMULATOR_DLL, 'serve', '--port', String(port), ...args], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.add(proc);
  let out = '';
  const exited = new Promise((r) => proc.on('exit', () => { started.delete(proc); r(); }));
  let url = port ? `http://127.0.0.1:${port}` : null;
  const onData = (chunk) => {
    out += chunk;
    if (out.length > 200_000) out = out.slice(-100_000);
    const m = !url && /Now listening on: (http:\/\/[^\s]+)/.exec(out);
    if (m) url = m[1];
  };
  proc.stdout.setEncoding('utf8').on('data', onData);
  proc.stderr.setEncoding('utf8').on('data', onData);
  const handle = {
    get url() { return url; },
    pid: proc.pid,
    output: () => out,
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      await exited;
    },
    async kill9() {
      if (proc.exitCode === null && proc.signalCode === null) process.kill(proc.pid, 'SIGKILL');
      await exited;
    },
  };
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null || proc.signalCode !== null) {
      throw new Error(`emulator exited early (${proc.exitCode ?? proc.signalCode}):\n${out}`);
    }
    if (url) {
      try {
        const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1000) });
        await res.arrayBuffer();
        if (res.status === 200) return handle;
      } catch {
        // not up yet
      }
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  await handle.kill9();
  throw new Error(`emulator did not become healthy within ${timeoutMs} ms:\n${out}`);
}
