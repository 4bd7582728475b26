using System.Text.Json.Nodes;

namespace MockProcessor.Server.Tests.Resources;

public class ProductPriceApiTests : IAsyncLifetime
{
    private readonly TestApp _app = new();
    private HttpClient _c = null!;

    public Task InitializeAsync() { _c = _app.Client("sk_test_catalog"); return Task.CompletedTask; }
    public async Task DisposeAsync() => await _app.DisposeAsync();

    private async Task<JsonObject> Post(string url, params (string, string)[] fields) => await (await _c.PostFormAsync(url, fields)).OkAsync();
    private async Task<JsonObject> Product(params (string Key, string Value)[] fields) =>
        await Post("/v1/products", fields.Any(f => f.Key == "name") ? fields : [("name", "T-shirt"), .. fields]);
    private async Task<JsonObject> Price(string product, params (string, string)[] fields) =>
        await Post("/v1/prices", fields.Any(f => f.Item1 == "currency") ? [("product", product), .. fields] : [("product", product), ("currency", "usd"), .. fields]);

    [Fact]
    public async Task Product_with_default_price_data_creates_the_price_and_announces_both()
    {
        var prod = await Product(("id", "prod_tshirt"), ("description", "Gray"), ("images[0]", "https://img/1.png"),
            ("marketing_features[0][name]", "Soft"), ("default_price_data[currency]", "usd"), ("default_price_data[unit_amount]", "2000"),
            ("default_price_data[recurring][interval]", "month"), ("expand[]", "default_price"));
        Assert.Equal("prod_tshirt", (string)prod["id"]!);
        Assert.Equal("Soft", (string)prod["marketing_features"]![0]!["name"]!);
        var price = prod["default_price"]!.AsObject();
        Assert.StartsWith("price_", (string)price["id"]!);
        Assert.Equal("prod_tshirt", (string)price["product"]!);
        Assert.Equal("recurring", (string)price["type"]!);
        Assert.Equal(2000, (long)price["unit_amount"]!);
        Assert.Equal("2000", (string)price["unit_amount_decimal"]!);
        Assert.Equal("unspecified", (string)price["tax_behavior"]!);
        Assert.False(price.ContainsKey("currency_options"), "currency_options is includable, absent unless expanded");
        var events = await (await _c.GetAsync("/v1/events")).OkAsync();
        Assert.Equal(["price.created", "product.created"], events["data"]!.AsArray().Select(e => (string)e!["type"]!).ToArray());

        var again = await (await _c.PostFormAsync("/v1/products", ("id", "prod_tshirt"), ("name", "x"))).ErrorAsync(400);
        Assert.Equal("resource_already_exists", (string)again["code"]!);
    }

    [Fact]
    public async Task Price_validation_answers_with_Stripe_errors()
    {
        var prod = (string)(await Product())["id"]!;
        var missing = await (await _c.PostFormAsync("/v1/prices", ("product", prod), ("unit_amount", "100"))).ErrorAsync(400);
        Assert.Equal(("parameter_missing", "currency"), ((string)missing["code"]!, (string)missing["param"]!));
        var noProduct = await (await _c.PostFormAsync("/v1/prices", ("currency", "usd"), ("unit_amount", "100"))).ErrorAsync(400);
        Assert.Equal("product", (string)noProduct["param"]!);
        var unknown = await (await _c.PostFormAsync("/v1/prices", ("product", "prod_nope"), ("currency", "usd"), ("unit_amount", "1"))).ErrorAsync(404);
        Assert.Equal(("resource_missing", "product"), ((string)unknown["code"]!, (string)unknown["param"]!));
        var negative = await (await _c.PostFormAsync("/v1/prices", ("product", prod), ("currency", "usd"), ("unit_amount", "-1"))).ErrorAsync(400);
        Assert.Equal("unit_amount", (string)negative["param"]!);
        var interval = await (await _c.PostFormAsync("/v1/prices", ("product", prod), ("currency", "usd"), ("unit_amount", "1"), ("recurring[interval]", "fortnight"))).ErrorAsync(400);
        Assert.Equal("recurring[interval]", (string)interval["param"]!);
        var tooLong = await (await _c.PostFormAsync("/v1/prices", ("product", prod), ("currency", "usd"), ("unit_amount", "1"),
            ("recurring[interval]", "month"), ("recurring[interval_count]", "37"))).ErrorAsync(400);
        Assert.Equal("recurring[interval_count]", (string)tooLong["param"]!);
        var ok = await Price(prod, ("unit_amount", "1"), ("recurring[interval]", "week"), ("recurring[interval_count]", "156"));
        Assert.Equal(156, (long)ok["recurring"]!["interval_count"]!);
        var list = await (await _c.GetAsync("/v1/prices")).OkAsync();
        Assert.Single(list["data"]!.AsArray()); // nothing half-written by the refused calls
    }

