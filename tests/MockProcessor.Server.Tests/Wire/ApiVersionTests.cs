using System.Text.Json.Nodes;
using MockProcessor.Server.Tests.Webhooks;

namespace MockProcessor.Server.Tests.Wire;

/// <summary>
/// Requests accepted and refused, and objects rendered, as Stripe does at the caller's version (docs/api-versions.md),
/// and the issue-12 defects of the current version's PaymentIntent parameters.
/// </summary>
public class ApiVersionTests : IAsyncLifetime
{
    private readonly TestApp _app = new();
    public Task InitializeAsync() => Task.CompletedTask;
    public async Task DisposeAsync() => await _app.DisposeAsync();

    private HttpClient At(string key, string? version)
    {
        var c = _app.Client(key);
        if (version is not null) c.DefaultRequestHeaders.Add("Stripe-Version", version);
        return c;
    }

    private static Task<HttpResponseMessage> Pay(HttpClient c, params (string, string)[] extra) =>
        c.PostFormAsync("/v1/payment_intents", [("amount", "2000"), ("currency", "usd"), ("payment_method", "pm_card_visa"), ("confirm", "true"), .. extra]);

    [Theory]
    [InlineData("garbage")]
    [InlineData("2025-09-30.acacia")]   // the suffix of another train
    [InlineData("2026-11-15.endive")]   // a date Stripe released nothing on
    [InlineData("2019-2-19")]
    [InlineData("2019-12-03, 2019-12-03")]
    public async Task An_unknown_version_is_refused_and_not_pinned(string version)
    {
        var e = await (await At("sk_test_badversion", version).GetAsync("/v1/customers")).ErrorAsync(400);
        Assert.Equal("invalid_request_error", (string)e["type"]!);
        Assert.Equal($"Invalid Stripe API version: {version}", (string)e["message"]!);

        // The account's first successful request pins the version, not the refused one.
        var ok = await At("sk_test_badversion", null).GetAsync("/v1/customers");
        await ok.OkAsync();
        Assert.Equal(_app.Options.ApiVersion, ok.Headers.GetValues("Stripe-Version").Single());
    }

    [Fact]
    public async Task A_released_version_is_echoed_and_pinned_at_the_first_request()
    {
        var first = await At("sk_test_pinning", "2024-06-20").GetAsync("/v1/customers");
        await first.OkAsync();
        Assert.Equal("2024-06-20", first.Headers.GetValues("Stripe-Version").Single());
        var later = await At("sk_test_pinning", null).GetAsync("/v1/customers");
        Assert.Equal("2024-06-20", later.Headers.GetValues("Stripe-Version").Single());
        // A later header is used for its own request and does not move the pin.
        var explicitNow = await At("sk_test_pinning", "2026-10-28.endive").GetAsync("/v1/customers");
        Assert.Equal("2026-10-28.endive", explicitNow.Headers.GetValues("Stripe-Version").Single());
        var again = await At("sk_test_pinning", null).GetAsync("/v1/customers");
        Assert.Equal("2024-06-20", again.Headers.GetValues("Stripe-Version").Single());
    }

    [Fact]
    public async Task A_version_older_than_the_oldest_rendered_shape_is_served_with_a_notice()
    {
        var res = await At("sk_test_ancient", "2019-12-03").GetAsync("/v1/customers");
        await res.OkAsync();
        Assert.Contains("2020-08-27", res.Headers.GetValues("Stripe-Notice").Single());
    }

    [Fact]
    public async Task A_webhook_endpoint_with_an_unknown_api_version_is_refused()
    {
        var e = await (await _app.Client("sk_test_whversion").PostFormAsync("/v1/webhook_endpoints", ("url", "https://example.com/h"),
            ("enabled_events[]", "*"), ("api_version", "2026-13-01.endive"))).ErrorAsync(400);
        Assert.Equal("api_version", (string)e["param"]!);
    }

    // Defect 1: Stripe.net 53 / stripe-node 23 send allowed_payment_method_types, never payment_method_types.
    [Fact]
    public async Task Allowed_payment_method_types_makes_a_card_payment_that_needs_no_return_url()
    {
        var pi = await (await Pay(_app.Client("sk_test_allowed"), ("allowed_payment_method_types[0]", "card"),
            ("allowed_payment_method_types[1]", "ideal"))).OkAsync();
        Assert.Equal("succeeded", (string)pi["status"]!);
        Assert.Null(pi["automatic_payment_methods"]);
        Assert.Equal(["card"], pi["payment_method_types"]!.AsArray().Select(n => (string)n!));
        Assert.Equal(["card", "ideal"], pi["allowed_payment_method_types"]!.AsArray().Select(n => (string)n!));
        Assert.Null(pi["excluded_payment_method_types"]);
    }

