namespace MockProcessor.StripeNet.Tests;

/// <summary>
/// Errors as Stripe.net surfaces them (<see cref="StripeException"/> with <c>HttpStatusCode</c> and <c>StripeError</c>):
/// unknown and missing parameters, list bounds, unknown ids, metadata limits, bad keys, the SDK's headers and base URL
/// quirks. Counterpart of errors.test.mjs (its raw-HTTP cases, encodings, 404/405 routes, are not SDK surface).
/// </summary>
public sealed class ErrorTests(EmulatorTarget target) : StripeTest(target)
{
    private static Dictionary<string, string> Many(int n) => Enumerable.Range(0, n).ToDictionary(i => $"k{i}", _ => "v");

    [Fact]
    public async Task An_unknown_parameter_is_parameter_unknown_naming_it()
    {
        var options = new CustomerCreateOptions();
        options.AddExtraParam("favourite_colour", "blue");
        var err = await ExpectStripeErrorAsync(() => Client.V1.Customers.CreateAsync(options), HttpStatusCode.BadRequest, "invalid_request_error", "parameter_unknown", param: "favourite_colour");
        err.Message.Should().Contain("favourite_colour");

        var nested = new CustomerCreateOptions();
        nested.AddExtraParam("address[planet]", "Mars");
        await ExpectStripeErrorAsync(() => Client.V1.Customers.CreateAsync(nested), HttpStatusCode.BadRequest, "invalid_request_error", "parameter_unknown", param: "address[planet]");
    }

    [Fact]
    public async Task A_missing_required_parameter_is_parameter_missing()
    {
        var err = await ExpectStripeErrorAsync(() => Client.V1.PaymentMethods.CreateAsync(new PaymentMethodCreateOptions()),
            HttpStatusCode.BadRequest, "invalid_request_error", "parameter_missing", param: "type");
        err.Message.Should().Contain("type");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(101)]
    public async Task Limit_must_be_between_1_and_100(long limit)
    {
        await ExpectStripeErrorAsync(() => Client.V1.Customers.ListAsync(new CustomerListOptions { Limit = limit }), HttpStatusCode.BadRequest, "invalid_request_error", param: "limit");
    }

    [Fact]
    public async Task Starting_after_and_ending_before_together_are_rejected()
    {
        var c = await Client.V1.Customers.CreateAsync(new CustomerCreateOptions());
        await ExpectStripeErrorAsync(() => Client.V1.Customers.ListAsync(new CustomerListOptions { StartingAfter = c.Id, EndingBefore = c.Id }),
            HttpStatusCode.BadRequest, "invalid_request_error");
    }

    [Fact]
    public async Task An_unknown_id_is_resource_missing()
    {
        var err = await ExpectStripeErrorAsync(() => Client.V1.PaymentMethods.GetAsync("pm_doesnotexist"), HttpStatusCode.NotFound, "invalid_request_error", "resource_missing", param: "id");
        err.Message.Should().Contain("pm_doesnotexist");
        err.StripeError.DocUrl.Should().Be("https://stripe.com/docs/error-codes/resource-missing");
    }

    [Fact]
    public async Task Metadata_limits()
    {
        var c = await Client.V1.Customers.CreateAsync(new CustomerCreateOptions { Metadata = Many(50) });
        c.Metadata.Should().HaveCount(50);
        await ExpectStripeErrorAsync(() => Client.V1.Customers.UpdateAsync(c.Id, new CustomerUpdateOptions { Metadata = new() { ["extra"] = "v" } }),
            HttpStatusCode.BadRequest, "invalid_request_error");
        var clearAll = Many(50).ToDictionary(kv => kv.Key, _ => "");
        clearAll[new string('k', 40)] = new string('x', 500);
        (await Client.V1.Customers.UpdateAsync(c.Id, new CustomerUpdateOptions { Metadata = clearAll })).Metadata
            .Should().BeEquivalentTo(new Dictionary<string, string> { [new string('k', 40)] = new string('x', 500) });

        foreach (var metadata in new[] { Many(51), new() { [new string('k', 41)] = "v" }, new Dictionary<string, string> { ["k"] = new string('v', 501) } })
        {
            var err = await ExpectStripeErrorAsync(() => Client.V1.Customers.CreateAsync(new CustomerCreateOptions { Metadata = metadata }),
                HttpStatusCode.BadRequest, "invalid_request_error");
            err.StripeError.Param.Should().StartWith("metadata");
        }
    }

    [Fact]
    public async Task A_live_key_and_a_malformed_key_are_refused_with_401()
    {
        var live = new StripeClient("sk_live_" + Tag, apiBase: Merchant.BaseUrl);
        await ExpectStripeErrorAsync(() => live.V1.Customers.ListAsync(), HttpStatusCode.Unauthorized, "invalid_request_error");
        var malformed = new StripeClient("not_a_key_abcd1234", apiBase: Merchant.BaseUrl);
        var err = await ExpectStripeErrorAsync(() => malformed.V1.Customers.ListAsync(), HttpStatusCode.Unauthorized, "invalid_request_error");
        err.Message.Should().NotContain("not_a_key_abcd1234", "the full key is not echoed back");
    }

    [Fact]
    public async Task Every_answer_carries_a_request_id_and_the_pinned_version()
    {
        var c = await Client.V1.Customers.CreateAsync(new CustomerCreateOptions());
        c.StripeResponse.RequestId.Should().MatchRegex("^req_[A-Za-z0-9]+$");
        c.StripeResponse.Headers.GetValues("Stripe-Version").Single().Should().Be(StripeConfiguration.ApiVersion);
        var err = await ExpectStripeErrorAsync(() => Client.V1.Customers.GetAsync("cus_missing"), HttpStatusCode.NotFound, "invalid_request_error");
        err.StripeResponse.RequestId.Should().StartWith("req_").And.NotBe(c.StripeResponse.RequestId);
    }

    [EmulatorFact]
    public async Task A_base_url_ending_in_a_slash_still_works()
    {
        var slashed = new StripeClient(new StripeClientOptions { ApiKey = "sk_test_slash" + Tag, ApiBase = Merchant.BaseUrl + "/" });
        (await slashed.V1.Customers.CreateAsync(new CustomerCreateOptions { Email = "slash@example.com" })).Email.Should().Be("slash@example.com");
    }
}
