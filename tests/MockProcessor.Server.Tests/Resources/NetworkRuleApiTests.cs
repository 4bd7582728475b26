using System.Text.Json.Nodes;
using MockProcessor.Server.Tests.Storage;

namespace MockProcessor.Server.Tests.Resources;

// Scripted network answers through the wire: each outcome kind on a PaymentIntent confirm, counters, matching on
// attempt number and metadata, timeouts settled by the merchant's clock, legacy charges, and the control API.
public class NetworkRuleApiTests : IAsyncLifetime
{
    private readonly TestApp _app = new();
    private HttpClient _c = null!;

    public Task InitializeAsync() { _c = _app.Client("sk_test_rules"); return Task.CompletedTask; }
    public async Task DisposeAsync() => await _app.DisposeAsync();

    private async Task<JsonObject> Rule(params (string, string)[] fields) =>
        await (await _c.PostFormAsync("/_mock/network_rules", fields)).OkAsync();

    private Task<HttpResponseMessage> Pay(long amount, string pm = "pm_card_visa", params (string, string)[] extra) =>
        _c.PostFormAsync("/v1/payment_intents", [("amount", amount.ToString()), ("currency", "usd"), ("confirm", "true"),
            ("payment_method", pm), ("allowed_payment_method_types[]", "card"), .. extra]);

    private async Task<JsonObject> Get(string url) => await (await _c.GetAsync(url)).OkAsync();

    private async Task<List<string>> EventTypes(int limit) =>
        (await Get($"/v1/events?limit={limit}"))["data"]!.AsArray().Select(e => (string)e!["type"]!).Reverse().ToList();

    private async Task<JsonObject> Advance(long seconds) =>
        await (await _c.PostFormAsync("/_mock/merchant_clock/advance", ("seconds", seconds.ToString()))).OkAsync();

    [Fact]
    public async Task A_decline_rule_declines_the_next_N_matching_attempts_then_the_card_decides_again()
    {
        var rule = await Rule(("match[amount_gte]", "5000"), ("outcome", "decline"), ("decline_code", "insufficient_funds"), ("remaining", "2"));
        Assert.StartsWith("rule_", (string)rule["id"]!);

        await (await Pay(4999)).OkAsync(); // below the threshold: not matched, not counted
        for (var i = 0; i < 2; i++)
        {
            var error = await (await Pay(5000)).ErrorAsync(402);
            Assert.Equal("card_declined", (string)error["code"]!);
            Assert.Equal("insufficient_funds", (string)error["decline_code"]!);
            Assert.Equal("Your card has insufficient funds.", (string)error["message"]!);
        }
        Assert.Equal("succeeded", (string)(await (await Pay(5000)).OkAsync())["status"]!);

        var listed = (await Get("/_mock/network_rules"))["data"]![0]!;
        Assert.Equal(2, (int)listed["fired"]!);
        Assert.Equal(0, (int)listed["remaining"]!);
        Assert.False((bool)listed["active"]!);
    }

    [Fact]
    public async Task A_known_decline_code_takes_its_error_code_and_an_unknown_one_card_declined()
    {
        await Rule(("match[amount]", "1111"), ("outcome", "decline"), ("decline_code", "expired_card"));
        await Rule(("match[amount]", "2222"), ("outcome", "decline"), ("decline_code", "do_not_honor"));
        var expired = await (await Pay(1111)).ErrorAsync(402);
        Assert.Equal("expired_card", (string)expired["code"]!);
        Assert.Equal("Your card has expired.", (string)expired["message"]!);
        var other = await (await Pay(2222)).ErrorAsync(402);
        Assert.Equal("card_declined", (string)other["code"]!);
        Assert.Equal("do_not_honor", (string)other["decline_code"]!);
    }

    [Fact]
    public async Task A_block_rule_is_radar_refusing_the_payment()
    {
        await Rule(("match[last4]", "4242"), ("outcome", "block"));
        var error = await (await Pay(3000, "pm_card_visa", ("expand[]", "latest_charge"))).ErrorAsync(402);
        Assert.Equal("fraudulent", (string)error["decline_code"]!);
        var charge = await Get($"/v1/charges/{error["charge"]}");
        Assert.Equal("blocked", (string)charge["outcome"]!["type"]!);
        Assert.Equal("failed", (string)charge["status"]!);
        // Other cards are unaffected.
        await (await Pay(3000, "pm_card_mastercard")).OkAsync();
    }

