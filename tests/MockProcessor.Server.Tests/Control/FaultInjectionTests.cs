using System.Diagnostics;
using System.Text.Json.Nodes;

namespace MockProcessor.Server.Tests.Control;

/// <summary>
/// HTTP fault rules (/_mock/faults, docs/faults.md): each kind as a client sees it, count and seeded
/// percentage, matching, and the idempotency contract — an injected error changes nothing and stores
/// nothing, while apply_then_* commits the real result for a same-key retry to replay.
/// </summary>
public class FaultInjectionTests : IAsyncLifetime
{
    private readonly TestApp _app = new();
    private HttpClient _c = null!;

    public Task InitializeAsync()
    {
        _c = _app.Client("sk_test_faults");
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private async Task<JsonObject> AddFault(params (string, string)[] fields) =>
        await (await _c.PostFormAsync("/_mock/faults", fields)).OkAsync();

    private async Task<JsonObject> Rule(string id) => await (await _c.GetAsync($"/_mock/faults/{id}")).OkAsync();

    private async Task<int> Count(string listUrl) => (await (await _c.GetAsync(listUrl)).OkAsync())["data"]!.AsArray().Count;

    private Task<HttpResponseMessage> CreateCustomer(string? key = null) => _c.PostRawAsync("/v1/customers", "email=a%40example.com", key);

    private const string ConfirmedPayment =
        "amount=2000&currency=usd&confirm=true&payment_method=pm_card_visa&allowed_payment_method_types[]=card";

    private static string? Header(HttpResponseMessage res, string name) =>
        res.Headers.TryGetValues(name, out var v) ? v.Single() : null;

    [Fact]
    public async Task Rules_are_created_listed_retrieved_deleted_and_cleared()
    {
        var rule = await AddFault(("method", "post"), ("path", "/v1/payment_intents*"), ("kind", "api_error"), ("count", "3"));
        Assert.StartsWith("fault_", (string)rule["id"]!);
        Assert.Equal("mock.fault_rule", (string)rule["object"]!);
        Assert.Equal("POST", (string)rule["method"]!);
        Assert.Equal(3, (int)rule["count"]!);
        Assert.Equal(3, (int)rule["remaining"]!);
        Assert.Equal(0, (int)rule["fired"]!);
        Assert.True((bool)rule["should_retry"]!);
        var second = await AddFault(("path", "/v1/customers"), ("kind", "rate_limit"));
        Assert.Equal("*", (string)second["method"]!);
        Assert.Equal(1, (int)second["count"]!); // neither count nor percentage: the next request
        Assert.Null(second["should_retry"]); // a 429 carries no Stripe-Should-Retry unless asked

        var list = (await (await _c.GetAsync("/_mock/faults")).OkAsync())["data"]!.AsArray();
        Assert.Equal([(string)rule["id"]!, (string)second["id"]!], list.Select(r => (string)r!["id"]!)); // creation order
        // Rules are per merchant.
        Assert.Empty((await (await _app.Client("sk_test_other").GetAsync("/_mock/faults")).OkAsync())["data"]!.AsArray());
        await (await _app.Client("sk_test_other").GetAsync($"/_mock/faults/{rule["id"]}")).ErrorAsync(404);

        var deleted = await (await _c.DeleteAsync($"/_mock/faults/{rule["id"]}")).OkAsync();
        Assert.True((bool)deleted["deleted"]!);
        await (await _c.DeleteAsync($"/_mock/faults/{rule["id"]}")).ErrorAsync(404);
        var cleared = await (await _c.DeleteAsync("/_mock/faults")).OkAsync();
        Assert.Equal(1, (int)cleared["deleted"]!);
        Assert.Equal(0, await Count("/_mock/faults"));
    }

    [Theory]
    [InlineData("kind=explode&path=/v1/customers", "kind", null)]
    [InlineData("path=/v1/customers", "kind", "parameter_missing")]
    [InlineData("kind=api_error", "path", "parameter_missing")]
    [InlineData("kind=api_error&path=v1/customers", "path", null)]
    [InlineData("kind=api_error&path=/v1/customers&method=PATCH", "method", null)]
    [InlineData("kind=delay&path=/v1/customers", "delay_ms", "parameter_missing")]
    [InlineData("kind=api_error&path=/v1/customers&delay_ms=5", "delay_ms", null)]
    [InlineData("kind=disconnect&path=/v1/customers&should_retry=true", "should_retry", null)]
    [InlineData("kind=api_error&path=/v1/customers&percentage=101", "percentage", null)]
    [InlineData("kind=api_error&path=/v1/customers&count=0", "count", null)]
    [InlineData("kind=api_error&path=/v1/customers&explode=1", "explode", "parameter_unknown")]
    public async Task Bad_input_is_a_stripe_400_and_creates_nothing(string body, string param, string? code)
    {
        var err = await (await _c.PostRawAsync("/_mock/faults", body)).ErrorAsync(400);
        Assert.Equal("invalid_request_error", (string)err["type"]!);
        Assert.Equal(param, (string)err["param"]!);
        if (code is not null) Assert.Equal(code, (string)err["code"]!);
        Assert.Equal(0, await Count("/_mock/faults"));
    }

    [Fact]
    public async Task The_control_api_needs_the_merchants_secret_key()
    {
        await (await _app.Client("").PostFormAsync("/_mock/faults", ("path", "*"), ("kind", "api_error"))).ErrorAsync(401);
        await (await _app.Client("pk_test_faults").GetAsync("/_mock/faults")).ErrorAsync(401);
    }

    [Fact]
    public async Task Api_error_is_a_retryable_500_that_changes_nothing_and_stores_no_idempotent_result()
    {
        var rule = await AddFault(("method", "POST"), ("path", "/v1/customers"), ("kind", "api_error"));
        var res = await CreateCustomer("key-1");
        var err = await res.ErrorAsync(500);
        Assert.Equal("api_error", (string)err["type"]!);
        Assert.Contains((string)rule["id"]!, (string)err["message"]!);
        Assert.Equal("true", Header(res, "Stripe-Should-Retry"));
        Assert.StartsWith("req_", Header(res, "Request-Id"));
        Assert.Equal("key-1", Header(res, "Idempotency-Key"));
        Assert.Equal(0, await Count("/v1/customers"));
        Assert.Equal(0, await Count("/v1/events"));

        // The retry with the same key executes for real: it is not a replay of the injected 500.
        var retry = await CreateCustomer("key-1");
        await retry.OkAsync();
        Assert.Null(Header(retry, "Idempotent-Replayed"));
        Assert.Equal(1, await Count("/v1/customers"));
        var after = await Rule((string)rule["id"]!);
        Assert.Equal(1, (int)after["fired"]!);
        Assert.Equal(0, (int)after["remaining"]!);
    }

    [Fact]
    public async Task Should_retry_false_is_sent_as_such()
    {
        await AddFault(("path", "/v1/customers"), ("kind", "api_error"), ("should_retry", "false"));
        Assert.Equal("false", Header(await CreateCustomer(), "Stripe-Should-Retry"));
    }

    [Fact]
    public async Task Rate_limit_is_a_429_invalid_request_error_with_optional_headers()
    {
        await AddFault(("path", "/v1/customers"), ("kind", "rate_limit"));
        await AddFault(("path", "/v1/customers"), ("kind", "rate_limit"), ("should_retry", "true"), ("retry_after", "2"));
        var plain = await CreateCustomer();
        var err = await plain.ErrorAsync(429);
        Assert.Equal("invalid_request_error", (string)err["type"]!);
        Assert.Equal("rate_limit", (string)err["code"]!);
        Assert.Null(Header(plain, "Stripe-Should-Retry"));
        Assert.Null(plain.Headers.RetryAfter);
        var told = await CreateCustomer();
        await told.ErrorAsync(429);
        Assert.Equal("true", Header(told, "Stripe-Should-Retry"));
        Assert.Equal(TimeSpan.FromSeconds(2), told.Headers.RetryAfter!.Delta);
        Assert.Equal(0, await Count("/v1/customers"));
    }

    [Fact]
    public async Task Service_unavailable_is_a_503_api_error()
    {
        await AddFault(("path", "/v1/customers"), ("kind", "service_unavailable"), ("retry_after", "1"));
        var res = await CreateCustomer();
        Assert.Equal("api_error", (string)(await res.ErrorAsync(503))["type"]!);
        Assert.Equal("true", Header(res, "Stripe-Should-Retry"));
        Assert.NotNull(res.Headers.RetryAfter);
    }

    [Fact]
    public async Task Delay_holds_the_request_then_it_proceeds_normally()
    {
        await AddFault(("path", "/v1/customers"), ("kind", "delay"), ("delay_ms", "400"));
        var clock = Stopwatch.StartNew();
        await (await CreateCustomer()).OkAsync();
        Assert.True(clock.ElapsedMilliseconds >= 380, $"took {clock.ElapsedMilliseconds} ms");
        Assert.Equal(1, await Count("/v1/customers"));
    }

    [Fact]
    public async Task Disconnect_drops_the_connection_and_changes_nothing()
    {
        await AddFault(("path", "/v1/customers"), ("kind", "disconnect"));
        await Assert.ThrowsAnyAsync<Exception>(async () => await (await CreateCustomer("key-d")).Content.ReadAsStringAsync());
        Assert.Equal(0, await Count("/v1/customers"));
        var retry = await CreateCustomer("key-d");
        await retry.OkAsync();
        Assert.Null(Header(retry, "Idempotent-Replayed"));
    }

    [Fact]
    public async Task Apply_then_fail_commits_and_a_same_key_retry_replays_the_real_result()
    {
        await AddFault(("method", "POST"), ("path", "/v1/payment_intents"), ("kind", "apply_then_fail"));
        var lost = await _c.PostRawAsync("/v1/payment_intents", ConfirmedPayment, "pay-1");
        var err = await lost.ErrorAsync(500);
        Assert.Equal("api_error", (string)err["type"]!);
        Assert.Equal("true", Header(lost, "Stripe-Should-Retry"));
        // The payment happened even though the client was told it failed.
        var listed = (await (await _c.GetAsync("/v1/payment_intents")).OkAsync())["data"]!.AsArray();
        Assert.Single(listed);

        var retry = await _c.PostRawAsync("/v1/payment_intents", ConfirmedPayment, "pay-1");
        var pi = await retry.OkAsync();
        Assert.Equal("true", Header(retry, "Idempotent-Replayed"));
        Assert.Equal(Header(lost, "Request-Id"), Header(retry, "Original-Request"));
        Assert.Equal((string)listed[0]!["id"]!, (string)pi["id"]!);
        Assert.Equal("succeeded", (string)pi["status"]!);
        Assert.Equal(1, await Count("/v1/payment_intents"));
        Assert.Equal(1, await Count("/v1/charges"));
    }

    [Fact]
    public async Task Apply_then_disconnect_commits_and_a_same_key_retry_replays_it()
    {
        await AddFault(("path", "/v1/payment_intents"), ("kind", "apply_then_disconnect"));
        await Assert.ThrowsAnyAsync<Exception>(async () =>
            await (await _c.PostRawAsync("/v1/payment_intents", ConfirmedPayment, "pay-2")).Content.ReadAsStringAsync());
        var retry = await _c.PostRawAsync("/v1/payment_intents", ConfirmedPayment, "pay-2");
        await retry.OkAsync();
        Assert.Equal("true", Header(retry, "Idempotent-Replayed"));
        Assert.Equal(1, await Count("/v1/payment_intents"));
        Assert.Equal(1, await Count("/v1/charges"));
    }

    [Fact]
    public async Task Count_fails_the_next_n_matching_requests_only()
    {
        var rule = await AddFault(("path", "/v1/customers"), ("kind", "api_error"), ("count", "2"));
        Assert.Equal(500, (int)(await CreateCustomer()).StatusCode);
        Assert.Equal(500, (int)(await CreateCustomer()).StatusCode);
        Assert.Equal(200, (int)(await CreateCustomer()).StatusCode);
        Assert.Equal(200, (int)(await CreateCustomer()).StatusCode);
        var after = await Rule((string)rule["id"]!);
        Assert.Equal(2, (int)after["fired"]!);
        Assert.Equal(2, (int)after["matched"]!); // a spent rule no longer matches
    }

    private async Task<string> Pattern(string seed, int requests)
    {
        var rule = await AddFault(("method", "GET"), ("path", "/v1/customers"), ("kind", "api_error"), ("percentage", "50"), ("seed", seed));
        var outcome = new char[requests];
        for (var i = 0; i < requests; i++)
            outcome[i] = (await _c.GetAsync("/v1/customers")).IsSuccessStatusCode ? '.' : 'X';
        var after = await Rule((string)rule["id"]!);
        Assert.Equal(requests, (int)after["matched"]!);
        Assert.Equal(outcome.Count(ch => ch == 'X'), (int)after["fired"]!);
        Assert.Null(after["remaining"]); // a percentage without count never runs out
        await (await _c.DeleteAsync($"/_mock/faults/{rule["id"]}")).OkAsync();
        return new string(outcome);
    }

    [Fact]
    public async Task Percentage_is_seeded_so_the_same_seed_fails_the_same_requests()
    {
        var first = await Pattern("7", 40);
        var again = await Pattern("7", 40);
        var other = await Pattern("8", 40);
        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
        var failures = first.Count(ch => ch == 'X');
        Assert.InRange(failures, 8, 32); // about half: neither never nor always
    }

    [Fact]
    public async Task Method_and_path_must_both_match()
    {
        await AddFault(("method", "POST"), ("path", "/v1/payment_intents*"), ("kind", "api_error"), ("percentage", "100"));
        await AddFault(("method", "GET"), ("path", "/v1/customers"), ("kind", "rate_limit"), ("percentage", "100"));
        Assert.Equal(200, (int)(await _c.GetAsync("/v1/payment_intents")).StatusCode);    // wrong method
        Assert.Equal(200, (int)(await CreateCustomer()).StatusCode);                      // wrong method for the exact rule
        Assert.Equal(500, (int)(await _c.PostRawAsync("/v1/payment_intents", "amount=100&currency=usd")).StatusCode);
        Assert.Equal(500, (int)(await _c.PostRawAsync("/v1/payment_intents/pi_x/confirm", "")).StatusCode); // the glob spans slashes
        Assert.Equal(429, (int)(await _c.GetAsync("/v1/customers")).StatusCode);
        Assert.Equal(429, (int)(await _c.GetAsync("/v1/customers?limit=3")).StatusCode); // the query string is not part of the path
        Assert.Equal(404, (int)(await _c.GetAsync("/v1/customers/cus_missing")).StatusCode); // exact means exact
        // Another merchant's requests are never matched.
        Assert.Equal(200, (int)(await _app.Client("sk_test_other").GetAsync("/v1/customers")).StatusCode);
    }

    [Fact]
    public async Task A_catch_all_rule_leaves_the_control_api_reachable()
    {
        await AddFault(("path", "*"), ("kind", "api_error"), ("percentage", "100"));
        Assert.Equal(500, (int)(await _c.GetAsync("/v1/balance")).StatusCode);
        Assert.Single((await (await _c.GetAsync("/_mock/faults")).OkAsync())["data"]!.AsArray());
        await (await _c.DeleteAsync("/_mock/faults")).OkAsync();
        Assert.Equal(200, (int)(await _c.GetAsync("/v1/balance")).StatusCode);
    }

    [Fact]
    public async Task Rules_are_evaluated_in_creation_order_and_the_first_match_fires()
    {
        var first = await AddFault(("path", "/v1/customers*"), ("kind", "service_unavailable"));
        var second = await AddFault(("path", "/v1/customers"), ("kind", "rate_limit"));
        Assert.Equal(503, (int)(await _c.GetAsync("/v1/customers")).StatusCode);
        Assert.Equal(429, (int)(await _c.GetAsync("/v1/customers")).StatusCode); // the first is spent
        Assert.Equal(200, (int)(await _c.GetAsync("/v1/customers")).StatusCode);
        Assert.Equal(1, (int)(await Rule((string)first["id"]!))["fired"]!);
        Assert.Equal(1, (int)(await Rule((string)second["id"]!))["matched"]!); // not consulted while the first fired
    }
}
