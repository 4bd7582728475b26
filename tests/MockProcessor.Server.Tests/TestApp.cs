using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using MockProcessor.Server.Hosting;
using MockProcessor.Server.Time;
using MockProcessor.Server.Tests.Storage;
using MockProcessor.Server.Tests.Webhooks;
using MockProcessor.Server.Webhooks;

namespace MockProcessor.Server.Tests;

/// <summary>
/// The emulator in-process on a TestServer: in memory unless a database path is given, manual clock at a
/// fixed start, seeded ids. Each instance is its own world; each key passed to <see cref="Client"/> its own merchant.
/// Webhook deliveries go to <see cref="Receiver"/> (no sockets) and are sent only by <c>POST /_mock/webhooks/flush</c>,
/// so tests decide when they happen.
/// </summary>
public sealed class TestApp : IAsyncDisposable
{
    public const long StartTime = 1_800_000_000; // 2027-01-15, a fixed point so expiry checks are stable
    private readonly WebApplication _app;

    public TestApp(Action<MockProcessorOptions>? configure = null, Action<WebApplicationBuilder>? build = null)
    {
        Options = new MockProcessorOptions
        {
            InMemory = true, Seed = 42, Clock = ClockMode.Manual, StartTime = StartTime, LogLevel = "Warning", WebhookAutoDispatch = false,
            VerifyParameterDeclarations = true,
        };
        // MOCKPROCESSOR_TEST_COLD=N runs the in-memory tests on a temporary file store keeping only N objects in memory,
        // so every read of an older object goes through the cold path (docs/storage.md, "Cold objects").
        if (Environment.GetEnvironmentVariable("MOCKPROCESSOR_TEST_COLD") is { Length: > 0 } cold)
        {
            _coldDb = new TempSqliteDb("testapp-cold");
            Options.InMemory = false;
            Options.Database = _coldDb.Path;
            Options.CacheObjects = long.Parse(cold, System.Globalization.CultureInfo.InvariantCulture);
        }
        configure?.Invoke(Options);
        _app = MockProcessorApp.Build(Options, b =>
        {
            b.WebHost.UseTestServer();
            b.Services.AddSingleton(new WebhookTransport(Receiver));
            build?.Invoke(b);
        });
        _app.StartAsync().GetAwaiter().GetResult();
    }

    private readonly TempSqliteDb? _coldDb;

    public MockProcessorOptions Options { get; }
    public WebhookReceiver Receiver { get; } = new();
    public IServiceProvider Services => _app.Services;

    public HttpClient Client(string key = "sk_test_default")
    {
        var client = _app.GetTestClient();
        if (key.Length > 0) client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _coldDb?.Dispose();
    }
}

public static class HttpExtensions
{
    public static Task<HttpResponseMessage> PostFormAsync(this HttpClient client, string url, params (string Key, string Value)[] fields) =>
        client.PostAsync(url, new FormUrlEncodedContent(fields.Select(f => new KeyValuePair<string, string>(f.Key, f.Value))));

    public static Task<HttpResponseMessage> PostRawAsync(this HttpClient client, string url, string body, string? idempotencyKey = null)
    {
        var req = new HttpRequestMessage(HttpMethod.Post, url)
        {
            Content = new StringContent(body, System.Text.Encoding.UTF8, "application/x-www-form-urlencoded"),
        };
        if (idempotencyKey is not null) req.Headers.Add("Idempotency-Key", idempotencyKey);
        return client.SendAsync(req);
    }

    public static async Task<JsonObject> JsonAsync(this HttpResponseMessage response) =>
        JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();

    /// <summary>The <c>error</c> object of a Stripe error response, asserting the status on the way.</summary>
    public static async Task<JsonObject> ErrorAsync(this HttpResponseMessage response, int status)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == status, $"expected {status}, got {(int)response.StatusCode}: {body}");
        return JsonNode.Parse(body)!["error"]!.AsObject();
    }

    /// <summary>A new test clock (POST /v1/test_helpers/test_clocks) frozen at <paramref name="frozenTime"/>.</summary>
    public static async Task<JsonObject> CreateTestClockAsync(this HttpClient client, long frozenTime, string? name = null) =>
        await (await client.PostFormAsync("/v1/test_helpers/test_clocks",
            name is null ? [("frozen_time", frozenTime.ToString())] : [("frozen_time", frozenTime.ToString()), ("name", name)])).OkAsync();

    /// <summary>Advances a test clock by <paramref name="seconds"/> from its current frozen_time; the clock as answered.</summary>
    public static async Task<JsonObject> AdvanceTestClockAsync(this HttpClient client, JsonObject clock, long seconds)
    {
        var id = (string)clock["id"]!;
        var current = await (await client.GetAsync($"/v1/test_helpers/test_clocks/{id}")).OkAsync();
        var to = (long)current["frozen_time"]! + seconds;
        return await (await client.PostFormAsync($"/v1/test_helpers/test_clocks/{id}/advance", ("frozen_time", to.ToString()))).OkAsync();
    }

    public static async Task<JsonObject> OkAsync(this HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == 200, $"expected 200, got {(int)response.StatusCode}: {body}");
        return JsonNode.Parse(body)!.AsObject();
    }
}
