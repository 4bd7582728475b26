namespace MockProcessor.StripeNet.Tests;

/// <summary>
/// The card-era customer API older .NET integrations still run on: <c>client.V1.Customers.PaymentSources</c> (card_),
/// <c>DefaultSource</c>, legacy charges on a customer's card (typed <see cref="Card"/> as <c>Charge.Source</c>), and the
/// same pm_card_ alias as payment_method and invoice default. Counterpart of sources.test.mjs.
/// </summary>
public sealed class SourceTests(EmulatorTarget target) : StripeTest(target)
{
    [Fact]
    public async Task Creating_a_customer_with_a_source_saves_it_as_the_default_card()
    {
        var cus = await Client.V1.Customers.CreateAsync(new CustomerCreateOptions { Source = "tok_visa", Email = "jenny@example.com" });
        cus.DefaultSourceId.Should().StartWith("card_");
        cus.Sources.Should().BeNull("sources only when expanded");
        var card = (await Client.V1.Customers.PaymentSources.GetAsync(cus.Id, cus.DefaultSourceId)).Should().BeOfType<Card>().Subject;
        card.Object.Should().Be("card");
        card.Brand.Should().Be("Visa");
        card.Last4.Should().Be("4242");
        card.CustomerId.Should().Be(cus.Id);
        card.Funding.Should().Be("credit");
        card.ExpYear.Should().BeGreaterThan(2000);
        card.Fingerprint.Should().NotBeNullOrEmpty();
    }

    [Fact]
    public async Task Create_update_list_and_delete_sources()
    {
        var cus = await Client.V1.Customers.CreateAsync(new CustomerCreateOptions());
        var first = (Card)await Client.V1.Customers.PaymentSources.CreateAsync(cus.Id, new CustomerPaymentSourceCreateOptions { Source = "tok_visa", Metadata = new() { ["k"] = "v" } });
        first.Object.Should().Be("card");
        first.Metadata.Should().BeEquivalentTo(new Dictionary<string, string> { ["k"] = "v" });
        var second = (Card)await Client.V1.Customers.PaymentSources.CreateAsync(cus.Id, new CustomerPaymentSourceCreateOptions { Source = "tok_mastercard" });
        second.Brand.Should().Be("MasterCard");
        (await Client.V1.Customers.GetAsync(cus.Id)).DefaultSourceId.Should().Be(first.Id, "the first card stays the default");

        var updated = (Card)await Client.V1.Customers.PaymentSources.UpdateAsync(cus.Id, first.Id, new CustomerPaymentSourceUpdateOptions { ExpMonth = "4", ExpYear = "2034", Name = "Jenny Rosen" });
        updated.ExpMonth.Should().Be(4);
        updated.ExpYear.Should().Be(2034);
        updated.Name.Should().Be("Jenny Rosen");

        var page = await Client.V1.Customers.PaymentSources.ListAsync(cus.Id, new CustomerPaymentSourceListOptions { Object = "card", Limit = 1 });
        page.Object.Should().Be("list");
        page.HasMore.Should().BeTrue();
        page.Data[0].Id.Should().Be(second.Id);
        var all = await AllAsync(Client.V1.Customers.PaymentSources.ListAutoPagingAsync(cus.Id, new CustomerPaymentSourceListOptions { Object = "card", Limit = 1 }));
        all.Select(s => s.Id).Should().Equal(second.Id, first.Id);

        var deleted = await Client.V1.Customers.PaymentSources.DeleteAsync(cus.Id, first.Id);
        deleted.Id.Should().Be(first.Id);
        ((Card)deleted).Deleted.Should().BeTrue();
        (await Client.V1.Customers.GetAsync(cus.Id)).DefaultSourceId.Should().Be(second.Id, "the most recent card becomes the default");
        await ExpectStripeErrorAsync(() => Client.V1.Customers.PaymentSources.GetAsync(cus.Id, first.Id), HttpStatusCode.NotFound, "invalid_request_error", "resource_missing");
    }

