using System.Text.Json.Nodes;

namespace MockProcessor.Server.Tests.Resources;

/// <summary>Stripe's test clocks (STRIPE_BEHAVIOR.md §20.1, docs/time.md): the resource and customers bound to one.</summary>
public class TestClockApiTests : IAsyncLifetime
{
    private const long Day = 86_400;
    private readonly TestApp _app = new();
    private HttpClient _c = null!;

    public Task InitializeAsync() { _c = _app.Client("sk_test_clocks"); return Task.CompletedTask; }
    public async Task DisposeAsync() => await _app.DisposeAsync();

    private async Task<List<string>> EventTypes(string prefix = "test_helpers.test_clock")
    {
        var events = await (await _c.GetAsync("/v1/events?limit=100")).OkAsync();
        return events["data"]!.AsArray().Select(e => (string)e!["type"]!).Where(t => t.StartsWith(prefix)).Reverse().ToList();
    }

    private async Task<JsonObject> Customer(string? clock = null) =>
        await (await _c.PostFormAsync("/v1/customers", clock is null ? [("email", "a@example.com")] : [("email", "a@example.com"), ("test_clock", clock)])).OkAsync();

    private async Task<List<string>> CustomerIds(string query = "") =>
        (await (await _c.GetAsync("/v1/customers" + query)).OkAsync())["data"]!.AsArray().Select(x => (string)x!["id"]!).ToList();

    [Fact]
    public async Task Create_retrieve_and_list_render_stripes_shape()
    {
        var clock = await _c.CreateTestClockAsync(1_577_836_800, "monthly renewals");
        var id = (string)clock["id"]!;
        Assert.Matches("^clock_[A-Za-z0-9]{24}$", id);
        Assert.Equal("test_helpers.test_clock", (string)clock["object"]!);
        Assert.Equal(1_577_836_800, (long)clock["frozen_time"]!);
        Assert.Equal("monthly renewals", (string)clock["name"]!);
        Assert.Equal("ready", (string)clock["status"]!);
        Assert.Equal(TestApp.StartTime, (long)clock["created"]!);
        Assert.Equal(TestApp.StartTime + 7 * Day, (long)clock["deletes_after"]!);
        Assert.Equal("{}", clock["status_details"]!.ToJsonString());

        Assert.Equal(clock.ToJsonString(), (await (await _c.GetAsync($"/v1/test_helpers/test_clocks/{id}")).OkAsync()).ToJsonString());
        var second = await _c.CreateTestClockAsync(TestApp.StartTime);
        Assert.Null(second["name"]);
        var list = await (await _c.GetAsync("/v1/test_helpers/test_clocks")).OkAsync();
        Assert.Equal("/v1/test_helpers/test_clocks", (string)list["url"]!);
        Assert.Equal([(string)second["id"]!, id], list["data"]!.AsArray().Select(x => (string)x!["id"]!));
        Assert.Equal(["test_helpers.test_clock.created", "test_helpers.test_clock.created"], await EventTypes());
    }

    [Fact]
    public async Task Frozen_time_is_required_and_an_unknown_clock_is_404()
    {
        var missing = await (await _c.PostFormAsync("/v1/test_helpers/test_clocks", ("name", "x"))).ErrorAsync(400);
        Assert.Equal("frozen_time", (string)missing["param"]!);
        var unknown = await (await _c.GetAsync("/v1/test_helpers/test_clocks/clock_nope")).ErrorAsync(404);
        Assert.Equal("resource_missing", (string)unknown["code"]!);
    }

    [Fact]
    public async Task Advance_moves_frozen_time_answers_ready_and_emits_advancing_then_ready()
    {
        var clock = await _c.CreateTestClockAsync(TestApp.StartTime);
        var advanced = await _c.AdvanceTestClockAsync(clock, 3 * Day);
        Assert.Equal(TestApp.StartTime + 3 * Day, (long)advanced["frozen_time"]!);
        Assert.Equal("ready", (string)advanced["status"]!);
        Assert.Equal(["test_helpers.test_clock.created", "test_helpers.test_clock.advancing", "test_helpers.test_clock.ready"], await EventTypes());
        // The merchant's own clock did not move.
        Assert.Equal(TestApp.StartTime, (long)(await (await _c.GetAsync("/_mock/merchant_clock")).OkAsync())["now"]!);
    }

