using MockProcessor.Domain.Balance;
using MockProcessor.Domain.Payouts;
using MockProcessor.Server.Storage;

namespace MockProcessor.Server.Resources.Payouts;

/// <summary>
/// "The balance transactions of payout X": what <c>GET /v1/balance_transactions?payout=</c> lists and what the
/// payout reconciliation reports itemize, from one function so they can never disagree (STRIPE_BEHAVIOR §21.3).
/// Newest first, like every list. Empty for a manual payout (Stripe itemizes automatic payouts only) and for an
/// unknown id. Served from a per-merchant index of each payout's transactions (<c>AccountState.PayoutContents</c>, kept
/// by the store as transactions are swept). Reports over many payouts group the transactions by
/// <see cref="PayoutRules.SettledBy"/> in one pass instead of calling this per payout.
/// </summary>
public static class PayoutLedger
{
    /// <param name="from">A list cursor (<c>starting_after</c>): the sequence may start at it rather than at the newest.</param>
    public static IEnumerable<BalanceTransaction> TransactionsOf(Tx tx, string payoutId, string? from = null)
    {
        if (tx.Get<Payout>(payoutId) is not { Automatic: true }) return [];
        return tx.SettledBy(payoutId, from);
    }

    /// <summary>Every balance transaction of one currency, for the automatic payout run.</summary>
    public static IEnumerable<BalanceTransaction> OfCurrency(Tx tx, string currency) =>
        tx.NewestFirst<BalanceTransaction>("balance_transaction").Where(t => t.Currency == currency);
}
