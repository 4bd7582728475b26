namespace MockProcessor.StripeNet.Tests;

/// <summary>
/// Billing through Stripe.net 53 (docs/billing.md): the issue's done-when stories on a test clock. A trial then a year of
/// renewals; a declined renewal retried into dunning; a new default card paying the open invoice; a prorated upgrade and
/// a downgrade without proration; cancel at period end; cancel now with a proration credit the next invoice consumes.
/// Emulator-only where it uses /_mock control calls (network rules, billing settings).
/// </summary>
public sealed class SubscriptionTests(EmulatorTarget target) : StripeTest(target)
{
    private static readonly DateTime March1 = new(2026, 3, 1, 0, 0, 0, DateTimeKind.Utc);
    private static readonly DateTime April1 = new(2026, 4, 1, 0, 0, 0, DateTimeKind.Utc);

    private async Task<Price> MonthlyAsync(long amount, string name) =>
        await Client.V1.Prices.CreateAsync(new PriceCreateOptions
        {
            Currency = "usd", UnitAmount = amount, ProductData = new PriceProductDataOptions { Name = name },
            Recurring = new PriceRecurringOptions { Interval = "month" },
        });

    /// <summary>A clock at <paramref name="start"/> with one customer whose invoice default is a saved card.</summary>
    private Task<(Stripe.TestHelpers.TestClock Clock, Customer Customer, PaymentMethod Card)> ClockCustomerAsync(DateTime start, string card = "pm_card_visa") =>
        ClockCustomerAsync("billing@example.com", start, card);

    private async Task<Stripe.TestHelpers.TestClock> AdvanceToAsync(Stripe.TestHelpers.TestClock clock, DateTime to)
    {
        var advanced = await Client.V1.TestHelpers.TestClocks.AdvanceAsync(clock.Id, new Stripe.TestHelpers.TestClockAdvanceOptions { FrozenTime = to });
        advanced.Status.Should().Be("ready");
        return advanced;
    }

    private async Task<List<Invoice>> InvoicesAsync(string subscription)
    {
        var all = await AllAsync(Client.V1.Invoices.ListAutoPagingAsync(new InvoiceListOptions { Subscription = subscription, Limit = 100 }));
        all.Reverse();
        return all;
    }

    private async Task<List<Event>> EventsAsync()
    {
        var all = await AllAsync(Client.V1.Events.ListAutoPagingAsync(new EventListOptions { Limit = 100 }));
        all.Reverse();
        return all;
    }

    [Fact]
    public async Task A_14_day_trial_on_a_test_clock_advanced_12_months_bills_zero_then_12_paid_invoices_in_order()
    {
        var price = await MonthlyAsync(2000, "Monthly plan");
        var (clock, customer, _) = await ClockCustomerAsync(March1);
        var sub = await Client.V1.Subscriptions.CreateAsync(new SubscriptionCreateOptions
        {
            Customer = customer.Id, Items = [new SubscriptionItemOptions { Price = price.Id }], TrialPeriodDays = 14,
            Expand = ["latest_invoice"],
        });
        sub.Status.Should().Be("trialing");
        sub.TrialEnd.Should().Be(March1.AddDays(14));
        sub.Items.Data.Single().CurrentPeriodEnd.Should().Be(March1.AddDays(14));
        sub.LatestInvoice.Total.Should().Be(0);
        sub.LatestInvoice.Status.Should().Be("paid");
        sub.TestClockId.Should().Be(clock.Id);

        // A month at a time, as Stripe limits an advance to two billing intervals.
        for (var m = 1; m <= 12; m++) clock = await AdvanceToAsync(clock, March1.AddMonths(m));

        var invoices = await InvoicesAsync(sub.Id);
        invoices.Should().HaveCount(13);
        invoices[0].BillingReason.Should().Be("subscription_create");
        invoices[0].Total.Should().Be(0);
        var trialEnd = March1.AddDays(14);
        for (var k = 1; k <= 12; k++)
        {
            var inv = invoices[k];
            inv.Status.Should().Be("paid");
            inv.BillingReason.Should().Be("subscription_cycle");
            inv.AmountPaid.Should().Be(2000);
            inv.Parent.SubscriptionDetails.SubscriptionId.Should().Be(sub.Id);
            var line = inv.Lines.Data.Single();
            line.Period.Start.Should().Be(trialEnd.AddMonths(k - 1));
            line.Period.End.Should().Be(trialEnd.AddMonths(k));
            inv.Created.Should().Be(trialEnd.AddMonths(k - 1));
            inv.StatusTransitions.FinalizedAt.Should().Be(trialEnd.AddMonths(k - 1).AddHours(1));
        }
        var current = await Client.V1.Subscriptions.GetAsync(sub.Id);
        current.Status.Should().Be("active");
        current.Items.Data.Single().CurrentPeriodStart.Should().Be(trialEnd.AddMonths(11));

        var events = await EventsAsync();
        var invoiceEvents = events.Where(e => e.Type.StartsWith("invoice.", StringComparison.Ordinal)).Select(e => e.Type).ToList();
        var cycle = new[] { "invoice.created", "invoice.finalized", "invoice.paid", "invoice.payment_succeeded" };
        // The $0 trial invoice, then each renewal announced 7 days ahead (invoice.upcoming, the default setting).
        invoiceEvents.Should().Equal(cycle.Concat(Enumerable.Repeat(cycle.Prepend("invoice.upcoming"), 12).SelectMany(x => x)));
        var upcoming = events.Where(e => e.Type == "invoice.upcoming").ToList();
        upcoming.Select(e => e.Created).Should().Equal(Enumerable.Range(0, 12).Select(k => trialEnd.AddMonths(k).AddDays(-7)));
        ((Invoice)upcoming[0].Data.Object).Id.Should().BeNull();
        ((Invoice)upcoming[0].Data.Object).AmountDue.Should().Be(2000);
        var paidIds = events.Where(e => e.Type == "invoice.paid").Select(e => ((Invoice)e.Data.Object).Id);
        paidIds.Should().Equal(invoices.Select(i => i.Id));
        var subEvents = events.Where(e => e.Type.StartsWith("customer.subscription.", StringComparison.Ordinal)).ToList();
        subEvents.Select(e => e.Type).Take(3).Should().Equal("customer.subscription.created", "customer.subscription.trial_will_end", "customer.subscription.updated");
        subEvents[1].Created.Should().Be(trialEnd.AddDays(-3));
        ((Subscription)subEvents[2].Data.Object).Status.Should().Be("active");
        events.Select(e => e.Created).Should().BeInAscendingOrder();
    }

