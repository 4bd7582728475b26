using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MockProcessor.Domain.Common;
using MockProcessor.Server.Hosting;
using MockProcessor.Server.Resources;
using MockProcessor.Server.Resources.Events;
using MockProcessor.Server.Storage;
using MockProcessor.Server.Tests.Hosting;
using MockProcessor.Server.Tests.Storage;
using MockProcessor.Server.Time;
using MockProcessor.Server.Webhooks;

namespace MockProcessor.Server.Tests.Control;

/// <summary>GET /_mock/events/stream: the event feed as server-sent events (docs/event-feed.md).</summary>
public class EventStreamTests : IAsyncLifetime
{
    private readonly TestApp _app = new();
    public Task InitializeAsync() => Task.CompletedTask;
    public async Task DisposeAsync() => await _app.DisposeAsync();

    private static async Task MakeEventsAsync(HttpClient c)
    {
        await (await c.PostFormAsync("/v1/customers", ("email", "feed@example.com"))).OkAsync();
        var pi = await (await c.PostFormAsync("/v1/payment_intents", ("amount", "2000"), ("currency", "usd"), ("confirm", "true"),
            ("payment_method", "pm_card_visa"), ("allowed_payment_method_types[]", "card"))).OkAsync();
        await (await c.PostFormAsync("/v1/refunds", ("payment_intent", (string)pi["id"]!), ("amount", "500"))).OkAsync();
    }

    private static async Task<List<string>> ListedOldestFirst(HttpClient c) =>
        (await (await c.GetAsync("/v1/events?limit=100")).OkAsync())["data"]!.AsArray().Select(e => (string)e!["id"]!).Reverse().ToList();

    [Fact]
    public async Task Streams_every_event_in_commit_order_as_the_api_renders_it()
    {
        var c = _app.Client("sk_test_feed_order");
        await MakeEventsAsync(c);

        var all = await Sse.ReadAllAsync(c, "");
        var listed = await ListedOldestFirst(c);
        Assert.True(listed.Count >= 6, "too few events to say anything about order");
        Assert.Equal(listed, all.Select(m => m.EventId));
        for (var i = 1; i < all.Count; i++) Assert.True(all[i].Position > all[i - 1].Position, "positions must increase");
        foreach (var m in all)
        {
            Assert.Equal((string)m.Data["type"]!, m.Event);
            var retrieved = await (await c.GetAsync($"/v1/events/{m.EventId}")).OkAsync();
            Assert.True(JsonNode.DeepEquals(retrieved, m.Data), $"{m.EventId} differs from GET /v1/events/{m.EventId}");
        }
    }

    [Fact]
    public async Task A_follower_receives_new_events_in_order_as_they_commit()
    {
        var c = _app.Client("sk_test_feed_follow");
        await (await c.PostFormAsync("/v1/customers", ("email", "first@example.com"))).OkAsync();
        await using var stream = await Sse.OpenAsync(c, "");
        var first = await stream.NextAsync();
        Assert.Equal("customer.created", first!.Event);

        await MakeEventsAsync(c);
        var listed = await ListedOldestFirst(c);
        var received = new List<string> { first.EventId };
        while (received.Count < listed.Count) received.Add((await stream.NextAsync())!.EventId);
        Assert.Equal(listed, received);
    }

    [Fact]
    public async Task Type_filters_take_exact_types_and_wildcards()
    {
        var c = _app.Client("sk_test_feed_types");
        await MakeEventsAsync(c);
        var all = await Sse.ReadAllAsync(c, "");

        var picked = await Sse.ReadAllAsync(c, "type[]=payment_intent.*&type[]=customer.created");
        Assert.Equal(all.Where(m => m.Event.StartsWith("payment_intent.", StringComparison.Ordinal) || m.Event == "customer.created").Select(m => m.EventId),
            picked.Select(m => m.EventId));
        Assert.Contains(picked, m => m.Event == "payment_intent.succeeded");

        var succeeded = await Sse.ReadAllAsync(c, "type=*.succeeded");
        Assert.Equal(["payment_intent.succeeded", "charge.succeeded"], succeeded.Select(m => m.Event).Order(StringComparer.Ordinal).Reverse());
        Assert.Equal(all.Count, (await Sse.ReadAllAsync(c, "type=*")).Count);

        var bad = await (await c.GetAsync("/_mock/events/stream?follow=false&type=Charge!")).ErrorAsync(400);
        Assert.Equal("type", (string)bad["param"]!);
        var unknown = await (await c.GetAsync("/_mock/events/stream?limit=10")).ErrorAsync(400);
        Assert.Equal("parameter_unknown", (string)unknown["code"]!);
    }

