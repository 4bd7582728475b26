using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.WebUtilities;

namespace MockProcessor.Server.Tests.Resources;

/// <summary>
/// /v1/setup_intents: the state machine, test cards on setup (3-D Secure through the shared challenge page and the
/// control call, declines with last_setup_error), saving the card, and the saved card's off-session payments.
/// </summary>
public class SetupIntentApiTests : IAsyncLifetime
{
    private readonly TestApp _app = new();
    private HttpClient _c = null!;

    public Task InitializeAsync() { _c = _app.Client("sk_test_seti"); return Task.CompletedTask; }
    public async Task DisposeAsync() => await _app.DisposeAsync();

    private async Task<string> Customer() => (string)(await (await _c.PostFormAsync("/v1/customers", ("email", "a@example.com"))).OkAsync())["id"]!;

    private Task<HttpResponseMessage> Setup(string customer, string card, params (string, string)[] extra) =>
        _c.PostFormAsync("/v1/setup_intents",
            [("customer", customer), ("payment_method", card), ("allowed_payment_method_types[]", "card"), ("confirm", "true"), .. extra]);

    private async Task<JsonObject> PaymentMethod(string id) => await (await _c.GetAsync($"/v1/payment_methods/{id}")).OkAsync();

    [Fact]
    public async Task Create_without_payment_method_waits_for_one_with_automatic_payment_methods_and_off_session_usage()
    {
        var si = await (await _c.PostFormAsync("/v1/setup_intents", ("metadata[order]", "42"), ("description", "save"))).OkAsync();
        Assert.StartsWith("seti_", (string)si["id"]!);
        Assert.Equal("setup_intent", (string)si["object"]!);
        Assert.Equal("requires_payment_method", (string)si["status"]!);
        Assert.Equal("off_session", (string)si["usage"]!);
        Assert.True((bool)si["automatic_payment_methods"]!["enabled"]!);
        Assert.StartsWith($"{si["id"]}_secret_", (string)si["client_secret"]!);
        Assert.Equal("42", (string)si["metadata"]!["order"]!);
        Assert.Null(si["next_action"]);
        Assert.Null(si["last_setup_error"]);
        Assert.Equal("automatic", (string)si["payment_method_options"]!["card"]!["request_three_d_secure"]!);
        Assert.Equal(["setup_intent.created"], await ThreeDSecureTests.EventTypes(_c));
    }

    [Fact]
    public async Task Payment_method_types_is_refused_at_the_current_version_and_accepted_before_endive()
    {
        var err = await (await _c.PostFormAsync("/v1/setup_intents", ("payment_method_types[]", "card"))).ErrorAsync(400);
        Assert.Equal("payment_method_types_no_longer_supported", (string)err["code"]!);
        var old = new HttpRequestMessage(HttpMethod.Post, "/v1/setup_intents") { Content = new FormUrlEncodedContent([new("payment_method_types[]", "card")]) };
        old.Headers.Add("Stripe-Version", "2025-03-31.basil");
        var si = await (await _c.SendAsync(old)).OkAsync();
        Assert.Null(si["automatic_payment_methods"]);
        Assert.Equal("card", (string)si["payment_method_types"]![0]!);
    }

    [Fact]
    public async Task Card_4242_sets_up_attaches_to_the_customer_and_emits_events_in_order()
    {
        var cus = await Customer();
        var si = await (await Setup(cus, "pm_card_visa")).OkAsync();
        Assert.Equal("succeeded", (string)si["status"]!);
        var pm = await PaymentMethod((string)si["payment_method"]!);
        Assert.Equal(cus, (string)pm["customer"]!);
        Assert.Equal(["setup_intent.succeeded", "payment_method.attached", "setup_intent.created", "customer.created"], await ThreeDSecureTests.EventTypes(_c));
    }

