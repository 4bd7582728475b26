using System.Text.Json.Nodes;
using MockProcessor.Domain.Tokens;
using MockProcessor.Server.Wire;

namespace MockProcessor.Server.Resources.Tokens;

/// <summary>A card token renders its card in the legacy <c>card</c> object shape, whose brand is capitalised ("Visa").</summary>
public static class TokenJson
{
    private static readonly Dictionary<string, string> LegacyBrands = new()
    {
        ["visa"] = "Visa", ["mastercard"] = "MasterCard", ["amex"] = "American Express", ["discover"] = "Discover",
        ["diners"] = "Diners Club", ["jcb"] = "JCB", ["unionpay"] = "UnionPay", ["cartes_bancaires"] = "Cartes Bancaires",
        ["eftpos_au"] = "Eftpos Australia",
    };

    public static JsonObject Render(Token t, RenderContext ctx, ExpandNode expand) => new()
    {
        ["id"] = t.Id,
        ["object"] = "token",
        ["card"] = new JsonObject
        {
            ["id"] = t.CardId,
            ["object"] = "card",
            ["address_city"] = null, ["address_country"] = null, ["address_line1"] = null,
            ["address_line1_check"] = t.Card.AddressLine1Check, ["address_line2"] = null, ["address_state"] = null,
            ["address_zip"] = null, ["address_zip_check"] = t.Card.AddressPostalCodeCheck,
            ["brand"] = LegacyBrands.GetValueOrDefault(t.Card.Brand, "Unknown"),
            ["country"] = t.Card.Country,
            ["cvc_check"] = t.Card.CvcCheck,
            ["dynamic_last4"] = null,
            ["exp_month"] = t.Card.ExpMonth,
            ["exp_year"] = t.Card.ExpYear,
            ["fingerprint"] = t.Card.Fingerprint,
            ["funding"] = t.Card.Funding,
            ["last4"] = t.Card.Last4,
            ["metadata"] = new JsonObject(),
            ["name"] = t.CardName,
            ["networks"] = new JsonObject { ["preferred"] = null },
            ["regulated_status"] = "unregulated",
            ["tokenization_method"] = null,
        },
        ["client_ip"] = t.ClientIp,
        ["created"] = t.Created,
        ["livemode"] = false,
        ["type"] = "card",
        ["used"] = t.Used,
    };
}
