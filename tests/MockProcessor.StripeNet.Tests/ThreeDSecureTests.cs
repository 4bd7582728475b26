using System.Text.Json.Nodes;

namespace MockProcessor.StripeNet.Tests;

/// <summary>
/// 3-D Secure: authentication cards stop in requires_action with Stripe's next_action; completion or failure through
/// the emulator's <c>POST /_mock/payment_intents/{id}/authenticate</c> or its test page (as a browser). Counterpart of three_d_secure.test.mjs.
/// </summary>
public sealed class ThreeDSecureTests(EmulatorTarget target) : StripeTest(target)
{
    private const string ReturnUrl = "https://shop.example/checkout/done";

    public static TheoryData<string> Required => new() { "pm_card_threeDSecure2Required", "pm_card_authenticationRequired", "pm_card_authenticationRequiredOnSetup" };

    private Task<(int Status, JsonObject? Body)> AuthenticateAsync(string id, string outcome) =>
        Merchant.RawAsync(HttpMethod.Post, $"/_mock/payment_intents/{id}/authenticate", ("outcome", outcome));

    private async Task<List<string>> EventTypesAsync() =>
        (await Client.V1.Events.ListAsync(new EventListOptions { Limit = 100 })).Data.Select(e => e.Type).ToList();

    [Theory]
    [MemberData(nameof(Required))]
    public async Task Authentication_cards_require_action_with_use_stripe_sdk(string card)
    {
        var pi = await PayAsync(paymentMethod: card);
        pi.Status.Should().Be("requires_action");
        pi.LatestChargeId.Should().BeNull();
        pi.NextAction.Type.Should().Be("use_stripe_sdk");
        pi.NextAction.UseStripeSdk.Should().NotBeNull();
        if (!EmulatorTarget.IsRealStripe)
        {
            var url = new Uri(JsonNode.Parse(pi.StripeResponse.Content)!["next_action"]!["use_stripe_sdk"]!["stripe_js"]!.GetValue<string>());
            url.GetLeftPart(UriPartial.Authority).Should().Be(new Uri(Merchant.BaseUrl).GetLeftPart(UriPartial.Authority));
            url.AbsolutePath.Should().Be($"/_mock/3ds/{pi.Id}");
            url.Query.Should().Contain(pi.ClientSecret);
        }
    }

    [Fact]
    public async Task A_server_side_confirm_with_return_url_gets_redirect_to_url()
    {
        var pi = await PayAsync(paymentMethod: "pm_card_threeDSecure2Required", configure: o => o.ReturnUrl = ReturnUrl);
        pi.Status.Should().Be("requires_action");
        pi.NextAction.Type.Should().Be("redirect_to_url");
        pi.NextAction.RedirectToUrl.ReturnUrl.Should().Be(ReturnUrl);
        var url = pi.NextAction.RedirectToUrl.Url;
        url.Should().StartWith("http");
        (await Client.V1.PaymentIntents.GetAsync(pi.Id)).NextAction.RedirectToUrl.Url.Should().Be(url);
        if (!EmulatorTarget.IsRealStripe)
        {
            url.Should().Be($"{Merchant.BaseUrl}/_mock/3ds/{pi.Id}?client_secret={pi.ClientSecret}");
            var ev = (await Client.V1.Events.ListAsync(new EventListOptions { Type = "payment_intent.requires_action" })).Data.Single();
            ((PaymentIntent)ev.Data.Object).NextAction.RedirectToUrl.Url.Should().Be(url);
        }
    }

    [Theory]
    [InlineData("pm_card_threeDSecureOptional")]
    [InlineData("pm_card_amex_threeDSecureNotSupported")]
    public async Task Optional_and_unsupported_cards_need_no_action(string card)
    {
        var pi = await PayAsync(paymentMethod: card, configure: o => o.ReturnUrl = ReturnUrl);
        pi.Status.Should().Be("succeeded");
        pi.NextAction.Should().BeNull();
    }

    [Fact]
    public async Task Off_session_authentication_required_is_a_402()
    {
        var customer = await Client.V1.Customers.CreateAsync(new CustomerCreateOptions());
        var err = await ExpectStripeErrorAsync(
            () => PayAsync(paymentMethod: "pm_card_authenticationRequired", configure: o => { o.Customer = customer.Id; o.OffSession = true; }),
            HttpStatusCode.PaymentRequired, "card_error", "authentication_required", "authentication_required");
        err.StripeError.PaymentIntent.Status.Should().Be("requires_payment_method");
    }

