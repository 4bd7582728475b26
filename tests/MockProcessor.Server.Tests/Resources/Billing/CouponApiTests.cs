using System.Text.Json.Nodes;

namespace MockProcessor.Server.Tests.Resources.Billing;

/// <summary>/v1/coupons and /v1/promotion_codes: terms, validity, uniqueness of codes, events (docs/discounts.md).</summary>
public class CouponApiTests : IAsyncLifetime
{
    private readonly TestApp _app = new();
    private HttpClient _c = null!;

    public Task InitializeAsync() { _c = _app.Client("sk_test_coupons"); return Task.CompletedTask; }
    public async Task DisposeAsync() => await _app.DisposeAsync();

    private async Task<JsonObject> Post(string url, params (string, string)[] fields) => await (await _c.PostFormAsync(url, fields)).OkAsync();
    private async Task<JsonObject> Fail(int status, string url, params (string, string)[] fields) => await (await _c.PostFormAsync(url, fields)).ErrorAsync(status);

    [Fact]
    public async Task Coupon_lifecycle_with_chosen_id_and_events()
    {
        var co = await Post("/v1/coupons", ("id", "SUMMER20"), ("percent_off", "20.5"), ("duration", "repeating"),
            ("duration_in_months", "3"), ("name", "Summer"), ("max_redemptions", "5"), ("metadata[k]", "v"));
        Assert.Equal("SUMMER20", (string)co["id"]!);
        Assert.Equal("coupon", (string)co["object"]!);
        Assert.Equal(20.5, (double)co["percent_off"]!);
        Assert.Null(co["amount_off"]);
        Assert.Equal("repeating", (string)co["duration"]!);
        Assert.Equal(3, (long)co["duration_in_months"]!);
        Assert.True((bool)co["valid"]!);
        Assert.Equal(0, (long)co["times_redeemed"]!);

        var updated = await Post("/v1/coupons/SUMMER20", ("name", "Summer sale"));
        Assert.Equal("Summer sale", (string)updated["name"]!);
        // The terms are fixed: percent_off is not an update parameter.
        var terms = await Fail(400, "/v1/coupons/SUMMER20", ("percent_off", "50"));
        Assert.Equal("parameter_unknown", (string)terms["code"]!);

        var dup = await Fail(400, "/v1/coupons", ("id", "SUMMER20"), ("percent_off", "10"));
        Assert.Equal("resource_already_exists", (string)dup["code"]!);

        var other = await Post("/v1/coupons", ("amount_off", "500"), ("currency", "USD"));
        Assert.Equal(8, ((string)other["id"]!).Length);
        Assert.Equal("usd", (string)other["currency"]!);
        Assert.Equal("once", (string)other["duration"]!);
        var list = await (await _c.GetAsync("/v1/coupons")).OkAsync();
        Assert.Equal([(string)other["id"]!, "SUMMER20"], list["data"]!.AsArray().Select(x => (string)x!["id"]!).ToArray());

        var deleted = await (await _c.DeleteAsync("/v1/coupons/SUMMER20")).OkAsync();
        Assert.True((bool)deleted["deleted"]!);
        Assert.Equal("resource_missing", (string)(await (await _c.GetAsync("/v1/coupons/SUMMER20")).ErrorAsync(404))["code"]!);
        list = await (await _c.GetAsync("/v1/coupons")).OkAsync();
        Assert.Single(list["data"]!.AsArray());

        var events = await (await _c.GetAsync("/v1/events")).OkAsync();
        Assert.Equal(["coupon.deleted", "coupon.created", "coupon.updated", "coupon.created"],
            events["data"]!.AsArray().Select(e => (string)e!["type"]!).ToArray());
        Assert.Equal("Summer", (string)events["data"]![2]!["data"]!["previous_attributes"]!["name"]!);
    }

    [Theory]
    [InlineData("percent_off", "0", "", "")]
    [InlineData("percent_off", "100.5", "", "")]
    [InlineData("amount_off", "500", "", "")]
    [InlineData("percent_off", "10", "duration", "repeating")]
    [InlineData("percent_off", "10", "duration_in_months", "3")]
    [InlineData("percent_off", "10", "redeem_by", "1")]
    public async Task Bad_coupon_terms_are_400_with_a_param(string k1, string v1, string k2, string v2)
    {
        (string, string)[] fields = k2 == "" ? [(k1, v1)] : [(k1, v1), (k2, v2)];
        var error = await Fail(400, "/v1/coupons", fields);
        Assert.Equal("invalid_request_error", (string)error["type"]!);
        Assert.False(string.IsNullOrEmpty((string?)error["param"]));
        var list = await (await _c.GetAsync("/v1/coupons")).OkAsync();
        Assert.Empty(list["data"]!.AsArray());
    }

