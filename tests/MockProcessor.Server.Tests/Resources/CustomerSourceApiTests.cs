using System.Text.Json.Nodes;
using MockProcessor.Server.Tests.Storage;
using MockProcessor.Server.Tests.Webhooks;

namespace MockProcessor.Server.Tests.Resources;

/// <summary>The card-era customer API: sources, default_source, charges on a customer's card, and their events.</summary>
public class CustomerSourceApiTests : IAsyncLifetime
{
    private readonly TestApp _app = new();
    private HttpClient _c = null!;

    public Task InitializeAsync() { _c = _app.Client("sk_test_sources"); return Task.CompletedTask; }
    public async Task DisposeAsync() => await _app.DisposeAsync();

    private async Task<JsonObject> Get(string url) => await (await _c.GetAsync(url)).OkAsync();

    private async Task<JsonObject> NewCustomer(params (string, string)[] fields) =>
        await (await _c.PostFormAsync("/v1/customers", fields)).OkAsync();

    private async Task<JsonObject> AddCard(string cus, string source = "tok_visa", params (string, string)[] extra) =>
        await (await _c.PostFormAsync($"/v1/customers/{cus}/sources", [("source", source), .. extra])).OkAsync();

    private async Task<JsonArray> Events(string type) => (await Get($"/v1/events?type={type}"))["data"]!.AsArray();

    // Defect 7: Stripe's own billing-test recipe names the same alias twice; the default is the card just attached.
    [Fact]
    public async Task Source_defect7_default_payment_method_naming_the_payment_method_alias_means_the_attached_card()
    {
        var cus = await (await _c.PostFormAsync("/v1/customers",
            ("payment_method", "pm_card_visa"), ("invoice_settings[default_payment_method]", "pm_card_visa"))).OkAsync();
        var dpm = (string)cus["invoice_settings"]!["default_payment_method"]!;
        Assert.StartsWith("pm_", dpm);
        Assert.NotEqual("pm_card_visa", dpm);
        var pms = await Get($"/v1/customers/{cus["id"]}/payment_methods");
        Assert.Equal(dpm, (string)pms["data"]!.AsArray().Single()!["id"]!);
        Assert.Equal((string)cus["id"]!, (string)pms["data"]![0]!["customer"]!);
    }

    [Fact]
    public async Task Source_on_customer_create_saves_a_card_and_makes_it_the_default_source()
    {
        var cus = await NewCustomer(("source", "tok_mastercard"), ("email", "a@example.com"));
        var cardId = (string)cus["default_source"]!;
        Assert.StartsWith("card_", cardId);
        Assert.False(cus.ContainsKey("sources"), "sources is rendered only when expanded (C01)");

        var card = await Get($"/v1/customers/{cus["id"]}/sources/{cardId}");
        Assert.Equal("card", (string)card["object"]!);
        Assert.Equal("MasterCard", (string)card["brand"]!);
        Assert.Equal("4444", (string)card["last4"]!);
        Assert.Equal((string)cus["id"]!, (string)card["customer"]!);
        Assert.Equal("credit", (string)card["funding"]!);
        Assert.Equal("US", (string)card["country"]!);
        Assert.Equal("pass", (string)card["cvc_check"]!);
        Assert.False(string.IsNullOrEmpty((string)card["fingerprint"]!));
        Assert.Equal(12, (int)card["exp_month"]!);

        var created = await Events("customer.created");
        Assert.Equal(cardId, (string)created.Single()!["data"]!["object"]!["default_source"]!);
        var sourceCreated = (await Events("customer.source.created")).Single()!;
        Assert.Equal(cardId, (string)sourceCreated["data"]!["object"]!["id"]!);
        Assert.Equal("card", (string)sourceCreated["data"]!["object"]!["object"]!);
    }

