using System.Net;
using System.Text.Json.Nodes;

namespace MockProcessor.Server.Tests.Resources.Checkout;

/// <summary>Checkout Sessions through the API and the control call (docs/checkout.md); the hosted page is in <see cref="CheckoutPageTests"/>.</summary>
public class CheckoutSessionApiTests : IAsyncLifetime
{
    internal const string Success = "https://shop.example/done?session_id={CHECKOUT_SESSION_ID}";
    internal const string Cancel = "https://shop.example/cart";
    private readonly TestApp _app = new();
    private HttpClient _c = null!;

    public Task InitializeAsync() { _c = _app.Client("sk_test_checkout"); return Task.CompletedTask; }
    public async Task DisposeAsync() => await _app.DisposeAsync();

    internal static (string, string)[] TShirts(long quantity = 2) =>
    [
        ("mode", "payment"), ("success_url", Success), ("cancel_url", Cancel),
        ("line_items[0][price_data][currency]", "usd"), ("line_items[0][price_data][unit_amount]", "1500"),
        ("line_items[0][price_data][product_data][name]", "T-shirt"), ("line_items[0][quantity]", quantity.ToString()),
    ];

    internal static async Task<JsonObject> CreateSession(HttpClient c, params (string, string)[] extra) =>
        await (await c.PostFormAsync("/v1/checkout/sessions", [.. TShirts(), .. extra])).OkAsync();

    private async Task<List<string>> EventTypes() =>
        (await (await _c.GetAsync("/v1/events?limit=100")).OkAsync())["data"]!.AsArray().Select(e => (string)e!["type"]!).Reverse().ToList();

    [Fact]
    public async Task A_payment_session_totals_its_line_items_and_points_at_the_hosted_page()
    {
        var s = await CreateSession(_c, ("client_reference_id", "order-7"), ("metadata[order]", "7"));
        var id = (string)s["id"]!;
        Assert.StartsWith("cs_test_", id);
        Assert.Equal("checkout.session", (string)s["object"]!);
        Assert.Equal(("open", "unpaid", "payment"), ((string)s["status"]!, (string)s["payment_status"]!, (string)s["mode"]!));
        Assert.Equal((3000L, 3000L, "usd"), ((long)s["amount_subtotal"]!, (long)s["amount_total"]!, (string)s["currency"]!));
        Assert.Equal($"http://localhost/checkout/pay/{id}", (string)s["url"]!);
        Assert.Equal(TestApp.StartTime + 24 * 3600, (long)s["expires_at"]!);
        Assert.Null(s["payment_intent"]);
        Assert.Equal("if_required", (string)s["customer_creation"]!);
        Assert.Equal("order-7", (string)s["client_reference_id"]!);
        Assert.Equal(Success, (string)s["success_url"]!);

        var items = await (await _c.GetAsync($"/v1/checkout/sessions/{id}/line_items")).OkAsync();
        var item = items["data"]!.AsArray().Single()!;
        Assert.Equal("item", (string)item["object"]!);
        Assert.Equal(("T-shirt", 2L, 3000L), ((string)item["description"]!, (long)item["quantity"]!, (long)item["amount_total"]!));
        Assert.Equal(1500L, (long)item["price"]!["unit_amount"]!);
        Assert.False((bool)item["price"]!["active"]!);

        var expanded = await (await _c.GetAsync($"/v1/checkout/sessions/{id}?expand[]=line_items")).OkAsync();
        Assert.Equal((string)item["id"]!, (string)expanded["line_items"]!["data"]![0]!["id"]!);
        // Stripe sends no event when a session is created; the inline product and price announce themselves.
        Assert.Equal(["product.created", "price.created"], await EventTypes());
    }

