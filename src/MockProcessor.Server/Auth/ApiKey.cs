using System.Security.Cryptography;
using System.Text;
using MockProcessor.Domain.Accounts;
using MockProcessor.Domain.Errors;

namespace MockProcessor.Server.Auth;

/// <summary>A parsed test-mode API key. The suffix names the merchant: sk_test_X, rk_test_X and pk_test_X all belong to one.</summary>
public readonly record struct ApiKey(KeyKind Kind, string Suffix)
{
    public const int MaxSuffixLength = 247;

    /// <summary>
    /// What a key is stored and looked up as: SHA-256 of the full key string, lowercase hex. Unsalted on purpose: a
    /// presented key must be found in one dictionary lookup, and generated keys carry 24 random characters (~140 bits).
    /// </summary>
    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    /// <summary>An auto-provisioned merchant's key: the hash of its implicit secret key <c>sk_test_X</c>, whichever of sk/rk/pk was presented.</summary>
    public static string ImplicitHash(string suffix) => Hash(KeyRules.Prefix(KeyKind.Secret) + suffix);

    /// <summary>An auto-provisioned merchant's account with its implicit keys' suffix <paramref name="suffix"/>, kept as hashes and a hint.</summary>
    public static Account WithImplicitKeys(Account account, string suffix) => account with
    {
        ImplicitKeyHash = ImplicitHash(suffix),
        ImplicitPublishableKeyHash = Hash(KeyRules.Prefix(KeyKind.Publishable) + suffix),
        ImplicitKeyHint = KeyRules.Hint(suffix),
    };

    /// <summary>What may be stored and shown of a generated key: a publishable key in full (it is public), others redacted.</summary>
    public static string Shown(string key) => key.StartsWith("pk_", StringComparison.Ordinal) ? key : KeyRules.Redact(key);

    /// <summary>Reads the key from <c>Authorization</c> (Bearer, or Basic with the key as user name).</summary>
    public static string? FromAuthorizationHeader(string? header)
    {
        if (string.IsNullOrWhiteSpace(header)) return null;
        header = header.Trim();
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return header[7..].Trim();
        if (header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header[6..].Trim()));
                var colon = decoded.IndexOf(':');
                return colon < 0 ? decoded : decoded[..colon];
            }
            catch (FormatException)
            {
                return "";
            }
        }
        return header;
    }

    public static Outcome<ApiKey> Parse(string key)
    {
        if (key.StartsWith("sk_live_", StringComparison.Ordinal) || key.StartsWith("rk_live_", StringComparison.Ordinal) ||
            key.StartsWith("pk_live_", StringComparison.Ordinal))
            return StripeError.LiveKeyRefused(key);
        KeyKind kind;
        if (key.StartsWith("sk_test_", StringComparison.Ordinal)) kind = KeyKind.Secret;
        else if (key.StartsWith("rk_test_", StringComparison.Ordinal)) kind = KeyKind.Restricted;
        else if (key.StartsWith("pk_test_", StringComparison.Ordinal)) kind = KeyKind.Publishable;
        else return StripeError.InvalidApiKey(key);
        var suffix = key[8..];
        if (suffix.Length is 0 or > MaxSuffixLength || !suffix.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-'))
            return StripeError.InvalidApiKey(key);
        return new ApiKey(kind, suffix);
    }
}
