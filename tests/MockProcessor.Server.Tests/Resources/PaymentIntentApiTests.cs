using System.Text.Json.Nodes;

namespace MockProcessor.Server.Tests.Resources;

public class PaymentIntentApiTests : IAsyncLifetime
{
    private readonly TestApp _app = new();
    private HttpClient _c = null!;

    public Task InitializeAsync() { _c = _app.Client("sk_test_pis"); return Task.CompletedTask; }
    public async Task DisposeAsync() => await _app.DisposeAsync();

    // Card-only intents, as server-side integrations that confirm without a return_url create them.
    private async Task<JsonObject> Create(params (string, string)[] fields) =>
        await (await _c.PostFormAsync("/v1/payment_intents", [.. fields, ("allowed_payment_method_types[]", "card")])).OkAsync();

    private async Task<List<string>> EventTypes() =>
        (await (await _c.GetAsync("/v1/events?limit=100")).OkAsync())["data"]!.AsArray().Select(e => (string)e!["type"]!).ToList();

    [Fact]
    public async Task Create_without_payment_method_waits_for_one()
    {
        var pi = await (await _c.PostFormAsync("/v1/payment_intents", ("amount", "2000"), ("currency", "usd"))).OkAsync();
        Assert.Equal("requires_payment_method", (string)pi["status"]!);
        Assert.StartsWith((string)pi["id"]! + "_secret_", (string)pi["client_secret"]!);
        Assert.Null(pi["latest_charge"]);
        Assert.True((bool)pi["automatic_payment_methods"]!["enabled"]!);
    }

    [Fact]
    public async Task Create_and_confirm_with_visa_succeeds_with_one_charge_and_events()
    {
        var pi = await Create(("amount", "2000"), ("currency", "usd"), ("confirm", "true"), ("payment_method", "pm_card_visa"), ("expand[]", "latest_charge"));
        Assert.Equal("succeeded", (string)pi["status"]!);
        Assert.Equal(2000, (long)pi["amount_received"]!);
        var charge = pi["latest_charge"]!;
        Assert.Equal("succeeded", (string)charge["status"]!);
        Assert.True((bool)charge["captured"]!);
        Assert.StartsWith("txn_", (string)charge["balance_transaction"]!);
        Assert.StartsWith("pm_", (string)pi["payment_method"]!);
        Assert.Equal(["payment_intent.succeeded", "charge.succeeded", "payment_intent.created"], await EventTypes());
    }

    [Fact]
    public async Task Automatic_payment_methods_need_a_return_url_to_confirm()
    {
        var res = await _c.PostFormAsync("/v1/payment_intents", ("amount", "2000"), ("currency", "usd"), ("confirm", "true"), ("payment_method", "pm_card_visa"));
        var err = await res.ErrorAsync(400);
        Assert.Equal("return_url", (string)err["param"]!);
        Assert.Empty((await (await _c.GetAsync("/v1/payment_intents")).OkAsync())["data"]!.AsArray());
        var ok = await (await _c.PostFormAsync("/v1/payment_intents", ("amount", "2000"), ("currency", "usd"), ("confirm", "true"),
            ("payment_method", "pm_card_visa"), ("automatic_payment_methods[enabled]", "true"), ("automatic_payment_methods[allow_redirects]", "never"))).OkAsync();
        Assert.Equal("succeeded", (string)ok["status"]!);
    }

