using System.Globalization;
using MockProcessor.Domain.Errors;

namespace MockProcessor.Domain.Products;

/// <summary>Stripe's rules for prices: limits on what a price may say, and what a quantity of it costs.</summary>
public static class PriceRules
{
    public const int LookupKeyMaxLength = 200;
    public const long MaxTrialPeriodDays = 730;
    private const int MaxDecimalPlaces = 12;

    /// <summary>Stripe allows at most three years between billings: 1095 days, 156 weeks, 36 months or 3 years.</summary>
    public static long MaxIntervalCount(RecurringInterval interval) => interval switch
    {
        RecurringInterval.Day => 1095,
        RecurringInterval.Week => 156,
        RecurringInterval.Month => 36,
        _ => 3,
    };

    public static Outcome<Recurring> CheckRecurring(Recurring r, string prefix = "recurring")
    {
        if (r.IntervalCount < 1 || r.IntervalCount > MaxIntervalCount(r.Interval))
            return StripeError.InvalidValue($"{prefix}[interval_count]",
                $"Invalid {prefix}[interval_count]: the interval between billings is at most three years ({MaxIntervalCount(r.Interval)} for interval={r.Interval.ToString().ToLowerInvariant()}), and at least 1.");
        if (r.TrialPeriodDays is < 0 or > MaxTrialPeriodDays)
            return StripeError.InvalidValue($"{prefix}[trial_period_days]",
                $"Invalid {prefix}[trial_period_days]: must be between 0 and {MaxTrialPeriodDays}.");
        // Since basil (2025-03-31) a metered price bills from a billing meter; legacy usage records are gone (API_VERSIONS C45).
        if (r.UsageType == UsageType.Metered && r.Meter is null)
            return StripeError.ParameterMissing($"{prefix}[meter]");
        if (r.UsageType == UsageType.Licensed && r.Meter is not null)
            return StripeError.InvalidValue($"{prefix}[meter]", $"A meter can only be set on a price with {prefix}[usage_type]=metered.");
        return r;
    }

    /// <summary>
    /// A <c>*_decimal</c> amount: a non-negative decimal number of minor units with at most 12 decimal places.
    /// </summary>
    public static Outcome<decimal> ParseDecimalAmount(string text, string param)
    {
        if (!decimal.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value))
            return StripeError.InvalidValue(param, $"Invalid decimal: {text}");
        var dot = text.IndexOf('.');
        if (dot >= 0 && text.Length - dot - 1 > MaxDecimalPlaces)
            return StripeError.InvalidValue(param, $"Invalid {param}: at most {MaxDecimalPlaces} decimal places are allowed.");
        return value;
    }

    /// <summary>Stripe's <c>unit_amount_decimal</c> spelling: no exponent, no trailing zeros ("2000", "12.5").</summary>
    public static string FormatDecimal(decimal value) =>
        (value / 1.000000000000000000000000000000000m).ToString(CultureInfo.InvariantCulture);

    /// <summary>The integer amount (<c>unit_amount</c>) when the decimal one is whole, else null (Stripe renders it so).</summary>
    public static long? Whole(decimal? value) => value is { } v && decimal.Truncate(v) == v ? (long)v : null;

    /// <summary>
    /// Tiers in order, every bound above the one before, the last one unbounded (<c>up_to=inf</c>), each with an amount;
    /// null when they are, else the first fault.
    /// </summary>
    public static StripeError? CheckTiers(IReadOnlyList<PriceTier> tiers, string param = "tiers")
    {
        if (tiers.Count == 0) return StripeError.ParameterMissing(param);
        long previous = 0;
        for (var i = 0; i < tiers.Count; i++)
        {
            var t = tiers[i];
            var last = i == tiers.Count - 1;
            if (t.UpTo is null && !last)
                return StripeError.InvalidValue($"{param}[{i}][up_to]", "Only the last tier can have an `up_to` of `inf`.");
            if (t.UpTo is null != last)
                return StripeError.InvalidValue($"{param}[{i}][up_to]", "The last tier must have an `up_to` of `inf`.");
            if (t.UpTo is { } up)
            {
                if (up <= previous)
                    return StripeError.InvalidValue($"{param}[{i}][up_to]", $"Invalid {param}[{i}][up_to]: tiers must be in increasing order of `up_to`.");
                previous = up;
            }
            if (t.UnitAmount is null && t.FlatAmount is null)
                return StripeError.InvalidValue($"{param}[{i}]", $"Invalid {param}[{i}]: a tier needs `unit_amount`, `unit_amount_decimal`, `flat_amount` or `flat_amount_decimal`.");
        }
        return null;
    }

    /// <summary>
    /// What <paramref name="quantity"/> units of the price cost in <paramref name="currency"/> (the price's own by
    /// default, else one of its <c>currency_options</c>), in minor units: quantity transformed (divided and rounded),
    /// then per unit or through the tiers (volume: the one tier the whole quantity falls in; graduated: each tier's
    /// share, plus the flat amount of every tier reached). Fractional results round half away from zero.
    /// Null when the price has no fixed amount (<c>custom_unit_amount</c>: the customer chooses) or no such currency.
    /// </summary>
    public static long? AmountFor(Price price, long quantity, string? currency = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(quantity);
        decimal? unit;
        IReadOnlyList<PriceTier>? tiers;
        if (currency is null || currency == price.Currency) (unit, tiers) = (price.UnitAmount, price.Tiers);
        else if (price.CurrencyOptions.TryGetValue(currency, out var option)) (unit, tiers) = (option.UnitAmount, option.Tiers);
        else return null;

        if (price.TransformQuantity is { } tq)
            quantity = tq.Round == QuantityRounding.Up ? (quantity + tq.DivideBy - 1) / tq.DivideBy : quantity / tq.DivideBy;

        decimal total;
        if (price.BillingScheme == BillingScheme.PerUnit)
        {
            if (unit is null) return null;
            total = unit.Value * quantity;
        }
        else
        {
            if (tiers is null || quantity == 0) return 0;
            total = price.TiersMode == TiersMode.Volume ? Volume(tiers, quantity) : Graduated(tiers, quantity);
        }
        return (long)decimal.Round(total, 0, MidpointRounding.AwayFromZero);
    }

    private static decimal Volume(IReadOnlyList<PriceTier> tiers, long quantity)
    {
        var tier = tiers.First(t => t.UpTo is null || quantity <= t.UpTo);
        return (tier.UnitAmount ?? 0) * quantity + (tier.FlatAmount ?? 0);
    }

    private static decimal Graduated(IReadOnlyList<PriceTier> tiers, long quantity)
    {
        decimal total = 0;
        long below = 0;
        foreach (var t in tiers)
        {
            var units = Math.Min(quantity, t.UpTo ?? long.MaxValue) - below;
            if (units <= 0) break;
            total += (t.UnitAmount ?? 0) * units + (t.FlatAmount ?? 0);
            below += units;
        }
        return total;
    }
}
