using System.Text.Json.Nodes;
using MockProcessor.Domain.Webhooks;
using MockProcessor.Server.Wire;

namespace MockProcessor.Server.Resources.WebhookEndpoints;

/// <summary>WebhookEndpoint → Stripe's wire shape (fixtures3.current.json). The secret is added only by create.</summary>
public static class WebhookEndpointJson
{
    public static JsonObject Render(WebhookEndpoint e, RenderContext ctx, ExpandNode expand)
    {
        if (e.Deleted) return Deleted(e.Id);
        var events = new JsonArray();
        foreach (var t in e.EnabledEvents) events.Add(t);
        return new JsonObject
        {
            ["id"] = e.Id,
            ["object"] = "webhook_endpoint",
            ["api_version"] = e.ApiVersion,
            ["application"] = null,
            ["created"] = e.Created,
            ["description"] = e.Description,
            ["enabled_events"] = events,
            ["livemode"] = false,
            ["metadata"] = ctx.Metadata(e.Metadata),
            ["status"] = e.Disabled ? "disabled" : "enabled",
            ["url"] = e.Url,
        };
    }

    public static JsonObject Deleted(string id) => new() { ["id"] = id, ["object"] = "webhook_endpoint", ["deleted"] = true };
}
