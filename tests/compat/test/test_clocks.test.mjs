// Stripe's test clocks through the official SDK (stripe.testHelpers.testClocks): the resource, customers bound to
// a clock, and the time-driven work of a clock customer's payment running on the clock, not the merchant's clock.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { expectStripeError, newClient, raw } from './helpers.mjs';

const DAY = 86400;
const now = () => Math.floor(Date.now() / 1000);

// What integration code does after an advance: poll until the clock is ready again (Stripe finishes advances
// asynchronously; the emulator is already ready when it answers).
async function advanceAndWait(stripe, clock, seconds) {
  const advanced = await stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: clock.frozen_time + seconds });
  let current = advanced;
  for (let i = 0; current.status !== 'ready' && i < 50; i++) current = await stripe.testHelpers.testClocks.retrieve(clock.id);
  assert.equal(current.status, 'ready');
  return current;
}

describe('test clocks', () => {
  test('create, retrieve, list, advance and delete, with their events', async () => {
    const stripe = newClient();
    const frozen = now() - 30 * DAY;
    const clock = await stripe.testHelpers.testClocks.create({ frozen_time: frozen, name: 'renewals' });
    assert.match(clock.id, /^clock_/);
    assert.equal(clock.object, 'test_helpers.test_clock');
    assert.equal(clock.frozen_time, frozen);
    assert.equal(clock.name, 'renewals');
    assert.equal(clock.status, 'ready');
    assert.equal(clock.deletes_after, clock.created + 7 * DAY);
    assert.deepEqual(await stripe.testHelpers.testClocks.retrieve(clock.id), clock);
    assert.deepEqual((await stripe.testHelpers.testClocks.list()).data.map((c) => c.id), [clock.id]);

    const advanced = await advanceAndWait(stripe, clock, 2 * DAY);
    assert.equal(advanced.frozen_time, frozen + 2 * DAY);

    const deleted = await stripe.testHelpers.testClocks.del(clock.id);
    assert.deepEqual(deleted, { id: clock.id, object: 'test_helpers.test_clock', deleted: true });
    await expectStripeError(stripe.testHelpers.testClocks.retrieve(clock.id), { statusCode: 404, code: 'resource_missing' });
    const types = (await stripe.events.list({ limit: 10 })).data.map((e) => e.type).reverse();
    assert.deepEqual(types, ['test_helpers.test_clock.created', 'test_helpers.test_clock.advancing',
      'test_helpers.test_clock.ready', 'test_helpers.test_clock.deleted']);
  });

  test('a clock only moves forward', async () => {
    const stripe = newClient();
    const clock = await stripe.testHelpers.testClocks.create({ frozen_time: now() });
    await expectStripeError(stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: clock.frozen_time - 60 }),
      { statusCode: 400, param: 'frozen_time' });
    await expectStripeError(stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: clock.frozen_time + 3 * 366 * DAY }),
      { statusCode: 400, param: 'frozen_time' });
  });

  test('customers on a clock are listed only with test_clock and are deleted with it', async () => {
    const stripe = newClient();
    const clock = await stripe.testHelpers.testClocks.create({ frozen_time: now() });
    const plain = await stripe.customers.create({ email: 'plain@example.com' });
    const bound = await stripe.customers.create({ email: 'clock@example.com', test_clock: clock.id });
    assert.equal(bound.test_clock, clock.id);
    assert.equal(plain.test_clock, null);
    assert.deepEqual((await stripe.customers.list()).data.map((c) => c.id), [plain.id]);
    assert.deepEqual((await stripe.customers.list({ test_clock: clock.id })).data.map((c) => c.id), [bound.id]);
    await expectStripeError(stripe.customers.create({ test_clock: 'clock_missing' }), { statusCode: 404, param: 'test_clock' });

    await stripe.testHelpers.testClocks.del(clock.id);
    assert.equal((await stripe.customers.retrieve(bound.id)).deleted, true);
    assert.equal((await stripe.customers.retrieve(plain.id)).deleted, undefined);
  });

  test("a clock customer's uncaptured payment expires when its clock passes 7 days, not the merchant's clock", async () => {
    const stripe = newClient();
    const clock = await stripe.testHelpers.testClocks.create({ frozen_time: now() });
    const other = await stripe.testHelpers.testClocks.create({ frozen_time: now() });
    const customer = await stripe.customers.create({ test_clock: clock.id });
    const hold = (extra) => stripe.paymentIntents.create({
      amount: 2500, currency: 'usd', confirm: true, payment_method: 'pm_card_visa',
      allowed_payment_method_types: ['card'], capture_method: 'manual', ...extra,
    });
    const onClock = await hold({ customer: customer.id });
    const normal = await hold({});
    const status = async (pi) => (await stripe.paymentIntents.retrieve(pi.id)).status;

    await advanceAndWait(stripe, other, 8 * DAY);
    assert.equal(await status(onClock), 'requires_capture');
    await advanceAndWait(stripe, clock, 8 * DAY);
    assert.equal(await status(onClock), 'canceled');
    assert.equal(await status(normal), 'requires_capture');

    const res = await raw('POST', '/_mock/merchant_clock/advance', { key: stripe.secretKey, body: { seconds: 8 * DAY } });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.fired, 1);
    assert.equal(await status(normal), 'canceled');
  });
});
