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

    /// <summary>
    /// Where the embedded store wrote this very version (its position in the objects table), 0 until then: lets an event
    /// written later refer to the version instead of copying it (docs/storage.md, "Previous attributes found when rendered"). Not part of
    /// the object's value: not compared, not serialised, and a version made from this one with <c>with</c> starts at 0.
    /// Set by the store's writer once the row is durable, or when the version is read back from its row.
    /// </summary>
    internal long StoredAt;

    protected StripeObject() { }

    /// <summary>The copy <c>with</c> makes: every field but <see cref="StoredAt"/> (the new version is not stored yet).</summary>
    protected StripeObject(StripeObject original)
    {
        Id = original.Id;
        AccountId = original.AccountId;
        Created = original.Created;
    }

    // Record equality would otherwise include StoredAt (a field): two equal versions are equal wherever they are stored.
    public virtual bool Equals(StripeObject? other) =>
        ReferenceEquals(this, other)
        || other is not null && EqualityContract == other.EqualityContract && Id == other.Id && AccountId == other.AccountId && Created == other.Created;

    public override int GetHashCode() => HashCode.Combine(EqualityContract, Id, AccountId, Created);
}
