using MockProcessor.Domain.Billing;
using MockProcessor.Domain.Products;

namespace MockProcessor.Domain.Tests.Billing;

public class BillingPeriodsTests
{
    private static long T(string iso) => DateTimeOffset.Parse(iso + "Z", System.Globalization.CultureInfo.InvariantCulture).ToUnixTimeSeconds();

    [Theory]
    [InlineData("2025-01-31T10:00:00", 1, "2025-02-28T10:00:00")]
    [InlineData("2025-01-31T10:00:00", 2, "2025-03-31T10:00:00")]
    [InlineData("2025-01-31T10:00:00", 3, "2025-04-30T10:00:00")]
    [InlineData("2024-01-31T10:00:00", 1, "2024-02-29T10:00:00")]
    [InlineData("2026-01-15T00:00:00", 12, "2027-01-15T00:00:00")]
    public void Monthly_boundaries_are_counted_from_the_anchor_so_month_ends_come_back(string anchor, long k, string expected) =>
        Assert.Equal(T(expected), BillingPeriods.Boundary(T(anchor), RecurringInterval.Month, 1, k));

    [Fact]
    public void Month_end_anchor_walks_Jan31_Feb28_Mar31_when_stepping_from_each_period_end()
    {
        var anchor = T("2025-01-31T00:00:00");
        var feb = BillingPeriods.NextAfter(anchor, RecurringInterval.Month, 1, anchor);
        var mar = BillingPeriods.NextAfter(anchor, RecurringInterval.Month, 1, feb);
        Assert.Equal(T("2025-02-28T00:00:00"), feb);
        Assert.Equal(T("2025-03-31T00:00:00"), mar);
    }

    [Theory]
    [InlineData(RecurringInterval.Day, 3, "2026-03-04T12:00:00")]
    [InlineData(RecurringInterval.Week, 2, "2026-03-15T12:00:00")]
    [InlineData(RecurringInterval.Month, 3, "2026-06-01T12:00:00")]
    [InlineData(RecurringInterval.Year, 1, "2027-03-01T12:00:00")]
    public void Interval_count_multiplies_the_interval(RecurringInterval interval, long count, string expected) =>
        Assert.Equal(T(expected), BillingPeriods.NextAfter(T("2026-03-01T12:00:00"), interval, count, T("2026-03-01T12:00:00")));

    [Fact]
    public void Leap_day_yearly_anchor_bills_Feb28_in_common_years_and_Feb29_again_in_leap_years()
    {
        var anchor = T("2024-02-29T00:00:00");
        Assert.Equal(T("2025-02-28T00:00:00"), BillingPeriods.Boundary(anchor, RecurringInterval.Year, 1, 1));
        Assert.Equal(T("2028-02-29T00:00:00"), BillingPeriods.Boundary(anchor, RecurringInterval.Year, 1, 4));
    }

    [Fact]
    public void Containing_finds_the_period_around_a_time()
    {
        var anchor = T("2025-01-31T00:00:00");
        var (start, end) = BillingPeriods.Containing(anchor, RecurringInterval.Month, 1, T("2025-03-05T00:00:00"));
        Assert.Equal(T("2025-02-28T00:00:00"), start);
        Assert.Equal(T("2025-03-31T00:00:00"), end);
    }

    [Theory]
    // day, hour (null: the creation's), month, created → anchor, grid (null: the anchor itself)
    [InlineData(31, 0, null, "2026-02-10T12:34:56", "2026-02-28T00:34:56", "2026-01-31T00:34:56")]
    [InlineData(15, null, null, "2026-02-10T12:34:56", "2026-02-15T12:34:56", null)]
    [InlineData(10, 9, null, "2026-02-10T12:34:56", "2026-03-10T09:34:56", null)] // Feb 10 09:34:56 has passed
    [InlineData(30, 0, null, "2026-04-30T00:00:00", "2026-05-30T00:00:00", null)] // strictly after the creation time
    public void An_anchor_config_names_the_next_such_time_and_a_grid_that_keeps_the_day(int day, int? hour, int? month, string created, string anchor, string? grid)
    {
        var (a, g) = BillingPeriods.ConfigAnchor(new BillingCycleAnchorConfig(day, hour, null, null, month), RecurringInterval.Month, 1, T(created), T(created));
        Assert.Equal((T(anchor), grid is null ? (long?)null : T(grid)), (a, g));
    }