    [Fact]
    public async Task Source_raw_card_hash_is_accepted_and_only_brand_last4_and_fingerprint_are_kept()
    {
        var cus = await NewCustomer(("source[object]", "card"), ("source[number]", "4000056655665556"),
            ("source[exp_month]", "7"), ("source[exp_year]", "2031"), ("source[cvc]", "123"), ("source[name]", "Jenny Rosen"),
            ("source[address_zip]", "94107"), ("source[address_line1]", "1 Main St"));
        var card = await Get($"/v1/customers/{cus["id"]}/sources/{cus["default_source"]}");
        Assert.Equal("Visa", (string)card["brand"]!);
        Assert.Equal("debit", (string)card["funding"]!);
        Assert.Equal("5556", (string)card["last4"]!);
        Assert.Equal(7, (int)card["exp_month"]!);
        Assert.Equal(2031, (int)card["exp_year"]!);
        Assert.Equal("Jenny Rosen", (string)card["name"]!);
        Assert.Equal("94107", (string)card["address_zip"]!);
        Assert.Equal("pass", (string)card["address_zip_check"]!);
        Assert.Equal("pass", (string)card["address_line1_check"]!);
        Assert.Equal("pass", (string)card["cvc_check"]!);
        var stored = await (await _c.GetAsync($"/v1/customers/{cus["id"]}?expand[]=sources")).Content.ReadAsStringAsync();
        Assert.DoesNotContain("4000056655665556", stored);
        Assert.DoesNotContain("\"123\"", stored);

        var bad = await (await _c.PostFormAsync("/v1/customers", ("source[object]", "card"), ("source[number]", "4242424242424241"),
            ("source[exp_month]", "7"), ("source[exp_year]", "2031"))).ErrorAsync(402);
        Assert.Equal("incorrect_number", (string)bad["code"]!);
    }

    [Fact]
    public async Task Source_create_retrieve_update_delete_list_with_events()
    {
        var cus = (string)(await NewCustomer())["id"]!;
        var first = await AddCard(cus, "tok_visa", ("metadata[k]", "v"));
        Assert.Equal("v", (string)first["metadata"]!["k"]!);
        Assert.Equal(cus, (string)first["customer"]!);
        var c1 = (string)first["id"]!;
        var customer = await Get($"/v1/customers/{cus}");
        Assert.Equal(c1, (string)customer["default_source"]!);
        var cusUpdated = (await Events("customer.updated")).Single()!;
        Assert.Null(cusUpdated["data"]!["previous_attributes"]!["default_source"]);

        var second = await AddCard(cus, "tok_amex");
        var c2 = (string)second["id"]!;
        Assert.Equal("American Express", (string)second["brand"]!);
        Assert.Equal(c1, (string)(await Get($"/v1/customers/{cus}"))["default_source"]!);

        var updated = await (await _c.PostFormAsync($"/v1/customers/{cus}/sources/{c1}",
            ("exp_month", "3"), ("exp_year", "2033"), ("name", "Card Holder"), ("address_city", "Paris"), ("metadata[k]", ""))).OkAsync();
        Assert.Equal(3, (int)updated["exp_month"]!);
        Assert.Equal(2033, (int)updated["exp_year"]!);
        Assert.Equal("Card Holder", (string)updated["name"]!);
        Assert.Equal("Paris", (string)updated["address_city"]!);
        Assert.Empty(updated["metadata"]!.AsObject());
        var ev = (await Events("customer.source.updated")).Single()!;
        Assert.Equal(12, (int)ev["data"]!["previous_attributes"]!["exp_month"]!);

        var badMonth = await (await _c.PostFormAsync($"/v1/customers/{cus}/sources/{c1}", ("exp_month", "13"))).ErrorAsync(402);
        Assert.Equal("invalid_expiry_month", (string)badMonth["code"]!);
        Assert.Equal(3, (int)(await Get($"/v1/customers/{cus}/sources/{c1}"))["exp_month"]!);

        var list = await Get($"/v1/customers/{cus}/sources?object=card&limit=1");
        Assert.Equal("list", (string)list["object"]!);
        Assert.Equal($"/v1/customers/{cus}/sources", (string)list["url"]!);
        Assert.True((bool)list["has_more"]!);
        Assert.Equal(c2, (string)list["data"]![0]!["id"]!);
        var next = await Get($"/v1/customers/{cus}/sources?object=card&starting_after={c2}");
        Assert.Equal(c1, (string)next["data"]!.AsArray().Single()!["id"]!);
        Assert.Empty((await Get($"/v1/customers/{cus}/sources?object=bank_account"))["data"]!.AsArray());

        // Deleting the default: the most recently added remaining card becomes the default.
        var deleted = await (await _c.DeleteAsync($"/v1/customers/{cus}/sources/{c1}")).OkAsync();
        Assert.Equal(c1, (string)deleted["id"]!);
        Assert.Equal("card", (string)deleted["object"]!);
        Assert.True((bool)deleted["deleted"]!);
        Assert.Equal(c2, (string)(await Get($"/v1/customers/{cus}"))["default_source"]!);
        Assert.Equal(c1, (string)(await Events("customer.source.deleted")).Single()!["data"]!["object"]!["id"]!);
        var gone = await (await _c.GetAsync($"/v1/customers/{cus}/sources/{c1}")).ErrorAsync(404);
        Assert.Equal("resource_missing", (string)gone["code"]!);

        // Deleting the last card leaves no default.
        await (await _c.DeleteAsync($"/v1/customers/{cus}/sources/{c2}")).OkAsync();
        Assert.Null((await Get($"/v1/customers/{cus}"))["default_source"]);
        Assert.Empty((await Get($"/v1/customers/{cus}/sources"))["data"]!.AsArray());
    }

