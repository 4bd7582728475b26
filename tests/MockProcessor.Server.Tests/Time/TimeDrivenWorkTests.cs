using System.Text.Json.Nodes;
using MockProcessor.Server.Tests.Storage;
using MockProcessor.Server.Time;

namespace MockProcessor.Server.Tests.Time;

public class TimeDrivenWorkTests : IAsyncLifetime
{
    private readonly TestApp _app = new();
    private HttpClient _c = null!;
    private const long Day = 86_400;

    public Task InitializeAsync() { _c = _app.Client("sk_test_time"); return Task.CompletedTask; }
    public async Task DisposeAsync() => await _app.DisposeAsync();

    private async Task<JsonObject> Advance(HttpClient client, long seconds) =>
        await (await client.PostFormAsync("/_mock/merchant_clock/advance", ("seconds", seconds.ToString()))).OkAsync();

    private async Task<JsonObject> ManualPi(HttpClient client) =>
        await (await client.PostFormAsync("/v1/payment_intents", ("amount", "2000"), ("currency", "usd"), ("confirm", "true"),
            ("payment_method", "pm_card_visa"), ("allowed_payment_method_types[]", "card"), ("capture_method", "manual"), ("expand[]", "latest_charge"))).OkAsync();

    [Fact]
    public async Task An_uncaptured_authorization_expires_after_7_days_at_its_capture_before()
    {
        var pi = await ManualPi(_c);
        var captureBefore = (long)pi["latest_charge"]!["payment_method_details"]!["card"]!["capture_before"]!;
        Assert.Equal(TestApp.StartTime + 7 * Day, captureBefore);

        var early = await Advance(_c, 7 * Day - 1);
        Assert.Equal(0, (int)early["fired"]!);
        Assert.Equal("requires_capture", (string)(await (await _c.GetAsync($"/v1/payment_intents/{pi["id"]}")).OkAsync())["status"]!);

        var late = await Advance(_c, 2 * Day);
        Assert.Equal(1, (int)late["fired"]!);
        Assert.Equal(TestApp.StartTime + 9 * Day - 1, (long)late["now"]!);
        var after = await (await _c.GetAsync($"/v1/payment_intents/{pi["id"]}?expand[]=latest_charge")).OkAsync();
        Assert.Equal("canceled", (string)after["status"]!);
        Assert.Equal("automatic", (string)after["cancellation_reason"]!);
        Assert.Equal(captureBefore, (long)after["canceled_at"]!);
        Assert.True((bool)after["latest_charge"]!["refunded"]!);

        var events = (await (await _c.GetAsync("/v1/events?limit=2")).OkAsync())["data"]!.AsArray();
        Assert.Equal(["payment_intent.canceled", "charge.expired"], events.Select(e => (string)e!["type"]!));
        Assert.All(events, e => Assert.Equal(captureBefore, (long)e!["created"]!));
        Assert.All(events, e => Assert.Null(e!["request"]!["id"]));
        var capture = await (await _c.PostFormAsync($"/v1/payment_intents/{pi["id"]}/capture")).ErrorAsync(400);
        Assert.Equal("payment_intent_unexpected_state", (string)capture["code"]!);
    }

    [Fact]
    public async Task A_captured_payment_has_nothing_to_expire()
    {
        // Manual payouts, so the only time-driven work there could be is the (absent) authorization expiry.
        await (await _c.PostFormAsync("/_mock/payouts/settings", ("schedule[interval]", "manual"))).OkAsync();
        var pi = await ManualPi(_c);
        await (await _c.PostFormAsync($"/v1/payment_intents/{pi["id"]}/capture")).OkAsync();
        Assert.Equal(0, (int)(await Advance(_c, 30 * Day))["fired"]!);
        Assert.Equal("succeeded", (string)(await (await _c.GetAsync($"/v1/payment_intents/{pi["id"]}")).OkAsync())["status"]!);
    }

    [Fact]
    public async Task A_legacy_uncaptured_charge_expires_and_is_released()
    {
        var ch = await (await _c.PostFormAsync("/v1/charges", ("amount", "3000"), ("currency", "usd"), ("source", "tok_visa"), ("capture", "false"))).OkAsync();
        Assert.Equal(1, (int)(await Advance(_c, 8 * Day))["fired"]!);
        var after = await (await _c.GetAsync($"/v1/charges/{ch["id"]}")).OkAsync();
        Assert.True((bool)after["refunded"]!);
        Assert.Equal(3000, (long)after["amount_refunded"]!);
        Assert.Equal("charge.expired", (string)(await (await _c.GetAsync("/v1/events?limit=1")).OkAsync())["data"]![0]!["type"]!);
    }

