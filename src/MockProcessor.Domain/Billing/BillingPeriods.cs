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

    /// <summary>
    /// The anchor <c>billing_cycle_anchor_config</c> names: the first time strictly after <paramref name="after"/> on
    /// day <c>day_of_month</c> (the month's last day when it is shorter) at hour:minute:second UTC (each, when not given,
    /// that of <paramref name="created"/>), in <c>month</c> when given. Grid: the time periods are counted from, a date
    /// that has the whole day (the anchor itself unless the day was shortened; <see cref="Subscription.GridAnchor"/>),
    /// found by stepping back whole intervals; null when it is the anchor.
    /// </summary>
    public static (long Anchor, long? Grid) ConfigAnchor(BillingCycleAnchorConfig config, RecurringInterval interval, long count, long after, long created)
    {
        var c = DateTimeOffset.FromUnixTimeSeconds(created);
        var time = new TimeSpan(config.Hour ?? c.Hour, config.Minute ?? c.Minute, config.Second ?? c.Second);
        var from = DateTimeOffset.FromUnixTimeSeconds(after);
        DateTimeOffset On(int year, int month) =>
            new DateTimeOffset(year, month, Math.Min(config.DayOfMonth, DateTime.DaysInMonth(year, month)), 0, 0, 0, TimeSpan.Zero) + time;
        var anchor = DateTimeOffset.MinValue;
        for (var m = 0; m <= 12 * 8; m++)
        {
            var month = new DateTimeOffset(from.Year, from.Month, 1, 0, 0, 0, TimeSpan.Zero).AddMonths(m);
            if (config.Month is { } wanted && month.Month != wanted) continue;
            var candidate = On(month.Year, month.Month);
            if (candidate > from) { anchor = candidate; break; }
        }
        if (anchor.Day == config.DayOfMonth) return (anchor.ToUnixTimeSeconds(), null);
        // Step back whole intervals to a month that has the day (or the longest such month: Feb 29 for day 30 yearly).
        var step = (int)(interval == RecurringInterval.Year ? 12 * count : count);
        var best = anchor;
        for (var k = 1; k <= 48; k++)
        {
            var month = anchor.AddMonths(-k * step);
            var candidate = On(month.Year, month.Month);
            if (candidate.Day > best.Day) best = candidate;
            if (candidate.Day == config.DayOfMonth) break;
        }
        return (anchor.ToUnixTimeSeconds(), best.ToUnixTimeSeconds());
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
