using System.Text.Json.Nodes;

namespace MockProcessor.Server.Tests.Resources.Billing;

/// <summary>
/// Discounts and tax rates in invoice totals (docs/discounts.md): coupon durations on a test clock, the amount-off
/// split, promotion code restrictions, tax rates (exclusive and inclusive), and the amounts that follow from them.
/// </summary>
public class DiscountTaxApiTests : IAsyncLifetime
{
    private const long Day = 86_400, Hour = 3600;
    private static readonly long Jan1 = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds();
    private readonly TestApp _app = new();
    private HttpClient _c = null!;

    public Task InitializeAsync() { _c = _app.Client("sk_test_discounts"); return Task.CompletedTask; }
    public async Task DisposeAsync() => await _app.DisposeAsync();

    private static string Id(JsonObject o) => (string)o["id"]!;
    private async Task<JsonObject> Post(string url, params (string, string)[] fields) => await (await _c.PostFormAsync(url, fields)).OkAsync();
    private async Task<JsonObject> Fail(int status, string url, params (string, string)[] fields) => await (await _c.PostFormAsync(url, fields)).ErrorAsync(status);
    private async Task<JsonObject> Get(string url) => await (await _c.GetAsync(url)).OkAsync();

    private async Task<string> Price(long amount)
    {
        var product = await Post("/v1/products", ("name", "Plan " + amount));
        return Id(await Post("/v1/prices", ("product", Id(product)), ("currency", "usd"), ("unit_amount", amount.ToString()), ("recurring[interval]", "month")));
    }

    private async Task<(JsonObject Clock, string Customer)> Customer(long start)
    {
        var clock = await _c.CreateTestClockAsync(start);
        var cus = await Post("/v1/customers", ("email", "d@example.com"), ("test_clock", Id(clock)));
        var pm = await Post("/v1/payment_methods/pm_card_visa/attach", ("customer", Id(cus)));
        await Post($"/v1/customers/{Id(cus)}", ("invoice_settings[default_payment_method]", Id(pm)));
        return (clock, Id(cus));
    }

    private async Task<List<JsonObject>> Invoices(string sub) =>
        (await Get($"/v1/invoices?subscription={sub}&limit=100"))["data"]!.AsArray().Select(i => i!.AsObject()).Reverse().ToList();

    private async Task<List<string>> EventTypes(string prefix) =>
        (await Get("/v1/events?limit=100"))["data"]!.AsArray().Select(e => (string)e!["type"]!).Where(t => t.StartsWith(prefix, StringComparison.Ordinal)).Reverse().ToList();

