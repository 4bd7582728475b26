using MockProcessor.Domain.Balance;
using MockProcessor.Domain.Common;
using MockProcessor.Domain.Payouts;
using MockProcessor.Domain.Reconciliation;
using MockProcessor.Domain.Reporting;
using MockProcessor.Server.Storage;

namespace MockProcessor.Server.Resources.Reporting;

/// <summary>
/// What reports and reconciliation take from the ledger (docs/payouts.md): which automatic payout settled a
/// balance transaction — <see cref="PayoutRules.SettledBy"/>, the same rule <c>GET /v1/balance_transactions?payout=</c>
/// uses through <c>PayoutLedger.TransactionsOf</c> — and the payouts themselves, so the API, the CSVs and the
/// reconciliation never disagree.
/// </summary>
public static class ReportLedger
{
    /// <summary>The automatic payout that settled <paramref name="txn"/>, with its effective date (arrival_date); null when none has.</summary>
    public static PayoutTag? PayoutOf(Tx tx, BalanceTransaction txn) => PayoutRules.SettledBy(txn) is { } id ? Tag(tx, id) : null;

    public static PayoutTag? Tag(Tx tx, string payoutId) =>
        tx.Get<Payout>(payoutId) is { } payout ? new PayoutTag(payout.Id, payout.ArrivalDate) : null;

    /// <summary>Only automatic payouts are itemized (Stripe: a manual payout's amount was the merchant's choice).</summary>
    public static bool PayoutExists(Tx tx, string payoutId) => tx.Get<Payout>(payoutId) is { Automatic: true };

    /// <summary>The automatic payout whose sweep tagged <paramref name="txn"/> (its own payout transaction included).</summary>
    public static string? PayoutIdOf(BalanceTransaction txn) => txn.AutomaticPayoutId;

    public static PayoutFacts Facts(Payout p) =>
        new(p.Id, p.Amount, p.Currency, p.ArrivalDate, p.Automatic, p.Status.ToWire(), p.BalanceTransaction);

    /// <summary>Every payout of the merchant, as the reconciliation sees it.</summary>
    public static IEnumerable<PayoutFacts> Payouts(Tx tx) => tx.OldestFirst<Payout>("payout").Select(Facts);
}