    [EmulatorTheory]
    [MemberData(nameof(Required))]
    public async Task Complete_succeeds_with_an_authenticated_charge(string card)
    {
        var pi = await PayAsync(paymentMethod: card);
        var (status, body) = await AuthenticateAsync(pi.Id, "complete");
        status.Should().Be(200, body?.ToJsonString());
        body!["status"]!.GetValue<string>().Should().Be("succeeded");
        var after = await Client.V1.PaymentIntents.GetAsync(pi.Id, new PaymentIntentGetOptions { Expand = ["latest_charge"] });
        after.Status.Should().Be("succeeded");
        after.NextAction.Should().BeNull();
        after.LatestCharge.Status.Should().Be("succeeded");
        after.LatestCharge.PaymentMethodDetails.Card.ThreeDSecure.Result.Should().Be("authenticated");
        (await EventTypesAsync()).Should().Contain(["payment_intent.requires_action", "charge.succeeded", "payment_intent.succeeded"]);
    }

    [EmulatorFact]
    public async Task Fail_returns_to_requires_payment_method_without_a_charge()
    {
        var pi = await PayAsync(paymentMethod: "pm_card_threeDSecure2Required");
        (await AuthenticateAsync(pi.Id, "fail")).Status.Should().Be(200);
        var after = await Client.V1.PaymentIntents.GetAsync(pi.Id);
        after.Status.Should().Be("requires_payment_method");
        after.LastPaymentError.Code.Should().Be("payment_intent_authentication_failure");
        after.LatestChargeId.Should().BeNull();
        (await EventTypesAsync())[0].Should().Be("payment_intent.payment_failed");
    }

    [EmulatorFact]
    public async Task A_decline_after_authentication_is_a_402_and_keeps_the_failed_charge()
    {
        var pi = await PayAsync(paymentMethod: "pm_card_threeDSecureRequiredChargeDeclined");
        var (status, body) = await AuthenticateAsync(pi.Id, "complete");
        status.Should().Be(402);
        body!["error"]!["type"]!.GetValue<string>().Should().Be("card_error");
        body["error"]!["code"]!.GetValue<string>().Should().Be("card_declined");
        var after = await Client.V1.PaymentIntents.GetAsync(pi.Id, new PaymentIntentGetOptions { Expand = ["latest_charge"] });
        after.Status.Should().Be("requires_payment_method");
        after.LatestCharge.Status.Should().Be("failed");
        (await EventTypesAsync()).Should().Contain(["charge.failed", "payment_intent.payment_failed"]);
    }

    [EmulatorFact]
    public async Task Manual_confirmation_waits_for_the_server_to_confirm_again()
    {
        var pi = await PayAsync(paymentMethod: "pm_card_threeDSecure2Required", configure: o => o.ConfirmationMethod = "manual");
        (await AuthenticateAsync(pi.Id, "complete")).Body!["status"]!.GetValue<string>().Should().Be("requires_confirmation");
        (await Client.V1.PaymentIntents.ConfirmAsync(pi.Id)).Status.Should().Be("succeeded");
    }

    [EmulatorFact]
    public async Task Control_api_errors()
    {
        var visa = await PayAsync();
        var (status, body) = await AuthenticateAsync(visa.Id, "complete");
        status.Should().Be(400);
        body!["error"]!["code"]!.GetValue<string>().Should().Be("payment_intent_unexpected_state");
        var pi = await PayAsync(paymentMethod: "pm_card_threeDSecure2Required");
        (await AuthenticateAsync(pi.Id, "maybe")).Body!["error"]!["param"]!.GetValue<string>().Should().Be("outcome");
        (await AuthenticateAsync("pi_doesnotexist", "complete")).Status.Should().Be(404);
        (await Client.V1.PaymentIntents.GetAsync(pi.Id)).Status.Should().Be("requires_action");
    }

    [EmulatorFact]
    public async Task The_test_page_completes_and_redirects_to_the_return_url()
    {
        var pi = await PayAsync(paymentMethod: "pm_card_threeDSecure2Required", configure: o => o.ReturnUrl = ReturnUrl);
        using var browser = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false });
        var page = await browser.GetAsync(pi.NextAction.RedirectToUrl.Url);
        page.StatusCode.Should().Be(HttpStatusCode.OK);
        (await page.Content.ReadAsStringAsync()).Should().Contain("3220").And.Contain("20.00 USD");
        var submit = await browser.PostAsync($"{Merchant.BaseUrl}/_mock/3ds/{pi.Id}", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["client_secret"] = pi.ClientSecret, ["outcome"] = "complete",
        }));
        submit.StatusCode.Should().Be(HttpStatusCode.SeeOther);
        var location = submit.Headers.Location!.ToString();
        location.Should().StartWith(ReturnUrl + "?").And.Contain($"payment_intent={pi.Id}").And.Contain("redirect_status=succeeded");
        (await Client.V1.PaymentIntents.GetAsync(pi.Id)).Status.Should().Be("succeeded");
    }
}
