using System.Text.Json.Nodes;

namespace MockProcessor.Server.Tests.Resources;

/// <summary>
/// 3-D Secure through the API: which catalogue cards ask for authentication, the shape of <c>next_action</c>
/// (absolute URL to the emulator's page), and completing or failing the challenge with the control API
/// <c>POST /_mock/payment_intents/{id}/authenticate</c>. The HTML page is in <see cref="ThreeDSecurePageTests"/>.
/// </summary>
public class ThreeDSecureTests : IAsyncLifetime
{
    // The TestServer's address: the page URL is built from the confirming request's scheme and host.
    internal const string Base = "http://localhost";
    public const string ReturnUrl = "https://shop.example/checkout/done";

    private readonly TestApp _app = new();
    private HttpClient _c = null!;

    public Task InitializeAsync() { _c = _app.Client("sk_test_3ds"); return Task.CompletedTask; }
    public async Task DisposeAsync() => await _app.DisposeAsync();

    /// <summary>A card-only intent created and confirmed with <paramref name="card"/>; <c>return_url</c> makes it a server-side redirect confirm.</summary>
    internal static async Task<JsonObject> Confirm(HttpClient c, string card, params (string, string)[] extra) =>
        await (await c.PostFormAsync("/v1/payment_intents",
            [("amount", "2000"), ("currency", "usd"), ("allowed_payment_method_types[]", "card"), ("confirm", "true"), ("payment_method", card), .. extra])).OkAsync();

    internal static async Task<List<string>> EventTypes(HttpClient c) =>
        (await (await c.GetAsync("/v1/events?limit=100")).OkAsync())["data"]!.AsArray().Select(e => (string)e!["type"]!).ToList();

    private Task<HttpResponseMessage> Authenticate(string id, string outcome) =>
        _c.PostFormAsync($"/_mock/payment_intents/{id}/authenticate", ("outcome", outcome), ("expand[]", "latest_charge"));

    public static TheoryData<string> RequiredCards => new()
    {
        "pm_card_threeDSecure2Required", "pm_card_authenticationRequired", "pm_card_authenticationRequiredOnSetup",
    };

    [Theory]
    [MemberData(nameof(RequiredCards))]
    public async Task Required_cards_ask_for_use_stripe_sdk_by_default(string card)
    {
        var pi = await Confirm(_c, card);
        var id = (string)pi["id"]!;
        Assert.Equal("requires_action", (string)pi["status"]!);
        Assert.Null(pi["latest_charge"]);
        Assert.Equal("use_stripe_sdk", (string)pi["next_action"]!["type"]!);
        Assert.Equal($"{Base}/_mock/3ds/{id}?client_secret={pi["client_secret"]}", (string)pi["next_action"]!["use_stripe_sdk"]!["stripe_js"]!);
        Assert.Equal(["payment_intent.requires_action", "payment_intent.created"], await EventTypes(_c));
    }

    [Fact]
    public async Task Return_url_gives_an_absolute_redirect_to_url_that_retrieve_and_the_event_repeat()
    {
        var pi = await Confirm(_c, "pm_card_threeDSecure2Required", ("return_url", ReturnUrl));
        var id = (string)pi["id"]!;
        var action = pi["next_action"]!;
        Assert.Equal("redirect_to_url", (string)action["type"]!);
        var url = $"{Base}/_mock/3ds/{id}?client_secret={pi["client_secret"]}";
        Assert.Equal(url, (string)action["redirect_to_url"]!["url"]!);
        Assert.Equal(ReturnUrl, (string)action["redirect_to_url"]!["return_url"]!);
        Assert.True(Uri.IsWellFormedUriString(url, UriKind.Absolute));

        var again = await (await _c.GetAsync($"/v1/payment_intents/{id}")).OkAsync();
        Assert.Equal(url, (string)again["next_action"]!["redirect_to_url"]!["url"]!);
        var events = await (await _c.GetAsync("/v1/events?type=payment_intent.requires_action")).OkAsync();
        Assert.Equal(url, (string)events["data"]![0]!["data"]!["object"]!["next_action"]!["redirect_to_url"]!["url"]!);
    }

