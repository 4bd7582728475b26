using System.Globalization;
using System.Text;

namespace MockProcessor.StripeNet.Tests;

/// <summary>
/// The Reporting API and Files API through Stripe.net: a report run succeeds in the background, its result file is
/// retrieved and the CSV at <c>file.url</c> downloads with the secret key; its totals match the balance transactions.
/// Counterpart of reporting.test.mjs.
/// </summary>
public sealed class ReportingTests(EmulatorTarget target) : StripeTest(target)
{
    private async Task<Stripe.Reporting.ReportRun> RunToEndAsync(Stripe.Reporting.ReportRunCreateOptions options)
    {
        var run = await Client.V1.Reporting.ReportRuns.CreateAsync(options);
        run.Status.Should().Be("pending");
        for (var i = 0; i < 400 && run.Status == "pending"; i++)
        {
            await Task.Delay(EmulatorTarget.IsRealStripe ? 3000 : 25);
            run = await Client.V1.Reporting.ReportRuns.GetAsync(run.Id);
        }
        return run;
    }

    private static long Cents(string major) => (long)Math.Round(decimal.Parse(major, CultureInfo.InvariantCulture) * 100);

    [EmulatorFact]
    public async Task An_activity_report_downloads_and_its_totals_match_the_balance_transactions()
    {
        var start = DateTimeOffset.FromUnixTimeSeconds(await Merchant.NowAsync()).UtcDateTime;
        var pi = await PayAsync(2599, configure: o => o.Description = "Order \"42\", gift");
        await PayAsync(1000);
        await Client.V1.Refunds.CreateAsync(new RefundCreateOptions { PaymentIntent = pi.Id, Amount = 599 });
        var end = DateTimeOffset.FromUnixTimeSeconds((await Merchant.AdvanceClockAsync(120))["now"]!.GetValue<long>()).UtcDateTime;

        var types = await Client.V1.Reporting.ReportTypes.ListAsync();
        types.Data.Select(t => t.Id).Order().Should().Equal("balance.summary.1", "balance_change_from_activity.itemized.1", "payout_reconciliation.itemized.5");

        string[] columns = ["balance_transaction_id", "gross", "fee", "net", "reporting_category", "payment_intent_id"];
        var run = await RunToEndAsync(new Stripe.Reporting.ReportRunCreateOptions
        {
            ReportType = "balance_change_from_activity.itemized.1",
            Parameters = new Stripe.Reporting.ReportRunParametersOptions { IntervalStart = start.AddSeconds(-60), IntervalEnd = end, Columns = [.. columns] },
        });
        run.Status.Should().Be("succeeded");
        run.Result.Object.Should().Be("file");
        run.Result.Purpose.Should().Be("finance_report_run");

        var file = await Client.V1.Files.GetAsync(run.Result.Id);
        file.Id.Should().Be(run.Result.Id);
        file.Url.Should().EndWith($"/v1/files/{file.Id}/contents");
        using (var anonymous = new HttpClient())
            (await anonymous.GetAsync(file.Url)).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        var text = await Merchant.DownloadAsync(file.Url);
        Encoding.UTF8.GetByteCount(text).Should().Be((int)file.Size);

        var (header, records) = ParseCsv(text);
        header.Should().Equal(columns);
        var txns = (await Client.V1.BalanceTransactions.ListAsync(new BalanceTransactionListOptions { Limit = 100 })).Data;
        records.Should().HaveCount(txns.Count).And.HaveCount(3);
        foreach (var t in txns)
        {
            var r = records.Single(x => x["balance_transaction_id"] == t.Id);
            Cents(r["gross"]).Should().Be(t.Amount);
            Cents(r["fee"]).Should().Be(t.Fee);
            Cents(r["net"]).Should().Be(t.Net);
            r["reporting_category"].Should().Be(t.ReportingCategory);
        }
        records.Sum(r => Cents(r["net"])).Should().Be(txns.Sum(t => t.Net));
        records.Should().Contain(r => r["reporting_category"] == "refund" && r["payment_intent_id"] == pi.Id);

        var events = await Client.V1.Events.ListAsync(new EventListOptions { Type = "reporting.report_run.succeeded" });
        events.Data.Single().Data.Object.Should().BeOfType<Stripe.Reporting.ReportRun>().Which.Id.Should().Be(run.Id);
    }

    [Fact]
    public async Task Validation_errors_surface_as_stripe_exceptions()
    {
        var now = DateTime.UtcNow;
        if (!EmulatorTarget.IsRealStripe) now = DateTimeOffset.FromUnixTimeSeconds(await Merchant.NowAsync()).UtcDateTime;
        await ExpectStripeErrorAsync(() => Client.V1.Reporting.ReportRuns.CreateAsync(new Stripe.Reporting.ReportRunCreateOptions
        {
            ReportType = "balance.summary.1",
            Parameters = new Stripe.Reporting.ReportRunParametersOptions { IntervalStart = now.AddSeconds(-60), IntervalEnd = now.AddDays(1) },
        }), HttpStatusCode.BadRequest, "invalid_request_error", param: "parameters[interval_end]");
        await ExpectStripeErrorAsync(() => Client.V1.Reporting.ReportRuns.CreateAsync(new Stripe.Reporting.ReportRunCreateOptions
        {
            ReportType = "nope.1",
            Parameters = new Stripe.Reporting.ReportRunParametersOptions { IntervalStart = now.AddSeconds(-60), IntervalEnd = now },
        }), HttpStatusCode.BadRequest, "invalid_request_error", param: "report_type");
    }

    /// <summary>RFC 4180 (quoted fields, doubled quotes, CRLF or LF), independent of the emulator's writer.</summary>
    private static (List<string> Header, List<Dictionary<string, string>> Records) ParseCsv(string text)
    {
        var rows = new List<List<string>>();
        var row = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"') { field.Append('"'); i++; }
                else if (c == '"') quoted = false;
                else field.Append(c);
            }
            else if (c == '"') quoted = true;
            else if (c == ',') { row.Add(field.ToString()); field.Clear(); }
            else if (c == '\r') { }
            else if (c == '\n') { row.Add(field.ToString()); field.Clear(); rows.Add(row); row = []; }
            else field.Append(c);
        }
        if (field.Length > 0 || row.Count > 0) { row.Add(field.ToString()); rows.Add(row); }
        var header = rows[0];
        return (header, rows.Skip(1).Select(r => header.Select((h, j) => (h, v: r[j])).ToDictionary(x => x.h, x => x.v)).ToList());
    }
}
