using System.Text.Json;

namespace MockProcessor.Commands;

/// <summary>
/// What <c>listen</c> does with one delivery: send the same bytes with the same signature to the receiver and report
/// the receiver's answer, so the emulator records (and retries) exactly what the receiver did. Kept apart from the
/// HTTP listener so it can be tested with a fake receiver.
/// </summary>
public sealed class WebhookForwarder(HttpClient receiver, Uri forwardTo, TextWriter output, TimeProvider? time = null)
{
    public sealed record Reply(int Status, byte[] Body, string? ContentType);

    // Hop-by-hop headers, and those HttpClient computes from the new request itself.
    private static readonly HashSet<string> NotForwarded = new(StringComparer.OrdinalIgnoreCase)
    {
        "Host", "Content-Length", "Connection", "Keep-Alive", "Transfer-Encoding", "TE", "Trailer", "Upgrade",
        "Proxy-Connection", "Expect",
    };

    private const int MaxReplyBytes = 64 * 1024; // the emulator keeps the first 1 KB; no need to carry more

    public async Task<Reply> ForwardAsync(byte[] body, IEnumerable<KeyValuePair<string, string[]>> headers, CancellationToken ct)
    {
        var (type, id) = Describe(body);
        await output.WriteLineAsync($"{Now()}   --> {type} [{id}]");
        using var request = new HttpRequestMessage(HttpMethod.Post, forwardTo) { Content = new ByteArrayContent(body) };
        foreach (var (name, values) in headers)
        {
            if (NotForwarded.Contains(name)) continue;
            // Content headers (Content-Type) belong to the content; the rest (Stripe-Signature, User-Agent) to the request.
            if (!request.Headers.TryAddWithoutValidation(name, values)) request.Content.Headers.TryAddWithoutValidation(name, values);
        }
        try
        {
            using var response = await receiver.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
            var reply = await ReadBoundedAsync(response.Content, ct);
            var status = (int)response.StatusCode;
            await output.WriteLineAsync($"{Now()}  <-- [{status}] POST {forwardTo} [{id}]");
            return new Reply(status, reply, response.Content.Headers.ContentType?.ToString());
        }
        catch (Exception ex) when (ex is HttpRequestException || (ex is TaskCanceledException && !ct.IsCancellationRequested))
        {
            // Unreachable or too slow: the emulator sees a failed attempt and retries on its schedule.
            var message = ex is TaskCanceledException ? "timed out" : ex.Message;
            await output.WriteLineAsync($"{Now()}  <-- [ERR] POST {forwardTo} [{id}]: {message}");
            return new Reply(502, System.Text.Encoding.UTF8.GetBytes($"mockprocessor listen: receiver {message}"), "text/plain");
        }
    }

    private string Now() => (time ?? TimeProvider.System).GetLocalNow().ToString("yyyy-MM-dd HH:mm:ss");

    /// <summary>The event's type and id for the log line; a body that is not an event is still forwarded.</summary>
    private static (string Type, string Id) Describe(byte[] body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            var root = doc.RootElement;
            return (Str(root, "type") ?? "(no type)", Str(root, "id") ?? "?");
        }
        catch (JsonException) { return ("(not JSON)", "?"); }

        static string? Str(JsonElement e, string name) =>
            e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
    }

    private static async Task<byte[]> ReadBoundedAsync(HttpContent content, CancellationToken ct)
    {
        await using var stream = await content.ReadAsStreamAsync(ct);
        var buffer = new byte[MaxReplyBytes];
        var read = 0;
        while (read < buffer.Length && await stream.ReadAsync(buffer.AsMemory(read), ct) is var n and > 0) read += n;
        return buffer[..read];
    }
}
