using MockProcessor.Domain.Balance;
using MockProcessor.Domain.Payouts;
using MockProcessor.Server.Storage;

namespace MockProcessor.Server.Resources.Payouts;

/// <summary>
/// "The balance transactions of payout X": what <c>GET /v1/balance_transactions?payout=</c> lists and what the
/// payout reconciliation reports itemize, from one function so they can never disagree (STRIPE_BEHAVIOR §21.3).
/// Newest first, like every list. Empty for a manual payout (Stripe itemizes automatic payouts only) and for an
/// unknown id. Served from the secondary index <see cref="BySettlingPayout"/> (a list cursor seeks into it). Reports over many payouts group the transactions by
/// <see cref="PayoutRules.SettledBy"/> in one pass instead of calling this per payout.
/// </summary>
public static class PayoutLedger
{
    /// <summary>Balance transactions by the automatic payout that settled them; a transaction joins when it is swept.</summary>
    public static readonly SecondaryIndex<BalanceTransaction> BySettlingPayout = new("balance_transaction", "payout", PayoutRules.SettledBy);

    public static IEnumerable<BalanceTransaction> TransactionsOf(Tx tx, string payoutId) =>
        tx.Get<Payout>(payoutId) is { Automatic: true } ? tx.Find(BySettlingPayout, payoutId) : [];

    /// <summary>
    /// Balance transactions no automatic payout has swept yet, by currency: a transaction leaves the index when a payout
    /// takes it, so an automatic run reads what it may sweep, not the merchant's whole history (which, in a file store,
    /// is mostly on disk: reading it all back was most of a run after a year of renewals; docs/payouts.md).
    /// </summary>
    public static readonly SecondaryIndex<BalanceTransaction> UnsweptByCurrency = new("balance_transaction", "unswept_currency",
        t => t.AutomaticPayoutId is null ? t.Currency : null) { ListsKeys = true };

    /// <summary>The currencies with transactions no automatic payout has swept yet, in ordinal order.</summary>
    public static IReadOnlyCollection<string> UnsweptCurrencies(Tx tx) => tx.KeysOf(UnsweptByCurrency);

    /// <summary>The transactions of one currency an automatic payout run may sweep, newest first (as the list orders them).</summary>
    public static IEnumerable<BalanceTransaction> Unswept(Tx tx, string currency) => tx.Find(UnsweptByCurrency, currency);
}
