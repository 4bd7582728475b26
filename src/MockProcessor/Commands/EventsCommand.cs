using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace MockProcessor.Commands;

public sealed class EventsSettings : ClientSettings
{
    public bool Follow { get; set; }
    public string Format { get; set; } = "ndjson";
    public List<string> Types { get; } = [];
    public string? After { get; set; }
    public string? StripeAccount { get; set; }
}

/// <summary>
/// <c>mockprocessor events [--follow] [--format ndjson|text]</c>: a running emulator's event feed
/// (<c>GET /_mock/events/stream</c>, docs/event-feed.md) on standard output, one event per line, in commit order. With
/// <c>--follow</c> it keeps reading and reconnects with <c>Last-Event-ID</c> when the connection drops (an emulator
/// restart, say), so no event is printed twice or skipped; without it, it prints the events so far and exits.
/// </summary>
public static class EventsCommand
{
    public static readonly Command<EventsSettings> Spec = new(
        "events", "print a running emulator's events in commit order, one per line (--follow to keep streaming)",
        [
            new("follow", true, "keep streaming new events; reconnect and resume if the connection drops", (s, _) => s.Follow = true),
            new("format", false, "ndjson: the event's JSON plus its \"position\" per line (default) | text: one readable line per event",
                (s, v) => s.Format = v is "ndjson" or "text" ? v : throw new ArgumentException("--format must be ndjson or text")),
            new("type", false, "only events of this type; * wildcards (payment_intent.*); repeat for several", (s, v) => s.Types.Add(v)),
            new("after", false, "resume after this position (an earlier line's \"position\"); default: from the first event",
                (s, v) => s.After = long.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out _) ? v
                    : throw new ArgumentException("--after must be a position (a non-negative integer)")),
            new("stripe-account", false, "only this connected account's events (acct_...), as the platform", (s, v) => s.StripeAccount = v),
            .. ClientSettings.Options<EventsSettings>(),
        ],
        RunAsync);

    private static async Task<int> RunAsync(EventsSettings settings, CancellationToken ct)
    {
        // A stream has no overall deadline; the connection attempt itself still gives up (and, following, retries).
        using var http = new HttpClient(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(10) })
        {
            BaseAddress = new Uri(settings.Url.TrimEnd('/') + "/"), Timeout = Timeout.InfiniteTimeSpan,
        };
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };
        return await RunAsync(settings, http, Console.Out, Console.Error, stop.Token);
    }

    /// <summary>
    /// Runs against <paramref name="http"/> (its BaseAddress is the emulator) until the feed ends (without --follow), a
    /// refusal (4xx), or <paramref name="ct"/>. Returns the exit code.
    /// </summary>
    public static async Task<int> RunAsync(EventsSettings s, HttpClient http, TextWriter output, TextWriter errors, CancellationToken ct,
        TimeSpan? retryDelay = null)
    {
        var lastId = s.After;
        var delay = retryDelay ?? TimeSpan.FromSeconds(1);
        var failures = 0;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, StreamPath(s));
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", s.ApiKey);
                request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
                if (s.StripeAccount is not null) request.Headers.Add("Stripe-Account", s.StripeAccount);
                if (lastId is not null) request.Headers.Add("Last-Event-ID", lastId);
                using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
                if (!response.IsSuccessStatusCode)
                {
                    var body = await response.Content.ReadAsStringAsync(ct);
                    var message = TryError(body) ?? $"{(int)response.StatusCode} {response.ReasonPhrase}";
                    // A refusal (bad key, bad filter) will not change by retrying; a 5xx might.
                    if ((int)response.StatusCode < 500 || !s.Follow)
                    {
                        await errors.WriteLineAsync($"The emulator answered {(int)response.StatusCode}: {message}");
                        return 1;
                    }
                    throw new HttpRequestException(message, null, response.StatusCode);
                }
                await using var stream = await response.Content.ReadAsStreamAsync(ct);
                using var reader = new StreamReader(stream, Encoding.UTF8);
                string? id = null, type = null;
                var data = new StringBuilder();
                while (await reader.ReadLineAsync(ct) is { } line)
                {
                    failures = 0;
                    if (line.Length == 0)
                    {
                        if (data.Length > 0 && id is not null)
                        {
                            if (!await Print(s.Format, id, type, data.ToString(), output)) return 0; // the reader of our output is gone
                            lastId = id;
                        }
                        id = type = null;
                        data.Clear();
                        continue;
                    }
                    if (line[0] == ':') continue; // a comment: the greeting or a keep-alive
                    var colon = line.IndexOf(':');
                    var field = colon < 0 ? line : line[..colon];
                    var value = colon < 0 ? "" : line[(colon + 1)..].TrimStart(' ');
                    switch (field)
                    {
                        case "id": id = value; break;
                        case "event": type = value; break;
                        case "data": data.Append(data.Length > 0 ? "\n" : "").Append(value); break;
                    }
                }
                if (!s.Follow) return 0;
                // The emulator ended the stream (it is stopping): resume from the last complete event.
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException)
            {
                if (!s.Follow)
                {
                    await errors.WriteLineAsync(ClientSettings.Explain(ex, http.BaseAddress?.ToString() ?? ""));
                    return 1;
                }
                if (failures++ == 0)
                    await errors.WriteLineAsync($"Connection to the emulator lost ({ex.Message}); reconnecting from position {lastId ?? "0"}...");
            }
            try { await Task.Delay(failures == 0 ? TimeSpan.Zero : Min(delay * failures, TimeSpan.FromSeconds(5)), ct); }
            catch (OperationCanceledException) { break; }
        }
        return 0;
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private static string StreamPath(EventsSettings s)
    {
        var query = new List<string>();
        if (!s.Follow) query.Add("follow=false");
        foreach (var t in s.Types) query.Add("type[]=" + Uri.EscapeDataString(t));
        return "_mock/events/stream" + (query.Count > 0 ? "?" + string.Join("&", query) : "");
    }

    private static string? TryError(string body)
    {
        try { return JsonNode.Parse(body)?["error"]?["message"]?.GetValue<string>(); }
        catch (System.Text.Json.JsonException) { return null; }
    }

    /// <summary>One line for one event; false when the output is closed (the consumer of a pipe exited).</summary>
    private static async Task<bool> Print(string format, string id, string? type, string data, TextWriter output)
    {
        var ev = JsonNode.Parse(data)!.AsObject();
        string line;
        if (format == "text")
        {
            var created = ev["created"]?.GetValue<long>() is { } c ? DateTimeOffset.FromUnixTimeSeconds(c).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) : "?";
            var obj = ev["data"]?["object"]?["id"]?.GetValue<string>() ?? "";
            var account = ev["account"]?.GetValue<string>() is { } a ? " " + a : "";
            line = $"{id}  {created}  {type ?? (string?)ev["type"]}  {(string?)ev["id"]}  {obj}{account}";
        }
        else
        {
            // The event as the emulator rendered it, with its position first so a consumer can resume (--after).
            var withPosition = new JsonObject { ["position"] = long.Parse(id, CultureInfo.InvariantCulture) };
            foreach (var (k, v) in ev.ToList())
            {
                ev.Remove(k);
                withPosition[k] = v;
            }
            line = withPosition.ToJsonString(new System.Text.Json.JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        }
        try
        {
            await output.WriteLineAsync(line);
            await output.FlushAsync();
            return true;
        }
        catch (IOException)
        {
            return false;
        }
    }
}
