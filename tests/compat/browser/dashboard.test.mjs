// The dashboard (docs/dashboard.md) in Debian's headless Chromium, driven by playwright-core, against a merchant whose
// data is made through stripe-node: a declined payment is found by filter and its page names the decline code and the
// test card; a failed webhook delivery is resent and shows success; a dispute is won with a button and the balance
// changes; a rule added in the page declines the next API payment; the clock advances a day and an authorization
// expires on the page. Each test signs in with its own merchant's key, at 1280x800.
//
//   node run.mjs browser/dashboard.test.mjs          (tests/run-all.sh runs it when /usr/bin/chromium exists)
// Env: CHROMIUM (default /usr/bin/chromium), MOCKPROCESSOR_SHOP_PORT (default 12114; this file uses the port + 2),
//      UPDATE_SCREENSHOTS=1 writes the screenshots to docs/images/ (else tests/results/screenshots/).
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { chromium } from 'playwright-core';
import { BASE_URL, newClient, raw } from '../test/helpers.mjs';
import { CHROMIUM, CHROMIUM_ARGS, noChromium, screenshotDir } from './kit.mjs';

const HOOK_PORT = Number(process.env.MOCKPROCESSOR_SHOP_PORT || 12114) + 2;
const HOOKS = `http://127.0.0.1:${HOOK_PORT}`;

let browser;
let hookServer;
let hookStatus = 500; // what the webhook receiver answers

async function screenshot(page, name) {
  mkdirSync(screenshotDir, { recursive: true });
  await page.screenshot({ path: join(screenshotDir, `dashboard-${name}.png`), fullPage: false });
}

/** A browser page signed in to the dashboard with `stripe`'s merchant key; nothing may load from elsewhere. */
async function signIn(stripe) {
  await stripe.balance.retrieve(); // the merchant exists once its key was used
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const outside = [];
  page.on('request', (r) => {
    if (new URL(r.url()).origin !== new URL(BASE_URL).origin) outside.push(r.url());
  });
  page.outside = outside;
  await page.goto(`${BASE_URL}/dashboard`);
  await page.getByLabel('Secret key').fill(stripe.secretKey);
  await Promise.all([page.waitForURL('**/dashboard/payments'), page.getByRole('button', { name: 'Sign in' }).click()]);
  return page;
}

async function declined(stripe, paymentMethod = 'pm_card_chargeDeclinedInsufficientFunds', amount = 2000) {
  try {
    await stripe.paymentIntents.create({ amount, currency: 'usd', confirm: true, payment_method: paymentMethod,
      allowed_payment_method_types: ['card'] });
  } catch (err) {
    return err.raw.payment_intent;
  }
  throw new Error('the payment was expected to be declined');
}

