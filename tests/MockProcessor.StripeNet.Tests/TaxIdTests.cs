namespace MockProcessor.StripeNet.Tests;

/// <summary>
/// Customer tax IDs through Stripe.net 53 (docs/credit-notes.md): tax_id_data on customer create, the nested and top-level
/// services, the test-mode verification (emulator clock advanced with /_mock), the invoice's customer_tax_ids.
/// </summary>
public sealed class TaxIdTests(EmulatorTarget target) : StripeTest(target)
{
    [Fact]
    public async Task Tax_ids_are_created_verified_listed_copied_to_invoices_and_deleted()
    {
        var customer = await Client.V1.Customers.CreateAsync(new CustomerCreateOptions
        {
            Email = "vat@example.com",
            TaxIdData = [new CustomerTaxIdDataOptions { Type = "eu_vat", Value = "DE000000000" }],
        });
        var ein = await Client.V1.Customers.TaxIds.CreateAsync(customer.Id, new CustomerTaxIdCreateOptions { Type = "us_ein", Value = "12-3456789" });
        ein.Id.Should().StartWith("txi_");
        ein.Country.Should().Be("US");
        ein.Verification.Status.Should().Be("unavailable");
        ein.Owner.Type.Should().Be("customer");
        ein.CustomerId.Should().Be(customer.Id);

        var all = await Client.V1.Customers.TaxIds.ListAsync(customer.Id);
        all.Data.Select(t => t.Type).Should().Equal("us_ein", "eu_vat");
        var vat = all.Data[1];
        vat.Verification.Status.Should().Be("pending");
        vat.Country.Should().Be("DE");

        await Merchant.PostControlAsync("/_mock/clock/advance?seconds=61");
        (await Client.V1.TaxIds.GetAsync(vat.Id)).Verification.Status.Should().Be("verified");

        await Client.V1.InvoiceItems.CreateAsync(new InvoiceItemCreateOptions { Customer = customer.Id, Amount = 2500, Currency = "eur" });
        var draft = await Client.V1.Invoices.CreateAsync(new InvoiceCreateOptions
        {
            Customer = customer.Id, PendingInvoiceItemsBehavior = "include", CollectionMethod = "send_invoice", DaysUntilDue = 14,
        });
        var invoice = await Client.V1.Invoices.FinalizeInvoiceAsync(draft.Id);
        invoice.CustomerTaxIds.Select(t => $"{t.Type}:{t.Value}").Should().Equal("eu_vat:DE000000000", "us_ein:12-3456789");

        var deleted = await Client.V1.Customers.TaxIds.DeleteAsync(customer.Id, ein.Id);
        deleted.Deleted.Should().BeTrue();
        (await Client.V1.Customers.TaxIds.ListAsync(customer.Id)).Data.Select(t => t.Id).Should().Equal(vat.Id);
        (await Client.V1.Invoices.GetAsync(invoice.Id)).CustomerTaxIds.Should().HaveCount(2);
    }

    [Fact]
    public async Task A_merchant_tax_id_is_owner_self_and_bad_values_are_refused()
    {
        var mine = await Client.V1.TaxIds.CreateAsync(new TaxIdCreateOptions
        {
            Type = "gb_vat", Value = "GB123456789", Owner = new TaxIdOwnerOptions { Type = "self" },
        });
        mine.Owner.Type.Should().Be("self");
        mine.CustomerId.Should().BeNull();
        (await Client.V1.TaxIds.ListAsync(new TaxIdListOptions { Owner = new TaxIdOwnerOptions { Type = "self" } })).Data
            .Select(t => t.Id).Should().Contain(mine.Id);

        var customer = await Client.V1.Customers.CreateAsync(new CustomerCreateOptions { Email = "bad@example.com" });
        var bad = await ExpectStripeErrorAsync(() => Client.V1.Customers.TaxIds.CreateAsync(customer.Id,
            new CustomerTaxIdCreateOptions { Type = "au_abn", Value = "123" }), System.Net.HttpStatusCode.BadRequest, "invalid_request_error");
        bad.StripeError.Code.Should().Be("tax_id_invalid");
        bad.StripeError.Param.Should().Be("value");
        var type = await ExpectStripeErrorAsync(() => Client.V1.Customers.TaxIds.CreateAsync(customer.Id,
            new CustomerTaxIdCreateOptions { Type = "xx_tin", Value = "123" }), System.Net.HttpStatusCode.BadRequest, "invalid_request_error");
        type.StripeError.Param.Should().Be("type");
    }
}