    [Fact]
    public async Task Allowed_payment_method_types_is_exclusive_and_needs_a_usable_type()
    {
        var c = _app.Client("sk_test_allowed_bad");
        var none = await (await Pay(c, ("allowed_payment_method_types[0]", "ideal"))).ErrorAsync(400);
        Assert.Equal("allowed_payment_method_types", (string)none["param"]!);
        var both = await (await Pay(c, ("allowed_payment_method_types[0]", "card"), ("automatic_payment_methods[enabled]", "true"))).ErrorAsync(400);
        Assert.Equal("parameters_exclusive", (string)both["code"]!);
        var excluded = await (await Pay(c, ("excluded_payment_method_types[0]", "card"))).ErrorAsync(400);
        Assert.Equal("excluded_payment_method_types", (string)excluded["param"]!);
        var list = await (await c.GetAsync("/v1/payment_intents")).OkAsync();
        Assert.Empty(list["data"]!.AsArray()); // nothing half-written
    }

    [Fact]
    public async Task Excluded_payment_method_types_keeps_automatic_payment_methods()
    {
        var pi = await (await Pay(_app.Client("sk_test_excluded"), ("excluded_payment_method_types[0]", "ideal"),
            ("return_url", "https://shop.example.com/done"))).OkAsync();
        Assert.True((bool)pi["automatic_payment_methods"]!["enabled"]!);
        Assert.Equal(["ideal"], pi["excluded_payment_method_types"]!.AsArray().Select(n => (string)n!));
    }

    // C58: endive removed payment_method_types; older versions still send it.
    [Fact]
    public async Task Payment_method_types_is_refused_from_endive_and_accepted_before()
    {
        var e = await (await Pay(At("sk_test_pmt_endive", "2026-09-30.endive"), ("payment_method_types[0]", "card"))).ErrorAsync(400);
        Assert.Equal("payment_method_types_no_longer_supported", (string)e["code"]!);
        Assert.Equal("payment_method_types", (string)e["param"]!);
        var pi = await (await Pay(At("sk_test_pmt_dahlia", "2026-08-26.dahlia"), ("payment_method_types[0]", "card"))).OkAsync();
        Assert.Equal("succeeded", (string)pi["status"]!);
        Assert.Null(pi["automatic_payment_methods"]);
    }

    // C20/C21: before 2023-08-16 a PaymentIntent without types was card only; since, automatic payment methods.
    [Fact]
    public async Task The_automatic_payment_methods_default_follows_the_version()
    {
        var old = await (await Pay(At("sk_test_apm_old", "2022-11-15"))).OkAsync();
        Assert.Equal("succeeded", (string)old["status"]!);
        Assert.Null(old["automatic_payment_methods"]);
        var current = await (await Pay(At("sk_test_apm_new", "2023-08-16"))).ErrorAsync(400);
        Assert.Equal("return_url", (string)current["param"]!);
    }

    // C24: capture_method defaults to automatic_async since 2024-04-10.
    [Fact]
    public async Task The_capture_method_default_follows_the_version()
    {
        var old = await (await Pay(At("sk_test_capture_old", "2023-10-16"), ("allowed_payment_method_types[0]", "card"))).OkAsync();
        Assert.Equal("automatic", (string)old["capture_method"]!);
        var now = await (await Pay(At("sk_test_capture_new", "2024-04-10"), ("allowed_payment_method_types[0]", "card"))).OkAsync();
        Assert.Equal("automatic_async", (string)now["capture_method"]!);
        Assert.Equal("succeeded", (string)now["status"]!);
        Assert.Equal(2000, (long)now["amount_received"]!);
    }

    // Defect 6: off_session confirmation of a saved card needs no return_url (2023-08-16 rule "unless off_session").
    [Fact]
    public async Task An_off_session_payment_with_automatic_payment_methods_needs_no_return_url()
    {
        var c = _app.Client("sk_test_offsession");
        var cus = await (await c.PostFormAsync("/v1/customers", ("email", "saved@example.com"))).OkAsync();
        var pm = await (await c.PostFormAsync("/v1/payment_methods/pm_card_visa/attach", ("customer", (string)cus["id"]!))).OkAsync();
        var pi = await (await c.PostFormAsync("/v1/payment_intents", ("amount", "1500"), ("currency", "usd"), ("customer", (string)cus["id"]!),
            ("payment_method", (string)pm["id"]!), ("off_session", "true"), ("confirm", "true"))).OkAsync();
        Assert.Equal("succeeded", (string)pi["status"]!);
        Assert.True((bool)pi["automatic_payment_methods"]!["enabled"]!);
        // On-session, the same saved card still needs a return_url.
        var onSession = await (await c.PostFormAsync("/v1/payment_intents", ("amount", "1500"), ("currency", "usd"),
            ("customer", (string)cus["id"]!), ("payment_method", (string)pm["id"]!), ("confirm", "true"))).ErrorAsync(400);
        Assert.Equal("return_url", (string)onSession["param"]!);
    }

