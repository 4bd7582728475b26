using System.Text.Json.Nodes;
using MockProcessor.Domain.Common;
using MockProcessor.Domain.Errors;
using MockProcessor.Domain.Payouts;
using MockProcessor.Server.Wire;

namespace MockProcessor.Server.Resources.Payouts;

/// <summary>
/// Stripe's <c>schedule[interval|delay_days|weekly_anchor|monthly_anchor]</c> hash read onto a merchant's
/// <see cref="PayoutSchedule"/>, and its wire shape. Shared by the control API and account settings.
/// </summary>
public static class PayoutScheduleForm
{
    /// <summary>The schedule <paramref name="s"/> asks for, starting from <paramref name="current"/>; store it with <see cref="PayoutRuns.ChangeSettings"/>.</summary>
    public static PayoutSchedule Read(Params s, PayoutSchedule current)
    {
        var interval = s.Enum<PayoutInterval>("interval") ?? current.Interval;
        var next = current with { Interval = interval };
        if (s.Has("delay_days"))
        {
            // Stripe also takes "minimum" (the country's minimum; 2 days for the US cards we emulate).
            if (s.IsHash("delay_days")) throw new StripeException(StripeError.InvalidShape(s.NameOf("delay_days"), "an integer"), beforeExecution: true);
            var days = s.String("delay_days") == "minimum" ? Domain.Balance.BalanceRules.UsPayoutDelayDays : s.Long("delay_days", min: 0, max: 365);
            if (interval is PayoutInterval.Manual)
                throw new StripeException(StripeError.InvalidValue(s.NameOf("delay_days"),
                    "delay_days cannot be set when the interval is manual: manual payouts always use the minimum delay."), beforeExecution: true);
            next = next with { DelayDays = (int)days! };
        }
        if (s.Enum<DayOfWeek>("weekly_anchor") is { } weekday) next = next with { WeeklyAnchor = weekday };
        if (s.Long("monthly_anchor", min: 1, max: 31) is { } day) next = next with { MonthlyAnchor = (int)day };
        return next;
    }

    public static JsonObject Render(PayoutSchedule s)
    {
        var o = new JsonObject { ["delay_days"] = s.DelayDays, ["interval"] = s.Interval.ToWire() };
        if (s.Interval is PayoutInterval.Weekly) o["weekly_anchor"] = s.WeeklyAnchor.ToWire();
        if (s.Interval is PayoutInterval.Monthly) o["monthly_anchor"] = s.MonthlyAnchor;
        return o;
    }
}