    [Fact]
    public async Task Manual_capture_then_partial_capture_releases_the_rest()
    {
        var pi = await Create(("amount", "5000"), ("currency", "usd"), ("confirm", "true"), ("payment_method", "pm_card_visa"), ("capture_method", "manual"));
        Assert.Equal("requires_capture", (string)pi["status"]!);
        Assert.Equal(5000, (long)pi["amount_capturable"]!);
        var captured = await (await _c.PostFormAsync($"/v1/payment_intents/{pi["id"]}/capture", ("amount_to_capture", "3000"), ("expand[]", "latest_charge"))).OkAsync();
        Assert.Equal("succeeded", (string)captured["status"]!);
        Assert.Equal(3000, (long)captured["amount_received"]!);
        Assert.Equal(0, (long)captured["amount_capturable"]!);
        Assert.Equal(3000, (long)captured["latest_charge"]!["amount_captured"]!);
        Assert.Equal(2000, (long)captured["latest_charge"]!["amount_refunded"]!);
        Assert.False((bool)captured["latest_charge"]!["refunded"]!);
        var types = await EventTypes();
        Assert.Contains("payment_intent.amount_capturable_updated", types);
        Assert.Contains("charge.captured", types);
    }

    [Fact]
    public async Task Decline_keeps_the_failed_charge_and_a_retry_on_the_same_intent_succeeds()
    {
        var pi = await Create(("amount", "2000"), ("currency", "usd"));
        var id = (string)pi["id"]!;
        var declined = await _c.PostFormAsync($"/v1/payment_intents/{id}/confirm", ("payment_method", "pm_card_visa_chargeDeclinedInsufficientFunds"));
        var err = await declined.ErrorAsync(402);
        Assert.Equal("card_error", (string)err["type"]!);
        Assert.Equal("card_declined", (string)err["code"]!);
        Assert.Equal("insufficient_funds", (string)err["decline_code"]!);
        var failedCharge = (string)err["charge"]!;
        Assert.Equal("requires_payment_method", (string)err["payment_intent"]!["status"]!);
        Assert.Equal("insufficient_funds", (string)err["payment_intent"]!["last_payment_error"]!["decline_code"]!);

        var ok = await (await _c.PostFormAsync($"/v1/payment_intents/{id}/confirm", ("payment_method", "pm_card_visa"))).OkAsync();
        Assert.Equal("succeeded", (string)ok["status"]!);
        Assert.NotEqual(failedCharge, (string)ok["latest_charge"]!);
        var failed = await (await _c.GetAsync($"/v1/charges/{failedCharge}")).OkAsync();
        Assert.Equal("failed", (string)failed["status"]!);
        Assert.Equal("card_declined", (string)failed["failure_code"]!);
        Assert.Equal(id, (string)failed["payment_intent"]!);
        Assert.Contains("payment_intent.payment_failed", await EventTypes());
    }

    [Fact]
    public async Task Invalid_transitions_are_payment_intent_unexpected_state_with_the_intent()
    {
        var pi = await Create(("amount", "2000"), ("currency", "usd"), ("confirm", "true"), ("payment_method", "pm_card_visa"));
        foreach (var action in new[] { "cancel", "capture", "confirm" })
        {
            var err = await (await _c.PostFormAsync($"/v1/payment_intents/{pi["id"]}/{action}")).ErrorAsync(400);
            Assert.Equal("payment_intent_unexpected_state", (string)err["code"]!);
            Assert.Equal((string)pi["id"]!, (string)err["payment_intent"]!["id"]!);
        }
    }

    [Fact]
    public async Task Cancel_records_the_reason_and_time()
    {
        var pi = await Create(("amount", "2000"), ("currency", "usd"));
        var canceled = await (await _c.PostFormAsync($"/v1/payment_intents/{pi["id"]}/cancel", ("cancellation_reason", "requested_by_customer"))).OkAsync();
        Assert.Equal("canceled", (string)canceled["status"]!);
        Assert.Equal("requested_by_customer", (string)canceled["cancellation_reason"]!);
        Assert.Equal(TestApp.StartTime, (long)canceled["canceled_at"]!);
        var bad = await (await _c.PostFormAsync($"/v1/payment_intents/{pi["id"]}/cancel", ("cancellation_reason", "bored"))).ErrorAsync(400);
        Assert.Equal("cancellation_reason", (string)bad["param"]!);
    }