    [Fact]
    public async Task A_renewal_a_network_rule_declines_goes_past_due_is_retried_on_the_documented_days_and_is_canceled()
    {
        var price = await MonthlyAsync(1000, "Basic");
        var (clock, customer, _) = await ClockCustomerAsync(April1);
        var sub = await Client.V1.Subscriptions.CreateAsync(new SubscriptionCreateOptions { Customer = customer.Id, Items = [new SubscriptionItemOptions { Price = price.Id }] });
        sub.Status.Should().Be("active");
        await Merchant.PostControlAsync("/_mock/network_rules", ("match[customer]", customer.Id), ("outcome", "decline"), ("decline_code", "insufficient_funds"));

        var firstAttempt = April1.AddMonths(1).AddHours(1);
        await AdvanceToAsync(clock, firstAttempt);
        (await Client.V1.Subscriptions.GetAsync(sub.Id)).Status.Should().Be("past_due");
        var renewal = (await InvoicesAsync(sub.Id))[1];
        renewal.Status.Should().Be("open");
        renewal.AttemptCount.Should().Be(1);
        renewal.NextPaymentAttempt.Should().Be(firstAttempt.AddDays(1));

        await AdvanceToAsync(clock, firstAttempt.AddDays(10));
        var failures = (await EventsAsync()).Where(e => e.Type == "invoice.payment_failed").Select(e => e.Created).ToList();
        failures.Should().Equal(new[] { 0, 1, 3, 5, 7 }.Select(d => firstAttempt.AddDays(d)));
        var ended = await Client.V1.Subscriptions.GetAsync(sub.Id);
        ended.Status.Should().Be("canceled");
        ended.CancellationDetails.Reason.Should().Be("payment_failed");
        ended.EndedAt.Should().Be(firstAttempt.AddDays(7));
    }

