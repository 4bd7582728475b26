// Merchant onboarding, API keys and Connect through the official SDK (docs/connect.md): onboarding returns working
// keys; a rolled key works until its expiry on the merchant's clock; restricted and publishable keys are held to
// their surface; destination and direct charges with application fees, refunded with reversal, leave both balances
// equal to the sum of their balance transactions' nets.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { clientFor, expectStripeError, newClient, randomSuffix, raw } from './helpers.mjs';

async function onboard(params = {}) {
  const res = await raw('POST', '/_mock/merchants', { body: { name: `Shop ${randomSuffix().slice(0, 6)}`, ...params } });
  assert.equal(res.status, 200, res.text);
  return res.json;
}

// available + pending and Σ net over every balance transaction, for the acting account of `options`.
async function ledger(stripe, options = {}) {
  const balance = await stripe.balance.retrieve({}, options);
  const total = [...balance.available, ...balance.pending].reduce((s, f) => s + f.amount, 0);
  let nets = 0;
  for await (const t of stripe.balanceTransactions.list({ limit: 100 }, options)) nets += t.net;
  return { total, nets };
}

const pay = (stripe, params, options) =>
  stripe.paymentIntents.create(
    { currency: 'usd', payment_method: 'pm_card_visa', allowed_payment_method_types: ['card'], confirm: true, ...params },
    options,
  );

