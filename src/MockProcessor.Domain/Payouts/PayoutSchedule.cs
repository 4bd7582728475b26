using MockProcessor.Domain.Balance;

namespace MockProcessor.Domain.Payouts;

public enum PayoutInterval { Manual, Daily, Weekly, Monthly }

/// <summary>
/// When a merchant's automatic payouts run (Stripe's <c>settings.payouts.schedule</c>). One record, kept on the
/// <see cref="Accounts.Account"/>, read by the payout run and by whoever sets it (control API, Connect onboarding).
/// Stripe's default for a US account is daily with a 2-day delay (fixtures3 account.settings.payouts.schedule).
/// </summary>
public sealed record PayoutSchedule
{
    public static readonly PayoutSchedule Default = new();

    public PayoutInterval Interval { get; init; } = PayoutInterval.Daily;
    /// <summary>Days card funds are held before they become available (and can be paid out).</summary>
    public int DelayDays { get; init; } = BalanceRules.UsPayoutDelayDays;
    /// <summary>Weekly runs: the day of the week (Stripe's <c>weekly_anchor</c>, e.g. <c>monday</c>).</summary>
    public DayOfWeek WeeklyAnchor { get; init; } = DayOfWeek.Monday;
    /// <summary>Monthly runs: the day of the month, 1–31; a shorter month runs on its last day (Stripe's rule).</summary>
    public int MonthlyAnchor { get; init; } = 1;

    /// <summary>
    /// When this schedule was set (Unix seconds): no run of it is earlier, so funds that were available under a
    /// manual schedule are swept at the first run after the change, not at a run in the past.
    /// </summary>
    public long EffectiveFrom { get; init; }

    public bool IsAutomatic => Interval is not PayoutInterval.Manual;

    /// <summary>
    /// The first payout run at or after <paramref name="t"/> (Unix seconds), or null for manual payouts. Runs happen
    /// at 00:00 UTC of a run day: the instant card funds become available (their available_on is a midnight).
    /// </summary>
    public long? NextRunAtOrAfter(long t)
    {
        if (!IsAutomatic) return null;
        var day = BalanceRules.StartOfUtcDay(t);
        if (day < t) day += BalanceRules.SecondsPerDay;
        // At most 31 steps forward (a month); runs are days, so walk the days.
        for (var i = 0; i < 32; i++, day += BalanceRules.SecondsPerDay)
            if (IsRunDay(DateTimeOffset.FromUnixTimeSeconds(day).UtcDateTime)) return day;
        throw new InvalidOperationException("A payout schedule always has a run day within a month.");
    }

    private bool IsRunDay(DateTime d) => Interval switch
    {
        PayoutInterval.Daily => true,
        PayoutInterval.Weekly => d.DayOfWeek == WeeklyAnchor,
        PayoutInterval.Monthly => d.Day == Math.Min(MonthlyAnchor, DateTime.DaysInMonth(d.Year, d.Month)),
        _ => false,
    };
}
