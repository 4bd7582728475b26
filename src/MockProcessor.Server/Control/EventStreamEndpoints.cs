using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Hosting;
using MockProcessor.Domain.Errors;
using MockProcessor.Server.Hosting;
using MockProcessor.Server.Resources.Events;
using MockProcessor.Server.Storage;
using MockProcessor.Server.Time;
using MockProcessor.Server.Wire;

namespace MockProcessor.Server.Control;

/// <summary>
/// <c>GET /_mock/events/stream</c>: the merchant's events as server-sent events, in commit order, durable ones only,
/// resumable from a position (docs/event-feed.md). The route runs through <see cref="StripeApi"/> like every control
/// call (the merchant's key, <c>Stripe-Account</c>, restricted keys' <c>events</c> permission, parameter checks); its
/// answer is a stream written outside the merchant's lock.
/// </summary>
public static class EventStreamEndpoints
{
    /// <summary>Events rendered per turn of the merchant's lock.</summary>
    internal const int Batch = 100;

    public static IEnumerable<ApiRoute> Routes() =>
    [
        new("GET", "/_mock/events/stream", "mock.event_stream", Stream) { Params = "after follow type" },
    ];

    private static ApiResult Stream(ApiContext c)
    {
        var after = c.P.String("after") is { } a ? ParsePosition(a, "after") : 0;
        var types = c.P.StringList("type");
        if (types is not null)
            for (var i = 0; i < types.Count; i++)
                if (!ValidPattern(types[i]))
                    throw new StripeException(StripeError.InvalidValue(types.Count == 1 ? "type" : $"type[{i}]",
                        $"Invalid event type filter '{types[i]}': an event type such as payment_intent.succeeded, a prefix wildcard such as payment_intent.*, or *."), beforeExecution: true);
        var follow = c.P.Bool("follow") ?? true;
        // With Stripe-Account, the connected account's own events; the merchant itself sees its whole tree's.
        var state = c.Tx.Account;
        string? owner = c.Account.Id == state.AccountId ? null : c.Account.Id;
        var feed = c.Service<EventFeed>();
        var store = c.Service<ObjectStore>();
        var renderers = c.Service<Renderers>();
        var clock = c.Service<MerchantClock>();
        var options = c.Service<MockProcessorOptions>();
        var lifetime = c.Service<IHostApplicationLifetime>();
        var filter = types is null or { Count: 0 } ? null : types;
        return ApiResult.SendStream(http => Write(http, new Query(state, owner, filter, after, follow), feed, store, renderers, clock,
            options.EventStreamKeepAlive, lifetime.ApplicationStopping));
    }

    private sealed record Query(AccountState State, string? Owner, List<string>? Types, long After, bool Follow);

    private static async Task Write(HttpContext http, Query q, EventFeed feed, ObjectStore store, Renderers renderers, MerchantClock clock,
        TimeSpan keepAlive, CancellationToken stopping)
    {
        // EventSource resends the last id it saw as Last-Event-ID when it reconnects (to the same URL, ?after= and all):
        // the header wins over the query.
        var position = q.After;
        var lastEventId = http.Request.Headers["Last-Event-ID"].ToString();
        if (lastEventId.Length > 0) position = ParsePosition(lastEventId, "Last-Event-ID");
        // Without follow: the events durable now, then the end.
        var end = q.Follow ? long.MaxValue : feed.Last(q.State);

        http.Response.ContentType = "text/event-stream; charset=utf-8";
        http.Response.Headers.CacheControl = "no-cache";
        http.Response.Headers["X-Accel-Buffering"] = "no";
        http.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        var body = http.Response.Body;
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, stopping);
        var ct = linked.Token;
        // A comment first, so the client has the headers (and knows it is connected) before any event exists.
        await body.WriteAsync(": mockprocessor event feed\nretry: 1000\n\n"u8.ToArray(), http.RequestAborted);
        await body.FlushAsync(http.RequestAborted);

        var batch = new List<EventFeed.Entry>(Batch);
        var output = new MemoryStream();
        while (!stopping.IsCancellationRequested)
        {
            batch.Clear();
            var changed = feed.Read(q.State, position, Batch, batch);
            if (batch.Count > 0 && batch[0].Position <= end)
            {
                output.SetLength(0);
                lock (q.State.Gate)
                {
                    var tx = store.Begin(q.State);
                    var render = new RenderContext(tx, renderers, publishable: false, clock.Now(q.State));
                    foreach (var (at, id) in batch)
                    {
                        if (at > end) break;
                        position = at;
                        if (tx.GetInTree<Domain.Events.Event>(id) is not { } ev) continue;
                        if (q.Owner is not null && ev.AccountId != q.Owner) continue;
                        if (q.Types is not null && !q.Types.Any(t => Matches(t, ev.Type))) continue;
                        // The event's own version: what a webhook endpoint without a pinned api_version receives.
                        var json = EventJson.RenderAt(ev, render, ev.ApiVersion);
                        output.Write(Encoding.UTF8.GetBytes(
                            $"id: {at.ToString(CultureInfo.InvariantCulture)}\nevent: {ev.Type}\ndata: {WireJson.String(json)}\n\n"));
                    }
                }
                if (output.Length > 0)
                {
                    await body.WriteAsync(output.GetBuffer().AsMemory(0, (int)output.Length), http.RequestAborted);
                    await body.FlushAsync(http.RequestAborted);
                }
                continue;
            }
            if (!q.Follow) return;
            // Nothing new: wait for the next durable event, sending a comment now and then so proxies and clients
            // keep an idle connection open.
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(ct);
            wait.CancelAfter(keepAlive);
            try
            {
                await changed.WaitAsync(wait.Token);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                await body.WriteAsync(": keep-alive\n\n"u8.ToArray(), http.RequestAborted);
                await body.FlushAsync(http.RequestAborted);
            }
            catch (OperationCanceledException) when (!http.RequestAborted.IsCancellationRequested)
            {
                return; // the emulator is stopping: end the stream (a client resumes from its last id)
            }
        }
    }

    /// <summary>A position is the decimal store sequence of an event (docs/event-feed.md); 0 is the beginning.</summary>
    private static long ParsePosition(string value, string param) =>
        long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var p)
            ? p
            : throw new StripeException(StripeError.InvalidValue(param,
                $"Invalid position '{value}': a position is the decimal number sent as an event's id (0 for the beginning)."), beforeExecution: true);

    /// <summary>An event type, <c>*</c>, or a pattern with <c>*</c> wildcards (<c>payment_intent.*</c>, <c>*.succeeded</c>).</summary>
    private static bool ValidPattern(string pattern) =>
        pattern.Length is > 0 and <= 200 && pattern.All(ch => ch is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '_' or '.' or '*');

    /// <summary>Whether <paramref name="type"/> matches <paramref name="pattern"/>, where <c>*</c> stands for any run of characters.</summary>
    internal static bool Matches(string pattern, string type)
    {
        if (!pattern.Contains('*')) return pattern == type;
        var parts = pattern.Split('*');
        if (!type.StartsWith(parts[0], StringComparison.Ordinal)) return false;
        var at = parts[0].Length;
        for (var i = 1; i < parts.Length - 1; i++)
        {
            var found = type.IndexOf(parts[i], at, StringComparison.Ordinal);
            if (found < 0) return false;
            at = found + parts[i].Length;
        }
        return type.Length - at >= parts[^1].Length && type.EndsWith(parts[^1], StringComparison.Ordinal);
    }
}
