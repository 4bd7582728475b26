namespace MockProcessor.StripeNet.Tests;

/// <summary>Tax rates through Stripe.net 53 (docs/discounts.md "Tax rates"): the resource and its amounts on invoices.</summary>
public sealed class TaxRateTests(EmulatorTarget target) : StripeTest(target)
{
    [Fact]
    public async Task Tax_rates_are_created_listed_and_keep_their_percentage()
    {
        var rate = await Client.V1.TaxRates.CreateAsync(new TaxRateCreateOptions
        {
            DisplayName = "VAT", Percentage = 19m, Inclusive = false, Country = "DE", TaxType = "vat", Description = $"VAT {Tag}",
        });
        rate.Id.Should().StartWith("txr_");
        rate.Percentage.Should().Be(19m);
        rate.Inclusive.Should().BeFalse();
        rate.Active.Should().BeTrue();
        var updated = await Client.V1.TaxRates.UpdateAsync(rate.Id, new TaxRateUpdateOptions { Active = false, DisplayName = "MwSt" });
        updated.Active.Should().BeFalse();
        updated.DisplayName.Should().Be("MwSt");
        updated.Percentage.Should().Be(19m);
        var inactive = await Client.V1.TaxRates.ListAsync(new TaxRateListOptions { Active = false, Limit = 100 });
        inactive.Data.Select(r => r.Id).Should().Contain(rate.Id);
        (await Client.V1.TaxRates.GetAsync(rate.Id)).Description.Should().Be($"VAT {Tag}");
    }

    [Fact]
    public async Task An_exclusive_rate_adds_tax_and_an_inclusive_one_is_contained_in_the_total()
    {
        var sales = await Client.V1.TaxRates.CreateAsync(new TaxRateCreateOptions { DisplayName = "Sales tax", Percentage = 10m, Inclusive = false });
        var vat = await Client.V1.TaxRates.CreateAsync(new TaxRateCreateOptions { DisplayName = "VAT", Percentage = 20m, Inclusive = true });
        var customer = await Client.V1.Customers.CreateAsync(new CustomerCreateOptions { Email = "tax@example.com" });
        await Client.V1.InvoiceItems.CreateAsync(new InvoiceItemCreateOptions { Customer = customer.Id, Amount = 1000, Currency = "usd" });
        await Client.V1.InvoiceItems.CreateAsync(new InvoiceItemCreateOptions { Customer = customer.Id, Amount = 1200, Currency = "usd", TaxRates = [vat.Id] });
        var invoice = await Client.V1.Invoices.CreateAsync(new InvoiceCreateOptions
        {
            Customer = customer.Id, PendingInvoiceItemsBehavior = "include", DefaultTaxRates = [sales.Id],
        });
        // 1000 + 10% = 1100; 1200 with 20% inside (200): 2300 in all, 2000 without tax.
        invoice.Subtotal.Should().Be(2200);
        invoice.Total.Should().Be(2300);
        invoice.TotalExcludingTax.Should().Be(2000);
        invoice.TotalTaxes.Select(t => (t.Amount, t.TaxBehavior, t.TaxRateDetails.TaxRateId)).Should()
            .BeEquivalentTo([(100L, "exclusive", sales.Id), (200L, "inclusive", vat.Id)]);
        invoice.Lines.Data[1].Taxes.Single().TaxableAmount.Should().Be(1000);
        invoice.DefaultTaxRates.Single().Id.Should().Be(sales.Id);

        var pm = await Client.V1.PaymentMethods.AttachAsync("pm_card_visa", new PaymentMethodAttachOptions { Customer = customer.Id });
        var paid = await Client.V1.Invoices.PayAsync(invoice.Id, new InvoicePayOptions { PaymentMethod = pm.Id });
        paid.AmountPaid.Should().Be(2300);
    }
}