describe('dashboard in Chromium', { skip: noChromium }, () => {
  before(async () => {
    hookServer = createServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(hookStatus, { 'Content-Type': 'text/plain' }).end(hookStatus === 200 ? 'thanks' : 'receiver is down'));
    });
    await new Promise((r) => hookServer.listen(HOOK_PORT, '127.0.0.1', r));
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  });

  after(async () => {
    await browser?.close();
    await new Promise((r) => (hookServer ? hookServer.close(r) : r()));
  });

  test('a declined payment is found by filter; its page names the decline code and the test card', async () => {
    const stripe = newClient();
    const pi = await declined(stripe);
    const ok = await stripe.paymentIntents.create({ amount: 1500, currency: 'usd', confirm: true, payment_method: 'pm_card_visa',
      allowed_payment_method_types: ['card'] });
    const page = await signIn(stripe);
    await page.getByLabel('Status').selectOption('requires_payment_method');
    await page.getByLabel('Card (last 4, brand or test card)').fill('InsufficientFunds');
    await Promise.all([page.waitForURL('**/dashboard/payments?**'), page.getByRole('button', { name: 'Filter' }).click()]);
    const table = page.locator('main table');
    await assert.doesNotReject(table.getByRole('link', { name: pi.id }).waitFor());
    assert.equal(await table.getByRole('link', { name: ok.id }).count(), 0, 'the approved payment is filtered out');
    await screenshot(page, 'payments');

    await Promise.all([page.waitForURL(`**/dashboard/payments/${pi.id}`), table.getByRole('link', { name: pi.id }).click()]);
    assert.equal(await page.getByTestId('decline-code').first().textContent(), 'insufficient_funds');
    assert.match(await page.getByTestId('test-card').first().textContent(), /lack of funds.*•••• 9995/);
    assert.match(await page.getByTestId('last-error').textContent(), /card_declined \/ insufficient_funds/);
    await screenshot(page, 'payment-detail');
    assert.deepEqual(page.outside, [], 'nothing is loaded from outside the emulator');
    await page.context().close();
  });

  test('a failed webhook delivery is resent from the page and shows success', async () => {
    const stripe = newClient();
    await stripe.webhookEndpoints.create({ url: `${HOOKS}/hook`, enabled_events: ['customer.created'] });
    hookStatus = 500;
    const customer = await stripe.customers.create({ email: 'resend@example.com' });
    const page = await signIn(stripe);
    // The first attempt fails (the receiver answers 500); the delivery waits for its retry minutes later.
    for (let i = 0; i < 50; i++) {
      await page.goto(`${BASE_URL}/dashboard/webhooks`);
      if ((await page.getByTestId('success-rate').textContent()).startsWith('0 %')) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(await page.getByTestId('success-rate').textContent(), '0 %');
    hookStatus = 200;
    const delivery = page.locator('main details.delivery').first();
    await delivery.locator('summary').click();
    await Promise.all([page.waitForURL('**/dashboard/webhooks?notice=**'), delivery.getByRole('button', { name: 'Resend' }).click()]);
    assert.equal(await page.getByRole('status').textContent(), 'Delivery resent.');
    let succeeded = 0;
    for (let i = 0; i < 50 && succeeded === 0; i++) {
      await page.goto(`${BASE_URL}/dashboard/events?type=customer.created`);
      succeeded = await page.locator('details.delivery[data-status="succeeded"]').count();
      if (succeeded === 0) await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(succeeded, 1, 'the resent delivery succeeded');
    assert.ok(await page.getByText(customer.id).count() > 0);
    await page.goto(`${BASE_URL}/dashboard/webhooks`);
    assert.equal(await page.getByTestId('success-rate').textContent(), '50 %');
    await screenshot(page, 'webhooks');
    await page.context().close();
  });

  test('a dispute is won with a button and the balance changes', async () => {
    const stripe = newClient();
    await stripe.charges.create({ amount: 3000, currency: 'usd', source: 'tok_createDispute' });
    const before = await stripe.balance.retrieve();
    const page = await signIn(stripe);
    await page.goto(`${BASE_URL}/dashboard/balance`);
    const availableBefore = await page.locator('tr[data-currency="usd"]').getByTestId('available').textContent();
    assert.equal(availableBefore, `-$${((-before.available[0].amount) / 100).toFixed(2)}`);
    await page.goto(`${BASE_URL}/dashboard/disputes`);
    await screenshot(page, 'disputes');
    await Promise.all([page.waitForURL('**/dashboard/disputes?notice=**'), page.getByRole('button', { name: 'Submit winning evidence' }).click()]);
    assert.equal(await page.getByTestId('dispute-status').first().textContent(), 'won');
    await page.goto(`${BASE_URL}/dashboard/balance`);
    const availableAfter = await page.locator('tr[data-currency="usd"]').getByTestId('available').textContent();
    const after = await stripe.balance.retrieve();
    assert.equal(after.available[0].amount, before.available[0].amount + 3000 + 1500);
    assert.notEqual(availableAfter, availableBefore);
    await screenshot(page, 'balance');
    await page.context().close();
  });

  test('a rule added in the page declines the next API payment', async () => {
    const stripe = newClient();
    const page = await signIn(stripe);
    await page.goto(`${BASE_URL}/dashboard/network`);
    await page.getByLabel('Outcome').selectOption('decline');
    await page.getByLabel('Decline code').fill('do_not_honor');
    await page.getByLabel(/For the next/).fill('1');
    await Promise.all([page.waitForURL('**/dashboard/network?notice=**'), page.getByRole('button', { name: 'Add rule' }).click()]);
    assert.equal(await page.getByRole('status').textContent(), 'Rule added.');
    const pi = await declined(stripe, 'pm_card_visa');
    assert.equal(pi.last_payment_error.decline_code, 'do_not_honor');
    const next = await stripe.paymentIntents.create({ amount: 1000, currency: 'usd', confirm: true, payment_method: 'pm_card_visa',
      allowed_payment_method_types: ['card'] });
    assert.equal(next.status, 'succeeded', 'the rule applied to the next payment only');
    await page.reload();
    assert.match(await page.locator('main').textContent(), /do_not_honor/);
    await screenshot(page, 'network');
    await page.context().close();
  });

  test('every page has one heading, labelled controls and keyboard navigation; screenshots of the rest', async () => {
    const stripe = newClient();
    const customer = await stripe.customers.create({ email: 'ann@example.com', name: 'Ann Example' });
    await stripe.paymentMethods.attach('pm_card_mastercard', { customer: customer.id });
    await stripe.paymentIntents.create({ amount: 4200, currency: 'eur', confirm: true, payment_method: 'pm_card_visa', customer: customer.id,
      allowed_payment_method_types: ['card'] });
    const price = await stripe.prices.create({ currency: 'usd', unit_amount: 1900, recurring: { interval: 'month' },
      product_data: { name: 'Team plan' } });
    const card = (await stripe.customers.listPaymentMethods(customer.id)).data[0];
    const sub = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: price.id, quantity: 2 }], default_payment_method: card.id });
    assert.equal(sub.status, 'active');
    const page = await signIn(stripe);
    await screenshot(page, 'home');
    const links = await page.locator('nav[aria-label="Dashboard"] a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    assert.equal(links.length, 10);
    for (const href of links) {
      await page.goto(BASE_URL + href);
      assert.equal(await page.locator('h1').count(), 1, href);
      const unlabelled = await page.locator('main input:not([type=hidden]), main select, main textarea, header select').evaluateAll(
        (els) => els.filter((e) => e.labels.length === 0 && !e.getAttribute('aria-label')).map((e) => e.name));
      assert.deepEqual(unlabelled, [], `every control of ${href} has a label`);
    }
    for (const name of ['events', 'customers', 'reconciliation', 'billing']) {
      await page.goto(`${BASE_URL}/dashboard/${name}`);
      await screenshot(page, name);
    }
    assert.match(await page.locator('main').textContent(), /2 × \$19\.00 \/ month/);
    assert.equal(await page.locator(`tr[data-subscription="${sub.id}"]`).getByTestId('subscription-status').textContent(), 'active');
    // Keyboard: the first Tab stop skips to the content; a focused link opens with Enter.
    await page.goto(`${BASE_URL}/dashboard/payments`);
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Skip to content');
    await page.getByRole('link', { name: 'Customers' }).focus();
    await Promise.all([page.waitForURL('**/dashboard/customers'), page.keyboard.press('Enter')]);
    assert.match(await page.locator('main').textContent(), /mastercard •••• 4444/);
    assert.match(await page.locator('main').textContent(), /ann@example\.com/);
    await page.goto(`${BASE_URL}/dashboard/payments`);
    assert.match(await page.locator('main').textContent(), /€42\.00/);
    assert.deepEqual(page.outside, [], 'nothing is loaded from outside the emulator');
    await page.context().close();
  });

  test('the clock advances a day and an authorization expires on the page', async () => {
    const stripe = newClient();
    const pi = await stripe.paymentIntents.create({ amount: 5000, currency: 'usd', confirm: true, capture_method: 'manual',
      payment_method: 'pm_card_visa', allowed_payment_method_types: ['card'] });
    assert.equal(pi.status, 'requires_capture');
    // Six of the authorization's seven days pass through the control API; the seventh through the page.
    const moved = await raw('POST', '/_mock/merchant_clock/advance', { key: stripe.secretKey, body: { seconds: 6 * 86400 } });
    assert.equal(moved.status, 200);
    const page = await signIn(stripe);
    await page.goto(`${BASE_URL}/dashboard/payments/${pi.id}`);
    assert.equal(await page.getByTestId('payment-status').textContent(), 'requires_capture');
    await page.goto(`${BASE_URL}/dashboard/clock`);
    assert.match(await page.locator('main').textContent(), /authorization expiry/);
    await screenshot(page, 'clock');
    await Promise.all([page.waitForURL('**/dashboard/clock?notice=**'), page.getByRole('button', { name: 'Advance 1 day' }).click()]);
    await page.goto(`${BASE_URL}/dashboard/payments/${pi.id}`);
    assert.equal(await page.getByTestId('payment-status').textContent(), 'canceled');
    assert.match(await page.locator('main').textContent(), /Authorization expired/);
    assert.equal((await stripe.paymentIntents.retrieve(pi.id)).status, 'canceled');
    await page.context().close();
  });
});
