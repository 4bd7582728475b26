using MockProcessor.Domain.Errors;
using MockProcessor.Domain.Events;
using MockProcessor.Domain.Webhooks;
using MockProcessor.Server.Webhooks;
using MockProcessor.Server.Wire;

namespace MockProcessor.Server.Control;

/// <summary>
/// The webhook delivery log, resend and QA faults under <c>/_mock</c>. They run through the Stripe pipeline
/// (<see cref="StripeApi"/>) like /v1 routes: the merchant's secret key, form parameters with unknown-parameter
/// checks, Stripe's error envelope, the merchant's lock and a durable commit — but they are not Stripe's API,
/// so they are not in <c>Registry.Routes()</c>. See docs/webhooks.md "Control API".
/// </summary>
public static class WebhookControlEndpoints
{
    public static IEnumerable<ApiRoute> Routes() =>
    [
        new("GET", "/_mock/webhooks/deliveries", "list:webhook_delivery", List)
            { Params = "created ending_before endpoint event limit starting_after status" },
        new("POST", "/_mock/webhooks/deliveries/resend", "webhook_delivery", Resend) { Params = "endpoint event" },
        new("GET", "/_mock/webhook_endpoints/{id}/faults", "webhook_endpoint_faults", GetFaults) { Params = "" },
        new("POST", "/_mock/webhook_endpoints/{id}/faults", "webhook_endpoint_faults", SetFaults)
            { Params = "delay_seconds drop_types duplicate fail_first reorder_window stale_timestamp wrong_secret" },
        new("DELETE", "/_mock/webhook_endpoints/{id}/faults", "webhook_endpoint_faults", ClearFaults) { Params = "" },
        new("POST", "/_mock/webhook_endpoints/{id}/roll_secret", "webhook_secret_roll", RollSecret) { Params = "expires_in" },
    ];

    private static ApiResult List(ApiContext c)
    {
        var lp = ListParams.Read(c.P);
        var ev = c.P.String("event");
        var endpoint = c.P.String("endpoint");
        var status = c.P.Enum("status", DeliveryStatus.Pending, DeliveryStatus.Succeeded, DeliveryStatus.Failed, DeliveryStatus.Dropped, DeliveryStatus.Canceled);
        var (page, more) = Lists.Page(c.Tx.NewestFirst<WebhookDelivery>("webhook_delivery"), lp,
            d => (ev is null || d.EventId == ev) && (endpoint is null || d.EndpointId == endpoint) && (status is null || d.Status == status),
            "webhook_delivery");
        return Lists.Render(page, more, "/_mock/webhooks/deliveries", c.Render, c.Expand);
    }

    /// <summary>Like the Dashboard's Resend: a new delivery of the event to the endpoint; earlier deliveries are untouched.</summary>
    private static ApiResult Resend(ApiContext c)
    {
        var ev = c.Load<Event>(c.P.RequiredString("event"), "event", "event");
        var endpoint = LoadEndpoint(c, c.P.RequiredString("endpoint"), "endpoint");
        if (!endpoint.Active)
            throw new StripeException(StripeError.InvalidValue("endpoint", $"The webhook endpoint {endpoint.Id} is disabled; enable it before resending."));
        var delivery = WebhookRules.NewDelivery(c.Ids.Next("whd"), endpoint, ev.Id, ev.Type, c.Now, resend: true);
        c.Tx.Put(delivery);
        return c.Respond(delivery);
    }

    private static WebhookEndpoint LoadEndpoint(ApiContext c, string id, string param = "id")
    {
        var e = c.Load<WebhookEndpoint>(id, "webhook_endpoint", param);
        return e.Deleted ? throw new StripeException(StripeError.ResourceMissing("webhook_endpoint", id, param)) : e;
    }

    private static ApiResult GetFaults(ApiContext c)
    {
        var e = LoadEndpoint(c, c.Route("id"));
        return WebhookDeliveryJson.RenderFaults(e.Id, e.Faults);
    }

    /// <summary>Sets the given faults; faults not mentioned keep their values.</summary>
    private static ApiResult SetFaults(ApiContext c)
    {
        var p = c.P;
        var e = LoadEndpoint(c, c.Route("id"));
        var f = e.Faults;
        if (p.Bool("duplicate") is { } dup) f = f with { Duplicate = dup };
        if (p.Long("reorder_window", 0, 86_400) is { } window) f = f with { ReorderWindow = (int)window };
        if (p.Long("delay_seconds", 0, 30 * 86_400) is { } delay) f = f with { DelaySeconds = (int)delay };
        if (p.Long("fail_first", 0, 100) is { } failFirst) f = f with { FailFirst = (int)failFirst };
        if (p.StringList("drop_types") is { } drop)
        {
            foreach (var t in drop)
                if (!KnownEventTypes.Names.Contains(t))
                    throw new StripeException(StripeError.InvalidValue("drop_types", $"'{t}' is not a known event type."));
            f = f with { DropTypes = drop.Distinct(StringComparer.Ordinal).ToList() };
        }
        if (p.Bool("wrong_secret") is { } wrong) f = f with { WrongSecret = wrong };
        if (p.Bool("stale_timestamp") is { } stale) f = f with { StaleTimestamp = stale };
        c.Tx.Put(e with { Faults = f });
        return WebhookDeliveryJson.RenderFaults(e.Id, f);
    }

    /// <summary>
    /// Rolls the endpoint's signing secret as the Dashboard's "Roll secret" does: the new secret signs from now on, the old
    /// one also signs (a second <c>v1</c> in <c>Stripe-Signature</c>) for <c>expires_in</c> seconds on the merchant's
    /// clock (0..86400, default 0: it stops at once). The new secret is shown in this answer only.
    /// </summary>
    private static ApiResult RollSecret(ApiContext c)
    {
        var e = LoadEndpoint(c, c.Route("id"));
        var overlap = c.P.Long("expires_in", 0, WebhookRules.MaxRollOverlapSeconds) ?? 0;
        var rolled = WebhookRules.RollSecret(e, "whsec_" + c.Ids.Chars(32), c.Now, overlap);
        c.Tx.Put(rolled);
        return new System.Text.Json.Nodes.JsonObject
        {
            ["object"] = "mock.webhook_secret_roll",
            ["webhook_endpoint"] = e.Id,
            ["secret"] = rolled.Secret,
            // Former secrets are not shown again (the caller has them); only until when each still signs.
            ["expiring_secrets"] = new System.Text.Json.Nodes.JsonArray(rolled.ExpiringSecrets
                .Select(s => (System.Text.Json.Nodes.JsonNode)new System.Text.Json.Nodes.JsonObject { ["expires_at"] = s.ExpiresAt }).ToArray()),
        };
    }

    private static ApiResult ClearFaults(ApiContext c)
    {
        var e = LoadEndpoint(c, c.Route("id"));
        c.Tx.Put(e with { Faults = WebhookFaults.None });
        return WebhookDeliveryJson.RenderFaults(e.Id, WebhookFaults.None);
    }
}
