// Browser tests of the emulator's local Stripe.js (docs/stripe-js.md) in Debian's headless Chromium, driven by
// playwright-core (no downloaded browser). A sample shop (browser/shop/index.html) is served from its own origin, so
// every call from the page to the emulator is a cross-origin one; the test plays the shop's server with stripe-node.
//
//   node run.mjs browser/stripe_js.test.mjs          (tests/run-all.sh runs it when /usr/bin/chromium exists)
// Env: CHROMIUM (default /usr/bin/chromium), MOCKPROCESSOR_SHOP_PORT (default 12114),
//      UPDATE_SCREENSHOTS=1 writes the screenshots to docs/images/ (else tests/results/screenshots/).
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { BASE_URL, newClient } from '../test/helpers.mjs';
import { CHROMIUM, CHROMIUM_ARGS, noChromium, screenshotDir } from './kit.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const SHOP_PORT = Number(process.env.MOCKPROCESSOR_SHOP_PORT || 12114);
const SHOP = `http://127.0.0.1:${SHOP_PORT}`;
const emulatorOrigin = new URL(BASE_URL).origin;


let browser;
let shop;
let stripe;          // the shop's server: stripe-node with the merchant's secret key
const requests = []; // every request any page made, with the frame that made it

describe('local Stripe.js in Chromium', { skip: noChromium }, () => {
  before(async () => {
    stripe = newClient();
    const page = readFileSync(join(here, 'shop', 'index.html'), 'utf8')
      .replaceAll('{{EMULATOR}}', emulatorOrigin).replaceAll('{{PK}}', stripe.publishableKey);
    shop = createServer((req, res) => {
      const path = new URL(req.url, SHOP).pathname;
      if (path === '/' || path === '/complete') {
        res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
        res.end(path === '/' ? page : '<!DOCTYPE html><title>Order complete</title><p id="complete">Thanks!</p>');
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

  async function openShop(query) {
    const context = await browser.newContext({ viewport: { width: 760, height: 720 } });
    const page = await context.newPage();
    page.on('request', (r) => {
      let frame = null;
      try { frame = r.frame().url(); } catch { /* a request without a frame */ }
      requests.push({ url: r.url(), frame, body: r.postData() || '' });
    });
    await page.goto(`${SHOP}/?${new URLSearchParams(query)}`);
    await page.waitForFunction(() => window.shop && window.shop.ready);
    return { page, context };
  }

  const cardFrame = (page) => page.frameLocator('iframe[name^="__privateStripeFrame"]');

  async function typeCard(page, number, { exp = '12 / 34', cvc = '123', payment = false } = {}) {
    const frame = cardFrame(page);
    await frame.locator(payment ? 'input[name="number"]' : 'input[name="cardnumber"]').fill(number);
    await frame.locator(payment ? 'input[name="expiry"]' : 'input[name="exp-date"]').fill(exp);
    await frame.locator('input[name="cvc"]').fill(cvc);
  }

  async function pay(page) {
    await page.click('#pay');
    await page.locator('#result.ok, #result.failed').waitFor();
    return { text: await page.locator('#result').textContent(), outcome: await page.evaluate(() => window.shop.outcome) };
  }

  const newIntent = () => stripe.paymentIntents.create({ amount: 2000, currency: 'usd' });

  test('4242 4242 4242 4242 pays: the page shows succeeded and the API agrees', async () => {
    const pi = await newIntent();
    const { page, context } = await openShop({ mode: 'card', client_secret: pi.client_secret });
    await typeCard(page, '4242 4242 4242 4242');
    mkdirSync(screenshotDir, { recursive: true });
    await page.screenshot({ path: join(screenshotDir, 'stripe-js-checkout.png') });
    const { text, outcome } = await pay(page);
    assert.equal(text, `succeeded: ${pi.id}`);
    assert.equal(outcome.paymentIntent.status, 'succeeded');
    const after = await stripe.paymentIntents.retrieve(pi.id, { expand: ['payment_method'] });
    assert.equal(after.status, 'succeeded');
    assert.equal(after.payment_method.card.last4, '4242');
    assert.equal(after.payment_method.billing_details.name, 'Jenny Rosen');
    await context.close();
  });

  test('4000 0000 0000 0002 is declined: the decline message is shown, the intent wants a new payment method', async () => {
    const pi = await newIntent();
    const { page, context } = await openShop({ mode: 'card', client_secret: pi.client_secret });
    await typeCard(page, '4000000000000002');
    const { text, outcome } = await pay(page);
    assert.equal(text, 'Your card was declined.');
    assert.equal(outcome.error.type, 'card_error');
    assert.equal(outcome.error.code, 'card_declined');
    assert.equal(outcome.error.decline_code, 'generic_decline');
    assert.equal(outcome.error.payment_intent.id, pi.id);
    assert.equal((await stripe.paymentIntents.retrieve(pi.id)).status, 'requires_payment_method');
    await context.close();
  });

  test('4000 0025 0000 3155: the 3-D Secure modal is completed and the payment succeeds', async () => {
    const pi = await newIntent();
    const { page, context } = await openShop({ mode: 'card', client_secret: pi.client_secret });
    await typeCard(page, '4000 0025 0000 3155');
    await page.click('#pay');
    const challenge = page.frameLocator('iframe[name="__mockStripeChallengeFrame"]');
    await challenge.getByRole('button', { name: 'Complete authentication' }).waitFor();
    await page.screenshot({ path: join(screenshotDir, 'stripe-js-3ds-modal.png') });
    assert.equal((await stripe.paymentIntents.retrieve(pi.id)).status, 'requires_action');
    await challenge.getByRole('button', { name: 'Complete authentication' }).click();
    await page.locator('#result.ok, #result.failed').waitFor();
    assert.equal(await page.locator('#result').textContent(), `succeeded: ${pi.id}`);
    assert.equal(await page.locator('[data-mockprocessor="three-d-secure"]').count(), 0, 'the modal is gone');
    assert.equal((await stripe.paymentIntents.retrieve(pi.id)).status, 'succeeded');
    await context.close();
  });

  test('4000 0025 0000 3155: a failed 3-D Secure challenge shows the error and the intent wants a new payment method', async () => {
    const pi = await newIntent();
    const { page, context } = await openShop({ mode: 'card', client_secret: pi.client_secret });
    await typeCard(page, '4000002500003155');
    await page.click('#pay');
    await page.frameLocator('iframe[name="__mockStripeChallengeFrame"]').getByRole('button', { name: 'Fail authentication' }).click();
    await page.locator('#result.ok, #result.failed').waitFor();
    const outcome = await page.evaluate(() => window.shop.outcome);
    assert.equal(outcome.error.code, 'payment_intent_authentication_failure');
    assert.equal(outcome.error.payment_intent.status, 'requires_payment_method');
    assert.equal(await page.locator('#result').textContent(), outcome.error.message);
    assert.ok(outcome.error.message.length > 0);
    assert.equal((await stripe.paymentIntents.retrieve(pi.id)).status, 'requires_payment_method');
    await context.close();
  });

  test('card Element change events: brand while typing, complete, and an invalid number\'s error', async () => {
    const { page, context } = await openShop({ mode: 'card' });
    const number = cardFrame(page).locator('input[name="cardnumber"]');
    await number.pressSequentially('4242');
    await page.waitForFunction(() => window.changes.length > 0);
    let last = await page.evaluate(() => window.changes.at(-1));
    assert.equal(last.elementType, 'card');
    assert.equal(last.brand, 'visa');
    assert.equal(last.complete, false);
    assert.equal(last.empty, false);
    assert.equal(last.error, undefined, 'no error while the number is still being typed');
    await typeCard(page, '4242424242424242');
    await page.waitForFunction(() => window.changes.at(-1).complete === true);
    last = await page.evaluate(() => window.changes.at(-1));
    assert.equal(last.brand, 'visa');
    assert.equal(last.error, undefined);
    await number.fill('4242 4242 4242 4241');
    await page.waitForFunction(() => window.changes.at(-1).error);
    last = await page.evaluate(() => window.changes.at(-1));
    assert.deepEqual(last.error, { type: 'validation_error', code: 'invalid_number', message: 'Your card number is invalid.' });
    assert.equal(last.complete, false);
    assert.equal(await page.locator('#card-errors').textContent(), 'Your card number is invalid.');
    await number.fill('3782 822463 10005');
    await page.waitForFunction(() => window.changes.at(-1).brand === 'amex');
    await context.close();
  });

  test('an incomplete card is refused in the browser (validation_error) without a request', async () => {
    const pi = await newIntent();
    const { page, context } = await openShop({ mode: 'card', client_secret: pi.client_secret });
    await cardFrame(page).locator('input[name="cardnumber"]').fill('4242 4242');
    const before = requests.length;
    const { outcome } = await pay(page);
    assert.deepEqual(outcome.error, { type: 'validation_error', code: 'incomplete_number', message: 'Your card number is incomplete.' });
    assert.equal(requests.slice(before).filter((r) => r.url.includes('/v1/')).length, 0);
    await context.close();
  });

  test('Payment Element: confirmPayment with redirect if_required resolves with the succeeded intent', async () => {
    const pi = await newIntent();
    const { page, context } = await openShop({ mode: 'payment', client_secret: pi.client_secret });
    await typeCard(page, '4242424242424242', { payment: true });
    const { text, outcome } = await pay(page);
    assert.equal(text, `succeeded: ${pi.id}`);
    assert.equal(outcome.paymentIntent.status, 'succeeded');
    const change = await page.evaluate(() => window.changes.at(-1));
    assert.deepEqual([change.elementType, change.complete, change.value.type], ['payment', true, 'card']);
    await context.close();
  });

  test('createConfirmationToken in the browser, then the server confirms with confirmation_token', async () => {
    const { page, context } = await openShop({ mode: 'token' });
    await typeCard(page, '4242424242424242', { payment: true });
    const { outcome } = await pay(page);
    const token = outcome.confirmationToken;
    assert.match(token.id, /^ctoken_/);
    assert.equal(token.payment_method_preview.card.last4, '4242');
    assert.equal(token.payment_method_preview.billing_details.name, 'Jenny Rosen');
    const pi = await stripe.paymentIntents.create({ amount: 2000, currency: 'usd', confirm: true, confirmation_token: token.id });
    assert.equal(pi.status, 'succeeded');
    assert.equal((await stripe.paymentMethods.retrieve(pi.payment_method)).card.last4, '4242');
    await context.close();
  });

  test('SetupIntent: a card saved in the browser is charged off-session', async (t) => {
    const probe = await fetch(`${BASE_URL}/v1/setup_intents`, { headers: { Authorization: `Bearer ${stripe.secretKey}` } });
    if (probe.status === 404) {
      t.skip('SetupIntents are not in this build yet (GET /v1/setup_intents answers 404)');
      return;
    }
    const customer = await stripe.customers.create({ email: 'saved@example.com' });
    const si = await stripe.setupIntents.create({ customer: customer.id, usage: 'off_session' });
    const { page, context } = await openShop({ mode: 'setup', client_secret: si.client_secret });
    await typeCard(page, '4242424242424242');
    const { text, outcome } = await pay(page);
    assert.equal(text, `succeeded: ${si.id}`);
    const pm = outcome.setupIntent.payment_method;
    const charged = await stripe.paymentIntents.create({
      amount: 1500, currency: 'usd', customer: customer.id, payment_method: pm, off_session: true, confirm: true,
    });
    assert.equal(charged.status, 'succeeded');
    await context.close();
  });

  test('nothing is loaded from outside the emulator and the shop, and the card number only leaves the emulator\'s frame', async () => {
    assert.ok(requests.length > 0);
    const outside = requests.filter((r) => !r.url.startsWith(emulatorOrigin + '/') && !r.url.startsWith(SHOP + '/'));
    assert.deepEqual(outside, []);
    const withNumber = requests.filter((r) => /4242424242424242|4000000000000002/.test(decodeURIComponent(r.url + r.body)));
    assert.ok(withNumber.length > 0);
    for (const r of withNumber) {
      assert.ok(r.frame.startsWith(`${emulatorOrigin}/v3/elements/frame.html`), `sent from ${r.frame}`);
      assert.ok(r.url.startsWith(`${emulatorOrigin}/v1/`));
    }
  });
});
