using MockProcessor.Domain.Balance;
using MockProcessor.Domain.Payouts;
using MockProcessor.Server.Storage;

namespace MockProcessor.Server.Resources.Payouts;

/// <summary>
/// "The balance transactions of payout X": what <c>GET /v1/balance_transactions?payout=</c> lists and what the
/// payout reconciliation reports itemize, from one function so they can never disagree (STRIPE_BEHAVIOR §21.3).
/// Newest first, like every list. Empty for a manual payout (Stripe itemizes automatic payouts only) and for an
/// unknown id. One pass over the merchant's transactions: linear, no per-payout index to keep in step. Reports over
/// many payouts group the transactions by <see cref="PayoutRules.SettledBy"/> instead of calling this per payout.
/// </summary>
public static class PayoutLedger
{
    public static IEnumerable<BalanceTransaction> TransactionsOf(Tx tx, string payoutId)
    {
        if (tx.Get<Payout>(payoutId) is not { Automatic: true }) return [];
        return tx.NewestFirst<BalanceTransaction>("balance_transaction").Where(t => PayoutRules.SettledBy(t) == payoutId);
    }

    /// <summary>Every balance transaction of one currency, for the automatic payout run.</summary>
    public static IEnumerable<BalanceTransaction> OfCurrency(Tx tx, string currency) =>
        tx.NewestFirst<BalanceTransaction>("balance_transaction").Where(t => t.Currency == currency);
}
