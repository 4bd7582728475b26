using System.Text.Json.Nodes;

namespace MockProcessor.Server.Tests.Resources.Checkout;

/// <summary>Checkout Sessions in subscription mode (docs/checkout.md "Subscription mode").</summary>
public class CheckoutSubscriptionApiTests : IAsyncLifetime
{
    private const string Success = CheckoutSessionApiTests.Success;
    private readonly TestApp _app = new();
    private HttpClient _c = null!;

    public Task InitializeAsync() { _c = _app.Client("sk_test_checkoutsub"); return Task.CompletedTask; }
    public async Task DisposeAsync() => await _app.DisposeAsync();

    private async Task<string> Price(long amount, string? interval = "month", string currency = "usd")
    {
        var form = new List<(string, string)> { ("currency", currency), ("unit_amount", amount.ToString()), ("product_data[name]", interval is null ? "Setup fee" : "Pro plan") };
        if (interval is not null) form.Add(("recurring[interval]", interval));
        return (string)(await (await _c.PostFormAsync("/v1/prices", [.. form])).OkAsync())["id"]!;
    }

    private async Task<JsonObject> Session(params (string, string)[] form) =>
        await (await _c.PostFormAsync("/v1/checkout/sessions", [("mode", "subscription"), ("success_url", Success), .. form])).OkAsync();

    private async Task<List<string>> EventTypes() =>
        (await (await _c.GetAsync("/v1/events?limit=100")).OkAsync())["data"]!.AsArray().Select(e => (string)e!["type"]!).Reverse().ToList();

    [Fact]
    public async Task Paying_creates_an_active_subscription_with_the_card_and_a_paid_first_invoice_including_one_time_lines()
    {
        var monthly = await Price(2000);
        var fee = await Price(500, interval: null);
        var s = await Session(("line_items[0][price]", monthly), ("line_items[0][quantity]", "2"), ("line_items[1][price]", fee),
            ("line_items[1][quantity]", "1"), ("subscription_data[metadata][plan]", "pro"), ("subscription_data[description]", "Pro for Ann"),
            ("allow_promotion_codes", "true"), ("customer_email", "ann@example.com"));
        Assert.Equal(("subscription", 4500L, true), ((string)s["mode"]!, (long)s["amount_total"]!, (bool)s["allow_promotion_codes"]!));
        Assert.Null(s["customer_creation"]);
        var before = (await EventTypes()).Count;

        var done = await (await _c.PostFormAsync($"/_mock/checkout/sessions/{s["id"]}/complete", ("card", "4242424242424242"), ("name", "Ann"),
            ("expand[]", "subscription"), ("expand[]", "invoice"))).OkAsync();
        Assert.Equal(("complete", "paid"), ((string)done["status"]!, (string)done["payment_status"]!));
        Assert.Null(done["payment_intent"]);
        var sub = done["subscription"]!;
        var customer = (string)done["customer"]!;
        Assert.Equal(("active", customer, "pro", "Pro for Ann"),
            ((string)sub["status"]!, (string)sub["customer"]!, (string)sub["metadata"]!["plan"]!, (string)sub["description"]!));
        Assert.Equal(2L, (long)sub["items"]!["data"]!.AsArray().Single()!["quantity"]!);
        var invoice = done["invoice"]!;
        Assert.Equal(("paid", 4500L, (string)invoice["id"]!), ((string)invoice["status"]!, (long)invoice["amount_paid"]!, (string)sub["latest_invoice"]!));
        Assert.Equal([4000L, 500L], invoice["lines"]!["data"]!.AsArray().Select(l => (long)l!["amount"]!).ToArray());

        var pm = await (await _c.GetAsync($"/v1/payment_methods/{sub["default_payment_method"]}")).OkAsync();
        Assert.Equal(customer, (string)pm["customer"]!);
        var cus = await (await _c.GetAsync($"/v1/customers/{customer}")).OkAsync();
        Assert.Equal(("ann@example.com", "Ann"), ((string)cus["email"]!, (string)cus["name"]!));

        var types = (await EventTypes()).Skip(before).ToList();
        Assert.Equal("customer.created", types[0]);
        Assert.Equal("checkout.session.completed", types[^1]);
        foreach (var t in new[] { "payment_method.attached", "customer.subscription.created", "invoice.finalized", "invoice.paid", "customer.subscription.updated" })
            Assert.Contains(t, types);
        var bySub = await (await _c.GetAsync($"/v1/subscriptions?customer={customer}")).OkAsync();
        Assert.Single(bySub["data"]!.AsArray());
    }

    [Fact]
    public async Task A_trial_starts_with_a_zero_invoice_and_no_payment_required()
    {
        var monthly = await Price(2000);
        var s = await Session(("line_items[0][price]", monthly), ("line_items[0][quantity]", "1"), ("subscription_data[trial_period_days]", "14"));
        Assert.Equal(0L, (long)s["amount_total"]!);
        var done = await (await _c.PostFormAsync($"/_mock/checkout/sessions/{s["id"]}/complete", ("card", "4242424242424242"), ("email", "bo@example.com"),
            ("expand[]", "subscription"), ("expand[]", "invoice"))).OkAsync();
        Assert.Equal(("complete", "no_payment_required"), ((string)done["status"]!, (string)done["payment_status"]!));
        Assert.Equal("trialing", (string)done["subscription"]!["status"]!);
        Assert.Equal(TestApp.StartTime + 14 * 86_400, (long)done["subscription"]!["trial_end"]!);
        Assert.Equal(("paid", 0L), ((string)done["invoice"]!["status"]!, (long)done["invoice"]!["total"]!));
    }

