using System.Text.Json.Nodes;
using MockProcessor.Server.Time;

namespace MockProcessor.Server.Tests.Resources;

public class ChargeApiTests : IAsyncLifetime
{
    private readonly TestApp _app = new();
    private HttpClient _c = null!;

    public Task InitializeAsync() { _c = _app.Client("sk_test_charges"); return Task.CompletedTask; }
    public async Task DisposeAsync() => await _app.DisposeAsync();

    private async Task<JsonObject> Charge(long amount, string source = "tok_visa", params (string, string)[] extra) =>
        await (await _c.PostFormAsync("/v1/charges",
            [("amount", amount.ToString()), ("currency", "usd"), ("source", source), .. extra])).OkAsync();

    private async Task<JsonObject> Get(string url) => await (await _c.GetAsync(url)).OkAsync();

    [Fact]
    public async Task Legacy_charge_with_tok_visa_books_a_transaction_with_the_card_fee()
    {
        var ch = await Charge(10000, extra: ("description", "order 1"));
        Assert.Equal("charge", (string)ch["object"]!);
        Assert.Equal("succeeded", (string)ch["status"]!);
        Assert.True((bool)ch["paid"]! && (bool)ch["captured"]!);
        Assert.Equal(10000, (long)ch["amount_captured"]!);
        Assert.Equal("4242", (string)ch["payment_method_details"]!["card"]!["last4"]!);
        Assert.Equal("authorized", (string)ch["outcome"]!["type"]!);
        Assert.False(ch.ContainsKey("refunds"), "refunds is not included by default in the current API version");

        var txn = await Get($"/v1/balance_transactions/{(string)ch["balance_transaction"]!}");
        Assert.Equal(10000, (long)txn["amount"]!);
        Assert.Equal(320, (long)txn["fee"]!);
        Assert.Equal(9680, (long)txn["net"]!);
        Assert.Equal("stripe_fee", (string)txn["fee_details"]![0]!["type"]!);
        Assert.Equal("charge", (string)txn["type"]!);
        Assert.Equal("charge", (string)txn["reporting_category"]!);
        Assert.Equal("pending", (string)txn["status"]!);
        Assert.Equal((string)ch["id"]!, (string)txn["source"]!);

        var events = await Get("/v1/events?type=charge.succeeded");
        Assert.Equal((string)ch["id"]!, (string)events["data"]![0]!["data"]!["object"]!["id"]!);
    }

    [Fact]
    public async Task Declined_charge_answers_402_with_its_id_and_is_kept_as_failed()
    {
        var err = await (await _c.PostFormAsync("/v1/charges",
            ("amount", "2000"), ("currency", "usd"), ("source", "tok_chargeDeclinedInsufficientFunds"))).ErrorAsync(402);
        Assert.Equal("card_error", (string)err["type"]!);
        Assert.Equal("card_declined", (string)err["code"]!);
        Assert.Equal("insufficient_funds", (string)err["decline_code"]!);
        var id = (string)err["charge"]!;
        Assert.StartsWith("ch_", id);

        var ch = await Get($"/v1/charges/{id}");
        Assert.Equal("failed", (string)ch["status"]!);
        Assert.False((bool)ch["paid"]!);
        Assert.Equal("card_declined", (string)ch["failure_code"]!);
        Assert.Null(ch["balance_transaction"]);
        Assert.Equal("declined_by_network", (string)ch["outcome"]!["network_status"]!);
        Assert.Equal("insufficient_funds", (string)ch["outcome"]!["reason"]!);
        var events = await Get("/v1/events?type=charge.failed");
        Assert.Single(events["data"]!.AsArray());
    }

    [Fact]
    public async Task Charge_needs_a_source_or_a_customer_and_a_valid_amount()
    {
        var missing = await (await _c.PostFormAsync("/v1/charges", ("amount", "100"), ("currency", "usd"))).ErrorAsync(400);
        Assert.Contains("source", (string)missing["message"]!);
        var small = await (await _c.PostFormAsync("/v1/charges", ("amount", "10"), ("currency", "usd"), ("source", "tok_visa"))).ErrorAsync(400);
        Assert.Equal("amount_too_small", (string)small["code"]!);
        Assert.Empty((await Get("/v1/charges"))["data"]!.AsArray());
    }

    [Fact]
    public async Task Customer_charge_uses_the_default_payment_method()
    {
        var cusId = (string)(await (await _c.PostFormAsync("/v1/customers")).OkAsync())["id"]!;
        var err = await (await _c.PostFormAsync("/v1/charges", ("amount", "500"), ("currency", "usd"), ("customer", cusId))).ErrorAsync(400);
        Assert.Equal("customer", (string)err["param"]!);

        var pm = await (await _c.PostFormAsync("/v1/payment_methods/pm_card_visa/attach", ("customer", cusId))).OkAsync();
        var pmId = (string)pm["id"]!;
        await (await _c.PostFormAsync($"/v1/customers/{cusId}", ("invoice_settings[default_payment_method]", pmId))).OkAsync();
        var ch = await (await _c.PostFormAsync("/v1/charges", ("amount", "500"), ("currency", "usd"), ("customer", cusId))).OkAsync();
        Assert.Equal(cusId, (string)ch["customer"]!);
        Assert.Equal(pmId, (string)ch["payment_method"]!);
    }

