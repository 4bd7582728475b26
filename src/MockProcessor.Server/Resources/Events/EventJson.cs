using System.Text.Json.Nodes;
using MockProcessor.Domain.Events;
using MockProcessor.Server.Wire;
using MockProcessor.Server.Wire.Versions;

namespace MockProcessor.Server.Resources.Events;

/// <summary>
/// Events are frozen: <c>data.object</c> is the snapshot taken at the change, rendered unexpanded and unredacted, in the
/// event's API version (the account's default when it happened); a webhook endpoint pinned to another version gets
/// its own rendering (<see cref="RenderAt"/>). <c>previous_attributes</c> are stored with the event, or found now from the
/// old version it keeps (<see cref="Event.Previous"/>), in the current version's shape either way.
/// </summary>
public static class EventJson
{
    public static JsonObject Render(Event e, RenderContext ctx, ExpandNode expand) => RenderAt(e, ctx, e.ApiVersion);

    /// <summary>The event with <c>data.object</c> in the shape of <paramref name="apiVersion"/>, which it also names.</summary>
    public static JsonObject RenderAt(Event e, RenderContext ctx, string apiVersion)
    {
        var obj = ctx.RenderFrozen(e.Snapshot);
        ApiChanges.Render(obj, ApiVersions.Stored(apiVersion), ctx);
        var data = new JsonObject { ["object"] = obj };
        if (e.Previous is { } before)
        {
            if (ctx.PreviousAttributesFrozen(before, e.Snapshot) is { } found) data["previous_attributes"] = found;
        }
        else if (e.PreviousAttributesUtf8() is { IsEmpty: false } previous) data["previous_attributes"] = JsonNode.Parse(previous);
        var json = new JsonObject { ["id"] = e.Id, ["object"] = "event" };
        if (e.ConnectedAccount is not null) json["account"] = e.ConnectedAccount;
        json["api_version"] = apiVersion;
        json["created"] = e.Created;
        json["data"] = data;
        json["livemode"] = false;
        json["pending_webhooks"] = ctx.Tx.Account.CountWithMerchant(e.AccountId, Webhooks.WebhookIndexes.PendingByEvent, e.Id);
        json["request"] = new JsonObject { ["id"] = e.RequestId, ["idempotency_key"] = e.IdempotencyKey };
        json["type"] = e.Type;
        return json;
    }
}
