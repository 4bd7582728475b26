using MockProcessor.Domain.Balance;
using MockProcessor.Domain.CardNetwork;

namespace MockProcessor.Domain.Tests.Balance;

public class FeesTests
{
    [Theory]
    [InlineData(10_000, "usd", "US", 320)]      // 2.9% + 30
    [InlineData(2_000, "usd", "US", 88)]        // 58 + 30
    [InlineData(10_000, "usd", "GB", 470)]      // +1.5% international: 440 + 30
    [InlineData(10_000, "eur", "US", 415)]      // +1% conversion: 390 + 25
    [InlineData(10_000, "eur", "DE", 565)]      // both: 540 + 25
    [InlineData(50, "usd", "US", 31)]           // 1.45 → 1 (below half rounds down)
    [InlineData(1_000, "usd", "US", 59)]        // 29.0 exactly
    [InlineData(1_050, "usd", "US", 60)]        // 30.45 → 30
    [InlineData(1_207, "usd", "US", 65)]        // 35.003 → 35
    [InlineData(1_724, "usd", "US", 80)]        // 49.996 → 50
    [InlineData(1_500, "jpy", "US", 109)]       // zero-decimal + conversion: 3.9% of 1500 = 58.5 → 59, + ¥50
    public void Card_fee_is_percentage_rounded_half_up_plus_fixed(long amount, string currency, string cardCountry, long expected)
    {
        var fee = Fees.CardProcessing(amount, currency, cardCountry);
        Assert.Equal(expected, fee.Total);
        var detail = Assert.Single(fee.Details);
        Assert.Equal(new FeeDetail(expected, currency, "Stripe processing fees", FeeType.StripeFee), detail);
    }

    [Theory]
    [InlineData(1_000, 290, 29)]
    [InlineData(50, 290, 1)]      // 1.45
    [InlineData(150, 290, 4)]     // 4.35
    [InlineData(1_500, 390, 59)]  // 58.5 → 59: exact half goes up
    public void Percent_rounds_half_up(long amount, int bp, long expected) => Assert.Equal(expected, Fees.Percent(amount, bp));

    [Fact]
    public void Three_decimal_fee_keeps_last_digit_zero() =>
        Assert.Equal(0, Fees.CardProcessing(12_340, "kwd", "KW").Total % 10);
}

public class BalanceRulesTests
{
    [Fact]
    public void Pending_card_funds_become_available_at_midnight_two_days_later()
    {
        const long created = 1_700_000_000;                // 2023-11-14 22:13:20 UTC
        Assert.Equal(1_699_920_000 + 2 * 86_400, BalanceRules.AvailableOn(created, FundsAvailability.Pending));
    }

    [Fact]
    public void Bypass_pending_funds_are_available_at_once() =>
        Assert.Equal(1_700_000_000, BalanceRules.AvailableOn(1_700_000_000, FundsAvailability.Available));

    [Fact]
    public void Status_is_derived_from_available_on()
    {
        var txn = new BalanceTransaction
        {
            Id = "txn_1", AccountId = "acct_1", Created = 0, Amount = 1000, Currency = "usd", Fee = 59,
            Type = BalanceTransactionType.Charge, ReportingCategory = ReportingCategory.Charge, AvailableOn = 100,
        };
        Assert.Equal(941, txn.Net);
        Assert.Equal(BalanceTransactionStatus.Pending, txn.StatusAt(99));
        Assert.Equal(BalanceTransactionStatus.Available, txn.StatusAt(100));
    }
}
