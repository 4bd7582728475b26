namespace MockProcessor.StripeNet.Tests;

/// <summary>
/// The billing cycle through Stripe.net 53 (docs/billing.md): an anchor after a trial, <c>billing_cycle_anchor_config</c>,
/// <c>trial_end</c> / <c>trial_from_plan</c> / <c>billing_cycle_anchor</c> on update, and <c>canceled_at</c> with
/// <c>cancel_at_period_end</c>, and a discount reflected in prorations. Counterpart of subscriptions_cycle.test.mjs.
/// </summary>
public sealed class SubscriptionCycleTests(EmulatorTarget target) : StripeTest(target)
{
    private static DateTime D(int y, int m, int d, int h = 0) => new(y, m, d, h, 0, 0, DateTimeKind.Utc);

    private async Task<Price> MonthlyAsync(long amount, long? trialDays = null) =>
        await Client.V1.Prices.CreateAsync(new PriceCreateOptions
        {
            Currency = "usd", UnitAmount = amount, ProductData = new PriceProductDataOptions { Name = "Cycle plan" },
            Recurring = new PriceRecurringOptions { Interval = "month", TrialPeriodDays = trialDays },
        });

    private Task AdvanceAsync(Stripe.TestHelpers.TestClock clock, DateTime to) =>
        Client.V1.TestHelpers.TestClocks.AdvanceAsync(clock.Id, new Stripe.TestHelpers.TestClockAdvanceOptions { FrozenTime = to });

    private async Task<List<long>> TotalsAsync(string sub) =>
        (await Client.V1.Invoices.ListAsync(new InvoiceListOptions { Subscription = sub })).Data.Select(i => i.Total).Reverse().ToList();

    private static async Task<string> ParamOfAsync(Func<Task> call) =>
        (await call.Should().ThrowAsync<StripeException>()).Which.StripeError.Param;

    [Fact]
    public async Task A_trial_then_an_anchor_bills_the_time_from_the_trial_end_to_the_anchor_prorated()
    {
        var price = await MonthlyAsync(3000);
        var (clock, customer, _) = await ClockCustomerAsync("cycle@example.com", D(2026, 3, 1));
        var sub = await Client.V1.Subscriptions.CreateAsync(new SubscriptionCreateOptions
        {
            Customer = customer.Id, Items = [new SubscriptionItemOptions { Price = price.Id }], TrialPeriodDays = 14, BillingCycleAnchor = D(2026, 4, 1),
        });
        sub.Status.Should().Be("trialing");
        sub.BillingCycleAnchor.Should().Be(D(2026, 4, 1));
        sub.Items.Data[0].CurrentPeriodEnd.Should().Be(D(2026, 3, 15));
        await AdvanceAsync(clock, D(2026, 3, 15, 2));
        // 17 of the 31 days Mar 1 → Apr 1: 3000 × 17 / 31 = 1645.16.
        (await TotalsAsync(sub.Id)).Should().Equal(0, 1645);
    }

    [Fact]
    public async Task An_anchor_config_on_day_31_bills_on_the_last_day_of_february_then_the_31st()
    {
        var price = await MonthlyAsync(3000);
        var (clock, customer, _) = await ClockCustomerAsync("cycle@example.com", D(2026, 2, 10, 12));
        var sub = await Client.V1.Subscriptions.CreateAsync(new SubscriptionCreateOptions
        {
            Customer = customer.Id, Items = [new SubscriptionItemOptions { Price = price.Id }],
            BillingCycleAnchorConfig = new SubscriptionBillingCycleAnchorConfigOptions { DayOfMonth = 31, Hour = 0, Minute = 0, Second = 0 },
        });
        sub.BillingCycleAnchor.Should().Be(D(2026, 2, 28));
        sub.BillingCycleAnchorConfig.DayOfMonth.Should().Be(31);
        sub.BillingCycleAnchorConfig.Month.Should().BeNull();
        await AdvanceAsync(clock, D(2026, 2, 28, 2));
        await AdvanceAsync(clock, D(2026, 3, 31, 2));
        (await TotalsAsync(sub.Id)).Should().Equal(1875, 3000, 3000);
        var latest = await Client.V1.Subscriptions.GetAsync(sub.Id);
        latest.Items.Data[0].CurrentPeriodEnd.Should().Be(D(2026, 4, 30));

        (await ParamOfAsync(() => Client.V1.Subscriptions.CreateAsync(new SubscriptionCreateOptions
        {
            Customer = customer.Id, Items = [new SubscriptionItemOptions { Price = price.Id }], BillingCycleAnchor = D(2026, 4, 15),
            BillingCycleAnchorConfig = new SubscriptionBillingCycleAnchorConfigOptions { DayOfMonth = 15 },
        }))).Should().Be("billing_cycle_anchor");
    }

