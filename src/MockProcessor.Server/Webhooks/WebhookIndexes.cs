using MockProcessor.Domain.Webhooks;
using MockProcessor.Server.Storage;

namespace MockProcessor.Server.Webhooks;

/// <summary>The webhook resources' secondary indexes (declared in Registry.Indexes, kept by the store).</summary>
public static class WebhookIndexes
{
    /// <summary>An account's enabled, undeleted endpoints: an account without any pays one lookup per event.</summary>
    public static readonly SecondaryIndex<WebhookEndpoint> Active = new("webhook_endpoint", "active", e => e.Active ? "active" : null);

    /// <summary>Deliveries still pending, by event: the event's <c>pending_webhooks</c>.</summary>
    public static readonly SecondaryIndex<WebhookDelivery> PendingByEvent = new("webhook_delivery", "pending_event", d => d.IsPending ? d.EventId : null);

    /// <summary>Deliveries still pending, by endpoint: what disabling or deleting the endpoint ends.</summary>
    public static readonly SecondaryIndex<WebhookDelivery> PendingByEndpoint = new("webhook_delivery", "pending_endpoint", d => d.IsPending ? d.EndpointId : null);

    /// <summary>Every delivery of an event, whatever its status (the dashboard shows an event's deliveries).</summary>
    public static readonly SecondaryIndex<WebhookDelivery> ByEvent = new("webhook_delivery", "event", d => d.EventId);

    /// <summary>Every delivery to an endpoint (the dashboard's recent success rate).</summary>
    public static readonly SecondaryIndex<WebhookDelivery> ByEndpoint = new("webhook_delivery", "endpoint", d => d.EndpointId);

    public static IEnumerable<SecondaryIndex> All => [Active, PendingByEvent, PendingByEndpoint, ByEvent, ByEndpoint];
}
