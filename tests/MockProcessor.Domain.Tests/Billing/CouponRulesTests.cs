using MockProcessor.Domain.Billing;

namespace MockProcessor.Domain.Tests.Billing;

public class CouponRulesTests
{
    private static Coupon Coupon(long? redeemBy = null, long? max = null, long redeemed = 0, bool deleted = false) => new()
    {
        Id = "C", AccountId = "acct_1", Created = 1000, PercentOff = 10, RedeemBy = redeemBy, MaxRedemptions = max,
        TimesRedeemed = redeemed, Deleted = deleted,
    };

    private static PromotionCode Code(bool active = true, long? expiresAt = null, long? max = null, long redeemed = 0) => new()
    {
        Id = "promo_1", AccountId = "acct_1", Created = 1000, Code = "SAVE", Coupon = "C", Active = active,
        ExpiresAt = expiresAt, MaxRedemptions = max, TimesRedeemed = redeemed,
    };

    [Theory]
    [InlineData(null, null, 0, false, 5000, true)]
    [InlineData(2000L, null, 0, false, 2000, true)]   // redeem_by itself still counts
    [InlineData(2000L, null, 0, false, 2001, false)]
    [InlineData(null, 3L, 2, false, 5000, true)]
    [InlineData(null, 3L, 3, false, 5000, false)]
    [InlineData(null, null, 0, true, 5000, false)]
    public void Coupon_validity(long? redeemBy, long? max, long redeemed, bool deleted, long now, bool valid) =>
        Assert.Equal(valid, CouponRules.IsValid(Coupon(redeemBy, max, redeemed, deleted), now));

    [Theory]
    [InlineData(true, null, null, 0, true)]
    [InlineData(false, null, null, 0, false)]
    [InlineData(true, 3000L, null, 0, true)]
    [InlineData(true, 2500L, null, 0, false)]
    [InlineData(true, null, 1L, 1, false)]
    public void Promotion_code_redeemable_at_2500(bool active, long? expiresAt, long? max, long redeemed, bool expected) =>
        Assert.Equal(expected, CouponRules.CanRedeem(Code(active, expiresAt, max, redeemed), Coupon(), 2500));

    [Fact]
    public void A_code_of_an_invalid_coupon_cannot_be_redeemed() =>
        Assert.False(CouponRules.CanRedeem(Code(), Coupon(redeemBy: 2000), 2500));

    [Theory]
    [InlineData("SAVE-10", true)]
    [InlineData("save10", true)]
    [InlineData("save 10", false)]
    [InlineData("save_10", false)]
    [InlineData("", false)]
    public void Code_spelling(string code, bool ok) => Assert.Equal(ok, CouponRules.IsWellFormedCode(code));
}