    [Fact]
    public async Task After_a_hard_decline_retries_wait_for_a_new_card_which_the_next_scheduled_retry_charges()
    {
        var price = await MonthlyAsync(1000, "Basic");
        var (clock, customer, _) = await ClockCustomerAsync(April1);
        var sub = await Client.V1.Subscriptions.CreateAsync(new SubscriptionCreateOptions { Customer = customer.Id, Items = [new SubscriptionItemOptions { Price = price.Id }] });
        var rule = await Merchant.PostControlAsync("/_mock/network_rules", ("match[customer]", customer.Id), ("outcome", "decline"), ("decline_code", "lost_card"));

        var firstAttempt = April1.AddMonths(1).AddHours(1);
        await AdvanceToAsync(clock, firstAttempt.AddDays(2));
        var renewal = (await InvoicesAsync(sub.Id))[1];
        renewal.AttemptCount.Should().Be(1, "the day-1 retry on the lost card was passed over");
        renewal.NextPaymentAttempt.Should().Be(firstAttempt.AddDays(3));
        var payment = (await Client.V1.InvoicePayments.ListAsync(new InvoicePaymentListOptions { Invoice = renewal.Id })).Data.Single();
        var intent = await Client.V1.PaymentIntents.GetAsync(payment.Payment.PaymentIntentId);
        intent.LastPaymentError.DeclineCode.Should().Be("lost_card");

        await Merchant.DeleteControlAsync($"/_mock/network_rules/{(string)rule["id"]!}");
        var card = await Client.V1.PaymentMethods.AttachAsync("pm_card_mastercard", new PaymentMethodAttachOptions { Customer = customer.Id });
        await Client.V1.Customers.UpdateAsync(customer.Id, new CustomerUpdateOptions { InvoiceSettings = new CustomerInvoiceSettingsOptions { DefaultPaymentMethod = card.Id } });
        await AdvanceToAsync(clock, firstAttempt.AddDays(4));
        renewal = await Client.V1.Invoices.GetAsync(renewal.Id);
        renewal.Status.Should().Be("paid");
        renewal.AttemptCount.Should().Be(2);
        renewal.StatusTransitions.PaidAt.Should().Be(firstAttempt.AddDays(3));
        (await EventsAsync()).Count(e => e.Type == "invoice.payment_failed").Should().Be(1);
        (await Client.V1.Subscriptions.GetAsync(sub.Id)).Status.Should().Be("active");
    }

    [Fact]
    public async Task Unpaid_after_retries_then_a_new_default_card_and_paying_the_open_invoice_make_it_active()
    {
        await Merchant.PostControlAsync("/_mock/billing/settings", ("retry_days[]", "3"), ("retry_days[]", "6"), ("after_final_failure", "unpaid"));
        var price = await MonthlyAsync(1500, "Pro");
        var (clock, customer, _) = await ClockCustomerAsync(April1);
        var sub = await Client.V1.Subscriptions.CreateAsync(new SubscriptionCreateOptions { Customer = customer.Id, Items = [new SubscriptionItemOptions { Price = price.Id }] });
        var rule = await Merchant.PostControlAsync("/_mock/network_rules", ("match[customer]", customer.Id), ("outcome", "decline"));
        await AdvanceToAsync(clock, April1.AddMonths(1).AddDays(7));
        (await Client.V1.Subscriptions.GetAsync(sub.Id)).Status.Should().Be("unpaid");

        await Merchant.DeleteControlAsync($"/_mock/network_rules/{(string)rule["id"]!}");
        var card = await Client.V1.PaymentMethods.AttachAsync("pm_card_mastercard", new PaymentMethodAttachOptions { Customer = customer.Id });
        await Client.V1.Customers.UpdateAsync(customer.Id, new CustomerUpdateOptions { InvoiceSettings = new CustomerInvoiceSettingsOptions { DefaultPaymentMethod = card.Id } });
        var open = (await Client.V1.Invoices.ListAsync(new InvoiceListOptions { Subscription = sub.Id, Status = "open" })).Data.Single();
        var paid = await Client.V1.Invoices.PayAsync(open.Id);
        paid.Status.Should().Be("paid");
        paid.AmountPaid.Should().Be(1500);
        (await Client.V1.Subscriptions.GetAsync(sub.Id)).Status.Should().Be("active");
    }