    [Fact]
    public async Task Use_stripe_sdk_wins_over_return_url()
    {
        var pi = await Confirm(_c, "pm_card_threeDSecure2Required", ("return_url", ReturnUrl), ("use_stripe_sdk", "true"));
        Assert.Equal("use_stripe_sdk", (string)pi["next_action"]!["type"]!);
    }

    [Theory]
    [MemberData(nameof(RequiredCards))]
    public async Task Completing_authentication_charges_the_card(string card)
    {
        var id = (string)(await Confirm(_c, card))["id"]!;
        var pi = await (await Authenticate(id, "complete")).OkAsync();
        Assert.Equal("succeeded", (string)pi["status"]!);
        Assert.Null(pi["next_action"]);
        Assert.Equal(2000, (long)pi["amount_received"]!);
        var charge = pi["latest_charge"]!;
        Assert.Equal("succeeded", (string)charge["status"]!);
        Assert.Equal("authenticated", (string)charge["payment_method_details"]!["card"]!["three_d_secure"]!["result"]!);
        Assert.Equal(["payment_intent.succeeded", "charge.succeeded", "payment_intent.requires_action", "payment_intent.created"], await EventTypes(_c));
    }

    [Fact]
    public async Task Failing_authentication_asks_for_a_new_payment_method_without_a_charge()
    {
        var pi0 = await Confirm(_c, "pm_card_threeDSecure2Required");
        var pi = await (await Authenticate((string)pi0["id"]!, "fail")).OkAsync();
        Assert.Equal("requires_payment_method", (string)pi["status"]!);
        Assert.Null(pi["payment_method"]);
        Assert.Null(pi["latest_charge"]);
        Assert.Null(pi["next_action"]);
        Assert.Equal("payment_intent_authentication_failure", (string)pi["last_payment_error"]!["code"]!);
        Assert.Equal((string)pi0["payment_method"]!, (string)pi["last_payment_error"]!["payment_method"]!["id"]!);
        Assert.Equal("payment_intent.payment_failed", (await EventTypes(_c))[0]);
        // A new card on the same intent goes through.
        var retry = await (await _c.PostFormAsync($"/v1/payment_intents/{pi["id"]}/confirm", ("payment_method", "pm_card_visa"))).OkAsync();
        Assert.Equal("succeeded", (string)retry["status"]!);
    }

    [Fact]
    public async Task A_card_that_declines_after_authentication_answers_402_and_keeps_the_failed_charge()
    {
        var id = (string)(await Confirm(_c, "pm_card_threeDSecureRequiredChargeDeclined"))["id"]!;
        var err = await (await Authenticate(id, "complete")).ErrorAsync(402);
        Assert.Equal("card_error", (string)err["type"]!);
        Assert.Equal("card_declined", (string)err["code"]!);
        Assert.Equal(id, (string)err["payment_intent"]!["id"]!);
        var pi = await (await _c.GetAsync($"/v1/payment_intents/{id}?expand[]=latest_charge")).OkAsync();
        Assert.Equal("requires_payment_method", (string)pi["status"]!);
        Assert.Equal("failed", (string)pi["latest_charge"]!["status"]!);
        var types = await EventTypes(_c);
        Assert.Equal(["charge.failed", "payment_intent.payment_failed"], types.Take(2).Order());
    }

    [Theory]
    [InlineData("pm_card_threeDSecureOptional")]
    [InlineData("pm_card_amex_threeDSecureNotSupported")]
    public async Task Optional_and_unsupported_cards_need_no_action(string card)
    {
        var pi = await Confirm(_c, card, ("return_url", ReturnUrl), ("expand[]", "latest_charge"));
        Assert.Equal("succeeded", (string)pi["status"]!);
        Assert.Null(pi["next_action"]);
        Assert.DoesNotContain("payment_intent.requires_action", await EventTypes(_c));
        // No authentication was attempted, so the charge reports none.
        Assert.Null(pi["latest_charge"]!["payment_method_details"]!["card"]!["three_d_secure"]);
        Assert.Equal("succeeded", (string)pi["latest_charge"]!["status"]!);
    }