    [Fact]
    public async Task Confirm_later_with_usage_on_session_and_expand()
    {
        var cus = await Customer();
        var si = await (await _c.PostFormAsync("/v1/setup_intents", ("customer", cus), ("usage", "on_session"),
            ("allowed_payment_method_types[]", "card"))).OkAsync();
        var confirmed = await (await _c.PostFormAsync($"/v1/setup_intents/{si["id"]}/confirm", ("payment_method", "pm_card_mastercard"),
            ("expand[]", "payment_method"), ("expand[]", "customer"))).OkAsync();
        Assert.Equal("succeeded", (string)confirmed["status"]!);
        Assert.Equal("on_session", (string)confirmed["usage"]!);
        Assert.Equal("mastercard", (string)confirmed["payment_method"]!["card"]!["brand"]!);
        Assert.Equal(cus, (string)confirmed["customer"]!["id"]!);
    }

    [Theory]
    [InlineData("pm_card_visa_chargeDeclined", "card_declined", "generic_decline")]
    [InlineData("pm_card_visa_chargeDeclinedInsufficientFunds", "card_declined", "insufficient_funds")]
    [InlineData("pm_card_chargeDeclinedExpiredCard", "expired_card", "expired_card")]
    public async Task Decline_cards_fail_with_last_setup_error_and_setup_failed(string card, string code, string declineCode)
    {
        var cus = await Customer();
        var err = await (await Setup(cus, card)).ErrorAsync(402);
        Assert.Equal("card_error", (string)err["type"]!);
        Assert.Equal(code, (string)err["code"]!);
        Assert.Equal(declineCode, (string)err["decline_code"]!);
        var si = err["setup_intent"]!;
        Assert.Equal("requires_payment_method", (string)si["status"]!);
        Assert.Null(si["payment_method"]);
        Assert.Equal(code, (string)si["last_setup_error"]!["code"]!);
        Assert.Equal(declineCode, (string)si["last_setup_error"]!["decline_code"]!);
        var pmId = (string)err["payment_method"]!["id"]!;
        Assert.Equal(pmId, (string)si["last_setup_error"]!["payment_method"]!["id"]!);
        Assert.Null((await PaymentMethod(pmId))["customer"]);
        Assert.Equal("setup_intent.setup_failed", (await ThreeDSecureTests.EventTypes(_c))[0]);
        // The decline is stored: a retrieve shows the same error.
        var again = await (await _c.GetAsync($"/v1/setup_intents/{si["id"]}")).OkAsync();
        Assert.Equal(declineCode, (string)again["last_setup_error"]!["decline_code"]!);
    }

    [Fact]
    public async Task Card_that_attaches_but_declines_charges_sets_up()
    {
        var si = await (await Setup(await Customer(), "pm_card_chargeCustomerFail")).OkAsync();
        Assert.Equal("succeeded", (string)si["status"]!);
    }

    [Theory]
    [InlineData("pm_card_authenticationRequiredOnSetup")]
    [InlineData("pm_card_authenticationRequired")]
    [InlineData("pm_card_threeDSecure2Required")]
    public async Task Three_d_secure_cards_wait_for_action_and_complete_through_the_control_call(string card)
    {
        var cus = await Customer();
        var si = await (await Setup(cus, card)).OkAsync();
        var id = (string)si["id"]!;
        Assert.Equal("requires_action", (string)si["status"]!);
        Assert.Equal("use_stripe_sdk", (string)si["next_action"]!["type"]!);
        Assert.Equal($"{ThreeDSecureTests.Base}/_mock/3ds/{id}?client_secret={si["client_secret"]}",
            (string)si["next_action"]!["use_stripe_sdk"]!["stripe_js"]!);
        Assert.Null((await PaymentMethod((string)si["payment_method"]!))["customer"]);
        Assert.Equal("setup_intent.requires_action", (await ThreeDSecureTests.EventTypes(_c))[0]);

        var done = await (await _c.PostFormAsync($"/_mock/setup_intents/{id}/authenticate", ("outcome", "complete"))).OkAsync();
        Assert.Equal("succeeded", (string)done["status"]!);
        Assert.Null(done["next_action"]);
        Assert.Equal(cus, (string)(await PaymentMethod((string)done["payment_method"]!))["customer"]!);
        Assert.Equal("setup_intent.succeeded", (await ThreeDSecureTests.EventTypes(_c))[0]);
    }