    [Fact]
    public async Task Pending_and_failing_refund_cards_change_a_minute_later_and_the_ledger_adds_up()
    {
        var pending = await (await _c.PostFormAsync("/v1/charges", ("amount", "5000"), ("currency", "usd"), ("source", "tok_pendingRefund"))).OkAsync();
        var failing = await (await _c.PostFormAsync("/v1/charges", ("amount", "4000"), ("currency", "usd"), ("source", "tok_refundFail"))).OkAsync();
        var r1 = await (await _c.PostFormAsync("/v1/refunds", ("charge", (string)pending["id"]!))).OkAsync();
        var r2 = await (await _c.PostFormAsync("/v1/refunds", ("charge", (string)failing["id"]!))).OkAsync();
        Assert.Equal("pending", (string)r1["status"]!);
        Assert.Equal("succeeded", (string)r2["status"]!);

        Assert.Equal(2, (int)(await Advance(_c, 60))["fired"]!);
        Assert.Equal("succeeded", (string)(await (await _c.GetAsync($"/v1/refunds/{r1["id"]}")).OkAsync())["status"]!);
        var failed = await (await _c.GetAsync($"/v1/refunds/{r2["id"]}")).OkAsync();
        Assert.Equal("failed", (string)failed["status"]!);
        Assert.StartsWith("txn_", (string)failed["failure_balance_transaction"]!);
        var types = (await (await _c.GetAsync("/v1/events?limit=100")).OkAsync())["data"]!.AsArray().Select(e => (string)e!["type"]!).ToList();
        Assert.Contains("refund.failed", types);
        Assert.Contains("refund.updated", types);

        var balance = await (await _c.GetAsync("/v1/balance")).OkAsync();
        long Sum(string k) => balance[k]!.AsArray().Sum(x => (long)x!["amount"]!);
        var nets = (await (await _c.GetAsync("/v1/balance_transactions?limit=100")).OkAsync())["data"]!.AsArray().Sum(t => (long)t!["net"]!);
        Assert.Equal(nets, Sum("available") + Sum("pending"));
    }

    [Fact]
    public async Task Merchant_clocks_are_independent_and_can_freeze_and_resume()
    {
        var other = _app.Client("sk_test_time_other");
        var otherPi = await ManualPi(other);
        await ManualPi(_c);
        var moved = await Advance(_c, 10 * Day);
        Assert.Equal(1, (int)moved["fired"]!);
        var otherClock = await (await other.GetAsync("/_mock/merchant_clock")).OkAsync();
        Assert.Equal(TestApp.StartTime, (long)otherClock["now"]!);
        Assert.Equal("requires_capture", (string)(await (await other.GetAsync($"/v1/payment_intents/{otherPi["id"]}")).OkAsync())["status"]!);

        // New objects take the merchant's time.
        var cus = await (await _c.PostFormAsync("/v1/customers")).OkAsync();
        Assert.Equal(TestApp.StartTime + 10 * Day, (long)cus["created"]!);

        var to = await (await _c.PostFormAsync("/_mock/merchant_clock/advance", ("to", (TestApp.StartTime + 11 * Day).ToString()))).OkAsync();
        Assert.Equal(TestApp.StartTime + 11 * Day, (long)to["now"]!);
        var back = await (await _c.PostFormAsync("/_mock/merchant_clock/advance", ("to", TestApp.StartTime.ToString()))).ErrorAsync(400);
        Assert.Equal("to", (string)back["param"]!);
        Assert.True((bool)(await (await _c.PostFormAsync("/_mock/merchant_clock/freeze")).OkAsync())["frozen"]!);
        Assert.False((bool)(await (await _c.PostFormAsync("/_mock/merchant_clock/resume")).OkAsync())["frozen"]!);
        Assert.Equal(TestApp.StartTime + 11 * Day, (long)(await (await _c.GetAsync("/_mock/merchant_clock")).OkAsync())["now"]!);
    }

    [Fact]
    public async Task A_merchant_without_objects_may_start_its_clock_in_the_past_but_not_once_it_has_some()
    {
        var c = _app.Client("sk_test_rewind");
        var week = TestApp.StartTime - 7 * Day;
        var rewound = await (await c.PostFormAsync("/_mock/merchant_clock/advance", ("to", week.ToString()))).OkAsync();
        Assert.Equal((week, -7 * Day), ((long)rewound["now"]!, (long)rewound["offset"]!));
        var customer = await (await c.PostFormAsync("/v1/customers", ("email", "old@example.com"))).OkAsync();
        Assert.Equal(week, (long)customer["created"]!);

        var refused = await (await c.PostFormAsync("/_mock/merchant_clock/advance", ("to", (week - 1).ToString()))).ErrorAsync(400);
        Assert.Equal("to", (string)refused["param"]!);
        // seconds never go backwards, and the other merchants keep the emulator's time.
        Assert.Equal(TestApp.StartTime, (long)(await (await _c.GetAsync("/_mock/merchant_clock")).OkAsync())["now"]!);
    }

