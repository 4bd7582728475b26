using System.Text.Json.Nodes;
using MockProcessor.Domain.Common;
using MockProcessor.Domain.Products;
using MockProcessor.Server.Wire;

namespace MockProcessor.Server.Resources.Plans;

/// <summary>A recurring price shown as the legacy plan with the same id (fixtures3.current.json <c>plan</c>; BILLING_CHECKOUT §1).</summary>
public static class PlanJson
{
    public static JsonObject Render(Price p, RenderContext ctx, ExpandNode expand) => new(WireJson.Room(19))
    {
        ["id"] = p.Id,
        ["object"] = "plan",
        ["active"] = p.Active,
        ["amount"] = PriceRules.Whole(p.UnitAmount),
        ["amount_decimal"] = p.UnitAmount is { } u ? PriceRules.FormatDecimal(u) : null,
        ["billing_scheme"] = p.BillingScheme.ToWire(),
        ["created"] = p.Created,
        ["currency"] = p.Currency,
        ["interval"] = p.Recurring?.Interval.ToWire(),
        ["interval_count"] = p.Recurring?.IntervalCount,
        ["livemode"] = false,
        ["metadata"] = ctx.Metadata(p.Metadata),
        ["meter"] = p.Recurring?.Meter,
        ["nickname"] = p.Nickname,
        ["product"] = ctx.Ref(expand, "product", p.Product),
        ["tiers_mode"] = p.TiersMode?.ToWire(),
        ["transform_usage"] = null,
        ["trial_period_days"] = p.Recurring?.TrialPeriodDays,
        ["usage_type"] = (p.Recurring?.UsageType ?? UsageType.Licensed).ToWire(),
    };

    /// <summary>The snapshot a <c>plan.*</c> event carries.</summary>
    public static JsonObject RenderSnapshot(PlanSnapshot s, RenderContext ctx, ExpandNode expand) => Render(s.Price, ctx, expand);
}
