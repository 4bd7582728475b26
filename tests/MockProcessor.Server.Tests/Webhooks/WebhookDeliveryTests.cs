using System.Text.Json.Nodes;

namespace MockProcessor.Server.Tests.Webhooks;

public class WebhookDeliveryTests : IAsyncLifetime
{
    private readonly TestApp _app = new();
    private HttpClient _c = null!;

    public Task InitializeAsync() { _c = _app.Client("sk_test_deliveries"); return Task.CompletedTask; }
    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task A_delivery_is_the_event_signed_with_the_endpoint_secret()
    {
        var (_, secret) = await _c.CreateEndpoint("https://hooks.example.com/stripe");
        await _c.CreateCustomer();
        var evId = await _c.LatestEventId();
        Assert.Equal(1, await _c.Flush());

        var r = Assert.Single(_app.Receiver.All);
        Assert.Equal("https://hooks.example.com/stripe", r.Url);
        Assert.Equal("application/json; charset=utf-8", r.ContentType);
        Assert.Equal("Stripe/1.0 (+https://stripe.com/docs/webhooks)", r.UserAgent);
        Assert.True(WebhookKit.Verifies(r, secret), $"signature {r.Signature} does not verify");
        var (t, _) = r.ParsedSignature();
        Assert.InRange(t, DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 5, DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 1); // wall clock, not virtual
        var body = r.Json;
        Assert.Equal(evId, (string)body["id"]!);
        Assert.Equal("customer.created", (string)body["type"]!);
        Assert.Equal(_app.Options.ApiVersion, (string)body["api_version"]!);
        Assert.Equal(1, (long)body["pending_webhooks"]!); // rendered while this delivery was still pending
        Assert.Equal(0, await _c.PendingWebhooks(evId));
        var d = await _c.OnlyDelivery();
        Assert.Equal("succeeded", (string)d["status"]!);
        Assert.Equal(200, (int)d["attempts"]![0]!["status"]!);
        Assert.Equal("ok", (string)d["attempts"]![0]!["response_body"]!);
    }

    [Fact]
    public async Task Events_render_in_the_endpoints_api_version_when_it_has_one()
    {
        await (await _c.PostFormAsync("/v1/webhook_endpoints", ("url", "https://example.com/h"), ("enabled_events[]", "*"),
            ("api_version", "2026-07-29.dahlia"))).OkAsync();
        await _c.CreateCustomer();
        await _c.Flush();
        Assert.Equal("2026-07-29.dahlia", (string)Assert.Single(_app.Receiver.All).Json["api_version"]!);
    }

    [Fact]
    public async Task Endpoints_sent_one_event_together_share_a_body_per_api_version()
    {
        var (_, first) = await _c.CreateEndpoint("https://a.example.com/h");
        var (_, second) = await _c.CreateEndpoint("https://b.example.com/h");
        var pinned = await (await _c.PostFormAsync("/v1/webhook_endpoints", ("url", "https://c.example.com/h"), ("enabled_events[]", "*"),
            ("api_version", "2026-07-29.dahlia"))).OkAsync();
        await _c.CreateCustomer();
        var evId = await _c.LatestEventId();
        Assert.Equal(3, await _c.Flush()); // one batch: the three deliveries of one event

        var byUrl = _app.Receiver.All.ToDictionary(r => r.Url);
        Assert.Equal(3, byUrl.Count);
        var (a, b, c) = (byUrl["https://a.example.com/h"], byUrl["https://b.example.com/h"], byUrl["https://c.example.com/h"]);
        Assert.Equal(a.Body, b.Body);
        Assert.Equal(_app.Options.ApiVersion, (string)a.Json["api_version"]!);
        Assert.Equal("2026-07-29.dahlia", (string)c.Json["api_version"]!);
        Assert.NotEqual(a.Body, c.Body);
        foreach (var r in new[] { a, b, c })
        {
            Assert.Equal(evId, r.EventId);
            Assert.Equal(3, (long)r.Json["pending_webhooks"]!); // all three were pending when the batch was rendered
        }
        Assert.True(WebhookKit.Verifies(a, first) && WebhookKit.Verifies(b, second), "each endpoint's copy is signed with its own secret");
        Assert.True(WebhookKit.Verifies(c, (string)pinned["secret"]!));
        Assert.False(WebhookKit.Verifies(b, first));
        Assert.Equal(0, await _c.PendingWebhooks(evId));
    }

    [Fact]
    public async Task Failures_are_retried_on_the_virtual_clock_until_a_2xx()
    {
        _app.Receiver.Script(500, 500, 200);
        await _c.CreateEndpoint();
        await _c.CreateCustomer();
        var evId = await _c.LatestEventId();
        Assert.Equal(1, await _c.PendingWebhooks(evId));

        await _c.Flush();
        var d = await _c.OnlyDelivery();
        Assert.Equal("pending", (string)d["status"]!);
        Assert.Equal(TestApp.StartTime + 300, (long)d["next_attempt_at"]!);
        Assert.Equal(0, await _c.Flush()); // not due yet
        await _c.Advance(300);
        await _c.Flush();
        Assert.Equal(TestApp.StartTime + 300 + 1800, (long)(await _c.OnlyDelivery())["next_attempt_at"]!);
        Assert.Equal(1, await _c.PendingWebhooks(evId));
        await _c.Advance(1800);
        await _c.Flush();

        d = await _c.OnlyDelivery();
        Assert.Equal("succeeded", (string)d["status"]!);
        Assert.Equal(3, (int)d["attempt_count"]!);
        Assert.Equal([500, 500, 200], d["attempts"]!.AsArray().Select(a => (int)a!["status"]!));
        Assert.Equal(3, _app.Receiver.All.Count);
        Assert.Equal(0, await _c.PendingWebhooks(evId));
        // Each retry is signed afresh.
        Assert.All(_app.Receiver.All, r => Assert.Equal(evId, r.EventId));
    }

