using System.Net.Http.Headers;
using System.Text.Json.Nodes;

namespace MockProcessor.Server.Tests.Wire;

public class PipelineTests : IAsyncLifetime
{
    private readonly TestApp _app = new();
    public Task InitializeAsync() => Task.CompletedTask;
    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task Missing_key_is_401_with_stripe_envelope_and_request_id()
    {
        var res = await _app.Client("").GetAsync("/v1/customers");
        var err = await res.ErrorAsync(401);
        Assert.Equal("invalid_request_error", (string)err["type"]!);
        Assert.Contains("API key", (string)err["message"]!);
        Assert.StartsWith("req_", res.Headers.GetValues("Request-Id").Single());
    }

    [Theory]
    [InlineData("sk_live_fake")]
    [InlineData("nonsense")]
    [InlineData("sk_test_")]
    public async Task Bad_keys_are_401(string key)
    {
        var err = await (await _app.Client(key).GetAsync("/v1/customers")).ErrorAsync(401);
        Assert.Equal("invalid_request_error", (string)err["type"]!);
        // Keys are never echoed whole: only their last four characters after a mask.
        var message = (string)err["message"]!;
        Assert.Contains("****", message);
        if (key.Length > 8) Assert.DoesNotContain(key, message);
    }

    [Fact]
    public async Task Basic_auth_with_the_key_as_user_reaches_the_same_merchant()
    {
        var bearer = _app.Client("sk_test_basic");
        var id = (string)(await (await bearer.PostFormAsync("/v1/customers", ("name", "b"))).OkAsync())["id"]!;
        var basic = _app.Client("");
        basic.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String("sk_test_basic:"u8.ToArray()));
        await (await basic.GetAsync($"/v1/customers/{id}")).OkAsync();
    }

    [Fact]
    public async Task Merchants_are_isolated_by_key()
    {
        var a = _app.Client("sk_test_merchantA");
        var b = _app.Client("sk_test_merchantB");
        var id = (string)(await (await a.PostFormAsync("/v1/customers")).OkAsync())["id"]!;
        var err = await (await b.GetAsync($"/v1/customers/{id}")).ErrorAsync(404);
        Assert.Equal("resource_missing", (string)err["code"]!);
        Assert.Equal("id", (string)err["param"]!);
        Assert.Empty((await (await b.GetAsync("/v1/customers")).OkAsync())["data"]!.AsArray());
    }

    [Fact]
    public async Task Strict_keys_refuse_unseen_keys()
    {
        await using var strict = new TestApp(o => o.StrictKeys = true);
        await (await strict.Client("sk_test_new").GetAsync("/v1/customers")).ErrorAsync(401);
    }

    [Fact]
    public async Task Doubled_slash_and_unknown_routes()
    {
        var c = _app.Client();
        // A base URL ending in "/" glued onto "/v1/..." (an absolute URI, or HttpClient reads "//v1" as a host).
        await (await c.GetAsync(new Uri(c.BaseAddress!, "/").AbsoluteUri + "/v1/customers")).OkAsync();
        var err = await (await c.GetAsync("/v1/widgets")).ErrorAsync(404);
        Assert.Contains("Unrecognized request URL", (string)err["message"]!);
        await (await c.PutAsync("/v1/customers", new StringContent(""))).ErrorAsync(405);
    }

    [Fact]
    public async Task Idempotent_replay_is_byte_identical_and_creates_nothing()
    {
        var c = _app.Client("sk_test_idem");
        var first = await c.PostRawAsync("/v1/customers", "email=a%40b.com&metadata[x]=1", "key-1");
        var second = await c.PostRawAsync("/v1/customers", "metadata[x]=1&email=a%40b.com", "key-1");
        Assert.Equal(await first.Content.ReadAsByteArrayAsync(), await second.Content.ReadAsByteArrayAsync());
        Assert.Equal("true", second.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.False(first.Headers.Contains("Idempotent-Replayed"));
        Assert.Single((await (await c.GetAsync("/v1/customers")).OkAsync())["data"]!.AsArray());
        Assert.Single((await (await c.GetAsync("/v1/events")).OkAsync())["data"]!.AsArray());

        var mismatch = await (await c.PostRawAsync("/v1/customers", "email=other%40b.com", "key-1")).ErrorAsync(400);
        Assert.Equal("idempotency_error", (string)mismatch["type"]!);
        var otherPath = await (await c.PostRawAsync("/v1/payment_methods", "type=card&card[token]=tok_visa", "key-1")).ErrorAsync(400);
        Assert.Equal("idempotency_error", (string)otherPath["type"]!);
    }

    [Fact]
    public async Task Idempotency_keys_expire_after_24_hours_of_virtual_time()
    {
        var c = _app.Client("sk_test_expiry");
        var a = await (await c.PostRawAsync("/v1/customers", "name=a", "k")).OkAsync();
        _app.Services.GetService(typeof(MockProcessor.Server.Time.VirtualClock)).As<MockProcessor.Server.Time.VirtualClock>().Advance(TimeSpan.FromHours(24));
        var b = await (await c.PostRawAsync("/v1/customers", "name=a", "k")).OkAsync();
        Assert.NotEqual((string)a["id"]!, (string)b["id"]!);
    }

    [Fact]
    public async Task Validation_failures_are_not_stored_so_a_fixed_retry_may_reuse_the_key()
    {
        var c = _app.Client("sk_test_retry");
        await (await c.PostRawAsync("/v1/customers", "bogus=1", "k2")).ErrorAsync(400);
        await (await c.PostRawAsync("/v1/customers", "name=fixed", "k2")).OkAsync();
    }

    [Fact]
    public async Task Concurrent_requests_with_one_key_create_one_object()
    {
        var c = _app.Client("sk_test_race");
        var responses = await Task.WhenAll(Enumerable.Range(0, 30).Select(_ => c.PostRawAsync("/v1/customers", "name=racer", "race-key")));
        var ids = new HashSet<string>();
        foreach (var r in responses) ids.Add((string)(await r.OkAsync())["id"]!);
        Assert.Single(ids);
        Assert.Single((await (await c.GetAsync("/v1/customers")).OkAsync())["data"]!.AsArray());
    }

    [Fact]
    public async Task Expand_rejects_unknown_fields_before_executing()
    {
        var c = _app.Client("sk_test_expand");
        var err = await (await c.PostRawAsync("/v1/customers", "name=x&expand[]=nope")).ErrorAsync(400);
        Assert.Contains("nope", (string)err["message"]!);
        Assert.Empty((await (await c.GetAsync("/v1/customers")).OkAsync())["data"]!.AsArray());
    }

    [Fact]
    public async Task Stripe_version_is_echoed_and_pinned_on_the_merchant_for_events()
    {
        var c = _app.Client("sk_test_version");
        c.DefaultRequestHeaders.Add("Stripe-Version", "2020-08-27");
        var res = await c.PostFormAsync("/v1/customers", ("name", "v"));
        Assert.Equal("2020-08-27", res.Headers.GetValues("Stripe-Version").Single());
        var c2 = _app.Client("sk_test_version");
        c2.DefaultRequestHeaders.Add("Stripe-Version", "2026-07-29.dahlia");
        await (await c2.PostFormAsync("/v1/customers", ("name", "w"))).OkAsync();
        var events = await (await c2.GetAsync("/v1/events")).OkAsync();
        Assert.All(events["data"]!.AsArray(), e => Assert.Equal("2020-08-27", (string)e!["api_version"]!));
    }
}