describe('onboarding and keys', () => {
  test('onboarding returns working secret and publishable keys and the webhook secret', async () => {
    const m = await onboard({ email: 'ops@shop.test', country: 'US', default_currency: 'usd',
      'webhook[url]': 'http://127.0.0.1:9/hook', 'webhook[enabled_events][0]': 'charge.succeeded' });
    assert.match(m.secret_key, /^sk_test_/);
    assert.match(m.publishable_key, /^pk_test_/);
    assert.match(m.webhook_endpoint.secret, /^whsec_/);
    const stripe = clientFor(m.secret_key);
    const account = await stripe.accounts.retrieveCurrent();
    assert.equal(account.id, m.id);
    assert.equal(account.business_profile.name, m.name);
    const endpoints = await stripe.webhookEndpoints.list();
    assert.deepEqual(endpoints.data.map((e) => e.id), [m.webhook_endpoint.id]);
    const pi = await pay(stripe, { amount: 1500 });
    assert.equal(pi.status, 'succeeded');
    const listed = await raw('GET', '/_mock/merchants');
    assert.ok(listed.json.data.some((x) => x.id === m.id));
    assert.ok(!listed.text.includes(m.secret_key), 'the list never shows a secret key');
  });

  test('auto-provisioned merchants appear in the merchant list', async () => {
    const stripe = newClient();
    const me = await stripe.accounts.retrieveCurrent();
    const shown = await raw('GET', `/_mock/merchants/${me.id}`);
    assert.equal(shown.status, 200);
    assert.equal(shown.json.auto_provisioned, true);
    // An implicit key's suffix is the merchant's secret, so even its publishable key is listed redacted.
    assert.equal(shown.json.publishable_key, `pk_test_****${stripe.publishableKey.slice(-4)}`);
    assert.ok(!shown.text.includes(stripe.secretKey.slice('sk_test_'.length)), shown.text);
  });

  test('a rolled key works until its expiry on the merchant clock, then answers api_key_expired', async () => {
    const m = await onboard();
    const keyId = m.keys.find((k) => k.secret === m.secret_key).id;
    const rolled = await raw('POST', `/_mock/keys/${keyId}/roll`, { key: m.secret_key, body: { expires_in: 3600 } });
    assert.equal(rolled.status, 200, rolled.text);
    const oldKey = clientFor(m.secret_key);
    const newKey = clientFor(rolled.json.secret);
    assert.equal((await oldKey.customers.create({ email: 'a@b.test' })).object, 'customer');
    const moved = await raw('POST', '/_mock/merchant_clock/advance', { key: rolled.json.secret, body: { seconds: 3600 } });
    assert.equal(moved.status, 200, moved.text);
    await expectStripeError(oldKey.customers.list(), {
      type: 'StripeAuthenticationError', code: 'api_key_expired', statusCode: 401, message: /^Expired API Key provided: sk_test_\*{4}/,
    });
    assert.equal((await newKey.customers.list()).data.length, 1);
  });

  test('a revoked key is an invalid key', async () => {
    const m = await onboard();
    const extra = await raw('POST', '/_mock/keys', { key: m.secret_key, body: { type: 'secret' } });
    await raw('POST', `/_mock/keys/${extra.json.id}/revoke`, { key: m.secret_key });
    await expectStripeError(clientFor(extra.json.secret).customers.list(), {
      type: 'StripeAuthenticationError', statusCode: 401, message: /^Invalid API Key provided/,
    });
  });

  test('a restricted key makes the calls its permissions allow and gets the permission error otherwise', async () => {
    const m = await onboard();
    const rk = await raw('POST', '/_mock/keys', {
      key: m.secret_key, body: { type: 'restricted', 'permissions[customers]': 'read', 'permissions[payment_intents]': 'write' },
    });
    assert.match(rk.json.secret, /^rk_test_/);
    const restricted = clientFor(rk.json.secret);
    await restricted.customers.list();
    const pi = await restricted.paymentIntents.create({ amount: 900, currency: 'usd', allowed_payment_method_types: ['card'] });
    assert.equal((await restricted.paymentIntents.retrieve(pi.id)).id, pi.id);
    const err = await expectStripeError(restricted.customers.create({ email: 'x@y.test' }), {
      type: 'StripePermissionError', rawType: 'invalid_request_error', statusCode: 403, code: undefined,
    });
    assert.match(err.message, new RegExp(`does not have the required permissions for this endpoint on account '${m.id}'`));
    assert.match(err.message, /Having the 'rak_customer_write' permission would allow this request to continue\./);
    await expectStripeError(restricted.refunds.list(), { type: 'StripePermissionError', message: /'rak_refund_read'/ });
  });

  test('a publishable key can only create payment methods and tokens and use a PaymentIntent with its client secret', async () => {
    const m = await onboard();
    const secret = clientFor(m.secret_key);
    const pk = clientFor(m.publishable_key);
    const pm = await pk.paymentMethods.create({ type: 'card', card: { token: 'tok_visa' } });
    assert.match(pm.id, /^pm_/);
    const tok = await pk.tokens.create({ card: { number: '4242424242424242', exp_month: 12, exp_year: 2040, cvc: '123' } });
    assert.match(tok.id, /^tok_/);
    const pi = await secret.paymentIntents.create({ amount: 1200, currency: 'usd', allowed_payment_method_types: ['card'] });
    const seen = await pk.paymentIntents.retrieve(pi.id, { client_secret: pi.client_secret });
    assert.equal(seen.id, pi.id);
    const confirmed = await pk.paymentIntents.confirm(pi.id, { client_secret: pi.client_secret, payment_method: pm.id });
    assert.equal(confirmed.status, 'succeeded');
    for (const call of [() => pk.customers.list(), () => pk.charges.list(), () => pk.refunds.create({ payment_intent: pi.id }),
      () => pk.accounts.retrieveCurrent()]) {
      await expectStripeError(call(), { type: 'StripeAuthenticationError', code: 'secret_key_required', statusCode: 401 });
    }
    await expectStripeError(pk.paymentIntents.retrieve(pi.id), { statusCode: 400, param: 'client_secret' });
  });
});