    [Fact]
    public async Task A_require_3ds_rule_asks_for_authentication_on_session_and_soft_declines_off_session()
    {
        await Rule(("match[brand]", "visa"), ("outcome", "require_3ds"));
        var onSession = await (await Pay(2000)).OkAsync();
        Assert.Equal("requires_action", (string)onSession["status"]!);
        // Passing the challenge satisfies the rule: the card (visa, approves) decides the attempt after it.
        var authenticated = await (await _c.PostFormAsync($"/_mock/payment_intents/{onSession["id"]}/authenticate", ("outcome", "complete"))).OkAsync();
        Assert.Equal("succeeded", (string)authenticated["status"]!);

        var cus = (string)(await (await _c.PostFormAsync("/v1/customers")).OkAsync())["id"]!;
        var offSession = await (await Pay(2000, "pm_card_visa", ("customer", cus), ("off_session", "true"))).ErrorAsync(402);
        Assert.Equal("authentication_required", (string)offSession["code"]!);
    }

    [Fact]
    public async Task An_approve_rule_lets_a_decline_card_succeed()
    {
        await Rule(("match[currency]", "USD"), ("outcome", "approve"));
        var pi = await (await Pay(2000, "pm_card_chargeDeclined", ("expand[]", "latest_charge"))).OkAsync();
        Assert.Equal("succeeded", (string)pi["status"]!);
        var network = await Get($"/_mock/charges/{pi["latest_charge"]!["id"]}/network");
        Assert.Equal((string)(await Get("/_mock/network_rules"))["data"]![0]!["id"]!, (string)network["network_rule"]!);
        Assert.Null(pi["latest_charge"]!["network_rule"]); // not part of Stripe's charge
    }

    [Fact]
    public async Task An_attempt_rule_declines_the_first_attempt_and_the_second_succeeds()
    {
        await Rule(("match[attempt]", "1"), ("outcome", "decline"), ("decline_code", "try_again_later"));
        var pi = (string)(await (await _c.PostFormAsync("/v1/payment_intents", ("amount", "1500"), ("currency", "usd"),
            ("allowed_payment_method_types[]", "card"))).OkAsync())["id"]!;
        await (await _c.PostFormAsync($"/v1/payment_intents/{pi}/confirm", ("payment_method", "pm_card_visa"))).ErrorAsync(402);
        var second = await (await _c.PostFormAsync($"/v1/payment_intents/{pi}/confirm", ("payment_method", "pm_card_visa"))).OkAsync();
        Assert.Equal("succeeded", (string)second["status"]!);
        Assert.Equal(1, (int)(await Get("/_mock/network_rules"))["data"]![0]!["fired"]!);
    }

    [Fact]
    public async Task A_metadata_rule_matches_only_payments_carrying_the_pair()
    {
        await Rule(("match[metadata][scenario]", "decline_me"), ("outcome", "decline"));
        var error = await (await Pay(1000, "pm_card_visa", ("metadata[scenario]", "decline_me"))).ErrorAsync(402);
        Assert.Equal("generic_decline", (string)error["decline_code"]!);
        await (await Pay(1000, "pm_card_visa", ("metadata[scenario]", "other"))).OkAsync();
        await (await Pay(1000)).OkAsync();
    }

