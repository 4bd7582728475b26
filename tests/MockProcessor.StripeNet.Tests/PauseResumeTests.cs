namespace MockProcessor.StripeNet.Tests;

/// <summary>
/// Pausing through Stripe.net 53 (docs/billing.md, "Pause and resume"): a trial ending without a payment method pauses
/// and <c>ResumeAsync</c> starts a new period; <c>pause_collection</c> voids the renewals made while it is set.
/// </summary>
public sealed class PauseResumeTests(EmulatorTarget target) : StripeTest(target)
{
    private static readonly DateTime April1 = new(2026, 4, 1, 0, 0, 0, DateTimeKind.Utc);

    private async Task<Price> MonthlyAsync(long amount) =>
        await Client.V1.Prices.CreateAsync(new PriceCreateOptions
        {
            Currency = "usd", UnitAmount = amount, ProductData = new PriceProductDataOptions { Name = "Pause plan" },
            Recurring = new PriceRecurringOptions { Interval = "month" },
        });

    private async Task<(Stripe.TestHelpers.TestClock Clock, Customer Customer)> ClockCustomerAsync(bool card)
    {
        var clock = await Client.V1.TestHelpers.TestClocks.CreateAsync(new Stripe.TestHelpers.TestClockCreateOptions { FrozenTime = April1 });
        var customer = await Client.V1.Customers.CreateAsync(new CustomerCreateOptions { Email = "pause@example.com", TestClock = clock.Id });
        if (card) await DefaultCardAsync(customer.Id);
        return (clock, customer);
    }

    private async Task DefaultCardAsync(string customer)
    {
        var pm = await Client.V1.PaymentMethods.AttachAsync("pm_card_visa", new PaymentMethodAttachOptions { Customer = customer });
        await Client.V1.Customers.UpdateAsync(customer, new CustomerUpdateOptions
        {
            InvoiceSettings = new CustomerInvoiceSettingsOptions { DefaultPaymentMethod = pm.Id },
        });
    }

    private async Task AdvanceToAsync(Stripe.TestHelpers.TestClock clock, DateTime to) =>
        (await Client.V1.TestHelpers.TestClocks.AdvanceAsync(clock.Id, new Stripe.TestHelpers.TestClockAdvanceOptions { FrozenTime = to }))
            .Status.Should().Be("ready");

    private async Task<List<Invoice>> InvoicesAsync(string subscription)
    {
        var all = await AllAsync(Client.V1.Invoices.ListAutoPagingAsync(new InvoiceListOptions { Subscription = subscription, Limit = 100 }));
        all.Reverse();
        return all;
    }

    [Fact]
    public async Task A_trial_without_a_payment_method_pauses_and_resume_bills_a_new_period_from_now()
    {
        var price = await MonthlyAsync(2500);
        var (clock, customer) = await ClockCustomerAsync(card: false);
        var sub = await Client.V1.Subscriptions.CreateAsync(new SubscriptionCreateOptions
        {
            Customer = customer.Id, Items = [new SubscriptionItemOptions { Price = price.Id }], TrialPeriodDays = 5,
            TrialSettings = new SubscriptionTrialSettingsOptions
            {
                EndBehavior = new SubscriptionTrialSettingsEndBehaviorOptions { MissingPaymentMethod = "pause" },
            },
        });
        sub.TrialSettings.EndBehavior.MissingPaymentMethod.Should().Be("pause");
        await AdvanceToAsync(clock, April1.AddDays(6));
        var paused = await Client.V1.Subscriptions.GetAsync(sub.Id);
        paused.Status.Should().Be("paused");
        paused.StatusDetails.Paused.Subscription.Type.Should().Be("trial_end_without_payment_method");
        paused.StatusDetails.Paused.TransitionedAt.Should().Be(April1.AddDays(5));

        await DefaultCardAsync(customer.Id);
        var resumed = await Client.V1.Subscriptions.ResumeAsync(sub.Id, new SubscriptionResumeOptions { BillingCycleAnchor = new SubscriptionBillingCycleAnchorOptions { Type = "now" } });
        resumed.Status.Should().Be("active");
        resumed.BillingCycleAnchor.Should().Be(April1.AddDays(6));
        resumed.Items.Data.Single().CurrentPeriodEnd.Should().Be(April1.AddDays(6).AddMonths(1));
        var last = (await InvoicesAsync(sub.Id)).Last();
        (last.Status, last.AmountPaid).Should().Be(("paid", 2500L));

        var again = await Assert.ThrowsAsync<StripeException>(() => Client.V1.Subscriptions.ResumeAsync(sub.Id));
        again.StripeError.Param.Should().Be("id");
    }

    [Fact]
    public async Task Pause_collection_void_voids_renewals_until_resumes_at()
    {
        var price = await MonthlyAsync(1200);
        var (clock, customer) = await ClockCustomerAsync(card: true);
        var sub = await Client.V1.Subscriptions.CreateAsync(new SubscriptionCreateOptions
        {
            Customer = customer.Id, Items = [new SubscriptionItemOptions { Price = price.Id }],
        });
        var resumesAt = April1.AddMonths(1).AddDays(10);
        var updated = await Client.V1.Subscriptions.UpdateAsync(sub.Id, new SubscriptionUpdateOptions
        {
            PauseCollection = new SubscriptionPauseCollectionOptions { Behavior = "void", ResumesAt = resumesAt },
        });
        (updated.PauseCollection.Behavior, updated.PauseCollection.ResumesAt, updated.Status).Should().Be(("void", resumesAt, "active"));
        await AdvanceToAsync(clock, April1.AddMonths(1).AddHours(2));
        (await InvoicesAsync(sub.Id))[1].Status.Should().Be("void");
        await AdvanceToAsync(clock, April1.AddMonths(2).AddHours(2));
        (await Client.V1.Subscriptions.GetAsync(sub.Id)).PauseCollection.Should().BeNull();
        (await InvoicesAsync(sub.Id))[2].Status.Should().Be("paid");
    }
}