    [Theory]
    [InlineData("usd", "49", "amount_too_small")]
    [InlineData("usd", "100000000", "amount_too_large")]
    [InlineData("xyz", "2000", null)]
    public async Task Amount_and_currency_rules(string currency, string amount, string? code)
    {
        var err = await (await _c.PostFormAsync("/v1/payment_intents", ("amount", amount), ("currency", currency))).ErrorAsync(400);
        Assert.Equal(code, (string?)err["code"]);
        Assert.Equal(code is null ? "currency" : "amount", (string)err["param"]!);
    }

    [Fact]
    public async Task Zero_decimal_currency_amounts_are_whole_units()
    {
        var pi = await Create(("amount", "500"), ("currency", "jpy"), ("confirm", "true"), ("payment_method", "pm_card_visa"));
        Assert.Equal(500, (long)pi["amount_received"]!);
        Assert.Equal("jpy", (string)pi["currency"]!);
    }

    [Fact]
    public async Task Publishable_key_retrieves_only_with_the_client_secret_and_without_metadata()
    {
        var pi = await Create(("amount", "2000"), ("currency", "usd"), ("metadata[order]", "7"));
        var pk = _app.Client("pk_test_pis");
        var withSecret = await (await pk.GetAsync($"/v1/payment_intents/{pi["id"]}?client_secret={pi["client_secret"]}")).OkAsync();
        Assert.Equal("{}", withSecret["metadata"]!.ToJsonString());
        await (await pk.GetAsync($"/v1/payment_intents/{pi["id"]}")).ErrorAsync(400);
        await (await pk.GetAsync($"/v1/payment_intents/{pi["id"]}?client_secret=wrong")).ErrorAsync(400);
        await (await pk.PostFormAsync($"/v1/payment_intents/{pi["id"]}/cancel")).ErrorAsync(401);
        var confirmed = await (await pk.PostFormAsync($"/v1/payment_intents/{pi["id"]}/confirm",
            ("client_secret", (string)pi["client_secret"]!), ("payment_method", "pm_card_visa"))).OkAsync();
        Assert.Equal("succeeded", (string)confirmed["status"]!);
    }

    [Fact]
    public async Task Payment_method_data_makes_a_new_card_and_setup_future_usage_saves_it()
    {
        var cus = (string)(await (await _c.PostFormAsync("/v1/customers")).OkAsync())["id"]!;
        var pi = await Create(("amount", "2000"), ("currency", "usd"), ("confirm", "true"), ("customer", cus), ("setup_future_usage", "off_session"),
            ("payment_method_data[type]", "card"), ("payment_method_data[card][number]", "5555555555554444"),
            ("payment_method_data[card][exp_month]", "12"), ("payment_method_data[card][exp_year]", "2031"));
        Assert.Equal("succeeded", (string)pi["status"]!);
        var pms = await (await _c.GetAsync($"/v1/customers/{cus}/payment_methods")).OkAsync();
        Assert.Equal((string)pi["payment_method"]!, (string)pms["data"]![0]!["id"]!);
        Assert.Equal("mastercard", (string)pms["data"]![0]!["card"]!["brand"]!);
    }

    [Fact]
    public async Task List_by_customer_and_search_by_status()
    {
        var cus = (string)(await (await _c.PostFormAsync("/v1/customers")).OkAsync())["id"]!;
        await Create(("amount", "2000"), ("currency", "usd"), ("customer", cus));
        await Create(("amount", "3000"), ("currency", "usd"), ("confirm", "true"), ("payment_method", "pm_card_visa"));
        var mine = await (await _c.GetAsync($"/v1/payment_intents?customer={cus}")).OkAsync();
        Assert.Single(mine["data"]!.AsArray());
        var found = await (await _c.GetAsync("/v1/payment_intents/search?query=" + Uri.EscapeDataString("status:'succeeded' AND amount>2500"))).OkAsync();
        Assert.Equal(3000, (long)found["data"]![0]!["amount"]!);
        Assert.Single(found["data"]!.AsArray());
    }
}
