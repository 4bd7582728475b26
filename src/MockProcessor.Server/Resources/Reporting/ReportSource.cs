using MockProcessor.Domain.Balance;
using MockProcessor.Domain.Charges;
using MockProcessor.Domain.Customers;
using MockProcessor.Domain.Disputes;
using MockProcessor.Domain.Refunds;
using MockProcessor.Domain.Reporting;
using MockProcessor.Server.Storage;

namespace MockProcessor.Server.Resources.Reporting;

/// <summary>
/// Selects a report's rows from a merchant's ledger. Called under the merchant's lock; returns references to
/// immutable records only, so the CSV can be written after the lock is released (docs/reports.md).
/// </summary>
public static class ReportSource
{
    /// <summary>Balance transactions in creation order, each with the records it relates to and its payout.</summary>
    public static IEnumerable<ReportRow> Rows(Tx tx)
    {
        foreach (var t in tx.OldestFirst<BalanceTransaction>("balance_transaction"))
            yield return RowOf(tx, t);
    }

    public static ReportRow RowOf(Tx tx, BalanceTransaction t) => WithRelated(tx, new ReportRow(t, null, null, null, null, ReportLedger.PayoutOf(tx, t)));

    /// <summary>The row with the records its transaction relates to (charge, refund, dispute, customer) filled in.</summary>
    private static ReportRow WithRelated(Tx tx, ReportRow row)
    {
        var t = row.Txn;
        Charge? charge = null;
        Refund? refund = null;
        Dispute? dispute = null;
        switch (t.Source is null ? null : tx.Get<Domain.Common.StripeObject>(t.Source))
        {
            case Charge c: charge = c; break;
            case Refund r: refund = r; charge = tx.Get<Charge>(r.Charge); break;
            case Dispute d: dispute = d; charge = tx.Get<Charge>(d.Charge); break;
        }
        var customer = charge?.Customer is { } cus ? tx.Get<Customer>(cus) : null;
        return row with { Charge = charge, Refund = refund, Dispute = dispute, Customer = customer };
    }

    /// <summary>The rows of an itemized report, selected now (under the lock) and written later.</summary>
    public static List<ReportRow> Itemized(Tx tx, ReportType type, ReportParameters p)
    {
        // Decide on the transaction and its payout first (no lookups but the payout, which consecutive rows share);
        // only selected rows get their related records.
        var rows = new List<ReportRow>();
        PayoutTag? last = null;
        foreach (var t in tx.OldestFirst<BalanceTransaction>("balance_transaction"))
        {
            PayoutTag? tag = null;
            if (Domain.Payouts.PayoutRules.SettledBy(t) is { } po)
                tag = last?.Id == po ? last : last = ReportLedger.Tag(tx, po);
            var row = new ReportRow(t, null, null, null, null, tag);
            if (ReportWriter.Includes(type, p, row)) rows.Add(WithRelated(tx, row));
        }
        return rows;
    }

    /// <summary>
    /// The merchant's data window: from the start (UTC day) of its first balance transaction or its creation,
    /// to its current time.
    /// </summary>
    public static (long Start, long End) DataAvailable(Tx tx, Domain.Accounts.Account account, long now)
    {
        var first = Math.Min(tx.OldestCreated("balance_transaction") ?? account.Created, account.Created);
        return (first - (first % 86_400 + 86_400) % 86_400, now);
    }
}
