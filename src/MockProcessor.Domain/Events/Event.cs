using MockProcessor.Domain.Common;

namespace MockProcessor.Domain.Events;

/// <summary>
/// A recorded state change. <see cref="ObjectJson"/> is the object's wire rendering at that moment and
/// <see cref="PreviousAttributesJson"/> the changed fields' old values: events are frozen, never re-rendered.
/// </summary>
public sealed record Event : StripeObject
{
    public override string ObjectType => "event";
    public required string Type { get; init; }
    public required string ApiVersion { get; init; }
    public required string ObjectJson { get; init; }
    public string? PreviousAttributesJson { get; init; }
    public string? RequestId { get; init; }
    public string? IdempotencyKey { get; init; }
    public string? RelatedObjectId { get; init; }
}
