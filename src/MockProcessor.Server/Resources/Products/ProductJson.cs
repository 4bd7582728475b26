using System.Text.Json.Nodes;
using MockProcessor.Domain.Common;
using MockProcessor.Domain.Products;
using MockProcessor.Server.Wire;

namespace MockProcessor.Server.Resources.Products;

/// <summary>Product → Stripe's wire shape at the current API version (fixtures3.current.json).</summary>
public static class ProductJson
{
    public static JsonObject Render(Product pr, RenderContext ctx, ExpandNode expand)
    {
        if (pr.Deleted) return Deleted(pr.Id);
        var images = new JsonArray();
        foreach (var i in pr.Images) images.Add(i);
        var features = new JsonArray();
        foreach (var f in pr.MarketingFeatures) features.Add(new JsonObject { ["name"] = f });
        return new JsonObject
        {
            ["id"] = pr.Id,
            ["object"] = "product",
            ["active"] = pr.Active,
            ["created"] = pr.Created,
            ["default_price"] = ctx.Ref(expand, "default_price", pr.DefaultPrice),
            ["description"] = pr.Description,
            ["images"] = images,
            ["livemode"] = false,
            ["marketing_features"] = features,
            ["metadata"] = ctx.Metadata(pr.Metadata),
            ["name"] = pr.Name,
            ["package_dimensions"] = null,
            ["shippable"] = pr.Shippable,
            ["statement_descriptor"] = pr.StatementDescriptor,
            ["tax_code"] = pr.TaxCode,
            ["type"] = pr.Type.ToWire(),
            ["unit_label"] = pr.UnitLabel,
            ["updated"] = pr.Updated,
            ["url"] = pr.Url,
        };
    }

    public static JsonObject Deleted(string id) => new() { ["id"] = id, ["object"] = "product", ["deleted"] = true };
}
