using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace MockProcessor.Server.Dashboard;

/// <summary>
/// Signed-in dashboard browsers (docs/dashboard.md): a random token in an HttpOnly, SameSite=Strict cookie names the
/// merchant it was signed in for. Held in memory only (a restart signs everyone out); the key typed at sign-in is
/// checked and dropped, never kept.
/// </summary>
public sealed class DashboardSessions
{
    public const string CookieName = "mp_dashboard";
    private readonly ConcurrentDictionary<string, string> _merchantByToken = new(StringComparer.Ordinal);

    public string Start(string merchantId)
    {
        // A credential, not an object id: from the OS's generator, never from the seeded id stream.
        var token = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        _merchantByToken[token] = merchantId;
        return token;
    }

    public string? MerchantOf(string? token) => token is null ? null : _merchantByToken.GetValueOrDefault(token);

    public void End(string? token)
    {
        if (token is not null) _merchantByToken.TryRemove(token, out _);
    }
}
