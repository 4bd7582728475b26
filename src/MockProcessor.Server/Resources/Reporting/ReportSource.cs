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

    public static ReportRow RowOf(Tx tx, BalanceTransaction t)
    {
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
        return new ReportRow(t, charge, refund, dispute, customer, ReportLedger.PayoutOf(tx, t));
    }

    /// <summary>The rows of an itemized report, selected now (under the lock) and written later.</summary>
    public static List<ReportRow> Itemized(Tx tx, ReportType type, ReportParameters p)
    {
        var rows = new List<ReportRow>();
        foreach (var row in Rows(tx))
            if (ReportWriter.Includes(type, p, row)) rows.Add(row);
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