describe('Connect', () => {
  async function connectedAccount(platform) {
    const account = await platform.accounts.create({
      type: 'express', country: 'US', email: `seller-${randomSuffix().slice(0, 6)}@example.com`,
      capabilities: { card_payments: { requested: true }, transfers: { requested: true } },
    });
    assert.match(account.id, /^acct_/);
    assert.equal(account.charges_enabled, false);
    return account;
  }

  test('accounts: create, retrieve, update (account.updated), list, hosted onboarding, delete', async () => {
    const platform = newClient();
    const account = await connectedAccount(platform);
    const updated = await platform.accounts.update(account.id, { metadata: { tier: 'gold' }, business_profile: { name: 'Seller' } });
    assert.equal(updated.metadata.tier, 'gold');
    assert.equal((await platform.accounts.retrieve(account.id)).business_profile.name, 'Seller');
    assert.deepEqual((await platform.accounts.list()).data.map((a) => a.id), [account.id]);

    const link = await platform.accountLinks.create({
      account: account.id, type: 'account_onboarding', refresh_url: 'https://p.test/refresh', return_url: 'https://p.test/return',
    });
    assert.equal(link.object, 'account_link');
    const page = await fetch(link.url);
    assert.equal(page.status, 200);
    const done = await fetch(link.url, { method: 'POST', redirect: 'manual' });
    assert.equal(done.status, 303);
    assert.equal(done.headers.get('location'), 'https://p.test/return');
    const onboarded = await platform.accounts.retrieve(account.id);
    assert.equal(onboarded.charges_enabled, true);
    assert.equal(onboarded.payouts_enabled, true);
    assert.equal(onboarded.details_submitted, true);
    assert.deepEqual(onboarded.requirements.currently_due, []);

    const events = await platform.events.list({ limit: 10 }, { stripeAccount: account.id });
    const updates = events.data.filter((e) => e.type === 'account.updated');
    assert.equal(updates.length, 2);
    assert.ok(updates.every((e) => e.account === account.id));

    const other = newClient();
    await expectStripeError(other.customers.list({}, { stripeAccount: account.id }), {
      type: 'StripePermissionError', code: 'account_invalid', statusCode: 403,
    });
    await expectStripeError(other.accounts.retrieve(account.id), { statusCode: 404, code: 'resource_missing' });

    const deleted = await platform.accounts.del(account.id);
    assert.equal(deleted.deleted, true);
    await expectStripeError(platform.accounts.retrieve(account.id), { statusCode: 404 });
  });

  test('a destination charge with an application fee, refunded with reversal, leaves both balances adding up', async () => {
    const platform = newClient();
    const seller = await connectedAccount(platform);
    const as = { stripeAccount: seller.id };
    const pi = await pay(platform, {
      amount: 10000, application_fee_amount: 1230, transfer_data: { destination: seller.id }, on_behalf_of: seller.id,
    });
    assert.equal(pi.status, 'succeeded');
    assert.equal(pi.transfer_data.destination, seller.id);
    const charge = await platform.charges.retrieve(pi.latest_charge, { expand: ['application_fee'] });
    assert.equal(charge.application_fee.amount, 1230);
    assert.equal(charge.application_fee.account, seller.id);

    const [transfer] = (await platform.transfers.list({ destination: seller.id })).data;
    assert.match(transfer.id, /^tr_/);
    assert.equal(transfer.amount, 8770);
    assert.equal(charge.transfer, transfer.id, 'charge.transfer names the destination transfer');
    assert.equal((await platform.charges.retrieve(pi.latest_charge, { expand: ['transfer'] })).transfer.amount, 8770);
    const payment = await platform.charges.retrieve(transfer.destination_payment, {}, as);
    assert.match(payment.id, /^py_/);
    assert.equal(payment.amount, 8770);
    await expectStripeError(platform.charges.retrieve(transfer.destination_payment), { statusCode: 404, code: 'resource_missing' });

    const refund = await platform.refunds.create({ payment_intent: pi.id, amount: 5000, reverse_transfer: true, refund_application_fee: true });
    assert.match(refund.transfer_reversal, /^trr_/);
    const reversed = await platform.transfers.retrieve(transfer.id);
    assert.equal(reversed.amount_reversed, 4385);
    assert.equal(reversed.reversals.data[0].id, refund.transfer_reversal);
    assert.equal((await platform.applicationFees.retrieve(charge.application_fee.id)).amount_refunded, 615);

    const p = await ledger(platform);
    const c = await ledger(platform, as);
    assert.equal(p.total, p.nets, 'platform: available + pending == Σ net');
    assert.equal(c.total, c.nets, 'connected account: available + pending == Σ net');
    assert.equal(c.total, 8770 - 4385);
  });

  test('a direct charge with an application fee, refunded with the fee, leaves both balances adding up', async () => {
    const platform = newClient();
    const seller = await connectedAccount(platform);
    const as = { stripeAccount: seller.id };
    const pi = await pay(platform, { amount: 4000, application_fee_amount: 400 }, as);
    assert.equal(pi.application_fee_amount, 400);
    await expectStripeError(platform.paymentIntents.retrieve(pi.id), { statusCode: 404, code: 'resource_missing' });
    const charge = await platform.charges.retrieve(pi.latest_charge, { expand: ['balance_transaction'] }, as);
    assert.ok(charge.balance_transaction.fee_details.some((f) => f.type === 'application_fee' && f.amount === 400));

    const [fee] = (await platform.applicationFees.list({ charge: charge.id })).data;
    assert.equal(fee.amount, 400);
    assert.equal(fee.account, seller.id);
    assert.equal((await platform.balanceTransactions.retrieve(fee.balance_transaction)).type, 'application_fee');

    await platform.refunds.create({ charge: charge.id, refund_application_fee: true }, as);
    const refundedFee = await platform.applicationFees.retrieve(fee.id);
    assert.equal(refundedFee.refunded, true);
    const feeRefunds = await platform.applicationFees.listRefunds(fee.id);
    assert.equal(feeRefunds.data[0].amount, 400);

    const p = await ledger(platform);
    const c = await ledger(platform, as);
    assert.equal(p.total, p.nets);
    assert.equal(c.total, c.nets);
    assert.equal(p.total, 0, 'the platform returned the whole fee');
    assert.equal(c.total, -charge.balance_transaction.fee + 400, 'the connected account is left with Stripe\'s fee only');
  });

  test('connect webhook endpoints receive connected accounts\' events with account set; ordinary ones do not', async () => {
    const platform = newClient();
    const seller = await connectedAccount(platform);
    const connectHook = await platform.webhookEndpoints.create({ url: 'http://127.0.0.1:9/connect', enabled_events: ['*'], connect: true });
    const ownHook = await platform.webhookEndpoints.create({ url: 'http://127.0.0.1:9/own', enabled_events: ['*'] });
    await pay(platform, { amount: 2500, application_fee_amount: 100 }, { stripeAccount: seller.id });
    const deliveries = async (endpoint) => {
      const res = await raw('GET', '/_mock/webhooks/deliveries', { key: platform.secretKey, query: { endpoint, limit: 100 } });
      assert.equal(res.status, 200, res.text);
      return res.json.data;
    };
    const toConnect = await deliveries(connectHook.id);
    const toOwn = await deliveries(ownHook.id);
    assert.ok(toConnect.some((d) => d.event_type === 'charge.succeeded'), JSON.stringify(toConnect.map((d) => d.event_type)));
    assert.ok(!toOwn.some((d) => d.event_type === 'charge.succeeded'), 'the charge is the connected account\'s');
    assert.ok(toOwn.some((d) => d.event_type === 'application_fee.created'), 'the fee is the platform\'s own event');
    assert.ok(!toConnect.some((d) => d.event_type === 'application_fee.created'));
  });

  test('separate charges and transfers: a transfer from the available balance, reversed in parts; a fee refunded directly', async () => {
    const platform = newClient();
    const seller = await connectedAccount(platform);
    const as = { stripeAccount: seller.id };
    await platform.charges.create({ amount: 8000, currency: 'usd', source: 'tok_bypassPending' });
    await expectStripeError(platform.transfers.create({ amount: 9000, currency: 'usd', destination: seller.id }), {
      type: 'StripeInvalidRequestError', code: 'balance_insufficient', statusCode: 400,
    });
    const transfer = await platform.transfers.create({ amount: 6000, currency: 'usd', destination: seller.id, metadata: { order: '7' } });
    assert.equal(transfer.metadata.order, '7');
    const part = await platform.transfers.createReversal(transfer.id, { amount: 1000 });
    assert.equal(part.amount, 1000);
    assert.equal((await platform.transfers.listReversals(transfer.id)).data.length, 1);
    const c = await ledger(platform, as);
    assert.equal(c.total, 5000);
    assert.equal(c.total, c.nets);

    const pi = await pay(platform, { amount: 3000, application_fee_amount: 300 }, as);
    const [fee] = (await platform.applicationFees.list({ charge: pi.latest_charge })).data;
    const fr = await platform.applicationFees.createRefund(fee.id, { amount: 100 });
    assert.equal(fr.object, 'fee_refund');
    assert.equal((await platform.applicationFees.retrieve(fee.id)).amount_refunded, 100);
    const p = await ledger(platform);
    const after = await ledger(platform, as);
    assert.equal(p.total, p.nets);
    assert.equal(after.total, after.nets);
  });
});
