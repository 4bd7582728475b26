using System.Security.Cryptography;
using System.Text;

namespace MockProcessor.Domain.Webhooks;

/// <summary>
/// Stripe's <c>Stripe-Signature</c> header: <c>t=&lt;unix&gt;,v1=&lt;hex HMAC-SHA256&gt;</c> over <c>"&lt;t&gt;.&lt;raw body&gt;"</c>,
/// keyed with the UTF-8 bytes of the whole <c>whsec_...</c> string (not base64-decoded: Stripe.net's
/// <c>ComputeSignature</c> does the same, see SDK_NOTES.md "Webhook verification").
/// </summary>
public static class WebhookSignature
{
    public static string Compute(string secret, long timestamp, ReadOnlySpan<byte> body)
    {
        var prefix = Encoding.UTF8.GetBytes(timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture) + ".");
        var payload = new byte[prefix.Length + body.Length];
        prefix.CopyTo(payload, 0);
        body.CopyTo(payload.AsSpan(prefix.Length));
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), payload);
        return Convert.ToHexStringLower(mac);
    }

    public static string Header(string secret, long timestamp, ReadOnlySpan<byte> body) =>
        $"t={timestamp},v1={Compute(secret, timestamp, body)}";

    /// <summary>One <c>v1</c> per secret, current first (a secret roll's overlap): a receiver accepts any that matches its secret.</summary>
    public static string Header(IReadOnlyList<string> secrets, long timestamp, ReadOnlySpan<byte> body)
    {
        var header = new StringBuilder("t=").Append(timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
        foreach (var secret in secrets) header.Append(",v1=").Append(Compute(secret, timestamp, body));
        return header.ToString();
    }
}
