namespace MockProcessor.Domain.Common;

/// <summary>
/// What every stored Stripe object has: a globally unique id, the merchant account that owns it, its
/// creation time (Unix seconds) and Stripe's <c>object</c> name. Objects are immutable records; a change
/// is a new version written through the store.
/// </summary>
public abstract record StripeObject
{
    public required string Id { get; init; }
    public required string AccountId { get; init; }
    public required long Created { get; init; }
    public abstract string ObjectType { get; }
}
