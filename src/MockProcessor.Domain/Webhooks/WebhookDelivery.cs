using MockProcessor.Domain.Common;

namespace MockProcessor.Domain.Webhooks;

/// <summary>
/// One event's delivery to one endpoint (emulator object, <c>whd_</c>), written in the same unit of work as the
/// event (outbox). It is pending until an attempt gets a 2xx (<c>succeeded</c>), the retry schedule runs out
/// (<c>failed</c>), a fault drops it (<c>dropped</c>) or its endpoint is disabled or deleted (<c>canceled</c>).
/// </summary>
public sealed record WebhookDelivery : StripeObject
{
    public override string ObjectType => "webhook_delivery";
    public required string EventId { get; init; }
    public required string EventType { get; init; }
    public required string EndpointId { get; init; }
    public string Status { get; init; } = DeliveryStatus.Pending;
    /// <summary>Virtual time (Unix seconds) the next attempt is due; null once the delivery is finished.</summary>
    public long? NextAttemptAt { get; init; }
    /// <summary>Scheduled attempts made (a fault's duplicate send is logged but not counted).</summary>
    public int AttemptCount { get; init; }
    /// <summary>Faults applied when the delivery was created (delay, reorder), named on its first attempt.</summary>
    public IReadOnlyList<string> InitialFaults { get; init; } = [];
    /// <summary>Made by a manual resend rather than by the event.</summary>
    public bool Resend { get; init; }
    public IReadOnlyList<WebhookAttempt> Attempts { get; init; } = [];

    public bool IsPending => Status == DeliveryStatus.Pending;
}

/// <summary>
/// One attempt in the delivery log. <see cref="AttemptedAt"/> is virtual time, <see cref="WallTime"/> the real
/// time it was signed with; <see cref="Status"/> is the receiver's HTTP status or null when there was no answer
/// (<see cref="Error"/> says why).
/// </summary>
public sealed record WebhookAttempt
{
    public required long AttemptedAt { get; init; }
    public required long WallTime { get; init; }
    public int? Status { get; init; }
    public string? Error { get; init; }
    public long DurationMs { get; init; }
    public string? ResponseBody { get; init; }
    public IReadOnlyList<string> Faults { get; init; } = [];

    public bool Succeeded => Status is >= 200 and < 300;
}

public static class DeliveryStatus
{
    public const string Pending = "pending";
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";
    public const string Dropped = "dropped";
    public const string Canceled = "canceled";
}
