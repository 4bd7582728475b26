using MockProcessor.Domain.Common;

namespace MockProcessor.Domain.Events;

/// <summary>
/// A recorded state change. <see cref="Snapshot"/> is the object's immutable version at that moment (rendered
/// unexpanded as <c>data.object</c>; holding the record instead of its JSON costs almost no memory, since a new
/// version shares its unchanged fields with the old) and <see cref="PreviousAttributesJson"/> the changed
/// fields' old values. Events are frozen: a later change makes a new version and never touches this one.
/// </summary>
public sealed record Event : StripeObject
{
    public override string ObjectType => "event";
    public required string Type { get; init; }
    public required string ApiVersion { get; init; }
    public required StripeObject Snapshot { get; init; }
    public string? PreviousAttributesJson { get; init; }
    public string? RequestId { get; init; }
    public string? IdempotencyKey { get; init; }
    public string? RelatedObjectId { get; init; }
    /// <summary>The connected account the event happened on (rendered as top-level <c>account</c>); null for a merchant's own.</summary>
    public string? ConnectedAccount { get; init; }
}
