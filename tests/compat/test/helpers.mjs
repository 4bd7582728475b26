// Shared helpers: an SDK client per test (each with a fresh sk_test_ key, i.e. a fresh empty
// merchant, since the emulator provisions one for every unseen key) and a raw fetch for what
// the SDK hides (headers, non-JSON failures, curl-style encodings, other auth schemes).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import Stripe from 'stripe';

export const BASE_URL = process.env.MOCKPROCESSOR_URL || 'http://127.0.0.1:12112';
const base = new URL(BASE_URL);

export function randomSuffix() {
  return randomBytes(12).toString('hex');
}

// Options are those accepted by stripe-node 23.1.0 (ALLOWED_CONFIG_PROPERTIES in stripe.core.js).
export function clientFor(key, extra = {}) {
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
export function newClient(extra = {}) {
  const suffix = randomSuffix();
  const stripe = clientFor(`sk_test_${suffix}`, extra);
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
export async function raw(method, path, { key, auth, query, body, headers = {} } = {}) {
  const qs = query === undefined ? '' : `?${formEncode(query)}`;
  const h = { ...headers };
  if (auth !== undefined) h.Authorization = auth;
  else if (key) h.Authorization = `Bearer ${key}`;
  let payload;
  if (body !== undefined) {
    payload = formEncode(body);
    h['Content-Type'] ??= 'application/x-www-form-urlencoded';
  }
  const res = await fetch(`${BASE_URL}${path}${qs}`, { method, headers: h, body: payload });
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