    [Fact]
    public async Task Lookup_key_is_unique_and_moves_with_transfer_lookup_key()
    {
        var prod = (string)(await Product())["id"]!;
        var first = await Price(prod, ("unit_amount", "1000"), ("lookup_key", "standard_monthly"));
        var clash = await (await _c.PostFormAsync("/v1/prices", ("product", prod), ("currency", "usd"), ("unit_amount", "1200"),
            ("lookup_key", "standard_monthly"))).ErrorAsync(400);
        Assert.Equal($"A price (`{first["id"]}`) already uses that lookup key.", (string)clash["message"]!);
        Assert.Equal("lookup_key", (string)clash["param"]!);

        var second = await Price(prod, ("unit_amount", "1200"), ("lookup_key", "standard_monthly"), ("transfer_lookup_key", "true"));
        var old = await (await _c.GetAsync($"/v1/prices/{first["id"]}")).OkAsync();
        Assert.Null(old["lookup_key"]);
        var found = await (await _c.GetAsync("/v1/prices?lookup_keys[]=standard_monthly&lookup_keys[]=other")).OkAsync();
        Assert.Equal([(string)second["id"]!], found["data"]!.AsArray().Select(p => (string)p!["id"]!).ToArray());
        var updated = await (await _c.GetAsync("/v1/events?type=price.updated")).OkAsync();
        Assert.Equal("standard_monthly", (string)updated["data"]![0]!["data"]!["previous_attributes"]!["lookup_key"]!);
    }

    [Fact]
    public async Task Default_price_rules_and_product_deletion()
    {
        var prod = (string)(await Product())["id"]!;
        var other = (string)(await Product(("name", "Other")))["id"]!;
        var price = (string)(await Price(prod, ("unit_amount", "500")))["id"]!;
        var foreign = (string)(await Price(other, ("unit_amount", "700")))["id"]!;
        var wrong = await (await _c.PostFormAsync($"/v1/products/{prod}", ("default_price", foreign))).ErrorAsync(400);
        Assert.Equal("default_price", (string)wrong["param"]!);
        var set = await Post($"/v1/products/{prod}", ("default_price", price));
        Assert.Equal(price, (string)set["default_price"]!);
        var archive = await (await _c.PostFormAsync($"/v1/prices/{price}", ("active", "false"))).ErrorAsync(400);
        Assert.Equal("This price cannot be archived because it is the default price of its product.", (string)archive["message"]!);
        var delete = await (await _c.DeleteAsync($"/v1/products/{prod}")).ErrorAsync(400);
        Assert.Equal("This product cannot be deleted because it has one or more user-created prices.", (string)delete["message"]!);

        var bare = (string)(await Product(("name", "Bare")))["id"]!;
        var deleted = await (await _c.DeleteAsync($"/v1/products/{bare}")).OkAsync();
        Assert.True((bool)deleted["deleted"]!);
        var noDelete = await _c.DeleteAsync($"/v1/prices/{price}");
        Assert.True((int)noDelete.StatusCode is 404 or 405);
    }

