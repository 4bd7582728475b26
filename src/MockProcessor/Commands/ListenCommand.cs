using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace MockProcessor.Commands;

public sealed class ListenSettings : ClientSettings
{
    public string? ForwardTo { get; set; }
    public string Events { get; set; } = "*";

    public string[] EnabledEvents =>
        Events.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) is { Length: > 0 } e ? e : ["*"];
}

/// <summary>
/// <c>mockprocessor listen --forward-to URL</c>, after <c>stripe listen</c>: a webhook endpoint on the emulator whose
/// url is a relay on this machine, which passes every delivery on to URL unchanged.
/// </summary>
public static class ListenCommand
{
    public static readonly Command<ListenSettings> Spec = new(
        "listen", "forward a running emulator's webhook deliveries to a local URL (like `stripe listen`)",
        [
            new("forward-to", false, "URL each delivery is POSTed to (required)", (s, v) => s.ForwardTo = ClientSettings.AbsoluteHttp(v, "forward-to")),
            new("events", false, "comma-separated event types to receive (default *, all)", (s, v) => s.Events = v),
            .. ClientSettings.Options<ListenSettings>(),
        ],
        RunAsync,
        validate: s => s.ForwardTo is null ? "listen needs --forward-to URL." : null);

    private static async Task<int> RunAsync(ListenSettings settings, CancellationToken ct)
    {
        using var emulator = settings.CreateHttpClient();
        // The receiver gets as long as the emulator waits for us (its default timeout is 10 s) and a little more.
        using var receiver = new HttpClient { Timeout = TimeSpan.FromSeconds(15) };
        await using var session = new ListenSession(settings, emulator, receiver, Console.Out);
        try
        {
            await session.StartAsync(ct);
        }
        catch (Exception ex) when (ex is EmulatorException or HttpRequestException)
        {
            await Console.Error.WriteLineAsync($"Could not create the webhook endpoint on {settings.Url}: {ex.Message}");
            return 1;
        }
        await Console.Out.WriteLineAsync(session.Secret is { } secret
            ? $"Ready! Your webhook signing secret is {secret} (^C to quit)"
            : $"Ready! Endpoint {session.EndpointId} created, but the emulator returned no signing secret (^C to quit)");
        // The relay's host owns Ctrl-C and SIGTERM (its console lifetime turns both into "stopping"): wait for that,
        // then remove the endpoint so the emulator stops queueing deliveries for a relay that is gone.
        await session.StoppingAsync(ct);
        await session.StopAsync();
        return 0;
    }
}

/// <summary>The relay and the endpoint it registered; started, then stopped (endpoint deleted) once.</summary>
public sealed class ListenSession(ListenSettings settings, HttpClient emulator, HttpClient receiver, TextWriter output) : IAsyncDisposable
{
    private WebApplication? _relay;
    private readonly TextWriter _output = TextWriter.Synchronized(output); // deliveries run concurrently

    public string? EndpointId { get; private set; }
    public string? Secret { get; private set; }
    public Uri? RelayUrl { get; private set; }

    public async Task StartAsync(CancellationToken ct)
    {
        var forwarder = new WebhookForwarder(receiver, new Uri(settings.ForwardTo!), _output);
        // Content root = our own folder: listen usually runs inside the user's web project, whose appsettings.json
        // (Kestrel endpoints, logging) is not meant for the relay.
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        // Loopback only, on a port the OS picks: nothing but this machine's emulator should reach the relay.
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _relay = builder.Build();
        _relay.MapPost("/", async (HttpContext http) =>
        {
            using var body = new MemoryStream();
            await http.Request.Body.CopyToAsync(body, http.RequestAborted);
            var headers = http.Request.Headers.Select(h => KeyValuePair.Create(h.Key, h.Value.Select(v => v ?? "").ToArray()));
            var reply = await forwarder.ForwardAsync(body.ToArray(), headers, http.RequestAborted);
            http.Response.StatusCode = reply.Status;
            if (reply.ContentType is not null) http.Response.ContentType = reply.ContentType;
            await http.Response.Body.WriteAsync(reply.Body, http.RequestAborted);
        });
        await _relay.StartAsync(ct);
        RelayUrl = new Uri(_relay.Urls.First().TrimEnd('/') + "/");

        var api = new EmulatorClient(emulator, settings.ApiKey);
        var endpoint = await api.PostAsync("/v1/webhook_endpoints",
            [("url", RelayUrl.ToString()), .. settings.EnabledEvents.Select(e => ("enabled_events[]", e))], ct);
        EndpointId = endpoint["id"]!.GetValue<string>();
        Secret = endpoint["secret"]?.GetValue<string>();
    }

    /// <summary>Completes on <paramref name="ct"/> or when the relay's host is told to stop (Ctrl-C, SIGTERM).</summary>
    public async Task StoppingAsync(CancellationToken ct)
    {
        var stopping = _relay?.Lifetime.ApplicationStopping ?? CancellationToken.None;
        using var both = CancellationTokenSource.CreateLinkedTokenSource(ct, stopping);
        try { await Task.Delay(Timeout.Infinite, both.Token); }
        catch (OperationCanceledException) { /* the point */ }
    }

    public async Task StopAsync()
    {
        if (EndpointId is { } id)
        {
            EndpointId = null;
            try
            {
                await new EmulatorClient(emulator, settings.ApiKey).DeleteAsync($"/v1/webhook_endpoints/{id}", CancellationToken.None);
                await _output.WriteLineAsync($"Deleted webhook endpoint {id}.");
            }
            catch (Exception ex) when (ex is EmulatorException or HttpRequestException)
            {
                await _output.WriteLineAsync($"Could not delete webhook endpoint {id}: {ex.Message}");
            }
        }
        if (_relay is { } relay)
        {
            _relay = null;
            await relay.StopAsync();
            await relay.DisposeAsync();
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync();
}