    [Fact]
    public async Task A_declined_card_keeps_the_session_open_and_creates_nothing()
    {
        var monthly = await Price(2000);
        var s = await Session(("line_items[0][price]", monthly), ("line_items[0][quantity]", "1"));
        var before = await EventTypes();
        var error = await (await _c.PostFormAsync($"/_mock/checkout/sessions/{s["id"]}/complete", ("card", "4000000000000002"), ("email", "cy@example.com"))).ErrorAsync(402);
        Assert.Equal("card_declined", (string)error["code"]!);
        var again = await (await _c.GetAsync($"/v1/checkout/sessions/{s["id"]}")).OkAsync();
        Assert.Equal(("open", (string?)null, (string?)null), ((string)again["status"]!, (string?)again["subscription"], (string?)again["customer"]));
        Assert.Empty((await (await _c.GetAsync("/v1/subscriptions?status=all")).OkAsync())["data"]!.AsArray());
        Assert.Empty((await (await _c.GetAsync("/v1/customers")).OkAsync())["data"]!.AsArray());
        Assert.Equal(before, await EventTypes());
        // Another card then goes through.
        var done = await (await _c.PostFormAsync($"/_mock/checkout/sessions/{s["id"]}/complete", ("card", "4242424242424242"), ("email", "cy@example.com"))).OkAsync();
        Assert.Equal("complete", (string)done["status"]!);
    }

    [Fact]
    public async Task Three_d_secure_completes_the_session_once_the_invoice_is_paid()
    {
        var monthly = await Price(2000);
        var s = await Session(("line_items[0][price]", monthly), ("line_items[0][quantity]", "1"));
        var open = await (await _c.PostFormAsync($"/_mock/checkout/sessions/{s["id"]}/complete", ("card", "4000002760003184"), ("email", "di@example.com"))).OkAsync();
        Assert.Equal("open", (string)open["status"]!);
        Assert.Null(open["subscription"]);
        var invoices = await (await _c.GetAsync($"/v1/invoices?customer={open["customer"]}&expand[]=data.confirmation_secret")).OkAsync();
        var invoice = invoices["data"]!.AsArray().Single()!;
        Assert.Equal("open", (string)invoice["status"]!);
        var pis = await (await _c.GetAsync($"/v1/payment_intents?customer={open["customer"]}")).OkAsync();
        var pi = (string)pis["data"]!.AsArray().Single()!["id"]!;
        await (await _c.PostFormAsync($"/_mock/payment_intents/{pi}/authenticate", ("outcome", "complete"))).OkAsync();
        var done = await (await _c.GetAsync($"/v1/checkout/sessions/{s["id"]}?expand[]=subscription")).OkAsync();
        Assert.Equal(("complete", "active", (string)invoice["id"]!), ((string)done["status"]!, (string)done["subscription"]!["status"]!, (string)done["invoice"]!));
    }

    public static TheoryData<string, string[], string> BadSubscriptionSessions => new()
    {
        { "payment_intent_data", ["payment_intent_data[description]", "x"], "payment_intent_data" },
        { "customer_creation", ["customer_creation", "always"], "customer_creation" },
        { "tax rates", ["subscription_data[default_tax_rates][0]", "txr_1"], "subscription_data[default_tax_rates]" },
        { "a zero-day trial", ["subscription_data[trial_period_days]", "0"], "subscription_data[trial_period_days]" },
    };

    [Theory]
    [MemberData(nameof(BadSubscriptionSessions))]
    public async Task Bad_subscription_mode_input_is_refused(string why, string[] extra, string param)
    {
        var monthly = await Price(2000);
        var error = await (await _c.PostFormAsync("/v1/checkout/sessions", ("mode", "subscription"), ("success_url", Success),
            ("line_items[0][price]", monthly), ("line_items[0][quantity]", "1"), (extra[0], extra[1]))).ErrorAsync(400);
        Assert.True(param == (string?)error["param"], $"{why}: {error}");
        Assert.Empty((await (await _c.GetAsync("/v1/checkout/sessions")).OkAsync())["data"]!.AsArray());
    }

    [Fact]
    public async Task Recurring_prices_must_share_currency_and_interval_and_a_recurring_price_infers_the_mode()
    {
        var monthly = await Price(2000);
        var yearly = await Price(20000, "year");
        var error = await (await _c.PostFormAsync("/v1/checkout/sessions", ("mode", "subscription"), ("success_url", Success),
            ("line_items[0][price]", monthly), ("line_items[0][quantity]", "1"), ("line_items[1][price]", yearly), ("line_items[1][quantity]", "1"))).ErrorAsync(400);
        Assert.Equal("line_items[1][price]", (string)error["param"]!);
        var inferred = await (await _c.PostFormAsync("/v1/checkout/sessions", ("success_url", Success),
            ("line_items[0][price]", monthly), ("line_items[0][quantity]", "1"))).OkAsync();
        Assert.Equal("subscription", (string)inferred["mode"]!);
    }
}
