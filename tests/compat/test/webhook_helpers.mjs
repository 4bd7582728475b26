// Helpers for the webhook tests: a local receiver that records what Stripe-style deliveries look like on
// the wire, and thin wrappers over the emulator's /_mock control API (docs/webhooks.md "Control API").
import { createServer } from 'node:http';
import { newClient, raw } from './helpers.mjs';

// A node:http receiver on 127.0.0.1 (port 0 unless given). Records every request as
// {body (raw string), headers, event (parsed body or null), status (what it answered), at (Date.now())}.
// `respond(req, record, index)` scripts the status (default 200); it may return a number or
// {status, body}. `listen()` starts it (again after close(), on the same port).
export function receiver({ respond = () => 200, port = 0 } = {}) {
  const requests = [];
  const waiters = [];
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let event = null;
      try {
        event = JSON.parse(body);
      } catch {
        // recorded as is
      }
      const record = { method: req.method, url: req.url, body, headers: req.headers, event, at: Date.now() };
      let answer = respond(req, record, requests.length);
      if (typeof answer === 'number') answer = { status: answer };
      record.status = answer.status;
      requests.push(record);
      res.writeHead(answer.status, { 'Content-Type': 'application/json' });
      res.end(answer.body ?? JSON.stringify({ received: answer.status < 300 }));
      for (const w of waiters.splice(0)) w();
    });
  });
  const r = {
    requests,
    port,
    get url() {
      return `http://127.0.0.1:${r.port}/webhooks`;
    },
    listen() {
      return new Promise((ok, fail) => {
        server.once('error', fail);
        server.listen(r.port, '127.0.0.1', () => {
          r.port = server.address().port;
          ok(r);
        });
      });
    },
    close() {
      server.closeAllConnections();
      return new Promise((ok) => server.close(() => ok()));
    },
    // Resolves when at least n requests arrived; rejects after timeoutMs (for the auto-dispatching server).
    async waitFor(n, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (requests.length < n) {
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`receiver got ${requests.length} of ${n} requests within ${timeoutMs} ms`);
        await new Promise((ok) => {
          const t = setTimeout(ok, left);
          waiters.push(() => {
            clearTimeout(t);
            ok();
          });
        });
      }
      return requests;
    },
  };
  return r;
}

export async function startReceiver(options) {
  return receiver(options).listen();
}

// A port nothing listens on right now (bound then released), for a receiver that is down.
export async function freePort() {
  const s = createServer();
  await new Promise((ok) => s.listen(0, '127.0.0.1', ok));
  const { port } = s.address();
  await new Promise((ok) => s.close(ok));
  return port;
}

async function control(base, method, path, opts = {}) {
  const res = await raw(method, path, { base, ...opts });
  if (res.status !== 200) throw new Error(`${method} ${path} → ${res.status}: ${res.text.slice(0, 500)}`);
  return res.json;
}

// Sends every delivery due now (all merchants) and resolves when their attempts are recorded.
export const flush = (base) => control(base, 'POST', '/_mock/webhooks/flush');
export const advanceClock = (base, seconds) => control(base, 'POST', '/_mock/clock/advance', { body: { seconds } });
export const clockNow = async (base) => (await control(base, 'GET', '/_mock/clock')).now;

// The delivery log (newest first), filtered by {event, endpoint, status}.
export async function deliveries(base, key, query = {}) {
  return (await control(base, 'GET', '/_mock/webhooks/deliveries', { key, query: { limit: 100, ...query } })).data;
}
export const setFaults = (base, key, endpoint, faults) =>
  control(base, 'POST', `/_mock/webhook_endpoints/${endpoint}/faults`, { key, body: faults });
export const clearFaults = (base, key, endpoint) => control(base, 'DELETE', `/_mock/webhook_endpoints/${endpoint}/faults`, { key });
export const resend = (base, key, event, endpoint) =>
  raw('POST', '/_mock/webhooks/deliveries/resend', { base, key, body: { event, endpoint } });

// Every event of the merchant (newest first), through the SDK's auto-pagination.
export async function allEvents(stripe) {
  const out = [];
  for await (const e of stripe.events.list({ limit: 100 })) out.push(e);
  return out;
}

// The emulator's reorder offset (docs/webhooks.md: FNV-1a of the delivery id, modulo the window).
export function reorderOffset(deliveryId, window) {
  if (window <= 1) return 0;
  let h = 14695981039346656037n;
  for (const ch of deliveryId) {
    h ^= BigInt(ch.charCodeAt(0));
    h = (h * 1099511628211n) & 0xffffffffffffffffn;
  }
  return Number(h % BigInt(window));
}

// Options for a private emulator where nothing is sent until flush and time moves only when advanced.
export const MANUAL_EMULATOR = { args: ['--in-memory', '--clock', 'manual', '--webhook-dispatch', 'manual', '--log-level', 'Warning'] };

// A fresh merchant on the emulator at `base` and a started receiver; `stripe.endpoint(params)` creates an
// endpoint (default: the receiver, all events). Cleanup deletes the endpoints and closes the receiver.
export async function merchantWithReceiver(t, base, respond) {
  const stripe = newClient({}, base);
  const rcv = await startReceiver({ respond });
  const endpoints = [];
  stripe.endpoint = async (params = {}) => {
    const we = await stripe.webhookEndpoints.create({ url: rcv.url, enabled_events: ['*'], ...params });
    endpoints.push(we.id);
    return we;
  };
  t.after(async () => {
    for (const id of endpoints) await stripe.webhookEndpoints.del(id).catch(() => {});
    await rcv.close();
  });
  return { stripe, rcv };
}

// A card-only PaymentIntent created and confirmed in one call.
export function pay(stripe, amount = 2000) {
  return stripe.paymentIntents.create({
    amount,
    currency: 'usd',
    allowed_payment_method_types: ['card'],
    payment_method: 'pm_card_visa',
    confirm: true,
  });
}

// Verifies a recorded delivery the way an integration does.
export function verify(stripe, rec, secret, tolerance) {
  return stripe.webhooks.constructEvent(rec.body, rec.headers['stripe-signature'], secret, tolerance);
}