internal static class CastExtensions
{
    public static T As<T>(this object? o) => (T)o!;
}

public class DeterminismTests
{
    private static async Task<List<string>> Scenario()
    {
        await using var app = new TestApp(o => o.Seed = 1234);
        var c = app.Client("sk_test_determinism");
        var ids = new List<string>();
        var res = await c.PostFormAsync("/v1/customers", ("email", "d@example.com"));
        ids.Add(res.Headers.GetValues("Request-Id").Single());
        var cus = await res.OkAsync();
        ids.Add((string)cus["id"]!);
        var pm = await (await c.PostFormAsync("/v1/payment_methods/pm_card_visa/attach", ("customer", (string)cus["id"]!))).OkAsync();
        ids.Add((string)pm["id"]!);
        ids.Add((string)pm["card"]!["fingerprint"]!);
        var events = await (await c.GetAsync("/v1/events")).OkAsync();
        ids.AddRange(events["data"]!.AsArray().Select(e => (string)e!["id"]! + "@" + (long)e!["created"]!));
        return ids;
    }

    [Fact]
    public async Task Same_seed_and_same_calls_give_the_same_ids_and_timestamps()
    {
        var first = await Scenario();
        var second = await Scenario();
        Assert.Equal(first, second);
        Assert.Equal(first.Count, first.Distinct().Count());
    }
}
