namespace MockProcessor.Server.Tests.Webhooks;

public class WebhookEndpointApiTests : IAsyncLifetime
{
    private readonly TestApp _app = new();
    private HttpClient _c = null!;

    public Task InitializeAsync() { _c = _app.Client("sk_test_endpoints"); return Task.CompletedTask; }
    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task Create_renders_stripes_shape_and_the_secret_only_once()
    {
        var we = await (await _c.PostFormAsync("/v1/webhook_endpoints", ("url", "https://example.com/hook"),
            ("enabled_events[]", "charge.succeeded"), ("enabled_events[]", "charge.failed"), ("description", "mine"),
            ("metadata[team]", "pay"), ("api_version", "2026-07-29.dahlia"), ("connect", "false"))).OkAsync();
        var id = (string)we["id"]!;
        Assert.StartsWith("we_", id);
        Assert.Equal("webhook_endpoint", (string)we["object"]!);
        Assert.Matches("^whsec_[0-9A-Za-z]{32}$", (string)we["secret"]!);
        Assert.Equal(["charge.succeeded", "charge.failed"], we["enabled_events"]!.AsArray().Select(x => (string)x!));
        Assert.Equal("enabled", (string)we["status"]!);
        Assert.Equal("2026-07-29.dahlia", (string)we["api_version"]!);
        Assert.Equal("pay", (string)we["metadata"]!["team"]!);
        Assert.True(we.ContainsKey("application") && we["application"] is null);

        var got = await (await _c.GetAsync($"/v1/webhook_endpoints/{id}")).OkAsync();
        Assert.False(got.ContainsKey("secret"));
        var list = await (await _c.GetAsync("/v1/webhook_endpoints")).OkAsync();
        Assert.Equal(id, (string)list["data"]![0]!["id"]!);
        Assert.False(list["data"]![0]!.AsObject().ContainsKey("secret"));
        var updated = await (await _c.PostFormAsync($"/v1/webhook_endpoints/{id}", ("description", "changed"))).OkAsync();
        Assert.False(updated.ContainsKey("secret"));
    }

    [Fact]
    public async Task Unknown_event_types_are_a_400_on_enabled_events_and_star_is_allowed()
    {
        var err = await (await _c.PostFormAsync("/v1/webhook_endpoints", ("url", "https://example.com/h"),
            ("enabled_events[]", "charge.succeeded"), ("enabled_events[]", "charge.exploded"))).ErrorAsync(400);
        Assert.Equal("enabled_events", (string)err["param"]!);
        Assert.Equal("invalid_request_error", (string)err["type"]!);
        Assert.Contains("charge.exploded", (string)err["message"]!);

        var missing = await (await _c.PostFormAsync("/v1/webhook_endpoints", ("url", "https://example.com/h"))).ErrorAsync(400);
        Assert.Equal("enabled_events", (string)missing["param"]!);
        var badUrl = await (await _c.PostFormAsync("/v1/webhook_endpoints", ("url", "ftp://x"), ("enabled_events[]", "*"))).ErrorAsync(400);
        Assert.Equal("url", (string)badUrl["param"]!);

        var (id, _) = await _c.CreateEndpoint("https://example.com/all", "*");
        var upd = await (await _c.PostFormAsync($"/v1/webhook_endpoints/{id}", ("enabled_events[]", "nope.nope"))).ErrorAsync(400);
        Assert.Equal("enabled_events", (string)upd["param"]!);
    }

    [Fact]
    public async Task Update_disables_and_delete_removes()
    {
        var (id, _) = await _c.CreateEndpoint();
        var disabled = await (await _c.PostFormAsync($"/v1/webhook_endpoints/{id}", ("disabled", "true"), ("url", "https://example.com/new"))).OkAsync();
        Assert.Equal("disabled", (string)disabled["status"]!);
        Assert.Equal("https://example.com/new", (string)disabled["url"]!);
        var del = await (await _c.DeleteAsync($"/v1/webhook_endpoints/{id}")).OkAsync();
        Assert.True((bool)del["deleted"]!);
        await (await _c.GetAsync($"/v1/webhook_endpoints/{id}")).ErrorAsync(404);
        Assert.Empty((await (await _c.GetAsync("/v1/webhook_endpoints")).OkAsync())["data"]!.AsArray());
    }

    [Fact]
    public async Task A_merchant_has_at_most_16_endpoints()
    {
        for (var i = 0; i < 16; i++) await _c.CreateEndpoint($"https://example.com/{i}");
        await (await _c.PostFormAsync("/v1/webhook_endpoints", ("url", "https://example.com/17"), ("enabled_events[]", "*"))).ErrorAsync(400);
    }
}
