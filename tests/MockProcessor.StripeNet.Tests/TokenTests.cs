namespace MockProcessor.StripeNet.Tests;

/// <summary>Card tokens, the tok_visa alias, single use, publishable-key permissions, isolation. Counterpart of tokens.test.mjs.</summary>
public sealed class TokenTests(EmulatorTarget target) : StripeTest(target)
{
    private TokenCreateOptions CardToken(string number) => new()
    {
        Card = new TokenCardOptions { Number = number, ExpMonth = "12", ExpYear = NextYear, Cvc = "123" },
    };

    [EmulatorFact(EmulatorTarget.RawCardData)]
    public async Task Create_a_card_token()
    {
        var tok = await Client.V1.Tokens.CreateAsync(CardToken("4242424242424242"));
        tok.Id.Should().MatchRegex("^tok_[A-Za-z0-9]+$");
        tok.Object.Should().Be("token");
        tok.Type.Should().Be("card");
        tok.Used.Should().BeFalse();
        tok.Livemode.Should().BeFalse();
        tok.Card.Object.Should().Be("card");
        tok.Card.Id.Should().StartWith("card_");
        tok.Card.Last4.Should().Be("4242");
        tok.Card.Brand.Should().Be("Visa", "legacy card objects use display-case brands");
        tok.Card.ExpMonth.Should().Be(12);
        tok.Card.ExpYear.ToString(System.Globalization.CultureInfo.InvariantCulture).Should().Be(NextYear);
        tok.Card.Funding.Should().Be("credit");
        tok.Card.Country.Should().Be("US");
        tok.Card.Fingerprint.Should().NotBeNullOrEmpty();
        tok.StripeResponse.Content.Should().NotContain("4242424242424242");

        var got = await Client.V1.Tokens.GetAsync(tok.Id);
        got.Id.Should().Be(tok.Id);
        got.Card.Id.Should().Be(tok.Card.Id);
    }

    [Fact]
    public async Task Retrieve_the_tok_visa_alias()
    {
        var tok = await Client.V1.Tokens.GetAsync("tok_visa");
        tok.Id.Should().StartWith("tok_");
        tok.Type.Should().Be("card");
        tok.Card.Brand.Should().Be("Visa");
        tok.Card.Last4.Should().Be("4242");
    }

    [EmulatorFact(EmulatorTarget.RawCardData)]
    public async Task An_invalid_number_is_rejected_at_tokenization()
    {
        await ExpectStripeErrorAsync(() => Client.V1.Tokens.CreateAsync(CardToken("4242424242424241")),
            HttpStatusCode.PaymentRequired, "card_error", "incorrect_number", param: "number");
    }

    [EmulatorFact(EmulatorTarget.RawCardData)]
    public async Task A_token_is_single_use()
    {
        var tok = await Client.V1.Tokens.CreateAsync(CardToken("5555555555554444"));
        var pm = await Client.V1.PaymentMethods.CreateAsync(new PaymentMethodCreateOptions { Type = "card", Card = new PaymentMethodCardOptions { Token = tok.Id } });
        pm.Card.Last4.Should().Be("4444");
        (await Client.V1.Tokens.GetAsync(tok.Id)).Used.Should().BeTrue();
        await ExpectStripeErrorAsync(
            () => Client.V1.PaymentMethods.CreateAsync(new PaymentMethodCreateOptions { Type = "card", Card = new PaymentMethodCardOptions { Token = tok.Id } }),
            HttpStatusCode.BadRequest, "invalid_request_error", "token_already_used");
    }

    [Fact]
    public async Task Unknown_token_is_resource_missing()
    {
        await ExpectStripeErrorAsync(() => Client.V1.Tokens.GetAsync("tok_doesnotexist123"),
            HttpStatusCode.NotFound, "invalid_request_error", "resource_missing");
    }

    [EmulatorFact(EmulatorTarget.RawCardData)]
    public async Task A_publishable_key_tokenizes_and_the_secret_key_uses_the_token()
    {
        var publishable = Merchant.ClientWithKey(Merchant.PublishableKey);
        var tok = await publishable.V1.Tokens.CreateAsync(CardToken("4242424242424242"));
        tok.Card.Last4.Should().Be("4242");
        var pm = await Client.V1.PaymentMethods.CreateAsync(new PaymentMethodCreateOptions { Type = "card", Card = new PaymentMethodCardOptions { Token = tok.Id } });
        var customer = await Client.V1.Customers.CreateAsync(new CustomerCreateOptions());
        (await Client.V1.PaymentMethods.AttachAsync(pm.Id, new PaymentMethodAttachOptions { Customer = customer.Id })).CustomerId.Should().Be(customer.Id);

        var pm2 = await publishable.V1.PaymentMethods.CreateAsync(new PaymentMethodCreateOptions
        {
            Type = "card", Card = new PaymentMethodCardOptions { Number = "4242424242424242", ExpMonth = 12, ExpYear = long.Parse(NextYear, System.Globalization.CultureInfo.InvariantCulture), Cvc = "123" },
        });
        (await Client.V1.PaymentMethods.GetAsync(pm2.Id)).Card.Last4.Should().Be("4242");
    }

    [EmulatorFact(EmulatorTarget.PublishableKey)]
    public async Task A_publishable_key_cannot_use_secret_only_endpoints()
    {
        var publishable = Merchant.ClientWithKey(Merchant.PublishableKey);
        var err = await ExpectStripeErrorAsync(() => publishable.V1.Customers.ListAsync(), HttpStatusCode.Unauthorized, "invalid_request_error", "secret_key_required");
        err.Message.Should().MatchRegex("(?i)publishable");
        await ExpectStripeErrorAsync(() => publishable.V1.Customers.CreateAsync(new CustomerCreateOptions { Name = "nope" }),
            HttpStatusCode.Unauthorized, "invalid_request_error", "secret_key_required");
    }

    [EmulatorFact(EmulatorTarget.FreshAccount)]
    public async Task Another_merchants_token_is_invisible()
    {
        var tok = await Merchant.ClientWithKey(Merchant.PublishableKey).V1.Tokens.CreateAsync(CardToken("4242424242424242"));
        await ExpectStripeErrorAsync(() => Target.NewMerchant().Client.V1.Tokens.GetAsync(tok.Id), HttpStatusCode.NotFound, "invalid_request_error", "resource_missing");
    }
}
