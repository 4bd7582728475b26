using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using MockProcessor.Commands;

namespace MockProcessor.Cli.Tests;

/// <summary>
/// <c>mockprocessor reconcile</c> over a generated data set (seeded): payments, partial and full refunds, disputes
/// and a decline made through the API, books written from what the merchant knows. Clean books give no
/// discrepancy; each injected discrepancy is found, and nothing else.
/// </summary>
public class ReconcileCommandTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mp-reconcile-").FullName;
    public Task InitializeAsync() => Task.CompletedTask;
    public Task DisposeAsync()
    {
        Directory.Delete(_dir, true);
        return Task.CompletedTask;
    }

    private sealed record Order(string OrderId, string PaymentIntent, long Amount, string Currency, string Status, long Refunded)
    {
        public string Csv => $"{OrderId},{PaymentIntent},{Amount},{Currency},{Status},{Refunded}";
    }

    private const string Key = "sk_test_reconcile";
    private const string Header = "order_id,payment_intent,amount,currency,status,refunded_amount";

    /// <summary>Makes the payments through the API and returns the books a correct merchant would keep.</summary>
    private static async Task<List<Order>> GenerateAsync(HttpClient http, int seed, int count)
    {
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Key);
        var rnd = new Random(seed);
        var orders = new List<Order>();
        for (var i = 0; i < count; i++)
        {
            var amount = rnd.Next(500, 20_000);
            var roll = rnd.Next(100);
            var pm = roll < 8 ? "pm_card_createDispute" : roll < 14 ? "pm_card_chargeDeclined" : "pm_card_visa";
            var res = await http.PostAsync("/v1/payment_intents", new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["amount"] = amount.ToString(), ["currency"] = "usd", ["confirm"] = "true", ["payment_method"] = pm, ["allowed_payment_method_types[]"] = "card",
            }));
            var body = JsonNode.Parse(await res.Content.ReadAsStringAsync())!;
            var pi = (string)(body["id"] ?? body["error"]!["payment_intent"]!["id"])!;
            if (pm == "pm_card_chargeDeclined") { orders.Add(new($"ord_{i}", pi, amount, "usd", "failed", 0)); continue; }
            if (pm == "pm_card_createDispute") { orders.Add(new($"ord_{i}", pi, amount, "usd", "disputed", 0)); continue; }
            var refund = rnd.Next(100) switch { < 15 => amount, < 30 => rnd.Next(100, amount), _ => 0 };
            if (refund > 0)
                (await http.PostAsync("/v1/refunds", new FormUrlEncodedContent(new Dictionary<string, string> { ["payment_intent"] = pi, ["amount"] = refund.ToString() })))
                    .EnsureSuccessStatusCode();
            var status = refund == 0 ? "paid" : refund == amount ? "refunded" : "partially_refunded";
            orders.Add(new($"ord_{i}", pi, amount, "usd", status, refund));
        }
        return orders;
    }

    private string WriteBooks(string name, IEnumerable<Order> orders)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllLines(path, orders.Select(o => o.Csv).Prepend(Header));
        return path;
    }

    private static ReconcileSettings Settings(string books, string format = "json", string? db = null) => new()
    {
        ApiKey = Key, From = TestEmulator.StartTime - 3600, To = TestEmulator.StartTime + 3600, Orders = books, Format = format, Db = db,
    };

    private static async Task<(int Code, string Output, string Errors)> RunAsync(TestEmulator emulator, ReconcileSettings settings)
    {
        var output = new StringWriter();
        var errors = new StringWriter();
        var code = await ReconcileCommand.RunAsync(settings, emulator.Client(), output, errors, CancellationToken.None);
        return (code, output.ToString(), errors.ToString());
    }

    private static List<string> Found(string json) =>
        JsonNode.Parse(json)!["discrepancies"]!.AsArray().Select(d => $"{d!["kind"]} {d["order_id"] ?? d["charge_id"]}").Order().ToList();

    [Fact]
    public async Task Clean_books_give_no_discrepancy()
    {
        await using var emulator = new TestEmulator();
        var orders = await GenerateAsync(emulator.Client(), seed: 11, count: 40);
        Assert.Contains(orders, o => o.Status == "disputed");
        Assert.Contains(orders, o => o.Status == "partially_refunded");
        var (code, output, errors) = await RunAsync(emulator, Settings(WriteBooks("clean.csv", orders)));
        Assert.True(code == 0, errors + output);
        var result = JsonNode.Parse(output)!;
        Assert.Empty(Found(output));
        Assert.Equal(orders.Count, (int)result["orders"]!);
        Assert.Equal(orders.Count, (int)result["matched"]!);
    }

    [Fact]
    public async Task Every_injected_discrepancy_is_found_and_nothing_else()
    {
        await using var emulator = new TestEmulator();
        var orders = await GenerateAsync(emulator.Client(), seed: 23, count: 40);
        var rnd = new Random(5);
        var paid = orders.Where(o => o.Status == "paid").OrderBy(_ => rnd.Next()).ToList();
        var refunded = orders.First(o => o.Status is "refunded" or "partially_refunded");
        var disputed = orders.First(o => o.Status == "disputed");
        var books = orders.ToList();
        var expected = new List<string>();

        books.Remove(paid[0]);                                                                  // the books lack a payment
        expected.Add($"missing_in_books {(await ChargeOf(emulator, paid[0].PaymentIntent))}");
        books.Add(new Order("ord_ghost", "pi_doesnotexist0000000000000", 1234, "usd", "paid", 0));  // the processor lacks one
        expected.Add("missing_at_processor ord_ghost");
        Replace(books, paid[1], paid[1] with { Amount = paid[1].Amount + 500 });               // amount off by 5.00
        expected.Add($"amount_mismatch {paid[1].OrderId}");
        Replace(books, paid[2], paid[2] with { Amount = paid[2].Amount - 50 });                // within the 100 threshold: not flagged
        Replace(books, refunded, refunded with { Status = "paid", Refunded = 0 });              // paid in books, refunded at the processor
        expected.Add($"status_mismatch {refunded.OrderId}");
        expected.Add($"refund_mismatch {refunded.OrderId}");
        Replace(books, disputed, disputed with { Status = "paid" });                           // paid in books, disputed at the processor
        expected.Add($"status_mismatch {disputed.OrderId}");
        Replace(books, paid[3], paid[3] with { Currency = "eur" });
        expected.Add($"currency_mismatch {paid[3].OrderId}");
        books.Add(paid[4] with { OrderId = "ord_twice" });                                     // two orders for one payment
        expected.Add("duplicate_in_books ord_twice");

        var path = WriteBooks("injected.csv", books);
        var (code, output, errors) = await RunAsync(emulator, Settings(path));
        Assert.True(code == 1, errors + output);
        Assert.Equal(expected.Order().ToList(), Found(output));
        Assert.Equal(1, (int)JsonNode.Parse(output)!["matched_within_threshold"]!);

        // The other renderings carry the same discrepancies.
        var (_, table, _) = await RunAsync(emulator, Settings(path, "table"));
        var (_, csv, _) = await RunAsync(emulator, Settings(path, "csv"));
        var (_, html, _) = await RunAsync(emulator, Settings(path, "html"));
        foreach (var id in new[] { "ord_ghost", paid[1].OrderId, refunded.OrderId, disputed.OrderId, "ord_twice" })
        {
            Assert.Contains(id, table);
            Assert.Contains(id, csv);
            Assert.Contains(id, html);
        }
        Assert.StartsWith("<!DOCTYPE html>", html);
        Assert.DoesNotContain("<script", html);
        Assert.DoesNotContain("http", html);
        Assert.Equal(expected.Count + 1, csv.Split('\n').TakeWhile(l => l.Length > 0).Count());
    }

    [Fact]
    public async Task Reading_the_database_file_finds_what_the_api_finds()
    {
        var db = Path.Combine(_dir, "mp.db");
        await using var emulator = new TestEmulator(o => { o.InMemory = false; o.Database = db; });
        var orders = await GenerateAsync(emulator.Client(), seed: 31, count: 30);
        var books = orders.Skip(1).ToList();
        var paid = books.First(o => o.Status == "paid");
        Replace(books, paid, paid with { Amount = paid.Amount * 2 });
        books.Add(new Order("ord_ghost", "pi_doesnotexist0000000000000", 1234, "usd", "paid", 0));
        var path = WriteBooks("db.csv", books);

        var (apiCode, viaApi, _) = await RunAsync(emulator, Settings(path));
        var (dbCode, viaDb, errors) = await RunAsync(emulator, Settings(path, db: db));
        Assert.True(dbCode == 1, errors + viaDb);
        Assert.Equal(apiCode, dbCode);
        Assert.Equal(3, Found(viaDb).Count);
        Assert.Equal(Found(viaApi), Found(viaDb));
        var other = Settings(path, db: db);
        other.ApiKey = "sk_test_nobody";
        var (nobodyCode, _, nobody) = await RunAsync(emulator, other);
        Assert.Equal(3, nobodyCode);
        Assert.Contains("No merchant", nobody);
    }

    [Fact]
    public async Task Payouts_in_the_period_add_up_through_the_api_and_from_the_file()
    {
        var db = Path.Combine(_dir, "payouts.db");
        await using var emulator = new TestEmulator(o => { o.InMemory = false; o.Database = db; });
        var http = emulator.Client();
        var orders = await GenerateAsync(http, seed: 41, count: 20);
        // Four days on the merchant's clock: the daily automatic payouts sweep the charges (2-day delay), refunds and disputes.
        (await http.PostAsync("/_mock/merchant_clock/advance", new FormUrlEncodedContent(new Dictionary<string, string> { ["seconds"] = "345600" })))
            .EnsureSuccessStatusCode();
        var payouts = JsonNode.Parse(await http.GetStringAsync("/v1/payouts?limit=100"))!["data"]!.AsArray();
        Assert.NotEmpty(payouts);
        var books = WriteBooks("payouts.csv", orders);

        foreach (var viaDb in new[] { false, true })
        {
            var s = Settings(books, db: viaDb ? db : null);
            s.To = TestEmulator.StartTime + 6 * 86_400;
            var (code, output, errors) = await RunAsync(emulator, s);
            Assert.True(code == 0, errors + output);
            var result = JsonNode.Parse(output)!;
            var summaries = result["payouts"]!.AsArray();
            Assert.Equal(payouts.Count, summaries.Count);
            foreach (var p in payouts)
            {
                var summary = summaries.Single(x => (string)x!["payout_id"]! == (string)p!["id"]!)!;
                Assert.Equal((long)p!["amount"]!, (long)summary["payout_amount"]!);
                Assert.True((bool)summary["matches"]!);
                Assert.Equal((long)summary["captures"]! - (long)summary["refunds"]! - (long)summary["fees"]! - (long)summary["disputes"]! + (long)summary["other"]!,
                    (long)summary["expected_net"]!);
            }
            Assert.True(summaries.Sum(x => (long)x!["captures"]!) > 0);
        }
    }

    [Fact]
    public async Task A_payment_injected_to_settle_late_is_flagged_when_the_settlement_delay_is_given()
    {
        var db = Path.Combine(_dir, "late.db");
        await using var emulator = new TestEmulator(o => { o.InMemory = false; o.Database = db; });
        var http = emulator.Client();
        var orders = await GenerateAsync(http, seed: 43, count: 12);
        var late = await ChargeOf(emulator, orders.First(o => o.Status == "paid").PaymentIntent);
        (await http.PostAsync("/_mock/discrepancies", new FormUrlEncodedContent(new Dictionary<string, string>
            { ["kind"] = "late_settlement", ["charge"] = late, ["days"] = "1" }))).EnsureSuccessStatusCode();
        (await http.PostAsync("/_mock/merchant_clock/advance", new FormUrlEncodedContent(new Dictionary<string, string> { ["seconds"] = "432000" })))
            .EnsureSuccessStatusCode();
        var books = WriteBooks("late.csv", orders);

        foreach (var viaDb in new[] { false, true })
        {
            var s = Settings(books, db: viaDb ? db : null);
            s.To = TestEmulator.StartTime + 6 * 86_400;
            var (plainCode, plain, _) = await RunAsync(emulator, s);
            Assert.True(plainCode == 0, plain); // the books cannot see payouts: without a schedule nothing is wrong
            s.SettlementDays = 2;
            var (code, output, errors) = await RunAsync(emulator, s);
            Assert.True(code == 1, errors + output);
            Assert.Equal([$"late_settlement {late}"], Found(output));
            var d = JsonNode.Parse(output)!["discrepancies"]![0]!;
            Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(TestEmulator.StartTime - TestEmulator.StartTime % 86_400 + 3 * 86_400).ToString("yyyy-MM-dd"), (string)d["books"]!);
        }
    }

    [Fact]
    public async Task Orders_as_json_and_a_written_report_file()
    {
        await using var emulator = new TestEmulator();
        var orders = await GenerateAsync(emulator.Client(), seed: 3, count: 8);
        var path = Path.Combine(_dir, "orders.json");
        File.WriteAllText(path, new JsonArray(orders.Select(o => (JsonNode)new JsonObject
        {
            ["order_id"] = o.OrderId, ["payment_intent"] = o.PaymentIntent, ["amount"] = o.Amount, ["currency"] = o.Currency,
            ["status"] = o.Status, ["refunded_amount"] = o.Refunded,
        }).ToArray()).ToJsonString());
        var report = Path.Combine(_dir, "report.html");
        var settings = Settings(path, "html");
        settings.Out = report;
        var (code, output, errors) = await RunAsync(emulator, settings);
        Assert.True(code == 0, errors + output);
        Assert.Contains("No discrepancies.", File.ReadAllText(report));
    }

    [Fact]
    public void Options_parse_dates_with_the_end_day_included()
    {
        var parsed = CommandLine.Parse(Program.Commands,
            ["reconcile", "--api-key", "sk_test_x", "--from", "2026-11-01", "--to", "2026-11-20", "--orders", "o.csv", "--threshold", "250", "--base-url", "http://127.0.0.1:13399"],
            new Dictionary<string, string>());
        Assert.Null(parsed.Error);
        var s = (ReconcileSettings)parsed.Settings!;
        Assert.Equal(DateTimeOffset.Parse("2026-11-01T00:00:00Z").ToUnixTimeSeconds(), s.From);
        Assert.Equal(DateTimeOffset.Parse("2026-11-21T00:00:00Z").ToUnixTimeSeconds(), s.To);
        Assert.Equal(250, s.Threshold);
        Assert.Equal("http://127.0.0.1:13399", s.Url);
        Assert.NotNull(CommandLine.Parse(Program.Commands, ["reconcile", "--from", "2026-11-01", "--to", "2026-11-20"], new Dictionary<string, string>()).Error);
    }

    private static void Replace(List<Order> books, Order old, Order with) => books[books.IndexOf(old)] = with;

    private static async Task<string> ChargeOf(TestEmulator emulator, string pi)
    {
        var http = emulator.Client();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Key);
        return (string)JsonNode.Parse(await http.GetStringAsync($"/v1/payment_intents/{pi}"))!["latest_charge"]!;
    }
}
