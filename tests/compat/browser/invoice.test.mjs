// The hosted invoice page (docs/billing.md, "Hosted invoice page") in Debian's headless Chromium, driven by
// playwright-core: a send_invoice invoice made from invoice items is sent, its hosted_invoice_url opened without a key
// and paid with 4242 (the page then shows the receipt); a second invoice declines and the page shows the message.
//
//   node run.mjs browser/invoice.test.mjs          (tests/run-all.sh runs it when /usr/bin/chromium exists)
// Env: CHROMIUM (default /usr/bin/chromium), UPDATE_SCREENSHOTS=1 writes the screenshot to docs/images/
//      (else tests/results/screenshots/).
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { chromium } from 'playwright-core';
import { BASE_URL, newClient } from '../test/helpers.mjs';
import { CHROMIUM, CHROMIUM_ARGS, noChromium, screenshotDir } from './kit.mjs';


let browser;

async function sentInvoice(stripe, amounts) {
  const customer = await stripe.customers.create({ email: 'pay-me@example.com', name: 'Ivy Example' });
  let n = 0;
  for (const amount of amounts) {
    await stripe.invoiceItems.create({ customer: customer.id, amount, currency: 'usd', description: `Design work ${++n}` });
  }
  const draft = await stripe.invoices.create({
    customer: customer.id, collection_method: 'send_invoice', days_until_due: 14, pending_invoice_items_behavior: 'include',
  });
  return stripe.invoices.sendInvoice(draft.id);
}

async function fillCard(page, number) {
  await page.fill('input[name="number"]', number);
  await page.fill('input[name="expiry"]', '12 / 34');
  await page.fill('input[name="cvc"]', '123');
  await page.fill('input[name="name"]', 'Ivy Example');
}

describe('hosted invoice page in Chromium', { skip: noChromium }, () => {
  before(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  });

  after(async () => {
    await browser?.close();
  });

  test('pay a sent invoice with 4242 on its hosted page and see the receipt', async () => {
    const stripe = newClient();
    const invoice = await sentInvoice(stripe, [12000, 3500]);
    assert.equal(invoice.status, 'open');
    assert.ok(invoice.hosted_invoice_url.startsWith(new URL(BASE_URL).origin), invoice.hosted_invoice_url);

    const context = await browser.newContext({ viewport: { width: 720, height: 900 } });
    const page = await context.newPage();
    const outside = [];
    page.on('request', (r) => {
      if (new URL(r.url()).origin !== new URL(BASE_URL).origin) outside.push(r.url());
    });
    await page.goto(invoice.hosted_invoice_url);
    assert.match(await page.textContent('#amount-due'), /Amount due \$155\.00/);
    mkdirSync(screenshotDir, { recursive: true });
    await page.screenshot({ path: join(screenshotDir, 'invoice-hosted-page.png') });

    await fillCard(page, '4242 4242 4242 4242');
    await Promise.all([page.waitForLoadState('load'), page.click('#pay')]);
    await page.locator('#status').waitFor();
    assert.match(await page.textContent('#status'), /Paid \$155\.00/);
    assert.deepEqual(outside, [], 'nothing is loaded from outside the emulator');
    await context.close();

    const paid = await stripe.invoices.retrieve(invoice.id);
    assert.equal(paid.status, 'paid');
    assert.equal(paid.amount_paid, 15500);
  });

  test('a declined card shows the decline on the page and the invoice stays open', async () => {
    const stripe = newClient();
    const invoice = await sentInvoice(stripe, [4200]);
    const context = await browser.newContext({ viewport: { width: 720, height: 900 } });
    const page = await context.newPage();
    await page.goto(invoice.hosted_invoice_url);
    await fillCard(page, '4000 0000 0000 0002');
    await Promise.all([page.waitForLoadState('load'), page.click('#pay')]);
    await page.locator('#error').waitFor();
    assert.equal(await page.textContent('#error'), 'Your card was declined.');
    assert.equal(await page.locator('input[name="number"]').count(), 1, 'the form is shown again');
    await context.close();

    const open = await stripe.invoices.retrieve(invoice.id);
    assert.equal(open.status, 'open');
    assert.equal(open.amount_paid, 0);
  });
});