    [Fact]
    public async Task Both_kinds_of_discount_at_once_are_refused()
    {
        var error = await Fail(400, "/v1/coupons", ("percent_off", "10"), ("amount_off", "100"), ("currency", "usd"));
        Assert.Contains("percent_off", (string)error["message"]!);
    }

    [Fact]
    public async Task Coupon_past_redeem_by_becomes_invalid_on_the_clock()
    {
        var now = (long)(await Post("/v1/coupons", ("percent_off", "10")))["created"]!;
        var co = await Post("/v1/coupons", ("id", "SOON"), ("percent_off", "10"), ("redeem_by", (now + 3600).ToString()));
        Assert.True((bool)co["valid"]!);
        var promo = await Post("/v1/promotion_codes", ("promotion[type]", "coupon"), ("promotion[coupon]", "SOON"), ("code", "SOON10"));
        Assert.True((bool)promo["active"]!);
        await Post("/_mock/clock/advance", ("seconds", "7200"));
        Assert.False((bool)(await (await _c.GetAsync("/v1/coupons/SOON")).OkAsync())["valid"]!);
        Assert.False((bool)(await (await _c.GetAsync($"/v1/promotion_codes/{(string)promo["id"]!}")).OkAsync())["active"]!);
        var late = await Fail(400, "/v1/promotion_codes", ("promotion[coupon]", "SOON"));
        Assert.Equal("promotion[coupon]", (string)late["param"]!);
    }

    [Fact]
    public async Task Promotion_codes_are_unique_among_active_ones_ignoring_case()
    {
        await Post("/v1/coupons", ("id", "TEN"), ("percent_off", "10"), ("max_redemptions", "10"));
        var first = await Post("/v1/promotion_codes", ("promotion[type]", "coupon"), ("promotion[coupon]", "TEN"), ("code", "Save-10"),
            ("max_redemptions", "3"), ("restrictions[first_time_transaction]", "true"),
            ("restrictions[minimum_amount]", "1000"), ("restrictions[minimum_amount_currency]", "usd"), ("expand[]", "promotion.coupon"));
        Assert.StartsWith("promo_", (string)first["id"]!);
        Assert.Equal("coupon", (string)first["promotion"]!["type"]!);
        Assert.Equal("TEN", (string)first["promotion"]!["coupon"]!["id"]!);
        Assert.True((bool)first["restrictions"]!["first_time_transaction"]!);
        Assert.Equal(1000, (long)first["restrictions"]!["minimum_amount"]!);
        Assert.False(first.ContainsKey("coupon"), "the current version names the coupon under promotion");

        var clash = await Fail(400, "/v1/promotion_codes", ("promotion[coupon]", "TEN"), ("code", "SAVE-10"));
        Assert.Equal("code", (string)clash["param"]!);
        var tooMany = await Fail(400, "/v1/promotion_codes", ("promotion[coupon]", "TEN"), ("max_redemptions", "11"));
        Assert.Equal("max_redemptions", (string)tooMany["param"]!);
        var badCode = await Fail(400, "/v1/promotion_codes", ("promotion[coupon]", "TEN"), ("code", "no spaces"));
        Assert.Equal("code", (string)badCode["param"]!);
        var missing = await Fail(404, "/v1/promotion_codes", ("promotion[coupon]", "NOPE"));
        Assert.Equal("promotion[coupon]", (string)missing["param"]!);

        var off = await Post($"/v1/promotion_codes/{(string)first["id"]!}", ("active", "false"));
        Assert.False((bool)off["active"]!);
        var second = await Post("/v1/promotion_codes", ("coupon", "TEN"), ("code", "SAVE-10"));
        var reactivate = await Fail(400, $"/v1/promotion_codes/{(string)first["id"]!}", ("active", "true"));
        Assert.Equal("active", (string)reactivate["param"]!);

        var byCode = await (await _c.GetAsync("/v1/promotion_codes?code=save-10&active=true")).OkAsync();
        Assert.Equal([(string)second["id"]!], byCode["data"]!.AsArray().Select(x => (string)x!["id"]!).ToArray());
        var all = await (await _c.GetAsync("/v1/promotion_codes?coupon=TEN")).OkAsync();
        Assert.Equal(2, all["data"]!.AsArray().Count);

        var events = await (await _c.GetAsync("/v1/events?type=promotion_code.updated")).OkAsync();
        Assert.True((bool)events["data"]![0]!["data"]!["previous_attributes"]!["active"]!);
    }
}