    [Fact]
    public async Task A_catalogue_price_is_used_by_id()
    {
        var price = await (await _c.PostFormAsync("/v1/prices", ("currency", "eur"), ("unit_amount", "999"), ("product_data[name]", "Mug"))).OkAsync();
        var s = await (await _c.PostFormAsync("/v1/checkout/sessions", ("mode", "payment"), ("success_url", Success),
            ("line_items[0][price]", (string)price["id"]!), ("line_items[0][quantity]", "3"))).OkAsync();
        Assert.Equal((2997L, "eur"), ((long)s["amount_total"]!, (string)s["currency"]!));
        var listed = await (await _c.GetAsync("/v1/checkout/sessions?status=open")).OkAsync();
        Assert.Equal((string)s["id"]!, (string)listed["data"]![0]!["id"]!);
    }

    public static TheoryData<string, (string, string)[], string?, string> BadCreates => new()
    {
        { "no line items in payment mode", [("mode", "payment"), ("success_url", Success)], "parameter_missing", "line_items" },
        { "recurring price in payment mode", [.. TShirts(), ("line_items[0][price_data][recurring][interval]", "month")], null, "line_items[0][price]" },
        {
            "mixed currencies",
            [.. TShirts(), ("line_items[1][price_data][currency]", "eur"), ("line_items[1][price_data][unit_amount]", "100"),
             ("line_items[1][price_data][product_data][name]", "Sticker"), ("line_items[1][quantity]", "1")],
            null, "line_items[1]"
        },
        { "relative success_url", [.. TShirts().Where(p => p.Item1 != "success_url"), ("success_url", "/done")], "url_invalid", "success_url" },
        { "expires_at too soon", [.. TShirts(), ("expires_at", (TestApp.StartTime + 600).ToString())], null, "expires_at" },
        { "expires_at too late", [.. TShirts(), ("expires_at", (TestApp.StartTime + 25 * 3600).ToString())], null, "expires_at" },
        { "subscription mode without a recurring price", [.. TShirts().Where(p => p.Item1 != "mode"), ("mode", "subscription")], null, "line_items" },
        { "embedded ui_mode", [.. TShirts(), ("ui_mode", "embedded_page")], null, "ui_mode" },
        { "no quantity", [.. TShirts().Where(p => p.Item1 != "line_items[0][quantity]")], "parameter_missing", "line_items[0][quantity]" },
    };

    [Theory]
    [MemberData(nameof(BadCreates))]
    public async Task Bad_input_is_refused_with_Stripes_error_and_nothing_is_kept(string why, (string, string)[] form, string? code, string param)
    {
        var error = await (await _c.PostFormAsync("/v1/checkout/sessions", form)).ErrorAsync(400);
        Assert.True(param == (string?)error["param"], $"{why}: {error}");
        Assert.Equal(code, (string?)error["code"]);
        Assert.Equal("invalid_request_error", (string)error["type"]!);
        Assert.Empty((await (await _c.GetAsync("/v1/checkout/sessions")).OkAsync())["data"]!.AsArray());
        Assert.Empty(await EventTypes());
    }

    [Fact]
    public async Task Recurring_price_in_payment_mode_gets_Stripes_message()
    {
        var error = await (await _c.PostFormAsync("/v1/checkout/sessions", [.. TShirts(), ("line_items[0][price_data][recurring][interval]", "month")])).ErrorAsync(400);
        Assert.Equal("You specified `payment` mode but passed a recurring price. Either switch to `subscription` mode or use only one-time prices.",
            (string)error["message"]!);
    }

