using System.Text.Json.Nodes;
using MockProcessor.Domain.Customers;
using MockProcessor.Domain.PaymentMethods;
using MockProcessor.Server.Wire;

namespace MockProcessor.Server.Resources.Customers;

/// <summary>
/// The legacy <c>card</c> object (fixtures3.current.json <c>card</c>): a customer's saved card, the card of a
/// token, a legacy charge's <c>source</c>. Its brand is the capitalised legacy name ("Visa", "American Express").
/// </summary>
public static class CardJson
{
    private static readonly Dictionary<string, string> LegacyBrands = new()
    {
        ["visa"] = "Visa", ["mastercard"] = "MasterCard", ["amex"] = "American Express", ["discover"] = "Discover",
        ["diners"] = "Diners Club", ["jcb"] = "JCB", ["unionpay"] = "UnionPay", ["cartes_bancaires"] = "Cartes Bancaires",
        ["eftpos_au"] = "Eftpos Australia",
    };

    public static JsonObject Render(CardSource card, RenderContext ctx, ExpandNode expand)
    {
        var json = Fields(card.Id, card.Details, card.Name, card.Address, ctx.Metadata(card.Metadata));
        // A customer's card names its customer (an account's card would carry `account` instead).
        json.Insert(json.IndexOf("cvc_check"), "customer", ctx.Ref(expand, "customer", card.Customer));
        return json;
    }

    /// <summary>The card inside a token: no owner yet, and the token's <c>networks</c>.</summary>
    public static JsonObject ForToken(string id, CardDetails details, string? name)
    {
        var json = Fields(id, details, name, null, new JsonObject());
        json.Insert(json.IndexOf("regulated_status"), "networks", new JsonObject { ["preferred"] = null });
        return json;
    }

    public static JsonObject Deleted(string id) => new() { ["id"] = id, ["object"] = "card", ["deleted"] = true };

    private static JsonObject Fields(string id, CardDetails d, string? name, Address? a, JsonObject metadata) => new()
    {
        ["id"] = id,
        ["object"] = "card",
        ["address_city"] = a?.City,
        ["address_country"] = a?.Country,
        ["address_line1"] = a?.Line1,
        ["address_line1_check"] = d.AddressLine1Check,
        ["address_line2"] = a?.Line2,
        ["address_state"] = a?.State,
        ["address_zip"] = a?.PostalCode,
        ["address_zip_check"] = d.AddressPostalCodeCheck,
        ["brand"] = LegacyBrands.GetValueOrDefault(d.Brand, "Unknown"),
        ["country"] = d.Country,
        ["cvc_check"] = d.CvcCheck,
        ["dynamic_last4"] = null,
        ["exp_month"] = d.ExpMonth,
        ["exp_year"] = d.ExpYear,
        ["fingerprint"] = d.Fingerprint,
        ["funding"] = d.Funding,
        ["last4"] = d.Last4,
        ["metadata"] = metadata,
        ["name"] = name,
        ["regulated_status"] = "unregulated",
        ["tokenization_method"] = null,
    };
}