    [Fact]
    public async Task Source_default_source_switches_and_update_source_replaces_the_default()
    {
        var cus = (string)(await NewCustomer(("source", "tok_visa")))["id"]!;
        var c1 = (string)(await Get($"/v1/customers/{cus}"))["default_source"]!;
        var c2 = (string)(await AddCard(cus, "tok_mastercard"))["id"]!;

        var switched = await (await _c.PostFormAsync($"/v1/customers/{cus}", ("default_source", c2))).OkAsync();
        Assert.Equal(c2, (string)switched["default_source"]!);
        var ev = (await Events("customer.updated"))[0]!;
        Assert.Equal(c1, (string)ev["data"]!["previous_attributes"]!["default_source"]!);

        var unknown = await (await _c.PostFormAsync($"/v1/customers/{cus}", ("default_source", "card_nope"))).ErrorAsync(404);
        Assert.Equal("resource_missing", (string)unknown["code"]!);
        Assert.Equal("default_source", (string)unknown["param"]!);

        // Update with `source`: the new card becomes the default and the old default (c2) is deleted.
        var replaced = await (await _c.PostFormAsync($"/v1/customers/{cus}", ("source", "tok_amex"))).OkAsync();
        var c3 = (string)replaced["default_source"]!;
        Assert.NotEqual(c2, c3);
        var ids = (await Get($"/v1/customers/{cus}/sources"))["data"]!.AsArray().Select(x => (string)x!["id"]!).ToList();
        Assert.Equal([c3, c1], ids);
        Assert.Equal(c2, (string)(await Events("customer.source.deleted")).Single()!["data"]!["object"]!["id"]!);
    }

