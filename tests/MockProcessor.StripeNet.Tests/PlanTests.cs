namespace MockProcessor.StripeNet.Tests;

/// <summary>
/// Plans through Stripe.net 53 (docs/credit-notes.md "Plans"): a plan is a recurring price under its legacy name; a
/// subscription created on a plan renews on a test clock; update, list and delete.
/// </summary>
public sealed class PlanTests(EmulatorTarget target) : StripeTest(target)
{
    private static readonly DateTime Jan1 = new(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    [Fact]
    public async Task A_subscription_on_a_plan_renews_on_a_test_clock()
    {
        var plan = await Client.V1.Plans.CreateAsync(new PlanCreateOptions
        {
            Amount = 1500, Currency = "usd", Interval = "month", Nickname = "Starter",
            Product = new PlanProductOptions { Name = "Starter " + Tag },
        });
        plan.Object.Should().Be("plan");
        plan.Amount.Should().Be(1500);
        plan.Interval.Should().Be("month");
        (await Client.V1.Prices.GetAsync(plan.Id)).UnitAmount.Should().Be(1500);

        var clock = await Client.V1.TestHelpers.TestClocks.CreateAsync(new Stripe.TestHelpers.TestClockCreateOptions { FrozenTime = Jan1 });
        var customer = await Client.V1.Customers.CreateAsync(new CustomerCreateOptions { Email = "plan@example.com", TestClock = clock.Id });
        var pm = await Client.V1.PaymentMethods.AttachAsync("pm_card_visa", new PaymentMethodAttachOptions { Customer = customer.Id });
        await Client.V1.Customers.UpdateAsync(customer.Id, new CustomerUpdateOptions { InvoiceSettings = new CustomerInvoiceSettingsOptions { DefaultPaymentMethod = pm.Id } });
        var sub = await Client.V1.Subscriptions.CreateAsync(new SubscriptionCreateOptions
        {
            Customer = customer.Id, Items = [new SubscriptionItemOptions { Plan = plan.Id }],
        });
        sub.Status.Should().Be("active");
        sub.Items.Data.Single().Plan.Id.Should().Be(plan.Id);
        sub.Items.Data.Single().Plan.Nickname.Should().Be("Starter");
        sub.Items.Data.Single().Price.Id.Should().Be(plan.Id);

        for (var m = 1; m <= 3; m++)
            (await Client.V1.TestHelpers.TestClocks.AdvanceAsync(clock.Id, new Stripe.TestHelpers.TestClockAdvanceOptions { FrozenTime = Jan1.AddMonths(m).AddHours(2) }))
                .Status.Should().Be("ready");
        var invoices = (await Client.V1.Invoices.ListAsync(new InvoiceListOptions { Subscription = sub.Id, Limit = 10 })).Data;
        invoices.Should().HaveCount(4);
        invoices.Should().OnlyContain(i => i.Status == "paid" && i.AmountPaid == 1500);
        invoices[0].Lines.Data.Single().Pricing.PriceDetails.PriceId.Should().Be(plan.Id);
    }

    [Fact]
    public async Task Plans_are_updated_listed_and_deleted_and_recurring_prices_are_plans()
    {
        var product = await Client.V1.Products.CreateAsync(new ProductCreateOptions { Name = "Team " + Tag });
        var plan = await Client.V1.Plans.CreateAsync(new PlanCreateOptions
        {
            Id = "team-" + Tag, Amount = 4900, Currency = "usd", Interval = "year", Product = product.Id, TrialPeriodDays = 14,
        });
        plan.Id.Should().Be("team-" + Tag);
        plan.TrialPeriodDays.Should().Be(14);
        var price = await Client.V1.Prices.CreateAsync(new PriceCreateOptions
        {
            Product = product.Id, Currency = "usd", UnitAmount = 500, Recurring = new PriceRecurringOptions { Interval = "month" },
        });
        (await Client.V1.Plans.GetAsync(price.Id)).Amount.Should().Be(500);

        var updated = await Client.V1.Plans.UpdateAsync(plan.Id, new PlanUpdateOptions { Nickname = "Team yearly", Active = false });
        updated.Nickname.Should().Be("Team yearly");
        updated.Active.Should().BeFalse();
        (await Client.V1.Plans.ListAsync(new PlanListOptions { Product = product.Id })).Data.Select(p => p.Id).Should().Equal(price.Id, plan.Id);
        (await Client.V1.Plans.ListAsync(new PlanListOptions { Product = product.Id, Active = true })).Data.Select(p => p.Id).Should().Equal(price.Id);

        var deleted = await Client.V1.Plans.DeleteAsync(plan.Id);
        deleted.Deleted.Should().BeTrue();
        var gone = await ExpectStripeErrorAsync(() => Client.V1.Plans.GetAsync(plan.Id), System.Net.HttpStatusCode.NotFound, "invalid_request_error");
        gone.StripeError.Code.Should().Be("resource_missing");
    }
}
