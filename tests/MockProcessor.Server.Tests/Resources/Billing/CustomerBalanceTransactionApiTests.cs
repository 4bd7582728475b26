using System.Text.Json.Nodes;

namespace MockProcessor.Server.Tests.Resources.Billing;

/// <summary>/v1/customers/:id/balance_transactions and the ledger the billing engine writes (docs/billing.md).</summary>
public class CustomerBalanceTransactionApiTests : IAsyncLifetime
{
    private readonly TestApp _app = new();
    private HttpClient _c = null!;

    public Task InitializeAsync() { _c = _app.Client("sk_test_cbtxn"); return Task.CompletedTask; }
    public async Task DisposeAsync() => await _app.DisposeAsync();

    private static string Id(JsonObject o) => (string)o["id"]!;

    private async Task<string> NewCustomer(params (string, string)[] fields) =>
        Id(await (await _c.PostFormAsync("/v1/customers", fields)).OkAsync());

    private async Task<JsonObject> Get(string path) => await (await _c.GetAsync(path)).OkAsync();

    private async Task<List<JsonObject>> Ledger(string cus) =>
        (await Get($"/v1/customers/{cus}/balance_transactions?limit=100"))["data"]!.AsArray().Select(t => t!.AsObject()).ToList();

    private async Task<List<JsonObject>> CustomerUpdated(string cus) =>
        (await Get("/v1/events?type=customer.updated&limit=100"))["data"]!.AsArray().Select(e => e!.AsObject())
            .Where(e => (string)e["data"]!["object"]!["id"]! == cus).ToList();

    [Fact]
    public async Task A_credit_moves_the_balance_fixes_the_currency_and_is_announced()
    {
        var cus = await NewCustomer(("email", "credit@example.com"));
        var txn = await (await _c.PostFormAsync($"/v1/customers/{cus}/balance_transactions", ("amount", "-500"), ("currency", "USD"),
            ("description", "Goodwill"), ("metadata[ticket]", "42"))).OkAsync();
        Assert.StartsWith("cbtxn_", Id(txn));
        Assert.Equal("customer_balance_transaction", (string)txn["object"]!);
        Assert.Equal(-500, (long)txn["amount"]!);
        Assert.Equal(-500, (long)txn["ending_balance"]!);
        Assert.Equal("usd", (string)txn["currency"]!);
        Assert.Equal("adjustment", (string)txn["type"]!);
        Assert.Equal(cus, (string)txn["customer"]!);
        Assert.Null(txn["invoice"]);
        Assert.True(txn.ContainsKey("credit_note") && txn["credit_note"] is null);
        Assert.Equal("42", (string)txn["metadata"]!["ticket"]!);

        var customer = await Get($"/v1/customers/{cus}");
        Assert.Equal(-500, (long)customer["balance"]!);
        Assert.Equal("usd", (string)customer["currency"]!);
        var ev = Assert.Single(await CustomerUpdated(cus));
        Assert.Equal(0, (long)ev["data"]!["previous_attributes"]!["balance"]!);
        Assert.Equal(-500, (long)ev["data"]!["object"]!["balance"]!);

        var debit = await (await _c.PostFormAsync($"/v1/customers/{cus}/balance_transactions", ("amount", "200"), ("currency", "usd"))).OkAsync();
        Assert.Equal(-300, (long)debit["ending_balance"]!);
        Assert.Equal(new[] { Id(debit), Id(txn) }, (await Ledger(cus)).Select(Id));

        var wrong = await (await _c.PostFormAsync($"/v1/customers/{cus}/balance_transactions", ("amount", "100"), ("currency", "eur"))).ErrorAsync(400);
        Assert.Equal("currency", (string)wrong["param"]!);
        Assert.Equal(-300, (long)(await Get($"/v1/customers/{cus}"))["balance"]!);
        Assert.Equal(2, (await Ledger(cus)).Count);
    }

    [Fact]
    public async Task Bad_input_is_a_stripe_error_and_moves_nothing()
    {
        var cus = await NewCustomer();
        var missing = await (await _c.PostFormAsync($"/v1/customers/{cus}/balance_transactions", ("currency", "usd"))).ErrorAsync(400);
        Assert.Equal(("parameter_missing", "amount"), ((string)missing["code"]!, (string)missing["param"]!));
        var noCurrency = await (await _c.PostFormAsync($"/v1/customers/{cus}/balance_transactions", ("amount", "100"))).ErrorAsync(400);
        Assert.Equal("currency", (string)noCurrency["param"]!);
        var zero = await (await _c.PostFormAsync($"/v1/customers/{cus}/balance_transactions", ("amount", "0"), ("currency", "usd"))).ErrorAsync(400);
        Assert.Equal("amount", (string)zero["param"]!);
        var unknown = await (await _c.PostFormAsync($"/v1/customers/{cus}/balance_transactions", ("amount", "1"), ("currency", "usd"), ("type", "initial"))).ErrorAsync(400);
        Assert.Equal("type", (string)unknown["param"]!);
        await (await _c.PostFormAsync("/v1/customers/cus_nope/balance_transactions", ("amount", "1"), ("currency", "usd"))).ErrorAsync(404);

        Assert.Empty(await Ledger(cus));
        Assert.Equal(0, (long)(await Get($"/v1/customers/{cus}"))["balance"]!);
        Assert.Empty(await CustomerUpdated(cus));
    }

