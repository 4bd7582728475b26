using System.Net;
using System.Text.Json.Nodes;

namespace MockProcessor.Server.Tests.Resources.Checkout;

/// <summary>Discounts on Checkout Sessions (docs/discounts.md "Checkout"): discounts[] on create, and a promotion code typed on the page.</summary>
public class CheckoutDiscountTests : IAsyncLifetime
{
    private const string Success = CheckoutSessionApiTests.Success;
    private readonly TestApp _app = new();
    private HttpClient _c = null!;
    private HttpClient _browser = null!;

    public Task InitializeAsync()
    {
        _c = _app.Client("sk_test_checkout_discounts");
        _browser = _app.Client("");
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private async Task<JsonObject> Post(string url, params (string, string)[] form) => await (await _c.PostFormAsync(url, form)).OkAsync();

    private async Task<string> Price(long amount, string? interval)
    {
        var form = new List<(string, string)> { ("currency", "usd"), ("unit_amount", amount.ToString()), ("product_data[name]", "Plan") };
        if (interval is not null) form.Add(("recurring[interval]", interval));
        return (string)(await Post("/v1/prices", [.. form]))["id"]!;
    }

    [Fact]
    public async Task A_promotion_code_typed_on_the_page_discounts_the_session_and_goes_onto_the_subscription()
    {
        var monthly = await Price(2000, "month");
        var coupon = await Post("/v1/coupons", ("percent_off", "25"), ("duration", "forever"), ("name", "Quarter off"));
        await Post("/v1/promotion_codes", ("promotion[type]", "coupon"), ("promotion[coupon]", (string)coupon["id"]!), ("code", "SPRING25"));
        var s = await Post("/v1/checkout/sessions", ("mode", "subscription"), ("success_url", Success), ("line_items[0][price]", monthly),
            ("line_items[0][quantity]", "1"), ("allow_promotion_codes", "true"));
        var id = (string)s["id"]!;
        var html = await (await _browser.GetAsync($"/checkout/pay/{id}")).Content.ReadAsStringAsync();
        Assert.Contains("name=\"promotion_code\"", html);

        // An unknown code: the page again with the message, nothing applied.
        var wrong = await _browser.PostFormAsync($"/checkout/pay/{id}", ("apply", "1"), ("promotion_code", "NOPE"));
        Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
        Assert.Contains("This code is invalid.", await wrong.Content.ReadAsStringAsync());

        var applied = await _browser.PostFormAsync($"/checkout/pay/{id}", ("apply", "1"), ("promotion_code", "spring25"));
        Assert.Equal(HttpStatusCode.SeeOther, applied.StatusCode);
        html = await (await _browser.GetAsync($"/checkout/pay/{id}")).Content.ReadAsStringAsync();
        Assert.Contains("Discount (SPRING25)", html);
        Assert.DoesNotContain("name=\"promotion_code\"", html);

        var session = await (await _c.GetAsync($"/v1/checkout/sessions/{id}?expand[]=line_items")).OkAsync();
        Assert.Equal((1500L, 2000L, 500L), ((long)session["amount_total"]!, (long)session["amount_subtotal"]!, (long)session["total_details"]!["amount_discount"]!));
        Assert.Equal((string)coupon["id"]!, (string)session["discounts"]![0]!["coupon"]!);
        Assert.Equal(500, (long)session["line_items"]!["data"]![0]!["amount_discount"]!);

        var pay = await _browser.PostFormAsync($"/checkout/pay/{id}", ("email", "ann@example.com"), ("number", "4242 4242 4242 4242"),
            ("expiry", "12 / 34"), ("cvc", "123"), ("name", "Ann"));
        Assert.Equal(HttpStatusCode.SeeOther, pay.StatusCode);
        var done = await (await _c.GetAsync($"/v1/checkout/sessions/{id}?expand[]=subscription&expand[]=invoice")).OkAsync();
        Assert.Equal(1500, (long)done["invoice"]!["amount_paid"]!);
        Assert.Single(done["subscription"]!["discounts"]!.AsArray());
        var invoices = await (await _c.GetAsync($"/v1/invoices?subscription={(string)done["subscription"]!["id"]!}")).OkAsync();
        Assert.Equal(500, (long)invoices["data"]![0]!["total_discount_amounts"]![0]!["amount"]!);
    }

    [Fact]
    public async Task Discounts_on_create_lower_the_payment_amount_and_exclude_allow_promotion_codes()
    {
        var tee = await Price(3000, null);
        var coupon = await Post("/v1/coupons", ("amount_off", "700"), ("currency", "usd"));
        var both = await (await _c.PostFormAsync("/v1/checkout/sessions", ("mode", "payment"), ("success_url", Success), ("line_items[0][price]", tee),
            ("line_items[0][quantity]", "1"), ("allow_promotion_codes", "true"), ("discounts[0][coupon]", (string)coupon["id"]!))).ErrorAsync(400);
        Assert.Equal("parameters_exclusive", (string)both["code"]!);

        var s = await Post("/v1/checkout/sessions", ("mode", "payment"), ("success_url", Success), ("line_items[0][price]", tee),
            ("line_items[0][quantity]", "1"), ("discounts[0][coupon]", (string)coupon["id"]!));
        Assert.Equal((2300L, 700L), ((long)s["amount_total"]!, (long)s["total_details"]!["amount_discount"]!));
        var done = await Post($"/_mock/checkout/sessions/{s["id"]}/complete", ("card", "4242424242424242"), ("expand[]", "payment_intent"));
        Assert.Equal(2300, (long)done["payment_intent"]!["amount"]!);
        Assert.Equal(1, (long)(await (await _c.GetAsync($"/v1/coupons/{coupon["id"]}")).OkAsync())["times_redeemed"]!);
    }
}