    [Fact]
    public void A_yearly_config_on_february_29_anchors_on_the_28th_and_bills_the_29th_in_leap_years()
    {
        var created = T("2026-03-01T00:00:00");
        var (anchor, grid) = BillingPeriods.ConfigAnchor(new BillingCycleAnchorConfig(29, 0, 0, 0, 2), RecurringInterval.Year, 1, created, created);
        Assert.Equal(T("2027-02-28T00:00:00"), anchor);
        Assert.Equal(T("2024-02-29T00:00:00"), grid);
        Assert.Equal(T("2028-02-29T00:00:00"), BillingPeriods.NextAfter(grid!.Value, RecurringInterval.Year, 1, anchor));
    }
}

public class InvoiceRulesTests
{
    [Fact]
    public void A_proration_base_carries_percent_and_evenly_split_amount_discounts_never_below_zero()
    {
        Assert.Equal(800, InvoiceTotals.DiscountedForProration(1000, [new DiscountTerms("di_1", 20m, null)], 1));
        Assert.Equal(750, InvoiceTotals.DiscountedForProration(1000, [new DiscountTerms("di_1", null, 500)], 2)); // 500 over 2 items
        Assert.Equal(600, InvoiceTotals.DiscountedForProration(1000, [new DiscountTerms("di_1", null, 250), new DiscountTerms("di_2", 20m, null)], 1));
        Assert.Equal(0, InvoiceTotals.DiscountedForProration(300, [new DiscountTerms("di_1", null, 500)], 1));
        Assert.Equal(1000, InvoiceTotals.DiscountedForProration(1000, [], 3));
    }

    [Fact]
    public void Proration_worked_example_from_the_docs_upgrade_ten_to_thirty_dollars_a_third_into_April()
    {
        // docs/billing.md: period 2026-04-01..2026-05-01 (2,592,000 s), change at 2026-04-11 (1,728,000 s left): f = 2/3.
        const long s = 1775001600, e = 1777593600, t = 1775865600;
        Assert.Equal(667, InvoiceRules.Prorate(1000, s, e, t));
        Assert.Equal(2000, InvoiceRules.Prorate(3000, s, e, t));
        // Half a day later f = 0.65: 650 and 1950.
        Assert.Equal(650, InvoiceRules.Prorate(1000, s, e, t + 43_200));
        Assert.Equal(1950, InvoiceRules.Prorate(3000, s, e, t + 43_200));
    }

    [Fact]
    public void Proration_matches_Stripes_preview_payload_to_the_cent()
    {
        // A 31-day period with 445,540 s left: 1000 → 166, 3252 → 541 (BILLING_CHECKOUT §4.1).
        Assert.Equal(166, InvoiceRules.Prorate(1000, 0, 2_678_400, 2_678_400 - 445_540));
        Assert.Equal(541, InvoiceRules.Prorate(3252, 0, 2_678_400, 2_678_400 - 445_540));
    }

    [Theory]
    [InlineData(2000, -500, 1500, 0)]
    [InlineData(300, -500, 0, -200)]
    [InlineData(-333, 0, 0, -333)]
    [InlineData(2000, 300, 2300, 0)]
    public void Balance_is_applied_at_finalization(long total, long balance, long due, long after) =>
        Assert.Equal((due, after), InvoiceRules.ApplyBalance(total, balance));

    [Fact]
    public void Retries_follow_the_configured_days_after_the_first_attempt_then_stop()
    {
        var s = new BillingSettings([1, 3, 5, 7], FinalFailureAction.Cancel);
        Assert.Equal(1000 + 86_400, InvoiceRules.NextAttempt(s, 1000, 1));
        Assert.Equal(1000 + 3 * 86_400, InvoiceRules.NextAttempt(s, 1000, 2));
        Assert.Equal(1000 + 7 * 86_400, InvoiceRules.NextAttempt(s, 1000, 4));
        Assert.Null(InvoiceRules.NextAttempt(s, 1000, 5));
    }

