using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.WebUtilities;
using MockProcessor.Server.Tests.Storage;

namespace MockProcessor.Server.Tests.Resources;

/// <summary>
/// The 3-D Secure test page a customer's browser is sent to: <c>GET /_mock/3ds/{id}?client_secret=...</c> shows
/// the payment and two buttons; their form <c>POST</c> completes or fails the challenge and redirects (303) to
/// the PaymentIntent's return_url with Stripe's query parameters. The browser sends no API key.
/// </summary>
public class ThreeDSecurePageTests : IAsyncLifetime
{
    private readonly TestApp _app = new();
    private HttpClient _c = null!;
    private HttpClient _browser = null!;

    public Task InitializeAsync()
    {
        _c = _app.Client("sk_test_3ds_page");
        _browser = _app.Client("");
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private async Task<JsonObject> Waiting(string card, string? returnUrl = ThreeDSecureTests.ReturnUrl, params (string, string)[] extra)
    {
        var pi = await ThreeDSecureTests.Confirm(_c, card, returnUrl is null ? extra : [("return_url", returnUrl), .. extra]);
        Assert.Equal("requires_action", (string)pi["status"]!);
        return pi;
    }

    private static string PageUrl(JsonObject pi) => pi["next_action"]!["type"]!.ToString() == "redirect_to_url"
        ? (string)pi["next_action"]!["redirect_to_url"]!["url"]!
        : (string)pi["next_action"]!["use_stripe_sdk"]!["stripe_js"]!;

    /// <summary>What a browser does: GET the page, then submit its form with the button's value.</summary>
    private async Task<HttpResponseMessage> Click(JsonObject pi, string outcome)
    {
        var page = await _browser.GetAsync(PageUrl(pi));
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        return await _browser.PostFormAsync($"/_mock/3ds/{pi["id"]}", ("client_secret", (string)pi["client_secret"]!), ("outcome", outcome));
    }

    private static Dictionary<string, string> QueryOf(Uri location) =>
        QueryHelpers.ParseQuery(location.Query).ToDictionary(kv => kv.Key, kv => kv.Value.ToString());

    [Fact]
    public async Task Page_shows_the_amount_the_card_and_both_buttons()
    {
        var pi = await Waiting("pm_card_threeDSecure2Required");
        var res = await _browser.GetAsync(PageUrl(pi));
        Assert.Equal(HttpStatusCode.OK, res.StatusCode);
        Assert.Equal("text/html", res.Content.Headers.ContentType!.MediaType);
        Assert.Contains("no-store", res.Headers.CacheControl!.ToString());
        var html = await res.Content.ReadAsStringAsync();
        Assert.Contains("MockProcessor 3-D Secure test page", html);
        Assert.Contains("20.00 USD", html);
        Assert.Contains("Visa •••• 3220", html);
        Assert.Contains(">Complete authentication</button>", html);
        Assert.Contains(">Fail authentication</button>", html);
        Assert.Contains($"<form method=\"post\" action=\"/_mock/3ds/{pi["id"]}\">", html);
        Assert.Contains($"name=\"client_secret\" value=\"{pi["client_secret"]}\"", html);
    }

    [Fact]
    public async Task Zero_decimal_amounts_are_shown_in_whole_units()
    {
        var pi = await (await _c.PostFormAsync("/v1/payment_intents", ("amount", "2000"), ("currency", "jpy"), ("allowed_payment_method_types[]", "card"),
            ("confirm", "true"), ("payment_method", "pm_card_threeDSecure2Required"))).OkAsync();
        var html = await (await _browser.GetAsync(PageUrl(pi))).Content.ReadAsStringAsync();
        Assert.Contains("2,000 JPY", html);
    }

    public static TheoryData<string> RequiredCards => ThreeDSecureTests.RequiredCards;

    [Theory]
    [MemberData(nameof(RequiredCards))]
    public async Task Complete_redirects_to_return_url_with_succeeded(string card)
    {
        var pi = await Waiting(card);
        var res = await Click(pi, "complete");
        Assert.Equal(HttpStatusCode.SeeOther, res.StatusCode);
        var location = res.Headers.Location!;
        Assert.Equal(ThreeDSecureTests.ReturnUrl, location.GetLeftPart(UriPartial.Path));
        Assert.Equal(new Dictionary<string, string>
        {
            ["payment_intent"] = (string)pi["id"]!,
            ["payment_intent_client_secret"] = (string)pi["client_secret"]!,
            ["redirect_status"] = "succeeded",
        }, QueryOf(location));
        var after = await (await _c.GetAsync($"/v1/payment_intents/{pi["id"]}")).OkAsync();
        Assert.Equal("succeeded", (string)after["status"]!);
        // The customer, not an API call, caused these: Stripe's events then carry no request id.
        var events = (await (await _c.GetAsync("/v1/events?limit=2")).OkAsync())["data"]!.AsArray();
        Assert.Equal(["charge.succeeded", "payment_intent.succeeded"], events.Select(e => (string)e!["type"]!).Order());
        Assert.All(events, e => Assert.Null(e!["request"]!["id"]));
    }

    [Fact]
    public async Task Fail_redirects_with_failed_and_the_intent_wants_a_new_payment_method()
    {
        var pi = await Waiting("pm_card_authenticationRequired");
        var res = await Click(pi, "fail");
        Assert.Equal(HttpStatusCode.SeeOther, res.StatusCode);
        Assert.Equal("failed", QueryOf(res.Headers.Location!)["redirect_status"]);
        var after = await (await _c.GetAsync($"/v1/payment_intents/{pi["id"]}")).OkAsync();
        Assert.Equal("requires_payment_method", (string)after["status"]!);
        Assert.Equal("payment_intent_authentication_failure", (string)after["last_payment_error"]!["code"]!);
        Assert.Equal("payment_intent.payment_failed", (await ThreeDSecureTests.EventTypes(_c))[0]);
    }

    [Fact]
    public async Task Decline_after_authentication_redirects_with_failed()
    {
        var pi = await Waiting("pm_card_threeDSecureRequiredChargeDeclined");
        var res = await Click(pi, "complete");
        Assert.Equal("failed", QueryOf(res.Headers.Location!)["redirect_status"]);
        var after = await (await _c.GetAsync($"/v1/payment_intents/{pi["id"]}?expand[]=latest_charge")).OkAsync();
        Assert.Equal("requires_payment_method", (string)after["status"]!);
        Assert.Equal("card_declined", (string)after["last_payment_error"]!["code"]!);
        Assert.Equal("failed", (string)after["latest_charge"]!["status"]!);
    }

    [Fact]
    public async Task Return_url_keeps_its_own_query_and_fragment()
    {
        var pi = await Waiting("pm_card_threeDSecure2Required", "https://shop.example/done?order=42#top");
        var location = (await Click(pi, "complete")).Headers.Location!.ToString();
        Assert.StartsWith("https://shop.example/done?order=42&payment_intent=", location);
        Assert.EndsWith("&redirect_status=succeeded#top", location);
    }

    [Fact]
    public async Task Without_a_return_url_the_page_shows_the_result()
    {
        var pi = await Waiting("pm_card_threeDSecure2Required", returnUrl: null);
        var res = await Click(pi, "complete");
        Assert.Equal(HttpStatusCode.OK, res.StatusCode);
        var html = await res.Content.ReadAsStringAsync();
        Assert.Contains("Authentication complete", html);
        Assert.Contains("<strong id=\"status\">succeeded</strong>", html);
    }

    [Fact]
    public async Task Manual_confirmation_redirects_and_leaves_the_confirm_to_the_server()
    {
        var pi = await Waiting("pm_card_threeDSecure2Required", ThreeDSecureTests.ReturnUrl, ("confirmation_method", "manual"));
        Assert.Equal("succeeded", QueryOf((await Click(pi, "complete")).Headers.Location!)["redirect_status"]);
        var after = await (await _c.GetAsync($"/v1/payment_intents/{pi["id"]}")).OkAsync();
        Assert.Equal("requires_confirmation", (string)after["status"]!);
        Assert.Equal("succeeded", (string)(await (await _c.PostFormAsync($"/v1/payment_intents/{pi["id"]}/confirm")).OkAsync())["status"]!);
    }

    [Fact]
    public async Task Wrong_or_missing_client_secret_and_unknown_intents_are_404_pages()
    {
        var pi = await Waiting("pm_card_threeDSecure2Required");
        var id = (string)pi["id"]!;
        foreach (var url in new[] { $"/_mock/3ds/{id}?client_secret={id}_secret_wrong", $"/_mock/3ds/{id}", "/_mock/3ds/pi_unknown?client_secret=x" })
        {
            var res = await _browser.GetAsync(url);
            Assert.Equal(HttpStatusCode.NotFound, res.StatusCode);
            Assert.Contains("No such payment", await res.Content.ReadAsStringAsync());
        }
        var post = await _browser.PostFormAsync($"/_mock/3ds/{id}", ("client_secret", "nope"), ("outcome", "complete"));
        Assert.Equal(HttpStatusCode.NotFound, post.StatusCode);
        Assert.Equal("requires_action", (string)(await (await _c.GetAsync($"/v1/payment_intents/{id}")).OkAsync())["status"]!);
    }

    [Fact]
    public async Task A_second_submit_or_a_bad_outcome_is_a_400_page()
    {
        var pi = await Waiting("pm_card_threeDSecure2Required");
        var bad = await _browser.PostFormAsync($"/_mock/3ds/{pi["id"]}", ("client_secret", (string)pi["client_secret"]!), ("outcome", "maybe"));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal(HttpStatusCode.SeeOther, (await Click(pi, "complete")).StatusCode);
        var again = await _browser.PostFormAsync($"/_mock/3ds/{pi["id"]}", ("client_secret", (string)pi["client_secret"]!), ("outcome", "fail"));
        Assert.Equal(HttpStatusCode.BadRequest, again.StatusCode);
        Assert.Contains("has status succeeded", await again.Content.ReadAsStringAsync());
        var page = await _browser.GetAsync(PageUrl(pi));
        Assert.Equal(HttpStatusCode.BadRequest, page.StatusCode);
        Assert.Single(await ThreeDSecureTests.EventTypes(_c), t => t == "payment_intent.succeeded");
    }

    [Fact]
    public async Task The_page_works_after_a_restart()
    {
        using var file = new TempSqliteDb("3ds");
        var db = file.Path;
        JsonObject pi;
        await using (var app = new TestApp(o => { o.InMemory = false; o.Database = db; }))
            pi = await ThreeDSecureTests.Confirm(app.Client("sk_test_3ds_durable"), "pm_card_threeDSecure2Required", ("return_url", ThreeDSecureTests.ReturnUrl));
        await using (var app = new TestApp(o => { o.InMemory = false; o.Database = db; }))
        {
            var browser = app.Client("");
            Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync(PageUrl(pi))).StatusCode);
            var res = await browser.PostFormAsync($"/_mock/3ds/{pi["id"]}", ("client_secret", (string)pi["client_secret"]!), ("outcome", "complete"));
            Assert.Equal(HttpStatusCode.SeeOther, res.StatusCode);
        }
        await using (var app = new TestApp(o => { o.InMemory = false; o.Database = db; }))
        {
            var after = await (await app.Client("sk_test_3ds_durable").GetAsync($"/v1/payment_intents/{pi["id"]}")).OkAsync();
            Assert.Equal("succeeded", (string)after["status"]!);
        }
    }
}