    [Fact]
    public async Task Source_expand_default_source_and_sources_on_customers()
    {
        var cus = (string)(await NewCustomer(("source", "tok_visa")))["id"]!;
        await AddCard(cus, "tok_discover");
        var expanded = await Get($"/v1/customers/{cus}?expand[]=default_source&expand[]=sources");
        Assert.Equal("card", (string)expanded["default_source"]!["object"]!);
        Assert.Equal("4242", (string)expanded["default_source"]!["last4"]!);
        var sources = expanded["sources"]!;
        Assert.Equal("list", (string)sources["object"]!);
        Assert.Equal($"/v1/customers/{cus}/sources", (string)sources["url"]!);
        Assert.False((bool)sources["has_more"]!);
        Assert.Equal(["Discover", "Visa"], sources["data"]!.AsArray().Select(x => (string)x!["brand"]!));

        var list = await Get("/v1/customers?expand[]=data.sources&expand[]=data.default_source");
        Assert.Equal(2, list["data"]![0]!["sources"]!["data"]!.AsArray().Count);
        var deep = await Get($"/v1/customers/{cus}/sources/{expanded["default_source"]!["id"]}?expand[]=customer");
        Assert.Equal(cus, (string)deep["customer"]!["id"]!);
        var bad = await (await _c.GetAsync($"/v1/customers/{cus}?expand[]=sources.data.fingerprint")).ErrorAsync(400);
        Assert.Equal("expand", (string)bad["param"]!);
    }

    [Fact]
    public async Task Source_charge_on_customer_uses_the_default_source_or_the_named_card()
    {
        var cus = (string)(await NewCustomer(("source", "tok_visa")))["id"]!;
        var c1 = (string)(await Get($"/v1/customers/{cus}"))["default_source"]!;
        var c2 = (string)(await AddCard(cus, "tok_mastercard"))["id"]!;

        var ch = await (await _c.PostFormAsync("/v1/charges", ("amount", "2500"), ("currency", "usd"), ("customer", cus))).OkAsync();
        Assert.Equal("succeeded", (string)ch["status"]!);
        Assert.Equal(c1, (string)ch["payment_method"]!);
        Assert.Equal("card", (string)ch["source"]!["object"]!);
        Assert.Equal(c1, (string)ch["source"]!["id"]!);
        Assert.Equal(cus, (string)ch["source"]!["customer"]!);
        Assert.Equal("4242", (string)ch["payment_method_details"]!["card"]!["last4"]!);
        Assert.NotNull(ch["balance_transaction"]);

        var named = await (await _c.PostFormAsync("/v1/charges", ("amount", "700"), ("currency", "usd"), ("customer", cus), ("source", c2))).OkAsync();
        Assert.Equal(c2, (string)named["payment_method"]!);
        Assert.Equal("MasterCard", (string)named["source"]!["brand"]!);
        Assert.Equal(2, (await Events("charge.succeeded")).Count);

        // The charge keeps its copy of the card after the card is deleted.
        await (await _c.DeleteAsync($"/v1/customers/{cus}/sources/{c2}")).OkAsync();
        Assert.Equal(c2, (string)(await Get($"/v1/charges/{named["id"]}"))["source"]!["id"]!);
    }

    [Fact]
    public async Task Source_charge_on_a_card_that_fails_every_charge_is_declined_and_kept()
    {
        // tok_chargeCustomerFail attaches, then every charge is declined (§18.3).
        var cus = (string)(await NewCustomer(("source", "tok_chargeCustomerFail")))["id"]!;
        var card = (string)(await Get($"/v1/customers/{cus}"))["default_source"]!;
        var err = await (await _c.PostFormAsync("/v1/charges", ("amount", "2500"), ("currency", "usd"), ("customer", cus))).ErrorAsync(402);
        Assert.Equal("card_error", (string)err["type"]!);
        Assert.Equal("card_declined", (string)err["code"]!);
        var failed = await Get($"/v1/charges/{err["charge"]}");
        Assert.Equal("failed", (string)failed["status"]!);
        Assert.Equal(card, (string)failed["source"]!["id"]!);
        Assert.Single(await Events("charge.failed"));
    }

