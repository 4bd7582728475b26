using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Logging;
using MockProcessor.Server.Hosting;
using MockProcessor.Server.Time;

namespace MockProcessor.Scenarios;

/// <summary>Where a scenario runs: its own emulator in this process, or an emulator already running elsewhere.</summary>
public interface IEmulator : IAsyncDisposable
{
    HttpClient Http { get; }
    bool InProcess { get; }
    /// <summary>The secret key a scenario's merchant uses here.</summary>
    string KeyFor(Scenario scenario, MerchantSpec merchant);
}

/// <summary>
/// A fresh emulator per scenario, in memory, on an in-process TestServer (no port): its own seeded ids, its own manual
/// clock starting at the scenario's start time. Webhooks still go out over real HTTP (to the recording receiver),
/// one at a time (concurrency 1) so they arrive in due order, and only when the runner flushes, so every run of a
/// seed sends the same deliveries in the same order.
/// </summary>
public sealed class InProcessEmulator : IEmulator
{
    public const long DefaultStartTime = 1_800_000_000; // 2027-01-15T08:00:00Z
    private readonly WebApplication _app;

    private InProcessEmulator(WebApplication app, HttpClient http) => (_app, Http) = (app, http);

    public HttpClient Http { get; }
    public bool InProcess => true;

    public static async Task<InProcessEmulator> StartAsync(Scenario scenario, long seed)
    {
        var options = new MockProcessorOptions
        {
            InMemory = true, Seed = seed, Clock = ClockMode.Manual, StartTime = scenario.StartTime ?? DefaultStartTime,
            LogLevel = "None", WebhookAutoDispatch = false, WebhookConcurrency = 1, WebhookRetry = scenario.WebhookRetry,
        };
        var app = MockProcessorApp.Build(options, b =>
        {
            b.WebHost.UseTestServer();
            b.Logging.ClearProviders();
        });
        await app.StartAsync();
        var http = app.GetTestServer().CreateClient();
        return new InProcessEmulator(app, http);
    }

    // In a private emulator the key only has to be stable: the same key gives the same merchant in every run.
    public string KeyFor(Scenario scenario, MerchantSpec merchant) => merchant.Key ?? $"sk_test_{merchant.Name}";

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>
/// An emulator that is already running (<c>--base-url</c>). Scenarios share it, so each run's merchants get keys of
/// their own (a run nonce and the scenario's number are appended), and nothing is disposed.
/// </summary>
public sealed class RemoteEmulator(HttpClient http, string nonce, int number) : IEmulator
{
    public HttpClient Http => http;
    public bool InProcess => false;

    public string KeyFor(Scenario scenario, MerchantSpec merchant) =>
        $"{merchant.Key ?? "sk_test_" + merchant.Name}_{nonce}{number}";

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