    [Fact]
    public async Task Failed_challenge_goes_back_to_requires_payment_method()
    {
        var si = await (await Setup(await Customer(), "pm_card_authenticationRequiredOnSetup")).OkAsync();
        var failed = await (await _c.PostFormAsync($"/_mock/setup_intents/{si["id"]}/authenticate", ("outcome", "fail"))).OkAsync();
        Assert.Equal("requires_payment_method", (string)failed["status"]!);
        Assert.Equal("setup_intent_authentication_failure", (string)failed["last_setup_error"]!["code"]!);
        Assert.Equal("setup_intent.setup_failed", (await ThreeDSecureTests.EventTypes(_c))[0]);
        var again = await _c.PostFormAsync($"/_mock/setup_intents/{si["id"]}/authenticate", ("outcome", "complete"));
        Assert.Equal("setup_intent_unexpected_state", (string)(await again.ErrorAsync(400))["code"]!);
    }

    [Fact]
    public async Task Browser_page_redirects_to_return_url_with_setup_intent_parameters()
    {
        var si = await (await Setup(await Customer(), "pm_card_authenticationRequiredOnSetup", ("return_url", ThreeDSecureTests.ReturnUrl))).OkAsync();
        Assert.Equal("redirect_to_url", (string)si["next_action"]!["type"]!);
        var url = (string)si["next_action"]!["redirect_to_url"]!["url"]!;
        var browser = _app.Client("");
        var page = await browser.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("Save card for future payments", html);
        Assert.Contains($"SetupIntent <code>{si["id"]}</code>", html);
        var res = await browser.PostFormAsync($"/_mock/3ds/{si["id"]}", ("client_secret", (string)si["client_secret"]!), ("outcome", "complete"));
        Assert.Equal(HttpStatusCode.SeeOther, res.StatusCode);
        var query = QueryHelpers.ParseQuery(res.Headers.Location!.Query);
        Assert.Equal((string)si["id"]!, query["setup_intent"].ToString());
        Assert.Equal((string)si["client_secret"]!, query["setup_intent_client_secret"].ToString());
        Assert.Equal("succeeded", query["redirect_status"].ToString());
        Assert.Equal("succeeded", (string)(await (await _c.GetAsync($"/v1/setup_intents/{si["id"]}")).OkAsync())["status"]!);
    }

    [Fact]
    public async Task Request_three_d_secure_any_challenges_an_ordinary_card()
    {
        var si = await (await Setup(await Customer(), "pm_card_visa", ("payment_method_options[card][request_three_d_secure]", "any"))).OkAsync();
        Assert.Equal("requires_action", (string)si["status"]!);
        Assert.Equal("any", (string)si["payment_method_options"]!["card"]!["request_three_d_secure"]!);
    }

    private Task<HttpResponseMessage> OffSession(string customer, string pm) =>
        _c.PostFormAsync("/v1/payment_intents", ("amount", "1500"), ("currency", "usd"), ("customer", customer), ("payment_method", pm),
            ("confirm", "true"), ("off_session", "true"), ("allowed_payment_method_types[]", "card"));

    [Fact]
    public async Task Card_3155_set_up_through_a_setup_intent_pays_off_session()
    {
        var cus = await Customer();
        var si = await (await Setup(cus, "pm_card_authenticationRequiredOnSetup")).OkAsync();
        await (await _c.PostFormAsync($"/_mock/setup_intents/{si["id"]}/authenticate", ("outcome", "complete"))).OkAsync();
        var pi = await (await OffSession(cus, (string)si["payment_method"]!)).OkAsync();
        Assert.Equal("succeeded", (string)pi["status"]!);
    }

    [Fact]
    public async Task Card_3155_never_set_up_is_refused_off_session()
    {
        var cus = await Customer();
        var pm = (string)(await (await _c.PostFormAsync("/v1/payment_methods/pm_card_authenticationRequiredOnSetup/attach", ("customer", cus))).OkAsync())["id"]!;
        var err = await (await OffSession(cus, pm)).ErrorAsync(402);
        Assert.Equal("authentication_required", (string)err["code"]!);
    }

