namespace MockProcessor.StripeNet.Tests;

/// <summary>PaymentMethods: raw cards, validation errors, token and pm_card_* aliases, attach/detach, both lists, update, the test-card catalogue. Counterpart of payment_methods.test.mjs.</summary>
public sealed class PaymentMethodTests(EmulatorTarget target) : StripeTest(target)
{
    private Task<PaymentMethod> FromNumberAsync(string number, long expMonth = 12, long? expYear = null, string? cvc = null) =>
        Client.V1.PaymentMethods.CreateAsync(new PaymentMethodCreateOptions
        {
            Type = "card",
            Card = new PaymentMethodCardOptions
            {
                Number = number, ExpMonth = expMonth, ExpYear = expYear ?? long.Parse(NextYear, System.Globalization.CultureInfo.InvariantCulture),
                Cvc = cvc ?? (number.Length == 15 ? "1234" : "123"),
            },
        });

    private Task<PaymentMethod> FromTokenAsync(string token) =>
        Client.V1.PaymentMethods.CreateAsync(new PaymentMethodCreateOptions { Type = "card", Card = new PaymentMethodCardOptions { Token = token } });

    [EmulatorFact(EmulatorTarget.RawCardData)]
    public async Task Card_from_a_raw_number_has_brand_last4_fingerprint_and_no_pan()
    {
        var pm = await FromNumberAsync("4242424242424242");
        pm.Id.Should().MatchRegex("^pm_[A-Za-z0-9]+$");
        pm.Object.Should().Be("payment_method");
        pm.Type.Should().Be("card");
        pm.Livemode.Should().BeFalse();
        pm.CustomerId.Should().BeNull();
        pm.Metadata.Should().BeEmpty();
        pm.Card.Brand.Should().Be("visa");
        pm.Card.Last4.Should().Be("4242");
        pm.Card.ExpMonth.Should().Be(12);
        pm.Card.ExpYear.ToString(System.Globalization.CultureInfo.InvariantCulture).Should().Be(NextYear);
        pm.Card.Funding.Should().Be("credit");
        pm.Card.Country.Should().Be("US");
        pm.Card.Fingerprint.Should().NotBeNullOrEmpty();
        pm.BillingDetails.Name.Should().BeNull();
        pm.BillingDetails.Email.Should().BeNull();
        pm.BillingDetails.Address.Should().NotBeNull();
        pm.BillingDetails.Address.PostalCode.Should().BeNull();
        var json = pm.StripeResponse.Content;
        json.Should().NotContain("4242424242424242", "the full number never comes back");
        json.Should().NotMatchRegex("\"cvc\"\\s*:\\s*\"123\"");
    }

    [EmulatorFact(EmulatorTarget.RawCardData)]
    public async Task Fingerprints_follow_the_number()
    {
        var a = await FromNumberAsync("4242424242424242");
        var b = await FromNumberAsync("4242424242424242", expMonth: 6);
        var c = await FromNumberAsync("5555555555554444");
        a.Id.Should().NotBe(b.Id);
        a.Card.Fingerprint.Should().Be(b.Card.Fingerprint);
        a.Card.Fingerprint.Should().NotBe(c.Card.Fingerprint);
        c.Card.Brand.Should().Be("mastercard");
    }

    [EmulatorTheory(EmulatorTarget.RawCardData)]
    [InlineData("4242424242424241", 12, null, null, "incorrect_number", "number")]
    [InlineData("4242424242424242", 13, null, null, "invalid_expiry_month", "exp_month")]
    [InlineData("4242424242424242", 12, 2015L, null, "invalid_expiry_year", "exp_year")]
    [InlineData("4242424242424242", 12, null, "99", "invalid_cvc", "cvc")]
    public async Task Invalid_card_data_is_a_card_error(string number, long month, long? year, string? cvc, string code, string param)
    {
        await ExpectStripeErrorAsync(() => FromNumberAsync(number, month, year, cvc), HttpStatusCode.PaymentRequired, "card_error", code, param: param);
    }

    [Fact]
    public async Task Card_from_a_token_alias()
    {
        var pm = await FromTokenAsync("tok_visa");
        pm.Id.Should().StartWith("pm_");
        pm.Card.Brand.Should().Be("visa");
        pm.Card.Last4.Should().Be("4242");
    }

