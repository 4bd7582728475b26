using System.Collections.Immutable;
using MockProcessor.Domain.Common;

namespace MockProcessor.Domain.Products;

public enum PriceType { OneTime, Recurring }
public enum BillingScheme { PerUnit, Tiered }
public enum RecurringInterval { Day, Week, Month, Year }
public enum UsageType { Licensed, Metered }
public enum TaxBehavior { Exclusive, Inclusive, Unspecified }
public enum TiersMode { Graduated, Volume }
public enum QuantityRounding { Up, Down }

/// <summary>How often a recurring price bills: every <see cref="IntervalCount"/> <see cref="Interval"/>s.</summary>
public sealed record Recurring(RecurringInterval Interval, long IntervalCount, UsageType UsageType, string? Meter, long? TrialPeriodDays);

/// <summary>
/// One tier of a tiered price. <see cref="UpTo"/> is the tier's inclusive upper bound, null for the last tier (<c>inf</c>).
/// Amounts are decimals in minor units, as <c>*_decimal</c> carries them; the integer fields are rendered when whole.
/// </summary>
public sealed record PriceTier(long? UpTo, decimal? UnitAmount, decimal? FlatAmount);

public sealed record CustomUnitAmount(long? Minimum, long? Maximum, long? Preset);

public sealed record TransformQuantity(long DivideBy, QuantityRounding Round);

/// <summary>The price in another currency (<c>currency_options[eur]</c>).</summary>
public sealed record CurrencyOption(decimal? UnitAmount, TaxBehavior? TaxBehavior, CustomUnitAmount? CustomUnitAmount, IReadOnlyList<PriceTier>? Tiers);

/// <summary>
/// A Stripe price (<c>price_</c>): an amount and currency for a product, one-time or recurring. Amounts never change
/// after creation (a new price replaces an old one); <see cref="PriceRules.AmountFor"/> computes what a quantity costs.
/// </summary>
public sealed record Price : StripeObject
{
    public override string ObjectType => "price";
    public required string Product { get; init; }
    public required string Currency { get; init; }
    public bool Active { get; init; } = true;
    public BillingScheme BillingScheme { get; init; } = BillingScheme.PerUnit;
    /// <summary>Per-unit amount in minor units, possibly fractional (<c>unit_amount_decimal</c>); null for tiered or customer-chosen amounts.</summary>
    public decimal? UnitAmount { get; init; }
    public Recurring? Recurring { get; init; }
    public string? LookupKey { get; init; }
    public string? Nickname { get; init; }
    /// <summary>Null until set (rendered <c>unspecified</c>); once inclusive or exclusive it cannot change.</summary>
    public TaxBehavior? TaxBehavior { get; init; }
    public ImmutableSortedDictionary<string, CurrencyOption> CurrencyOptions { get; init; } = ImmutableSortedDictionary<string, CurrencyOption>.Empty;
    public IReadOnlyList<PriceTier>? Tiers { get; init; }
    public TiersMode? TiersMode { get; init; }
    public CustomUnitAmount? CustomUnitAmount { get; init; }
    public TransformQuantity? TransformQuantity { get; init; }
    public ImmutableSortedDictionary<string, string> Metadata { get; init; } = Common.Metadata.Empty;
    /// <summary>Deleted through <c>DELETE /v1/plans/:id</c> (prices themselves cannot be deleted): archived, gone from <c>/v1/plans</c>.</summary>
    public bool Deleted { get; init; }

    public PriceType Type => Recurring is null ? PriceType.OneTime : PriceType.Recurring;
}

/// <summary>
/// A recurring price seen through the legacy Plans API (<c>plan</c>, the same id): only the snapshot a <c>plan.*</c> event
/// carries, so the event shows a plan; the price itself is the one stored object.
/// </summary>
public sealed record PlanSnapshot : StripeObject
{
    public override string ObjectType => "plan";
    public required Price Price { get; init; }

    public static PlanSnapshot Of(Price price) => new() { Id = price.Id, AccountId = price.AccountId, Created = price.Created, Price = price };
}