    [Fact]
    public async Task Source_decline_cards_cannot_be_saved_and_nothing_is_kept()
    {
        var err = await (await _c.PostFormAsync("/v1/customers", ("source", "tok_chargeDeclined"), ("email", "x@example.com"))).ErrorAsync(402);
        Assert.Equal("card_error", (string)err["type"]!);
        Assert.Equal("card_declined", (string)err["code"]!);
        Assert.Equal("generic_decline", (string)err["decline_code"]!);
        Assert.Empty((await Get("/v1/customers"))["data"]!.AsArray());
        Assert.Empty(await Events("customer.created"));

        var cus = (string)(await NewCustomer())["id"]!;
        var tok = (string)(await (await _c.PostFormAsync("/v1/tokens", ("card[number]", "4000000000009995"),
            ("card[exp_month]", "12"), ("card[exp_year]", "2030"))).OkAsync())["id"]!;
        var insufficient = await (await _c.PostFormAsync($"/v1/customers/{cus}/sources", ("source", tok))).ErrorAsync(402);
        Assert.Equal("insufficient_funds", (string)insufficient["decline_code"]!);
        Assert.False((bool)(await Get($"/v1/tokens/{tok}"))["used"]!);
        Assert.Empty((await Get($"/v1/customers/{cus}/sources"))["data"]!.AsArray());
        Assert.Null((await Get($"/v1/customers/{cus}"))["default_source"]);
        Assert.Empty(await Events("customer.source.created"));
    }

    [Fact]
    public async Task Source_created_token_is_used_up_and_keeps_its_card_id()
    {
        var cus = (string)(await NewCustomer())["id"]!;
        var token = await (await _c.PostFormAsync("/v1/tokens", ("card[number]", "4242424242424242"),
            ("card[exp_month]", "12"), ("card[exp_year]", "2030"), ("card[cvc]", "123"))).OkAsync();
        var card = await AddCard(cus, (string)token["id"]!);
        Assert.Equal((string)token["card"]!["id"]!, (string)card["id"]!);
        var again = await (await _c.PostFormAsync($"/v1/customers/{cus}/sources", ("source", (string)token["id"]!))).ErrorAsync(400);
        Assert.Equal("token_already_used", (string)again["code"]!);
    }

    [Fact]
    public async Task Source_errors_are_stripe_shaped_with_the_param()
    {
        var cus = (string)(await NewCustomer())["id"]!;
        var missing = await (await _c.PostFormAsync($"/v1/customers/{cus}/sources")).ErrorAsync(400);
        Assert.Equal("parameter_missing", (string)missing["code"]!);
        Assert.Equal("source", (string)missing["param"]!);

        var noCard = await (await _c.GetAsync($"/v1/customers/{cus}/sources/card_doesnotexist")).ErrorAsync(404);
        Assert.Equal("resource_missing", (string)noCard["code"]!);
        Assert.Equal("id", (string)noCard["param"]!);
        Assert.Equal("invalid_request_error", (string)noCard["type"]!);

        var noToken = await (await _c.PostFormAsync($"/v1/customers/{cus}/sources", ("source", "tok_doesnotexist"))).ErrorAsync(404);
        Assert.Equal("source", (string)noToken["param"]!);
        var noCustomer = await (await _c.GetAsync("/v1/customers/cus_nope/sources")).ErrorAsync(404);
        Assert.Equal("resource_missing", (string)noCustomer["code"]!);

        // A card of another customer is not this customer's: not retrievable here, not chargeable with it.
        var other = (string)(await NewCustomer(("source", "tok_visa")))["id"]!;
        var otherCard = (string)(await Get($"/v1/customers/{other}"))["default_source"]!;
        await (await _c.GetAsync($"/v1/customers/{cus}/sources/{otherCard}")).ErrorAsync(404);
        var notLinked = await (await _c.PostFormAsync("/v1/charges", ("amount", "500"), ("currency", "usd"), ("customer", cus), ("source", otherCard))).ErrorAsync(404);
        Assert.Equal("source", (string)notLinked["param"]!);
        Assert.Contains(cus, (string)notLinked["message"]!);
        var noCustomerParam = await (await _c.PostFormAsync("/v1/charges", ("amount", "500"), ("currency", "usd"), ("source", otherCard))).ErrorAsync(400);
        Assert.Equal("source", (string)noCustomerParam["param"]!);
        Assert.Empty((await Get("/v1/charges"))["data"]!.AsArray());

        var unknownParam = await (await _c.PostFormAsync($"/v1/customers/{other}/sources/{otherCard}", ("number", "4242424242424242"))).ErrorAsync(400);
        Assert.Equal("parameter_unknown", (string)unknownParam["code"]!);
    }

