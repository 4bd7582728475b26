using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Stripe;

namespace MockProcessor.Testing;

/// <summary>One webhook request the emulator sent while running in this host, and what came of it.</summary>
public sealed record WebhookRequest(string Url, string Body, string? Signature, int? Status, string? Error);

/// <summary>A webhook endpoint created through the host. The secret is kept in memory only, to verify signatures.</summary>
public sealed record WebhookEndpointInfo(string Id, string Url, string Secret);

/// <summary>
/// Webhooks in a test: every delivery the emulator makes passes through <see cref="WebhookRouter"/>, which records it
/// and sends it to a handler registered for its origin (<see cref="Route"/>: e.g. a WebApplicationFactory's in-memory
/// server) or, failing that, over the network. <see cref="ListenAsync"/> points an endpoint at the built-in receiver,
/// which verifies each delivery as an application would (<see cref="EventUtility.ConstructEvent(string,string,string,long,bool)"/>,
/// strict API version) and answers 200, or 400 when verification fails.
/// </summary>
public sealed class HostWebhooks
{
    /// <summary>The built-in receiver's origin: routed in-process, never resolved or connected to.</summary>
    public static readonly Uri ReceiverOrigin = new("http://receiver.mockprocessor.test/");

    private readonly ControlApi _api;
    private readonly bool _autoDispatch;
    private readonly ConcurrentDictionary<string, (string Key, string Secret)> _listeners = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private readonly List<Event> _received = [];
    private readonly List<string> _rejected = [];
    private TaskCompletionSource _arrived = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _nextListener;

    internal HostWebhooks(ControlApi api, bool autoDispatch, WebhookRouter router)
    {
        (_api, _autoDispatch, Router) = (api, autoDispatch, router);
        router.Route(ReceiverOrigin, new ReceiverHandler(this));
    }

    internal WebhookRouter Router { get; }

    /// <summary>Every webhook request the emulator sent, in the order they were started.</summary>
    public IReadOnlyList<WebhookRequest> Sent => Router.Sent;

    /// <summary>Events the built-in receiver accepted (signature and API version verified), in arrival order.</summary>
    public IReadOnlyList<Event> Received { get { lock (_gate) return [.. _received]; } }

    /// <summary>Why the built-in receiver refused deliveries (each answered 400), in arrival order.</summary>
    public IReadOnlyList<string> Rejected { get { lock (_gate) return [.. _rejected]; } }

    /// <summary>
    /// Deliveries to <paramref name="origin"/> (scheme, host, port) go to <paramref name="handler"/> instead of the
    /// network: <c>Route(new Uri("http://orders.test"), factory.Server.CreateHandler())</c>. The caller owns the handler.
    /// </summary>
    public void Route(Uri origin, HttpMessageHandler handler) => Router.Route(origin, handler);

    /// <summary>Creates a webhook endpoint for the merchant (<c>POST /v1/webhook_endpoints</c>, all events by default).</summary>
    public async Task<WebhookEndpointInfo> CreateEndpointAsync(string apiKey, string url, IEnumerable<string>? events = null, CancellationToken ct = default)
    {
        var form = new Form().Add("url", url).Add("api_version", StripeConfiguration.ApiVersion);
        var list = events?.ToList() is { Count: > 0 } given ? given : ["*"];
        for (var i = 0; i < list.Count; i++) form.Add($"enabled_events[{i}]", list[i]);
        var we = await _api.PostAsync("/v1/webhook_endpoints", apiKey, form, ct);
        return new WebhookEndpointInfo((string)we["id"]!, (string)we["url"]!, (string)we["secret"]!);
    }

    /// <summary>Points a new endpoint of the merchant at the built-in receiver (all events unless named).</summary>
    public async Task<WebhookEndpointInfo> ListenAsync(string apiKey, IEnumerable<string>? events = null, CancellationToken ct = default)
    {
        var path = "l" + Interlocked.Increment(ref _nextListener);
        var endpoint = await CreateEndpointAsync(apiKey, new Uri(ReceiverOrigin, path).ToString(), events, ct);
        _listeners[path] = (apiKey, endpoint.Secret);
        return endpoint;
    }

    /// <summary>Sends every delivery due now (<c>POST /_mock/webhooks/flush</c>) and answers when their attempts are recorded.</summary>
    public async Task<int> FlushAsync(CancellationToken ct = default) =>
        (int)(await _api.PostAsync("/_mock/webhooks/flush", null, [], ct))["attempted"]!;

