using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using MockProcessor.Domain.Reporting;

namespace MockProcessor.Domain.Reconciliation;

/// <summary>The four renderings of a reconciliation: terminal table, CSV, JSON and a self-contained HTML page.</summary>
public static class ReconciliationOutput
{
    public static readonly string[] Formats = ["table", "csv", "json", "html"];

    public static void Write(ReconciliationResult r, string format, TextWriter w)
    {
        switch (format)
        {
            case "table": Table(r, w); break;
            case "csv": Csv(r, w); break;
            case "json": w.Write(Json(r).ToJsonString(new JsonSerializerOptions { WriteIndented = true })); w.Write('\n'); break;
            case "html": Html(r, w); break;
            default: throw new ArgumentException($"Unknown format '{format}'; use one of {string.Join(", ", Formats)}.");
        }
    }

    private static string Day(long unix) => DateTimeOffset.FromUnixTimeSeconds(unix).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    private static string Kind(DiscrepancyKind k) => JsonNamingPolicy.SnakeCaseLower.ConvertName(k.ToString());

    private static readonly string[] DiscrepancyColumns = ["kind", "order_id", "charge_id", "payout_id", "currency", "books", "processor", "difference", "note"];

    private static string?[] Cells(Discrepancy d) =>
        [Kind(d.Kind), d.OrderId, d.ChargeId, d.PayoutId, d.Currency, d.Books, d.Processor,
         d.Difference is { } diff && d.Currency is { } c ? ReportCsv.Major(diff, c) : null, d.Note];

    private static readonly string[] PayoutColumns = ["payout_id", "arrival", "status", "currency", "transactions", "captures", "refunds", "fees", "disputes", "other", "expected_net", "payout_amount", "matches"];

    private static string?[] Cells(PayoutSummary p) =>
        [p.PayoutId, Day(p.ArrivalDate), p.Status, p.Currency, p.Transactions.ToString(CultureInfo.InvariantCulture),
         ReportCsv.Major(p.Captures, p.Currency), ReportCsv.Major(p.Refunds, p.Currency), ReportCsv.Major(p.Fees, p.Currency),
         ReportCsv.Major(p.Disputes, p.Currency), ReportCsv.Major(p.Other, p.Currency), ReportCsv.Major(p.ExpectedNet, p.Currency),
         ReportCsv.Major(p.PayoutAmount, p.Currency), p.Matches ? "yes" : "NO"];

    private static IEnumerable<(string, string)> Summary(ReconciliationResult r)
    {
        yield return ("period", $"{Day(r.From)} – {Day(r.To)} UTC");
        yield return ("threshold", $"{r.Threshold} minor units");
        yield return ("orders in the books", r.Orders.ToString(CultureInfo.InvariantCulture));
        yield return ("processor payments in the period", r.ProcessorCharges.ToString(CultureInfo.InvariantCulture));
        yield return ("matched", $"{r.Matched} ({r.WithinThreshold} within the threshold)");
        yield return ("discrepancies", r.Discrepancies.Count.ToString(CultureInfo.InvariantCulture));
        foreach (var (kind, n) in r.CountsByKind.OrderBy(k => k.Key)) yield return ($"  {Kind(kind)}", n.ToString(CultureInfo.InvariantCulture));
        foreach (var t in r.Totals)
            yield return ($"total {t.Currency}", $"books {ReportCsv.Major(t.Books, t.Currency)}, processor {ReportCsv.Major(t.Processor, t.Currency)}");
        yield return ("payouts", $"{r.Payouts.Count} ({r.Payouts.Count(p => !p.Matches)} not adding up)");
    }

    public static void Table(ReconciliationResult r, TextWriter w)
    {
        w.WriteLine("Reconciliation");
        foreach (var (k, v) in Summary(r)) w.WriteLine($"  {k,-34} {v}");
        w.WriteLine();
        if (r.Payouts.Count > 0)
        {
            w.WriteLine("Payouts");
            Grid(w, PayoutColumns, r.Payouts.Select(Cells).ToList());
            w.WriteLine();
        }
        w.WriteLine(r.Clean ? "No discrepancies." : "Discrepancies");
        if (!r.Clean) Grid(w, DiscrepancyColumns, r.Discrepancies.Select(Cells).ToList());
    }

    private static void Grid(TextWriter w, string[] header, List<string?[]> rows)
    {
        const int shown = 200;
        var widths = header.Select((h, i) => Math.Min(40, Math.Max(h.Length, rows.Take(shown).Select(r => (r[i] ?? "").Length).DefaultIfEmpty(0).Max()))).ToArray();
        void Line(IReadOnlyList<string?> cells) =>
            w.WriteLine("  " + string.Join(" | ", cells.Select((c, i) => Fit(c ?? "", widths[i]))));
        Line(header);
        w.WriteLine("  " + string.Join("-+-", widths.Select(x => new string('-', x))));
        foreach (var row in rows.Take(shown)) Line(row);
        if (rows.Count > shown) w.WriteLine($"  … {rows.Count - shown} more (use --format csv or json for all)");
    }