    [Fact]
    public async Task Card_3184_set_up_still_needs_authentication_off_session()
    {
        var cus = await Customer();
        var si = await (await Setup(cus, "pm_card_authenticationRequired")).OkAsync();
        await (await _c.PostFormAsync($"/_mock/setup_intents/{si["id"]}/authenticate", ("outcome", "complete"))).OkAsync();
        var err = await (await OffSession(cus, (string)si["payment_method"]!)).ErrorAsync(402);
        Assert.Equal("card_error", (string)err["type"]!);
        Assert.Equal("authentication_required", (string)err["code"]!);
        Assert.Equal("authentication_required", (string)err["decline_code"]!);
        Assert.Equal("requires_payment_method", (string)err["payment_intent"]!["status"]!);
        Assert.Equal("authentication_required", (string)err["payment_intent"]!["last_payment_error"]!["code"]!);
    }

    [Fact]
    public async Task Setup_future_usage_off_session_after_authentication_lets_3155_pay_off_session()
    {
        var cus = await Customer();
        var pi = await (await _c.PostFormAsync("/v1/payment_intents", ("amount", "2000"), ("currency", "usd"), ("customer", cus),
            ("payment_method", "pm_card_authenticationRequiredOnSetup"), ("setup_future_usage", "off_session"), ("confirm", "true"),
            ("allowed_payment_method_types[]", "card"))).OkAsync();
        Assert.Equal("requires_action", (string)pi["status"]!);
        await (await _c.PostFormAsync($"/_mock/payment_intents/{pi["id"]}/authenticate", ("outcome", "complete"))).OkAsync();
        var pm = (string)pi["payment_method"]!;
        Assert.Equal(cus, (string)(await PaymentMethod(pm))["customer"]!);
        Assert.Equal("succeeded", (string)(await (await OffSession(cus, pm)).OkAsync())["status"]!);
    }

    [Fact]
    public async Task Update_cancel_and_unexpected_states()
    {
        var si = await (await _c.PostFormAsync("/v1/setup_intents", ("allowed_payment_method_types[]", "card"))).OkAsync();
        var id = (string)si["id"]!;
        var updated = await (await _c.PostFormAsync($"/v1/setup_intents/{id}", ("payment_method", "pm_card_visa"), ("metadata[k]", "v"))).OkAsync();
        Assert.Equal("requires_confirmation", (string)updated["status"]!);
        Assert.Equal("v", (string)updated["metadata"]!["k"]!);
        var canceled = await (await _c.PostFormAsync($"/v1/setup_intents/{id}/cancel", ("cancellation_reason", "abandoned"))).OkAsync();
        Assert.Equal("canceled", (string)canceled["status"]!);
        Assert.Equal("abandoned", (string)canceled["cancellation_reason"]!);
        Assert.Equal("setup_intent.canceled", (await ThreeDSecureTests.EventTypes(_c))[0]);
        var confirm = await (await _c.PostFormAsync($"/v1/setup_intents/{id}/confirm")).ErrorAsync(400);
        Assert.Equal("setup_intent_unexpected_state", (string)confirm["code"]!);
        Assert.Equal("canceled", (string)confirm["setup_intent"]!["status"]!);
    }

    [Fact]
    public async Task Canceling_a_succeeded_setup_intent_is_setup_intent_unexpected_state()
    {
        var si = await (await Setup(await Customer(), "pm_card_visa")).OkAsync();
        var err = await (await _c.PostFormAsync($"/v1/setup_intents/{si["id"]}/cancel")).ErrorAsync(400);
        Assert.Equal("setup_intent_unexpected_state", (string)err["code"]!);
        Assert.Contains("succeeded", (string)err["message"]!);
        var reason = await (await _c.PostFormAsync("/v1/setup_intents/" + si["id"] + "/cancel", ("cancellation_reason", "fraudulent"))).ErrorAsync(400);
        Assert.Equal("cancellation_reason", (string)reason["param"]!);
    }

