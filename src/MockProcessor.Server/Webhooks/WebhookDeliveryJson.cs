using System.Text.Json.Nodes;
using MockProcessor.Domain.Webhooks;
using MockProcessor.Server.Wire;

namespace MockProcessor.Server.Webhooks;

/// <summary>A delivery and its attempt log, as the control API shows it (an emulator object, not Stripe's).</summary>
public static class WebhookDeliveryJson
{
    public static JsonObject Render(WebhookDelivery d, RenderContext ctx, ExpandNode expand)
    {
        var attempts = new JsonArray();
        foreach (var a in d.Attempts)
        {
            var faults = new JsonArray();
            foreach (var f in a.Faults) faults.Add(f);
            attempts.Add(new JsonObject
            {
                ["attempted_at"] = a.AttemptedAt,
                ["wall_time"] = a.WallTime,
                ["status"] = a.Status,
                ["error"] = a.Error,
                ["duration_ms"] = a.DurationMs,
                ["response_body"] = a.ResponseBody,
                ["faults"] = faults,
            });
        }
        return new JsonObject
        {
            ["id"] = d.Id,
            ["object"] = "webhook_delivery",
            ["created"] = d.Created,
            ["event"] = d.EventId,
            ["event_type"] = d.EventType,
            ["endpoint"] = d.EndpointId,
            ["status"] = d.Status,
            ["attempt_count"] = d.AttemptCount,
            ["next_attempt_at"] = d.NextAttemptAt,
            ["resend"] = d.Resend,
            ["attempts"] = attempts,
        };
    }

    public static JsonObject RenderFaults(string endpointId, WebhookFaults f)
    {
        var drop = new JsonArray();
        foreach (var t in f.DropTypes) drop.Add(t);
        return new JsonObject
        {
            ["object"] = "webhook_endpoint_faults",
            ["endpoint"] = endpointId,
            ["duplicate"] = f.Duplicate,
            ["reorder_window"] = f.ReorderWindow,
            ["delay_seconds"] = f.DelaySeconds,
            ["fail_first"] = f.FailFirst,
            ["drop_types"] = drop,
            ["wrong_secret"] = f.WrongSecret,
            ["stale_timestamp"] = f.StaleTimestamp,
        };
    }
}
