using MockProcessor.Domain.Common;

namespace MockProcessor.Domain.Events;

/// <summary>
/// A recorded state change. <see cref="Snapshot"/> is the object's immutable version at that moment (rendered
/// unexpanded as <c>data.object</c>; holding the record instead of its JSON costs almost no memory, since a new
/// version shares its unchanged fields with the old) and <see cref="PreviousAttributesJson"/> the changed
/// fields' old values, or <see cref="Previous"/> the version before the change, from which they are found when the event
/// is rendered. Events are frozen: a later change makes a new version and never touches this one.
/// </summary>
public sealed record Event : StripeObject
{
    public override string ObjectType => "event";
    public required string Type { get; init; }
    public required string ApiVersion { get; init; }
    public required StripeObject Snapshot { get; init; }
    /// <summary>
    /// Held as UTF-8 (half the bytes of a .NET string: a renewal's <c>customer.subscription.updated</c> carries the
    /// previous items in full, over a kilobyte); stored and compared as the same JSON text.
    /// </summary>
    public string? PreviousAttributesJson
    {
        get => _previousAttributes is null ? null : System.Text.Encoding.UTF8.GetString(_previousAttributes);
        init => _previousAttributes = value is null ? null : System.Text.Encoding.UTF8.GetBytes(value);
    }
    private readonly byte[]? _previousAttributes;

    /// <summary>The previous attributes' JSON as UTF-8, for parsing without a string in between.</summary>
    public ReadOnlySpan<byte> PreviousAttributesUtf8() => _previousAttributes;

    /// <summary>
    /// The object's version before the change, when <c>previous_attributes</c> are found by comparing the renderings of
    /// it and <see cref="Snapshot"/> as the event is rendered rather than when it happens (both versions are immutable,
    /// so the result is the same; docs/storage.md, "Previous attributes found when rendered"); null for an event that
    /// carries <see cref="PreviousAttributesJson"/> or has no previous attributes.
    /// </summary>
    public StripeObject? Previous { get; init; }
    public string? RequestId { get; init; }
    public string? IdempotencyKey { get; init; }
    public string? RelatedObjectId { get; init; }
    /// <summary>The connected account the event happened on (rendered as top-level <c>account</c>); null for a merchant's own.</summary>
    public string? ConnectedAccount { get; init; }
}
