using MockProcessor.Domain.Balance;
using MockProcessor.Domain.Common;

namespace MockProcessor.Domain.Reporting;

/// <summary>
/// Turns selected rows into a report's CSV, streaming: each row is formatted and written before the next is
/// looked at. Which rows a report contains is decided by <see cref="Includes"/> (docs/reports.md).
/// </summary>
public static class ReportWriter
{
    public static IReadOnlyList<string> ColumnsOf(ReportType type, ReportParameters p) => p.Columns ?? type.DefaultColumns;

    /// <summary>Whether an itemized report of <paramref name="type"/> holds <paramref name="row"/>.</summary>
    public static bool Includes(ReportType type, ReportParameters p, in ReportRow row)
    {
        var t = row.Txn;
        if (p.Currency is { } cur && t.Currency != cur) return false;
        if (p.ReportingCategory is { } cat && t.ReportingCategory.ToWire() != cat) return false;
        switch (type.Kind)
        {
            case ReportKind.ActivityItemized:
                if (IsPayout(t)) return false;
                return (p.IntervalStart is not { } s || t.Created >= s) && (p.IntervalEnd is not { } e || t.Created < e);
            case ReportKind.PayoutReconciliationItemized:
                // Row.Payout is the payout that settled the row (its own payout transaction has none); a manual
                // payout's transaction swept by an automatic payout is part of what that payout settled.
                if (row.Payout is not { } payout) return false;
                if (p.Payout is { } id) return payout.Id == id;
                return (p.IntervalStart is not { } ps || payout.EffectiveAt >= ps) && (p.IntervalEnd is not { } pe || payout.EffectiveAt < pe);
            default:
                return false;
        }
    }

    /// <summary>The payout itself and its failure/cancellation: the "payouts" side of the balance, not activity.</summary>
    public static bool IsPayout(BalanceTransaction t) => t.ReportingCategory is ReportingCategory.Payout or ReportingCategory.PayoutReversal;

    /// <summary>Writes the header and the rows; returns the number of data rows.</summary>
    public static long WriteItemized(TextWriter w, IReadOnlyList<string> columns, IEnumerable<ReportRow> rows, TimeZoneInfo tz)
    {
        new ReportCsv(w).Row(columns);
        var cells = columns.Select(ReportColumns.Writer).ToArray();
        var line = new CsvLine(w);
        long n = 0;
        foreach (var row in rows)
        {
            foreach (var cell in cells) cell(row, tz, line);
            line.End();
            n++;
        }
        return n;
    }

    /// <summary>
    /// balance.summary.1: per currency, the balance before <c>interval_start</c>, the activity and payouts in the
    /// interval, and the balance before <c>interval_end</c>. Starting + activity + payouts = ending by construction.
    /// </summary>
    public static long WriteBalanceSummary(TextWriter w, IReadOnlyList<string> columns, IEnumerable<BalanceTransaction> all, ReportParameters p)
    {
        var start = p.IntervalStart ?? long.MinValue;
        var end = p.IntervalEnd ?? long.MaxValue;
        var sums = new SortedDictionary<string, (long Start, long Activity, long Payouts)>(StringComparer.Ordinal);
        foreach (var t in all)
        {
            if (p.Currency is { } cur && t.Currency != cur) continue;
            if (t.Created >= end) continue;
            var s = sums.GetValueOrDefault(t.Currency);
            if (t.Created < start) s.Start += t.Net;
            else if (IsPayout(t)) s.Payouts += t.Net;
            else s.Activity += t.Net;
            sums[t.Currency] = s;
        }
        var csv = new ReportCsv(w);
        csv.Row(columns);
        long n = 0;
        foreach (var (currency, s) in sums)
        {
            var ending = s.Start + s.Activity + s.Payouts;
            (string Category, string Description, long Net)[] rows =
            [
                ("starting_balance", $"Starting balance ({(p.IntervalStart is { } a ? ReportCsv.Date(a) : "")})", s.Start),
                ("activity", "Activity", s.Activity),
                ("payouts", "Total payouts", s.Payouts),
                ("ending_balance", $"Ending balance ({(p.IntervalEnd is { } b ? ReportCsv.Date(b) : "")})", ending),
            ];
            foreach (var r in rows)
            {
                csv.Row(columns.Select(c => c switch
                {
                    "category" => r.Category,
                    "description" => r.Description,
                    "net_amount" => ReportCsv.Major(r.Net, currency),
                    "currency" => currency,
                    _ => null,
                }).ToArray());
                n++;
            }
        }
        return n;
    }
}