    [Fact]
    public async Task Enabled_events_filter_what_an_endpoint_receives()
    {
        var (onlyUpdates, _) = await _c.CreateEndpoint("https://example.com/updates", "customer.updated");
        var (all, _) = await _c.CreateEndpoint("https://example.com/all", "*");
        var cus = await _c.CreateCustomer();
        await (await _c.PostFormAsync($"/v1/customers/{cus}", ("name", "Renamed"))).OkAsync();
        await _c.Flush();
        Assert.Equal(["customer.updated"], (await _c.Deliveries($"&endpoint={onlyUpdates}")).Select(d => (string)d!["event_type"]!));
        Assert.Equal(2, (await _c.Deliveries($"&endpoint={all}")).Count);
        Assert.Single(_app.Receiver.All, r => r.Url == "https://example.com/updates");
    }

    [Fact]
    public async Task Disabling_or_deleting_an_endpoint_stops_its_deliveries()
    {
        _app.Receiver.Script(500, 500, 500, 500);
        var (a, _) = await _c.CreateEndpoint("https://example.com/a");
        var (b, _) = await _c.CreateEndpoint("https://example.com/b");
        await _c.CreateCustomer();
        var evId = await _c.LatestEventId();
        await _c.Flush();
        Assert.Equal(2, await _c.PendingWebhooks(evId));

        await (await _c.PostFormAsync($"/v1/webhook_endpoints/{a}", ("disabled", "true"))).OkAsync();
        await (await _c.DeleteAsync($"/v1/webhook_endpoints/{b}")).OkAsync();
        Assert.Equal(0, await _c.PendingWebhooks(evId));
        Assert.All(await _c.Deliveries(), d => Assert.Equal("canceled", (string)d!["status"]!));
        await _c.Advance(86_400);
        await _c.CreateCustomer("later");
        await _c.Flush();
        Assert.Equal(2, _app.Receiver.All.Count); // only the first attempts
    }

    [Fact]
    public async Task Resend_makes_a_new_delivery_of_the_event()
    {
        var (we, _) = await _c.CreateEndpoint();
        await _c.CreateCustomer();
        var evId = await _c.LatestEventId();
        await _c.Flush();
        var resent = await (await _c.PostFormAsync("/_mock/webhooks/deliveries/resend", ("event", evId), ("endpoint", we))).OkAsync();
        Assert.True((bool)resent["resend"]!);
        Assert.Equal("pending", (string)resent["status"]!);
        await _c.Flush();
        Assert.Equal([evId, evId], _app.Receiver.All.Select(r => r.EventId));
        Assert.All(await _c.Deliveries($"&event={evId}"), d => Assert.Equal("succeeded", (string)d!["status"]!));
        await (await _c.PostFormAsync("/_mock/webhooks/deliveries/resend", ("event", "evt_nope"), ("endpoint", we))).ErrorAsync(404);
    }

    [Fact]
    public async Task The_log_filters_failed_deliveries_and_needs_the_merchants_key()
    {
        _app.Receiver.Respond = r => r.Url.EndsWith("/down") ? 0 : 200;
        await _c.CreateEndpoint("https://example.com/up");
        var (down, _) = await _c.CreateEndpoint("https://example.com/down");
        await _c.CreateCustomer();
        await _c.Flush();
        // Eight retries on the stripe schedule, about three days.
        for (var i = 0; i < 8; i++) { await _c.Advance(86_400); await _c.Flush(); }
        var failed = Assert.Single(await _c.Deliveries("&status=failed"));
        Assert.Equal(down, (string)failed!["endpoint"]!);
        Assert.Equal(9, (int)failed["attempt_count"]!);
        Assert.Null((int?)failed["attempts"]![0]!["status"]);
        Assert.Contains("refused", (string)failed["attempts"]![0]!["error"]!);
        Assert.Single(await _c.Deliveries("&status=succeeded"));

        var anonymous = _app.Client("");
        var err = await (await anonymous.GetAsync("/_mock/webhooks/deliveries")).ErrorAsync(401);
        Assert.Equal("invalid_request_error", (string)err["type"]!);
        Assert.Empty(await _app.Client("sk_test_someone_else").Deliveries());
    }

    [Fact]
    public async Task A_receiver_that_does_not_answer_in_time_fails_the_attempt()
    {
        await using var app = new TestApp(o => o.WebhookTimeoutSeconds = 1);
        var c = app.Client();
        app.Receiver.Respond = _ => -1;
        await c.CreateEndpoint();
        await c.CreateCustomer();
        await c.Flush();
        var attempt = (await c.OnlyDelivery())["attempts"]![0]!;
        Assert.Contains("timed out", (string)attempt["error"]!);
        Assert.InRange((long)attempt["duration_ms"]!, 900, 5000);
    }

    [Fact]
    public async Task The_background_dispatcher_delivers_without_a_flush()
    {
        await using var app = new TestApp(o => o.WebhookAutoDispatch = true);
        var c = app.Client();
        await c.CreateEndpoint();
        await c.CreateCustomer();
        for (var i = 0; i < 100 && app.Receiver.All.Count == 0; i++) await Task.Delay(50);
        Assert.Single(app.Receiver.All);
    }
}
