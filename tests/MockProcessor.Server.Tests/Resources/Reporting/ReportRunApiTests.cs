using System.Text.Json.Nodes;
using MockProcessor.Domain.Reporting;

namespace MockProcessor.Server.Tests.Resources.Reporting;

public class ReportRunApiTests : IAsyncLifetime
{
    private readonly TestApp _app = new();
    public Task InitializeAsync() => Task.CompletedTask;
    public async Task DisposeAsync() => await _app.DisposeAsync();

    private static readonly long DayStart = TestApp.StartTime - TestApp.StartTime % 86_400;

    [Theory]
    [InlineData("balance.summary.1")]
    [InlineData("balance_change_from_activity.itemized.1")]
    [InlineData("payout_reconciliation.itemized.5")]
    public async Task Every_documented_column_is_served_in_Stripes_order_and_the_defaults_match(string typeId)
    {
        var (documented, defaults) = ReportKit.DocumentedColumns(typeId);
        Assert.True(documented.Count >= 4, $"parsed only {documented.Count} columns for {typeId}");
        var c = _app.Client("sk_test_report_columns");
        await ReportKit.PayAsync(c, 2000);
        await ReportKit.AdvanceAsync(c, 3600);

        var type = await (await c.GetAsync($"/v1/reporting/report_types/{typeId}")).OkAsync();
        Assert.Equal("reporting.report_type", (string)type["object"]!);
        if (defaults is not null)
            Assert.Equal(defaults, type["default_columns"]!.AsArray().Select(x => (string)x!).ToList());

        var form = new List<(string, string)>
        {
            ("report_type", typeId), ("parameters[interval_start]", DayStart.ToString()), ("parameters[interval_end]", (TestApp.StartTime + 3600).ToString()),
        };
        form.AddRange(documented.Select((col, i) => ($"parameters[columns][{i}]", col)));
        var run = await ReportKit.RunAsync(c, form.ToArray());
        var (header, _) = ReportKit.Parse(await ReportKit.DownloadAsync(c, run));
        Assert.Equal(documented, header.ToList());
        Assert.Equal(documented, ReportTypes.Find(typeId)!.Columns.ToList());
    }

    [Fact]
    public async Task Activity_report_rows_are_the_balance_transactions_and_their_totals_agree_with_the_api()
    {
        var c = _app.Client("sk_test_report_activity");
        var paid = await ReportKit.PayAsync(c, 2000);
        await ReportKit.PayAsync(c, 12345);
        await (await c.PostFormAsync("/v1/refunds", ("payment_intent", (string)paid["id"]!), ("amount", "750"))).OkAsync();
        await ReportKit.PayAsync(c, 3000, "pm_card_createDispute");
        await (await c.PostFormAsync("/v1/customers", ("email", "x@example.com"))).OkAsync();
        await ReportKit.AdvanceAsync(c, 7200);

        var run = await ReportKit.RunAsync(c, ("report_type", "balance_change_from_activity.itemized.1"),
            ("parameters[interval_start]", DayStart.ToString()), ("parameters[interval_end]", (TestApp.StartTime + 7200).ToString()),
            ("parameters[columns][]", "balance_transaction_id"), ("parameters[columns][]", "gross"), ("parameters[columns][]", "fee"),
            ("parameters[columns][]", "net"), ("parameters[columns][]", "reporting_category"), ("parameters[columns][]", "charge_id"),
            ("parameters[columns][]", "created_utc"), ("parameters[columns][]", "description"));
        Assert.Equal("finance_report_run", (string)run["result"]!["purpose"]!);
        var csv = await ReportKit.DownloadAsync(c, run);
        Assert.Equal(System.Text.Encoding.UTF8.GetByteCount(csv), (long)run["result"]!["size"]!);
        var (_, rows) = ReportKit.Parse(csv);

        var txns = await ReportKit.AllBalanceTransactionsAsync(c);
        Assert.Equal(5, txns.Count); // 3 charges, a refund, a dispute withdrawal
        Assert.Equal(txns.Select(t => (string)t["id"]!).Order(), rows.Select(r => r["balance_transaction_id"]).Order());
        foreach (var t in txns)
        {
            var row = rows.Single(r => r["balance_transaction_id"] == (string)t["id"]!);
            Assert.Equal((long)t["amount"]!, ReportKit.Minor(row["gross"]));
            Assert.Equal((long)t["fee"]!, ReportKit.Minor(row["fee"]));
            Assert.Equal((long)t["net"]!, ReportKit.Minor(row["net"]));
            Assert.Equal((string)t["reporting_category"]!, row["reporting_category"]);
            Assert.Equal(DateTimeOffset.FromUnixTimeSeconds((long)t["created"]!).ToString("yyyy-MM-dd HH:mm:ss"), row["created_utc"]);
        }
        Assert.Equal(txns.Sum(t => (long)t["net"]!), rows.Sum(r => ReportKit.Minor(r["net"])));
        Assert.Contains(rows, r => r["reporting_category"] == "refund" && r["charge_id"] == (string)paid["latest_charge"]!);
        Assert.Contains(rows, r => r["reporting_category"] == "dispute" && r["charge_id"].StartsWith("ch_"));

        var events = await (await c.GetAsync("/v1/events?type=reporting.report_run.succeeded")).OkAsync();
        var ev = events["data"]!.AsArray().Single()!;
        Assert.Equal((string)run["id"]!, (string)ev["data"]!["object"]!["id"]!);
        Assert.Equal("succeeded", (string)ev["data"]!["object"]!["status"]!);
    }

