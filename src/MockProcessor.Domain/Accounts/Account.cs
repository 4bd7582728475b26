using System.Collections.Immutable;
using MockProcessor.Domain.CardNetwork;
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
    /// <summary>
    /// The merchant's scripted network answers, in evaluation order (docs/network-rules.md). Kept on the account
    /// rather than as objects of their own because they are read on every attempt, are ordered, and change with
    /// the counters of the attempt that fired them: the account is already loaded and locked for that call.
    /// </summary>
    public ImmutableList<NetworkRule> NetworkRules { get; init; } = [];
    /// <summary>
    /// When automatic payouts run (Stripe's <c>settings.payouts.schedule</c>); the one place it is kept, whoever sets
    /// it (control API, Connect onboarding). See docs/payouts.md.
    /// </summary>
    public Payouts.PayoutSchedule PayoutSchedule { get; init; } = Payouts.PayoutSchedule.Default;
    /// <summary>Where payouts go; null until first needed, then Stripe's succeeding test account (000123456789).</summary>
    public Payouts.BankAccount? BankAccount { get; init; }
    public string SecretKey => "sk_test_" + KeySuffix;
    public string PublishableKey => "pk_test_" + KeySuffix;
}