    [Fact]
    public async Task Uncaptured_charge_is_captured_partially_and_releases_the_rest()
    {
        var ch = await Charge(5000, extra: ("capture", "false"));
        Assert.False((bool)ch["captured"]!);
        Assert.Null(ch["balance_transaction"]);
        Assert.NotNull(ch["payment_method_details"]!["card"]!["capture_before"]);

        var captured = await (await _c.PostFormAsync($"/v1/charges/{ch["id"]}/capture", ("amount", "3000"))).OkAsync();
        Assert.True((bool)captured["captured"]!);
        Assert.Equal(3000, (long)captured["amount_captured"]!);
        Assert.Equal(2000, (long)captured["amount_refunded"]!);
        Assert.False((bool)captured["refunded"]!);
        var txn = await Get($"/v1/balance_transactions/{captured["balance_transaction"]}");
        Assert.Equal(3000, (long)txn["amount"]!);
        Assert.Single((await Get("/v1/events?type=charge.captured"))["data"]!.AsArray());

        var again = await (await _c.PostFormAsync($"/v1/charges/{ch["id"]}/capture")).ErrorAsync(400);
        Assert.Equal("charge_already_captured", (string)again["code"]!);
    }

    [Fact]
    public async Task Update_changes_description_and_metadata_and_emits_charge_updated()
    {
        var ch = await Charge(1000, extra: ("description", "before"));
        var updated = await (await _c.PostFormAsync($"/v1/charges/{ch["id"]}", ("description", "after"), ("metadata[k]", "v"))).OkAsync();
        Assert.Equal("after", (string)updated["description"]!);
        Assert.Equal("v", (string)updated["metadata"]!["k"]!);
        var ev = (await Get("/v1/events?type=charge.updated"))["data"]![0]!;
        Assert.Equal("before", (string)ev["data"]!["previous_attributes"]!["description"]!);
        var unknown = await (await _c.PostFormAsync($"/v1/charges/{ch["id"]}", ("amount", "5"))).ErrorAsync(400);
        Assert.Equal("parameter_unknown", (string)unknown["code"]!);
    }

    [Fact]
    public async Task List_filters_by_customer_and_created()
    {
        var cus = (string)(await (await _c.PostFormAsync("/v1/customers")).OkAsync())["id"]!;
        var first = await Charge(1000);
        ((VirtualClock)_app.Services.GetService(typeof(VirtualClock))!).Advance(TimeSpan.FromMinutes(5));
        var second = await Charge(2000, extra: ("customer", cus));

        var all = await Get("/v1/charges");
        Assert.Equal([(string)second["id"]!, (string)first["id"]!], all["data"]!.AsArray().Select(x => (string)x!["id"]!));
        var mine = await Get($"/v1/charges?customer={cus}");
        Assert.Equal((string)second["id"]!, (string)mine["data"]!.AsArray().Single()!["id"]!);
        var early = await Get($"/v1/charges?created[lt]={TestApp.StartTime + 60}");
        Assert.Equal((string)first["id"]!, (string)early["data"]!.AsArray().Single()!["id"]!);
    }

    [Fact]
    public async Task Search_matches_amount_status_and_metadata()
    {
        var big = await Charge(9000, extra: ("metadata[order]", "42"));
        await Charge(1000);
        await _c.PostFormAsync("/v1/charges", ("amount", "3000"), ("currency", "usd"), ("source", "tok_chargeDeclined"));

        var res = await Get("/v1/charges/search?query=" + Uri.EscapeDataString("amount>5000 AND status:'succeeded'"));
        Assert.Equal("search_result", (string)res["object"]!);
        Assert.Equal((string)big["id"]!, (string)res["data"]!.AsArray().Single()!["id"]!);
        var meta = await Get("/v1/charges/search?query=" + Uri.EscapeDataString("metadata['order']:'42'"));
        Assert.Single(meta["data"]!.AsArray());
        var failed = await Get("/v1/charges/search?query=" + Uri.EscapeDataString("status:'failed'"));
        Assert.Single(failed["data"]!.AsArray());
    }

    [Fact]
    public async Task Expand_balance_transaction_on_a_charge_and_source_on_transactions()
    {
        var ch = await Charge(2500);
        var expanded = await Get($"/v1/charges/{ch["id"]}?expand[]=balance_transaction");
        Assert.Equal("balance_transaction", (string)expanded["balance_transaction"]!["object"]!);
        Assert.Equal(2500 - 103, (long)expanded["balance_transaction"]!["net"]!);

        var refund = await (await _c.PostFormAsync("/v1/refunds", ("charge", (string)ch["id"]!), ("amount", "500"))).OkAsync();
        var txns = await Get("/v1/balance_transactions?expand[]=data.source");
        var sources = txns["data"]!.AsArray().Select(t => (string)t!["source"]!["object"]!).ToList();
        Assert.Equal(["refund", "charge"], sources);
        Assert.Equal((string)refund["id"]!, (string)txns["data"]![0]!["source"]!["id"]!);

        var bad = await (await _c.GetAsync($"/v1/charges/{ch["id"]}?expand[]=outcome")).ErrorAsync(400);
        Assert.Equal("expand", (string)bad["param"]!);
    }
}
