using Microsoft.Extensions.DependencyInjection;
using MockProcessor.Server.Tests.Hosting;
using MockProcessor.Server.Wire;

namespace MockProcessor.Server.Tests.Wire;

/// <summary>
/// A wall clock that moves only when told: the rate limiter's real time (<see cref="RateLimiter.WallClockKey"/>) in tests,
/// so that refills are exact and nothing sleeps.
/// </summary>
public sealed class ManualWallClock : TimeProvider
{
    private long _ticks = 1_000_000_000;
    public override long TimestampFrequency => TimeSpan.TicksPerSecond;
    public override long GetTimestamp() => Interlocked.Read(ref _ticks);
    public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
}

/// <summary><c>--rate-limit</c> (docs/rate-limits.md): Stripe's 429 before anything executes, refills on real time, per account.</summary>
public sealed class RateLimitTests : IAsyncLifetime
{
    private readonly ManualWallClock _wall = new();
    private TestApp? _app;

    private TestApp App(string? rateLimit = "stripe") => _app ??= new TestApp(
        o => o.RateLimit = rateLimit,
        b => b.Services.AddKeyedSingleton<TimeProvider>(RateLimiter.WallClockKey, _wall));

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_app is not null) await _app.DisposeAsync();
    }

    /// <summary>Sends <paramref name="n"/> requests one after the other (no wall time passes: the clock is manual); their statuses.</summary>
    private static async Task<List<int>> Burst(HttpClient c, int n, string url = "/v1/customers")
    {
        var statuses = new List<int>();
        for (var i = 0; i < n; i++)
        {
            using var r = await c.GetAsync(url);
            statuses.Add((int)r.StatusCode);
        }
        return statuses;
    }

    [Fact]
    public async Task A_burst_over_25_a_second_gets_Stripes_429_with_its_reason_header_and_no_retry_advice()
    {
        var c = App().Client("sk_test_burst");
        var statuses = await Burst(c, 25);
        Assert.All(statuses, s => Assert.Equal(200, s));

        var over = await c.GetAsync("/v1/customers");
        var error = await over.ErrorAsync(429);
        Assert.Equal("invalid_request_error", (string)error["type"]!);
        Assert.Equal("rate_limit", (string)error["code"]!);
        Assert.Equal("https://stripe.com/docs/error-codes/rate-limit", (string)error["doc_url"]!);
        Assert.StartsWith("Request rate limit exceeded. You can learn more about rate limits here https://stripe.com/docs/rate-limits.", (string)error["message"]!);
        Assert.Contains("--rate-limit", (string)error["message"]!);
        Assert.Equal("global-rate", Assert.Single(over.Headers.GetValues("Stripe-Rate-Limited-Reason")));
        Assert.StartsWith("req_", Assert.Single(over.Headers.GetValues("Request-Id")));
        // Stripe documents neither for a rate limit; the SDKs then do not retry it on their own.
        Assert.False(over.Headers.Contains("Stripe-Should-Retry"));
        Assert.Null(over.Headers.RetryAfter);
    }

    [Fact]
    public async Task The_bucket_refills_with_wall_time_one_request_per_40_ms_up_to_a_seconds_worth()
    {
        var c = App().Client("sk_test_refill");
        Assert.Equal(25, (await Burst(c, 30)).Count(s => s == 200));

        _wall.Advance(TimeSpan.FromMilliseconds(40)); // 25 a second: one token
        Assert.Equal([200, 429], await Burst(c, 2));

        _wall.Advance(TimeSpan.FromMinutes(10)); // refilled, but never beyond a second's worth
        var statuses = await Burst(c, 30);
        Assert.Equal(25, statuses.Count(s => s == 200));
        Assert.Equal(Enumerable.Repeat(429, 5), statuses.Skip(25));
    }

    [Fact]
    public async Task A_refused_request_executes_nothing_and_stores_no_idempotent_result()
    {
        var c = App().Client("sk_test_nothing");
        await Burst(c, 25);

        var refused = await c.PostRawAsync("/v1/customers", "email=refused@example.com", idempotencyKey: "order-1");
        await refused.ErrorAsync(429);
        _wall.Advance(TimeSpan.FromSeconds(1));
        var list = await (await c.GetAsync("/v1/customers?email=refused@example.com")).OkAsync();
        Assert.Empty(list["data"]!.AsArray());

        // The SDK's retry (same key) runs for real: no stored 429 is replayed.
        var retried = await c.PostRawAsync("/v1/customers", "email=refused@example.com", idempotencyKey: "order-1");
        await retried.OkAsync();
        Assert.False(retried.Headers.Contains("Idempotent-Replayed"));
        Assert.Single((await (await c.GetAsync("/v1/customers?email=refused@example.com")).OkAsync())["data"]!.AsArray());
    }

    [Fact]
    public async Task Each_merchant_and_each_connected_account_has_its_own_bucket_and_the_control_api_is_never_limited()
    {
        var app = App();
        var platform = app.Client("sk_test_platform_a");
        var account = await (await platform.PostFormAsync("/v1/accounts", ("type", "express"), ("country", "US"))).OkAsync();
        await Burst(platform, 30);
        await (await platform.GetAsync("/v1/customers")).ErrorAsync(429);

        await (await app.Client("sk_test_other_merchant").GetAsync("/v1/customers")).OkAsync();
        var asConnected = app.Client("sk_test_platform_a");
        asConnected.DefaultRequestHeaders.Add("Stripe-Account", (string)account["id"]!);
        await (await asConnected.GetAsync("/v1/customers")).OkAsync();
        // The control API stays reachable to a limited merchant.
        await (await platform.GetAsync("/_mock/faults")).OkAsync();
    }

    [Fact]
    public async Task Search_has_its_own_lower_limit_counted_on_top_of_the_global_one()
    {
        var c = App().Client("sk_test_search");
        const string search = "/v1/customers/search?query=email%3A%27a%40example.com%27";
        var statuses = await Burst(c, 21, search);
        Assert.Equal(20, statuses.Count(s => s == 200));
        var over = await c.GetAsync(search);
        await over.ErrorAsync(429);
        Assert.Equal("endpoint-rate", Assert.Single(over.Headers.GetValues("Stripe-Rate-Limited-Reason")));
        // The 20 searches also used 20 of the 25 global tokens; the refused ones used none.
        Assert.Equal([200, 200, 200, 200, 200, 429], await Burst(c, 6));
    }

    [Fact]
    public async Task An_explicit_rate_is_requests_per_second_with_no_endpoint_limits()
    {
        var c = App("3").Client("sk_test_three");
        Assert.Equal([200, 200, 200, 429], await Burst(c, 4, "/v1/customers/search?query=email%3A%27a%40example.com%27"));
        _wall.Advance(TimeSpan.FromMilliseconds(334)); // a third of a second (and a little): one token
        Assert.Equal([200, 429], await Burst(c, 2));
    }

    [Fact]
    public async Task Off_by_default()
    {
        var app = App(rateLimit: null);
        Assert.Null(app.Options.RateLimit);
        Assert.All(await Burst(app.Client("sk_test_unlimited"), 100), s => Assert.Equal(200, s));
    }

    [Fact]
    public async Task Refusals_are_counted_by_limit_and_reason_in_the_metrics()
    {
        var app = App();
        var c = app.Client("sk_test_metered");
        await Burst(c, 28);
        await Burst(c, 21, "/v1/customers/search?query=email%3A%27a%40example.com%27");
        _wall.Advance(TimeSpan.FromSeconds(1));
        await Burst(c, 21, "/v1/customers/search?query=email%3A%27a%40example.com%27");

        var metrics = PrometheusText.Parse(await (await app.Client("").GetAsync("/metrics")).Content.ReadAsStringAsync());
        const string name = "mockprocessor_rate_limit_rejections_total";
        Assert.Equal(3 + 21, metrics.Value(name, ("limit", "global"), ("reason", "global-rate")));
        Assert.Equal(1, metrics.Value(name, ("limit", "search"), ("reason", "endpoint-rate")));
        // The refused requests are also requests, answered 429 (3 lists, 21 + 1 searches).
        double Refused(string route) => metrics.Value("mockprocessor_requests_total",
            ("http_route", route), ("http_request_method", "GET"), ("http_response_status_code", "429"));
        Assert.Equal(3, Refused("/v1/customers"));
        Assert.Equal(22, Refused("/v1/customers/search"));
    }
}