    [Fact]
    public async Task Retrieving_a_pm_card_alias_yields_a_real_payment_method()
    {
        var pm = await Client.V1.PaymentMethods.GetAsync("pm_card_visa");
        pm.Id.Should().StartWith("pm_").And.NotBe("pm_card_visa");
        pm.Object.Should().Be("payment_method");
        pm.Card.Brand.Should().Be("visa");
        pm.Card.Last4.Should().Be("4242");
    }

    [Fact]
    public async Task Attaching_an_alias_twice_makes_two_payment_methods()
    {
        var customer = await Client.V1.Customers.CreateAsync(new CustomerCreateOptions());
        var a = await Client.V1.PaymentMethods.AttachAsync("pm_card_visa", new PaymentMethodAttachOptions { Customer = customer.Id });
        var b = await Client.V1.PaymentMethods.AttachAsync("pm_card_visa", new PaymentMethodAttachOptions { Customer = customer.Id });
        foreach (var pm in new[] { a, b })
        {
            pm.Id.Should().StartWith("pm_").And.NotBe("pm_card_visa");
            pm.CustomerId.Should().Be(customer.Id);
            pm.Card.Brand.Should().Be("visa");
        }
        a.Id.Should().NotBe(b.Id);
        var list = await Client.V1.Customers.PaymentMethods.ListAsync(customer.Id);
        list.Data.Select(p => p.Id).Order().Should().Equal(new[] { a.Id, b.Id }.Order());
    }

    [Fact]
    public async Task Attach_and_detach_are_seen_by_both_list_endpoints()
    {
        var customer = await Client.V1.Customers.CreateAsync(new CustomerCreateOptions());
        var pm = await FromTokenAsync("tok_visa");
        var attached = await Client.V1.PaymentMethods.AttachAsync(pm.Id, new PaymentMethodAttachOptions { Customer = customer.Id });
        attached.Id.Should().Be(pm.Id);
        attached.CustomerId.Should().Be(customer.Id);
        (await Client.V1.PaymentMethods.GetAsync(pm.Id)).CustomerId.Should().Be(customer.Id);

        var viaPm = await Client.V1.PaymentMethods.ListAsync(new PaymentMethodListOptions { Customer = customer.Id, Type = "card" });
        viaPm.Object.Should().Be("list");
        viaPm.Data.Select(p => p.Id).Should().Equal(pm.Id);
        (await Client.V1.Customers.PaymentMethods.ListAsync(customer.Id)).Data.Select(p => p.Id).Should().Equal(pm.Id);
        (await Client.V1.Customers.PaymentMethods.GetAsync(customer.Id, pm.Id)).Id.Should().Be(pm.Id);

        var detached = await Client.V1.PaymentMethods.DetachAsync(pm.Id);
        detached.Id.Should().Be(pm.Id);
        detached.CustomerId.Should().BeNull();
        (await Client.V1.PaymentMethods.ListAsync(new PaymentMethodListOptions { Customer = customer.Id, Type = "card" })).Data.Should().BeEmpty();
        (await Client.V1.Customers.PaymentMethods.ListAsync(customer.Id)).Data.Should().BeEmpty();
    }

    [Fact]
    public async Task Detaching_an_unattached_method_and_attaching_to_an_unknown_customer_fail()
    {
        var pm = await FromTokenAsync("tok_visa");
        await ExpectStripeErrorAsync(() => Client.V1.PaymentMethods.DetachAsync(pm.Id), HttpStatusCode.BadRequest, "invalid_request_error");
        await ExpectStripeErrorAsync(() => Client.V1.PaymentMethods.AttachAsync(pm.Id, new PaymentMethodAttachOptions { Customer = "cus_missing" }),
            HttpStatusCode.NotFound, "invalid_request_error", "resource_missing");
    }

    [Fact]
    public async Task Attaching_a_declining_card_is_a_card_error()
    {
        var customer = await Client.V1.Customers.CreateAsync(new CustomerCreateOptions());
        var err = await ExpectStripeErrorAsync(
            () => Client.V1.PaymentMethods.AttachAsync("pm_card_chargeDeclined", new PaymentMethodAttachOptions { Customer = customer.Id }),
            HttpStatusCode.PaymentRequired, "card_error", "card_declined", "generic_decline");
        err.Message.Should().MatchRegex("(?i)declined");
        (await Client.V1.Customers.PaymentMethods.ListAsync(customer.Id)).Data.Should().BeEmpty();
        await ExpectStripeErrorAsync(
            () => Client.V1.PaymentMethods.AttachAsync("pm_card_visa_chargeDeclinedInsufficientFunds", new PaymentMethodAttachOptions { Customer = customer.Id }),
            HttpStatusCode.PaymentRequired, "card_error", "card_declined", "insufficient_funds");
    }

