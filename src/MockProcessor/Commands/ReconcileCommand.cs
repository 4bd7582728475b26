using System.Diagnostics;
using System.Text;
using MockProcessor.Domain.Reconciliation;
using MockProcessor.Server.Reconciliation;

namespace MockProcessor.Commands;

public sealed class ReconcileSettings : ClientSettings
{
    public long? From { get; set; }
    public long? To { get; set; }
    public string? Orders { get; set; }
    public string Format { get; set; } = "table";
    public string? Out { get; set; }
    public long Threshold { get; set; } = Reconciler.DefaultThreshold;
    public string? Db { get; set; }
    public int? SettlementDays { get; set; }
}

/// <summary>
/// <c>mockprocessor reconcile</c>: the merchant's reconciliation job (docs/reports.md). Reads the books (CSV or JSON),
/// reads the processor's side through the public API of a running emulator (or, with <c>--db</c>, straight from
/// a database file, streaming), and prints the matches, discrepancies and per-payout arithmetic.
/// Exit code: 0 clean, 1 discrepancies found, 2 usage, 3 failure (unreadable books, emulator unreachable).
/// </summary>
public static class ReconcileCommand
{
    public static readonly Command<ReconcileSettings> Spec = new(
        "reconcile", "reconcile your orders (CSV/JSON) against the emulator's payments and payouts for a period",
        [
            .. ClientSettings.Options<ReconcileSettings>(),
            new("from", false, "start of the period: YYYY-MM-DD (UTC) or Unix seconds", (s, v) => s.From = Time(v, "from", false)),
            new("to", false, "end of the period: YYYY-MM-DD (that day included) or Unix seconds (excluded)", (s, v) => s.To = Time(v, "to", true)),
            new("orders", false, "the books: a CSV (header row) or JSON array with order_id, payment_intent and/or charge, amount, currency, status[, refunded_amount]", (s, v) => s.Orders = v),
            new("format", false, "table (default), csv, json or html", (s, v) => s.Format = Array.IndexOf(ReconciliationOutput.Formats, v) >= 0 ? v : throw new ArgumentException("--format must be table, csv, json or html")),
            new("out", false, "write the report to this file instead of the terminal", (s, v) => s.Out = v),
            new("threshold", false, $"flag amount differences of at least this many minor units (default {Reconciler.DefaultThreshold})", (s, v) => s.Threshold = CommandLine.Long(v) is >= 0 and var t ? t : throw new ArgumentException("--threshold must be >= 0")),
            new("settlement-days", false, "also flag payments paid out later than a daily schedule with this delay pays them (Stripe US: 2)", (s, v) => s.SettlementDays = CommandLine.Int(v, "settlement-days", 0, 30)),
            new("db", false, "read the processor's data from this database file instead of the API (streams; for large data)", (s, v) => s.Db = v),
        ],
        RunAsync,
        validate: s => s.From is null ? "--from is required." : s.To is null ? "--to is required." : s.Orders is null ? "--orders is required."
            : s.To <= s.From ? "--to must be after --from." : null);

    private static long Time(string v, string name, bool isEnd) =>
        Period.Parse(v, isEnd) ?? throw new ArgumentException($"--{name} must be YYYY-MM-DD or Unix seconds");

    private static async Task<int> RunAsync(ReconcileSettings settings, CancellationToken ct)
    {
        using var http = settings.CreateHttpClient();
        return await RunAsync(settings, http, Console.Out, Console.Error, ct);
    }

    public static async Task<int> RunAsync(ReconcileSettings s, HttpClient http, TextWriter output, TextWriter errors, CancellationToken ct)
    {
        var watch = Stopwatch.StartNew();
        var reconciler = new Reconciler(s.From!.Value, s.To!.Value, s.Threshold, s.SettlementDays);
        ReconciliationResult result;
        try
        {
            if (s.Db is not null)
            {
                using var conn = DatabaseFeed.OpenReadOnly(s.Db);
                var account = DatabaseFeed.AccountOfKeySuffix(conn, s.ApiKey["sk_test_".Length..]);
                if (account is null)
                {
                    await errors.WriteLineAsync($"No merchant with the key {s.ApiKey[..Math.Min(12, s.ApiKey.Length)]}… in {s.Db}.");
                    return 3;
                }
                var rows = DatabaseFeed.Feed(conn, account, reconciler);
                await errors.WriteLineAsync($"read {rows:N0} rows of {s.Db} in {watch.Elapsed.TotalSeconds:0.00} s");
                result = reconciler.Reconcile(ReadBooks(s.Orders!));
            }
            else
            {
                var api = new EmulatorClient(http, s.ApiKey);
                await ApiFeed.FeedAsync(api, reconciler, s.From.Value, s.To.Value, ct);
                var orders = ReadBooks(s.Orders!).ToList();
                var extra = await ApiFeed.LookUpAsync(api, orders.Where(o => !reconciler.Knows(o)), ct);
                result = reconciler.Reconcile(orders, o => extra.GetValueOrDefault(o.OrderId));
            }
        }
        catch (Exception ex) when (ex is FormatException or IOException or System.Text.Json.JsonException or UnauthorizedAccessException)
        {
            await errors.WriteLineAsync($"Could not read the data: {ex.Message}");
            return 3;
        }
        catch (Exception ex) when (ClientSettings.IsCallFailure(ex))
        {
            await errors.WriteLineAsync(ClientSettings.Explain(ex, s.Url));
            return 3;
        }

        if (s.Out is null) ReconciliationOutput.Write(result, s.Format, output);
        else
        {
            await using (var file = new StreamWriter(s.Out, false, new UTF8Encoding(false)))
                ReconciliationOutput.Write(result, s.Format, file);
            await output.WriteLineAsync($"{result.Orders} orders, {result.Matched} matched, {result.Discrepancies.Count} discrepancies; report written to {s.Out}");
        }
        await errors.WriteLineAsync($"reconciled in {watch.Elapsed.TotalSeconds:0.00} s");
        return result.Clean ? 0 : 1;
    }

    /// <summary>The merchant's books, streamed from the file (opened here: the domain reads streams, never paths).</summary>
    private static IEnumerable<BookOrder> ReadBooks(string path)
    {
        using var stream = File.OpenRead(path);
        foreach (var order in Books.Read(stream)) yield return order;
    }
}