    [Fact]
    public async Task A_repeating_coupon_discounts_three_monthly_invoices_then_full_price()
    {
        var price = await Price(1000);
        var (clock, cus) = await Customer(Jan1);
        var coupon = await Post("/v1/coupons", ("percent_off", "20"), ("duration", "repeating"), ("duration_in_months", "3"));
        var sub = await Post("/v1/subscriptions", ("customer", cus), ("items[0][price]", price), ("discounts[0][coupon]", Id(coupon)),
            ("expand[]", "discounts"));
        var discount = sub["discounts"]![0]!.AsObject();
        Assert.StartsWith("di_", Id(discount));
        Assert.Equal(Id(coupon), (string)discount["source"]!["coupon"]!["id"]!);
        Assert.Equal(Jan1, (long)discount["start"]!);
        Assert.Equal(new DateTimeOffset(2026, 4, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds(), (long)discount["end"]!);
        Assert.Equal(Id(sub), (string)discount["subscription"]!);
        Assert.Equal(1, (long)(await Get($"/v1/coupons/{Id(coupon)}"))["times_redeemed"]!);

        for (var m = 0; m < 5; m++) await _c.AdvanceTestClockAsync(clock, 31 * Day);
        var invoices = await Invoices(Id(sub));
        Assert.Equal([800L, 800, 800, 1000, 1000, 1000], invoices.Select(i => (long)i["total"]!).ToArray());
        Assert.All(invoices, i => Assert.Equal(1000, (long)i["subtotal"]!));
        Assert.Equal(200, (long)invoices[0]["total_discount_amounts"]![0]!["amount"]!);
        Assert.Equal(Id(discount), (string)invoices[0]["total_discount_amounts"]![0]!["discount"]!);
        Assert.Equal(200, (long)invoices[0]["lines"]!["data"]![0]!["discount_amounts"]![0]!["amount"]!);
        Assert.Equal([800L, 800, 800, 1000, 1000], invoices.Take(5).Select(i => (long)i["amount_paid"]!).ToArray());
        // The PaymentIntent charged the discounted amount.
        var pis = (await Get($"/v1/payment_intents?customer={cus}&limit=100"))["data"]!.AsArray().Select(p => (long)p!["amount"]!).Reverse().ToArray();
        Assert.Equal(800, pis[0]);
        Assert.Equal(1000, pis[^1]);
        // The ended discount left the subscription.
        Assert.Empty((await Get($"/v1/subscriptions/{Id(sub)}"))["discounts"]!.AsArray());
        Assert.Equal(["customer.discount.created", "customer.discount.deleted"], await EventTypes("customer.discount."));
    }

    [Fact]
    public async Task A_once_coupon_is_spent_by_the_first_paid_invoice_not_the_trial()
    {
        var price = await Price(2000);
        var (clock, cus) = await Customer(Jan1);
        var coupon = await Post("/v1/coupons", ("amount_off", "500"), ("currency", "usd"), ("duration", "once"));
        var sub = await Post("/v1/subscriptions", ("customer", cus), ("items[0][price]", price), ("trial_period_days", "7"),
            ("discounts[0][coupon]", Id(coupon)));
        Assert.Single(sub["discounts"]!.AsArray());
        await _c.AdvanceTestClockAsync(clock, 8 * Day);
        await _c.AdvanceTestClockAsync(clock, 31 * Day);
        var invoices = await Invoices(Id(sub));
        Assert.Equal([0L, 1500, 2000], invoices.Select(i => (long)i["total"]!).ToArray());
        Assert.Empty((await Get($"/v1/subscriptions/{Id(sub)}"))["discounts"]!.AsArray());
    }

    [Fact]
    public async Task Amount_off_is_split_over_lines_in_proportion_and_capped_at_the_subtotal()
    {
        var cus = Id(await Post("/v1/customers", ("email", "x@example.com")));
        await Post("/v1/invoiceitems", ("customer", cus), ("amount", "1000"), ("currency", "usd"));
        await Post("/v1/invoiceitems", ("customer", cus), ("amount", "2000"), ("currency", "usd"));
        var five = await Post("/v1/coupons", ("amount_off", "500"), ("currency", "usd"));
        var inv = await Post("/v1/invoices", ("customer", cus), ("pending_invoice_items_behavior", "include"), ("discounts[0][coupon]", Id(five)));
        var lines = inv["lines"]!["data"]!.AsArray();
        Assert.Equal(166, (long)lines[0]!["discount_amounts"]![0]!["amount"]!);
        Assert.Equal(334, (long)lines[1]!["discount_amounts"]![0]!["amount"]!);
        Assert.Equal(3000, (long)inv["subtotal"]!);
        Assert.Equal(2500, (long)inv["total"]!);
        Assert.Equal(2500, (long)inv["amount_due"]!);

        // A bigger amount off is capped: the total is 0, never negative.
        var big = await Post("/v1/coupons", ("amount_off", "9000"), ("currency", "usd"));
        var updated = await Post($"/v1/invoices/{Id(inv)}", ("discounts[0][coupon]", Id(big)));
        Assert.Equal(0, (long)updated["total"]!);
        Assert.Equal(3000, (long)updated["total_discount_amounts"]![0]!["amount"]!);
        // "" clears the discounts of a draft.
        var cleared = await Post($"/v1/invoices/{Id(inv)}", ("discounts", ""));
        Assert.Equal(3000, (long)cleared["total"]!);
        Assert.Empty(cleared["discounts"]!.AsArray());
        // An amount-off coupon in another currency does not apply.
        var eur = await Post("/v1/coupons", ("amount_off", "100"), ("currency", "eur"));
        Assert.Equal("discounts[0][coupon]", (string)(await Fail(400, $"/v1/invoices/{Id(inv)}", ("discounts[0][coupon]", Id(eur))))["param"]!);
    }

    [Fact]
    public async Task Tax_rates_exclusive_on_top_inclusive_inside_on_the_discounted_amount()
    {
        var vat = await Post("/v1/tax_rates", ("display_name", "VAT"), ("percentage", "20"), ("inclusive", "true"), ("country", "de"), ("tax_type", "vat"));
        Assert.Equal("tax_rate", (string)vat["object"]!);
        Assert.Equal(20.0, (double)vat["percentage"]!);
        Assert.Equal("DE", (string)vat["country"]!);
        var sales = await Post("/v1/tax_rates", ("display_name", "Sales tax"), ("percentage", "10"), ("inclusive", "false"));
        var cus = Id(await Post("/v1/customers", ("email", "t@example.com")));

        await Post("/v1/invoiceitems", ("customer", cus), ("amount", "1000"), ("currency", "usd"));
        var exclusive = await Post("/v1/invoices", ("customer", cus), ("pending_invoice_items_behavior", "include"), ("default_tax_rates[0]", Id(sales)));
        Assert.Equal(1000, (long)exclusive["subtotal"]!);
        Assert.Equal(1100, (long)exclusive["total"]!);
        Assert.Equal(1000, (long)exclusive["total_excluding_tax"]!);
        var tax = exclusive["total_taxes"]![0]!;
        Assert.Equal(100, (long)tax["amount"]!);
        Assert.Equal("exclusive", (string)tax["tax_behavior"]!);
        Assert.Equal(Id(sales), (string)tax["tax_rate_details"]!["tax_rate"]!);
        Assert.Equal(1000, (long)tax["taxable_amount"]!);
        Assert.Equal(Id(sales), (string)exclusive["default_tax_rates"]![0]!["id"]!);

        await Post("/v1/invoiceitems", ("customer", cus), ("amount", "1200"), ("currency", "usd"), ("tax_rates[0]", Id(vat)));
        var inclusive = await Post("/v1/invoices", ("customer", cus), ("pending_invoice_items_behavior", "include"), ("default_tax_rates[0]", Id(sales)));
        // The line's own rate replaces the default: 1200 with 20% inside → 200 tax, total unchanged.
        Assert.Equal(1200, (long)inclusive["total"]!);
        Assert.Equal(1000, (long)inclusive["total_excluding_tax"]!);
        Assert.Equal(1000, (long)inclusive["subtotal_excluding_tax"]!);
        Assert.Equal(200, (long)inclusive["lines"]!["data"]![0]!["taxes"]![0]!["amount"]!);

        // With a 25% discount: 900 taxed inside → 150; the PaymentIntent charges the total.
        var quarter = await Post("/v1/coupons", ("percent_off", "25"));
        var discounted = await Post($"/v1/invoices/{Id(inclusive)}", ("discounts[0][coupon]", Id(quarter)));
        Assert.Equal(900, (long)discounted["total"]!);
        Assert.Equal(150, (long)discounted["total_taxes"]![0]!["amount"]!);
        var pm = await Post("/v1/payment_methods/pm_card_visa/attach", ("customer", cus));
        var paid = await Post($"/v1/invoices/{Id(inclusive)}/pay", ("payment_method", Id(pm)));
        Assert.Equal("paid", (string)paid["status"]!);
        Assert.Equal(900, (long)paid["amount_paid"]!);
        // The hosted page shows a row per discount and per tax rate.
        var page = await (await _app.Client("").GetAsync(new Uri((string)paid["hosted_invoice_url"]!).PathAndQuery)).Content.ReadAsStringAsync();
        Assert.Contains("25% off", page);
        Assert.Contains("VAT (20%, included)", page);

        // percentage and inclusive are fixed; the list filters.
        Assert.Equal("parameter_unknown", (string)(await Fail(400, $"/v1/tax_rates/{Id(vat)}", ("percentage", "5")))["code"]!);
        var archived = await Post($"/v1/tax_rates/{Id(vat)}", ("active", "false"), ("display_name", "MwSt"));
        Assert.False((bool)archived["active"]!);
        Assert.Equal([Id(sales)], (await Get("/v1/tax_rates?active=true"))["data"]!.AsArray().Select(r => (string)r!["id"]!));
        Assert.Equal([Id(vat)], (await Get("/v1/tax_rates?inclusive=true"))["data"]!.AsArray().Select(r => (string)r!["id"]!));
        // An archived rate cannot be applied anew.
        Assert.Equal("tax_rates[0]", (string)(await Fail(400, "/v1/invoiceitems", ("customer", cus), ("amount", "1"), ("currency", "usd"), ("tax_rates[0]", Id(vat))))["param"]!);
        Assert.Equal(["tax_rate.created", "tax_rate.created", "tax_rate.updated"], await EventTypes("tax_rate."));
    }

    [Fact]
    public async Task Subscription_tax_rates_flow_into_its_invoices_and_payment()
    {
        var price = await Price(1000);
        var (_, cus) = await Customer(Jan1);
        var sales = await Post("/v1/tax_rates", ("display_name", "Sales tax"), ("percentage", "8.25"), ("inclusive", "false"));
        var coupon = await Post("/v1/coupons", ("percent_off", "10"), ("duration", "forever"));
        var sub = await Post("/v1/subscriptions", ("customer", cus), ("items[0][price]", price), ("default_tax_rates[0]", Id(sales)),
            ("discounts[0][coupon]", Id(coupon)), ("expand[]", "latest_invoice"));
        var inv = sub["latest_invoice"]!.AsObject();
        // 1000 − 100 = 900; 8.25% of 900 = 74.25 → 74; total 974.
        Assert.Equal(974, (long)inv["total"]!);
        Assert.Equal(974, (long)inv["amount_paid"]!);
        Assert.Equal(900, (long)inv["total_excluding_tax"]!);
        Assert.Equal(Id(sales), (string)sub["default_tax_rates"]![0]!["id"]!);
    }

    [Fact]
    public async Task Promotion_code_restrictions_are_enforced()
    {
        var price = await Price(1000);
        var (_, cus) = await Customer(Jan1);
        var (_, other) = await Customer(Jan1);
        var coupon = await Post("/v1/coupons", ("percent_off", "50"), ("duration", "forever"), ("max_redemptions", "5"));
        var mine = await Post("/v1/promotion_codes", ("promotion[type]", "coupon"), ("promotion[coupon]", Id(coupon)), ("customer", cus), ("code", "MINE"));
        var error = await Fail(400, "/v1/subscriptions", ("customer", other), ("items[0][price]", price), ("discounts[0][promotion_code]", Id(mine)));
        Assert.Equal("discounts[0][promotion_code]", (string)error["param"]!);
        Assert.Empty((await Get($"/v1/subscriptions?customer={other}"))["data"]!.AsArray());

        var big = await Post("/v1/promotion_codes", ("promotion[type]", "coupon"), ("promotion[coupon]", Id(coupon)), ("code", "BIG"),
            ("restrictions[minimum_amount]", "5000"), ("restrictions[minimum_amount_currency]", "usd"));
        Assert.Equal("discounts[0][promotion_code]", (string)(await Fail(400, "/v1/subscriptions", ("customer", cus), ("items[0][price]", price), ("discounts[0][promotion_code]", Id(big))))["param"]!);

        var once = await Post("/v1/promotion_codes", ("promotion[type]", "coupon"), ("promotion[coupon]", Id(coupon)), ("code", "ONCE"), ("max_redemptions", "1"));
        var first = await Post("/v1/promotion_codes", ("promotion[type]", "coupon"), ("promotion[coupon]", Id(coupon)), ("code", "NEW"),
            ("restrictions[first_time_transaction]", "true"));
        var sub = await Post("/v1/subscriptions", ("customer", cus), ("items[0][price]", price), ("discounts[0][promotion_code]", Id(once)),
            ("expand[]", "latest_invoice"), ("expand[]", "discounts"));
        Assert.Equal(500, (long)sub["latest_invoice"]!["total"]!);
        Assert.Equal(Id(once), (string)sub["discounts"]![0]!["promotion_code"]!);
        Assert.Equal(1, (long)(await Get($"/v1/promotion_codes/{Id(once)}"))["times_redeemed"]!);
        // Used up: Stripe's coupon_expired.
        var used = await Fail(400, "/v1/subscriptions", ("customer", other), ("items[0][price]", price), ("discounts[0][promotion_code]", Id(once)));
        Assert.Equal("coupon_expired", (string)used["code"]!);
        // The customer has paid once: a first-time code is refused; the other customer can use it.
        Assert.Equal("discounts[0][promotion_code]", (string)(await Fail(400, "/v1/subscriptions", ("customer", cus), ("items[0][price]", price), ("discounts[0][promotion_code]", Id(first))))["param"]!);
        await Post("/v1/subscriptions", ("customer", other), ("items[0][price]", price), ("discounts[0][promotion_code]", Id(first)));

        // DELETE …/discount removes it and announces customer.discount.deleted.
        var removed = await (await _c.DeleteAsync($"/v1/subscriptions/{Id(sub)}/discount")).OkAsync();
        Assert.True((bool)removed["deleted"]!);
        Assert.Empty((await Get($"/v1/subscriptions/{Id(sub)}"))["discounts"]!.AsArray());
        Assert.Equal(404, (int)(await _c.DeleteAsync($"/v1/subscriptions/{Id(sub)}/discount")).StatusCode);
        Assert.Contains("customer.discount.deleted", await EventTypes("customer.discount."));

        // A coupon past its max_redemptions is coupon_expired too.
        var single = await Post("/v1/coupons", ("percent_off", "5"), ("max_redemptions", "1"));
        await Post("/v1/invoices", ("customer", cus), ("discounts[0][coupon]", Id(single)));
        Assert.Equal("coupon_expired", (string)(await Fail(400, "/v1/invoices", ("customer", cus), ("discounts[0][coupon]", Id(single))))["code"]!);
    }

    [Fact]
    public async Task Older_versions_get_discount_tax_and_total_tax_amounts()
    {
        var sales = await Post("/v1/tax_rates", ("display_name", "Sales tax"), ("percentage", "10"), ("inclusive", "false"));
        var coupon = await Post("/v1/coupons", ("percent_off", "50"), ("name", "Half"));
        var cus = Id(await Post("/v1/customers", ("email", "old@example.com")));
        await Post("/v1/invoiceitems", ("customer", cus), ("amount", "1000"), ("currency", "usd"));
        var inv = await Post("/v1/invoices", ("customer", cus), ("pending_invoice_items_behavior", "include"), ("default_tax_rates[0]", Id(sales)),
            ("discounts[0][coupon]", Id(coupon)));
        var old = _app.Client("sk_test_discounts");
        old.DefaultRequestHeaders.Add("Stripe-Version", "2024-06-20");
        var shown = await (await old.GetAsync($"/v1/invoices/{Id(inv)}")).OkAsync();
        Assert.Equal(50, (long)shown["tax"]!);
        var amount = shown["total_tax_amounts"]![0]!;
        Assert.Equal((50L, false, Id(sales), 500L), ((long)amount["amount"]!, (bool)amount["inclusive"]!, (string)amount["tax_rate"]!, (long)amount["taxable_amount"]!));
        var line = shown["lines"]!["data"]![0]!;
        Assert.Equal(50, (long)line["tax_amounts"]![0]!["amount"]!);
        Assert.Equal(Id(sales), (string)line["tax_rates"]![0]!["id"]!);
        Assert.Equal(500, (long)line["amount_excluding_tax"]!);
        // The single discount with its coupon in full (pre-clover), no source.
        Assert.Equal("Half", (string)shown["discount"]!["coupon"]!["name"]!);
        Assert.Null(shown["discount"]!["source"]);
        Assert.Null((await Get($"/v1/invoices/{Id(inv)}"))["tax"]);
    }

    [Fact]
    public async Task The_preview_shows_the_discount_that_will_still_apply()
    {
        var price = await Price(1000);
        var (_, cus) = await Customer(Jan1);
        var coupon = await Post("/v1/coupons", ("percent_off", "30"), ("duration", "forever"));
        var sub = await Post("/v1/subscriptions", ("customer", cus), ("items[0][price]", price), ("discounts[0][coupon]", Id(coupon)));
        var preview = await Post("/v1/invoices/create_preview", ("subscription", Id(sub)));
        Assert.Equal(700, (long)preview["total"]!);
        Assert.Equal(700, (long)preview["amount_due"]!);
        Assert.Equal((string)sub["discounts"]![0]!, (string)preview["discounts"]![0]!);
    }
}