    [Fact]
    public async Task A_mid_period_upgrade_prorates_to_the_documented_minor_units_and_a_downgrade_without_proration_charges_nothing()
    {
        var a = await MonthlyAsync(1000, "A");
        var b = await MonthlyAsync(3000, "B");
        var (clock, customer, _) = await ClockCustomerAsync(April1);
        var sub = await Client.V1.Subscriptions.CreateAsync(new SubscriptionCreateOptions { Customer = customer.Id, Items = [new SubscriptionItemOptions { Price = a.Id }] });
        var item = sub.Items.Data.Single();
        await AdvanceToAsync(clock, April1.AddDays(10));

        var preview = await Client.V1.Invoices.CreatePreviewAsync(new InvoiceCreatePreviewOptions
        {
            Subscription = sub.Id,
            SubscriptionDetails = new InvoiceSubscriptionDetailsOptions { Items = [new InvoiceSubscriptionDetailsItemOptions { Id = item.Id, Price = b.Id }] },
        });
        preview.Total.Should().Be(4333);
        var upgraded = await Client.V1.Subscriptions.UpdateAsync(sub.Id, new SubscriptionUpdateOptions
        {
            Items = [new SubscriptionItemOptions { Id = item.Id, Price = b.Id }],
        });
        upgraded.Items.Data.Single().Price.Id.Should().Be(b.Id);
        var pending = await Client.V1.InvoiceItems.ListAsync(new InvoiceItemListOptions { Customer = customer.Id, Pending = true });
        pending.Data.Select(i => i.Amount).Should().BeEquivalentTo(new[] { -667L, 2000L });
        pending.Data.Should().OnlyContain(i => i.Proration);

        await AdvanceToAsync(clock, April1.AddMonths(1).AddHours(1));
        var renewal = (await InvoicesAsync(sub.Id))[1];
        renewal.Total.Should().Be(4333);
        renewal.AmountPaid.Should().Be(4333);

        var downgraded = await Client.V1.Subscriptions.UpdateAsync(sub.Id, new SubscriptionUpdateOptions
        {
            Items = [new SubscriptionItemOptions { Id = item.Id, Price = a.Id }], ProrationBehavior = "none",
        });
        downgraded.Items.Data.Single().Price.Id.Should().Be(a.Id);
        (await Client.V1.InvoiceItems.ListAsync(new InvoiceItemListOptions { Customer = customer.Id, Pending = true })).Data.Should().BeEmpty();
        (await InvoicesAsync(sub.Id)).Should().HaveCount(2);
        await AdvanceToAsync(clock, April1.AddMonths(2).AddHours(1));
        (await InvoicesAsync(sub.Id))[2].AmountPaid.Should().Be(1000);
    }

    [Fact]
    public async Task Cancel_at_period_end_ends_the_subscription_at_the_boundary()
    {
        var price = await MonthlyAsync(1000, "Monthly");
        var (clock, customer, _) = await ClockCustomerAsync(April1);
        var sub = await Client.V1.Subscriptions.CreateAsync(new SubscriptionCreateOptions { Customer = customer.Id, Items = [new SubscriptionItemOptions { Price = price.Id }] });
        var set = await Client.V1.Subscriptions.UpdateAsync(sub.Id, new SubscriptionUpdateOptions { CancelAtPeriodEnd = true });
        set.CancelAtPeriodEnd.Should().BeTrue();
        set.Status.Should().Be("active");
        await AdvanceToAsync(clock, April1.AddMonths(1).AddDays(2));
        var ended = await Client.V1.Subscriptions.GetAsync(sub.Id);
        ended.Status.Should().Be("canceled");
        ended.EndedAt.Should().Be(April1.AddMonths(1));
        (await InvoicesAsync(sub.Id)).Should().ContainSingle();
        (await EventsAsync()).Where(e => e.Type == "customer.subscription.deleted").Should().ContainSingle();
    }

    [Fact]
    public async Task Cancel_now_with_proration_credits_the_customer_balance_and_the_next_invoice_consumes_it()
    {
        var price = await MonthlyAsync(3000, "Team");
        var (clock, customer, _) = await ClockCustomerAsync(April1);
        var sub = await Client.V1.Subscriptions.CreateAsync(new SubscriptionCreateOptions { Customer = customer.Id, Items = [new SubscriptionItemOptions { Price = price.Id }] });
        await AdvanceToAsync(clock, April1.AddDays(20));
        var canceled = await Client.V1.Subscriptions.CancelAsync(sub.Id, new SubscriptionCancelOptions { Prorate = true, InvoiceNow = true });
        canceled.Status.Should().Be("canceled");
        var final = (await InvoicesAsync(sub.Id)).Last();
        final.Total.Should().Be(-1000); // 10 of 30 days unused
        final.AmountDue.Should().Be(0);
        final.EndingBalance.Should().Be(-1000);
        (await Client.V1.Customers.GetAsync(customer.Id)).Balance.Should().Be(-1000);

        var next = await Client.V1.Subscriptions.CreateAsync(new SubscriptionCreateOptions
        {
            Customer = customer.Id, Items = [new SubscriptionItemOptions { Price = price.Id }], Expand = ["latest_invoice"],
        });
        next.LatestInvoice.StartingBalance.Should().Be(-1000);
        next.LatestInvoice.AmountPaid.Should().Be(2000);
        (await Client.V1.Customers.GetAsync(customer.Id)).Balance.Should().Be(0);
    }
}