    [Fact]
    public async Task Resumes_after_a_position_given_by_Last_Event_ID_or_after()
    {
        var c = _app.Client("sk_test_feed_resume");
        await MakeEventsAsync(c);
        var all = await Sse.ReadAllAsync(c, "");
        var mid = all[2].Position.ToString();
        var rest = all.Skip(3).Select(m => m.EventId).ToList();

        Assert.Equal(rest, (await Sse.ReadAllAsync(c, "", lastEventId: mid)).Select(m => m.EventId));
        Assert.Equal(rest, (await Sse.ReadAllAsync(c, "after=" + mid)).Select(m => m.EventId));
        // EventSource reconnects to the same URL: the header it adds wins over the query's starting point.
        Assert.Equal(rest, (await Sse.ReadAllAsync(c, "after=0", lastEventId: mid)).Select(m => m.EventId));
        Assert.Empty(await Sse.ReadAllAsync(c, "", lastEventId: all[^1].Position.ToString()));

        // A follower resuming mid-way gets the rest, then what is new.
        await using var stream = await Sse.OpenAsync(c, "", lastEventId: all[^2].Position.ToString());
        Assert.Equal(all[^1].EventId, (await stream.NextAsync())!.EventId);
        var cus = await (await c.PostFormAsync("/v1/customers", ("email", "later@example.com"))).OkAsync();
        var next = (await stream.NextAsync())!;
        Assert.Equal((string)cus["id"]!, (string)next.Data["data"]!["object"]!["id"]!);
        Assert.True(next.Position > all[^1].Position);

        using var request = new HttpRequestMessage(HttpMethod.Get, "/_mock/events/stream?follow=false");
        request.Headers.Add("Last-Event-ID", "evt_123");
        var error = await (await c.SendAsync(request)).ErrorAsync(400);
        Assert.Equal("Last-Event-ID", (string)error["param"]!);
    }

    [Fact]
    public async Task A_merchant_sees_its_connected_accounts_events_and_nobody_elses()
    {
        var a = _app.Client("sk_test_feed_platform");
        var b = _app.Client("sk_test_feed_other");
        var connected = await (await a.PostFormAsync("/v1/accounts", ("type", "express"), ("email", "c@example.com"))).OkAsync();
        var acct = (string)connected["id"]!;
        var c = _app.Client("sk_test_feed_platform");
        c.DefaultRequestHeaders.Add("Stripe-Account", acct);
        await (await a.PostFormAsync("/v1/customers", ("email", "a@example.com"))).OkAsync();
        await (await c.PostFormAsync("/v1/customers", ("email", "c@example.com"))).OkAsync();
        await (await b.PostFormAsync("/v1/customers", ("email", "b@example.com"))).OkAsync();

        var ofA = await Sse.ReadAllAsync(a, "");
        var ofC = await Sse.ReadAllAsync(c, "");
        var ofB = await Sse.ReadAllAsync(b, "");
        var idsOfA = (await ListedOldestFirst(a)).ToHashSet();
        var idsOfC = (await ListedOldestFirst(c)).ToHashSet();
        var idsOfB = (await ListedOldestFirst(b)).ToHashSet();
        Assert.NotEmpty(idsOfC);
        // The platform: its own events and its connected account's, in commit order.
        Assert.Equal(idsOfA.Count + idsOfC.Count, ofA.Count);
        Assert.True(ofA.All(m => idsOfA.Contains(m.EventId) || idsOfC.Contains(m.EventId)));
        Assert.All(ofA.Where(m => idsOfC.Contains(m.EventId)), m => Assert.Equal(acct, (string)m.Data["account"]!));
        // As the connected account: only its own. Another merchant: only its own.
        Assert.Equal(idsOfC.Order(), ofC.Select(m => m.EventId).Order());
        Assert.Equal(idsOfB.Order(), ofB.Select(m => m.EventId).Order());
        Assert.DoesNotContain(ofB, m => idsOfA.Contains(m.EventId) || idsOfC.Contains(m.EventId));
    }

    [Fact]
    public async Task A_restricted_key_needs_read_access_to_events()
    {
        var a = _app.Client("sk_test_feed_restricted");
        await (await a.PostFormAsync("/v1/customers", ("email", "a@example.com"))).OkAsync();
        var customersOnly = await (await a.PostFormAsync("/_mock/keys", ("type", "restricted"), ("permissions[customers]", "read"))).OkAsync();
        var events = await (await a.PostFormAsync("/_mock/keys", ("type", "restricted"), ("permissions[events]", "read"))).OkAsync();
        await (await _app.Client((string)customersOnly["secret"]!).GetAsync("/_mock/events/stream?follow=false")).ErrorAsync(403);
        Assert.NotEmpty(await Sse.ReadAllAsync(_app.Client((string)events["secret"]!), ""));
    }