    [Fact]
    public async Task Balance_summary_starting_plus_activity_plus_payouts_is_the_ending_balance_from_the_api()
    {
        var c = _app.Client("sk_test_report_summary");
        await ReportKit.PayAsync(c, 5000);
        await ReportKit.AdvanceAsync(c, 3600);
        var start = TestApp.StartTime + 3600;
        var second = await ReportKit.PayAsync(c, 2500);
        await (await c.PostFormAsync("/v1/refunds", ("payment_intent", (string)second["id"]!))).OkAsync();
        await ReportKit.PayAsync(c, 999);
        await ReportKit.AdvanceAsync(c, 3600);

        var run = await ReportKit.RunAsync(c, ("report_type", "balance.summary.1"),
            ("parameters[interval_start]", start.ToString()), ("parameters[interval_end]", (start + 3600).ToString()));
        var (header, rows) = ReportKit.Parse(await ReportKit.DownloadAsync(c, run));
        Assert.Equal(["category", "description", "net_amount", "currency"], header);
        Assert.Equal(["starting_balance", "activity", "payouts", "ending_balance"], rows.Select(r => r["category"]).ToArray());
        var net = rows.ToDictionary(r => r["category"], r => ReportKit.Minor(r["net_amount"]));
        Assert.Equal(net["ending_balance"], net["starting_balance"] + net["activity"] + net["payouts"]);

        var txns = await ReportKit.AllBalanceTransactionsAsync(c);
        Assert.Equal(txns.Where(t => (long)t["created"]! < start).Sum(t => (long)t["net"]!), net["starting_balance"]);
        Assert.Equal(txns.Sum(t => (long)t["net"]!), net["ending_balance"]);
        var balance = await (await c.GetAsync("/v1/balance")).OkAsync();
        var total = balance["available"]!.AsArray().Concat(balance["pending"]!.AsArray()).Sum(b => (long)b!["amount"]!);
        Assert.Equal(total, net["ending_balance"]);
        Assert.Equal($"Starting balance ({DateTimeOffset.FromUnixTimeSeconds(start):yyyy-MM-dd})", rows[0]["description"]);
    }

    [Fact]
    public async Task Invalid_runs_are_refused_with_the_parameter_named()
    {
        var c = _app.Client("sk_test_report_invalid");
        await ReportKit.AdvanceAsync(c, 3600);
        var now = TestApp.StartTime + 3600;
        async Task<JsonObject> Refused(params (string, string)[] form) => await (await c.PostFormAsync("/v1/reporting/report_runs", form)).ErrorAsync(400);

        Assert.Equal("report_type", (string)(await Refused(("parameters[interval_start]", "1")))["param"]!);
        Assert.Equal("report_type", (string)(await Refused(("report_type", "balance.nothing.9")))["param"]!);
        Assert.Equal("parameters[interval_start]", (string)(await Refused(("report_type", "balance.summary.1")))["param"]!);
        Assert.Equal("parameters[interval_end]", (string)(await Refused(("report_type", "balance.summary.1"),
            ("parameters[interval_start]", now.ToString()), ("parameters[interval_end]", (now - 10).ToString())))["param"]!);
        var late = await Refused(("report_type", "balance.summary.1"),
            ("parameters[interval_start]", DayStart.ToString()), ("parameters[interval_end]", (now + 86_400).ToString()));
        Assert.Equal("parameters[interval_end]", (string)late["param"]!);
        Assert.Contains("only available through", (string)late["message"]!);
        Assert.Equal("parameters[interval_start]", (string)(await Refused(("report_type", "balance.summary.1"),
            ("parameters[interval_start]", (DayStart - 86_400).ToString()), ("parameters[interval_end]", now.ToString())))["param"]!);
        Assert.Equal("parameters[columns]", (string)(await Refused(("report_type", "balance_change_from_activity.itemized.1"),
            ("parameters[interval_start]", DayStart.ToString()), ("parameters[interval_end]", now.ToString()), ("parameters[columns][]", "nope")))["param"]!);
        Assert.Equal("parameters[timezone]", (string)(await Refused(("report_type", "payout_reconciliation.itemized.5"),
            ("parameters[interval_start]", DayStart.ToString()), ("parameters[interval_end]", now.ToString()), ("parameters[timezone]", "Mars/Olympus")))["param"]!);
        Assert.Equal("parameters[payout]", (string)(await Refused(("report_type", "balance.summary.1"), ("parameters[payout]", "po_123")))["param"]!);
        Assert.Equal("parameter_unknown", (string)(await Refused(("report_type", "balance.summary.1"),
            ("parameters[interval_start]", DayStart.ToString()), ("parameters[interval_end]", now.ToString()), ("parameters[bogus]", "1")))["code"]!);
        // Nothing half-written: no run was stored.
        Assert.Empty((await (await c.GetAsync("/v1/reporting/report_runs")).OkAsync())["data"]!.AsArray());
        await (await c.GetAsync("/v1/reporting/report_types/balance.nothing.9")).ErrorAsync(404);
    }