    [Fact]
    public async Task Lists_filter_and_search_uses_the_query_language()
    {
        var a = (string)(await Product(("name", "Gold plan"), ("metadata[tier]", "gold"), ("shippable", "false")))["id"]!;
        var b = (string)(await Product(("name", "Silver plan"), ("active", "false")))["id"]!;
        await Price(a, ("unit_amount", "100"));
        await Price(a, ("currency", "eur"), ("unit_amount", "100"), ("recurring[interval]", "year"));
        var inactive = await (await _c.GetAsync("/v1/products?active=false")).OkAsync();
        Assert.Equal([b], inactive["data"]!.AsArray().Select(p => (string)p!["id"]!).ToArray());
        var byIds = await (await _c.GetAsync($"/v1/products?ids[]={a}")).OkAsync();
        Assert.Single(byIds["data"]!.AsArray());
        var yearly = await (await _c.GetAsync("/v1/prices?type=recurring&recurring[interval]=year")).OkAsync();
        Assert.Equal("eur", (string)yearly["data"]![0]!["currency"]!);
        Assert.Single(yearly["data"]!.AsArray());
        var search = await (await _c.GetAsync("/v1/products/search?query=" + Uri.EscapeDataString("name~'plan' AND active:'true'"))).OkAsync();
        Assert.Equal([a], search["data"]!.AsArray().Select(p => (string)p!["id"]!).ToArray());
        var meta = await (await _c.GetAsync("/v1/products/search?query=" + Uri.EscapeDataString("metadata['tier']:'gold'"))).OkAsync();
        Assert.Single(meta["data"]!.AsArray());
        var prices = await (await _c.GetAsync("/v1/prices/search?query=" + Uri.EscapeDataString($"product:'{a}' AND type:'one_time'"))).OkAsync();
        Assert.Equal("usd", (string)prices["data"]![0]!["currency"]!);
        Assert.Single(prices["data"]!.AsArray());
    }

    [Fact]
    public async Task Tiers_currency_options_and_tax_behavior()
    {
        var prod = (string)(await Product())["id"]!;
        var tiered = await Price(prod, ("billing_scheme", "tiered"), ("tiers_mode", "graduated"), ("tiers[0][up_to]", "10"),
            ("tiers[0][unit_amount]", "100"), ("tiers[1][up_to]", "inf"), ("tiers[1][unit_amount_decimal]", "50.5"), ("expand[]", "tiers"));
        Assert.Null(tiered["unit_amount"]);
        Assert.Equal("50.5", (string)tiered["tiers"]![1]!["unit_amount_decimal"]!);
        Assert.Null(tiered["tiers"]![1]!["up_to"]);
        var multi = await Price(prod, ("unit_amount", "1000"), ("tax_behavior", "exclusive"), ("currency_options[eur][unit_amount]", "900"),
            ("expand[]", "currency_options"));
        Assert.Equal(900, (long)multi["currency_options"]!["eur"]!["unit_amount"]!);
        Assert.Equal(1000, (long)multi["currency_options"]!["usd"]!["unit_amount"]!);
        var id = (string)multi["id"]!;
        var own = await (await _c.PostFormAsync($"/v1/prices/{id}", ("currency_options[usd][unit_amount]", "1"))).ErrorAsync(400);
        Assert.Equal("currency_options[usd]", (string)own["param"]!);
        var tax = await (await _c.PostFormAsync($"/v1/prices/{id}", ("tax_behavior", "inclusive"))).ErrorAsync(400);
        Assert.Equal("tax_behavior", (string)tax["param"]!);
        var amountChange = await (await _c.PostFormAsync($"/v1/prices/{id}", ("unit_amount", "5"))).ErrorAsync(400);
        Assert.Equal("parameter_unknown", (string)amountChange["code"]!);
    }
}
