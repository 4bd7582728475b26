using System.Collections.Immutable;
using MockProcessor.Domain.Common;
using MockProcessor.Domain.Errors;
using MockProcessor.Domain.Money;
using MockProcessor.Domain.Products;
using MockProcessor.Server.Wire;

namespace MockProcessor.Server.Resources.Prices;

/// <summary>
/// Form values → a price's terms, shared by <c>POST /v1/prices</c> (<see cref="Shape.Full"/>) and the inline
/// <c>default_price_data</c> of a product (<see cref="Shape.Inline"/>, which Stripe limits to per-unit amounts and a
/// recurring interval) and a Checkout line item's <c>price_data</c> (<see cref="Shape.LineItem"/>: per-unit amount,
/// recurring and tax behavior only).
/// </summary>
public static class PriceForm
{
    public enum Shape { Full, Inline, LineItem }

    // Stripe's 8-digit limit on amounts, so a quantity times an amount stays within range.
    private const long MaxAmount = 99_999_999;

    /// <summary>Reads everything but <c>product</c>/<c>product_data</c>, <c>lookup_key</c> and <c>active</c> into <paramref name="seed"/>.</summary>
    public static Price Read(Params p, Price seed, Shape shape)
    {
        var full = shape == Shape.Full;
        var line = shape == Shape.LineItem;
        var recurring = ReadRecurring(p.Object("recurring"), full);
        var scheme = full ? p.Enum<BillingScheme>("billing_scheme") ?? BillingScheme.PerUnit : BillingScheme.PerUnit;
        var unit = Amount(p, "unit_amount", "unit_amount_decimal");
        var custom = line ? null : ReadCustom(p.Object("custom_unit_amount"), "custom_unit_amount");
        var tiers = full ? ReadTiers(p, "tiers") : null;
        var tiersMode = full ? p.Enum<TiersMode>("tiers_mode") : null;
        var transform = full ? ReadTransform(p.Object("transform_quantity")) : null;
        var taxBehavior = p.Enum<TaxBehavior>("tax_behavior");
        var nickname = full ? p.String("nickname", 5000) : null;
        var options = line ? ImmutableSortedDictionary<string, CurrencyOption>.Empty : ReadCurrencyOptions(p, seed.Currency);
        var price = seed with
        {
            BillingScheme = scheme, UnitAmount = unit, CustomUnitAmount = custom, Tiers = tiers, TiersMode = tiersMode,
            TransformQuantity = transform, TaxBehavior = taxBehavior, Nickname = nickname, Recurring = recurring,
            CurrencyOptions = options, Metadata = line ? Metadata.Empty : p.Metadata(Metadata.Empty),
        };
        Check(price);
        return price;
    }

    private static void Check(Price price)
    {
        if (price.BillingScheme == BillingScheme.Tiered)
        {
            if (price.UnitAmount is not null) throw Invalid("unit_amount", "`unit_amount` cannot be used with `billing_scheme=tiered`; give the amounts in `tiers`.");
            if (price.Tiers is null) throw new StripeException(StripeError.ParameterMissing("tiers"));
            if (price.TiersMode is null) throw new StripeException(StripeError.ParameterMissing("tiers_mode"));
            if (price.TransformQuantity is not null) throw Invalid("transform_quantity", "`transform_quantity` cannot be combined with `tiers`.");
            if (price.CustomUnitAmount is not null) throw Invalid("custom_unit_amount", "`custom_unit_amount` cannot be used with `billing_scheme=tiered`.");
            return;
        }
        if (price.Tiers is not null) throw Invalid("tiers", "`tiers` requires `billing_scheme=tiered`.");
        if (price.TiersMode is not null) throw Invalid("tiers_mode", "`tiers_mode` requires `billing_scheme=tiered`.");
        if (price.UnitAmount is not null && price.CustomUnitAmount is not null)
            throw new StripeException(StripeError.ParametersExclusive("unit_amount", "custom_unit_amount"));
        if (price.UnitAmount is null && price.CustomUnitAmount is null)
            throw Invalid("unit_amount", "One of `unit_amount`, `unit_amount_decimal` or `custom_unit_amount` is required unless `billing_scheme=tiered`.");
        if (price.CustomUnitAmount is not null && price.Recurring is not null)
            throw Invalid("custom_unit_amount", "`custom_unit_amount` can only be used with one-time prices.");
    }

    private static Recurring? ReadRecurring(Params? r, bool full)
    {
        if (r is null) return null;
        var interval = r.Enum<RecurringInterval>("interval") ?? throw new StripeException(StripeError.ParameterMissing("recurring[interval]"));
        var count = r.Long("interval_count") ?? 1;
        var usage = full ? r.Enum<UsageType>("usage_type") ?? UsageType.Licensed : UsageType.Licensed;
        var meter = full ? r.String("meter", 100) : null;
        var trial = full ? r.Long("trial_period_days") : null;
        return PriceRules.CheckRecurring(new Recurring(interval, count, usage, meter, trial)).OrThrow();
    }

