namespace MockProcessor.StripeNet.Tests;

/// <summary>
/// Subscription search, a future <c>billing_cycle_anchor</c> on create and <c>payment_behavior=pending_if_incomplete</c>
/// updates through Stripe.net 53 (docs/billing.md).
/// Counterpart of subscriptions_search_anchor.test.mjs.
/// </summary>
public sealed class SubscriptionSearchAnchorTests(EmulatorTarget target) : StripeTest(target)
{
    private static readonly DateTime March1 = new(2026, 3, 1, 0, 0, 0, DateTimeKind.Utc);

    private async Task<Price> MonthlyAsync(long amount) =>
        await Client.V1.Prices.CreateAsync(new PriceCreateOptions
        {
            Currency = "usd", UnitAmount = amount, ProductData = new PriceProductDataOptions { Name = "Anchor plan" },
            Recurring = new PriceRecurringOptions { Interval = "month" },
        });

    [Fact]
    public async Task Subscriptions_are_found_by_metadata_and_status_and_pages_auto_page()
    {
        var price = await MonthlyAsync(1500);
        var (_, customer, _) = await ClockCustomerAsync("anchor@example.com", March1);
        Subscription Make(string plan, int? trialDays = null) => Client.V1.Subscriptions.Create(new SubscriptionCreateOptions
        {
            Customer = customer.Id, Items = [new SubscriptionItemOptions { Price = price.Id }], TrialPeriodDays = trialDays,
            Metadata = new() { ["tag"] = Tag, ["plan"] = plan },
        });
        var a = Make("pro");
        var b = Make("free", trialDays: 7);
        var c = Make("pro");
        await Client.V1.Subscriptions.CancelAsync(c.Id);

        async Task<List<string>> IdsAsync(string query) =>
            (await Client.V1.Subscriptions.SearchAsync(new SubscriptionSearchOptions { Query = $"metadata['tag']:'{Tag}' AND {query}", Limit = 100 }))
                .Data.Select(s => s.Id).ToList();
        await EventuallyAsync(async () => (await IdsAsync("metadata['plan']:'pro'")).Should().Equal(c.Id, a.Id));
        (await IdsAsync("status:'trialing'")).Should().Equal(b.Id);
        (await IdsAsync("status:'active'")).Should().Equal(a.Id);
        (await IdsAsync("status:'canceled'")).Should().Equal(c.Id);

        var first = await Client.V1.Subscriptions.SearchAsync(new SubscriptionSearchOptions { Query = $"metadata['tag']:'{Tag}'", Limit = 2 });
        first.Object.Should().Be("search_result");
        first.Url.Should().Be("/v1/subscriptions/search");
        first.HasMore.Should().BeTrue();
        var all = await AllAsync(Client.V1.Subscriptions.SearchAutoPagingAsync(new SubscriptionSearchOptions { Query = $"metadata['tag']:'{Tag}'", Limit = 2 }));
        all.Select(s => s.Id).Should().Equal(c.Id, b.Id, a.Id);

        var bad = async () => await Client.V1.Subscriptions.SearchAsync(new SubscriptionSearchOptions { Query = $"customer:'{customer.Id}'" });
        (await bad.Should().ThrowAsync<StripeException>()).Which.StripeError.Param.Should().Be("query");
    }

