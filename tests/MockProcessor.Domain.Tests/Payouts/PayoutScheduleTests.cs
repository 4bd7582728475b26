using MockProcessor.Domain.Payouts;

namespace MockProcessor.Domain.Tests.Payouts;

public class PayoutScheduleTests
{
    private static long At(int y, int m, int d, int h = 0) => new DateTimeOffset(y, m, d, h, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds();

    [Theory]
    // Daily: the next midnight, or the same instant when already at one.
    [InlineData("daily", 0, 0, 2027, 1, 15, 8, 2027, 1, 16)]
    [InlineData("daily", 0, 0, 2027, 1, 15, 0, 2027, 1, 15)]
    // Weekly on Wednesday from Friday 2027-01-15: the 20th; from Wednesday midnight: that day.
    [InlineData("weekly", 3, 0, 2027, 1, 15, 8, 2027, 1, 20)]
    [InlineData("weekly", 3, 0, 2027, 1, 20, 0, 2027, 1, 20)]
    [InlineData("weekly", 3, 0, 2027, 1, 20, 1, 2027, 1, 27)]
    // Monthly: the anchor day, or the month's last day when it is shorter.
    [InlineData("monthly", 0, 15, 2027, 1, 15, 8, 2027, 2, 15)]
    [InlineData("monthly", 0, 31, 2027, 2, 1, 0, 2027, 2, 28)]
    [InlineData("monthly", 0, 31, 2028, 2, 1, 0, 2028, 2, 29)]
    [InlineData("monthly", 0, 30, 2027, 3, 31, 1, 2027, 4, 30)]
    public void Next_run_is_the_first_run_day_midnight_at_or_after(string interval, int weekday, int monthDay,
        int y, int m, int d, int h, int ey, int em, int ed)
    {
        Assert.True(Common.WireEnum.TryParse<PayoutInterval>(interval, out var parsed));
        var s = new PayoutSchedule { Interval = parsed, WeeklyAnchor = (DayOfWeek)weekday, MonthlyAnchor = monthDay == 0 ? 1 : monthDay };
        Assert.Equal(At(ey, em, ed), s.NextRunAtOrAfter(At(y, m, d, h)));
    }

    [Fact]
    public void Manual_schedules_never_run_and_the_default_is_daily_with_a_two_day_delay()
    {
        Assert.Null(new PayoutSchedule { Interval = PayoutInterval.Manual }.NextRunAtOrAfter(At(2027, 1, 1)));
        Assert.Equal((PayoutInterval.Daily, 2), (PayoutSchedule.Default.Interval, PayoutSchedule.Default.DelayDays));
    }
}