    [Fact]
    public async Task Advance_backwards_or_more_than_two_years_is_a_400_on_frozen_time()
    {
        var clock = await _c.CreateTestClockAsync(TestApp.StartTime);
        var id = (string)clock["id"]!;
        foreach (var to in new[] { TestApp.StartTime - 1, TestApp.StartTime, TestApp.StartTime + 3 * 366 * Day })
        {
            var err = await (await _c.PostFormAsync($"/v1/test_helpers/test_clocks/{id}/advance", ("frozen_time", to.ToString()))).ErrorAsync(400);
            Assert.Equal("frozen_time", (string)err["param"]!);
        }
        Assert.Equal(TestApp.StartTime, (long)(await (await _c.GetAsync($"/v1/test_helpers/test_clocks/{id}")).OkAsync())["frozen_time"]!);
        Assert.Equal(["test_helpers.test_clock.created"], await EventTypes());
    }

    [Fact]
    public async Task A_customer_bound_to_a_clock_is_listed_only_with_test_clock()
    {
        var clock = await _c.CreateTestClockAsync(TestApp.StartTime);
        var clockId = (string)clock["id"]!;
        var plain = (string)(await Customer())["id"]!;
        var bound = await Customer(clockId);
        Assert.Equal(clockId, (string)bound["test_clock"]!);
        Assert.Null((await (await _c.GetAsync($"/v1/customers/{plain}")).OkAsync())["test_clock"]);

        Assert.Equal([plain], await CustomerIds());
        Assert.Equal([(string)bound["id"]!], await CustomerIds($"?test_clock={clockId}"));
        var other = (string)(await _c.CreateTestClockAsync(TestApp.StartTime))["id"]!;
        Assert.Empty(await CustomerIds($"?test_clock={other}"));
    }

    [Fact]
    public async Task A_customer_on_an_unknown_or_deleted_clock_is_a_404_on_test_clock()
    {
        var err = await (await _c.PostFormAsync("/v1/customers", ("test_clock", "clock_nope"))).ErrorAsync(404);
        Assert.Equal("test_clock", (string)err["param"]!);
        var clock = (string)(await _c.CreateTestClockAsync(TestApp.StartTime))["id"]!;
        await (await _c.DeleteAsync($"/v1/test_helpers/test_clocks/{clock}")).OkAsync();
        err = await (await _c.PostFormAsync("/v1/customers", ("test_clock", clock))).ErrorAsync(404);
        Assert.Equal("test_clock", (string)err["param"]!);
    }

    [Fact]
    public async Task Deleting_a_clock_deletes_it_and_its_customers()
    {
        var clock = (string)(await _c.CreateTestClockAsync(TestApp.StartTime))["id"]!;
        var bound = (string)(await Customer(clock))["id"]!;
        var plain = (string)(await Customer())["id"]!;

        var deleted = await (await _c.DeleteAsync($"/v1/test_helpers/test_clocks/{clock}")).OkAsync();
        Assert.Equal($$"""{"id":"{{clock}}","object":"test_helpers.test_clock","deleted":true}""", deleted.ToJsonString());
        await (await _c.GetAsync($"/v1/test_helpers/test_clocks/{clock}")).ErrorAsync(404);
        Assert.Empty((await (await _c.GetAsync("/v1/test_helpers/test_clocks")).OkAsync())["data"]!.AsArray());
        Assert.True((bool)(await (await _c.GetAsync($"/v1/customers/{bound}")).OkAsync())["deleted"]!);
        Assert.Null((await (await _c.GetAsync($"/v1/customers/{plain}")).OkAsync())["deleted"]);
        Assert.Empty(await CustomerIds($"?test_clock={clock}"));

        var events = (await (await _c.GetAsync("/v1/events?limit=2")).OkAsync())["data"]!.AsArray();
        Assert.Equal(["test_helpers.test_clock.deleted", "customer.deleted"], events.Select(e => (string)e!["type"]!));
        Assert.Equal(bound, (string)events[1]!["data"]!["object"]!["id"]!);
    }
}