    // Defect 4: stripe-python before 2025 sends True/False.
    [Fact]
    public async Task Python_spelt_booleans_confirm_a_payment()
    {
        var pi = await (await _app.Client("sk_test_python").PostFormAsync("/v1/payment_intents", ("amount", "2000"), ("currency", "usd"),
            ("payment_method", "pm_card_visa"), ("allowed_payment_method_types[0]", "card"), ("confirm", "True"))).OkAsync();
        Assert.Equal("succeeded", (string)pi["status"]!);
    }

    [Fact]
    public async Task Radar_options_are_accepted_on_create_and_confirm()
    {
        var c = _app.Client("sk_test_radar");
        var pi = await (await c.PostFormAsync("/v1/payment_intents", ("amount", "2000"), ("currency", "usd"),
            ("allowed_payment_method_types[0]", "card"), ("radar_options[session]", "rse_123"))).OkAsync();
        var confirmed = await (await c.PostFormAsync($"/v1/payment_intents/{pi["id"]}/confirm", ("payment_method", "pm_card_visa"),
            ("radar_options[session]", "rse_123"))).OkAsync();
        Assert.Equal("succeeded", (string)confirmed["status"]!);
    }

    // C17 and C18: callers before 2022-11-15 get PaymentIntent.charges and Charge.refunds.
    [Fact]
    public async Task Old_callers_get_the_charges_list_and_the_refunds_list()
    {
        var c = At("sk_test_charges_list", "2020-08-27");
        var pi = await (await Pay(c)).OkAsync();
        var charges = pi["charges"]!.AsObject();
        Assert.Equal("list", (string)charges["object"]!);
        var charge = Assert.Single(charges["data"]!.AsArray())!.AsObject();
        Assert.Equal((string)pi["latest_charge"]!, (string)charge["id"]!);
        Assert.Equal($"/v1/charges?payment_intent={pi["id"]}", (string)charges["url"]!);
        Assert.Empty(charge["refunds"]!["data"]!.AsArray());

        var refund = await (await c.PostFormAsync("/v1/refunds", ("payment_intent", (string)pi["id"]!), ("amount", "500"))).OkAsync();
        var again = await (await c.GetAsync($"/v1/charges/{charge["id"]}")).OkAsync();
        Assert.Equal((string)refund["id"]!, (string)Assert.Single(again["refunds"]!["data"]!.AsArray())!["id"]!);

        // The same objects at the current version have neither.
        var now = At("sk_test_charges_list", "2026-10-28.endive");
        Assert.False((await (await now.GetAsync($"/v1/payment_intents/{pi["id"]}")).OkAsync()).ContainsKey("charges"));
        Assert.False((await (await now.GetAsync($"/v1/charges/{charge["id"]}")).OkAsync()).ContainsKey("refunds"));
    }

    [Fact]
    public async Task Events_render_data_in_the_endpoints_version()
    {
        var c = _app.Client("sk_test_event_versions");
        var (_, secret) = await c.CreateEndpoint("https://old.example.com/hook");
        await (await c.PostFormAsync("/v1/webhook_endpoints", ("url", "https://legacy.example.com/hook"), ("enabled_events[]", "payment_intent.succeeded"),
            ("api_version", "2020-08-27"))).OkAsync();
        var pi = await (await Pay(c, ("allowed_payment_method_types[0]", "card"))).OkAsync();
        await c.Flush();

        var legacy = Assert.Single(_app.Receiver.All, r => r.Url == "https://legacy.example.com/hook").Json;
        Assert.Equal("2020-08-27", (string)legacy["api_version"]!);
        Assert.Equal((string)pi["latest_charge"]!, (string)legacy["data"]!["object"]!["charges"]!["data"]![0]!["id"]!);
        var current = _app.Receiver.All.First(r => r.Url == "https://old.example.com/hook" && (string)r.Json["type"]! == "payment_intent.succeeded");
        Assert.True(WebhookKit.Verifies(current, secret));
        Assert.False(current.Json["data"]!["object"]!.AsObject().ContainsKey("charges"));
        // GET /v1/events answers in the version the event was created with (the account's), not the endpoint's.
        var listed = await (await c.GetAsync("/v1/events?type=payment_intent.succeeded")).OkAsync();
        Assert.False(listed["data"]![0]!["data"]!["object"]!.AsObject().ContainsKey("charges"));
    }
}
