using MockProcessor.Domain.Errors;

namespace MockProcessor.Server.Wire.Versions;

/// <summary>
/// The API versions Stripe has released that a current SDK can send (2020-08-27 … 2026-10-28.endive), and how a
/// <c>Stripe-Version</c> header (or an <c>api_version</c> parameter) becomes one of them. Facts: docs/api-versions.md.
/// </summary>
public static class ApiVersions
{
    /// <summary>Every released version, oldest first: the dated ones, then each train's major and monthly releases.</summary>
    public static readonly IReadOnlyList<string> Released =
    [
        "2020-08-27", "2022-08-01", "2022-11-15", "2023-08-16", "2023-10-16", "2024-04-10", "2024-06-20",
        "2024-09-30.acacia", "2024-10-28.acacia", "2024-11-20.acacia", "2024-12-18.acacia", "2025-01-27.acacia", "2025-02-24.acacia",
        "2025-03-01.dashboard",
        "2025-03-31.basil", "2025-04-30.basil", "2025-05-28.basil", "2025-06-30.basil", "2025-07-30.basil", "2025-08-27.basil",
        "2025-09-30.clover", "2025-10-29.clover", "2025-11-17.clover", "2025-12-15.clover", "2026-01-28.clover", "2026-02-25.clover",
        "2026-03-25.dahlia", "2026-04-22.dahlia", "2026-05-27.dahlia", "2026-06-24.dahlia", "2026-07-29.dahlia", "2026-08-26.dahlia",
        "2026-09-30.endive", "2026-10-28.endive",
    ];

    // Before Baseline and Latest: static fields initialise in order.
    private static readonly Dictionary<string, ApiVersion> ByName =
        Released.ToDictionary(n => n, n => ApiVersion.Shape(n)!.Value, StringComparer.Ordinal);

    /// <summary>The oldest shape rendered: callers on earlier dated versions get it, with a Stripe-Notice saying so.</summary>
    public static readonly ApiVersion Baseline = Known("2020-08-27");

    /// <summary>The version today's SDKs pin (Stripe.net 53.1.0, stripe-node 23.1.0), the emulator's default.</summary>
    public static readonly ApiVersion Latest = Known("2026-10-28.endive");

    /// <summary>From this date every version names a release train (acacia); previews exist only since then.</summary>
    private static readonly DateOnly TrainEra = new(2024, 9, 30);

    public static ApiVersion Known(string name) => ApiVersion.Shape(name) is { } v && ByName.ContainsKey(name)
        ? v
        : throw new ArgumentException($"{name} is not a released API version", nameof(name));

    /// <summary>
    /// Reads a requested version: a released one; a <c>.preview</c> on a train-era date; or a dated version older than
    /// the baseline (rendered as the baseline, with <paramref name="notice"/>). Anything else is Stripe's 400
    /// "Invalid Stripe API version", with <paramref name="param"/> when it came as a parameter.
    /// </summary>
    public static ApiVersion Parse(string requested, out string? notice, string? param = null) =>
        TryParse(requested, out notice) is { } version
            ? version
            : throw new StripeException(StripeError.InvalidApiVersion(requested, param), beforeExecution: true);

    private static ApiVersion? TryParse(string requested, out string? notice)
    {
        notice = null;
        var name = requested;
        var semicolon = name.IndexOf(';');
        if (semicolon >= 0) name = name[..semicolon]; // beta flags ride after a semicolon
        if (ByName.TryGetValue(name, out var known)) return known;
        if (ApiVersion.Shape(name) is not { } v) return null;
        if (v.IsPreview && v.Date >= TrainEra) return v;
        if (v.Train is not null || v.Date >= Baseline.Date) return null;
        notice = $"API version {name} predates {Baseline.Name}, the oldest shape MockProcessor renders; responses use {Baseline.Name}.";
        return v with { Date = Baseline.Date };
    }

    /// <summary>A version stored on an account, endpoint or event (validated when it was stored); the latest if unreadable.</summary>
    public static ApiVersion Stored(string? name) => name is not null && TryParse(name, out _) is { } v ? v : Latest;
}
