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
    public string SecretKey => "sk_test_" + KeySuffix;
    public string PublishableKey => "pk_test_" + KeySuffix;
}
