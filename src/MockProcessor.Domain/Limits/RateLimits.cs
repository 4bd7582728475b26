using System.Globalization;

namespace MockProcessor.Domain.Limits;

/// <summary>
/// A token bucket: <see cref="Capacity"/> requests at once, refilled at <see cref="PerSecond"/> a second (docs/rate-limits.md).
/// Pure: the caller passes the time, in ticks of a clock running at <c>frequency</c> ticks a second.
/// Not thread-safe; the caller serialises the buckets of one account.
/// </summary>
public sealed class TokenBucket(double perSecond, double capacity)
{
    private double _tokens = capacity;
    private long _last;
    private bool _started;

    public double PerSecond { get; } = perSecond;
    public double Capacity { get; } = capacity;

    /// <summary>Tokens left at <paramref name="now"/> (after refilling).</summary>
    public double Available(long now, long frequency)
    {
        Refill(now, frequency);
        return _tokens;
    }

    /// <summary>Takes one token (after <see cref="Available"/> said one is there).</summary>
    public void Take() => _tokens -= 1;

    private void Refill(long now, long frequency)
    {
        if (!_started)
        {
            _started = true;
            _last = now;
            return;
        }
        // A clock that went backwards (a fake one in a test) refills nothing rather than draining the bucket.
        if (now <= _last) return;
        _tokens = Math.Min(Capacity, _tokens + (now - _last) * PerSecond / frequency);
        _last = now;
    }
}

/// <summary>
/// A limit of its own on some endpoints (an endpoint is a route template and method: <c>GET /v1/payment_intents/{id}</c>
/// for any id), counted on top of the account's global limit.
/// </summary>
/// <param name="Name">The metric label and the bucket's name, e.g. <c>search</c>.</param>
/// <param name="Method">GET or POST; null for any.</param>
/// <param name="Matches">Whether a route template falls under this limit.</param>
public sealed record EndpointLimit(string Name, string? Method, Func<string, bool> Matches, double PerSecond);

/// <summary>
/// What <c>--rate-limit</c> turns on: a global rate per account and the stricter limits of some endpoints.
/// <c>stripe</c> is Stripe's documented test-mode figures; a number N is N requests a second per account, nothing else.
/// </summary>
public sealed record RateLimitPolicy(string Description, double GlobalPerSecond, IReadOnlyList<EndpointLimit> Endpoints)
{
    /// <summary>Stripe's global limit in test mode (sandboxes): 25 requests a second per account.</summary>
    public const double StripeTestModePerSecond = 25;

    /// <summary>
    /// Stripe's test-mode limits (docs.stripe.com/rate-limits; figures and sources in docs/rate-limits.md). The default
    /// per-endpoint limit (25 a second) equals the global one in test mode, so it never binds first and is left out.
    /// </summary>
    public static RateLimitPolicy Stripe { get; } = new("stripe", StripeTestModePerSecond,
    [
        new("search", "GET", p => p.EndsWith("/search", StringComparison.Ordinal), 20),
        new("files_read", "GET", IsFiles, 20),
        new("files_write", "POST", IsFiles, 20),
        new("payouts_create", "POST", p => p == "/v1/payouts", 15),
    ]);

    private static bool IsFiles(string pattern) =>
        pattern == "/v1/files" || pattern.StartsWith("/v1/files/", StringComparison.Ordinal);

    /// <summary>
    /// The limit named by <c>--rate-limit</c>: <c>stripe</c> (also <c>true</c>/<c>on</c>, what a bare flag means), a number
    /// of requests a second (so <c>1</c> is one a second, not "on"), or <c>off</c>/<c>false</c>/<c>0</c>/empty: null.
    /// Throws <see cref="ArgumentException"/> for anything else.
    /// </summary>
    public static RateLimitPolicy? Parse(string? value)
    {
        var v = (value ?? "").Trim().ToLowerInvariant();
        switch (v)
        {
            case "" or "off" or "false" or "0" or "none":
                return null;
            case "stripe" or "true" or "on":
                return Stripe;
        }
        if (double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var perSecond) && perSecond is > 0 and <= 1_000_000 && double.IsFinite(perSecond))
            return new RateLimitPolicy(perSecond.ToString(CultureInfo.InvariantCulture), perSecond, []);
        throw new ArgumentException($"--rate-limit must be stripe, off, or requests per second (a number above 0), not '{value}'");
    }

    /// <summary>The endpoint limits that apply to a route.</summary>
    public IEnumerable<EndpointLimit> For(string method, string pattern) =>
        Endpoints.Where(e => (e.Method is null || e.Method == method) && e.Matches(pattern));
}
