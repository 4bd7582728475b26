using System.Collections.Immutable;
using MockProcessor.Domain.Common;

namespace MockProcessor.Domain.Billing;

public enum CouponDuration { Once, Repeating, Forever }

/// <summary>
/// A Stripe coupon: a percentage (<c>percent_off</c>, 0 &lt; p ≤ 100) or a fixed amount in one currency
/// (<c>amount_off</c> + <c>currency</c>) taken off, for one invoice, N months or forever (docs/discounts.md).
/// Its id may be chosen by the caller.
/// </summary>
public sealed record Coupon : StripeObject
{
    public override string ObjectType => "coupon";
    public decimal? PercentOff { get; init; }
    public long? AmountOff { get; init; }
    public string? Currency { get; init; }
    public CouponDuration Duration { get; init; } = CouponDuration.Once;
    public long? DurationInMonths { get; init; }
    public long? MaxRedemptions { get; init; }
    /// <summary>Unix seconds after which the coupon can no longer be redeemed.</summary>
    public long? RedeemBy { get; init; }
    public string? Name { get; init; }
    public long TimesRedeemed { get; init; }
    public ImmutableSortedDictionary<string, string> Metadata { get; init; } = Common.Metadata.Empty;
    public bool Deleted { get; init; }
}

/// <summary>
/// A customer-facing code (<c>promo_</c>) for a coupon. <c>active</c> is what the merchant set; whether it can be
/// redeemed now also depends on its expiry, its redemptions and its coupon (<see cref="CouponRules.CanRedeem(PromotionCode, Coupon, long)"/>).
/// </summary>
public sealed record PromotionCode : StripeObject
{
    public override string ObjectType => "promotion_code";
    public required string Code { get; init; }
    public required string Coupon { get; init; }
    public bool Active { get; init; } = true;
    public string? Customer { get; init; }
    public long? ExpiresAt { get; init; }
    public long? MaxRedemptions { get; init; }
    public long TimesRedeemed { get; init; }
    public bool FirstTimeTransaction { get; init; }
    public long? MinimumAmount { get; init; }
    public string? MinimumAmountCurrency { get; init; }
    public ImmutableSortedDictionary<string, string> Metadata { get; init; } = Common.Metadata.Empty;
}

/// <summary>Validity rules of coupons and promotion codes; "now" is the caller's (billing) clock.</summary>
public static class CouponRules
{
    /// <summary>Stripe's <c>valid</c>: not deleted, not past <c>redeem_by</c>, redemptions left.</summary>
    public static bool IsValid(Coupon coupon, long now) =>
        !coupon.Deleted
        && (coupon.RedeemBy is not { } by || now <= by)
        && (coupon.MaxRedemptions is not { } max || coupon.TimesRedeemed < max);

    /// <summary>A promotion code can be redeemed when active, unexpired, with redemptions left, and its coupon valid.</summary>
    public static bool CanRedeem(PromotionCode code, Coupon coupon, long now) =>
        code.Active
        && (code.ExpiresAt is not { } at || now < at)
        && (code.MaxRedemptions is not { } max || code.TimesRedeemed < max)
        && IsValid(coupon, now);

    /// <summary>Promotion codes: letters, digits and dashes (Stripe compares them ignoring case).</summary>
    public static bool IsWellFormedCode(string code) =>
        code.Length is > 0 and <= 500 && code.All(ch => char.IsAsciiLetterOrDigit(ch) || ch == '-');
}