    [Fact]
    public async Task A_future_anchor_prorates_the_first_invoice_and_a_bad_anchor_is_a_400()
    {
        var price = await MonthlyAsync(3000);
        var (clock, customer, _) = await ClockCustomerAsync("anchor@example.com", March1);
        var anchor = new DateTime(2026, 3, 11, 0, 0, 0, DateTimeKind.Utc);
        var sub = await Client.V1.Subscriptions.CreateAsync(new SubscriptionCreateOptions
        {
            Customer = customer.Id, Items = [new SubscriptionItemOptions { Price = price.Id }], BillingCycleAnchor = anchor,
            Expand = ["latest_invoice"],
        });
        sub.Status.Should().Be("active");
        sub.BillingCycleAnchor.Should().Be(anchor);
        sub.Items.Data[0].CurrentPeriodEnd.Should().Be(anchor);
        // 10 days of the 28-day period Feb 11 - Mar 11: 3000 * 10 / 28 = 1071.43.
        sub.LatestInvoice.Total.Should().Be(1071);
        sub.LatestInvoice.Lines.Data[0].Parent.SubscriptionItemDetails.Proration.Should().BeTrue();

        var free = await Client.V1.Subscriptions.CreateAsync(new SubscriptionCreateOptions
        {
            Customer = customer.Id, Items = [new SubscriptionItemOptions { Price = price.Id }], BillingCycleAnchor = anchor,
            ProrationBehavior = "none", Expand = ["latest_invoice"],
        });
        free.LatestInvoice.Total.Should().Be(0);

        var late = async () => await Client.V1.Subscriptions.CreateAsync(new SubscriptionCreateOptions
        {
            Customer = customer.Id, Items = [new SubscriptionItemOptions { Price = price.Id }], BillingCycleAnchor = new DateTime(2026, 4, 2, 0, 0, 0, DateTimeKind.Utc),
        });
        var error = (await late.Should().ThrowAsync<StripeException>()).Which;
        error.HttpStatusCode.Should().Be(System.Net.HttpStatusCode.BadRequest);
        error.StripeError.Param.Should().Be("billing_cycle_anchor");

        await Client.V1.TestHelpers.TestClocks.AdvanceAsync(clock.Id, new Stripe.TestHelpers.TestClockAdvanceOptions { FrozenTime = anchor.AddHours(2) });
        var invoices = await Client.V1.Invoices.ListAsync(new InvoiceListOptions { Subscription = sub.Id });
        invoices.Data.Select(i => i.Total).Should().Equal(3000, 1071);
    }

    [Fact]
    public async Task A_declined_pending_update_waits_in_pending_update_and_applies_when_its_invoice_is_paid()
    {
        var basic = await MonthlyAsync(1000);
        var upgrade = await MonthlyAsync(3000);
        var (_, customer, _) = await ClockCustomerAsync("anchor@example.com", March1);
        var sub = await Client.V1.Subscriptions.CreateAsync(new SubscriptionCreateOptions
        {
            Customer = customer.Id, Items = [new SubscriptionItemOptions { Price = basic.Id }],
        });
        var declining = await Client.V1.PaymentMethods.AttachAsync("pm_card_chargeCustomerFail", new PaymentMethodAttachOptions { Customer = customer.Id });
        await Client.V1.Customers.UpdateAsync(customer.Id, new CustomerUpdateOptions
        {
            InvoiceSettings = new CustomerInvoiceSettingsOptions { DefaultPaymentMethod = declining.Id },
        });

        var held = await Client.V1.Subscriptions.UpdateAsync(sub.Id, new SubscriptionUpdateOptions
        {
            Items = [new SubscriptionItemOptions { Id = sub.Items.Data[0].Id, Price = upgrade.Id }],
            PaymentBehavior = "pending_if_incomplete", Expand = ["latest_invoice"],
        });
        held.Status.Should().Be("active");
        held.Items.Data[0].Price.Id.Should().Be(basic.Id);
        held.PendingUpdate.Should().NotBeNull();
        held.PendingUpdate.ExpiresAt.Should().Be(March1.AddHours(23));
        held.PendingUpdate.SubscriptionItems.Single().Price.Id.Should().Be(upgrade.Id);
        held.LatestInvoice.Status.Should().Be("open");
        held.LatestInvoice.AmountDue.Should().Be(2000);

        var refused = async () => await Client.V1.Subscriptions.UpdateAsync(sub.Id, new SubscriptionUpdateOptions
        {
            Items = [new SubscriptionItemOptions { Id = sub.Items.Data[0].Id, Price = upgrade.Id }],
            PaymentBehavior = "pending_if_incomplete", Description = "not with pending updates",
        });
        (await refused.Should().ThrowAsync<StripeException>()).Which.StripeError.Param.Should().Be("description");

        var card = await Client.V1.PaymentMethods.AttachAsync("pm_card_visa", new PaymentMethodAttachOptions { Customer = customer.Id });
        (await Client.V1.Invoices.PayAsync(held.LatestInvoice.Id, new InvoicePayOptions { PaymentMethod = card.Id })).Status.Should().Be("paid");
        var applied = await Client.V1.Subscriptions.GetAsync(sub.Id);
        applied.PendingUpdate.Should().BeNull();
        applied.Items.Data[0].Price.Id.Should().Be(upgrade.Id);
        var events = await Client.V1.Events.ListAsync(new EventListOptions { Type = "customer.subscription.pending_update_applied" });
        events.Data.Select(e => ((Subscription)e.Data.Object).Id).Should().Equal(sub.Id);
    }
}