    [Fact]
    public async Task Source_of_another_merchant_is_invisible()
    {
        var cus = (string)(await NewCustomer(("source", "tok_visa")))["id"]!;
        var card = (string)(await Get($"/v1/customers/{cus}"))["default_source"]!;
        var other = _app.Client("sk_test_other_merchant");
        var theirs = (string)(await (await other.PostFormAsync("/v1/customers")).OkAsync())["id"]!;
        var err = await (await other.PostFormAsync("/v1/charges", ("amount", "500"), ("currency", "usd"), ("customer", theirs), ("source", card))).ErrorAsync(404);
        Assert.Equal("resource_missing", (string)err["code"]!);
        await (await other.GetAsync($"/v1/customers/{cus}/sources/{card}")).ErrorAsync(404);
        await (await other.PostFormAsync($"/v1/customers/{theirs}", ("default_source", card))).ErrorAsync(404);
    }

    [Fact]
    public async Task Source_cards_alias_route_lists_the_same_cards()
    {
        var cus = (string)(await NewCustomer(("source", "tok_visa")))["id"]!;
        var list = await Get($"/v1/customers/{cus}/cards");
        Assert.Equal($"/v1/customers/{cus}/cards", (string)list["url"]!);
        Assert.Single(list["data"]!.AsArray());
    }

    [Fact]
    public async Task Source_events_reach_a_webhook_endpoint_subscribed_to_them()
    {
        await _c.CreateEndpoint("https://hooks.example.com/cards",
            "customer.source.created", "customer.source.updated", "customer.source.deleted", "customer.updated");
        var cus = (string)(await NewCustomer())["id"]!;
        var card = (string)(await AddCard(cus))["id"]!;
        await (await _c.PostFormAsync($"/v1/customers/{cus}/sources/{card}", ("name", "J R"))).OkAsync();
        await (await _c.DeleteAsync($"/v1/customers/{cus}/sources/{card}")).OkAsync();
        Assert.Equal(5, await _c.Flush());
        var types = _app.Receiver.All.Select(r => (string)r.Json["type"]!).ToList();
        Assert.Equal(["customer.source.created", "customer.updated", "customer.source.updated", "customer.source.deleted", "customer.updated"], types);
        Assert.All(_app.Receiver.All.Where(r => ((string)r.Json["type"]!).StartsWith("customer.source.")),
            r => Assert.Equal("card", (string)r.Json["data"]!["object"]!["object"]!));
    }

    [Fact]
    public async Task Source_cards_charges_and_defaults_survive_a_restart()
    {
        using var file = new TempSqliteDb("test");
        var db = file.Path;
        string cus, card, charge;
        await using (var app = new TestApp(o => { o.InMemory = false; o.Database = db; }))
        {
            var c = app.Client("sk_test_sources_durable");
            cus = (string)(await (await c.PostFormAsync("/v1/customers", ("source", "tok_visa"))).OkAsync())["id"]!;
            card = (string)(await (await c.GetAsync($"/v1/customers/{cus}")).OkAsync())["default_source"]!;
            charge = (string)(await (await c.PostFormAsync("/v1/charges", ("amount", "900"), ("currency", "usd"), ("customer", cus))).OkAsync())["id"]!;
        }
        await using (var app = new TestApp(o => { o.InMemory = false; o.Database = db; }))
        {
            var c = app.Client("sk_test_sources_durable");
            Assert.Equal(card, (string)(await (await c.GetAsync($"/v1/customers/{cus}")).OkAsync())["default_source"]!);
            Assert.Equal("4242", (string)(await (await c.GetAsync($"/v1/customers/{cus}/sources/{card}")).OkAsync())["last4"]!);
            Assert.Equal(card, (string)(await (await c.GetAsync($"/v1/charges/{charge}")).OkAsync())["source"]!["id"]!);
            var ev = (await (await c.GetAsync("/v1/events?type=customer.source.created")).OkAsync())["data"]![0]!;
            Assert.Equal(card, (string)ev["data"]!["object"]!["id"]!);
        }
    }