    [Fact]
    public async Task A_timeout_leaves_the_payment_processing_until_the_network_answers_yes()
    {
        await Rule(("outcome", "timeout"), ("settle_after_seconds", "30"));
        var pi = await (await Pay(10000, "pm_card_visa", ("expand[]", "latest_charge"))).OkAsync();
        var id = (string)pi["id"]!;
        Assert.Equal("processing", (string)pi["status"]!);
        Assert.Equal("pending", (string)pi["latest_charge"]!["status"]!);
        Assert.Null(pi["latest_charge"]!["balance_transaction"]);
        Assert.Equal(["payment_intent.created", "charge.pending", "payment_intent.processing"], await EventTypes(3));
        foreach (var action in new[] { "confirm", "capture", "cancel" })
            Assert.Equal("payment_intent_unexpected_state",
                (string)(await (await _c.PostFormAsync($"/v1/payment_intents/{id}/{action}")).ErrorAsync(400))["code"]!);
        var network = await Get($"/_mock/charges/{pi["latest_charge"]!["id"]}/network");
        Assert.Equal(TestApp.StartTime + 30, (long)network["pending_settlement"]!["settle_at"]!);

        Assert.Equal(0, (int)(await Advance(29))["fired"]!);
        Assert.Equal(1, (int)(await Advance(1))["fired"]!);
        var after = await Get($"/v1/payment_intents/{id}?expand[]=latest_charge");
        Assert.Equal("succeeded", (string)after["status"]!);
        Assert.Equal("succeeded", (string)after["latest_charge"]!["status"]!);
        Assert.Equal(["charge.succeeded", "payment_intent.succeeded"], (await EventTypes(2)));
        await AssertLedgerAddsUp(expectedNet: 10000 - (long)(await Get($"/v1/balance_transactions/{after["latest_charge"]!["balance_transaction"]}"))["fee"]!);
    }

    [Fact]
    public async Task A_timeout_that_settles_as_a_decline_sends_the_payment_back_for_another_method()
    {
        await Rule(("outcome", "timeout"), ("settle_after_seconds", "60"), ("settle_outcome", "decline"), ("decline_code", "do_not_honor"),
            ("remaining", "1"));
        var id = (string)(await (await Pay(2500)).OkAsync())["id"]!;
        Assert.Equal(1, (int)(await Advance(3600))["fired"]!);
        var after = await Get($"/v1/payment_intents/{id}?expand[]=latest_charge");
        Assert.Equal("requires_payment_method", (string)after["status"]!);
        Assert.Equal("do_not_honor", (string)after["last_payment_error"]!["decline_code"]!);
        Assert.Equal("failed", (string)after["latest_charge"]!["status"]!);
        var events = await Get("/v1/events?limit=2");
        Assert.Equal(["charge.failed", "payment_intent.payment_failed"], await EventTypes(2));
        Assert.All(events["data"]!.AsArray(), e => Assert.Equal(TestApp.StartTime + 60, (long)e!["created"]!));
        await AssertLedgerAddsUp(expectedNet: 0);
        // The rule fired once; the card decides the next attempt.
        Assert.Equal("succeeded", (string)(await (await _c.PostFormAsync($"/v1/payment_intents/{id}/confirm",
            ("payment_method", "pm_card_visa"))).OkAsync())["status"]!);
    }

    [Fact]
    public async Task A_timed_out_manual_capture_payment_settles_to_requires_capture()
    {
        await Rule(("outcome", "timeout"), ("settle_after_seconds", "10"), ("remaining", "1"));
        var id = (string)(await (await Pay(2000, "pm_card_visa", ("capture_method", "manual"))).OkAsync())["id"]!;
        await Advance(10);
        var after = await Get($"/v1/payment_intents/{id}");
        Assert.Equal("requires_capture", (string)after["status"]!);
        Assert.Equal(["charge.succeeded", "payment_intent.amount_capturable_updated"], await EventTypes(2));
        Assert.Equal("succeeded", (string)(await (await _c.PostFormAsync($"/v1/payment_intents/{id}/capture")).OkAsync())["status"]!);
    }

    [Fact]
    public async Task Legacy_charges_follow_the_rules_too()
    {
        var rule = await Rule(("match[amount]", "700"), ("outcome", "decline"), ("decline_code", "lost_card"));
        var error = await (await _c.PostFormAsync("/v1/charges", ("amount", "700"), ("currency", "usd"), ("source", "tok_visa"))).ErrorAsync(402);
        Assert.Equal("lost_card", (string)error["decline_code"]!);
        Assert.Equal((string)rule["id"]!, (string)(await Get($"/_mock/charges/{error["charge"]}/network"))["network_rule"]!);

        await Rule(("match[amount]", "800"), ("outcome", "timeout"), ("settle_after_seconds", "5"));
        var pending = await (await _c.PostFormAsync("/v1/charges", ("amount", "800"), ("currency", "usd"), ("source", "tok_visa"))).OkAsync();
        Assert.Equal("pending", (string)pending["status"]!);
        Assert.Equal("charge.pending", (await EventTypes(1))[0]);
        await Advance(5);
        var settled = await Get($"/v1/charges/{pending["id"]}");
        Assert.Equal("succeeded", (string)settled["status"]!);
        Assert.True((bool)settled["captured"]!);
        Assert.Null((await Get($"/_mock/charges/{pending["id"]}/network"))["pending_settlement"]);
    }

