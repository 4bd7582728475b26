using System.Collections.Immutable;
using MockProcessor.Domain.Common;
using MockProcessor.Domain.Errors;

namespace MockProcessor.Domain.Accounts;

public enum KeyKind { Secret, Restricted, Publishable }

public enum KeyAccess { Read, Write }

/// <summary>
/// One API key of a merchant with a record (docs/connect.md, Keys): generated at onboarding or by a roll, a
/// restricted key, or an implicit key that was rolled or revoked. Owned by the merchant, never rendered on /v1. The key
/// string itself is never kept (docs/connect.md, Secrets at rest): only its hash and what Stripe would show of it.
/// </summary>
public sealed record ApiKeyRecord : StripeObject
{
    public override string ObjectType => "api_key";
    /// <summary>SHA-256 (lowercase hex) of the full key string: what a presented key is looked up by.</summary>
    public required string Hash { get; init; }
    /// <summary>What the dashboard shows: a publishable key in full, any other key redacted (<see cref="KeyRules.Redact"/>).</summary>
    public required string Shown { get; init; }
    /// <summary>The record stands for an auto-provisioned merchant's implicit key of this kind (it was rolled or revoked).</summary>
    public bool Implicit { get; init; }
    public required KeyKind Kind { get; init; }
    public string? Name { get; init; }
    /// <summary>Unix seconds on the merchant's clock from which the key answers api_key_expired.</summary>
    public long? ExpiresAt { get; init; }
    public bool Revoked { get; init; }
    /// <summary>Restricted keys: resource (as in the URL, e.g. <c>payment_intents</c>) → read or write.</summary>
    public ImmutableSortedDictionary<string, KeyAccess> Permissions { get; init; } = ImmutableSortedDictionary<string, KeyAccess>.Empty;

    public bool IsExpired(long now) => ExpiresAt is { } at && now >= at;
}

public static class KeyRules
{
    public static string Prefix(KeyKind kind) => kind switch
    {
        KeyKind.Secret => "sk_test_", KeyKind.Publishable => "pk_test_", _ => "rk_test_",
    };

    /// <summary>
    /// A secret or restricted key as Stripe shows it after creation: <c>sk_test_****abcd</c>. The last 4 characters only
    /// when the suffix is long enough (16+) that they give little away: a short hand-chosen suffix is shown as <c>sk_test_****</c>.
    /// </summary>
    public static string Redact(string key) => key.Length >= 8 ? key[..8] + "****" + Hint(key[8..]) : "****";

    /// <summary>The shown tail of a key suffix: its last 4 characters when it has 16 or more, else nothing.</summary>
    public static string Hint(string suffix) => suffix.Length >= 16 ? suffix[^4..] : "";

    /// <summary>
    /// Whether a restricted key may make a call on <paramref name="resource"/>; reads need read or write, writes
    /// need write (Stripe: "write implies read"). Null when allowed, else Stripe's 403.
    /// </summary>
    public static StripeError? CheckPermission(ApiKeyRecord key, string resource, bool write, string accountId)
    {
        if (key.Kind is not KeyKind.Restricted) return null;
        var granted = key.Permissions.TryGetValue(resource, out var a) ? a : (KeyAccess?)null;
        if (granted is KeyAccess.Write || granted is KeyAccess.Read && !write) return null;
        return StripeError.RestrictedKeyPermission(key.Shown, accountId, PermissionName(resource, write));
    }

    /// <summary>Stripe's permission names are singular: <c>rak_charge_write</c>, <c>rak_subscription_read</c>.</summary>
    public static string PermissionName(string resource, bool write)
    {
        var singular = resource.EndsWith("ies", StringComparison.Ordinal) ? resource[..^3] + "y"
            : resource.EndsWith('s') ? resource[..^1] : resource;
        return $"rak_{singular}_{(write ? "write" : "read")}";
    }
}
