using System.Collections.Concurrent;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using MockProcessor.Domain.Errors;
using MockProcessor.Domain.Limits;
using MockProcessor.Server.Hosting;

namespace MockProcessor.Server.Wire;

/// <summary>
/// <c>--rate-limit</c> (docs/rate-limits.md): token buckets per account, on real (wall-clock) time, asked by
/// <see cref="StripeApi.Handle"/> before a <c>/v1</c> request does anything. Off by default (<see cref="Enabled"/> false:
/// one null check per request).
/// </summary>
/// <remarks>
/// Throughput is real time, not the merchants' virtual clocks (a test clock advanced a month has sent no requests),
/// so the buckets read <see cref="WallClockKey"/>: <see cref="TimeProvider.System"/>, replaced by a fake in tests.
/// </remarks>
public sealed class RateLimiter
{
    /// <summary>The keyed <see cref="TimeProvider"/> the buckets refill by (the unkeyed one is the virtual clock).</summary>
    public const string WallClockKey = "mockprocessor.wall-clock";

    /// <summary>The header naming the limiter that refused a request, as Stripe sends it on a 429.</summary>
    public const string ReasonHeader = "Stripe-Rate-Limited-Reason";

    private readonly RateLimitPolicy? _policy;
    private readonly TimeProvider _clock;
    private readonly Telemetry _telemetry;
    private readonly ConcurrentDictionary<string, Buckets> _accounts = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<ApiRoute, EndpointLimit[]> _routeLimits = new();

    public RateLimiter(MockProcessorOptions options, [FromKeyedServices(WallClockKey)] TimeProvider clock, Telemetry telemetry)
    {
        _policy = RateLimitPolicy.Parse(options.RateLimit);
        _clock = clock;
        _telemetry = telemetry;
    }

    public bool Enabled => _policy is not null;

    /// <summary>
    /// Counts one request of <paramref name="accountId"/> to <paramref name="route"/>, or refuses it: null when it may
    /// go on, else the 429 to answer (nothing was counted for a refused request). Only Stripe's API is limited; the
    /// control API (<c>/_mock</c>) never is.
    /// </summary>
    public Refusal? Admit(string accountId, ApiRoute route)
    {
        if (_policy is null || !route.Pattern.StartsWith("/v1/", StringComparison.Ordinal)) return null;
        var limits = _routeLimits.GetOrAdd(route, r => _policy.For(r.Method, r.Pattern).ToArray());
        var buckets = _accounts.GetOrAdd(accountId, _ => new Buckets(_policy));
        var now = _clock.GetTimestamp();
        var frequency = _clock.TimestampFrequency;
        Refusal? refusal = null;
        lock (buckets)
        {
            // Every bucket the request counts against must have a token; only then are they all taken.
            if (buckets.Global.Available(now, frequency) < 1)
                refusal = new Refusal("global-rate", "global", _policy.GlobalPerSecond);
            foreach (var limit in limits)
                if (buckets.Of(limit).Available(now, frequency) < 1)
                    refusal ??= new Refusal("endpoint-rate", limit.Name, limit.PerSecond);
            if (refusal is null)
            {
                buckets.Global.Take();
                foreach (var limit in limits) buckets.Of(limit).Take();
            }
        }
        if (refusal is not null) _telemetry.RateLimited(refusal.Limit, refusal.Reason);
        return refusal;
    }

    /// <summary>Answers a refused request: Stripe's 429 body and its <c>Stripe-Rate-Limited-Reason</c> header.</summary>
    public static Task Write(HttpContext http, Refusal refusal, string requestId)
    {
        http.Response.Headers[ReasonHeader] = refusal.Reason;
        return StripeApi.WriteError(http, refusal.Error, requestId);
    }

    /// <summary>A refused request: <paramref name="Reason"/> as Stripe's header names it, the limit's name and rate.</summary>
    public sealed record Refusal(string Reason, string Limit, double PerSecond)
    {
        public StripeError Error => StripeError.RateLimited(Limit, PerSecond);
    }

    /// <summary>One account's buckets: the global one, and one per endpoint limit it has met.</summary>
    private sealed class Buckets(RateLimitPolicy policy)
    {
        private readonly Dictionary<string, TokenBucket> _endpoints = new(StringComparer.Ordinal);

        // A second's worth of requests may come at once (capacity = rate), at least one.
        public TokenBucket Global { get; } = New(policy.GlobalPerSecond);

        public TokenBucket Of(EndpointLimit limit)
        {
            if (!_endpoints.TryGetValue(limit.Name, out var bucket)) _endpoints[limit.Name] = bucket = New(limit.PerSecond);
            return bucket;
        }

        private static TokenBucket New(double perSecond) => new(perSecond, Math.Max(1, perSecond));
    }
}
