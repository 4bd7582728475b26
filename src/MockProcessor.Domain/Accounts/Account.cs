using System.Collections.Immutable;
using MockProcessor.Domain.CardNetwork;
using MockProcessor.Domain.Common;

namespace MockProcessor.Domain.Accounts;

/// <summary>
/// A merchant or a Connect account (docs/connect.md). A merchant is onboarded (control API) or provisioned the
/// first time an unseen <c>sk_test_</c> key is used; a provisioned merchant's implicit keys share one suffix
/// (<c>sk_test_X</c>, <c>pk_test_X</c>, <c>rk_test_X</c>), kept only as <see cref="ImplicitKeyHash"/>. A connected account names its
/// <see cref="Platform"/> and has no keys. <see cref="DefaultApiVersion"/> is the Stripe-Version the merchant first
/// sent (Stripe pins an account's version at its first request).
/// </summary>
public sealed record Account : StripeObject
{
    public override string ObjectType => "account";
    /// <summary>
    /// An auto-provisioned merchant's implicit keys: SHA-256 (hex) of <c>sk_test_X</c>, never X itself, since the suffix is
    /// the secret (docs/connect.md, Secrets at rest). Null for onboarded and connected accounts.
    /// </summary>
    public string? ImplicitKeyHash { get; init; }
    /// <summary>SHA-256 (hex) of the implicit publishable key <c>pk_test_X</c>: what a rolled or revoked one is recorded under.</summary>
    public string? ImplicitPublishableKeyHash { get; init; }
    /// <summary>What may be shown of the implicit keys' suffix: its last 4 characters when it is long, else nothing (<see cref="KeyRules.Hint"/>).</summary>
    public string? ImplicitKeyHint { get; init; }
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

    public AccountProfile Profile { get; init; } = AccountProfile.Empty;
    /// <summary>The Connect platform that created this account with POST /v1/accounts; null for a merchant.</summary>
    public string? Platform { get; init; }
    public ConnectSettings? Connect { get; init; }
    public bool Deleted { get; init; }
    /// <summary>
    /// When automatic payouts run (Stripe's <c>settings.payouts.schedule</c>); the one place it is kept, whoever sets
    /// it (control API, Connect onboarding). See docs/payouts.md.
    /// </summary>
    public Payouts.PayoutSchedule PayoutSchedule { get; init; } = Payouts.PayoutSchedule.Default;
    /// <summary>Where payouts go; null until first needed, then Stripe's succeeding test account (000123456789).</summary>
    public Payouts.BankAccount? BankAccount { get; init; }
    /// <summary>Renewal retry days and the action after the last failed retry (docs/billing.md); null means the defaults.</summary>
    public Billing.BillingSettings? Billing { get; init; }
}
