using System.Collections.Immutable;
using MockProcessor.Domain.Common;

namespace MockProcessor.Domain.Webhooks;

/// <summary>A former signing secret of an endpoint, still used until <see cref="ExpiresAt"/> (Unix seconds, merchant clock).</summary>
public sealed record ExpiringSecret(string Secret, long ExpiresAt);

/// <summary>
/// A merchant's webhook endpoint (Stripe's <c>we_</c>). <see cref="Secret"/> is stored to sign deliveries but
/// rendered only by create. <see cref="Faults"/> are emulator-only QA settings, set and shown only through
/// <c>/_mock/webhook_endpoints/{id}/faults</c>, never in the Stripe object.
/// </summary>
public sealed record WebhookEndpoint : StripeObject
{
    public override string ObjectType => "webhook_endpoint";
    public required string Url { get; init; }
    public required IReadOnlyList<string> EnabledEvents { get; init; }
    public required string Secret { get; init; }
    public string? Description { get; init; }
    public ImmutableSortedDictionary<string, string> Metadata { get; init; } = Common.Metadata.Empty;
    /// <summary>null: events render in the merchant's pinned default version.</summary>
    public string? ApiVersion { get; init; }
    public bool Connect { get; init; }
    public bool Disabled { get; init; }
    public bool Deleted { get; init; }
    public WebhookFaults Faults { get; init; } = WebhookFaults.None;
    /// <summary>
    /// Secrets replaced by a roll that still sign deliveries until their expiry (merchant clock), newest first: during the
    /// overlap each delivery carries one <c>v1</c> signature per secret, as Stripe's do (docs/webhooks.md, Rolling the secret).
    /// </summary>
    public IReadOnlyList<ExpiringSecret> ExpiringSecrets { get; init; } = [];

    /// <summary>True when new events should be delivered here.</summary>
    public bool Active => !Disabled && !Deleted;
}

/// <summary>
/// QA faults injected on one endpoint's deliveries. Each attempt made under a fault names it in the delivery
/// log (<see cref="WebhookFaultNames"/>).
/// </summary>
public sealed record WebhookFaults
{
    public static readonly WebhookFaults None = new();

    /// <summary>Every successful delivery is sent a second time.</summary>
    public bool Duplicate { get; init; }
    /// <summary>Seconds: each new delivery's first attempt is postponed by a pseudo-random 0..N-1 s (seeded by its id), so a burst arrives shuffled.</summary>
    public int ReorderWindow { get; init; }
    /// <summary>Seconds every new delivery's first attempt waits (virtual time).</summary>
    public int DelaySeconds { get; init; }
    /// <summary>The first N attempts of each delivery fail without being sent, as if the connection were refused.</summary>
    public int FailFirst { get; init; }
    /// <summary>Event types that are never sent (the delivery ends as <c>dropped</c>).</summary>
    public IReadOnlyList<string> DropTypes { get; init; } = [];
    /// <summary>Sign with a secret other than the endpoint's, so verification must fail.</summary>
    public bool WrongSecret { get; init; }
    /// <summary>Sign with <c>t</c> = wall clock − 600 s, beyond the SDKs' 300 s tolerance.</summary>
    public bool StaleTimestamp { get; init; }

    public bool IsNone => !Duplicate && ReorderWindow == 0 && DelaySeconds == 0 && FailFirst == 0 && DropTypes.Count == 0 && !WrongSecret && !StaleTimestamp;
}

public static class WebhookFaultNames
{
    public const string Duplicate = "duplicate";
    public const string Reorder = "reorder";
    public const string Delay = "delay";
    public const string FailFirst = "fail_first";
    public const string DropType = "drop_type";
    public const string WrongSecret = "wrong_secret";
    public const string StaleTimestamp = "stale_timestamp";
}

/// <summary>Delays (seconds of virtual time) before retry 1, 2, ...; after the last, a delivery is given up.</summary>
public sealed record RetrySchedule(string Name, IReadOnlyList<long> Delays)
{
    /// <summary>Live mode's observed shape, about three days in total (STRIPE_BEHAVIOR.md §19.3).</summary>
    public static readonly RetrySchedule Stripe = new("stripe", [300, 1800, 7200, 14400, 28800, 57600, 86400, 86400]);
    /// <summary>For tests on the real-time clock: the same back-off in seconds.</summary>
    public static readonly RetrySchedule Fast = new("fast", [1, 2, 4, 8, 16, 32]);

    public static RetrySchedule? Named(string name) => name switch { "stripe" => Stripe, "fast" => Fast, _ => null };

    public int MaxAttempts => Delays.Count + 1;
}