    /// <summary>An integer amount or its decimal twin (one of them), as a decimal number of minor units.</summary>
    private static decimal? Amount(Params p, string intKey, string decimalKey)
    {
        var whole = p.Long(intKey, 0, MaxAmount);
        var text = p.String(decimalKey, 40);
        if (whole is not null && text is not null)
            throw new StripeException(StripeError.ParametersExclusive(p.NameOf(intKey), p.NameOf(decimalKey)));
        if (text is null) return whole;
        var value = PriceRules.ParseDecimalAmount(text, p.NameOf(decimalKey)).OrThrow();
        return value > MaxAmount ? throw Invalid(p.NameOf(decimalKey), $"Invalid {p.NameOf(decimalKey)}: must be at most {MaxAmount}.") : value;
    }

    private static CustomUnitAmount? ReadCustom(Params? c, string name)
    {
        if (c is null) return null;
        var enabled = c.Bool("enabled") ?? throw new StripeException(StripeError.ParameterMissing($"{name}[enabled]"));
        var custom = new CustomUnitAmount(c.Long("minimum", 0, MaxAmount), c.Long("maximum", 0, MaxAmount), c.Long("preset", 0, MaxAmount));
        if (!enabled) throw Invalid($"{name}[enabled]", $"Pass `{name}[enabled]=true` to let the customer choose the amount, or leave `{name}` out.");
        if (custom is { Minimum: { } min, Maximum: { } max } && min > max)
            throw Invalid($"{name}[minimum]", $"`{name}[minimum]` cannot be greater than `{name}[maximum]`.");
        if (custom.Preset is { } preset && (preset < (custom.Minimum ?? 0) || preset > (custom.Maximum ?? MaxAmount)))
            throw Invalid($"{name}[preset]", $"`{name}[preset]` must be between the minimum and the maximum.");
        return custom;
    }

    private static IReadOnlyList<PriceTier>? ReadTiers(Params p, string key)
    {
        if (p.ObjectList(key) is not { } items) return null;
        var tiers = new List<PriceTier>();
        foreach (var t in items)
        {
            var upTo = t.String("up_to") is { } u
                ? u == "inf" ? (long?)null
                : long.TryParse(u, out var n) && n > 0 ? n : throw Invalid(t.NameOf("up_to"), $"Invalid {t.NameOf("up_to")}: must be a positive integer or `inf`.")
                : throw new StripeException(StripeError.ParameterMissing(t.NameOf("up_to")));
            tiers.Add(new PriceTier(upTo, Amount(t, "unit_amount", "unit_amount_decimal"), Amount(t, "flat_amount", "flat_amount_decimal")));
        }
        if (PriceRules.CheckTiers(tiers, p.NameOf(key)) is { } error) throw new StripeException(error);
        return tiers;
    }

    private static TransformQuantity? ReadTransform(Params? t)
    {
        if (t is null) return null;
        var divideBy = t.Long("divide_by", 1) ?? throw new StripeException(StripeError.ParameterMissing("transform_quantity[divide_by]"));
        var round = t.Enum<QuantityRounding>("round") ?? throw new StripeException(StripeError.ParameterMissing("transform_quantity[round]"));
        return new TransformQuantity(divideBy, round);
    }

    /// <summary>
    /// <c>currency_options[eur][unit_amount]=...</c> merged over <paramref name="current"/>; the price's own currency is
    /// refused (it is set through the top-level parameters), as Stripe does.
    /// </summary>
    public static ImmutableSortedDictionary<string, CurrencyOption> ReadCurrencyOptions(
        Params p, string currency, ImmutableSortedDictionary<string, CurrencyOption>? current = null)
    {
        var options = current ?? ImmutableSortedDictionary<string, CurrencyOption>.Empty;
        if (p.IsEmpty("currency_options")) { p.Accept("currency_options"); return ImmutableSortedDictionary<string, CurrencyOption>.Empty; }
        if (p.Object("currency_options") is not { } all) return options;
        foreach (var code in all.Keys.ToList())
        {
            var param = all.NameOf(code);
            Currencies.ValidateCurrency(code, param).OrThrow();
            if (code == currency) throw new StripeException(StripeError.CurrencyOptionIsTopLevel(param));
            var o = all.Object(code) ?? throw new StripeException(StripeError.InvalidShape(param, "a hash"));
            var unit = Amount(o, "unit_amount", "unit_amount_decimal");
            var custom = ReadCustom(o.Object("custom_unit_amount"), o.NameOf("custom_unit_amount"));
            var tiers = ReadTiers(o, "tiers");
            var tax = o.Enum<TaxBehavior>("tax_behavior");
            options = options.SetItem(code, new CurrencyOption(unit, tax, custom, tiers));
        }
        return options;
    }

    private static StripeException Invalid(string param, string message) => new(StripeError.InvalidValue(param, message));
}
