using System.Text.Json.Nodes;
using MockProcessor.Server.Time;

namespace MockProcessor.Server.Tests.Resources;

public class BalanceApiTests : IAsyncLifetime
{
    private readonly TestApp _app = new();
    private HttpClient _c = null!;

    public Task InitializeAsync() { _c = _app.Client("sk_test_balance"); return Task.CompletedTask; }
    public async Task DisposeAsync() => await _app.DisposeAsync();

    private async Task<JsonObject> Get(string url) => await (await _c.GetAsync(url)).OkAsync();

    private async Task<string> Charge(long amount, string source = "tok_visa", string currency = "usd") =>
        (string)(await (await _c.PostFormAsync("/v1/charges", ("amount", amount.ToString()), ("currency", currency), ("source", source))).OkAsync())["id"]!;

    private static long Sum(JsonObject balance, string bucket, string currency = "usd") =>
        balance[bucket]!.AsArray().Where(f => (string)f!["currency"]! == currency).Sum(f => (long)f!["amount"]!);

    [Fact]
    public async Task New_account_has_a_zero_usd_balance()
    {
        var b = await Get("/v1/balance");
        Assert.Equal("balance", (string)b["object"]!);
        Assert.False((bool)b["livemode"]!);
        Assert.Equal("""[{"amount":0,"currency":"usd","source_types":{"card":0}}]""", b["available"]!.ToJsonString());
        Assert.Equal("""[{"amount":0,"currency":"usd","source_types":{"card":0}}]""", b["pending"]!.ToJsonString());
    }

    [Fact]
    public async Task Balance_adds_up_to_the_transactions_and_pending_becomes_available_after_the_payout_delay()
    {
        var ch = await Charge(10000);
        await Charge(2000);
        await (await _c.PostFormAsync("/v1/refunds", ("charge", ch), ("amount", "3000"))).OkAsync();
        await Charge(5000, "tok_bypassPending");

        var txns = (await Get("/v1/balance_transactions?limit=100"))["data"]!.AsArray();
        Assert.Equal(4, txns.Count);
        var net = txns.Sum(t => (long)t!["net"]!);
        Assert.Equal(9680 + 1912 - 3000 + 4825, net);

        var before = await Get("/v1/balance");
        Assert.Equal(net, Sum(before, "available") + Sum(before, "pending"));
        // The refund and the bypassPending charge are available at once; card charges wait for the payout delay.
        Assert.Equal(-3000 + 4825, Sum(before, "available"));
        Assert.Equal(9680 + 1912, Sum(before, "pending"));
        Assert.Equal(Sum(before, "pending"), (long)before["pending"]![0]!["source_types"]!["card"]!);

        ((VirtualClock)_app.Services.GetService(typeof(VirtualClock))!).Advance(TimeSpan.FromDays(3));
        var after = await Get("/v1/balance");
        Assert.Equal(net, Sum(after, "available"));
        Assert.Equal(0, Sum(after, "pending"));
        var statuses = (await Get("/v1/balance_transactions"))["data"]!.AsArray().Select(t => (string)t!["status"]!).Distinct();
        Assert.Equal(["available"], statuses);
    }

    [Fact]
    public async Task Balances_are_per_currency()
    {
        await Charge(1000);
        await Charge(1000, currency: "eur");
        var b = await Get("/v1/balance");
        Assert.Equal(["eur", "usd"], b["pending"]!.AsArray().Select(f => (string)f!["currency"]!).Order());
        Assert.True(Sum(b, "pending", "eur") > 0);
    }

    [Fact]
    public async Task Transactions_filter_by_type_source_currency_payout_and_created()
    {
        var ch = await Charge(4000);
        var re = await (await _c.PostFormAsync("/v1/refunds", ("charge", ch), ("amount", "1000"))).OkAsync();
        ((VirtualClock)_app.Services.GetService(typeof(VirtualClock))!).Advance(TimeSpan.FromMinutes(10));
        await Charge(1000, currency: "eur");

        Assert.Equal(2, (await Get("/v1/balance_transactions?type=charge"))["data"]!.AsArray().Count);
        var refunds = (await Get("/v1/balance_transactions?type=refund"))["data"]!.AsArray();
        Assert.Equal((string)re["id"]!, (string)refunds.Single()!["source"]!);
        Assert.Single((await Get($"/v1/balance_transactions?source={ch}"))["data"]!.AsArray());
        Assert.Single((await Get("/v1/balance_transactions?currency=eur"))["data"]!.AsArray());
        Assert.Empty((await Get("/v1/balance_transactions?payout=po_123"))["data"]!.AsArray());
        Assert.Equal(2, (await Get($"/v1/balance_transactions?created[lte]={TestApp.StartTime}"))["data"]!.AsArray().Count);
        var badType = await (await _c.GetAsync("/v1/balance_transactions?type=nonsense")).ErrorAsync(400);
        Assert.Equal("type", (string)badType["param"]!);
        await (await _c.GetAsync("/v1/balance_transactions/txn_missing")).ErrorAsync(404);
    }
}
