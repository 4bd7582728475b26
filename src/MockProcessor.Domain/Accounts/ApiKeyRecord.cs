using System.Collections.Immutable;
using MockProcessor.Domain.Common;
using MockProcessor.Domain.Errors;

namespace MockProcessor.Domain.Accounts;

public enum KeyKind { Secret, Restricted, Publishable }

public enum KeyAccess { Read, Write }

/// <summary>
/// One API key of a merchant with a record (docs/connect.md, Keys): generated at onboarding or by a roll, a
/// restricted key, or an implicit key that was rolled or revoked. Owned by the merchant, never rendered on /v1.
/// </summary>
public sealed record ApiKeyRecord : StripeObject
{
    public override string ObjectType => "api_key";
    public required string Secret { get; init; }
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
    /// Whether a restricted key may make a call on <paramref name="resource"/>; reads need read or write, writes
    /// need write (Stripe: "write implies read"). Null when allowed, else Stripe's 403.
    /// </summary>
    public static StripeError? CheckPermission(ApiKeyRecord key, string resource, bool write, string accountId)
    {
        if (key.Kind is not KeyKind.Restricted) return null;
        var granted = key.Permissions.TryGetValue(resource, out var a) ? a : (KeyAccess?)null;
        if (granted is KeyAccess.Write || granted is KeyAccess.Read && !write) return null;
        return StripeError.RestrictedKeyPermission(key.Secret, accountId, PermissionName(resource, write));
    }

    /// <summary>Stripe's permission names are singular: <c>rak_charge_write</c>, <c>rak_subscription_read</c>.</summary>
    public static string PermissionName(string resource, bool write)
    {
        var singular = resource.EndsWith("ies", StringComparison.Ordinal) ? resource[..^3] + "y"
            : resource.EndsWith('s') ? resource[..^1] : resource;
        return $"rak_{singular}_{(write ? "write" : "read")}";
    }
}