    [Fact]
    public async Task Positions_are_the_same_after_a_restart_and_resuming_yields_exactly_the_new_events()
    {
        using var file = new TempSqliteDb("feed");
        var db = file.Path;
        List<Sse.Message> before;
        await using (var app = new TestApp(o => { o.InMemory = false; o.Database = db; }))
        {
            var c = app.Client("sk_test_feed_restart");
            await MakeEventsAsync(c);
            before = await Sse.ReadAllAsync(c, "");
        }
        await using (var app = new TestApp(o => { o.InMemory = false; o.Database = db; }))
        {
            var c = app.Client("sk_test_feed_restart");
            var reloaded = await Sse.ReadAllAsync(c, "");
            Assert.Equal(before.Select(m => (m.Position, m.EventId)), reloaded.Select(m => (m.Position, m.EventId)));
            await MakeEventsAsync(c);
            var rest = await Sse.ReadAllAsync(c, "", lastEventId: before[^1].Position.ToString());
            var listed = await ListedOldestFirst(c);
            Assert.Equal(listed.Skip(before.Count), rest.Select(m => m.EventId));
            Assert.True(rest[0].Position > before[^1].Position);
        }
    }

    [Fact]
    public async Task An_event_is_not_streamed_until_its_unit_of_work_is_on_disk()
    {
        using var file = new TempSqliteDb("feed-gate");
        var db = file.Path;
        var gated = new GatedStore(new SqliteStore(db));
        try
        {
            await using (var app = new TestApp(o => { o.InMemory = false; o.Database = db; }, b => b.Services.AddSingleton(sp =>
                new ObjectStore(Registry.Schema(sp.GetRequiredService<WebhookDueQueue>(), sp.GetRequiredService<EventFeed>()), gated,
                    NullLogger.Instance, sp.GetRequiredService<TimerRegistry>()))))
            {
                var c = app.Client("sk_test_feed_gate");
                await (await c.PostFormAsync("/v1/customers", ("email", "first@example.com"))).OkAsync();
                await using var follower = await Sse.OpenAsync(c, "");
                Assert.Equal("customer.created", (await follower.NextAsync())!.Event);

                gated.Close();
                var post = c.PostFormAsync("/v1/customers", ("email", "held@example.com"));
                await gated.WaitForBlockedWriteAsync();
                // Applied in memory (the API lists it), not yet on disk: the feed does not have it.
                var held = (await (await c.GetAsync("/v1/events?limit=1")).OkAsync())["data"]![0]!;
                Assert.Equal("held@example.com", (string)held["data"]!["object"]!["email"]!);
                Assert.DoesNotContain(await Sse.ReadAllAsync(c, ""), m => m.EventId == (string)held["id"]!);
                Assert.False(post.IsCompleted);

                gated.Open();
                await (await post).OkAsync();
                Assert.Equal((string)held["id"]!, (await follower.NextAsync())!.EventId);
                Assert.Equal((string)held["id"]!, (await Sse.ReadAllAsync(c, ""))[^1].EventId);
            }
        }
        finally
        {
            gated.Open();
        }
    }

    [Fact]
    public async Task An_idle_stream_gets_keep_alive_comments()
    {
        await using var app = new TestApp(o => o.EventStreamKeepAlive = TimeSpan.FromMilliseconds(20));
        var c = app.Client("sk_test_feed_idle");
        await using var stream = await Sse.OpenAsync(c, "");
        Assert.Equal(": keep-alive", await stream.NextCommentAsync(": keep-alive"));
    }

    [Fact]
    public async Task A_client_that_hangs_up_ends_its_stream_without_an_error()
    {
        var logs = new CapturingLoggerProvider();
        var options = new MockProcessorOptions
        {
            InMemory = true, Port = DurabilityTests.FreePort(), Clock = ClockMode.Manual, StartTime = TestApp.StartTime, LogLevel = "Debug",
        };
        await using var app = MockProcessorApp.Build(options, b => b.Logging.AddProvider(logs));
        await app.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{options.Port}") };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "sk_test_feed_hangup");
        await (await http.PostFormAsync("/v1/customers", ("email", "a@example.com"))).OkAsync();
        await using (var stream = await Sse.OpenAsync(http, ""))
            Assert.Equal("customer.created", (await stream.NextAsync())!.Event);

        // The stream's request line is written when its handler has ended.
        var deadline = DateTime.UtcNow.AddSeconds(20);
        List<CapturingLoggerProvider.Entry> lines;
        while ((lines = logs.Entries.Where(e => e.EventId.Id == 1 && (string?)e.State.GetValueOrDefault("Route") == "/_mock/events/stream").ToList()).Count == 0
               && DateTime.UtcNow < deadline)
            await Task.Delay(20);
        await (await http.PostFormAsync("/v1/customers", ("email", "b@example.com"))).OkAsync();
        await app.StopAsync();

        var line = Assert.Single(lines);
        Assert.Equal(499, (int)line.State["Status"]!);
        Assert.DoesNotContain(logs.Entries, e => e.Level >= LogLevel.Warning);
    }
}

