using System.Net;
using System.Text.Json.Nodes;

namespace MockProcessor.Server.Tests.StripeJs;

/// <summary>
/// The API as a browser running Stripe.js meets it (docs/stripe-js.md): CORS on /v1, the publishable key in the body,
/// the parameters Stripe.js adds to its calls, and a publishable key still refused outside Stripe.js's surface.
/// </summary>
public class BrowserSurfaceTests : IAsyncLifetime
{
    private const string Shop = "http://localhost:3000";
    private readonly TestApp _app = new();
    private HttpClient _server = null!;
    private HttpClient _browser = null!;

    public Task InitializeAsync()
    {
        _server = _app.Client("sk_test_browser_surface");
        _browser = _app.Client("");
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private const string Pk = "pk_test_browser_surface";

    private async Task<JsonObject> NewIntent() =>
        await (await _server.PostFormAsync("/v1/payment_intents", ("amount", "2000"), ("currency", "usd"))).OkAsync();

    /// <summary>What Stripe.js's confirmCardPayment sends, telemetry and all, from a page on another origin.</summary>
    private static (string, string)[] StripeJsConfirm(JsonObject pi, string number) =>
    [
        ("payment_method_data[type]", "card"), ("payment_method_data[card][number]", number),
        ("payment_method_data[card][exp_month]", "12"), ("payment_method_data[card][exp_year]", "2034"),
        ("payment_method_data[card][cvc]", "123"), ("payment_method_data[billing_details][name]", "Jenny Rosen"),
        ("payment_method_data[guid]", "NA"), ("payment_method_data[muid]", "NA"), ("payment_method_data[sid]", "NA"),
        ("payment_method_data[payment_user_agent]", "stripe.js/abc; stripe-js-v3/abc; card-element"),
        ("payment_method_data[time_on_page]", "5012"), ("payment_method_data[referrer]", Shop),
        ("payment_method_data[pasted_fields]", "number"), ("payment_method_data[allow_redisplay]", "unspecified"),
        ("expected_payment_method_type", "card"), ("use_stripe_sdk", "true"), ("client_secret", (string)pi["client_secret"]!),
        ("key", Pk), ("_stripe_version", "2026-10-28.endive"), ("guid", "NA"), ("muid", "NA"), ("sid", "NA"),
        ("client_attribution_metadata[merchant_integration_source]", "elements"),
    ];

    [Fact]
    public async Task Preflight_is_answered_204_with_the_origin_methods_and_asked_headers()
    {
        var request = new HttpRequestMessage(HttpMethod.Options, "/v1/payment_intents/pi_123/confirm");
        request.Headers.Add("Origin", Shop);
        request.Headers.Add("Access-Control-Request-Method", "POST");
        request.Headers.Add("Access-Control-Request-Headers", "authorization, content-type, stripe-version, stripe-account");
        var response = await _browser.SendAsync(request);
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal(Shop, response.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Equal("true", response.Headers.GetValues("Access-Control-Allow-Credentials").Single());
        Assert.Contains("POST", response.Headers.GetValues("Access-Control-Allow-Methods").Single());
        var allowed = response.Headers.GetValues("Access-Control-Allow-Headers").Single();
        foreach (var h in new[] { "authorization", "content-type", "stripe-version", "stripe-account" }) Assert.Contains(h, allowed);
    }

    [Fact]
    public async Task Preflight_without_requested_headers_allows_Stripe_s_request_headers()
    {
        var request = new HttpRequestMessage(HttpMethod.Options, "/v1/customers");
        request.Headers.Add("Origin", Shop);
        request.Headers.Add("Access-Control-Request-Method", "GET");
        var response = await _browser.SendAsync(request);
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        var allowed = response.Headers.GetValues("Access-Control-Allow-Headers").Single();
        foreach (var h in new[] { "Authorization", "Content-Type", "Stripe-Version", "Stripe-Account" }) Assert.Contains(h, allowed);
    }

    [Fact]
    public async Task Answers_and_errors_carry_the_origin_and_expose_Request_Id()
    {
        var pi = await NewIntent();
        var ok = new HttpRequestMessage(HttpMethod.Get, $"/v1/payment_intents/{pi["id"]}?key={Pk}&client_secret={pi["client_secret"]}");
        ok.Headers.Add("Origin", Shop);
        var answer = await _browser.SendAsync(ok);
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Equal(Shop, answer.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Contains("Request-Id", answer.Headers.GetValues("Access-Control-Expose-Headers").Single());

        var bad = new HttpRequestMessage(HttpMethod.Get, $"/v1/payment_intents/{pi["id"]}?key={Pk}&client_secret=wrong");
        bad.Headers.Add("Origin", Shop);
        var error = await _browser.SendAsync(bad);
        Assert.Equal(HttpStatusCode.BadRequest, error.StatusCode);
        Assert.Equal(Shop, error.Headers.GetValues("Access-Control-Allow-Origin").Single());
    }

    [Fact]
    public async Task Without_an_Origin_the_answer_allows_any_origin()
    {
        var response = await _browser.GetAsync("/v1/customers");
        Assert.Equal("*", response.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.False(response.Headers.Contains("Access-Control-Allow-Credentials"));
    }

    [Fact]
    public async Task Confirm_with_the_key_in_the_body_and_Stripe_js_s_parameters_succeeds()
    {
        var pi = await NewIntent();
        var answer = await (await _browser.PostFormAsync($"/v1/payment_intents/{pi["id"]}/confirm", StripeJsConfirm(pi, "4242424242424242"))).OkAsync();
        Assert.Equal("succeeded", (string)answer["status"]!);
        var stored = await (await _server.GetAsync($"/v1/payment_intents/{pi["id"]}?expand[]=payment_method")).OkAsync();
        Assert.Equal("4242", (string)stored["payment_method"]!["card"]!["last4"]!);
        Assert.Equal("Jenny Rosen", (string)stored["payment_method"]!["billing_details"]!["name"]!);
    }

    [Fact]
    public async Task Stripe_js_s_stripe_version_parameter_is_the_call_s_version()
    {
        var pi = await NewIntent();
        var answer = await _browser.GetAsync($"/v1/payment_intents/{pi["id"]}?key={Pk}&client_secret={pi["client_secret"]}&_stripe_version=2022-11-15");
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Equal("2022-11-15", answer.Headers.GetValues("Stripe-Version").Single());
    }

    [Fact]
    public async Task Stripe_js_s_parameters_stay_unknown_on_secret_key_routes()
    {
        var error = await (await _server.PostFormAsync("/v1/customers", ("guid", "NA"))).ErrorAsync(400);
        Assert.Equal("parameter_unknown", (string)error["code"]!);
        Assert.Equal("guid", (string)error["param"]!);
    }

    [Fact]
    public async Task A_publishable_key_in_the_body_outside_Stripe_js_s_surface_is_refused()
    {
        var error = await (await _browser.PostFormAsync("/v1/customers", ("key", Pk), ("email", "a@example.com"))).ErrorAsync(401);
        Assert.Equal("secret_key_required", (string)error["code"]!);
        var capture = await (await _browser.PostFormAsync("/v1/payment_intents/pi_x/capture", ("key", Pk))).ErrorAsync(401);
        Assert.Equal("secret_key_required", (string)capture["code"]!);
    }

    [Fact]
    public async Task Create_payment_method_takes_Stripe_js_s_telemetry_at_the_top_level()
    {
        var pm = await (await _browser.PostFormAsync("/v1/payment_methods",
            ("type", "card"), ("card[number]", "4000000000000002"), ("card[exp_month]", "12"), ("card[exp_year]", "2034"), ("card[cvc]", "123"),
            ("guid", "NA"), ("muid", "NA"), ("sid", "NA"), ("payment_user_agent", "stripe.js/abc"), ("time_on_page", "100"),
            ("referrer", Shop), ("pasted_fields", "number"), ("key", Pk))).OkAsync();
        Assert.StartsWith("pm_", (string)pm["id"]!);
        Assert.Equal("0002", (string)pm["card"]!["last4"]!);
    }

    [Fact]
    public async Task An_unknown_parameter_nested_in_payment_method_data_is_still_refused()
    {
        var pi = await NewIntent();
        var error = await (await _browser.PostFormAsync($"/v1/payment_intents/{pi["id"]}/confirm",
            [.. StripeJsConfirm(pi, "4242424242424242"), ("payment_method_data[bogus]", "1")])).ErrorAsync(400);
        Assert.Equal("parameter_unknown", (string)error["code"]!);
        Assert.Equal("payment_method_data[bogus]", (string)error["param"]!);
    }

    [Fact]
    public async Task Stripe_js_is_served_at_v3_with_and_without_the_slash_and_the_frame_beside_it()
    {
        foreach (var path in new[] { "/v3/", "/v3" })
        {
            var script = await _browser.GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, script.StatusCode);
            Assert.StartsWith("text/javascript", script.Content.Headers.ContentType!.ToString());
            var text = await script.Content.ReadAsStringAsync();
            Assert.Contains("window.Stripe = Stripe", text);
            Assert.DoesNotContain("https://", text.Replace("https://js.stripe.com/v3/", ""));
        }
        var frame = await _browser.GetAsync("/v3/elements/frame.html?type=card");
        Assert.Equal(HttpStatusCode.OK, frame.StatusCode);
        Assert.Equal("text/html; charset=utf-8", frame.Content.Headers.ContentType!.ToString());
        Assert.Contains("<script src=\"/v3/\"></script>", await frame.Content.ReadAsStringAsync());
    }
}
