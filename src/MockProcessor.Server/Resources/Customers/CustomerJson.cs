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
        return new JsonObject
        {
            ["id"] = c.Id,
            ["object"] = "customer",
            ["address"] = c.Address is null ? null : AddressForm.Render(c.Address),
            ["balance"] = c.Balance,
            ["created"] = c.Created,
            ["currency"] = c.Currency,
            ["default_source"] = null,
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
            ["next_invoice_sequence"] = 1,
            ["phone"] = c.Phone,
            ["preferred_locales"] = locales,
            ["shipping"] = null,
            ["tax_exempt"] = "none",
            ["test_clock"] = ctx.Ref(expand, "test_clock", c.TestClock),
        };
    }

    public static JsonObject Deleted(string id) => new() { ["id"] = id, ["object"] = "customer", ["deleted"] = true };
}
