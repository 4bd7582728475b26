using MockProcessor.Domain.Products;

namespace MockProcessor.Domain.Billing;

/// <summary>
/// Period arithmetic for recurring prices (docs/billing.md). Every boundary is computed from the billing cycle anchor
/// (the k-th boundary is anchor + k × interval_count intervals), never from the previous boundary, so a subscription
/// anchored on the 31st bills on the last day of shorter months and returns to the 31st afterwards, as Stripe does:
/// Jan 31 → Feb 28 (29 in a leap year) → Mar 31 → Apr 30. The time of day of the anchor is kept (UTC).
/// </summary>
public static class BillingPeriods
{
    /// <summary>The <paramref name="k"/>-th period boundary after <paramref name="anchor"/> (k = 0 is the anchor itself).</summary>
    public static long Boundary(long anchor, RecurringInterval interval, long count, long k)
    {
        if (count < 1) throw new ArgumentOutOfRangeException(nameof(count), "interval_count must be at least 1.");
        var start = DateTimeOffset.FromUnixTimeSeconds(anchor);
        var steps = checked(count * k);
        return interval switch
        {
            RecurringInterval.Day => anchor + steps * 86_400,
            RecurringInterval.Week => anchor + steps * 7 * 86_400,
            RecurringInterval.Month => start.AddMonths(checked((int)steps)).ToUnixTimeSeconds(),
            RecurringInterval.Year => start.AddYears(checked((int)steps)).ToUnixTimeSeconds(),
            _ => throw new ArgumentOutOfRangeException(nameof(interval)),
        };
    }

    /// <summary>The first boundary strictly after <paramref name="t"/> (t may be before the anchor: then the anchor or earlier).</summary>
    public static long NextAfter(long anchor, RecurringInterval interval, long count, long t)
    {
        // An estimate of k from the average period length, then corrected: at most a few steps either way.
        var k = EstimateIndex(anchor, interval, count, t);
        while (Boundary(anchor, interval, count, k) > t) k--;
        while (Boundary(anchor, interval, count, k) <= t) k++;
        return Boundary(anchor, interval, count, k);
    }

    /// <summary>The period that contains <paramref name="t"/>: [start, end) with both on the anchor's grid.</summary>
    public static (long Start, long End) Containing(long anchor, RecurringInterval interval, long count, long t)
    {
        var end = NextAfter(anchor, interval, count, t);
        // The boundary just before end is the last one at or before t.
        var start = end;
        for (var k = EstimateIndex(anchor, interval, count, t) + 1; ; k--)
        {
            var b = Boundary(anchor, interval, count, k);
            if (b <= t) { start = b; break; }
        }
        return (start, end);
    }

    private static long EstimateIndex(long anchor, RecurringInterval interval, long count, long t) =>
        (long)Math.Floor((t - anchor) / (interval switch
        {
            RecurringInterval.Day => 86_400.0,
            RecurringInterval.Week => 7 * 86_400.0,
            RecurringInterval.Month => 30.436875 * 86_400,
            _ => 365.2425 * 86_400,
        } * count));
}
