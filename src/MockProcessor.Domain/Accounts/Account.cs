using MockProcessor.Domain.Common;

namespace MockProcessor.Domain.Accounts;

/// <summary>
/// A merchant. Today a merchant is provisioned the first time an unseen <c>sk_test_</c> key is used;
/// its publishable key is <c>pk_test_</c> with the same suffix. <see cref="DefaultApiVersion"/> is the
/// Stripe-Version the merchant first sent (Stripe pins an account's version at its first request).
/// </summary>
public sealed record Account : StripeObject
{
    public override string ObjectType => "account";
    public required string KeySuffix { get; init; }
    public string? DefaultApiVersion { get; init; }
    /// <summary>The merchant's own clock: seconds ahead of the emulator's clock, or a frozen instant (Unix seconds).</summary>
    public long ClockOffset { get; init; }
    public long? ClockFrozenAt { get; init; }
    public string SecretKey => "sk_test_" + KeySuffix;
    public string PublishableKey => "pk_test_" + KeySuffix;
}
