using MockProcessor.Domain.Webhooks;

namespace MockProcessor.Server.Tests.Webhooks;

/// <summary>Each QA fault of /_mock/webhook_endpoints/{id}/faults, as the receiver sees it and as the log names it.</summary>
public class WebhookFaultTests : IAsyncLifetime
{
    private readonly TestApp _app = new();
    private HttpClient _c = null!;
    private string _we = "";
    private string _secret = "";

    public async Task InitializeAsync()
    {
        _c = _app.Client("sk_test_faults");
        (_we, _secret) = await _c.CreateEndpoint();
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private async Task SetFaults(params (string, string)[] faults) =>
        await (await _c.PostFormAsync($"/_mock/webhook_endpoints/{_we}/faults", faults)).OkAsync();

    [Fact]
    public async Task Faults_are_shown_set_and_cleared()
    {
        var none = await (await _c.GetAsync($"/_mock/webhook_endpoints/{_we}/faults")).OkAsync();
        Assert.False((bool)none["duplicate"]!);
        await SetFaults(("duplicate", "true"), ("fail_first", "2"), ("drop_types[]", "customer.deleted"));
        var set = await (await _c.GetAsync($"/_mock/webhook_endpoints/{_we}/faults")).OkAsync();
        Assert.True((bool)set["duplicate"]!);
        Assert.Equal(2, (int)set["fail_first"]!);
        Assert.Equal("customer.deleted", (string)set["drop_types"]![0]!);
        var cleared = await (await _c.DeleteAsync($"/_mock/webhook_endpoints/{_we}/faults")).OkAsync();
        Assert.Equal(0, (int)cleared["fail_first"]!);
        // Faults are not Stripe fields.
        Assert.False((await (await _c.GetAsync($"/v1/webhook_endpoints/{_we}")).OkAsync()).ContainsKey("faults"));
        var bad = await (await _c.PostFormAsync($"/_mock/webhook_endpoints/{_we}/faults", ("explode", "true"))).ErrorAsync(400);
        Assert.Equal("parameter_unknown", (string)bad["code"]!);
        await (await _c.GetAsync("/_mock/webhook_endpoints/we_missing/faults")).ErrorAsync(404);
    }

    [Fact]
    public async Task Duplicate_sends_a_successful_delivery_twice()
    {
        await SetFaults(("duplicate", "true"));
        await _c.CreateCustomer();
        await _c.Flush();
        Assert.Equal(2, _app.Receiver.All.Count);
        Assert.Equal(_app.Receiver.All[0].EventId, _app.Receiver.All[1].EventId);
        var d = await _c.OnlyDelivery();
        Assert.Equal(1, (int)d["attempt_count"]!);
        Assert.Equal(["duplicate"], WebhookKit.Faults(d["attempts"]![1]!));
    }

    [Fact]
    public async Task Reorder_shuffles_a_burst_within_the_window_deterministically()
    {
        await SetFaults(("reorder_window", "60"));
        for (var i = 0; i < 6; i++) await _c.CreateCustomer($"c{i}");
        Assert.Equal(0, await _c.Flush()); // everything waits inside the window
        var created = (await _c.Deliveries()).Reverse().Select(d => ((string)d!["id"]!, (string)d["event"]!)).ToList();
        await _c.Advance(60);
        await _c.Flush();
        var received = _app.Receiver.All.Select(r => r.EventId).ToList();
        var expected = created.Select((d, i) => (d, i)).OrderBy(x => WebhookRules.ReorderOffset(x.d.Item1, 60)).ThenBy(x => x.i)
            .Select(x => x.d.Item2).ToList();
        Assert.Equal(expected, received);
        Assert.NotEqual(created.Select(d => d.Item2), received);
        Assert.All(await _c.Deliveries(), d => Assert.Contains("reorder", WebhookKit.Faults(d!["attempts"]![0]!)));
    }

    [Fact]
    public async Task Delay_postpones_the_first_attempt_in_virtual_time()
    {
        await SetFaults(("delay_seconds", "30"));
        await _c.CreateCustomer();
        Assert.Equal(0, await _c.Flush());
        await _c.Advance(29);
        Assert.Equal(0, await _c.Flush());
        await _c.Advance(1);
        Assert.Equal(1, await _c.Flush());
        var d = await _c.OnlyDelivery();
        Assert.Equal(["delay"], WebhookKit.Faults(d["attempts"]![0]!));
        Assert.Equal(TestApp.StartTime + 30, (long)d["attempts"]![0]!["attempted_at"]!);
    }

    [Fact]
    public async Task Fail_first_fails_attempts_without_sending_them()
    {
        await SetFaults(("fail_first", "2"));
        await _c.CreateCustomer();
        await _c.Flush();
        await _c.Advance(300);
        await _c.Flush();
        Assert.Empty(_app.Receiver.All);
        await _c.Advance(1800);
        await _c.Flush();
        Assert.Single(_app.Receiver.All);
        var d = await _c.OnlyDelivery();
        Assert.Equal("succeeded", (string)d["status"]!);
        var attempts = d["attempts"]!.AsArray();
        Assert.Equal(["fail_first"], WebhookKit.Faults(attempts[0]!));
        Assert.Equal(["fail_first"], WebhookKit.Faults(attempts[1]!));
        Assert.Empty(WebhookKit.Faults(attempts[2]!));
    }

    [Fact]
    public async Task Drop_types_never_sends_those_events()
    {
        await SetFaults(("drop_types[]", "customer.created"));
        var cus = await _c.CreateCustomer();
        await (await _c.PostFormAsync($"/v1/customers/{cus}", ("name", "x"))).OkAsync();
        await _c.Flush();
        Assert.Equal("customer.updated", (string)Assert.Single(_app.Receiver.All).Json["type"]!);
        var dropped = Assert.Single(await _c.Deliveries("&status=dropped"));
        Assert.Equal(["drop_type"], WebhookKit.Faults(dropped!["attempts"]![0]!));
        Assert.Equal(0, await _c.PendingWebhooks((string)dropped["event"]!));
    }

    [Fact]
    public async Task Wrong_secret_signs_so_that_verification_fails()
    {
        await SetFaults(("wrong_secret", "true"));
        await _c.CreateCustomer();
        await _c.Flush();
        Assert.False(WebhookKit.Verifies(Assert.Single(_app.Receiver.All), _secret));
        Assert.Equal(["wrong_secret"], WebhookKit.Faults((await _c.OnlyDelivery())["attempts"]![0]!));
    }

    [Fact]
    public async Task A_rolled_secret_signs_beside_the_new_one_until_the_overlap_ends()
    {
        var roll = await (await _c.PostFormAsync($"/_mock/webhook_endpoints/{_we}/roll_secret", ("expires_in", "3600"))).OkAsync();
        var fresh = (string)roll["secret"]!;
        Assert.StartsWith("whsec_", fresh);
        Assert.NotEqual(_secret, fresh);
        Assert.DoesNotContain(_secret, roll.ToJsonString()); // former secrets are not shown again
        await _c.CreateCustomer("during");
        await _c.Flush();
        var during = Assert.Single(_app.Receiver.All);
        Assert.Equal(2, during.ParsedSignatures().V1s.Count);
        Assert.True(WebhookKit.Verifies(during, fresh));
        Assert.True(WebhookKit.Verifies(during, _secret));
        // An hour later on the merchant's clock the old secret no longer signs.
        await _c.Advance(3600);
        await _c.CreateCustomer("after");
        await _c.Flush();
        var after = _app.Receiver.All[^1];
        Assert.Single(after.ParsedSignatures().V1s);
        Assert.True(WebhookKit.Verifies(after, fresh));
        Assert.False(WebhookKit.Verifies(after, _secret));
        // No overlap: the previous secret stops at once; the overlap is bounded by 24 hours.
        var immediate = (string)(await (await _c.PostFormAsync($"/_mock/webhook_endpoints/{_we}/roll_secret")).OkAsync())["secret"]!;
        await _c.CreateCustomer("immediate");
        await _c.Flush();
        Assert.Equal([true, false], new[] { immediate, fresh }.Select(s => WebhookKit.Verifies(_app.Receiver.All[^1], s)));
        var tooLong = await (await _c.PostFormAsync($"/_mock/webhook_endpoints/{_we}/roll_secret", ("expires_in", "86401"))).ErrorAsync(400);
        Assert.Equal("expires_in", (string)tooLong["param"]!);
    }

    [Fact]
    public async Task Stale_timestamp_signs_ten_minutes_in_the_past()
    {
        await SetFaults(("stale_timestamp", "true"));
        await _c.CreateCustomer();
        await _c.Flush();
        var r = Assert.Single(_app.Receiver.All);
        Assert.True(WebhookKit.Verifies(r, _secret)); // correctly signed, but too old for the SDKs' 300 s tolerance
        var wallNow = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        Assert.InRange(r.ParsedSignature().T, wallNow - 605, wallNow - 595);
        Assert.Equal(["stale_timestamp"], WebhookKit.Faults((await _c.OnlyDelivery())["attempts"]![0]!));
    }
}
