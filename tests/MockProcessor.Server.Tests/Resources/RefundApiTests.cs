using System.Text.Json.Nodes;

namespace MockProcessor.Server.Tests.Resources;

public class RefundApiTests : IAsyncLifetime
{
    private readonly TestApp _app = new();
    private HttpClient _c = null!;

    public Task InitializeAsync() { _c = _app.Client("sk_test_refunds"); return Task.CompletedTask; }
    public async Task DisposeAsync() => await _app.DisposeAsync();

    private async Task<string> Charge(long amount, string source = "tok_visa") =>
        (string)(await (await _c.PostFormAsync("/v1/charges", ("amount", amount.ToString()), ("currency", "usd"), ("source", source))).OkAsync())["id"]!;

    private Task<HttpResponseMessage> Refund(string charge, long? amount = null, params (string, string)[] extra) =>
        _c.PostFormAsync("/v1/refunds",
            [("charge", charge), .. amount is null ? Array.Empty<(string, string)>() : [("amount", amount.Value.ToString())], .. extra]);

    private async Task<JsonObject> Get(string url) => await (await _c.GetAsync(url)).OkAsync();

    [Fact]
    public async Task Full_refund_marks_the_charge_refunded_and_books_a_negative_transaction_without_fee()
    {
        var ch = await Charge(10000);
        var re = await (await Refund(ch, extra: ("reason", "requested_by_customer"))).OkAsync();
        Assert.Equal("refund", (string)re["object"]!);
        Assert.Equal(10000, (long)re["amount"]!);
        Assert.Equal("succeeded", (string)re["status"]!);
        Assert.Equal("requested_by_customer", (string)re["reason"]!);
        Assert.Equal(ch, (string)re["charge"]!);

        var charge = await Get($"/v1/charges/{ch}");
        Assert.True((bool)charge["refunded"]!);
        Assert.Equal(10000, (long)charge["amount_refunded"]!);
        var txn = await Get($"/v1/balance_transactions/{re["balance_transaction"]}");
        Assert.Equal(-10000, (long)txn["amount"]!);
        Assert.Equal(0, (long)txn["fee"]!);
        Assert.Equal("refund", (string)txn["type"]!);

        var refunded = (await Get("/v1/events?type=charge.refunded"))["data"]!.AsArray().Single()!;
        Assert.True((bool)refunded["data"]!["object"]!["refunded"]!);
        Assert.Single((await Get("/v1/events?type=refund.created"))["data"]!.AsArray());

        var again = await (await Refund(ch)).ErrorAsync(400);
        Assert.Equal("charge_already_refunded", (string)again["code"]!);
    }

    [Fact]
    public async Task Several_partial_refunds_add_up_and_an_over_refund_is_refused()
    {
        var ch = await Charge(5000);
        await (await Refund(ch, 1000)).OkAsync();
        await (await _c.PostFormAsync($"/v1/charges/{ch}/refunds", ("amount", "1500"))).OkAsync();
        var partial = await Get($"/v1/charges/{ch}");
        Assert.Equal(2500, (long)partial["amount_refunded"]!);
        Assert.False((bool)partial["refunded"]!);

        var over = await (await Refund(ch, 2501)).ErrorAsync(400);
        Assert.Equal("amount_too_large", (string)over["code"]!);
        Assert.Equal(2500, (long)(await Get($"/v1/charges/{ch}"))["amount_refunded"]!);

        var rest = await (await Refund(ch)).OkAsync();
        Assert.Equal(2500, (long)rest["amount"]!);
        var charge = await Get($"/v1/charges/{ch}");
        Assert.True((bool)charge["refunded"]!);
        Assert.Equal(5000, (long)charge["amount_refunded"]!);

        var list = await Get($"/v1/charges/{ch}/refunds");
        Assert.Equal($"/v1/charges/{ch}/refunds", (string)list["url"]!);
        Assert.Equal(3, list["data"]!.AsArray().Count);
        Assert.Equal(5000, list["data"]!.AsArray().Sum(r => (long)r!["amount"]!));
    }