    [Fact]
    public async Task Under_one_seed_ids_do_not_depend_on_when_the_background_run_finishes()
    {
        // Two emulators with the same seed and the same calls; in the first the run finishes before the next call,
        // in the second the next call is made at once (usually before the worker finishes).
        async Task<(string Customer, string Event, string File)> Story(bool waitFirst)
        {
            await using var app = new TestApp();
            var c = app.Client("sk_test_report_ids");
            await ReportKit.PayAsync(c, 2000);
            await ReportKit.AdvanceAsync(c, 3600);
            var form = new[] { ("report_type", "balance.summary.1"), ("parameters[interval_start]", DayStart.ToString()),
                ("parameters[interval_end]", (TestApp.StartTime + 3600).ToString()) };
            JsonObject run;
            string customer;
            if (waitFirst)
            {
                run = await ReportKit.RunAsync(c, form);
                customer = (string)(await (await c.PostFormAsync("/v1/customers", ("email", "a@example.com"))).OkAsync())["id"]!;
            }
            else
            {
                run = await (await c.PostFormAsync("/v1/reporting/report_runs", form)).OkAsync();
                customer = (string)(await (await c.PostFormAsync("/v1/customers", ("email", "a@example.com"))).OkAsync())["id"]!;
                for (var i = 0; i < 400 && (string)run["status"]! == "pending"; i++)
                {
                    await Task.Delay(25);
                    run = await (await c.GetAsync($"/v1/reporting/report_runs/{run["id"]}")).OkAsync();
                }
            }
            Assert.Equal("succeeded", (string)run["status"]!);
            var events = await (await c.GetAsync("/v1/events?type=reporting.report_run.succeeded")).OkAsync();
            return (customer, (string)events["data"]![0]!["id"]!, (string)run["result"]!["id"]!);
        }
        var first = await Story(waitFirst: true);
        var second = await Story(waitFirst: false);
        Assert.Equal(first, second);
    }

    [Fact]
    public async Task Report_types_list_the_three_types_with_the_merchants_data_window()
    {
        var c = _app.Client("sk_test_report_types");
        await ReportKit.PayAsync(c, 2000);
        await ReportKit.AdvanceAsync(c, 600);
        var list = await (await c.GetAsync("/v1/reporting/report_types")).OkAsync();
        var types = list["data"]!.AsArray().Select(t => t!.AsObject()).ToList();
        Assert.Equal(["balance.summary.1", "balance_change_from_activity.itemized.1", "payout_reconciliation.itemized.5"],
            types.Select(t => (string)t["id"]!).ToArray());
        Assert.All(types, t => Assert.Equal(DayStart, (long)t["data_available_start"]!));
        Assert.All(types, t => Assert.Equal(TestApp.StartTime + 600, (long)t["data_available_end"]!));
    }

    [Fact]
    public async Task Files_list_filters_by_purpose_and_the_runs_list_shows_the_run()
    {
        var c = _app.Client("sk_test_report_files");
        await ReportKit.PayAsync(c, 2000);
        await ReportKit.AdvanceAsync(c, 600);
        var run = await ReportKit.RunAsync(c, ("report_type", "balance.summary.1"),
            ("parameters[interval_start]", DayStart.ToString()), ("parameters[interval_end]", (TestApp.StartTime + 600).ToString()));
        var fileId = (string)run["result"]!["id"]!;
        var file = await (await c.GetAsync($"/v1/files/{fileId}")).OkAsync();
        Assert.Equal("csv", (string)file["type"]!);
        Assert.EndsWith($"/v1/files/{fileId}/contents", (string)file["url"]!);
        Assert.Single((await (await c.GetAsync("/v1/files?purpose=finance_report_run")).OkAsync())["data"]!.AsArray());
        Assert.Empty((await (await c.GetAsync("/v1/files?purpose=dispute_evidence")).OkAsync())["data"]!.AsArray());
        Assert.Equal((string)run["id"]!, (string)(await (await c.GetAsync("/v1/reporting/report_runs")).OkAsync())["data"]![0]!["id"]!);
        await (await c.GetAsync("/v1/files/file_doesnotexist00000000000000/contents")).ErrorAsync(404);
        // Without a key the contents are refused like any /v1 call.
        var anonymous = _app.Client("");
        await (await anonymous.GetAsync($"/v1/files/{fileId}/contents")).ErrorAsync(401);
    }
}
