using System.Text.RegularExpressions;
using MockProcessor.Server.Tests.Webhooks;

namespace MockProcessor.Server.Tests.Hosting;

/// <summary><c>GET /metrics</c> (docs/observability.md): Prometheus text, parsed here, after calls with known effects.</summary>
public sealed class MetricsEndpointTests : IAsyncLifetime
{
    private const string Requests = "mockprocessor_requests_total";
    private const string Decisions = "mockprocessor_card_network_decisions_total";
    private const string Deliveries = "mockprocessor_webhook_deliveries_total";

    // An object id or key as the emulator makes them: prefix, underscore, 10+ alphanumerics.
    private static readonly Regex IdLike = new("(^|[^a-z])(acct|pi|ch|pm|cus|evt|we|req|txn|re|sk_test|pk_test|whsec)_[A-Za-z0-9]{6,}");

    private readonly TestApp _app = new();

    public Task InitializeAsync() => Task.CompletedTask;
    public async Task DisposeAsync() => await _app.DisposeAsync();

    private async Task<PrometheusText> Scrape()
    {
        var response = await _app.Client("").GetAsync("/metrics");
        Assert.Equal(200, (int)response.StatusCode);
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType!.MediaType);
        return PrometheusText.Parse(await response.Content.ReadAsStringAsync());
    }

    private static (string, string)[] Route(string route, string method, int status) =>
        [("http_route", route), ("http_request_method", method), ("http_response_status_code", status.ToString())];

    private static Task<HttpResponseMessage> Pay(HttpClient c, string paymentMethod) =>
        c.PostFormAsync("/v1/payment_intents", ("amount", "2000"), ("currency", "usd"), ("confirm", "true"),
            ("payment_method", paymentMethod), ("automatic_payment_methods[enabled]", "true"),
            ("automatic_payment_methods[allow_redirects]", "never"));

    [Fact]
    public async Task Requests_decisions_and_deliveries_are_counted_by_template_and_outcome()
    {
        var c = _app.Client("sk_test_metrics");
        await c.CreateEndpoint();
        var before = await Scrape();

        await (await Pay(c, "pm_card_visa")).OkAsync();
        await (await Pay(c, "pm_card_visa")).OkAsync();
        var declined = await (await Pay(c, "pm_card_chargeDeclined")).ErrorAsync(402);
        var piId = (string)declined["payment_intent"]!["id"]!;
        await (await c.GetAsync($"/v1/payment_intents/{piId}")).OkAsync();
        await (await c.GetAsync("/v1/payment_intents/pi_doesnotexist0000000000")).ErrorAsync(404);
        var sent = await c.Flush();
        Assert.True(sent > 0);
        var after = await Scrape();

        double Delta(string name, params (string, string)[] labels) => after.Value(name, labels) - before.Value(name, labels);

        Assert.Equal("counter", after.Types[Requests]);
        Assert.Equal(2, Delta(Requests, Route("/v1/payment_intents", "POST", 200)));
        Assert.Equal(1, Delta(Requests, Route("/v1/payment_intents", "POST", 402)));
        Assert.Equal(1, Delta(Requests, Route("/v1/payment_intents/{id}", "GET", 200)));
        Assert.Equal(1, Delta(Requests, Route("/v1/payment_intents/{id}", "GET", 404)));
        // The latency histogram has one observation per request, in seconds.
        Assert.Equal("histogram", after.Types["mockprocessor_request_duration_seconds"]);
        Assert.Equal(2, Delta("mockprocessor_request_duration_seconds_count", Route("/v1/payment_intents", "POST", 200)));
        Assert.Equal(2, Delta("mockprocessor_request_duration_seconds_bucket", [.. Route("/v1/payment_intents", "POST", 200), ("le", "+Inf")]));

        Assert.Equal(2, Delta(Decisions, ("outcome", "approved"), ("late", "false")));
        Assert.Equal(1, Delta(Decisions, ("outcome", "declined"), ("late", "false")));

        // Every event of the three payments went to the one endpoint, first try, answered 200.
        Assert.Equal(sent, _app.Receiver.All.Count);
        Assert.Equal(sent, Delta(Deliveries, ("outcome", "succeeded"), ("attempt", "1")));
        Assert.Equal(0, after.Value("mockprocessor_webhook_queue_length"));

        Assert.Equal(3, after.Value("mockprocessor_store_objects", ("type", "payment_intent")));
        Assert.Equal(3, after.Value("mockprocessor_store_objects", ("type", "charge")));

        // Labels carry templates and outcomes, never an id from a path or a body.
        var offending = after.Samples.SelectMany(s => s.Labels.Values).Where(v => IdLike.IsMatch(v)).Distinct().ToList();
        Assert.Empty(offending);
        Assert.DoesNotContain(after.Samples, s => s.Labels.Values.Any(v => v.Contains(piId)));
    }

    [Fact]
    public async Task Idempotent_replays_and_the_runtime_meter_are_exported()
    {
        var c = _app.Client("sk_test_replays");
        var before = await Scrape();
        for (var i = 0; i < 3; i++)
            await (await c.PostRawAsync("/v1/customers", "name=Replayed", idempotencyKey: "same-key")).OkAsync();
        var after = await Scrape();

        Assert.Equal(1, after.Value("mockprocessor_idempotency_lookups_total", ("result", "executed"))
            - before.Value("mockprocessor_idempotency_lookups_total", ("result", "executed")));
        Assert.Equal(2, after.Value("mockprocessor_idempotency_lookups_total", ("result", "replay"))
            - before.Value("mockprocessor_idempotency_lookups_total", ("result", "replay")));
        // .NET's own "System.Runtime" meter: GC and heap figures.
        Assert.Contains(after.Samples, s => s.Name == "dotnet_gc_heap_total_allocated_bytes_total" && s.Value > 0);
    }

    [Fact]
    public async Task Two_emulators_in_one_process_count_only_their_own_requests()
    {
        await using var other = new TestApp();
        var before = await Scrape();
        for (var i = 0; i < 4; i++) await (await other.Client("sk_test_other").PostFormAsync("/v1/customers", ("name", "x"))).OkAsync();
        await (await _app.Client("sk_test_mine").PostFormAsync("/v1/customers", ("name", "y"))).OkAsync();
        var after = await Scrape();
        Assert.Equal(1, after.Value(Requests, Route("/v1/customers", "POST", 200)) - before.Value(Requests, Route("/v1/customers", "POST", 200)));
    }
}
