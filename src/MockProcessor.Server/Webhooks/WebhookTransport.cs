using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;

namespace MockProcessor.Server.Webhooks;

/// <summary>What one POST to a receiver came to: its HTTP status, or the error that stopped it.</summary>
public sealed record SendResult(int? Status, string? Error, long DurationMs, string? ResponseBody);

/// <summary>
/// Sends webhook requests. One shared client (one connection pool for every receiver); redirects are not
/// followed because Stripe counts a 3xx as a failure. Tests construct it with their own handler to capture
/// deliveries in-process (register a <see cref="WebhookTransport"/> singleton after AddMockProcessor).
/// </summary>
public sealed class WebhookTransport(HttpMessageHandler handler) : IDisposable
{
    public const string UserAgent = "Stripe/1.0 (+https://stripe.com/docs/webhooks)";
    private const int MaxResponseBody = 1024;
    private readonly HttpClient _client = new(handler, disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };

    public static WebhookTransport CreateDefault() => new(new SocketsHttpHandler
    {
        AllowAutoRedirect = false,
        PooledConnectionLifetime = TimeSpan.FromMinutes(2),
        ConnectTimeout = TimeSpan.FromSeconds(10),
    });

    public async Task<SendResult> SendAsync(string url, byte[] body, string signature, TimeSpan timeout, CancellationToken stopping)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        cts.CancelAfter(timeout);
        // Duration is a measurement for the log, not a business decision, so the real stopwatch is right here.
        var started = Stopwatch.GetTimestamp();
        long Elapsed() => (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        try
        {
            using var req = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
            req.Content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/json; charset=utf-8");
            req.Headers.TryAddWithoutValidation("User-Agent", UserAgent);
            req.Headers.TryAddWithoutValidation("Stripe-Signature", signature);
            using var res = await _client.SendAsync(req, HttpCompletionOption.ResponseHeadersRead, cts.Token);
            var text = await ReadPrefix(res, cts.Token);
            return new SendResult((int)res.StatusCode, null, Elapsed(), text);
        }
        catch (OperationCanceledException) when (!stopping.IsCancellationRequested)
        {
            return new SendResult(null, $"timed out after {timeout.TotalSeconds:0} s", Elapsed(), null);
        }
        catch (HttpRequestException ex)
        {
            return new SendResult(null, ex.InnerException?.Message ?? ex.Message, Elapsed(), null);
        }
        catch (Exception ex) when (ex is InvalidOperationException or UriFormatException or IOException)
        {
            return new SendResult(null, ex.Message, Elapsed(), null);
        }
    }

    /// <summary>The first kilobyte of the answer, for the log; the rest is never read.</summary>
    private static async Task<string> ReadPrefix(HttpResponseMessage res, CancellationToken ct)
    {
        var buffer = new byte[MaxResponseBody];
        await using var stream = await res.Content.ReadAsStreamAsync(ct);
        var n = 0;
        int read;
        while (n < buffer.Length && (read = await stream.ReadAsync(buffer.AsMemory(n), ct)) > 0) n += read;
        // A multi-byte character cut at the limit decodes as U+FFFD, which is fine for a log.
        return Encoding.UTF8.GetString(buffer, 0, n);
    }

    public void Dispose() => _client.Dispose();
}
