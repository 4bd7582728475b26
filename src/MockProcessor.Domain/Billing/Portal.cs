using System.Collections.Immutable;
using MockProcessor.Domain.Common;

namespace MockProcessor.Domain.Billing;

public enum PortalCancelMode { AtPeriodEnd, Immediately }

/// <summary>A product a customer may switch to in the portal, and which of its prices.</summary>
public sealed record PortalProduct(string Product, ImmutableList<string> Prices);

/// <summary>What a portal configuration lets the customer do (docs/portal.md). Each feature is off unless enabled.</summary>
public sealed record PortalFeatures
{
    public bool CustomerUpdateEnabled { get; init; }
    public ImmutableList<string> CustomerUpdateAllowed { get; init; } = [];
    public bool InvoiceHistoryEnabled { get; init; }
    public bool PaymentMethodUpdateEnabled { get; init; }
    public bool CancelEnabled { get; init; }
    public PortalCancelMode CancelMode { get; init; } = PortalCancelMode.AtPeriodEnd;
    public ProrationBehavior CancelProration { get; init; } = ProrationBehavior.None;
    public bool CancellationReasonEnabled { get; init; }
    public ImmutableList<string> CancellationReasonOptions { get; init; } = [];
    public bool PauseEnabled { get; init; }
    public bool UpdateEnabled { get; init; }
    public ImmutableList<string> UpdateDefaultAllowed { get; init; } = [];
    public ImmutableList<PortalProduct> UpdateProducts { get; init; } = [];
    public ProrationBehavior UpdateProration { get; init; } = ProrationBehavior.None;
    /// <summary><c>now</c> or <c>unchanged</c>; null when not set (Stripe's default is <c>unchanged</c>).</summary>
    public string? UpdateBillingCycleAnchor { get; init; }
    /// <summary><c>decreasing_item_amount</c> / <c>shortening_interval</c>: stored and shown, not applied by the page.</summary>
    public ImmutableList<string> ScheduleConditions { get; init; } = [];
    public string TrialUpdateBehavior { get; init; } = "end_trial";
}

/// <summary>A customer portal configuration (<c>bpc_</c>). A merchant's first one is its default.</summary>
public sealed record PortalConfiguration : StripeObject
{
    public override string ObjectType => "billing_portal.configuration";
    public bool Active { get; init; } = true;
    public bool IsDefault { get; init; }
    public string? Name { get; init; }
    public long Updated { get; init; }
    public string? Headline { get; init; }
    public string? PrivacyPolicyUrl { get; init; }
    public string? TermsOfServiceUrl { get; init; }
    public string? DefaultReturnUrl { get; init; }
    public bool LoginPageEnabled { get; init; }
    public PortalFeatures Features { get; init; } = new();
    public ImmutableSortedDictionary<string, string> Metadata { get; init; } = Common.Metadata.Empty;
}

/// <summary>
/// The flow a portal session opens on (<c>flow_data</c>): its type, the subscription it is about, and what follows
/// completion (<c>portal_homepage</c>, <c>redirect</c> to a URL, or <c>hosted_confirmation</c> with a message).
/// </summary>
public sealed record PortalFlow(string Type, string? Subscription, string AfterCompletion, string? RedirectUrl, string? CustomMessage);

/// <summary>
/// A customer portal session (<c>bps_</c>): a short-lived link to the portal page for one customer. The token in the
/// URL is the page's credential. It must be opened before <see cref="OpenBy"/>; from its first visit it lasts until
/// <see cref="ExpiresAt"/> (docs/portal.md).
/// </summary>
public sealed record PortalSession : StripeObject
{
    public override string ObjectType => "billing_portal.session";
    public required string Customer { get; init; }
    public required string Configuration { get; init; }
    public string? ReturnUrl { get; init; }
    public string? Locale { get; init; }
    public PortalFlow? Flow { get; init; }
    public required string Token { get; init; }
    public string? PageBaseUrl { get; init; }
    public long OpenBy { get; init; }
    public long? VisitedAt { get; init; }
    public long? ExpiresAt { get; init; }
}

public static class PortalRules
{
    /// <summary>An unvisited session link works this long after creation ([O] ~5 minutes cited for Stripe).</summary>
    public const long OpenWithinSeconds = 5 * 60;
    /// <summary>How long a session lasts from its first visit [?] (Stripe states no figure).</summary>
    public const long LastsSeconds = 60 * 60;
    public const int MaxProducts = 10;

    /// <summary>Whether the link still works at <paramref name="now"/>.</summary>
    public static bool Usable(PortalSession s, long now) =>
        s.VisitedAt is null ? now < s.OpenBy : s.ExpiresAt is { } end && now < end;
}
