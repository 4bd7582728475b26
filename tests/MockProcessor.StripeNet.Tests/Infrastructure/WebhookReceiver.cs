using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace MockProcessor.StripeNet.Tests.Infrastructure;

/// <summary>
/// A webhook receiver as a .NET integration would run one: a Kestrel minimal app on 127.0.0.1 (a free port) that
/// records each delivery's raw body and headers and answers a scripted status (200 unless <c>Respond</c> says otherwise).
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<Delivery> _deliveries = new();
    private int _count;

    private WebhookReceiver(WebApplication app) => _app = app;

    /// <summary>Status to answer for the n-th delivery (0-based).</summary>
    public Func<int, int> Respond { get; set; } = _ => 200;

    public string Url { get; private set; } = "";

    public IReadOnlyList<Delivery> Deliveries => _deliveries.ToArray();

    public static async Task<WebhookReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var app = builder.Build();
        var receiver = new WebhookReceiver(app);
        app.MapPost("/webhooks", async (HttpContext http) =>
        {
            using var reader = new StreamReader(http.Request.Body);
            var body = await reader.ReadToEndAsync();
            var index = Interlocked.Increment(ref receiver._count) - 1;
            var status = receiver.Respond(index);
            receiver._deliveries.Enqueue(new Delivery(body, http.Request.Headers["Stripe-Signature"].ToString(),
                http.Request.Headers.ContentType.ToString(), http.Request.Headers.UserAgent.ToString(), status, DateTimeOffset.UtcNow));
            http.Response.StatusCode = status;
            await http.Response.WriteAsJsonAsync(new { received = status < 300 });
        });
        await app.StartAsync();
        var address = app.Services.GetService(typeof(IServer)) is IServer s ? s.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() : null;
        receiver.Url = (address ?? throw new InvalidOperationException("receiver has no address")).TrimEnd('/') + "/webhooks";
        return receiver;
    }

    /// <summary>Waits until at least <paramref name="n"/> deliveries arrived (flush first against the in-process emulator).</summary>
    public async Task<IReadOnlyList<Delivery>> WaitForAsync(int n, int timeoutMs = 10_000)
    {
        var deadline = DateTime.UtcNow.AddMilliseconds(timeoutMs);
        while (_deliveries.Count < n)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"receiver got {_deliveries.Count} of {n} deliveries within {timeoutMs} ms");
            await Task.Delay(20);
        }
        return Deliveries;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

public sealed record Delivery(string Body, string Signature, string ContentType, string UserAgent, int AnsweredStatus, DateTimeOffset At);