    [Fact]
    public async Task Rules_are_deleted_one_by_one_or_all_at_once_and_bad_ones_refused()
    {
        var a = await Rule(("outcome", "decline"));
        await Rule(("outcome", "approve"));
        await (await _c.DeleteAsync($"/_mock/network_rules/{a["id"]}")).OkAsync();
        await (await _c.DeleteAsync($"/_mock/network_rules/{a["id"]}")).ErrorAsync(404);
        Assert.Single((await Get("/_mock/network_rules"))["data"]!.AsArray());
        Assert.Equal(1, (int)(await (await _c.DeleteAsync("/_mock/network_rules")).OkAsync())["deleted"]!);
        Assert.Empty((await Get("/_mock/network_rules"))["data"]!.AsArray());

        var wrong = await (await _c.PostFormAsync("/_mock/network_rules", ("outcome", "approve"), ("decline_code", "x"))).ErrorAsync(400);
        Assert.Equal("decline_code", (string)wrong["param"]!);
        await (await _c.PostFormAsync("/_mock/network_rules", ("outcome", "explode"))).ErrorAsync(400);
        await (await _c.PostFormAsync("/_mock/network_rules", ("match[colour]", "red"), ("outcome", "decline"))).ErrorAsync(400);
        // Another merchant's rules are its own.
        Assert.Empty((await (await _app.Client("sk_test_other").GetAsync("/_mock/network_rules")).OkAsync())["data"]!.AsArray());
    }

    [Fact]
    public async Task Rules_and_a_pending_settlement_survive_a_restart()
    {
        using var file = new TempSqliteDb("rules");
        var db = file.Path;
        string piId;
        await using (var app = new TestApp(o => { o.InMemory = false; o.Database = db; }))
        {
            var c = app.Client("sk_test_rules_durable");
            await (await c.PostFormAsync("/_mock/network_rules", ("match[metadata][k]", "v"), ("outcome", "timeout"),
                ("settle_after_seconds", "20"), ("settle_outcome", "decline"), ("decline_code", "do_not_honor"), ("remaining", "3"))).OkAsync();
            piId = (string)(await (await c.PostFormAsync("/v1/payment_intents", ("amount", "900"), ("currency", "usd"), ("confirm", "true"),
                ("payment_method", "pm_card_visa"), ("allowed_payment_method_types[]", "card"), ("metadata[k]", "v"))).OkAsync())["id"]!;
        }
        await using (var app = new TestApp(o => { o.InMemory = false; o.Database = db; }))
        {
            var c = app.Client("sk_test_rules_durable");
            var rule = (await (await c.GetAsync("/_mock/network_rules")).OkAsync())["data"]![0]!;
            Assert.Equal((1, 2, "v"), ((int)rule["fired"]!, (int)rule["remaining"]!, (string)rule["match"]!["metadata"]!["k"]!));
            Assert.Equal(1, (int)(await (await c.PostFormAsync("/_mock/merchant_clock/advance", ("seconds", "20"))).OkAsync())["fired"]!);
            var pi = await (await c.GetAsync($"/v1/payment_intents/{piId}")).OkAsync();
            Assert.Equal("do_not_honor", (string)pi["last_payment_error"]!["decline_code"]!);
        }
    }

    private async Task AssertLedgerAddsUp(long expectedNet)
    {
        var balance = await Get("/v1/balance");
        long Sum(string k) => balance[k]!.AsArray().Sum(x => (long)x!["amount"]!);
        var nets = (await Get("/v1/balance_transactions?limit=100"))["data"]!.AsArray().Sum(t => (long)t!["net"]!);
        Assert.Equal(nets, Sum("available") + Sum("pending"));
        Assert.Equal(expectedNet, nets);
    }
}
