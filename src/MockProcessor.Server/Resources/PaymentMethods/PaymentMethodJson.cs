using System.Text.Json.Nodes;
using MockProcessor.Domain.PaymentMethods;
using MockProcessor.Server.Resources.Shared;
using MockProcessor.Server.Wire;

namespace MockProcessor.Server.Resources.PaymentMethods;

public static class PaymentMethodJson
{
    public static JsonObject Render(PaymentMethod pm, RenderContext ctx, ExpandNode expand) => new()
    {
        ["id"] = pm.Id,
        ["object"] = "payment_method",
        ["allow_redisplay"] = pm.AllowRedisplay,
        ["billing_details"] = BillingDetailsJson(pm.BillingDetails),
        ["card"] = Card(pm.Card),
        ["created"] = pm.Created,
        ["customer"] = ctx.Ref(expand, "customer", pm.Customer),
        ["customer_account"] = null,
        ["livemode"] = false,
        ["metadata"] = ctx.Metadata(pm.Metadata),
        ["type"] = pm.Type,
    };

    public static JsonObject BillingDetailsJson(BillingDetails b) => new()
    {
        ["address"] = AddressForm.Render(b.Address),
        ["email"] = b.Email,
        ["name"] = b.Name,
        ["phone"] = b.Phone,
        ["tax_id"] = null,
    };

    public static JsonObject Card(CardDetails c) => new()
    {
        ["brand"] = c.Brand,
        ["checks"] = new JsonObject
        {
            ["address_line1_check"] = c.AddressLine1Check,
            ["address_postal_code_check"] = c.AddressPostalCodeCheck,
            ["cvc_check"] = c.CvcCheck,
        },
        ["country"] = c.Country,
        ["display_brand"] = c.DisplayBrand ?? c.Brand,
        ["exp_month"] = c.ExpMonth,
        ["exp_year"] = c.ExpYear,
        ["fingerprint"] = c.Fingerprint,
        ["funding"] = c.Funding,
        ["generated_from"] = null,
        ["last4"] = c.Last4,
        ["networks"] = new JsonObject { ["available"] = new JsonArray(c.Brand), ["preferred"] = null },
        ["regulated_status"] = "unregulated",
        ["three_d_secure_usage"] = new JsonObject { ["supported"] = c.Brand != "amex" },
        ["wallet"] = null,
    };
}
