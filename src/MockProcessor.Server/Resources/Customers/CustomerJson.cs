using System.Text.Json.Nodes;
using MockProcessor.Domain.Customers;
using MockProcessor.Server.Resources.Shared;
using MockProcessor.Server.Wire;

namespace MockProcessor.Server.Resources.Customers;

/// <summary>Customer → Stripe's wire shape at the current API version (see fixtures3.current.json).</summary>
public static class CustomerJson
{
    public static JsonObject Render(Customer c, RenderContext ctx, ExpandNode expand)
    {
        if (c.Deleted) return Deleted(c.Id);
        var locales = new JsonArray();
        foreach (var l in c.PreferredLocales) locales.Add(l);
        var json = new JsonObject
        {
            ["id"] = c.Id,
            ["object"] = "customer",
            ["address"] = c.Address is null ? null : AddressForm.Render(c.Address),
            ["balance"] = c.Balance,
            ["created"] = c.Created,
            ["currency"] = c.Currency,
            ["default_source"] = ctx.Ref(expand, "default_source", c.DefaultSource),
            ["delinquent"] = false,
            ["description"] = c.Description,
            ["discount"] = null,
            ["email"] = c.Email,
            ["invoice_prefix"] = c.InvoicePrefix,
            ["invoice_settings"] = new JsonObject
            {
                ["custom_fields"] = null,
                ["default_payment_method"] = ctx.Ref(expand.Child("invoice_settings") ?? ExpandNode.None, "default_payment_method", c.DefaultPaymentMethod),
                ["footer"] = null,
                ["rendering_options"] = null,
            },
            ["livemode"] = false,
            ["metadata"] = ctx.Metadata(c.Metadata),
            ["name"] = c.Name,
            ["next_invoice_sequence"] = Billing.BillingEngine.NextInvoiceSequence(ctx.Tx, c),
            ["phone"] = c.Phone,
            ["preferred_locales"] = locales,
            ["shipping"] = null,
            ["tax_exempt"] = "none",
            ["test_clock"] = ctx.Ref(expand, "test_clock", c.TestClock),
        };
        // Since 2020-08-27 `sources` is rendered only when expanded (API_VERSIONS C01).
        if (expand.Child("sources") is { } sources) json.Insert(json.IndexOf("tax_exempt"), "sources", Sources(c, ctx, sources));
        return json;
    }

    // Stripe shows the customer's 10 most recent sources here; the rest are paged through /sources.
    private static JsonObject Sources(Customer c, RenderContext ctx, ExpandNode expand)
    {
        var cards = CustomerSourceEndpoints.CardsOf(ctx.Tx, c.Id).Take(11).ToList();
        var data = new JsonArray();
        foreach (var card in cards.Take(10)) data.Add(ctx.Render(card, expand.Child("data") ?? ExpandNode.None));
        return new JsonObject
        {
            ["object"] = "list", ["data"] = data, ["has_more"] = cards.Count > 10, ["url"] = $"/v1/customers/{c.Id}/sources",
        };
    }

    public static JsonObject Deleted(string id) => new() { ["id"] = id, ["object"] = "customer", ["deleted"] = true };
}
