using System.Globalization;

namespace MockProcessor.Server.Wire.Versions;

/// <summary>
/// A Stripe API version as a position in time: <c>2020-08-27</c> (dated, before trains) or
/// <c>2026-10-28.endive</c> (a release train). Versions order by date; a <c>.preview</c> sorts after the GA
/// version of the same date. <see cref="Name"/> is what the caller sent, without beta flags
/// (<c>2020-08-27;link_beta=v1</c>), and is echoed in <c>Stripe-Version</c> and pinned to accounts.
/// The versions Stripe has released, and what changed in each, are data: <see cref="ApiVersions"/> and
/// <see cref="ApiChanges"/> (docs/api-versions.md).
/// </summary>
public readonly record struct ApiVersion(string Name, DateOnly Date, string? Train) : IComparable<ApiVersion>
{
    public bool IsPreview => Train == "preview";

    public int CompareTo(ApiVersion other)
    {
        var byDate = Date.CompareTo(other.Date);
        return byDate != 0 ? byDate : IsPreview.CompareTo(other.IsPreview);
    }

    /// <summary>True when a caller at this version predates a change that took effect at <paramref name="since"/>.</summary>
    public bool Before(ApiVersion since) => CompareTo(since) < 0;

    public override string ToString() => Name;

    /// <summary>Splits <c>YYYY-MM-DD[.train]</c>; null when the text is not of that shape or the date does not exist.</summary>
    internal static ApiVersion? Shape(string name)
    {
        var dot = name.IndexOf('.');
        var datePart = dot < 0 ? name : name[..dot];
        var train = dot < 0 ? null : name[(dot + 1)..];
        if (datePart.Length != 10 ||
            !DateOnly.TryParseExact(datePart, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
            return null;
        if (train is not null && (train.Length == 0 || !train.All(char.IsAsciiLetterLower))) return null;
        return new ApiVersion(name, date, train);
    }
}
