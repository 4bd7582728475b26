using System.Text.Json.Nodes;

namespace MockProcessor.Server.Tests.Resources;

public class PaymentMethodApiTests : IAsyncLifetime
{
    private readonly TestApp _app = new();
    private HttpClient _c = null!;

    public Task InitializeAsync() { _c = _app.Client("sk_test_pms"); return Task.CompletedTask; }
    public async Task DisposeAsync() => await _app.DisposeAsync();

    private Task<HttpResponseMessage> CreateCard(string number, string month = "12", string year = "2030", string? cvc = "123")
    {
        var fields = new List<(string, string)> { ("type", "card"), ("card[number]", number), ("card[exp_month]", month), ("card[exp_year]", year) };
        if (cvc is not null) fields.Add(("card[cvc]", cvc));
        return _c.PostFormAsync("/v1/payment_methods", fields.ToArray());
    }

    [Fact]
    public async Task Raw_card_keeps_only_what_Stripe_shows()
    {
        var res = await CreateCard("4242 4242 4242 4242");
        var raw = await res.Content.ReadAsStringAsync();
        var pm = JsonNode.Parse(raw)!;
        Assert.Equal(200, (int)res.StatusCode);
        Assert.DoesNotContain("4242424242424242", raw);
        Assert.DoesNotContain("\"123\"", raw);
        Assert.Equal("visa", (string)pm["card"]!["brand"]!);
        Assert.Equal("4242", (string)pm["card"]!["last4"]!);
        Assert.Equal(2030, (int)pm["card"]!["exp_year"]!);
        Assert.StartsWith("pm_", (string)pm["id"]!);
    }

    [Fact]
    public async Task Fingerprint_is_stable_per_number()
    {
        var a = await (await CreateCard("4242424242424242")).OkAsync();
        var b = await (await CreateCard("4242424242424242")).OkAsync();
        var mc = await (await CreateCard("5555555555554444")).OkAsync();
        Assert.Equal((string)a["card"]!["fingerprint"]!, (string)b["card"]!["fingerprint"]!);
        Assert.NotEqual((string)a["card"]!["fingerprint"]!, (string)mc["card"]!["fingerprint"]!);
        Assert.Equal("mastercard", (string)mc["card"]!["brand"]!);
    }

    [Theory]
    [InlineData("4242424242424241", "12", "2030", "123", "incorrect_number", "number")]
    [InlineData("4242abcd42424242", "12", "2030", "123", "invalid_number", "number")]
    [InlineData("4242424242424242", "13", "2030", "123", "invalid_expiry_month", "exp_month")]
    [InlineData("4242424242424242", "12", "2020", "123", "invalid_expiry_year", "exp_year")]
    [InlineData("4242424242424242", "12", "2030", "99", "invalid_cvc", "cvc")]
    public async Task Invalid_card_data_is_a_card_error(string number, string month, string year, string cvc, string code, string param)
    {
        var err = await (await CreateCard(number, month, year, cvc)).ErrorAsync(402);
        Assert.Equal("card_error", (string)err["type"]!);
        Assert.Equal(code, (string)err["code"]!);
        Assert.Equal(param, (string)err["param"]!);
    }

    [Fact]
    public async Task A_non_test_number_is_declined_in_test_mode()
    {
        var err = await (await CreateCard("4111111111111111")).ErrorAsync(402);
        Assert.Equal("test_mode_live_card", (string)err["decline_code"]!);
    }

    [Fact]
    public async Task Alias_ids_make_a_fresh_payment_method_each_time()
    {
        var a = await (await _c.GetAsync("/v1/payment_methods/pm_card_visa")).OkAsync();
        var b = await (await _c.GetAsync("/v1/payment_methods/pm_card_visa")).OkAsync();
        Assert.NotEqual((string)a["id"]!, (string)b["id"]!);
        Assert.Equal("visa", (string)a["card"]!["brand"]!);
        var gb = await (await _c.PostFormAsync("/v1/payment_methods", ("type", "card"), ("card[token]", "tok_gb"))).OkAsync();
        Assert.Equal("GB", (string)gb["card"]!["country"]!);
        var debit = await (await _c.GetAsync("/v1/payment_methods/pm_card_visa_debit")).OkAsync();
        Assert.Equal("debit", (string)debit["card"]!["funding"]!);
    }

