using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using CsvHelper;

namespace MockProcessor.Server.Tests.Resources.Reporting;

/// <summary>Shared steps of the reporting tests: make activity, run a report to its end, download and parse its CSV.</summary>
public static class ReportKit
{
    public static async Task AdvanceAsync(HttpClient c, long seconds) =>
        await (await c.PostFormAsync("/_mock/clock/advance", ("seconds", seconds.ToString()))).OkAsync();

    public static async Task<JsonObject> PayAsync(HttpClient c, long amount, string pm = "pm_card_visa", string currency = "usd") =>
        await (await c.PostFormAsync("/v1/payment_intents", ("amount", amount.ToString()), ("currency", currency), ("confirm", "true"),
            ("payment_method", pm), ("allowed_payment_method_types[]", "card"))).OkAsync();

    /// <summary>Creates a run and polls it (the runner works in the background) until it is no longer pending.</summary>
    public static async Task<JsonObject> RunAsync(HttpClient c, params (string Key, string Value)[] form)
    {
        var run = await (await c.PostFormAsync("/v1/reporting/report_runs", form)).OkAsync();
        Assert.Equal("pending", (string)run["status"]!);
        for (var i = 0; i < 400; i++)
        {
            run = await (await c.GetAsync($"/v1/reporting/report_runs/{run["id"]}")).OkAsync();
            if ((string)run["status"]! != "pending") return run;
            await Task.Delay(25);
        }
        throw new TimeoutException($"report run {run["id"]} still pending");
    }

    /// <summary>Downloads the run's result from its file's <c>url</c> with the merchant's key.</summary>
    public static async Task<string> DownloadAsync(HttpClient c, JsonObject run)
    {
        Assert.Equal("succeeded", (string)run["status"]!);
        var url = new Uri((string)run["result"]!["url"]!);
        var res = await c.GetAsync(url.PathAndQuery);
        var body = await res.Content.ReadAsStringAsync();
        Assert.True(res.IsSuccessStatusCode, body);
        Assert.StartsWith("text/csv", res.Content.Headers.ContentType!.ToString());
        return body;
    }

    /// <summary>The CSV as header + records, read by CsvHelper (a standard reader, not ours).</summary>
    public static (string[] Header, List<Dictionary<string, string>> Rows) Parse(string csv)
    {
        using var reader = CsvReader.FromText(csv, CsvReaderOptions.Default);
        var header = reader.Headers.ToArray();
        var rows = new List<Dictionary<string, string>>();
        while (reader.Read())
        {
            Assert.Equal(header.Length, reader.FieldCount);
            var row = new Dictionary<string, string>();
            for (var i = 0; i < header.Length; i++) row[header[i]] = reader.GetString(i);
            rows.Add(row);
        }
        return (header, rows);
    }

    /// <summary>Major-unit decimal text back to minor units (two decimals for usd).</summary>
    public static long Minor(string major) => (long)decimal.Round(decimal.Parse(major, CultureInfo.InvariantCulture) * 100);

    public static async Task<List<JsonObject>> AllBalanceTransactionsAsync(HttpClient c)
    {
        var all = new List<JsonObject>();
        string? after = null;
        while (true)
        {
            var page = await (await c.GetAsync("/v1/balance_transactions?limit=100" + (after is null ? "" : "&starting_after=" + after))).OkAsync();
            var data = page["data"]!.AsArray().Select(x => x!.AsObject()).ToList();
            all.AddRange(data);
            if (!(bool)page["has_more"]! || data.Count == 0) return all;
            after = (string)data[^1]["id"]!;
        }
    }

    /// <summary>
    /// The column lists of STRIPE_BEHAVIOR.md §21.2 (vendored in StripeReference/report-columns.md):
    /// backticked names before the defaults sentence, <c>x_{a,b}</c> and <c>x_*</c> expanded to the address parts,
    /// parenthesised value lists dropped, metadata columns (<c>[key]</c>) left out.
    /// </summary>
    public static (List<string> Columns, List<string>? Defaults) DocumentedColumns(string reportType)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "StripeReference", "report-columns.md");
        var lines = File.ReadAllLines(path);
        var row = lines.Single(l => l.StartsWith($"| `{reportType}`", StringComparison.Ordinal));
        var cell = row.Split('|', StringSplitOptions.TrimEntries)[2];
        var cut = Regex.Match(cell, @"(Likely defaults|Defaults|Parameters:)");
        var columnsText = DropParentheses(cut.Success ? cell[..cut.Index] : cell);
        var addressParts = Regex.Match(string.Join("\n", lines), @"shipping_address_\{([a-z0-9_,]+)\}").Groups[1].Value.Split(',');
        var columns = new List<string>();
        foreach (Match m in Regex.Matches(columnsText, "`([^`]+)`"))
        {
            var name = m.Groups[1].Value;
            if (name.Contains('[')) continue;
            if (name.EndsWith("_*")) columns.AddRange(addressParts.Select(p => name[..^1] + p));
            else if (Regex.Match(name, @"^(.*)\{(.*)\}$") is { Success: true } brace)
                columns.AddRange(brace.Groups[2].Value.Split(',').Select(p => brace.Groups[1].Value + p));
            else columns.Add(name);
        }
        List<string>? defaults = null;
        var rest = cut.Success ? cell[cut.Index..] : "";
        if (rest.StartsWith("Defaults: all")) defaults = columns;
        else if (Regex.Matches(rest, "`([a-z_, ]+)`").FirstOrDefault(d => d.Groups[1].Value.Contains(',')) is { } d)
            defaults = d.Groups[1].Value.Split(',', StringSplitOptions.TrimEntries).ToList();
        return (columns, defaults);
    }

    private static string DropParentheses(string s)
    {
        var sb = new System.Text.StringBuilder();
        var depth = 0;
        foreach (var ch in s)
        {
            if (ch == '(') depth++;
            else if (ch == ')') depth--;
            else if (depth == 0) sb.Append(ch);
        }
        return sb.ToString();
    }
}
