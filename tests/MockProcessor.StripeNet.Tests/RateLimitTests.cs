using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MockProcessor.Server.Hosting;
using MockProcessor.Server.Time;
using RateLimiter = MockProcessor.Server.Wire.RateLimiter;
using StripeException = Stripe.StripeException;

namespace MockProcessor.StripeNet.Tests;

/// <summary>
/// <c>--rate-limit stripe</c> (docs/rate-limits.md) as Stripe.net meets it: an emulator of its own on a loopback port,
/// its limiter on a wall clock the test moves (no sleeping). Counterpart of rate_limits.test.mjs.
/// </summary>
public sealed class RateLimitTests : IAsyncLifetime
{
    private sealed class ManualWallClock : TimeProvider
    {
        private long _ticks = 1_000_000_000;
        public override long TimestampFrequency => TimeSpan.TicksPerSecond;
        public override long GetTimestamp() => Interlocked.Read(ref _ticks);
        public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
    }

    private readonly ManualWallClock _wall = new();
    private WebApplication? _app;
    private string _baseUrl = "";

    public async Task InitializeAsync()
    {
        var options = new MockProcessorOptions
        {
            InMemory = true, Port = 0, Clock = ClockMode.Manual, WebhookAutoDispatch = false, LogLevel = "Warning", RateLimit = "stripe",
        };
        _app = MockProcessorApp.Build(options, b =>
        {
            b.Logging.ClearProviders();
            b.Services.AddKeyedSingleton<TimeProvider>(RateLimiter.WallClockKey, _wall);
        });
        await _app.StartAsync();
        _baseUrl = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
    }

    public async Task DisposeAsync()
    {
        if (_app is not null) await _app.DisposeAsync();
    }

    private StripeClient RecordingClient(string key, out AttemptLog attempts)
    {
        var log = new AttemptLog();
        attempts = log;
        var http = new HttpClient(new RecordingHandler(log) { InnerHandler = new SocketsHttpHandler() }) { Timeout = TimeSpan.FromSeconds(30) };
        // Stripe.net's default: two retries, as production code has them.
        return new StripeClient(key, httpClient: new SystemNetHttpClient(http, maxNetworkRetries: 2), apiBase: _baseUrl);
    }

    [EmulatorFact("an emulator started with --rate-limit")]
    public async Task Over_the_limit_Stripe_net_gets_a_rate_limit_error_without_retrying_and_a_retry_after_the_refill_succeeds()
    {
        var client = RecordingClient("sk_test_net_rate_limited", out var attempts);
        for (var i = 0; i < 25; i++) await client.V1.Customers.ListAsync(new CustomerListOptions { Limit = 1 });
        attempts.All.Should().HaveCount(25).And.OnlyContain(a => a.Status == 200);
        attempts.Clear();

        var create = new CustomerCreateOptions { Email = "limited@example.com" };
        var sameCall = new RequestOptions { IdempotencyKey = "signup-limited" };
        var error = await FluentActions.Awaiting(() => client.V1.Customers.CreateAsync(create, sameCall))
            .Should().ThrowAsync<StripeException>();
        error.Which.HttpStatusCode.Should().Be((HttpStatusCode)429);
        error.Which.StripeError.Type.Should().Be("invalid_request_error");
        error.Which.StripeError.Code.Should().Be("rate_limit");
        error.Which.StripeResponse.Headers.GetValues("Stripe-Rate-Limited-Reason").Should().Equal("global-rate");
        // Stripe sends no Stripe-Should-Retry on a rate limit, and Stripe.net retries a 429 only when told to
        // (docs/rate-limits.md): MaxNetworkRetries does not cover it, the caller backs off.
        attempts.All.Should().ContainSingle().Which.Status.Should().Be(429);

        _wall.Advance(TimeSpan.FromMilliseconds(40)); // one request's worth at 25 a second
        var customer = await client.V1.Customers.CreateAsync(create, sameCall);
        customer.Email.Should().Be("limited@example.com");
        // The 429 stored nothing under the key: the retry executed for real, and there is one customer.
        attempts.All.Last().Replayed.Should().BeFalse();
        _wall.Advance(TimeSpan.FromSeconds(1));
        (await client.V1.Customers.ListAsync(new CustomerListOptions { Email = "limited@example.com" })).Data
            .Select(c => c.Id).Should().Equal(customer.Id);
    }

    [EmulatorFact("an emulator started with --rate-limit")]
    public async Task Another_merchants_burst_does_not_limit_this_one()
    {
        var busy = RecordingClient("sk_test_net_busy", out var busyAttempts);
        for (var i = 0; i < 30; i++)
        {
            try { await busy.V1.Balance.GetAsync(); }
            catch (StripeException e) when (e.HttpStatusCode == (HttpStatusCode)429) { }
        }
        busyAttempts.All.Count(a => a.Status == 429).Should().Be(5);

        var quiet = RecordingClient("sk_test_net_quiet", out var quietAttempts);
        (await quiet.V1.Balance.GetAsync()).Object.Should().Be("balance");
        quietAttempts.All.Should().ContainSingle().Which.Status.Should().Be(200);
    }
}
