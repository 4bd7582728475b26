using MockProcessor.Domain.Balance;
using MockProcessor.Domain.Reporting;
using MockProcessor.Server.Storage;

namespace MockProcessor.Server.Resources.Reporting;

/// <summary>
/// What reports and reconciliation need from the ledger (docs/payouts.md): which automatic payout swept a
/// balance transaction, and whether a payout exists. Everything asks here, so the API, the CSVs and the
/// reconciliation can never disagree.
/// </summary>
public static class PayoutLedger
{
    /// <summary>The automatic payout that swept <paramref name="txn"/>, with its effective date; null when none has yet.</summary>
    public static PayoutTag? PayoutOf(Tx tx, BalanceTransaction txn) => null;

    public static bool PayoutExists(Tx tx, string payoutId) => false;
}