    private static string Fit(string s, int width) => s.Length > width ? s[..(width - 1)] + "…" : s.PadRight(width);

    /// <summary>CSV: one row per discrepancy, then (after a blank line) one row per payout.</summary>
    public static void Csv(ReconciliationResult r, TextWriter w)
    {
        var csv = new ReportCsv(w);
        csv.Row(DiscrepancyColumns);
        foreach (var d in r.Discrepancies) csv.Row(Cells(d));
        w.Write('\n');
        csv.Row(PayoutColumns);
        foreach (var p in r.Payouts) csv.Row(Cells(p));
    }

    public static JsonObject Json(ReconciliationResult r)
    {
        var o = new JsonObject
        {
            ["object"] = "reconciliation",
            ["from"] = r.From, ["to"] = r.To, ["threshold"] = r.Threshold,
            ["orders"] = r.Orders, ["matched"] = r.Matched, ["matched_within_threshold"] = r.WithinThreshold,
            ["processor_payments"] = r.ProcessorCharges, ["clean"] = r.Clean,
            ["discrepancy_counts"] = new JsonObject(r.CountsByKind.OrderBy(k => k.Key).Select(k => KeyValuePair.Create(Kind(k.Key), (JsonNode?)k.Value))),
            ["totals"] = new JsonArray(r.Totals.Select(t => (JsonNode)new JsonObject { ["currency"] = t.Currency, ["books"] = t.Books, ["processor"] = t.Processor }).ToArray()),
        };
        o["discrepancies"] = new JsonArray(r.Discrepancies.Select(d => (JsonNode)new JsonObject
        {
            ["kind"] = Kind(d.Kind), ["order_id"] = d.OrderId, ["charge_id"] = d.ChargeId, ["payout_id"] = d.PayoutId,
            ["currency"] = d.Currency, ["books"] = d.Books, ["processor"] = d.Processor, ["difference"] = d.Difference, ["note"] = d.Note,
        }).ToArray());
        o["payouts"] = new JsonArray(r.Payouts.Select(p => (JsonNode)new JsonObject
        {
            ["payout_id"] = p.PayoutId, ["currency"] = p.Currency, ["arrival_date"] = p.ArrivalDate, ["status"] = p.Status,
            ["transactions"] = p.Transactions, ["captures"] = p.Captures, ["refunds"] = p.Refunds, ["fees"] = p.Fees,
            ["disputes"] = p.Disputes, ["other"] = p.Other, ["expected_net"] = p.ExpectedNet, ["payout_amount"] = p.PayoutAmount, ["matches"] = p.Matches,
        }).ToArray());
        return o;
    }

    /// <summary>One HTML page, styles inline, no scripts or external resources, so it can be mailed or archived as is.</summary>
    public static void Html(ReconciliationResult r, TextWriter w)
    {
        static string E(string? s) => WebUtility.HtmlEncode(s ?? "");
        w.Write("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Reconciliation ");
        w.Write(E($"{Day(r.From)} – {Day(r.To)}"));
        w.Write("</title><style>body{font:14px system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin:1em 0}" +
                "th,td{border:1px solid #ccc;padding:4px 8px;text-align:left}th{background:#f3f3f3}td.num{text-align:right}" +
                ".bad{color:#b00020;font-weight:bold}.ok{color:#1b7f3b;font-weight:bold}</style></head><body>\n");
        w.Write($"<h1>Reconciliation</h1>\n<p class=\"{(r.Clean ? "ok" : "bad")}\">{(r.Clean ? "No discrepancies." : $"{r.Discrepancies.Count} discrepancies.")}</p>\n");
        w.Write("<h2>Totals</h2><table>");
        foreach (var (k, v) in Summary(r)) w.Write($"<tr><th>{E(k.Trim())}</th><td>{E(v)}</td></tr>");
        w.Write("</table>\n");
        void Table(string title, string[] header, IEnumerable<string?[]> rows)
        {
            w.Write($"<h2>{E(title)}</h2><table><tr>");
            foreach (var h in header) w.Write($"<th>{E(h)}</th>");
            w.Write("</tr>");
            foreach (var row in rows)
            {
                w.Write("<tr>");
                foreach (var c in row) w.Write($"<td>{E(c)}</td>");
                w.Write("</tr>\n");
            }
            w.Write("</table>\n");
        }
        Table("Payouts", PayoutColumns, r.Payouts.Select(Cells));
        Table("Discrepancies", DiscrepancyColumns, r.Discrepancies.Select(Cells));
        w.Write("</body></html>\n");
    }
}
