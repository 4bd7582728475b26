using System.Text.Json.Nodes;

namespace MockProcessor.Server.Tests.StripeJs;

/// <summary>
/// ConfirmationTokens (docs/stripe-js.md): created by Stripe.js with the publishable key, or by a server test through the
/// test helper; used once, by <c>confirmation_token</c> on a PaymentIntent's create or confirm.
/// </summary>
public class ConfirmationTokenTests : IAsyncLifetime
{
    private const string Pk = "pk_test_ctoken";
    private readonly TestApp _app = new();
    private HttpClient _server = null!;
    private HttpClient _browser = null!;

    public Task InitializeAsync()
    {
        _server = _app.Client("sk_test_ctoken");
        _browser = _app.Client("");
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private async Task<JsonObject> FromBrowser(string number = "4242424242424242", params (string, string)[] extra) =>
        await (await _browser.PostFormAsync("/v1/confirmation_tokens",
        [
            ("payment_method_data[type]", "card"), ("payment_method_data[card][number]", number),
            ("payment_method_data[card][exp_month]", "12"), ("payment_method_data[card][exp_year]", "2034"),
            ("payment_method_data[card][cvc]", "123"), ("payment_method_data[billing_details][name]", "Jenny Rosen"),
            ("payment_method_data[guid]", "NA"), ("payment_method_data[allow_redisplay]", "unspecified"),
            ("client_context[mode]", "payment"), ("client_context[currency]", "usd"),
            ("mandate_data[customer_acceptance][type]", "online"), ("key", Pk), .. extra,
        ])).OkAsync();

    [Fact]
    public async Task Created_with_the_publishable_key_it_previews_the_card_without_the_number()
    {
        var token = await FromBrowser(extra: [("return_url", "https://shop.example/done"), ("setup_future_usage", "off_session")]);
        Assert.StartsWith("ctoken_", (string)token["id"]!);
        Assert.Equal("confirmation_token", (string)token["object"]!);
        Assert.Equal((long)token["created"]! + 12 * 3600, (long)token["expires_at"]!);
        Assert.Equal("https://shop.example/done", (string)token["return_url"]!);
        Assert.Equal("off_session", (string)token["setup_future_usage"]!);
        Assert.True((bool)token["use_stripe_sdk"]!);
        var preview = token["payment_method_preview"]!;
        Assert.Equal("card", (string)preview["type"]!);
        Assert.Equal("4242", (string)preview["card"]!["last4"]!);
        Assert.Equal("Jenny Rosen", (string)preview["billing_details"]!["name"]!);
        Assert.DoesNotContain("4242424242424242", token.ToJsonString());
        var retrieved = await (await _server.GetAsync($"/v1/confirmation_tokens/{token["id"]}")).OkAsync();
        Assert.Equal(token.ToJsonString(), retrieved.ToJsonString());
    }

    [Fact]
    public async Task A_payment_intent_created_with_it_is_paid_with_its_card_once()
    {
        var token = await FromBrowser(extra: ("return_url", "https://shop.example/done"));
        var pi = await (await _server.PostFormAsync("/v1/payment_intents", ("amount", "1500"), ("currency", "usd"), ("confirm", "true"),
            ("confirmation_token", (string)token["id"]!))).OkAsync();
        Assert.Equal("succeeded", (string)pi["status"]!);
        var pm = await (await _server.GetAsync($"/v1/payment_methods/{pi["payment_method"]}")).OkAsync();
        Assert.Equal("4242", (string)pm["card"]!["last4"]!);
        var used = await (await _server.GetAsync($"/v1/confirmation_tokens/{token["id"]}")).OkAsync();
        Assert.Equal((string)pi["id"]!, (string)used["payment_intent"]!);

        var again = await (await _server.PostFormAsync("/v1/payment_intents", ("amount", "1500"), ("currency", "usd"), ("confirm", "true"),
            ("confirmation_token", (string)token["id"]!), ("return_url", "https://shop.example/done"))).ErrorAsync(400);
        Assert.Equal("confirmation_token", (string)again["param"]!);
    }

    [Fact]
    public async Task Confirm_uses_the_token_s_card_and_a_declined_card_declines()
    {
        var token = await FromBrowser("4000000000000002");
        var pi = await (await _server.PostFormAsync("/v1/payment_intents", ("amount", "1500"), ("currency", "usd"))).OkAsync();
        var error = await (await _server.PostFormAsync($"/v1/payment_intents/{pi["id"]}/confirm",
            ("confirmation_token", (string)token["id"]!), ("return_url", "https://shop.example/done"))).ErrorAsync(402);
        Assert.Equal("card_declined", (string)error["code"]!);
    }

    [Fact]
    public async Task A_token_with_a_payment_method_parameter_is_refused()
    {
        var token = await FromBrowser();
        var error = await (await _server.PostFormAsync("/v1/payment_intents", ("amount", "1500"), ("currency", "usd"), ("confirm", "true"),
            ("confirmation_token", (string)token["id"]!), ("payment_method", "pm_card_visa"))).ErrorAsync(400);
        Assert.Equal("confirmation_token", (string)error["param"]!);
    }

    [Fact]
    public async Task An_expired_token_is_refused()
    {
        var token = await FromBrowser();
        await (await _server.PostFormAsync("/_mock/merchant_clock/advance", ("seconds", (12 * 3600).ToString()))).OkAsync();
        var error = await (await _server.PostFormAsync("/v1/payment_intents", ("amount", "1500"), ("currency", "usd"), ("confirm", "true"),
            ("confirmation_token", (string)token["id"]!), ("return_url", "https://shop.example/done"))).ErrorAsync(400);
        Assert.Contains("expired", (string)error["message"]!);
    }

    [Fact]
    public async Task The_test_helper_makes_one_from_a_test_card_alias_with_the_secret_key()
    {
        var token = await (await _server.PostFormAsync("/v1/test_helpers/confirmation_tokens", ("payment_method", "pm_card_visa"))).OkAsync();
        Assert.Equal("4242", (string)token["payment_method_preview"]!["card"]!["last4"]!);
        Assert.False((bool)token["use_stripe_sdk"]!);
        var refused = await (await _browser.PostFormAsync("/v1/test_helpers/confirmation_tokens", ("payment_method", "pm_card_visa"), ("key", Pk))).ErrorAsync(401);
        Assert.Equal("secret_key_required", (string)refused["code"]!);
    }
}
