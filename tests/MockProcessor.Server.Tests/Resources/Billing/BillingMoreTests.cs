using System.Net;
using System.Text.Json.Nodes;

namespace MockProcessor.Server.Tests.Resources.Billing;

/// <summary>
/// Billing beyond renewals (docs/billing.md): hosted pages of subscription invoices, pause and resume,
/// <c>invoice.upcoming</c>, <c>invoice_payment</c> objects and the old upcoming-invoice endpoint.
/// </summary>
public class BillingMoreTests : IAsyncLifetime
{
    private const long Day = 86_400, Hour = 3600;
    private readonly TestApp _app = new();
    private HttpClient _c = null!;
    private HttpClient _browser = null!;

    public Task InitializeAsync()
    {
        _c = _app.Client("sk_test_billing_more");
        _browser = _app.Client("");
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private static long T(int y, int m, int d) => new DateTimeOffset(y, m, d, 0, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds();
    private static string Id(JsonObject o) => (string)o["id"]!;

    private static async Task<string> Price(HttpClient c, long amount, string interval = "month")
    {
        var product = await (await c.PostFormAsync("/v1/products", ("name", "Plan " + amount))).OkAsync();
        var price = await (await c.PostFormAsync("/v1/prices", ("product", Id(product)), ("currency", "usd"), ("unit_amount", amount.ToString()),
            ("recurring[interval]", interval))).OkAsync();
        return Id(price);
    }

    /// <summary>A customer on a new clock at <paramref name="start"/>, with <paramref name="card"/> as its invoice default (none when null).</summary>
    private static async Task<(JsonObject Clock, string Customer)> Customer(HttpClient c, long start, string? card = "pm_card_visa")
    {
        var clock = await c.CreateTestClockAsync(start);
        var cus = Id(await (await c.PostFormAsync("/v1/customers", ("email", "m@example.com"), ("test_clock", Id(clock)))).OkAsync());
        if (card is not null) await DefaultCard(c, cus, card);
        return (clock, cus);
    }

    private static async Task DefaultCard(HttpClient c, string cus, string card)
    {
        var pm = await (await c.PostFormAsync($"/v1/payment_methods/{card}/attach", ("customer", cus))).OkAsync();
        await (await c.PostFormAsync($"/v1/customers/{cus}", ("invoice_settings[default_payment_method]", Id(pm)))).OkAsync();
    }

    private async Task<JsonObject> Sub(string id) => await (await _c.GetAsync($"/v1/subscriptions/{id}")).OkAsync();

    private static async Task<List<JsonObject>> Invoices(HttpClient c, string sub) =>
        (await (await c.GetAsync($"/v1/invoices?subscription={sub}&limit=100")).OkAsync())["data"]!.AsArray()
            .Select(i => i!.AsObject()).Reverse().ToList();

    // ---------------------------------------------------------------- hosted pages of subscription invoices

    [Fact]
    public async Task A_past_due_renewal_is_paid_on_its_hosted_page_and_the_subscription_goes_active()
    {
        var price = await Price(_c, 1000);
        var start = T(2026, 4, 1);
        var (clock, cus) = await Customer(_c, start);
        var sub = await (await _c.PostFormAsync("/v1/subscriptions", ("customer", cus), ("items[0][price]", price))).OkAsync();
        var first = (await Invoices(_c, Id(sub)))[0];
        Assert.StartsWith($"http://localhost/invoice/pay/{Id(first)}/tok_", (string)first["hosted_invoice_url"]!);

        await DefaultCard(_c, cus, "pm_card_chargeCustomerFail");
        await _c.AdvanceTestClockAsync(clock, T(2026, 5, 1) - start + Hour);
        Assert.Equal("past_due", (string)(await Sub(Id(sub)))["status"]!);
        var renewal = (await Invoices(_c, Id(sub)))[1];
        Assert.Equal("open", (string)renewal["status"]!);
        var url = new Uri((string)renewal["hosted_invoice_url"]!);
        Assert.NotEqual(new Uri((string)first["hosted_invoice_url"]!).Segments[^1], url.Segments[^1]);

        var wrong = await _browser.GetAsync(url.AbsolutePath[..^4] + "abcd");
        Assert.Equal(HttpStatusCode.NotFound, wrong.StatusCode);
        var page = await _browser.GetAsync(url.AbsolutePath);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("Amount due $10.00", await page.Content.ReadAsStringAsync());

        var paid = await _browser.PostFormAsync(url.AbsolutePath, ("number", "4242 4242 4242 4242"), ("expiry", "12 / 34"), ("cvc", "123"), ("name", "Mo"));
        Assert.Equal(HttpStatusCode.SeeOther, paid.StatusCode);
        var after = await (await _c.GetAsync($"/v1/invoices/{Id(renewal)}")).OkAsync();
        Assert.Equal(("paid", 1000L), ((string)after["status"]!, (long)after["amount_paid"]!));
        Assert.Equal("active", (string)(await Sub(Id(sub)))["status"]!);
        Assert.Contains("Paid $10.00", await (await _browser.GetAsync(url.AbsolutePath)).Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_same_seed_gives_the_same_invoice_ids_and_hosted_urls()
    {
        async Task<List<(string Id, string? Url)>> Run()
        {
            await using var app = new TestApp();
            var c = app.Client("sk_test_same_seed");
            var price = await Price(c, 700);
            var start = T(2026, 4, 1);
            var (clock, cus) = await Customer(c, start);
            var sub = await (await c.PostFormAsync("/v1/subscriptions", ("customer", cus), ("items[0][price]", price))).OkAsync();
            await c.AdvanceTestClockAsync(clock, T(2026, 6, 1) - start + Hour);
            return (await Invoices(c, Id(sub))).Select(i => (Id(i), (string?)i["hosted_invoice_url"])).ToList();
        }
        var one = await Run();
        var two = await Run();
        Assert.Equal(3, one.Count);
        Assert.All(one, i => Assert.NotNull(i.Url));
        Assert.Equal(one, two);
        Assert.Equal(3, one.Select(i => i.Url).Distinct().Count());
    }
}
