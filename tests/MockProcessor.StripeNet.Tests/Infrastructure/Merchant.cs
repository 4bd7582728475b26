using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Stripe;

namespace MockProcessor.StripeNet.Tests.Infrastructure;

/// <summary>
/// One merchant (one secret key) as a .NET integration sees it: a <see cref="StripeClient"/> pointed at the target,
/// and the emulator's control API (<c>/_mock/...</c>) through a plain <see cref="HttpClient"/> with the key as Bearer.
/// The key itself is never written to test output.
/// </summary>
public sealed class Merchant
{
    private readonly EmulatorTarget _target;
    private readonly string _key;
    private readonly HttpClient _http;

    public Merchant(EmulatorTarget target, string key)
    {
        _target = target;
        _key = key;
        _http = new HttpClient { BaseAddress = new Uri(target.BaseUrl + "/"), Timeout = TimeSpan.FromSeconds(60) };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        Client = new StripeClient(key, apiBase: target.BaseUrl);
    }

    /// <summary>Stripe.net with its defaults (two network retries).</summary>
    public StripeClient Client { get; }

    public string BaseUrl => _target.BaseUrl;

    /// <summary>The merchant's publishable key (the emulator pairs <c>pk_test_X</c> with <c>sk_test_X</c>).</summary>
    public string PublishableKey => EmulatorTarget.IsRealStripe
        ? Environment.GetEnvironmentVariable("STRIPE_TEST_PUBLISHABLE_KEY") ?? ""
        : "pk_test_" + _key["sk_test_".Length..];

    /// <summary>A client that acts with another key (the publishable one, a restricted key...).</summary>
    public StripeClient ClientWithKey(string key) => new(key, apiBase: _target.BaseUrl);

    /// <summary>
    /// A client whose every HTTP attempt (retries included) is recorded in <paramref name="attempts"/>, retrying as
    /// production code does (<paramref name="maxNetworkRetries"/>).
    /// </summary>
    public StripeClient RecordingClient(out AttemptLog attempts, int maxNetworkRetries = 2)
    {
        var log = new AttemptLog();
        attempts = log;
        var http = new HttpClient(new RecordingHandler(log) { InnerHandler = new SocketsHttpHandler() })
        {
            Timeout = TimeSpan.FromSeconds(30),
        };
        return new StripeClient(_key, httpClient: new SystemNetHttpClient(http, maxNetworkRetries), apiBase: _target.BaseUrl);
    }

    // ---- control API ----

    public Task<JsonObject> GetControlAsync(string path) => SendControlAsync(HttpMethod.Get, path, null);

    public Task<JsonObject> PostControlAsync(string path, params (string Key, string Value)[] form) =>
        SendControlAsync(HttpMethod.Post, path, form);

    public Task<JsonObject> DeleteControlAsync(string path) => SendControlAsync(HttpMethod.Delete, path, null);

    /// <summary>Any status; returns it with the JSON body.</summary>
    public async Task<(int Status, JsonObject? Body)> RawAsync(HttpMethod method, string path, params (string Key, string Value)[] form)
    {
        using var req = new HttpRequestMessage(method, path.TrimStart('/'));
        if (form.Length > 0 || method == HttpMethod.Post)
            req.Content = new FormUrlEncodedContent(form.Select(f => new KeyValuePair<string, string>(f.Key, f.Value)));
        using var res = await _http.SendAsync(req);
        var text = await res.Content.ReadAsStringAsync();
        JsonObject? body = null;
        try { body = JsonNode.Parse(text) as JsonObject; } catch (System.Text.Json.JsonException) { }
        return ((int)res.StatusCode, body);
    }

    private async Task<JsonObject> SendControlAsync(HttpMethod method, string path, (string Key, string Value)[]? form)
    {
        var (status, body) = await RawAsync(method, path, form ?? []);
        if (status != 200 || body is null)
            throw new InvalidOperationException($"{method} {path} answered {status}: {body?.ToJsonString()}");
        return body;
    }

    /// <summary>Bytes of a URL on the target (for example a file's <c>url</c>), fetched with the secret key.</summary>
    public async Task<string> DownloadAsync(string url)
    {
        using var res = await _http.GetAsync(url);
        var text = await res.Content.ReadAsStringAsync();
        if (!res.IsSuccessStatusCode) throw new InvalidOperationException($"GET {url} answered {(int)res.StatusCode}: {text}");
        return text;
    }

    /// <summary>Moves this merchant's clock (and fires the work that falls due); returns the control answer.</summary>
    public Task<JsonObject> AdvanceClockAsync(long seconds) =>
        PostControlAsync("/_mock/merchant_clock/advance", ("seconds", seconds.ToString(System.Globalization.CultureInfo.InvariantCulture)));

    public async Task<long> NowAsync() => (long)(await GetControlAsync("/_mock/merchant_clock"))["now"]!;

    /// <summary>Sends every due webhook delivery (the in-process emulator dispatches only on flush).</summary>
    public Task<JsonObject> FlushWebhooksAsync() => PostControlAsync("/_mock/webhooks/flush");
}

/// <summary>The HTTP attempts one client made, in order.</summary>
public sealed class AttemptLog
{
    private readonly ConcurrentQueue<Attempt> _attempts = new();
    public IReadOnlyList<Attempt> All => _attempts.ToArray();
    public void Add(Attempt a) => _attempts.Enqueue(a);
    public void Clear() => _attempts.Clear();
}

public sealed record Attempt(string Method, string Path, string? IdempotencyKey, int? Status, bool? Replayed);

internal sealed class RecordingHandler(AttemptLog log) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var key = request.Headers.TryGetValues("Idempotency-Key", out var v) ? v.FirstOrDefault() : null;
        try
        {
            var res = await base.SendAsync(request, cancellationToken);
            var replayed = res.Headers.TryGetValues("Idempotent-Replayed", out var r) && r.FirstOrDefault() == "true";
            log.Add(new Attempt(request.Method.Method, request.RequestUri!.AbsolutePath, key, (int)res.StatusCode, replayed));
            return res;
        }
        catch (HttpRequestException)
        {
            log.Add(new Attempt(request.Method.Method, request.RequestUri!.AbsolutePath, key, null, null));
            throw;
        }
    }
}