    [Fact]
    public async Task Default_source_switches_and_expands_with_sources()
    {
        var cus = await Client.V1.Customers.CreateAsync(new CustomerCreateOptions { Source = "tok_visa" });
        var amex = await Client.V1.Customers.PaymentSources.CreateAsync(cus.Id, new CustomerPaymentSourceCreateOptions { Source = "tok_amex" });
        var switched = await Client.V1.Customers.UpdateAsync(cus.Id, new CustomerUpdateOptions { DefaultSource = amex.Id, Expand = ["default_source", "sources"] });
        switched.DefaultSource.Should().BeOfType<Card>().Which.Brand.Should().Be("American Express");
        switched.DefaultSourceId.Should().Be(amex.Id);
        switched.Sources.Object.Should().Be("list");
        switched.Sources.Data.Should().HaveCount(2).And.AllBeOfType<Card>();
        if (!EmulatorTarget.IsRealStripe)
        {
            var updatedEvent = (await Client.V1.Events.ListAsync(new EventListOptions { Type = "customer.updated" })).Data[0];
            string previousDefault = (string)updatedEvent.Data.PreviousAttributes["default_source"];
            previousDefault.Should().Be(cus.DefaultSourceId);
            ((Customer)updatedEvent.Data.Object).DefaultSourceId.Should().Be(amex.Id);
            (await Client.V1.Events.ListAsync(new EventListOptions { Type = "customer.source.created" })).Data.Should().HaveCount(2)
                .And.OnlyContain(e => e.Data.Object is Card);
        }
    }

    [Fact]
    public async Task A_legacy_charge_on_a_customer_uses_its_default_source()
    {
        var cus = await Client.V1.Customers.CreateAsync(new CustomerCreateOptions { Source = "tok_visa" });
        var ch = await Client.V1.Charges.CreateAsync(new ChargeCreateOptions { Customer = cus.Id, Amount = 2000, Currency = "usd" });
        ch.Status.Should().Be("succeeded");
        ch.CustomerId.Should().Be(cus.Id);
        ch.PaymentMethod.Should().Be(cus.DefaultSourceId);
        ch.Source.Should().BeOfType<Card>().Which.Id.Should().Be(cus.DefaultSourceId);
        ch.PaymentMethodDetails.Card.Last4.Should().Be("4242");
    }

    [Fact]
    public async Task A_decline_card_cannot_be_saved_and_a_customer_fail_card_saves_but_declines()
    {
        await ExpectStripeErrorAsync(() => Client.V1.Customers.CreateAsync(new CustomerCreateOptions { Source = "tok_chargeDeclined", Email = $"{Tag}@example.com" }),
            HttpStatusCode.PaymentRequired, "card_error", "card_declined");
        (await Client.V1.Customers.ListAsync(new CustomerListOptions { Email = $"{Tag}@example.com" })).Data.Should().BeEmpty();

        var cus = await Client.V1.Customers.CreateAsync(new CustomerCreateOptions { Source = "tok_chargeCustomerFail" });
        var err = await ExpectStripeErrorAsync(() => Client.V1.Charges.CreateAsync(new ChargeCreateOptions { Customer = cus.Id, Amount = 2000, Currency = "usd" }),
            HttpStatusCode.PaymentRequired, "card_error", "card_declined");
        var failed = (await Client.V1.Charges.ListAsync(new ChargeListOptions { Customer = cus.Id })).Data[0];
        failed.Id.Should().Be(err.StripeError.Charge);
        failed.Status.Should().Be("failed");
        failed.Source.Id.Should().Be(cus.DefaultSourceId);
    }

    [Fact]
    public async Task A_missing_source_and_an_unknown_card_are_errors_with_their_param()
    {
        var cus = await Client.V1.Customers.CreateAsync(new CustomerCreateOptions());
        await ExpectStripeErrorAsync(() => Client.V1.Customers.PaymentSources.CreateAsync(cus.Id, new CustomerPaymentSourceCreateOptions()),
            HttpStatusCode.BadRequest, "invalid_request_error", "parameter_missing", param: "source");
        await ExpectStripeErrorAsync(() => Client.V1.Customers.PaymentSources.GetAsync(cus.Id, "card_nope"),
            HttpStatusCode.NotFound, "invalid_request_error", "resource_missing", param: "id");
    }

    [Fact]
    public async Task One_pm_card_alias_as_payment_method_and_invoice_default_is_one_payment_method()
    {
        var cus = await Client.V1.Customers.CreateAsync(new CustomerCreateOptions
        {
            PaymentMethod = "pm_card_visa", InvoiceSettings = new CustomerInvoiceSettingsOptions { DefaultPaymentMethod = "pm_card_visa" },
        });
        cus.InvoiceSettings.DefaultPaymentMethodId.Should().StartWith("pm_").And.NotBe("pm_card_visa");
        (await Client.V1.Customers.PaymentMethods.ListAsync(cus.Id)).Data.Select(p => p.Id).Should().Equal(cus.InvoiceSettings.DefaultPaymentMethodId);
    }
}
