using System.Collections.Immutable;
using MockProcessor.Domain.Customers;

namespace MockProcessor.Domain.Accounts;

/// <summary>
/// What a merchant or a connected account tells about itself: identity, business details, its defaults. Onboarding
/// (control API) and POST/POST /v1/accounts fill it; GET /v1/account(s) renders it.
/// </summary>
public sealed record AccountProfile
{
    public static readonly AccountProfile Empty = new();
    public string? Name { get; init; }
    public string? Email { get; init; }
    public string Country { get; init; } = "US";
    public string DefaultCurrency { get; init; } = "usd";
    public Address? Address { get; init; }
    public string? TaxId { get; init; }
    public string? BusinessUrl { get; init; }
    public string? SupportEmail { get; init; }
    public string? Mcc { get; init; }
    public ImmutableSortedDictionary<string, string> Metadata { get; init; } = Common.Metadata.Empty;
}

public enum ConnectAccountType { Standard, Express, Custom }

/// <summary>A connected account's Connect state: its type, requested capabilities and onboarding progress.</summary>
public sealed record ConnectSettings(ConnectAccountType Type)
{
    public ImmutableSortedDictionary<string, string> Capabilities { get; init; } = ImmutableSortedDictionary<string, string>.Empty;
    public bool DetailsSubmitted { get; init; }
    public bool ChargesEnabled { get; init; }
    public bool PayoutsEnabled { get; init; }
    public long? TosAcceptedAt { get; init; }

    /// <summary>What the hosted onboarding page completes: details in, terms accepted, charges and payouts on, capabilities active.</summary>
    public ConnectSettings Completed(long now) => this with
    {
        DetailsSubmitted = true, ChargesEnabled = true, PayoutsEnabled = true, TosAcceptedAt = now,
        Capabilities = Capabilities.ToImmutableSortedDictionary(kv => kv.Key, _ => "active"),
    };
}
