using System.Text.Json.Nodes;

namespace MockProcessor.Server.Tests.Resources.Billing;

/// <summary>Subscription search and <c>billing_cycle_anchor</c> on create (docs/billing.md).</summary>
public class SubscriptionSearchAnchorTests : IAsyncLifetime
{
    private const long Day = 86_400;
    private readonly TestApp _app = new();
    private HttpClient _c = null!;

    public Task InitializeAsync()
    {
        _c = _app.Client("sk_test_sub_search_anchor");
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private static long T(int y, int m, int d) => new DateTimeOffset(y, m, d, 0, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds();
    private static string Id(JsonObject o) => (string)o["id"]!;

    private async Task<string> Price(long amount)
    {
        var product = await (await _c.PostFormAsync("/v1/products", ("name", "Plan " + amount))).OkAsync();
        return Id(await (await _c.PostFormAsync("/v1/prices", ("product", Id(product)), ("currency", "usd"), ("unit_amount", amount.ToString()),
            ("recurring[interval]", "month"))).OkAsync());
    }

    private async Task<(JsonObject Clock, string Customer)> Customer(long start)
    {
        var clock = await _c.CreateTestClockAsync(start);
        var cus = Id(await (await _c.PostFormAsync("/v1/customers", ("email", "s@example.com"), ("test_clock", Id(clock)))).OkAsync());
        var pm = await (await _c.PostFormAsync("/v1/payment_methods/pm_card_visa/attach", ("customer", cus))).OkAsync();
        await (await _c.PostFormAsync($"/v1/customers/{cus}", ("invoice_settings[default_payment_method]", Id(pm)))).OkAsync();
        return (clock, cus);
    }

    private async Task<List<string>> Search(string q) =>
        (await (await _c.GetAsync("/v1/subscriptions/search?query=" + Uri.EscapeDataString(q))).OkAsync())["data"]!.AsArray()
            .Select(s => (string)s!["id"]!).ToList();

    [Fact]
    public async Task Search_finds_subscriptions_by_status_metadata_and_created_including_canceled_ones()
    {
        var price = await Price(1000);
        var (_, cus) = await Customer(T(2026, 3, 1));
        var a = await (await _c.PostFormAsync("/v1/subscriptions", ("customer", cus), ("items[0][price]", price), ("metadata[team]", "red"))).OkAsync();
        var b = await (await _c.PostFormAsync("/v1/subscriptions", ("customer", cus), ("items[0][price]", price), ("metadata[team]", "blue"),
            ("trial_period_days", "7"))).OkAsync();
        var c = await (await _c.PostFormAsync("/v1/subscriptions", ("customer", cus), ("items[0][price]", price), ("metadata[team]", "red"))).OkAsync();
        await (await _c.DeleteAsync($"/v1/subscriptions/{Id(c)}")).OkAsync();

        Assert.Equal([Id(c), Id(a)], await Search("metadata['team']:'red'"));
        Assert.Equal([Id(a)], await Search("metadata['team']:'red' AND status:'active'"));
        Assert.Equal([Id(b)], await Search("status:'trialing'"));
        Assert.Equal([Id(c)], await Search("status:'canceled'"));
        Assert.Equal([Id(b), Id(a)], await Search("-status:'canceled'"));
        Assert.Equal([Id(c), Id(b), Id(a)], await Search($"created>={T(2026, 3, 1)}"));
        Assert.Empty(await Search($"created>{T(2026, 3, 2)}"));

        var page1 = await (await _c.GetAsync("/v1/subscriptions/search?limit=2&expand[]=total_count&query=" + Uri.EscapeDataString("created>0"))).OkAsync();
        Assert.Equal(("search_result", "/v1/subscriptions/search", true, 3L),
            ((string)page1["object"]!, (string)page1["url"]!, (bool)page1["has_more"]!, (long)page1["total_count"]!));
        var page2 = await (await _c.GetAsync("/v1/subscriptions/search?limit=2&page=" + (string)page1["next_page"]! + "&query=" + Uri.EscapeDataString("created>0"))).OkAsync();
        Assert.Equal([Id(a)], page2["data"]!.AsArray().Select(s => (string)s!["id"]!));

        // customer is not a subscription search field at Stripe.
        var bad = await (await _c.GetAsync("/v1/subscriptions/search?query=" + Uri.EscapeDataString($"customer:'{cus}'"))).ErrorAsync(400);
        Assert.Equal("query", (string)bad["param"]!);
    }

    private async Task<List<JsonObject>> Invoices(string sub) =>
        (await (await _c.GetAsync($"/v1/invoices?subscription={sub}&limit=100")).OkAsync())["data"]!.AsArray()
            .Select(i => i!.AsObject()).Reverse().ToList();

    [Fact]
    public async Task A_future_anchor_bills_the_time_until_it_prorated_then_full_periods_from_the_anchor()
    {
        // Mar 1 → anchor Mar 11: 10 days of the 28-day period Feb 11 → Mar 11; 3000 × 10 / 28 = 1071.43 → 1071.
        var price = await Price(3000);
        var (clock, cus) = await Customer(T(2026, 3, 1));
        var sub = await (await _c.PostFormAsync("/v1/subscriptions", ("customer", cus), ("items[0][price]", price),
            ("billing_cycle_anchor", T(2026, 3, 11).ToString()))).OkAsync();
        Assert.Equal(("active", T(2026, 3, 11)), ((string)sub["status"]!, (long)sub["billing_cycle_anchor"]!));
        Assert.Equal((T(2026, 3, 1), T(2026, 3, 11)),
            ((long)sub["items"]!["data"]![0]!["current_period_start"]!, (long)sub["items"]!["data"]![0]!["current_period_end"]!));
        var first = (await Invoices(Id(sub))).Single();
        Assert.Equal(("paid", 1071L), ((string)first["status"]!, (long)first["total"]!));
        var line = first["lines"]!["data"]![0]!;
        Assert.Equal((1071L, true, T(2026, 3, 1), T(2026, 3, 11)),
            ((long)line["amount"]!, (bool)line["parent"]!["subscription_item_details"]!["proration"]!, (long)line["period"]!["start"]!, (long)line["period"]!["end"]!));

        await _c.AdvanceTestClockAsync(clock, T(2026, 3, 11) - T(2026, 3, 1) + 7200);
        var invoices = await Invoices(Id(sub));
        Assert.Equal(2, invoices.Count);
        Assert.Equal(("paid", 3000L, "subscription_cycle"), ((string)invoices[1]["status"]!, (long)invoices[1]["total"]!, (string)invoices[1]["billing_reason"]!));
        var renewed = invoices[1]["lines"]!["data"]![0]!["period"]!;
        Assert.Equal((T(2026, 3, 11), T(2026, 4, 11)), ((long)renewed["start"]!, (long)renewed["end"]!));
    }

    [Fact]
    public async Task A_future_anchor_without_prorations_bills_nothing_until_it_and_bad_anchors_are_refused()
    {
        var price = await Price(3000);
        var (_, cus) = await Customer(T(2026, 3, 1));
        var sub = await (await _c.PostFormAsync("/v1/subscriptions", ("customer", cus), ("items[0][price]", price),
            ("billing_cycle_anchor", T(2026, 3, 20).ToString()), ("proration_behavior", "none"))).OkAsync();
        var first = (await Invoices(Id(sub))).Single();
        Assert.Equal(("active", "paid", 0L), ((string)sub["status"]!, (string)first["status"]!, (long)first["total"]!));

        foreach (var (value, extra) in new[] { (T(2026, 2, 28).ToString(), ""), ((T(2026, 4, 1) + 1).ToString(), ""), ("soon", ""), (T(2026, 3, 3).ToString(), "trial") })
        {
            var form = new List<(string, string)> { ("customer", cus), ("items[0][price]", price), ("billing_cycle_anchor", value) };
            if (extra == "trial") form.Add(("trial_period_days", "3")); // an anchor before the trial end (Mar 4)
            var error = await (await _c.PostFormAsync("/v1/subscriptions", [.. form])).ErrorAsync(400);
            Assert.Equal("billing_cycle_anchor", (string)error["param"]!);
        }
        // Exactly one period ahead is allowed and bills the whole period.
        var full = await (await _c.PostFormAsync("/v1/subscriptions", ("customer", cus), ("items[0][price]", price),
            ("billing_cycle_anchor", T(2026, 4, 1).ToString()))).OkAsync();
        Assert.Equal(3000L, (long)(await Invoices(Id(full))).Single()["total"]!);
        var subs = await (await _c.GetAsync($"/v1/subscriptions?customer={cus}")).OkAsync();
        Assert.Equal(2, subs["data"]!.AsArray().Count);
    }
}
