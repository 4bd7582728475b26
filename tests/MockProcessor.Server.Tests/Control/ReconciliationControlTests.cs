using System.Text.Json.Nodes;

namespace MockProcessor.Server.Tests.Control;

public class ReconciliationControlTests : IAsyncLifetime
{
    private readonly TestApp _app = new();
    public Task InitializeAsync() => Task.CompletedTask;
    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task The_control_endpoint_reconciles_books_sent_as_text()
    {
        var c = _app.Client("sk_test_reconcile_control");
        var a = await (await c.PostFormAsync("/v1/payment_intents", ("amount", "2000"), ("currency", "usd"), ("confirm", "true"),
            ("payment_method", "pm_card_visa"), ("allowed_payment_method_types[]", "card"))).OkAsync();
        var b = await (await c.PostFormAsync("/v1/payment_intents", ("amount", "3000"), ("currency", "usd"), ("confirm", "true"),
            ("payment_method", "pm_card_visa"), ("allowed_payment_method_types[]", "card"))).OkAsync();
        await (await c.PostFormAsync("/v1/refunds", ("payment_intent", (string)b["id"]!))).OkAsync();
        var books = $"order_id,payment_intent,amount,currency,status\n1,{a["id"]},20.00,usd,paid\n2,{b["id"]},3000,usd,paid\n";
        (string, string)[] form = [("from", (TestApp.StartTime - 60).ToString()), ("to", (TestApp.StartTime + 60).ToString()), ("orders", books)];

        var result = await (await c.PostFormAsync("/_mock/reconciliation", form)).OkAsync();
        Assert.Equal(1, (int)result["matched"]!);
        var d = result["discrepancies"]!.AsArray().Single()!;
        Assert.Equal("status_mismatch", (string)d["kind"]!);
        Assert.Equal("2", (string)d["order_id"]!);
        Assert.Equal("refunded", (string)d["processor"]!);

        var html = await c.PostFormAsync("/_mock/reconciliation", [.. form, ("format", "html")]);
        Assert.Equal("text/html", html.Content.Headers.ContentType!.MediaType);
        Assert.Contains("status_mismatch", await html.Content.ReadAsStringAsync());

        var bad = await (await c.PostFormAsync("/_mock/reconciliation", ("from", "2026-11-01"), ("to", "2026-11-02"),
            ("orders", "order_id,amount\n1,5\n"))).ErrorAsync(400);
        Assert.Equal("orders", (string)bad["param"]!);
        var badValue = await (await c.PostFormAsync("/_mock/reconciliation", ("from", "2026-11-01"), ("to", "2026-11-02"),
            ("orders", "order_id,charge,amount,currency,status\n1,ch_1,5,usd,paid\n2,ch_2,5.5.5,usd,paid\n"))).ErrorAsync(400);
        Assert.Equal(("orders", "invalid_request_error"), ((string)badValue["param"]!, (string)badValue["type"]!));
        Assert.Equal("The orders could not be read: line 3, column 3 (amount): '5.5.5' is not an amount.", (string)badValue["message"]!);
        var badQuote = await (await c.PostFormAsync("/_mock/reconciliation", ("from", "2026-11-01"), ("to", "2026-11-02"),
            ("orders", "order_id,charge,amount,currency,status\n1,\"ch\"_1,5,usd,paid\n"))).ErrorAsync(400);
        Assert.StartsWith("The orders could not be read: Malformed CSV in record 2 (line 2):", (string)badQuote["message"]!);
        var backwards = await (await c.PostFormAsync("/_mock/reconciliation", ("from", "2026-11-05"), ("to", "2026-11-02"),
            ("orders", books))).ErrorAsync(400);
        Assert.Equal("to", (string)backwards["param"]!);
    }
}
