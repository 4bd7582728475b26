using System.Text.Json.Nodes;
using MockProcessor.Domain.Events;
using MockProcessor.Server.Wire;

namespace MockProcessor.Server.Resources.Events;

/// <summary>Events are frozen: <c>data.object</c> is the snapshot taken at the change, rendered unexpanded and unredacted.</summary>
public static class EventJson
{
    public static JsonObject Render(Event e, RenderContext ctx, ExpandNode expand)
    {
        var data = new JsonObject { ["object"] = ctx.RenderFrozen(e.Snapshot) };
        if (e.PreviousAttributesJson is not null) data["previous_attributes"] = JsonNode.Parse(e.PreviousAttributesJson);
        var json = new JsonObject { ["id"] = e.Id, ["object"] = "event" };
        if (e.ConnectedAccount is not null) json["account"] = e.ConnectedAccount;
        foreach (var (k, v) in new JsonObject
        {
            ["api_version"] = e.ApiVersion,
            ["created"] = e.Created,
            ["data"] = data,
            ["livemode"] = false,
            ["pending_webhooks"] = ctx.Tx.Account.PendingWebhooksOf(e.Id),
            ["request"] = new JsonObject { ["id"] = e.RequestId, ["idempotency_key"] = e.IdempotencyKey },
            ["type"] = e.Type,
        }.ToList())
            json[k] = v?.DeepClone();
        return json;
    }
}
