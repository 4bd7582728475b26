using System.Text.Json.Nodes;
using MockProcessor.Domain.Common;
using MockProcessor.Domain.Products;
using MockProcessor.Server.Wire;

namespace MockProcessor.Server.Resources.Prices;

/// <summary>
/// Price → Stripe's wire shape at the current API version (fixtures3.current.json). <c>currency_options</c> and
/// <c>tiers</c> are includable: rendered only when expanded, as Stripe does.
/// </summary>
public static class PriceJson
{
    public static JsonObject Render(Price pr, RenderContext ctx, ExpandNode expand)
    {
        var json = new JsonObject(WireJson.Room(19))
        {
            ["id"] = pr.Id,
            ["object"] = "price",
            ["active"] = pr.Active,
            ["billing_scheme"] = pr.BillingScheme.ToWire(),
            ["created"] = pr.Created,
            ["currency"] = pr.Currency,
        };
        if (expand.Child("currency_options") is not null) json["currency_options"] = CurrencyOptions(pr);
        json["custom_unit_amount"] = Custom(pr.CustomUnitAmount);
        json["livemode"] = false;
        json["lookup_key"] = pr.LookupKey;
        json["metadata"] = ctx.Metadata(pr.Metadata);
        json["nickname"] = pr.Nickname;
        json["product"] = ctx.Ref(expand, "product", pr.Product);
        json["recurring"] = pr.Recurring is not { } r ? null : new JsonObject
        {
            ["interval"] = r.Interval.ToWire(),
            ["interval_count"] = r.IntervalCount,
            ["meter"] = r.Meter,
            ["trial_period_days"] = r.TrialPeriodDays,
            ["usage_type"] = r.UsageType.ToWire(),
        };
        json["tax_behavior"] = (pr.TaxBehavior ?? TaxBehavior.Unspecified).ToWire();
        if (expand.Child("tiers") is not null) json["tiers"] = Tiers(pr.Tiers);
        json["tiers_mode"] = pr.TiersMode?.ToWire();
        json["transform_quantity"] = pr.TransformQuantity is not { } t ? null
            : new JsonObject { ["divide_by"] = t.DivideBy, ["round"] = t.Round.ToWire() };
        json["type"] = pr.Type.ToWire();
        json["unit_amount"] = PriceRules.Whole(pr.UnitAmount);
        json["unit_amount_decimal"] = pr.UnitAmount is { } u ? PriceRules.FormatDecimal(u) : null;
        return json;
    }

    // The price's own currency is one of its options too, with the top-level amounts.
    private static JsonObject CurrencyOptions(Price pr)
    {
        var all = new SortedDictionary<string, CurrencyOption>(pr.CurrencyOptions, StringComparer.Ordinal)
        {
            [pr.Currency] = new(pr.UnitAmount, pr.TaxBehavior, pr.CustomUnitAmount, pr.Tiers),
        };
        var json = new JsonObject();
        foreach (var (code, o) in all)
        {
            var option = new JsonObject
            {
                ["custom_unit_amount"] = Custom(o.CustomUnitAmount),
                ["tax_behavior"] = (o.TaxBehavior ?? TaxBehavior.Unspecified).ToWire(),
            };
            if (o.Tiers is not null) option["tiers"] = Tiers(o.Tiers);
            option["unit_amount"] = PriceRules.Whole(o.UnitAmount);
            option["unit_amount_decimal"] = o.UnitAmount is { } u ? PriceRules.FormatDecimal(u) : null;
            json[code] = option;
        }
        return json;
    }

    private static JsonObject? Custom(CustomUnitAmount? c) => c is null ? null
        : new JsonObject { ["maximum"] = c.Maximum, ["minimum"] = c.Minimum, ["preset"] = c.Preset };

    private static JsonArray Tiers(IReadOnlyList<PriceTier>? tiers)
    {
        var json = new JsonArray();
        foreach (var t in tiers ?? [])
            json.Add(new JsonObject
            {
                ["flat_amount"] = PriceRules.Whole(t.FlatAmount),
                ["flat_amount_decimal"] = t.FlatAmount is { } f ? PriceRules.FormatDecimal(f) : null,
                ["unit_amount"] = PriceRules.Whole(t.UnitAmount),
                ["unit_amount_decimal"] = t.UnitAmount is { } u ? PriceRules.FormatDecimal(u) : null,
                ["up_to"] = t.UpTo,
            });
        return json;
    }
}