    [Fact]
    public async Task Only_description_and_metadata_update_and_a_transaction_belongs_to_its_customer()
    {
        var cus = await NewCustomer();
        var other = await NewCustomer();
        var txn = await (await _c.PostFormAsync($"/v1/customers/{cus}/balance_transactions", ("amount", "-100"), ("currency", "usd"),
            ("metadata[a]", "1"))).OkAsync();
        var updated = await (await _c.PostFormAsync($"/v1/customers/{cus}/balance_transactions/{Id(txn)}",
            ("description", "Fixed"), ("metadata[b]", "2"))).OkAsync();
        Assert.Equal("Fixed", (string)updated["description"]!);
        Assert.Equal("""{"a":"1","b":"2"}""", updated["metadata"]!.ToJsonString());
        Assert.Equal("Fixed", (string)(await Get($"/v1/customers/{cus}/balance_transactions/{Id(txn)}"))["description"]!);
        var amount = await (await _c.PostFormAsync($"/v1/customers/{cus}/balance_transactions/{Id(txn)}", ("amount", "5"))).ErrorAsync(400);
        Assert.Equal("amount", (string)amount["param"]!);

        await (await _c.GetAsync($"/v1/customers/{other}/balance_transactions/{Id(txn)}")).ErrorAsync(404);
        Assert.Empty(await Ledger(other));
    }

    [Fact]
    public async Task A_balance_given_on_create_is_the_initial_transaction_and_on_update_an_adjustment_by_the_difference()
    {
        var cus = await NewCustomer(("balance", "-700"));
        var initial = Assert.Single(await Ledger(cus));
        Assert.Equal(("initial", -700L, -700L), ((string)initial["type"]!, (long)initial["amount"]!, (long)initial["ending_balance"]!));

        var updated = await (await _c.PostFormAsync($"/v1/customers/{cus}", ("balance", "-200"))).OkAsync();
        Assert.Equal(-200, (long)updated["balance"]!);
        var adjustment = (await Ledger(cus))[0];
        Assert.Equal(("adjustment", 500L, -200L), ((string)adjustment["type"]!, (long)adjustment["amount"]!, (long)adjustment["ending_balance"]!));
        var ev = Assert.Single(await CustomerUpdated(cus));
        Assert.Equal(-700, (long)ev["data"]!["previous_attributes"]!["balance"]!);
    }

    private async Task<(string Customer, string Price)> BillingCustomer(string card)
    {
        var clock = await _c.CreateTestClockAsync(new DateTimeOffset(2026, 4, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds());
        var cus = await NewCustomer(("test_clock", Id(clock)));
        var pm = await (await _c.PostFormAsync($"/v1/payment_methods/{card}/attach", ("customer", cus))).OkAsync();
        await (await _c.PostFormAsync($"/v1/customers/{cus}", ("invoice_settings[default_payment_method]", Id(pm)))).OkAsync();
        var product = await (await _c.PostFormAsync("/v1/products", ("name", "Gold"))).OkAsync();
        var price = await (await _c.PostFormAsync("/v1/prices", ("product", Id(product)), ("currency", "usd"), ("unit_amount", "2000"),
            ("recurring[interval]", "month"))).OkAsync();
        await (await _c.PostFormAsync($"/v1/customers/{cus}/balance_transactions", ("amount", "-500"), ("currency", "usd"))).OkAsync();
        return (cus, Id(price));
    }

    [Fact]
    public async Task Finalizing_an_invoice_consumes_credit_as_applied_to_invoice()
    {
        var (cus, price) = await BillingCustomer("pm_card_visa");
        var sub = await (await _c.PostFormAsync("/v1/subscriptions?expand[]=latest_invoice", ("customer", cus), ("items[0][price]", price))).OkAsync();
        var inv = sub["latest_invoice"]!;
        Assert.Equal(1500, (long)inv["amount_paid"]!);
        var applied = (await Ledger(cus))[0];
        Assert.Equal(("applied_to_invoice", 500L, 0L), ((string)applied["type"]!, (long)applied["amount"]!, (long)applied["ending_balance"]!));
        Assert.Equal((string)inv["id"]!, (string)applied["invoice"]!);
        var filtered = (await Get($"/v1/customers/{cus}/balance_transactions?invoice={inv["id"]}"))["data"]!.AsArray();
        Assert.Equal(Id(applied), (string)Assert.Single(filtered)!["id"]!);
        // Events on a test clock are stamped in its time, so look the balance changes up rather than by position.
        var moves = (await CustomerUpdated(cus)).Where(e => e["data"]!["previous_attributes"]!["balance"] is not null)
            .Select(e => ((long)e["data"]!["previous_attributes"]!["balance"]!, (long)e["data"]!["object"]!["balance"]!)).ToList();
        Assert.Contains((-500L, 0L), moves);
        Assert.Equal(2, moves.Count);
    }

    [Fact]
    public async Task Voiding_an_open_invoice_gives_the_applied_credit_back()
    {
        var (cus, price) = await BillingCustomer("pm_card_chargeCustomerFail");
        var sub = await (await _c.PostFormAsync("/v1/subscriptions?expand[]=latest_invoice", ("customer", cus), ("items[0][price]", price))).OkAsync();
        var inv = (string)sub["latest_invoice"]!["id"]!;
        Assert.Equal("open", (string)sub["latest_invoice"]!["status"]!);
        Assert.Equal(0, (long)(await Get($"/v1/customers/{cus}"))["balance"]!);

        await (await _c.PostFormAsync($"/v1/invoices/{inv}/void")).OkAsync();
        Assert.Equal(-500, (long)(await Get($"/v1/customers/{cus}"))["balance"]!);
        var back = (await Ledger(cus))[0];
        Assert.Equal(("unapplied_from_invoice", -500L, -500L), ((string)back["type"]!, (long)back["amount"]!, (long)back["ending_balance"]!));
        Assert.Equal(inv, (string)back["invoice"]!);
    }
}
