using System.Text.Json.Nodes;

namespace MockProcessor.Server.Tests.Resources;

/// <summary>Reads a merchant's ledger over the API, for the ledger and payout tests.</summary>
public sealed class LedgerKit(HttpClient c)
{
    public const long Day = 86_400;

    public async Task<JsonObject> Get(string url) => await (await c.GetAsync(url)).OkAsync();

    public async Task<JsonObject> Post(string url, params (string, string)[] fields) => await (await c.PostFormAsync(url, fields)).OkAsync();

    public Task<JsonObject> Advance(long seconds) => Post("/_mock/merchant_clock/advance", ("seconds", seconds.ToString()));

    public async Task<long> Now() => (long)(await Get("/_mock/merchant_clock"))["now"]!;

    public async Task<string> Charge(long amount, string source = "tok_visa", string currency = "usd") =>
        (string)(await Post("/v1/charges", ("amount", amount.ToString()), ("currency", currency), ("source", source)))["id"]!;

    /// <summary>Every item of a list, following <c>starting_after</c> through all pages.</summary>
    public async Task<List<JsonObject>> All(string url)
    {
        var items = new List<JsonObject>();
        var sep = url.Contains('?') ? '&' : '?';
        string? after = null;
        while (true)
        {
            var page = await Get($"{url}{sep}limit=100" + (after is null ? "" : $"&starting_after={after}"));
            var data = page["data"]!.AsArray().Select(x => x!.AsObject()).ToList();
            items.AddRange(data);
            if (!(bool)page["has_more"]! || data.Count == 0) return items;
            after = (string)data[^1]["id"]!;
        }
    }

    public static long Bucket(JsonObject balance, string bucket, string currency) =>
        balance[bucket]!.AsArray().Where(f => (string)f!["currency"]! == currency).Sum(f => (long)f!["amount"]!);

    /// <summary>
    /// The ledger invariant, for every currency: available + pending = Σ net of all balance transactions; and each
    /// transaction's own arithmetic (net = amount − fee, fee = Σ fee_details). Returns the transactions.
    /// </summary>
    public async Task<List<JsonObject>> AssertInvariant(string because = "")
    {
        var txns = await All("/v1/balance_transactions");
        var balance = await Get("/v1/balance");
        foreach (var t in txns)
        {
            Assert.Equal((long)t["amount"]! - (long)t["fee"]!, (long)t["net"]!);
            Assert.Equal((long)t["fee"]!, t["fee_details"]!.AsArray().Sum(f => (long)f!["amount"]!));
        }
        var currencies = txns.Select(t => (string)t["currency"]!).Distinct();
        foreach (var cur in currencies)
        {
            var net = txns.Where(t => (string)t["currency"]! == cur).Sum(t => (long)t["net"]!);
            var held = Bucket(balance, "available", cur) + Bucket(balance, "pending", cur);
            Assert.True(net == held, $"{cur}: Σ net {net} != available + pending {held} {because}");
        }
        return txns;
    }

    /// <summary>For every automatic payout: what <c>?payout=</c> lists sums (net) exactly to its amount.</summary>
    public async Task<int> AssertPayoutsAddUp()
    {
        var checkedCount = 0;
        var seen = new HashSet<string>();
        foreach (var po in await All("/v1/payouts"))
        {
            var settled = await All($"/v1/balance_transactions?payout={po["id"]}");
            // A transaction is paid out once: no two payouts settle the same one.
            Assert.All(settled, t => Assert.True(seen.Add((string)t["id"]!), $"{t["id"]} is in two payouts"));
            if (!(bool)po["automatic"]!) { Assert.Empty(settled); continue; }
            Assert.NotEmpty(settled);
            Assert.Equal((long)po["amount"]!, settled.Sum(t => (long)t["net"]!));
            Assert.All(settled, t => Assert.Equal((string)po["currency"]!, (string)t["currency"]!));
            Assert.DoesNotContain(settled, t => (string)t["id"]! == (string)po["balance_transaction"]!);
            // In list order (newest first), as the whole ledger lists them.
            var order = (await All("/v1/balance_transactions")).Select(t => (string)t["id"]!).ToList();
            var ids = settled.Select(t => (string)t["id"]!).ToList();
            Assert.Equal(ids.OrderBy(order.IndexOf), ids);
            checkedCount++;
        }
        return checkedCount;
    }
}
