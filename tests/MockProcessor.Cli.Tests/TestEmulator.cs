using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using MockProcessor.Server.Hosting;
using MockProcessor.Server.Time;

namespace MockProcessor.Cli.Tests;

/// <summary>
/// The emulator in-process on a TestServer (as Server.Tests' TestApp): in memory, manual clock, seeded ids. The
/// commands get its client as their HttpClient, so no port is opened for the emulator.
/// </summary>
public sealed class TestEmulator : IAsyncDisposable
{
    public const long StartTime = 1_800_000_000;
    private readonly WebApplication _app;

    public TestEmulator(Action<MockProcessorOptions>? configure = null)
    {
        var options = new MockProcessorOptions { InMemory = true, Seed = 7, Clock = ClockMode.Manual, StartTime = StartTime, LogLevel = "Warning" };
        configure?.Invoke(options);
        _app = MockProcessorApp.Build(options, b => b.WebHost.UseTestServer());
        _app.StartAsync().GetAwaiter().GetResult();
    }

    public IServiceProvider Services => _app.Services;

    /// <summary>A client without credentials: the commands put the key on each request themselves.</summary>
    public HttpClient Client() => _app.GetTestClient();

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>A receiver or emulator stand-in: answers with <paramref name="respond"/> and keeps what it was sent.</summary>
public sealed class FakeHandler(Func<HttpRequestMessage, byte[], HttpResponseMessage> respond) : HttpMessageHandler
{
    public List<(HttpRequestMessage Request, byte[] Body)> Received { get; } = [];

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        var body = request.Content is null ? [] : await request.Content.ReadAsByteArrayAsync(ct);
        lock (Received) Received.Add((request, body));
        return respond(request, body);
    }
}