    /// <summary>
    /// The first verified event of <paramref name="type"/> (that <paramref name="match"/> accepts) the built-in receiver
    /// got, earlier arrivals included; waits up to <paramref name="timeout"/>. With manual dispatch it flushes while waiting.
    /// </summary>
    public async Task<Event> WaitForAsync(string type, TimeSpan timeout, Func<Event, bool>? match = null, CancellationToken ct = default)
    {
        if (_listeners.IsEmpty) throw new InvalidOperationException("No merchant listens: call ListenAsync(apiKey) first.");
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout);
        while (true)
        {
            Task arrived;
            lock (_gate)
            {
                if (_received.FirstOrDefault(e => e.Type == type && (match is null || match(e))) is { } found) return found;
                arrived = _arrived.Task;
            }
            try
            {
                if (_autoDispatch) await arrived.WaitAsync(cts.Token);
                else
                {
                    // Nothing is sent unless flushed: flush, and again a little later for events made meanwhile.
                    await FlushAsync(cts.Token);
                    lock (_gate)
                        if (_received.Any(e => e.Type == type && (match is null || match(e)))) continue;
                    await Task.WhenAny(arrived, Task.Delay(TimeSpan.FromMilliseconds(50), cts.Token));
                    cts.Token.ThrowIfCancellationRequested();
                }
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                string seen, rejected;
                lock (_gate) (seen, rejected) = (string.Join(", ", _received.Select(e => e.Type)), string.Join("; ", _rejected));
                throw new TimeoutException($"No {type} event within {timeout.TotalSeconds:0.###} s. Received: [{seen}]" +
                    (rejected.Length > 0 ? $"; rejected: [{rejected}]" : ""));
            }
        }
    }

    private HttpStatusCode Accept(string path, string body, string? signature)
    {
        string? failure = null;
        Event? verified = null;
        if (!_listeners.TryGetValue(path, out var listener)) failure = $"no listener at /{path}";
        else
        {
            try { verified = EventUtility.ConstructEvent(body, signature ?? "", listener.Secret, throwOnApiVersionMismatch: true); }
            catch (StripeException ex) { failure = ex.Message; }
        }
        lock (_gate)
        {
            if (verified is not null) _received.Add(verified);
            else _rejected.Add(failure!);
            _arrived.TrySetResult();
            _arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        return verified is not null ? HttpStatusCode.OK : HttpStatusCode.BadRequest;
    }

    /// <summary>The built-in receiver: an in-memory handler, so listening costs no port and no socket.</summary>
    private sealed class ReceiverHandler(HostWebhooks owner) : HttpMessageHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
        {
            var body = request.Content is null ? "" : await request.Content.ReadAsStringAsync(ct);
            var signature = request.Headers.TryGetValues("Stripe-Signature", out var values) ? values.FirstOrDefault() : null;
            var status = owner.Accept(request.RequestUri!.AbsolutePath.Trim('/'), body, signature);
            return new HttpResponseMessage(status) { Content = new StringContent(status == HttpStatusCode.OK ? "{\"received\":true}" : "{\"error\":\"signature\"}", Encoding.UTF8, "application/json") };
        }
    }
}

/// <summary>
/// The emulator's webhook transport handler in a host (registered as its <c>WebhookTransport</c>): records each
/// request, then sends it to the handler routed for its origin, or over the network.
/// </summary>
internal sealed class WebhookRouter : HttpMessageHandler
{
    private readonly ConcurrentDictionary<string, HttpMessageInvoker> _routes = new(StringComparer.OrdinalIgnoreCase);
    private readonly HttpMessageInvoker _network = new(new SocketsHttpHandler
    {
        AllowAutoRedirect = false, PooledConnectionLifetime = TimeSpan.FromMinutes(2), ConnectTimeout = TimeSpan.FromSeconds(10),
    });
    private readonly Lock _gate = new();
    private readonly List<WebhookRequest> _sent = [];

    public IReadOnlyList<WebhookRequest> Sent { get { lock (_gate) return [.. _sent]; } }

    public void Route(Uri origin, HttpMessageHandler handler) =>
        _routes[origin.GetLeftPart(UriPartial.Authority)] = new HttpMessageInvoker(handler, disposeHandler: false);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        var body = request.Content is null ? "" : await request.Content.ReadAsStringAsync(ct);
        var signature = request.Headers.TryGetValues("Stripe-Signature", out var values) ? values.FirstOrDefault() : null;
        int index;
        lock (_gate) { index = _sent.Count; _sent.Add(new WebhookRequest(request.RequestUri!.ToString(), body, signature, null, null)); }
        var target = _routes.TryGetValue(request.RequestUri!.GetLeftPart(UriPartial.Authority), out var routed) ? routed : _network;
        try
        {
            var response = await target.SendAsync(request, ct);
            lock (_gate) _sent[index] = _sent[index] with { Status = (int)response.StatusCode };
            return response;
        }
        catch (Exception ex)
        {
            lock (_gate) _sent[index] = _sent[index] with { Error = ex.Message };
            throw;
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) _network.Dispose();
        base.Dispose(disposing);
    }
}
