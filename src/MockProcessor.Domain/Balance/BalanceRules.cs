using MockProcessor.Domain.CardNetwork;

namespace MockProcessor.Domain.Balance;

public sealed record BalanceFunds(string Currency, long Amount, long Card);

// GET /v1/balance's available and pending lists, one entry per currency that has any transaction.
public sealed record BalanceSummary(IReadOnlyList<BalanceFunds> Available, IReadOnlyList<BalanceFunds> Pending);

public static class BalanceRules
{
    public const long SecondsPerDay = 86_400;

    // US accounts' standard payout delay is 2 business days (§16.3, configurable in Stripe).
    // Deviation: counted in calendar days; weekends and bank holidays do not push it back.
    public const int UsPayoutDelayDays = 2;

    // Card funds become available at 00:00 UTC on the day created + delay, the way Stripe's available_on
    // values land on midnight. bypassPending cards (4000000000000077, ...0278) are available at once.
    public static long AvailableOn(long created, FundsAvailability funds, int delayDays = UsPayoutDelayDays) =>
        funds is FundsAvailability.Available ? created : StartOfUtcDay(created) + delayDays * SecondsPerDay;

    /// <summary>
    /// A card charge's transaction held for the merchant's own <c>delay_days</c> (its payout schedule) instead of
    /// the default the charge rules book; funds available at once (bypassPending cards) stay so.
    /// </summary>
    public static BalanceTransaction WithPayoutDelay(BalanceTransaction t, int delayDays) =>
        t.Type is BalanceTransactionType.Charge && t.AvailableOn > t.Created && delayDays != UsPayoutDelayDays
            ? t with { AvailableOn = AvailableOn(t.Created, FundsAvailability.Pending, delayDays) }
            : t;

    /// <summary>Whether funds available on <paramref name="availableOn"/> are available at <paramref name="now"/>.</summary>
    public static bool IsAvailable(long availableOn, long now) => now >= availableOn;

    public static long StartOfUtcDay(long unixSeconds) => unixSeconds - ((unixSeconds % SecondsPerDay) + SecondsPerDay) % SecondsPerDay;

    // The balance is derived, never stored: sum the nets by currency and split by whether each
    // transaction is available yet. Invariant: available + pending == Σ net, per currency.
    // Every transaction we book is card money or draws on it (payouts have source_type card), so
    // source_types.card equals the amount.
    public static BalanceSummary Summarize(IEnumerable<BalanceTransaction> transactions, long now) =>
        Summarize(transactions.Select(t => (t.Currency, t.AvailableOn, t.Net)), now);

    /// <summary>
    /// The same from sums of nets by currency and <c>available_on</c> (the store's running totals, which a balance reads
    /// instead of every transaction): each entry stands for at least one transaction.
    /// </summary>
    public static BalanceSummary Summarize(IEnumerable<(string Currency, long AvailableOn, long Net)> sums, long now)
    {
        var available = new SortedDictionary<string, long>(StringComparer.Ordinal);
        var pending = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var (currency, availableOn, net) in sums)
        {
            available.TryAdd(currency, 0);
            pending.TryAdd(currency, 0);
            var bucket = IsAvailable(availableOn, now) ? available : pending;
            bucket[currency] = checked(bucket[currency] + net);
        }
        return new(
            available.Select(kv => new BalanceFunds(kv.Key, kv.Value, kv.Value)).ToList(),
            pending.Select(kv => new BalanceFunds(kv.Key, kv.Value, kv.Value)).ToList());
    }
}