/// <summary>Stands in for the disk: its writes wait while it is closed, so a test can look at the world between memory and disk.</summary>
internal sealed class GatedStore(IDurableStore inner) : IDurableStore
{
    private readonly ManualResetEventSlim _open = new(true);
    private readonly SemaphoreSlim _blocked = new(0);
    private volatile bool _closed;

    public void Close()
    {
        _open.Reset();
        _closed = true;
    }

    public void Open() { _closed = false; _open.Set(); }

    public Task WaitForBlockedWriteAsync() => _blocked.WaitAsync(TimeSpan.FromSeconds(20)).ContinueWith(t =>
        Assert.True(t.Result, "no write reached the closed store"), TaskScheduler.Default);

    public byte[] FingerprintKey => inner.FingerprintKey;
    public IEnumerable<StoredVersion> ReadObjects(string? type = null) => inner.ReadObjects(type);
    public IEnumerable<StoredVersion> ReadObjectsNewestFirst(Func<StoredHead, bool> wanted) => inner.ReadObjectsNewestFirst(wanted);
    public IEnumerable<IdempotencyRow> ReadIdempotency() => inner.ReadIdempotency();

    public void Write(IEnumerable<Row> rows, RowSerializer serialize)
    {
        if (_closed) _blocked.Release();
        _open.Wait();
        inner.Write(rows, serialize);
    }

    public Task MaintainAsync(CancellationToken stop) => inner.MaintainAsync(stop);
    public void Dispose() => inner.Dispose();
}

/// <summary>A minimal server-sent events reader for the tests (field lines, blank line ends a message, ':' comments).</summary>
internal sealed class Sse : IAsyncDisposable
{
    public sealed record Message(long Position, string Event, JsonObject Data)
    {
        public string EventId => (string)Data["id"]!;
    }

    private readonly HttpResponseMessage _response;
    private readonly StreamReader _reader;

    private Sse(HttpResponseMessage response, Stream body)
    {
        _response = response;
        _reader = new StreamReader(body);
    }

    public static async Task<Sse> OpenAsync(HttpClient client, string query, string? lastEventId = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/_mock/events/stream" + (query.Length > 0 ? "?" + query : ""));
        if (lastEventId is not null) request.Headers.Add("Last-Event-ID", lastEventId);
        var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        if (!response.IsSuccessStatusCode) Assert.Fail($"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        return new Sse(response, await response.Content.ReadAsStreamAsync());
    }

    /// <summary>Every event durable now (<c>follow=false</c>), in stream order.</summary>
    public static async Task<List<Message>> ReadAllAsync(HttpClient client, string query, string? lastEventId = null)
    {
        await using var sse = await OpenAsync(client, query.Length > 0 ? "follow=false&" + query : "follow=false", lastEventId);
        var all = new List<Message>();
        while (await sse.NextAsync() is { } m) all.Add(m);
        return all;
    }

    /// <summary>The next message, or null at the end of the stream; fails rather than hang when none comes.</summary>
    public async Task<Message?> NextAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        string? id = null, type = null, data = null;
        while (await _reader.ReadLineAsync(timeout.Token) is { } line)
        {
            if (line.Length == 0)
            {
                if (data is not null) return new Message(long.Parse(id!), type!, JsonNode.Parse(data)!.AsObject());
                continue;
            }
            if (line.StartsWith(':') || line.StartsWith("retry:", StringComparison.Ordinal)) continue;
            if (line.StartsWith("id: ", StringComparison.Ordinal)) id = line[4..];
            else if (line.StartsWith("event: ", StringComparison.Ordinal)) type = line[7..];
            else if (line.StartsWith("data: ", StringComparison.Ordinal)) data = line[6..];
            else Assert.Fail($"unexpected line in the stream: {line}");
        }
        return null;
    }

    /// <summary>Reads until a comment line equal to <paramref name="comment"/>; fails rather than hang.</summary>
    public async Task<string> NextCommentAsync(string comment)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (await _reader.ReadLineAsync(timeout.Token) is { } line)
            if (line == comment) return line;
        return "(end of stream)";
    }

    public ValueTask DisposeAsync()
    {
        _reader.Dispose();
        _response.Dispose();
        return ValueTask.CompletedTask;
    }
}