    [Fact]
    public async Task Attach_detach_and_list_by_customer()
    {
        var cus = (string)(await (await _c.PostFormAsync("/v1/customers", ("email", "x@example.com"))).OkAsync())["id"]!;
        var pm = await (await _c.PostFormAsync("/v1/payment_methods/pm_card_mastercard/attach", ("customer", cus))).OkAsync();
        var pmId = (string)pm["id"]!;
        Assert.Equal(cus, (string)pm["customer"]!);
        Assert.NotEqual("pm_card_mastercard", pmId);

        var list = await (await _c.GetAsync($"/v1/customers/{cus}/payment_methods?expand[]=data.customer")).OkAsync();
        Assert.Equal(pmId, (string)list["data"]![0]!["id"]!);
        Assert.Equal("x@example.com", (string)list["data"]![0]!["customer"]!["email"]!);

        var detached = await (await _c.PostFormAsync($"/v1/payment_methods/{pmId}/detach")).OkAsync();
        Assert.Null(detached["customer"]);
        var after = await (await _c.GetAsync($"/v1/payment_methods?customer={cus}")).OkAsync();
        Assert.Empty(after["data"]!.AsArray());

        var types = (await (await _c.GetAsync("/v1/events")).OkAsync())["data"]!.AsArray().Select(e => (string)e!["type"]!).ToList();
        Assert.Equal(["payment_method.detached", "payment_method.attached", "customer.created"], types);
    }

    [Fact]
    public async Task Decline_cards_cannot_be_attached_but_chargeCustomerFail_can()
    {
        var cus = (string)(await (await _c.PostFormAsync("/v1/customers")).OkAsync())["id"]!;
        var err = await (await _c.PostFormAsync("/v1/payment_methods/pm_card_chargeDeclined/attach", ("customer", cus))).ErrorAsync(402);
        Assert.Equal("card_declined", (string)err["code"]!);
        Assert.Equal("generic_decline", (string)err["decline_code"]!);
        var ok = await (await _c.PostFormAsync("/v1/payment_methods/pm_card_chargeCustomerFail/attach", ("customer", cus))).OkAsync();
        Assert.Equal(cus, (string)ok["customer"]!);
    }

    [Fact]
    public async Task Tokens_are_single_use_but_catalogue_tokens_are_not()
    {
        var tok = await (await _c.PostFormAsync("/v1/tokens", ("card[number]", "4242424242424242"), ("card[exp_month]", "1"), ("card[exp_year]", "2031"))).OkAsync();
        Assert.Equal("Visa", (string)tok["card"]!["brand"]!);
        Assert.False((bool)tok["used"]!);
        var id = (string)tok["id"]!;
        await (await _c.PostFormAsync("/v1/payment_methods", ("type", "card"), ("card[token]", id))).OkAsync();
        var reuse = await (await _c.PostFormAsync("/v1/payment_methods", ("type", "card"), ("card[token]", id))).ErrorAsync(400);
        Assert.Equal("token_already_used", (string)reuse["code"]!);
        for (var i = 0; i < 2; i++)
            await (await _c.PostFormAsync("/v1/payment_methods", ("type", "card"), ("card[token]", "tok_visa"))).OkAsync();
    }

    [Fact]
    public async Task Publishable_key_may_create_tokens_but_not_list_customers()
    {
        var pk = _app.Client("pk_test_pms");
        var tok = await (await pk.PostFormAsync("/v1/tokens", ("card[number]", "4242424242424242"), ("card[exp_month]", "1"), ("card[exp_year]", "2031"))).OkAsync();
        Assert.StartsWith("tok_", (string)tok["id"]!);
        var err = await (await pk.GetAsync("/v1/customers")).ErrorAsync(401);
        Assert.Equal("secret_key_required", (string)err["code"]!);
        // The token belongs to the same merchant as sk_test_pms.
        await (await _c.GetAsync($"/v1/tokens/{tok["id"]}")).OkAsync();
    }
}