    [Fact]
    public async Task ChargeCustomerFail_attaches()
    {
        var customer = await Client.V1.Customers.CreateAsync(new CustomerCreateOptions());
        var pm = await Client.V1.PaymentMethods.AttachAsync("pm_card_chargeCustomerFail", new PaymentMethodAttachOptions { Customer = customer.Id });
        pm.CustomerId.Should().Be(customer.Id);
        pm.Card.Last4.Should().Be("0341");
    }

    [Fact]
    public async Task Update_needs_a_customer_then_changes_billing_details_metadata_and_expiry()
    {
        var pm = await FromTokenAsync("tok_visa");
        var err = await ExpectStripeErrorAsync(
            () => Client.V1.PaymentMethods.UpdateAsync(pm.Id, new PaymentMethodUpdateOptions { Metadata = new() { ["a"] = "b" } }),
            HttpStatusCode.BadRequest, "invalid_request_error");
        err.Message.Should().Contain("save this PaymentMethod to a customer");

        var customer = await Client.V1.Customers.CreateAsync(new CustomerCreateOptions());
        await Client.V1.PaymentMethods.AttachAsync(pm.Id, new PaymentMethodAttachOptions { Customer = customer.Id });
        var u = await Client.V1.PaymentMethods.UpdateAsync(pm.Id, new PaymentMethodUpdateOptions
        {
            BillingDetails = new PaymentMethodBillingDetailsOptions
            {
                Name = "Jenny Rosen", Email = "jenny@example.com", Address = new AddressOptions { PostalCode = "94107", Country = "US" },
            },
            Metadata = new() { ["ref"] = "abc" },
            Card = new PaymentMethodCardOptions { ExpMonth = 11 },
        });
        u.BillingDetails.Name.Should().Be("Jenny Rosen");
        u.BillingDetails.Email.Should().Be("jenny@example.com");
        u.BillingDetails.Address.PostalCode.Should().Be("94107");
        u.BillingDetails.Address.Country.Should().Be("US");
        u.BillingDetails.Address.City.Should().BeNull();
        u.Metadata.Should().BeEquivalentTo(new Dictionary<string, string> { ["ref"] = "abc" });
        u.Card.ExpMonth.Should().Be(11);
        u.Card.Last4.Should().Be("4242");
        var got = await Client.V1.PaymentMethods.GetAsync(pm.Id);
        got.Card.ExpMonth.Should().Be(11);
        got.BillingDetails.Name.Should().Be("Jenny Rosen");
    }

    [Theory]
    [InlineData("pm_card_mastercard", "mastercard", "4444", "credit", "US")]
    [InlineData("pm_card_amex", "amex", "0005", "credit", "US")]
    [InlineData("pm_card_visa_debit", "visa", "5556", "debit", "US")]
    [InlineData("pm_card_mastercard_prepaid", "mastercard", "5100", "prepaid", null)]
    [InlineData("pm_card_discover", "discover", "1117", null, null)]
    public async Task Catalogue_aliases_attach_with_their_card_details(string alias, string brand, string last4, string? funding, string? country)
    {
        var customer = await Client.V1.Customers.CreateAsync(new CustomerCreateOptions());
        var pm = await Client.V1.PaymentMethods.AttachAsync(alias, new PaymentMethodAttachOptions { Customer = customer.Id });
        pm.Card.Brand.Should().Be(brand);
        pm.Card.Last4.Should().Be(last4);
        if (funding is not null) pm.Card.Funding.Should().Be(funding);
        if (country is not null) pm.Card.Country.Should().Be(country);
    }

    [Theory]
    [InlineData("tok_gb", "visa", "0000", null, "GB")]
    [InlineData("tok_mastercard", "mastercard", "4444", null, "US")]
    [InlineData("tok_visa_debit", "visa", null, "debit", null)]
    [InlineData("tok_jcb", "jcb", "0505", null, null)]
    public async Task Catalogue_tokens_render_their_card_details(string token, string brand, string? last4, string? funding, string? country)
    {
        var pm = await FromTokenAsync(token);
        pm.Card.Brand.Should().Be(brand);
        if (last4 is not null) pm.Card.Last4.Should().Be(last4);
        if (funding is not null) pm.Card.Funding.Should().Be(funding);
        if (country is not null) pm.Card.Country.Should().Be(country);
    }
}
