using System.Text.Json.Nodes;

namespace MockProcessor.Server.Tests.Resources.Reporting;

/// <summary>
/// payout_reconciliation.itemized.5 against the ledger: each row carries the automatic payout that settled it,
/// the rows of a payout are exactly what <c>GET /v1/balance_transactions?payout=</c> lists, and their net adds up
/// to the payout's amount.
/// </summary>
public class PayoutReconciliationReportTests : IAsyncLifetime
{
    private readonly TestApp _app = new();
    public Task InitializeAsync() => Task.CompletedTask;
    public async Task DisposeAsync() => await _app.DisposeAsync();

    private const long Day = 86_400;

    [Fact]
    public async Task Rows_per_payout_are_the_payouts_transactions_and_add_up_to_its_amount()
    {
        var c = _app.Client("sk_test_payout_report");
        var ledger = new LedgerKit(c);
        var first = await ledger.Charge(10_000);
        await ledger.Charge(2_345);
        await ledger.Post("/v1/refunds", ("charge", first), ("amount", "1500"));
        await ledger.Charge(3_000, "tok_createDispute");
        await ledger.Post("/_mock/discrepancies", ("kind", "fee_adjustment"), ("charge", first), ("amount", "-125"));
        await ledger.Advance(3 * Day);
        await ledger.Charge(7_777);
        await ledger.Advance(3 * Day);
        var now = await ledger.Now();

        var payouts = (await ledger.All("/v1/payouts")).Where(p => (bool)p["automatic"]!).ToList();
        Assert.True(payouts.Count >= 2, $"{payouts.Count} automatic payouts");
        var start = TestApp.StartTime - TestApp.StartTime % Day;
        var run = await ReportKit.RunAsync(c, ("report_type", "payout_reconciliation.itemized.5"),
            ("parameters[interval_start]", start.ToString()), ("parameters[interval_end]", now.ToString()),
            ("parameters[timezone]", "America/New_York"),
            ("parameters[columns][]", "automatic_payout_id"), ("parameters[columns][]", "automatic_payout_effective_at_utc"),
            ("parameters[columns][]", "balance_transaction_id"), ("parameters[columns][]", "created"), ("parameters[columns][]", "created_utc"),
            ("parameters[columns][]", "net"), ("parameters[columns][]", "reporting_category"), ("parameters[columns][]", "charge_id"));
        var (_, rows) = ReportKit.Parse(await ReportKit.DownloadAsync(c, run));

        var reported = rows.GroupBy(r => r["automatic_payout_id"]).ToDictionary(g => g.Key, g => g.ToList());
        var inInterval = payouts.Where(p => (long)p["arrival_date"]! >= start && (long)p["arrival_date"]! < now).ToList();
        Assert.Equal(inInterval.Select(p => (string)p["id"]!).Order(), reported.Keys.Order());
        foreach (var po in inInterval)
        {
            var id = (string)po["id"]!;
            var listed = await ledger.All($"/v1/balance_transactions?payout={id}");
            Assert.Equal(listed.Select(t => (string)t["id"]!).Order(), reported[id].Select(r => r["balance_transaction_id"]).Order());
            Assert.Equal((long)po["amount"]!, reported[id].Sum(r => ReportKit.Minor(r["net"])));
            Assert.All(reported[id], r => Assert.Equal(
                DateTimeOffset.FromUnixTimeSeconds((long)po["arrival_date"]!).ToString("yyyy-MM-dd HH:mm:ss"), r["automatic_payout_effective_at_utc"]));
        }
        Assert.Contains(rows, r => r["reporting_category"] == "dispute");
        Assert.Contains(rows, r => r["reporting_category"] == "fee");
        Assert.DoesNotContain(rows, r => payouts.Any(p => (string)p["balance_transaction"]! == r["balance_transaction_id"]));
        // January in New York is UTC−5.
        Assert.All(rows, r => Assert.Equal(DateTime.Parse(r["created_utc"]).AddHours(-5), DateTime.Parse(r["created"])));

        // parameters[payout]: one payout's rows only, the same set.
        var one = (string)inInterval[0]["id"]!;
        var byId = await ReportKit.RunAsync(c, ("report_type", "payout_reconciliation.itemized.5"), ("parameters[payout]", one));
        var (_, oneRows) = ReportKit.Parse(await ReportKit.DownloadAsync(c, byId));
        Assert.Equal(reported[one].Select(r => r["balance_transaction_id"]).Order(), oneRows.Select(r => r["balance_transaction_id"]).Order());
        await (await c.PostFormAsync("/v1/reporting/report_runs", ("report_type", "payout_reconciliation.itemized.5"),
            ("parameters[payout]", "po_doesnotexist000000000000"))).ErrorAsync(404);
    }

    [Fact]
    public async Task The_balance_summary_counts_payouts_apart_from_activity()
    {
        var c = _app.Client("sk_test_payout_summary");
        var ledger = new LedgerKit(c);
        await ledger.Charge(20_000);
        await ledger.Charge(5_000);
        await ledger.Advance(4 * Day);
        var now = await ledger.Now();
        var start = TestApp.StartTime - TestApp.StartTime % Day;
        var run = await ReportKit.RunAsync(c, ("report_type", "balance.summary.1"),
            ("parameters[interval_start]", start.ToString()), ("parameters[interval_end]", now.ToString()));
        var (_, rows) = ReportKit.Parse(await ReportKit.DownloadAsync(c, run));
        var net = rows.ToDictionary(r => r["category"], r => ReportKit.Minor(r["net_amount"]));
        var payouts = await ledger.All("/v1/payouts");
        Assert.NotEmpty(payouts);
        Assert.Equal(-payouts.Sum(p => (long)p["amount"]!), net["payouts"]);
        var txns = await ledger.AssertInvariant();
        Assert.Equal(txns.Sum(t => (long)t["net"]!), net["ending_balance"]);
        Assert.Equal(net["ending_balance"], net["starting_balance"] + net["activity"] + net["payouts"]);
    }
}
