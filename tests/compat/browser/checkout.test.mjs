// The hosted Checkout page (docs/checkout.md) in Debian's headless Chromium, driven by playwright-core: a customer
// pays a Checkout Session with 4242 on the emulator's page, lands on the shop's success URL (session id substituted),
// and checkout.session.completed reaches the shop's webhook endpoint with a signature stripe-node verifies.
//
//   node run.mjs browser/checkout.test.mjs          (tests/run-all.sh runs it when /usr/bin/chromium exists)
// Env: CHROMIUM (default /usr/bin/chromium), MOCKPROCESSOR_SHOP_PORT (default 12114; this file uses the next port),
//      UPDATE_SCREENSHOTS=1 writes the screenshot to docs/images/ (else tests/results/screenshots/).
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { chromium } from 'playwright-core';
import { BASE_URL, newClient, raw } from '../test/helpers.mjs';
import { CHROMIUM, CHROMIUM_ARGS, noChromium, screenshotDir } from './kit.mjs';

const SHOP_PORT = Number(process.env.MOCKPROCESSOR_SHOP_PORT || 12114) + 1;
const SHOP = `http://127.0.0.1:${SHOP_PORT}`;

let browser;
let shop;
const hooks = []; // {body, signature} of every webhook the shop received

describe('hosted Checkout page in Chromium', { skip: noChromium }, () => {
  before(async () => {
    shop = createServer((req, res) => {
      const path = new URL(req.url, SHOP).pathname;
      if (req.method === 'POST' && path === '/webhooks') {
        const chunks = [];
        req.on('data', (c) => chunks.push(c));
        req.on('end', () => {
          hooks.push({ body: Buffer.concat(chunks).toString('utf8'), signature: req.headers['stripe-signature'] });
          res.writeHead(200).end();
        });
      } else if (path === '/done' || path === '/cart') {
        res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
        res.end(`<!DOCTYPE html><title>${path === '/done' ? 'Order complete' : 'Cart'}</title><p id="page">${path}</p>`);
      } else {
        res.writeHead(404).end();
      }
    });
    await new Promise((r) => shop.listen(SHOP_PORT, '127.0.0.1', r));
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  });

  after(async () => {
    await browser?.close();
    await new Promise((r) => (shop ? shop.close(r) : r()));
  });

  test('pay with 4242 on the hosted page, land on the success URL, receive checkout.session.completed signed', async () => {
    const stripe = newClient();
    const endpoint = await stripe.webhookEndpoints.create({ url: `${SHOP}/webhooks`, enabled_events: ['checkout.session.completed'] });
    const session = await stripe.checkout.sessions.create({
      mode: 'payment',
      success_url: `${SHOP}/done?session_id={CHECKOUT_SESSION_ID}`,
      cancel_url: `${SHOP}/cart`,
      line_items: [
        { quantity: 2, price_data: { currency: 'usd', unit_amount: 1500, product_data: { name: 'T-shirt' } } },
        { quantity: 1, price_data: { currency: 'usd', unit_amount: 900, product_data: { name: 'Mug' } } },
      ],
    });
    assert.ok(session.url.startsWith(new URL(BASE_URL).origin), session.url);

    const context = await browser.newContext({ viewport: { width: 720, height: 900 } });
    const page = await context.newPage();
    const outside = [];
    page.on('request', (r) => {
      const origin = new URL(r.url()).origin;
      if (origin !== new URL(BASE_URL).origin && origin !== SHOP) outside.push(r.url());
    });
    await page.goto(session.url);
    await assert.doesNotReject(page.getByText('Total due').waitFor());
    mkdirSync(screenshotDir, { recursive: true });
    await page.screenshot({ path: join(screenshotDir, 'checkout-hosted-page.png') });

    await page.fill('input[name="email"]', 'ann@example.com');
    await page.fill('input[name="number"]', '4242 4242 4242 4242');
    await page.fill('input[name="expiry"]', '12 / 34');
    await page.fill('input[name="cvc"]', '123');
    await page.fill('input[name="name"]', 'Ann Example');
    await Promise.all([page.waitForURL(`${SHOP}/done?**`), page.click('#submit')]);
    assert.equal(page.url(), `${SHOP}/done?session_id=${session.id}`);
    assert.equal(await page.textContent('#page'), '/done');
    assert.deepEqual(outside, [], 'nothing is loaded from outside the emulator and the shop');
    await context.close();

    const done = await stripe.checkout.sessions.retrieve(session.id);
    assert.equal(done.status, 'complete');
    assert.equal(done.payment_status, 'paid');

    // Deliveries are sent by the dispatcher; flush makes it happen now, then wait for the shop to have it.
    for (let i = 0; i < 100 && hooks.length === 0; i++) {
      await raw('POST', '/_mock/webhooks/flush');
      if (hooks.length === 0) await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(hooks.length, 1, 'one checkout.session.completed delivery');
    const event = stripe.webhooks.constructEvent(hooks[0].body, hooks[0].signature, endpoint.secret);
    assert.equal(event.type, 'checkout.session.completed');
    assert.equal(event.data.object.id, session.id);
    assert.equal(event.data.object.payment_status, 'paid');
  });
});
