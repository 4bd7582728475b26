using System.Text.Json.Nodes;
using MockProcessor.Server.Tests.Storage;

namespace MockProcessor.Server.Tests.Resources;

/// <summary>
/// Time-driven work of a test-clock customer's objects runs on that clock (docs/time.md): the clock's advances fire
/// it, the merchant's clock and other clocks do not; a normal customer's work stays on the merchant's clock.
/// </summary>
public class TestClockTimeTests : IAsyncLifetime
{
    private const long Day = 86_400;
    private readonly TestApp _app = new();
    private HttpClient _c = null!;

    public Task InitializeAsync() { _c = _app.Client("sk_test_clock_time"); return Task.CompletedTask; }
    public async Task DisposeAsync() => await _app.DisposeAsync();

    private static async Task<string> HeldPayment(HttpClient c, string? clock)
    {
        var form = new List<(string, string)> { ("email", "held@example.com") };
        if (clock is not null) form.Add(("test_clock", clock));
        var cus = (string)(await (await c.PostFormAsync("/v1/customers", [.. form])).OkAsync())["id"]!;
        var pi = await (await c.PostFormAsync("/v1/payment_intents", ("amount", "2000"), ("currency", "usd"), ("customer", cus),
            ("confirm", "true"), ("payment_method", "pm_card_visa"), ("allowed_payment_method_types[]", "card"), ("capture_method", "manual"))).OkAsync();
        Assert.Equal("requires_capture", (string)pi["status"]!);
        return (string)pi["id"]!;
    }

    private static async Task<string> Status(HttpClient c, string pi) =>
        (string)(await (await c.GetAsync($"/v1/payment_intents/{pi}")).OkAsync())["status"]!;

    private static async Task AdvanceMerchant(HttpClient c, long seconds) =>
        await (await c.PostFormAsync("/_mock/merchant_clock/advance", ("seconds", seconds.ToString()))).OkAsync();

    [Fact]
    public async Task A_clock_customers_authorization_expires_when_its_clock_passes_seven_days()
    {
        var clock = await _c.CreateTestClockAsync(TestApp.StartTime);
        var other = await _c.CreateTestClockAsync(TestApp.StartTime);
        var pi = await HeldPayment(_c, (string)clock["id"]!);

        await _c.AdvanceTestClockAsync(other, 8 * Day);
        Assert.Equal("requires_capture", await Status(_c, pi));
        await _c.AdvanceTestClockAsync(clock, 6 * Day);
        Assert.Equal("requires_capture", await Status(_c, pi));

        await _c.AdvanceTestClockAsync(clock, 2 * Day);
        var canceled = await (await _c.GetAsync($"/v1/payment_intents/{pi}")).OkAsync();
        Assert.Equal("canceled", (string)canceled["status"]!);
        Assert.Equal("automatic", (string)canceled["cancellation_reason"]!);
        // The expiry ran inside the advance, between its .advancing and .ready events, at its own due time.
        var events = (await (await _c.GetAsync("/v1/events?limit=100")).OkAsync())["data"]!.AsArray();
        var expired = events.Single(e => (string)e!["type"]! == "charge.expired")!;
        Assert.Equal(TestApp.StartTime + 7 * Day, (long)expired["created"]!);
        Assert.Equal(TestApp.StartTime, (long)(await (await _c.GetAsync("/_mock/merchant_clock")).OkAsync())["now"]!);
    }

    [Fact]
    public async Task The_merchants_clock_fires_only_normal_customers_work_and_a_test_clock_only_its_own()
    {
        var clock = await _c.CreateTestClockAsync(TestApp.StartTime);
        var onClock = await HeldPayment(_c, (string)clock["id"]!);
        var normal = await HeldPayment(_c, null);

        await AdvanceMerchant(_c, 8 * Day);
        Assert.Equal("canceled", await Status(_c, normal));
        Assert.Equal("requires_capture", await Status(_c, onClock));

        var normalLater = await HeldPayment(_c, null);
        await _c.AdvanceTestClockAsync(clock, 8 * Day);
        Assert.Equal("canceled", await Status(_c, onClock));
        Assert.Equal("requires_capture", await Status(_c, normalLater));
    }

    [Fact]
    public async Task Another_merchants_clock_with_the_same_work_is_not_fired()
    {
        var other = _app.Client("sk_test_clock_time_other");
        var otherClock = await other.CreateTestClockAsync(TestApp.StartTime);
        var pi = await HeldPayment(other, (string)otherClock["id"]!);
        var mine = await _c.CreateTestClockAsync(TestApp.StartTime);
        await _c.AdvanceTestClockAsync(mine, 8 * Day);
        Assert.Equal("requires_capture", await Status(other, pi));
        // A merchant cannot see (or advance) another merchant's clock.
        await (await _c.GetAsync($"/v1/test_helpers/test_clocks/{otherClock["id"]}")).ErrorAsync(404);
    }

    [Fact]
    public async Task A_clocks_pending_work_survives_a_restart_on_its_own_queue()
    {
        using var file = new TempSqliteDb("clock");
        var db = file.Path;
        string pi;
        JsonObject clock;
        await using (var app = new TestApp(o => { o.InMemory = false; o.Database = db; }))
        {
            var c = app.Client("sk_test_clock_restart");
            clock = await c.CreateTestClockAsync(TestApp.StartTime);
            pi = await HeldPayment(c, (string)clock["id"]!);
        }
        await using (var app = new TestApp(o => { o.InMemory = false; o.Database = db; }))
        {
            var c = app.Client("sk_test_clock_restart");
            await AdvanceMerchant(c, 8 * Day);
            Assert.Equal("requires_capture", await Status(c, pi));
            await c.AdvanceTestClockAsync(clock, 1);
            Assert.Equal("canceled", await Status(c, pi));
        }
    }
}