    [Fact]
    public void A_passed_over_retry_hands_on_to_the_first_scheduled_one_still_ahead_and_hard_declines_are_named()
    {
        var s = new BillingSettings([1, 3, 5, 7], FinalFailureAction.Cancel);
        Assert.Equal(1000 + 3 * 86_400, InvoiceRules.NextScheduledAfter(s, 1000, 1000 + 86_400));
        Assert.Equal(1000 + 3 * 86_400, InvoiceRules.NextScheduledAfter(s, 1000, 1000 + 2 * 86_400));
        Assert.Equal(1000 + 86_400, InvoiceRules.NextScheduledAfter(s, 1000, 1000));
        Assert.Null(InvoiceRules.NextScheduledAfter(s, 1000, 1000 + 7 * 86_400));
        Assert.True(InvoiceRules.IsHardDecline("lost_card"));
        Assert.True(InvoiceRules.IsHardDecline("authentication_required"));
        Assert.False(InvoiceRules.IsHardDecline("insufficient_funds"));
        Assert.False(InvoiceRules.IsHardDecline("generic_decline"));
        Assert.False(InvoiceRules.IsHardDecline(null));
    }

    [Fact]
    public void Invoice_status_table_refuses_paying_a_paid_or_voiding_a_draft_invoice()
    {
        Assert.Equal(InvoiceStatus.Open, InvoiceRules.Next(InvoiceStatus.Draft, InvoiceAction.Finalize));
        Assert.Null(InvoiceRules.Next(InvoiceStatus.Paid, InvoiceAction.Pay));
        Assert.Null(InvoiceRules.Next(InvoiceStatus.Draft, InvoiceAction.Void));
        Assert.Equal(InvoiceStatus.Paid, InvoiceRules.Next(InvoiceStatus.Uncollectible, InvoiceAction.Pay));
    }
}

public class SubscriptionRulesTests
{
    [Theory]
    [InlineData(SubscriptionStatus.Incomplete, SubscriptionTrigger.InvoicePaid, SubscriptionStatus.Active)]
    [InlineData(SubscriptionStatus.Incomplete, SubscriptionTrigger.IncompleteExpired, SubscriptionStatus.IncompleteExpired)]
    [InlineData(SubscriptionStatus.Trialing, SubscriptionTrigger.TrialEnded, SubscriptionStatus.Active)]
    [InlineData(SubscriptionStatus.Active, SubscriptionTrigger.PaymentFailed, SubscriptionStatus.PastDue)]
    [InlineData(SubscriptionStatus.PastDue, SubscriptionTrigger.InvoicePaid, SubscriptionStatus.Active)]
    [InlineData(SubscriptionStatus.PastDue, SubscriptionTrigger.RetriesExhaustedUnpaid, SubscriptionStatus.Unpaid)]
    [InlineData(SubscriptionStatus.PastDue, SubscriptionTrigger.RetriesExhaustedCancel, SubscriptionStatus.Canceled)]
    [InlineData(SubscriptionStatus.Unpaid, SubscriptionTrigger.InvoicePaid, SubscriptionStatus.Active)]
    [InlineData(SubscriptionStatus.Trialing, SubscriptionTrigger.TrialEndedWithoutPaymentMethodPause, SubscriptionStatus.Paused)]
    [InlineData(SubscriptionStatus.Trialing, SubscriptionTrigger.TrialEndedWithoutPaymentMethodCancel, SubscriptionStatus.Canceled)]
    [InlineData(SubscriptionStatus.Paused, SubscriptionTrigger.Resume, SubscriptionStatus.Active)]
    [InlineData(SubscriptionStatus.Paused, SubscriptionTrigger.InvoicePaid, SubscriptionStatus.Active)]
    [InlineData(SubscriptionStatus.Paused, SubscriptionTrigger.PaymentFailed, SubscriptionStatus.Paused)]
    public void Table_moves_subscriptions_as_Stripe_does(SubscriptionStatus from, SubscriptionTrigger trigger, SubscriptionStatus to) =>
        Assert.Equal(to, SubscriptionRules.Next(from, trigger));

    [Fact]
    public void Terminal_statuses_have_no_way_out()
    {
        foreach (var trigger in Enum.GetValues<SubscriptionTrigger>())
        {
            Assert.Null(SubscriptionRules.Next(SubscriptionStatus.Canceled, trigger));
            Assert.Null(SubscriptionRules.Next(SubscriptionStatus.IncompleteExpired, trigger));
        }
        Assert.Null(SubscriptionRules.Next(SubscriptionStatus.Active, SubscriptionTrigger.IncompleteExpired));
        // Only a paused subscription resumes, and only a trial ends into a pause.
        Assert.Null(SubscriptionRules.Next(SubscriptionStatus.Active, SubscriptionTrigger.Resume));
        Assert.Null(SubscriptionRules.Next(SubscriptionStatus.PastDue, SubscriptionTrigger.TrialEndedWithoutPaymentMethodPause));
    }
}