    [Fact]
    public async Task Refunding_more_than_the_charge_and_failed_charges_is_refused()
    {
        var ch = await Charge(1000);
        var tooMuch = await (await Refund(ch, 1001)).ErrorAsync(400);
        Assert.Equal("amount_too_large", (string)tooMuch["code"]!);
        Assert.Equal("amount", (string)tooMuch["param"]!);

        var declined = await _c.PostFormAsync("/v1/charges", ("amount", "1000"), ("currency", "usd"), ("source", "tok_chargeDeclined"));
        var failedId = (string)(await declined.ErrorAsync(402))["charge"]!;
        await (await Refund(failedId)).ErrorAsync(400);

        var missing = await (await _c.PostFormAsync("/v1/refunds", ("amount", "100"))).ErrorAsync(400);
        Assert.Contains("payment_intent or charge", (string)missing["message"]!);
        var badReason = await (await Refund(ch, 100, ("reason", "because"))).ErrorAsync(400);
        Assert.Equal("reason", (string)badReason["param"]!);
        Assert.Empty((await Get("/v1/refunds"))["data"]!.AsArray());
    }

    [Fact]
    public async Task Retrieve_update_list_and_cancel()
    {
        var a = await Charge(3000);
        var b = await Charge(4000);
        var ra = await (await Refund(a, 100)).OkAsync();
        await (await Refund(b, 200)).OkAsync();

        var updated = await (await _c.PostFormAsync($"/v1/refunds/{ra["id"]}", ("metadata[note]", "x"))).OkAsync();
        Assert.Equal("x", (string)updated["metadata"]!["note"]!);
        var amountChange = await (await _c.PostFormAsync($"/v1/refunds/{ra["id"]}", ("amount", "5"))).ErrorAsync(400);
        Assert.Equal("parameter_unknown", (string)amountChange["code"]!);
        Assert.Equal("x", (string)(await Get($"/v1/refunds/{ra["id"]}"))["metadata"]!["note"]!);

        Assert.Equal(2, (await Get("/v1/refunds"))["data"]!.AsArray().Count);
        var forA = await Get($"/v1/refunds?charge={a}&expand[]=data.charge");
        var only = forA["data"]!.AsArray().Single()!;
        Assert.Equal(a, (string)only["charge"]!["id"]!);

        var cancel = await (await _c.PostFormAsync($"/v1/refunds/{ra["id"]}/cancel")).ErrorAsync(400);
        Assert.Contains("requires_action", (string)cancel["message"]!);
        Assert.Equal("succeeded", (string)(await Get($"/v1/refunds/{ra["id"]}"))["status"]!);
    }

    [Fact]
    public async Task A_payment_intent_is_refunded_through_its_latest_charge()
    {
        var pi = await (await _c.PostFormAsync("/v1/payment_intents", ("amount", "2000"), ("currency", "usd"), ("allowed_payment_method_types[]", "card"),
            ("payment_method", "pm_card_visa"), ("allowed_payment_method_types[]", "card"), ("confirm", "true"))).OkAsync();
        Assert.Equal("succeeded", (string)pi["status"]!);
        var piId = (string)pi["id"]!;
        var chargeId = (string)pi["latest_charge"]!;

        var re = await (await _c.PostFormAsync("/v1/refunds", ("payment_intent", piId), ("amount", "500"))).OkAsync();
        Assert.Equal(chargeId, (string)re["charge"]!);
        Assert.Equal(piId, (string)re["payment_intent"]!);
        Assert.Equal(500, (long)(await Get($"/v1/charges/{chargeId}"))["amount_refunded"]!);
        Assert.Single((await Get($"/v1/refunds?payment_intent={piId}"))["data"]!.AsArray());
        var charges = await Get($"/v1/charges?payment_intent={piId}&expand[]=data.balance_transaction");
        Assert.Equal(2000 - 88, (long)charges["data"]![0]!["balance_transaction"]!["net"]!);

        var unpaid = await (await _c.PostFormAsync("/v1/payment_intents", ("amount", "2000"), ("currency", "usd"), ("allowed_payment_method_types[]", "card"),
            ("allowed_payment_method_types[]", "card"))).OkAsync();
        await (await _c.PostFormAsync("/v1/refunds", ("payment_intent", (string)unpaid["id"]!))).ErrorAsync(400);
    }
}
