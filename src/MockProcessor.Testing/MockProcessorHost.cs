using System.Net.Http.Headers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MockProcessor.Server.Hosting;
using MockProcessor.Server.Time;
using MockProcessor.Server.Webhooks;
using Stripe;

namespace MockProcessor.Testing;

/// <summary>
/// The MockProcessor emulator inside a test process (docs/testing-host.md): in memory, on a real loopback port
/// (<see cref="BaseUrl"/>) and, for .NET clients, also reachable in-process without any socket
/// (<see cref="CreateStripeClient"/>, <see cref="Transport.InProcess"/>). Each host is its own world: store, clock,
/// seeded ids, merchants.
/// <code>
/// await using var mp = await MockProcessorHost.StartAsync(new() { Seed = 42, Clock = ClockMode.Manual });
/// var stripe = mp.CreateStripeClient(mp.NewMerchantKey());
/// </code>
/// </summary>
public sealed class MockProcessorHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly HttpClient _inProcess;
    private readonly HttpClient _socket;
    private readonly ConnectionCounter _connections;
    private readonly ControlApi _api;
    private int _nextKey;
    private int _disposed;

    private MockProcessorHost(WebApplication app, MockProcessorOptions options, WebhookRouter router, ConnectionCounter connections, bool autoDispatch)
    {
        _app = app;
        Options = options;
        _connections = connections;
        BaseUrl = app.Urls.First().TrimEnd('/');
        var server = (DualServer)app.Services.GetRequiredService<IServer>();
        _inProcess = new HttpClient(new InProcessHandler(server.InProcess.CreateHandler())) { BaseAddress = new Uri(BaseUrl) };
        _socket = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(2) }) { BaseAddress = new Uri(BaseUrl) };
        _api = new ControlApi(_inProcess);
        Clock = new HostClock(app.Services.GetRequiredService<VirtualClock>(), _api);
        Webhooks = new HostWebhooks(_api, autoDispatch, router);
    }

    /// <summary>Starts an emulator in this process. Dispose it (<c>await using</c>) to stop it and free its port.</summary>
    public static async Task<MockProcessorHost> StartAsync(MockProcessorHostOptions? options = null, CancellationToken ct = default)
    {
        options ??= new MockProcessorHostOptions();
        var serverOptions = options.ToServerOptions();
        var router = new WebhookRouter();
        var connections = new ConnectionCounter();
        var app = MockProcessorApp.Build(serverOptions, b =>
        {
            if (string.Equals(serverOptions.LogLevel, "None", StringComparison.OrdinalIgnoreCase)) b.Logging.ClearProviders();
            // Every socket connection Kestrel accepts is counted: the proof that in-process calls open none.
            b.WebHost.ConfigureKestrel(k => k.ConfigureEndpointDefaults(l => l.Use(next => context =>
            {
                connections.Increment();
                return next(context);
            })));
            DualServer.Register(b.Services);
            // Registered after AddMockProcessor, so it replaces the default transport (see WebhookTransport). A factory,
            // not an instance, so that the container disposes it (and the router's network handler) with the app.
            b.Services.AddSingleton(_ => new WebhookTransport(router));
        });
        try
        {
            await app.StartAsync(ct);
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
        return new MockProcessorHost(app, serverOptions, router, connections, serverOptions.WebhookAutoDispatch);
    }

    /// <summary><c>http://127.0.0.1:PORT</c>, no trailing slash: a real listener, for any client (curl, node, a browser).</summary>
    public string BaseUrl { get; }

    /// <summary>The emulator's options as it runs with them.</summary>
    public MockProcessorOptions Options { get; }

    /// <summary>The emulator's services (its store, clock...), for the rare test that needs to look inside.</summary>
    public IServiceProvider Services => _app.Services;

    public HostClock Clock { get; }

    public HostWebhooks Webhooks { get; }

    /// <summary>TCP connections accepted on <see cref="BaseUrl"/> since start; in-process calls never add to it.</summary>
    public long SocketConnections => _connections.Count;

    /// <summary>
    /// A Stripe.net client for the merchant of <paramref name="apiKey"/>, with every base URL (API, Connect, Files,
    /// meter events) set to the emulator. <see cref="Transport.InProcess"/> (default) sends no byte over a socket.
    /// </summary>
    public StripeClient CreateStripeClient(string apiKey, Transport transport = Transport.InProcess, int maxNetworkRetries = SystemNetHttpClient.DefaultMaxNumberRetries)
    {
        var http = new SystemNetHttpClient(transport == Transport.InProcess ? _inProcess : _socket, maxNetworkRetries);
        return new StripeClient(apiKey, httpClient: http, apiBase: BaseUrl, connectBase: BaseUrl, filesBase: BaseUrl, meterEventsBase: BaseUrl);
    }

    /// <summary>A plain HttpClient on the emulator (base address set; the key, when given, as Bearer). Dispose it.</summary>
    public HttpClient CreateHttpClient(string? apiKey = null, Transport transport = Transport.InProcess)
    {
        HttpMessageHandler handler = transport == Transport.InProcess
            ? new InProcessHandler(((DualServer)_app.Services.GetRequiredService<IServer>()).InProcess.CreateHandler())
            : new SocketsHttpHandler();
        var client = new HttpClient(handler) { BaseAddress = new Uri(BaseUrl) };
        if (apiKey is not null) client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        return client;
    }

    /// <summary>
    /// A secret key no one has used in this host: its first use provisions a new, empty merchant (docs/connect.md).
    /// The same sequence in every host, so seeded runs stay repeatable.
    /// </summary>
    public string NewMerchantKey() => $"sk_test_host{Interlocked.Increment(ref _nextKey)}";

    /// <summary>Onboards a merchant explicitly (<c>POST /_mock/merchants</c>): generated keys, name, country, currency.</summary>
    public async Task<Merchant> OnboardMerchantAsync(string? name = null, string? country = null, string? defaultCurrency = null, CancellationToken ct = default)
    {
        var m = await _api.PostAsync("/_mock/merchants", null,
            new Form().Add("name", name).Add("country", country).Add("default_currency", defaultCurrency), ct);
        return new Merchant((string)m["id"]!, (string)m["secret_key"]!, (string)m["publishable_key"]!);
    }

    /// <summary>The merchant's network rules (<c>/_mock/network_rules</c>).</summary>
    public NetworkRules NetworkRules(string apiKey) => new(_api, apiKey);

    /// <summary>The merchant's HTTP fault rules (<c>/_mock/faults</c>).</summary>
    public Faults Faults(string apiKey) => new(_api, apiKey);

    /// <summary>The merchant's event log through the API (<c>GET /v1/events</c>), oldest first; optionally one type.</summary>
    public async Task<IReadOnlyList<Event>> EventsAsync(string apiKey, string? type = null, CancellationToken ct = default)
    {
        var all = new List<Event>();
        await foreach (var e in CreateStripeClient(apiKey).V1.Events.ListAutoPagingAsync(new EventListOptions { Type = type, Limit = 100 }, cancellationToken: ct))
            all.Add(e);
        all.Reverse();
        return all;
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        _inProcess.Dispose();
        _socket.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private sealed class ConnectionCounter
    {
        private long _count;
        public long Count => Interlocked.Read(ref _count);
        public void Increment() => Interlocked.Increment(ref _count);
    }
}

/// <summary>An onboarded merchant and its generated keys.</summary>
public sealed record Merchant(string Id, string SecretKey, string PublishableKey);
