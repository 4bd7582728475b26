using System.Text.Json.Nodes;
using MockProcessor.Domain.Reconciliation;
using MockProcessor.Export;

namespace MockProcessor.Commands;

public sealed class ExportSettings : ClientSettings
{
    public long? From { get; set; }
    public long? To { get; set; }
    public string? Out { get; set; }
    public string Format { get; set; } = "parquet";
}

/// <summary>
/// <c>mockprocessor export</c>: a period's payments (charges) and balance transactions as CSV or Parquet files
/// partitioned by UTC day, for warehouse tests: <c>out/balance_transactions/date=2026-11-03/part-0.parquet</c>.
/// Reads the public API, newest first, writing each day as soon as the listing moves past it.
/// </summary>
public static class ExportCommand
{
    public static readonly Command<ExportSettings> Spec = new(
        "export", "export a period's payments and balance transactions as CSV or Parquet, partitioned by day",
        [
            .. ClientSettings.Options<ExportSettings>(),
            new("from", false, "start: YYYY-MM-DD (UTC) or Unix seconds", (s, v) => s.From = Period.Parse(v, false) ?? throw new ArgumentException("--from must be YYYY-MM-DD or Unix seconds")),
            new("to", false, "end: YYYY-MM-DD (that day included) or Unix seconds (excluded)", (s, v) => s.To = Period.Parse(v, true) ?? throw new ArgumentException("--to must be YYYY-MM-DD or Unix seconds")),
            new("out", false, "the output directory", (s, v) => s.Out = v),
            new("format", false, "parquet (default) or csv", (s, v) => s.Format = v is "csv" or "parquet" ? v : throw new ArgumentException("--format must be csv or parquet")),
        ],
        RunAsync,
        validate: s => s.From is null ? "--from is required." : s.To is null ? "--to is required." : s.Out is null ? "--out is required."
            : s.To <= s.From ? "--to must be after --from." : null);

    private static async Task<int> RunAsync(ExportSettings settings, CancellationToken ct)
    {
        using var http = settings.CreateHttpClient();
        return await RunAsync(settings, http, Console.Out, Console.Error, ct);
    }

    public static async Task<int> RunAsync(ExportSettings s, HttpClient http, TextWriter output, TextWriter errors, CancellationToken ct)
    {
        var api = new EmulatorClient(http, s.ApiKey);
        try
        {
            foreach (var (dataset, path) in new[] { (Dataset.Payments, "/v1/charges"), (Dataset.BalanceTransactions, "/v1/balance_transactions") })
            {
                var (rows, files) = await ExportAsync(api, dataset, $"{path}?created[gte]={s.From}&created[lt]={s.To}", s.Out!, s.Format, ct);
                await output.WriteLineAsync($"{dataset.Name}: {rows} rows in {files} files under {Path.Combine(s.Out!, dataset.Name)}");
            }
            return 0;
        }
        catch (Exception ex) when (ClientSettings.IsCallFailure(ex))
        {
            await errors.WriteLineAsync(ClientSettings.Explain(ex, s.Url));
            return 3;
        }
        catch (IOException ex)
        {
            await errors.WriteLineAsync($"Could not write the export: {ex.Message}");
            return 3;
        }
    }

    private static async Task<(long Rows, int Files)> ExportAsync(EmulatorClient api, Dataset dataset, string path, string outDir, string format, CancellationToken ct)
    {
        long rows = 0;
        var files = 0;
        string? day = null;
        var pending = new List<object?[]>();
        async Task FlushAsync()
        {
            if (day is null || pending.Count == 0) return;
            pending.Reverse(); // listed newest first; a partition reads oldest first
            await dataset.WritePartitionAsync(outDir, day, pending, format, ct);
            files++;
            pending.Clear();
        }
        string? after = null;
        while (true)
        {
            var page = await api.GetAsync($"{path}&limit=100{(after is null ? "" : "&starting_after=" + after)}", ct);
            var data = page["data"]!.AsArray();
            foreach (var item in data)
            {
                var o = item!.AsObject();
                var d = Dataset.Day((long)o["created"]!);
                if (d != day) { await FlushAsync(); day = d; }
                pending.Add(dataset.Row(o));
                rows++;
            }
            if (!(bool)page["has_more"]! || data.Count == 0) break;
            after = (string)data[^1]!["id"]!;
        }
        await FlushAsync();
        return (rows, files);
    }
}