    [Fact]
    public async Task Source_card_has_the_fields_of_stripes_card_fixture()
    {
        var fixture = JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "StripeReference", "fixtures3.current.json")))!
            ["resources"]!["card"]!.AsObject();
        var cus = (string)(await NewCustomer(("source", "tok_visa")))["id"]!;
        var card = await Get($"/v1/customers/{cus}/sources/{(await Get($"/v1/customers/{cus}"))["default_source"]}");
        var charge = await (await _c.PostFormAsync("/v1/charges", ("amount", "500"), ("currency", "usd"), ("customer", cus))).OkAsync();
        var tokenCard = (await Get("/v1/tokens/tok_visa"))["card"]!.AsObject();
        // A token's card has no owner and adds `networks` (Stripe's token fixture).
        foreach (var (rendered, extra) in new[] { (card, Array.Empty<string>()), (charge["source"]!.AsObject(), []), (tokenCard, ["networks"]) })
        {
            var ours = rendered.Select(kv => kv.Key).Except(extra).Order().ToList();
            var theirs = fixture.Select(kv => kv.Key).Where(k => rendered != tokenCard || k != "customer").Order().ToList();
            Assert.Equal(theirs, ours);
        }
    }

    [Fact]
    public async Task Source_update_with_a_decline_card_changes_nothing()
    {
        var cus = (string)(await NewCustomer(("source", "tok_visa"), ("name", "Before")))["id"]!;
        var card = (string)(await Get($"/v1/customers/{cus}"))["default_source"]!;
        var err = await (await _c.PostFormAsync($"/v1/customers/{cus}", ("source", "tok_chargeDeclinedInsufficientFunds"), ("name", "After"))).ErrorAsync(402);
        Assert.Equal("insufficient_funds", (string)err["decline_code"]!);
        var after = await Get($"/v1/customers/{cus}?expand[]=sources");
        Assert.Equal(("Before", card), ((string)after["name"]!, (string)after["default_source"]!));
        Assert.Single(after["sources"]!["data"]!.AsArray());
        Assert.Empty(await Events("customer.updated"));
        Assert.Empty(await Events("customer.source.deleted"));
    }

    [Fact]
    public async Task Source_added_from_a_raw_card_hash_with_metadata()
    {
        var cus = (string)(await NewCustomer())["id"]!;
        var card = await (await _c.PostFormAsync($"/v1/customers/{cus}/sources", ("source[object]", "card"),
            ("source[number]", "378282246310005"), ("source[exp_month]", "1"), ("source[exp_year]", "2032"), ("source[cvc]", "1234"),
            ("metadata[order]", "42"))).OkAsync();
        Assert.Equal(("American Express", "0005", "42", "pass"),
            ((string)card["brand"]!, (string)card["last4"]!, (string)card["metadata"]!["order"]!, (string)card["cvc_check"]!));
        var bankAccount = await (await _c.PostFormAsync($"/v1/customers/{cus}/sources", ("source[object]", "bank_account"),
            ("source[account_number]", "000123456789"))).ErrorAsync(400);
        Assert.Equal("source[object]", (string)bankAccount["param"]!);
    }
}
