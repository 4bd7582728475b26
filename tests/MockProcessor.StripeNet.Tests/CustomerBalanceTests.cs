namespace MockProcessor.StripeNet.Tests;

/// <summary>
/// Customer balance transactions through Stripe.net 53 (docs/billing.md): a credit through the ledger, its update, the
/// list, and the credit consumed by the next invoice as an <c>applied_to_invoice</c> transaction.
/// </summary>
public sealed class CustomerBalanceTests(EmulatorTarget target) : StripeTest(target)
{
    [Fact]
    public async Task A_credit_is_recorded_updated_listed_and_consumed_by_the_next_invoice()
    {
        var customer = await Client.V1.Customers.CreateAsync(new CustomerCreateOptions { Email = "credit@example.com" });
        var pm = await Client.V1.PaymentMethods.AttachAsync("pm_card_visa", new PaymentMethodAttachOptions { Customer = customer.Id });
        await Client.V1.Customers.UpdateAsync(customer.Id, new CustomerUpdateOptions
        {
            InvoiceSettings = new CustomerInvoiceSettingsOptions { DefaultPaymentMethod = pm.Id },
        });

        var credit = await Client.V1.Customers.BalanceTransactions.CreateAsync(customer.Id, new CustomerBalanceTransactionCreateOptions
        {
            Amount = -500, Currency = "usd", Description = "Goodwill", Metadata = new() { ["ticket"] = "42" },
        });
        credit.Id.Should().StartWith("cbtxn_");
        credit.Type.Should().Be("adjustment");
        credit.EndingBalance.Should().Be(-500);
        credit.CustomerId.Should().Be(customer.Id);
        (await Client.V1.Customers.GetAsync(customer.Id)).Balance.Should().Be(-500);

        var updated = await Client.V1.Customers.BalanceTransactions.UpdateAsync(customer.Id, credit.Id,
            new CustomerBalanceTransactionUpdateOptions { Description = "Goodwill (ticket 42)" });
        updated.Description.Should().Be("Goodwill (ticket 42)");
        updated.Amount.Should().Be(-500);
        (await Client.V1.Customers.BalanceTransactions.GetAsync(customer.Id, credit.Id)).Metadata["ticket"].Should().Be("42");

        var price = await Client.V1.Prices.CreateAsync(new PriceCreateOptions
        {
            Currency = "usd", UnitAmount = 2000, ProductData = new PriceProductDataOptions { Name = "Monthly" },
            Recurring = new PriceRecurringOptions { Interval = "month" },
        });
        var sub = await Client.V1.Subscriptions.CreateAsync(new SubscriptionCreateOptions
        {
            Customer = customer.Id, Items = [new SubscriptionItemOptions { Price = price.Id }], Expand = ["latest_invoice"],
        });
        sub.LatestInvoice.AmountPaid.Should().Be(1500);
        sub.LatestInvoice.StartingBalance.Should().Be(-500);

        var ledger = await Client.V1.Customers.BalanceTransactions.ListAsync(customer.Id);
        ledger.Data.Select(t => t.Type).Should().Equal("applied_to_invoice", "adjustment");
        ledger.Data[0].Amount.Should().Be(500);
        ledger.Data[0].InvoiceId.Should().Be(sub.LatestInvoiceId);
        ledger.Data[0].EndingBalance.Should().Be(0);
        (await Client.V1.Customers.GetAsync(customer.Id)).Balance.Should().Be(0);

        var error = await FluentActions.Awaiting(() => Client.V1.Customers.BalanceTransactions.CreateAsync(customer.Id,
            new CustomerBalanceTransactionCreateOptions { Amount = 100, Currency = "eur" })).Should().ThrowAsync<StripeException>();
        error.Which.StripeError.Param.Should().Be("currency");
    }
}