    [Fact]
    public async Task Advancing_the_emulator_clock_fires_every_merchants_work()
    {
        var other = _app.Client("sk_test_time_global");
        var a = await ManualPi(_c);
        var b = await ManualPi(other);
        var res = await (await _app.Client("").PostAsync($"/_mock/clock/advance?seconds={8 * Day}", null)).OkAsync();
        Assert.Equal(2, (int)res["fired"]!);
        Assert.Equal("canceled", (string)(await (await _c.GetAsync($"/v1/payment_intents/{a["id"]}")).OkAsync())["status"]!);
        Assert.Equal("canceled", (string)(await (await other.GetAsync($"/v1/payment_intents/{b["id"]}")).OkAsync())["status"]!);
    }
}

public class TimeDrivenWorkDurabilityTests
{
    [Fact]
    public async Task Pending_work_survives_a_restart()
    {
        using var file = new TempSqliteDb("time");
        var db = file.Path;
        string piId;
        await using (var app = new TestApp(o => { o.InMemory = false; o.Database = db; }))
        {
            var pi = await (await app.Client("sk_test_time_restart").PostFormAsync("/v1/payment_intents", ("amount", "2000"), ("currency", "usd"),
                ("confirm", "true"), ("payment_method", "pm_card_visa"), ("allowed_payment_method_types[]", "card"), ("capture_method", "manual"))).OkAsync();
            piId = (string)pi["id"]!;
        }
        await using (var app = new TestApp(o => { o.InMemory = false; o.Database = db; }))
        {
            var c = app.Client("sk_test_time_restart");
            var res = await (await c.PostFormAsync("/_mock/merchant_clock/advance", ("seconds", (8 * 86_400).ToString()))).OkAsync();
            Assert.Equal(1, (int)res["fired"]!);
            Assert.Equal("canceled", (string)(await (await c.GetAsync($"/v1/payment_intents/{piId}")).OkAsync())["status"]!);
        }
    }
}

public class DisputeDeadlineTests : IAsyncLifetime
{
    private readonly TestApp _app = new();
    public Task InitializeAsync() => Task.CompletedTask;
    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task An_unanswered_dispute_is_lost_after_its_due_by_and_an_answered_one_is_not()
    {
        var c = _app.Client("sk_test_dispute_deadline");
        // Manual payouts: "fired" below then counts dispute deadlines only, not the daily payouts of the charges.
        await (await c.PostFormAsync("/_mock/payouts/settings", ("schedule[interval]", "manual"))).OkAsync();
        await (await c.PostFormAsync("/v1/charges", ("amount", "5000"), ("currency", "usd"), ("source", "tok_createDispute"))).OkAsync();
        await (await c.PostFormAsync("/v1/charges", ("amount", "6000"), ("currency", "usd"), ("source", "tok_createDispute"))).OkAsync();
        var disputes = (await (await c.GetAsync("/v1/disputes")).OkAsync())["data"]!.AsArray();
        Assert.Equal(2, disputes.Count);
        var answered = (string)disputes[0]!["id"]!;
        var silent = (string)disputes[1]!["id"]!;
        var dueBy = (long)disputes[1]!["evidence_details"]!["due_by"]!;
        await (await c.PostFormAsync($"/v1/disputes/{answered}", ("evidence[product_description]", "a mug"), ("submit", "true"))).OkAsync();

        var clock = await (await c.GetAsync("/_mock/merchant_clock")).OkAsync();
        var justBefore = await (await c.PostFormAsync("/_mock/merchant_clock/advance", ("to", dueBy.ToString()))).OkAsync();
        Assert.Equal(0, (int)justBefore["fired"]!);
        Assert.True((long)clock["now"]! < dueBy);
        var after = await (await c.PostFormAsync("/_mock/merchant_clock/advance", ("seconds", "1"))).OkAsync();
        Assert.Equal(1, (int)after["fired"]!);
        Assert.Equal("lost", (string)(await (await c.GetAsync($"/v1/disputes/{silent}")).OkAsync())["status"]!);
        Assert.Equal("under_review", (string)(await (await c.GetAsync($"/v1/disputes/{answered}")).OkAsync())["status"]!);
        Assert.Equal("charge.dispute.closed", (string)(await (await c.GetAsync("/v1/events?limit=1")).OkAsync())["data"]![0]!["type"]!);
    }
}
