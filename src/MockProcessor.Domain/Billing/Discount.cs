using System.Collections.Immutable;
using MockProcessor.Domain.Common;

namespace MockProcessor.Domain.Billing;

/// <summary>
/// A coupon applied (<c>di_</c>): to a subscription, an invoice, an invoice item or a Checkout Session
/// (docs/discounts.md). Stripe keeps it as its own object that is expandable but not retrievable by id. A
/// <c>repeating</c> coupon's discount ends <c>duration_in_months</c> months after <see cref="Start"/>; a <c>once</c>
/// discount is spent by the first invoice it applies to (<see cref="Spent"/>).
/// </summary>
public sealed record Discount : StripeObject
{
    public override string ObjectType => "discount";
    public required string Coupon { get; init; }
    public string? PromotionCode { get; init; }
    public string? Customer { get; init; }
    public string? Subscription { get; init; }
    public string? Invoice { get; init; }
    public string? InvoiceItem { get; init; }
    public string? CheckoutSession { get; init; }
    public long Start { get; init; }
    public long? End { get; init; }
    public bool Spent { get; init; }
    public bool Deleted { get; init; }
}

/// <summary>A tax rate (<c>txr_</c>): a percentage, exclusive (added on top) or inclusive (contained in the price).</summary>
public sealed record TaxRate : StripeObject
{
    public override string ObjectType => "tax_rate";
    public required string DisplayName { get; init; }
    public required decimal Percentage { get; init; }
    public bool Inclusive { get; init; }
    public bool Active { get; init; } = true;
    public string? Country { get; init; }
    public string? State { get; init; }
    public string? Jurisdiction { get; init; }
    public string? Description { get; init; }
    public string? TaxType { get; init; }
    public ImmutableSortedDictionary<string, string> Metadata { get; init; } = Common.Metadata.Empty;
}

/// <summary>A line's share of one discount (<c>discount_amounts[]</c>).</summary>
public sealed record LineDiscountAmount(string Discount, long Amount);

/// <summary>A line's tax for one rate (<c>taxes[]</c>): <c>taxable_amount</c> is the discounted amount without inclusive tax.</summary>
public sealed record LineTax(string TaxRate, long Amount, bool Inclusive, long TaxableAmount);

/// <summary>What the arithmetic needs of a discount: its id and its coupon's terms.</summary>
public sealed record DiscountTerms(string Discount, decimal? PercentOff, long? AmountOff);

/// <summary>What the arithmetic needs of a tax rate.</summary>
public sealed record TaxTerms(string TaxRate, decimal Percentage, bool Inclusive);

/// <summary>How long a discount lasts (docs/discounts.md, "Durations"), on the billing clock.</summary>
public static class DiscountRules
{
    /// <summary>A repeating coupon's discount ends <c>duration_in_months</c> calendar months after it started; others have no end.</summary>
    public static long? End(Coupon coupon, long start) =>
        coupon.Duration == CouponDuration.Repeating && coupon.DurationInMonths is { } months
            ? DateTimeOffset.FromUnixTimeSeconds(start).AddMonths((int)months).ToUnixTimeSeconds() : null;

    /// <summary>Whether an invoice made at <paramref name="now"/> gets the discount: not removed, not spent (once), before its end (repeating).</summary>
    public static bool AppliesAt(Discount discount, long now) =>
        !discount.Deleted && !discount.Spent && (discount.End is not { } end || now < end);

    public static DiscountTerms Terms(Discount discount, Coupon coupon) => new(discount.Id, coupon.PercentOff, coupon.AmountOff);

    public static TaxTerms Terms(TaxRate rate) => new(rate.Id, rate.Percentage, rate.Inclusive);
}
