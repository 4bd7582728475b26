// The customer portal (docs/portal.md) in Debian's headless Chromium, driven by playwright-core: a subscription bought
// on the hosted Checkout page (subscription mode, 4242) is then canceled by the customer on the portal page opened from
// a portal session's url; the subscription and the events are checked through the API. A second test replaces the card
// in the portal.
//
//   node run.mjs browser/portal.test.mjs          (tests/run-all.sh runs it when /usr/bin/chromium exists)
// Env: CHROMIUM (default /usr/bin/chromium), MOCKPROCESSOR_SHOP_PORT (default 12114; this file uses port + 2),
//      UPDATE_SCREENSHOTS=1 writes the screenshot to docs/images/ (else tests/results/screenshots/).
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { chromium } from 'playwright-core';
import { BASE_URL, newClient } from '../test/helpers.mjs';
import { CHROMIUM, CHROMIUM_ARGS, noChromium, screenshotDir } from './kit.mjs';

const SHOP_PORT = Number(process.env.MOCKPROCESSOR_SHOP_PORT || 12114) + 2;
const SHOP = `http://127.0.0.1:${SHOP_PORT}`;

let browser;
let shop;

async function fillCard(page, number) {
  await page.fill('input[name="number"]', number);
  await page.fill('input[name="expiry"]', '12 / 34');
  await page.fill('input[name="cvc"]', '123');
  await page.fill('input[name="name"]', 'Pat Example');
}

function watchOutside(page) {
  const outside = [];
  page.on('request', (r) => {
    const origin = new URL(r.url()).origin;
    if (origin !== new URL(BASE_URL).origin && origin !== SHOP) outside.push(r.url());
  });
  return outside;
}

describe('customer portal in Chromium', { skip: noChromium }, () => {
  before(async () => {
    shop = createServer((req, res) => {
      const path = new URL(req.url, SHOP).pathname;
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end(`<!DOCTYPE html><title>Shop</title><p id="page">${path}</p>`);
    });
    await new Promise((r) => shop.listen(SHOP_PORT, '127.0.0.1', r));
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  });

  after(async () => {
    await browser?.close();
    await new Promise((r) => (shop ? shop.close(r) : r()));
  });

  test('buy a subscription on the Checkout page, then cancel it at period end in the portal', async () => {
    const stripe = newClient();
    const price = await stripe.prices.create({ currency: 'usd', unit_amount: 1900, product_data: { name: 'Pro plan' }, recurring: { interval: 'month' } });
    const checkout = await stripe.checkout.sessions.create({
      mode: 'subscription', success_url: `${SHOP}/welcome?session_id={CHECKOUT_SESSION_ID}`, cancel_url: `${SHOP}/pricing`,
      line_items: [{ price: price.id, quantity: 1 }],
    });
    const context = await browser.newContext({ viewport: { width: 720, height: 1000 } });
    const page = await context.newPage();
    const outside = watchOutside(page);
    await page.goto(checkout.url);
    await page.fill('input[name="email"]', 'pat@example.com');
    await fillCard(page, '4242 4242 4242 4242');
    await Promise.all([page.waitForURL(`${SHOP}/welcome?**`), page.click('#submit')]);
    const bought = await stripe.checkout.sessions.retrieve(checkout.id);
    assert.equal(bought.status, 'complete');
    const subscription = bought.subscription;
    assert.equal((await stripe.subscriptions.retrieve(subscription)).status, 'active');

    const config = await stripe.billingPortal.configurations.create({
      business_profile: { headline: 'Pro plan billing' },
      features: {
        invoice_history: { enabled: true },
        payment_method_update: { enabled: true },
        subscription_cancel: { enabled: true, mode: 'at_period_end', proration_behavior: 'none',
          cancellation_reason: { enabled: true, options: ['too_expensive', 'unused'] } },
      },
    });
    const portal = await stripe.billingPortal.sessions.create({ customer: bought.customer, configuration: config.id, return_url: `${SHOP}/account` });
    await page.goto(portal.url);
    assert.match(await page.textContent(`#sub-${subscription}`), /Pro plan[\s\S]*\$19\.00 per month[\s\S]*Renews on/);
    assert.match(await page.textContent('#invoices'), /\$19\.00/);
    assert.match(await page.textContent('#card'), /•••• 4242/, 'the card bought with is shown');
    mkdirSync(screenshotDir, { recursive: true });
    await page.screenshot({ path: join(screenshotDir, 'portal-page.png'), fullPage: true });

    await page.selectOption('select[name="reason"]', 'unused');
    await Promise.all([page.waitForURL('**?done=cancel_at_period_end'), page.click(`#cancel-${subscription}`)]);
    assert.match(await page.textContent('#notice'), /canceled at the end of the current period/);
    assert.match(await page.textContent(`#status-${subscription}`), /Cancels on/);

    const after = await stripe.subscriptions.retrieve(subscription);
    assert.equal(after.status, 'active');
    assert.equal(after.cancel_at_period_end, true);
    assert.equal(after.cancellation_details.feedback, 'unused');
    const [updated] = (await stripe.events.list({ type: 'customer.subscription.updated', limit: 1 })).data;
    assert.equal(updated.data.object.id, subscription);
    assert.equal(updated.data.previous_attributes.cancel_at_period_end, false);
    const types = (await stripe.events.list({ limit: 3 })).data.map((e) => e.type);
    assert.deepEqual(types, ['customer.subscription.updated', 'billing_portal.session.created', 'billing_portal.configuration.created']);

    // The way back to the shop.
    await Promise.all([page.waitForURL(`${SHOP}/account`), page.click('#return')]);
    assert.deepEqual(outside, [], 'nothing is loaded from outside the emulator and the shop');
    await context.close();
  });

  test('replace the card in the portal: the customer and its subscription pay with the new one', async () => {
    const stripe = newClient();
    const price = await stripe.prices.create({ currency: 'usd', unit_amount: 700, product_data: { name: 'Basic plan' }, recurring: { interval: 'month' } });
    const customer = await stripe.customers.create({ email: 'card@example.com' });
    const old = await stripe.paymentMethods.attach('pm_card_visa', { customer: customer.id });
    const sub = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: price.id }], default_payment_method: old.id });
    const portal = await stripe.billingPortal.sessions.create({ customer: customer.id, flow_data: { type: 'payment_method_update' } });
    assert.equal(portal.flow.type, 'payment_method_update');

    const context = await browser.newContext({ viewport: { width: 720, height: 900 } });
    const page = await context.newPage();
    await page.goto(portal.url);
    await fillCard(page, '4000 0000 0000 0077');
    await Promise.all([page.waitForURL('**?done=payment_method'), page.click('#save-card')]);
    assert.match(await page.textContent('#notice'), /payment method has been updated/);
    assert.match(await page.textContent('#card'), /•••• 0077/);
    await context.close();

    const after = await stripe.customers.retrieve(customer.id);
    const card = await stripe.paymentMethods.retrieve(after.invoice_settings.default_payment_method);
    assert.equal(card.card.last4, '0077');
    assert.equal(card.customer, customer.id);
    assert.equal((await stripe.subscriptions.retrieve(sub.id)).default_payment_method, card.id);
    const types = (await stripe.events.list({ limit: 3 })).data.map((e) => e.type);
    assert.deepEqual(types, ['customer.subscription.updated', 'customer.updated', 'payment_method.attached']);
  });
});