    [Fact]
    public async Task Bad_input_is_refused()
    {
        var unknownCustomer = await (await _c.PostFormAsync("/v1/setup_intents", ("customer", "cus_missing"))).ErrorAsync(404);
        Assert.Equal("resource_missing", (string)unknownCustomer["code"]!);
        Assert.Equal("customer", (string)unknownCustomer["param"]!);

        var noPm = await (await _c.PostFormAsync("/v1/setup_intents", ("confirm", "true"), ("allowed_payment_method_types[]", "card"))).ErrorAsync(400);
        Assert.Equal("setup_intent_unexpected_state", (string)noPm["code"]!);

        var noReturnUrl = await (await _c.PostFormAsync("/v1/setup_intents", ("confirm", "true"), ("payment_method", "pm_card_visa"))).ErrorAsync(400);
        Assert.Equal("return_url", (string)noReturnUrl["param"]!);
        // Stripe.js confirms with use_stripe_sdk=true and handles any next action in the page: no return_url needed.
        var stripeJs = await (await _c.PostFormAsync("/v1/setup_intents", ("confirm", "true"), ("payment_method", "pm_card_visa"),
            ("use_stripe_sdk", "true"))).OkAsync();
        Assert.Equal("succeeded", (string)stripeJs["status"]!);

        var returnWithoutConfirm = await (await _c.PostFormAsync("/v1/setup_intents", ("return_url", "https://x.example"))).ErrorAsync(400);
        Assert.Equal("return_url", (string)returnWithoutConfirm["param"]!);

        var usage = await (await _c.PostFormAsync("/v1/setup_intents", ("usage", "sometimes"))).ErrorAsync(400);
        Assert.Equal("usage", (string)usage["param"]!);

        var unknown = await (await _c.PostFormAsync("/v1/setup_intents", ("amount", "100"))).ErrorAsync(400);
        Assert.Equal("parameter_unknown", (string)unknown["code"]!);

        Assert.Equal(HttpStatusCode.NotFound, (await _c.GetAsync("/v1/setup_intents/seti_missing")).StatusCode);
        // Nothing half-written: the refused calls left no SetupIntent, only the Stripe.js-style one exists.
        Assert.Equal([(string)stripeJs["id"]!], (await (await _c.GetAsync("/v1/setup_intents")).OkAsync())["data"]!.AsArray().Select(s => (string)s!["id"]!));
    }

    [Fact]
    public async Task Publishable_key_retrieves_and_confirms_only_with_the_client_secret()
    {
        var si = await (await _c.PostFormAsync("/v1/setup_intents", ("allowed_payment_method_types[]", "card"))).OkAsync();
        var pk = _app.Client("pk_test_seti");
        var secret = (string)si["client_secret"]!;
        Assert.Equal(HttpStatusCode.BadRequest, (await pk.GetAsync($"/v1/setup_intents/{si["id"]}")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await pk.GetAsync($"/v1/setup_intents/{si["id"]}?client_secret=wrong")).StatusCode);
        Assert.Equal((string)si["id"]!, (string)(await (await pk.GetAsync($"/v1/setup_intents/{si["id"]}?client_secret={secret}")).OkAsync())["id"]!);
        var confirmed = await (await pk.PostFormAsync($"/v1/setup_intents/{si["id"]}/confirm", ("client_secret", secret),
            ("payment_method_data[type]", "card"), ("payment_method_data[card][number]", "4242424242424242"),
            ("payment_method_data[card][exp_month]", "12"), ("payment_method_data[card][exp_year]", "2040"),
            ("payment_method_data[card][cvc]", "123"), ("use_stripe_sdk", "true"))).OkAsync();
        Assert.Equal("succeeded", (string)confirmed["status"]!);
        Assert.Equal(HttpStatusCode.Unauthorized, (await pk.PostFormAsync($"/v1/setup_intents/{si["id"]}/cancel")).StatusCode);
    }

    [Fact]
    public async Task List_filters_by_customer_and_payment_method()
    {
        var a = await Customer();
        var b = await Customer();
        var first = await (await Setup(a, "pm_card_visa")).OkAsync();
        await (await Setup(b, "pm_card_visa")).OkAsync();
        var list = await (await _c.GetAsync($"/v1/setup_intents?customer={a}")).OkAsync();
        Assert.Equal([(string)first["id"]!], list["data"]!.AsArray().Select(s => (string)s!["id"]!));
        var byPm = await (await _c.GetAsync($"/v1/setup_intents?payment_method={first["payment_method"]}")).OkAsync();
        Assert.Single(byPm["data"]!.AsArray());
        Assert.Equal(2, (await (await _c.GetAsync("/v1/setup_intents")).OkAsync())["data"]!.AsArray().Count);
    }
}
