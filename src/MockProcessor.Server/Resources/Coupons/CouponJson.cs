using System.Text.Json.Nodes;
using MockProcessor.Domain.Billing;
using MockProcessor.Domain.Common;
using MockProcessor.Server.Wire;

namespace MockProcessor.Server.Resources.Coupons;

/// <summary>Coupon and PromotionCode → Stripe's wire shape at the current API version (docs/discounts.md).</summary>
public static class CouponJson
{
    public static JsonObject Render(Coupon co, RenderContext ctx, ExpandNode expand)
    {
        if (co.Deleted) return Deleted(co.Id);
        return new JsonObject
        {
            ["id"] = co.Id,
            ["object"] = "coupon",
            ["amount_off"] = co.AmountOff,
            ["created"] = co.Created,
            ["currency"] = co.Currency,
            ["duration"] = co.Duration.ToWire(),
            ["duration_in_months"] = co.DurationInMonths,
            ["livemode"] = false,
            ["max_redemptions"] = co.MaxRedemptions,
            ["metadata"] = ctx.Metadata(co.Metadata),
            ["name"] = co.Name,
            ["percent_off"] = co.PercentOff is { } p ? (double)p : null,
            ["redeem_by"] = co.RedeemBy,
            ["times_redeemed"] = co.TimesRedeemed,
            ["valid"] = CouponRules.IsValid(co, ctx.Now),
        };
    }

    public static JsonObject Deleted(string id) => new() { ["id"] = id, ["object"] = "coupon", ["deleted"] = true };

    public static JsonObject RenderPromotionCode(PromotionCode pc, RenderContext ctx, ExpandNode expand)
    {
        var coupon = ctx.Tx.Get<Coupon>(pc.Coupon);
        var promotion = expand.Child("promotion") ?? ExpandNode.None;
        return new JsonObject
        {
            ["id"] = pc.Id,
            ["object"] = "promotion_code",
            // Stripe reports a code whose coupon can no longer be redeemed as inactive.
            ["active"] = pc.Active && coupon is not null && CouponRules.IsValid(coupon, ctx.Now),
            ["code"] = pc.Code,
            ["created"] = pc.Created,
            ["customer"] = ctx.Ref(expand, "customer", pc.Customer),
            ["expires_at"] = pc.ExpiresAt,
            ["livemode"] = false,
            ["max_redemptions"] = pc.MaxRedemptions,
            ["metadata"] = ctx.Metadata(pc.Metadata),
            ["promotion"] = new JsonObject { ["coupon"] = ctx.Ref(promotion, "coupon", pc.Coupon), ["type"] = "coupon" },
            ["restrictions"] = new JsonObject
            {
                ["first_time_transaction"] = pc.FirstTimeTransaction,
                ["minimum_amount"] = pc.MinimumAmount,
                ["minimum_amount_currency"] = pc.MinimumAmountCurrency,
            },
            ["times_redeemed"] = pc.TimesRedeemed,
        };
    }
}