    [Fact]
    public async Task Completing_with_a_test_card_pays_and_announces_the_session()
    {
        var s = await CreateSession(_c, ("customer_creation", "always"), ("payment_intent_data[metadata][order]", "7"));
        var id = (string)s["id"]!;
        var done = await (await _c.PostFormAsync($"/_mock/checkout/sessions/{id}/complete", ("card", "4242424242424242"), ("email", "ann@example.com"),
            ("name", "Ann"), ("expand[]", "payment_intent"))).OkAsync();
        Assert.Equal(("complete", "paid"), ((string)done["status"]!, (string)done["payment_status"]!));
        Assert.Null(done["url"]);
        var pi = done["payment_intent"]!;
        Assert.Equal(("succeeded", 3000L, "7"), ((string)pi["status"]!, (long)pi["amount"]!, (string)pi["metadata"]!["order"]!));
        var customer = (string)done["customer"]!;
        Assert.Equal(customer, (string)pi["customer"]!);
        Assert.Equal(("ann@example.com", "Ann"), ((string)done["customer_details"]!["email"]!, (string)done["customer_details"]!["name"]!));
        var types = await EventTypes();
        Assert.Equal(["product.created", "price.created", "payment_intent.created", "charge.succeeded", "payment_intent.succeeded",
            "customer.created", "checkout.session.completed"], types);
        var byPi = await (await _c.GetAsync($"/v1/checkout/sessions?payment_intent={pi["id"]}")).OkAsync();
        Assert.Equal(id, (string)byPi["data"]!.AsArray().Single()!["id"]!);
        // A complete session cannot be paid again nor expired.
        await (await _c.PostFormAsync($"/_mock/checkout/sessions/{id}/complete", ("payment_method", "pm_card_visa"))).ErrorAsync(400);
        var expire = await (await _c.PostAsync($"/v1/checkout/sessions/{id}/expire", null)).ErrorAsync(400);
        Assert.Contains("complete", (string)expire["message"]!);
    }

    [Fact]
    public async Task A_declined_card_leaves_the_session_open_with_its_failed_payment()
    {
        var id = (string)(await CreateSession(_c))["id"]!;
        var error = await (await _c.PostFormAsync($"/_mock/checkout/sessions/{id}/complete", ("payment_method", "pm_card_chargeDeclined"),
            ("email", "bob@example.com"))).ErrorAsync(402);
        Assert.Equal(("card_declined", "Your card was declined."), ((string)error["code"]!, (string)error["message"]!));
        var s = await (await _c.GetAsync($"/v1/checkout/sessions/{id}?expand[]=payment_intent")).OkAsync();
        Assert.Equal("open", (string)s["status"]!);
        Assert.Equal("requires_payment_method", (string)s["payment_intent"]!["status"]!);
        Assert.DoesNotContain("checkout.session.completed", await EventTypes());
        // The customer tries again on the same PaymentIntent.
        var done = await (await _c.PostFormAsync($"/_mock/checkout/sessions/{id}/complete", ("payment_method", "pm_card_visa"),
            ("email", "bob@example.com"))).OkAsync();
        Assert.Equal(((string)s["payment_intent"]!["id"]!, "complete"), ((string)done["payment_intent"]!, (string)done["status"]!));
        // customer_creation if_required: a card payment needs no customer.
        Assert.Null(done["customer"]);
    }

    [Fact]
    public async Task A_setup_session_saves_the_card_through_a_SetupIntent_and_completes()
    {
        var form = new[] { ("mode", "setup"), ("success_url", Success), ("cancel_url", Cancel), ("currency", "usd") };
        var id = (string)(await (await _c.PostFormAsync("/v1/checkout/sessions", form)).OkAsync())["id"]!;
        // A decline leaves the session open with the SetupIntent's last_setup_error.
        var declined = await (await _c.PostFormAsync($"/_mock/checkout/sessions/{id}/complete", ("payment_method", "pm_card_chargeDeclined"), ("email", "s@example.com"))).ErrorAsync(402);
        Assert.Equal("card_declined", (string)declined["code"]!);
        var done = await (await _c.PostFormAsync($"/_mock/checkout/sessions/{id}/complete", ("card", "4242424242424242"), ("email", "s@example.com"),
            ("expand[]", "setup_intent"))).OkAsync();
        Assert.Equal(("complete", "no_payment_required"), ((string)done["status"]!, (string)done["payment_status"]!));
        Assert.Null(done["payment_intent"]);
        var si = done["setup_intent"]!;
        Assert.Equal("succeeded", (string)si["status"]!);
        var customer = (string)done["customer"]!;
        Assert.Equal(customer, (string)si["customer"]!);
        var pm = await (await _c.GetAsync($"/v1/payment_methods/{si["payment_method"]}")).OkAsync();
        Assert.Equal(customer, (string)pm["customer"]!);
        var events = await EventTypes();
        Assert.Contains("setup_intent.succeeded", events);
        Assert.Equal("checkout.session.completed", events[^1]);

        // 3-D Secure on setup: the session completes once the SetupIntent is authenticated.
        var second = (string)(await (await _c.PostFormAsync("/v1/checkout/sessions", form)).OkAsync())["id"]!;
        var open = await (await _c.PostFormAsync($"/_mock/checkout/sessions/{second}/complete", ("payment_method", "pm_card_threeDSecure2Required"),
            ("email", "t@example.com"), ("expand[]", "setup_intent"))).OkAsync();
        Assert.Equal(("open", "requires_action"), ((string)open["status"]!, (string)open["setup_intent"]!["status"]!));
        await (await _c.PostFormAsync($"/_mock/setup_intents/{open["setup_intent"]!["id"]}/authenticate", ("outcome", "complete"))).OkAsync();
        Assert.Equal("complete", (string)(await (await _c.GetAsync($"/v1/checkout/sessions/{second}")).OkAsync())["status"]!);
    }

