using MockProcessor.Domain.Common;

namespace MockProcessor.Domain.Accounts;

/// <summary>
/// A single-use link to the emulator's hosted onboarding page for a connected account (POST /v1/account_links).
/// Owned by the platform that asked for it; valid until <see cref="ExpiresAt"/> (Stripe: a few minutes) or its use.
/// </summary>
public sealed record AccountLink : StripeObject
{
    public override string ObjectType => "account_link";
    public required string Account { get; init; }
    public required string Type { get; init; }
    public string? RefreshUrl { get; init; }
    public required string ReturnUrl { get; init; }
    public required long ExpiresAt { get; init; }
    public bool Used { get; init; }

    /// <summary>Stripe's account links expire a few minutes after creation.</summary>
    public const long LifetimeSeconds = 300;
}