    [Fact]
    public async Task Off_session_payment_with_an_authentication_card_fails_authentication_required()
    {
        var cus = (string)(await (await _c.PostFormAsync("/v1/customers")).OkAsync())["id"]!;
        var res = await _c.PostFormAsync("/v1/payment_intents", ("amount", "2000"), ("currency", "usd"), ("allowed_payment_method_types[]", "card"),
            ("customer", cus), ("payment_method", "pm_card_authenticationRequired"), ("confirm", "true"), ("off_session", "true"));
        var err = await res.ErrorAsync(402);
        Assert.Equal("authentication_required", (string)err["code"]!);
        Assert.Equal("authentication_required", (string)err["decline_code"]!);
        Assert.Equal("requires_payment_method", (string)err["payment_intent"]!["status"]!);
        Assert.DoesNotContain("payment_intent.requires_action", await EventTypes(_c));
    }

    [Fact]
    public async Task Manual_confirmation_waits_for_the_server_to_confirm_again()
    {
        var id = (string)(await Confirm(_c, "pm_card_threeDSecure2Required", ("confirmation_method", "manual")))["id"]!;
        var pi = await (await Authenticate(id, "complete")).OkAsync();
        Assert.Equal("requires_confirmation", (string)pi["status"]!);
        Assert.Null(pi["latest_charge"]);
        Assert.Null(pi["next_action"]);
        var confirmed = await (await _c.PostFormAsync($"/v1/payment_intents/{id}/confirm")).OkAsync();
        Assert.Equal("succeeded", (string)confirmed["status"]!);
    }

    [Fact]
    public async Task Manual_capture_authorizes_after_authentication()
    {
        var id = (string)(await Confirm(_c, "pm_card_authenticationRequired", ("capture_method", "manual")))["id"]!;
        var pi = await (await Authenticate(id, "complete")).OkAsync();
        Assert.Equal("requires_capture", (string)pi["status"]!);
        Assert.Equal(2000, (long)pi["amount_capturable"]!);
    }

    [Fact]
    public async Task Control_api_refuses_bad_calls_with_stripe_errors()
    {
        var visa = (string)(await Confirm(_c, "pm_card_visa"))["id"]!;
        var unexpected = await (await Authenticate(visa, "complete")).ErrorAsync(400);
        Assert.Equal("payment_intent_unexpected_state", (string)unexpected["code"]!);

        var waiting = (string)(await Confirm(_c, "pm_card_threeDSecure2Required"))["id"]!;
        Assert.Equal("outcome", (string)(await (await _c.PostFormAsync($"/_mock/payment_intents/{waiting}/authenticate")).ErrorAsync(400))["param"]!);
        Assert.Equal("outcome", (string)(await (await Authenticate(waiting, "succeed")).ErrorAsync(400))["param"]!);
        Assert.Equal("resource_missing", (string)(await (await Authenticate("pi_missing", "complete")).ErrorAsync(404))["code"]!);
        // Another merchant's key does not see it; a publishable key may not drive it.
        await (await _app.Client("sk_test_other").PostFormAsync($"/_mock/payment_intents/{waiting}/authenticate", ("outcome", "complete"))).ErrorAsync(404);
        await (await _app.Client("pk_test_3ds").PostFormAsync($"/_mock/payment_intents/{waiting}/authenticate", ("outcome", "complete"))).ErrorAsync(401);
        await (await _app.Client("").PostFormAsync($"/_mock/payment_intents/{waiting}/authenticate", ("outcome", "complete"))).ErrorAsync(401);
        var pi = await (await _c.GetAsync($"/v1/payment_intents/{waiting}")).OkAsync();
        Assert.Equal("requires_action", (string)pi["status"]!);
    }

    [Fact]
    public async Task Control_api_is_idempotent_with_a_key()
    {
        var id = (string)(await Confirm(_c, "pm_card_threeDSecure2Required"))["id"]!;
        var first = await _c.PostRawAsync($"/_mock/payment_intents/{id}/authenticate", "outcome=complete", "auth-once");
        var second = await _c.PostRawAsync($"/_mock/payment_intents/{id}/authenticate", "outcome=complete", "auth-once");
        Assert.Equal(await first.Content.ReadAsStringAsync(), await second.Content.ReadAsStringAsync());
        Assert.Equal("true", second.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Single(await EventTypes(_c), t => t == "payment_intent.succeeded");
    }
}