    [Fact]
    public async Task Three_d_secure_completes_the_session_once_authenticated()
    {
        var id = (string)(await CreateSession(_c))["id"]!;
        var open = await (await _c.PostFormAsync($"/_mock/checkout/sessions/{id}/complete", ("payment_method", "pm_card_threeDSecure2Required"),
            ("email", "c@example.com"), ("expand[]", "payment_intent"))).OkAsync();
        Assert.Equal(("open", "requires_action"), ((string)open["status"]!, (string)open["payment_intent"]!["status"]!));
        await (await _c.PostFormAsync($"/_mock/payment_intents/{open["payment_intent"]!["id"]}/authenticate", ("outcome", "complete"))).OkAsync();
        var s = await (await _c.GetAsync($"/v1/checkout/sessions/{id}")).OkAsync();
        Assert.Equal(("complete", "paid"), ((string)s["status"]!, (string)s["payment_status"]!));
        Assert.Equal("checkout.session.completed", (await EventTypes())[^1]);
    }

    [Fact]
    public async Task An_open_session_expires_at_expires_at_on_the_merchants_clock()
    {
        var id = (string)(await CreateSession(_c, ("expires_at", (TestApp.StartTime + 3600).ToString())))["id"]!;
        await (await _c.PostFormAsync("/_mock/merchant_clock/advance", ("seconds", "3599"))).OkAsync();
        Assert.Equal("open", (string)(await (await _c.GetAsync($"/v1/checkout/sessions/{id}")).OkAsync())["status"]!);
        await (await _c.PostFormAsync("/_mock/merchant_clock/advance", ("seconds", "1"))).OkAsync();
        var s = await (await _c.GetAsync($"/v1/checkout/sessions/{id}")).OkAsync();
        Assert.Equal(("expired", null), ((string)s["status"]!, (string?)s["url"]));
        Assert.Equal("checkout.session.expired", (await EventTypes())[^1]);
        var error = await (await _c.PostFormAsync($"/_mock/checkout/sessions/{id}/complete", ("payment_method", "pm_card_visa"))).ErrorAsync(400);
        Assert.Contains("expired", (string)error["message"]!);
    }

    [Fact]
    public async Task Expire_cancels_a_declined_attempts_payment_intent()
    {
        var id = (string)(await CreateSession(_c))["id"]!;
        await (await _c.PostFormAsync($"/_mock/checkout/sessions/{id}/complete", ("payment_method", "pm_card_chargeDeclined"), ("email", "d@example.com"))).ErrorAsync(402);
        var s = await (await _c.PostFormAsync($"/v1/checkout/sessions/{id}/expire", ("expand[]", "payment_intent"))).OkAsync();
        Assert.Equal(("expired", "canceled"), ((string)s["status"]!, (string)s["payment_intent"]!["status"]!));
        Assert.Equal(["payment_intent.canceled", "checkout.session.expired"], (await EventTypes())[^2..]);
        Assert.Equal(HttpStatusCode.BadRequest, (await _c.PostAsync($"/v1/checkout/sessions/{id}/expire", null)).StatusCode);
    }
}