    [Fact]
    public async Task Trial_end_on_update_starts_and_ends_a_trial_and_trial_from_plan_takes_the_price_trial()
    {
        var price = await MonthlyAsync(3000, trialDays: 7);
        var (clock, customer, _) = await ClockCustomerAsync("cycle@example.com", D(2026, 4, 1));
        var sub = await Client.V1.Subscriptions.CreateAsync(new SubscriptionCreateOptions { Customer = customer.Id, Items = [new SubscriptionItemOptions { Price = price.Id }] });
        var other = await Client.V1.Subscriptions.CreateAsync(new SubscriptionCreateOptions { Customer = customer.Id, Items = [new SubscriptionItemOptions { Price = price.Id }] });
        await AdvanceAsync(clock, D(2026, 4, 11));

        var trialing = await Client.V1.Subscriptions.UpdateAsync(sub.Id, new SubscriptionUpdateOptions { TrialEnd = D(2026, 5, 1) });
        trialing.Status.Should().Be("trialing");
        trialing.TrialEnd.Should().Be(D(2026, 5, 1));
        var ended = await Client.V1.Subscriptions.UpdateAsync(sub.Id, new SubscriptionUpdateOptions { TrialEnd = SubscriptionTrialEnd.Now, Expand = ["latest_invoice"] });
        ended.Status.Should().Be("active");
        ended.LatestInvoice.Total.Should().Be(1000); // the −2000 credit for Apr 11 → May 1 and 3000 for Apr 11 → May 11

        var fromPlan = await Client.V1.Subscriptions.UpdateAsync(other.Id, new SubscriptionUpdateOptions { TrialFromPlan = true, ProrationBehavior = "none" });
        fromPlan.TrialEnd.Should().Be(D(2026, 4, 18));
        (await ParamOfAsync(() => Client.V1.Subscriptions.UpdateAsync(other.Id, new SubscriptionUpdateOptions { TrialEnd = D(2026, 4, 5) })))
            .Should().Be("trial_end");
    }

    [Fact]
    public async Task Billing_cycle_anchor_now_resets_the_period_and_cancel_at_period_end_keeps_the_request_time()
    {
        var price = await MonthlyAsync(3000);
        var (clock, customer, _) = await ClockCustomerAsync("cycle@example.com", D(2026, 4, 1));
        var sub = await Client.V1.Subscriptions.CreateAsync(new SubscriptionCreateOptions { Customer = customer.Id, Items = [new SubscriptionItemOptions { Price = price.Id }] });
        await AdvanceAsync(clock, D(2026, 4, 11));
        var reset = await Client.V1.Subscriptions.UpdateAsync(sub.Id, new SubscriptionUpdateOptions
        {
            BillingCycleAnchor = new SubscriptionBillingCycleAnchorOptions { Type = "now" }, Expand = ["latest_invoice"],
        });
        reset.BillingCycleAnchor.Should().Be(D(2026, 4, 11));
        reset.Items.Data[0].CurrentPeriodEnd.Should().Be(D(2026, 5, 11));
        reset.LatestInvoice.Lines.Data.Select(l => l.Amount).Should().Equal(-2000, 3000);

        var requested = await Client.V1.Subscriptions.UpdateAsync(sub.Id, new SubscriptionUpdateOptions { CancelAtPeriodEnd = true });
        requested.CanceledAt.Should().Be(D(2026, 4, 11));
        await AdvanceAsync(clock, D(2026, 5, 11, 1));
        var ended = await Client.V1.Subscriptions.GetAsync(sub.Id);
        ended.Status.Should().Be("canceled");
        ended.CanceledAt.Should().Be(D(2026, 4, 11));
        ended.EndedAt.Should().Be(D(2026, 5, 11));
    }

    [Fact]
    public async Task A_discounted_subscription_prorates_an_upgrade_at_the_discounted_amounts()
    {
        var basic = await MonthlyAsync(1000);
        var pro = await MonthlyAsync(3000);
        var coupon = await Client.V1.Coupons.CreateAsync(new CouponCreateOptions { PercentOff = 20m, Duration = "forever" });
        var (clock, customer, _) = await ClockCustomerAsync("cycle@example.com", D(2026, 4, 1));
        var sub = await Client.V1.Subscriptions.CreateAsync(new SubscriptionCreateOptions
        {
            Customer = customer.Id, Items = [new SubscriptionItemOptions { Price = basic.Id }], Discounts = [new SubscriptionDiscountOptions { Coupon = coupon.Id }],
        });
        await AdvanceAsync(clock, D(2026, 4, 11));
        await Client.V1.Subscriptions.UpdateAsync(sub.Id, new SubscriptionUpdateOptions
        {
            Items = [new SubscriptionItemOptions { Id = sub.Items.Data[0].Id, Price = pro.Id }],
        });
        var pending = await Client.V1.InvoiceItems.ListAsync(new InvoiceItemListOptions { Customer = customer.Id, Pending = true });
        pending.Data.Select(i => i.Amount).Order().Should().Equal(-533, 1600);
        await AdvanceAsync(clock, D(2026, 5, 1, 2));
        (await TotalsAsync(sub.Id)).Should().Equal(800, 3467);
    }
}
