using System.Text.Json.Nodes;

namespace MockProcessor.Server.Tests.Control;

/// <summary>Onboarding (/_mock/merchants), GET /v1/account, and the key table: roll with expiry, revoke, restricted keys.</summary>
public class MerchantKeyTests : IAsyncLifetime
{
    private readonly TestApp _app = new();
    public Task InitializeAsync() => Task.CompletedTask;
    public async Task DisposeAsync() => await _app.DisposeAsync();

    private async Task<JsonObject> Onboard(params (string, string)[] fields) =>
        await (await _app.Client("").PostFormAsync("/_mock/merchants", fields)).OkAsync();

    [Fact]
    public async Task Onboarding_returns_working_keys_a_webhook_endpoint_and_lists_auto_provisioned_merchants_too()
    {
        var m = await Onboard(("name", "Acme Ltd"), ("email", "ops@acme.test"), ("country", "GB"), ("default_currency", "gbp"),
            ("business[tax_id]", "GB123456789"), ("business[address][city]", "London"), ("payout_schedule[interval]", "weekly"),
            ("payout_schedule[delay_days]", "7"), ("webhook[url]", "http://127.0.0.1:9/hook"), ("webhook[enabled_events][]", "charge.succeeded"),
            ("api_version", "2024-06-20"));
        Assert.Equal("London", (string)m["business"]!["address"]!["city"]!);
        Assert.Equal("GB123456789", (string)m["business"]!["tax_id"]!);
        Assert.Equal(7, (int)m["payout_schedule"]!["delay_days"]!);
        var sk = (string)m["secret_key"]!;
        var pk = (string)m["publishable_key"]!;
        Assert.StartsWith("sk_test_", sk);
        Assert.StartsWith("pk_test_", pk);
        Assert.StartsWith("whsec_", (string)m["webhook_endpoint"]!["secret"]!);

        var accountResponse = await _app.Client(sk).GetAsync("/v1/account");
        Assert.Equal("2024-06-20", accountResponse.Headers.GetValues("Stripe-Version").Single()); // the onboarded default version
        var account = await accountResponse.OkAsync();
        Assert.Equal((string)m["id"]!, (string)account["id"]!);
        Assert.Equal("Acme Ltd", (string)account["business_profile"]!["name"]!);
        Assert.Equal("GB", (string)account["country"]!);
        Assert.Equal("weekly", (string)account["settings"]!["payouts"]!["schedule"]!["interval"]!);
        var endpoints = await (await _app.Client(sk).GetAsync("/v1/webhook_endpoints")).OkAsync();
        Assert.Equal((string)m["webhook_endpoint"]!["id"]!, (string)endpoints["data"]![0]!["id"]!);
        // The publishable key is the merchant's too, limited to Stripe's client surface.
        await (await _app.Client(pk).PostFormAsync("/v1/payment_methods", ("type", "card"), ("card[token]", "tok_visa"))).OkAsync();
        await (await _app.Client(pk).GetAsync("/v1/customers")).ErrorAsync(401);

        var auto = await (await _app.Client("sk_test_autoprovisioned").GetAsync("/v1/account")).OkAsync();
        var list = await (await _app.Client("").GetAsync("/_mock/merchants")).OkAsync();
        var listed = list["data"]!.AsArray().Select(x => (string)x!["id"]!).ToList();
        Assert.Contains((string)m["id"]!, listed);
        Assert.Contains((string)auto["id"]!, listed);
        // After creation a secret key is never shown again.
        Assert.DoesNotContain(sk, list.ToJsonString());
        var shown = await (await _app.Client("").GetAsync($"/_mock/merchants/{auto["id"]}")).OkAsync();
        Assert.True((bool)shown["auto_provisioned"]!);
        await (await _app.Client("").GetAsync("/_mock/merchants/acct_doesnotexist0000")).ErrorAsync(404);
    }

    [Fact]
    public async Task Onboarding_with_a_bad_parameter_creates_nothing()
    {
        var before = (await (await _app.Client("").GetAsync("/_mock/merchants")).OkAsync())["data"]!.AsArray().Count;
        var err = await (await _app.Client("").PostFormAsync("/_mock/merchants", ("name", "X"), ("webhook[url]", "ftp://nope"))).ErrorAsync(400);
        Assert.Equal("url", (string)err["param"]!);
        await (await _app.Client("").PostFormAsync("/_mock/merchants", ("name", "X"), ("colour", "red"))).ErrorAsync(400);
        Assert.Equal(before, (await (await _app.Client("").GetAsync("/_mock/merchants")).OkAsync())["data"]!.AsArray().Count);
    }

    [Fact]
    public async Task A_rolled_key_works_until_its_expiry_on_the_merchant_clock_then_answers_api_key_expired()
    {
        var m = await Onboard(("name", "Roll"));
        var oldKey = (string)m["secret_key"]!;
        var oldId = (string)m["keys"]!.AsArray().Single(k => (string)k!["secret"]! == oldKey)!["id"]!;
        await (await _app.Client(oldKey).PostFormAsync($"/_mock/keys/{oldKey}/roll")).ErrorAsync(404); // never the secret in a URL
        var rolled = await (await _app.Client(oldKey).PostFormAsync($"/_mock/keys/{oldId}/roll", ("expires_in", "3600"))).OkAsync();
        var newKey = (string)rolled["secret"]!;
        Assert.NotEqual(oldKey, newKey);
        await (await _app.Client(oldKey).GetAsync("/v1/account")).OkAsync();
        await (await _app.Client(newKey).PostFormAsync("/_mock/merchant_clock/advance", ("seconds", "3600"))).OkAsync();
        var err = await (await _app.Client(oldKey).GetAsync("/v1/account")).ErrorAsync(401);
        Assert.Equal("api_key_expired", (string)err["code"]!);
        Assert.DoesNotContain(oldKey, (string)err["message"]!);
        await (await _app.Client(newKey).GetAsync("/v1/account")).OkAsync();
    }

    [Fact]
    public async Task An_auto_provisioned_key_can_be_rolled_and_revoked()
    {
        var legacy = _app.Client("sk_test_legacy_roll");
        var id = (string)(await (await legacy.GetAsync("/v1/account")).OkAsync())["id"]!;
        var listed = await (await legacy.GetAsync("/_mock/keys")).OkAsync();
        Assert.Contains(listed["data"]!.AsArray(), k => (string)k!["id"]! == "key_implicit_secret" && (string)k["secret"]! == "sk_test_****"); // redacted: the full key is not kept
        var rolled = await (await legacy.PostFormAsync("/_mock/keys/key_implicit_secret/roll")).OkAsync();
        Assert.Equal("api_key_expired", (string)(await (await legacy.GetAsync("/v1/account")).ErrorAsync(401))["code"]!);
        var fresh = _app.Client((string)rolled["secret"]!);
        Assert.Equal(id, (string)(await (await fresh.GetAsync("/v1/account")).OkAsync())["id"]!);
        await (await fresh.PostFormAsync($"/_mock/keys/{rolled["id"]}/revoke")).OkAsync();
        var err = await (await fresh.GetAsync("/v1/account")).ErrorAsync(401);
        Assert.Null(err["code"]);
        Assert.StartsWith("Invalid API Key provided", (string)err["message"]!);
    }

    [Fact]
    public async Task A_restricted_key_is_held_to_its_permissions()
    {
        var sk = _app.Client("sk_test_restricting");
        var merchant = (string)(await (await sk.GetAsync("/v1/account")).OkAsync())["id"]!;
        var rk = await (await sk.PostFormAsync("/_mock/keys", ("type", "restricted"), ("permissions[customers]", "read"),
            ("permissions[payment_intents]", "write"))).OkAsync();
        var secret = (string)rk["secret"]!;
        Assert.StartsWith("rk_test_", secret);
        var restricted = _app.Client(secret);
        await (await restricted.GetAsync("/v1/customers")).OkAsync();
        await (await restricted.PostFormAsync("/v1/payment_intents", ("amount", "500"), ("currency", "usd"))).OkAsync();
        await (await restricted.GetAsync("/v1/payment_intents")).OkAsync(); // write implies read
        var write = await (await restricted.PostFormAsync("/v1/customers", ("name", "x"))).ErrorAsync(403);
        Assert.Equal("invalid_request_error", (string)write["type"]!);
        Assert.Contains($"on account '{merchant}'", (string)write["message"]!);
        Assert.Contains("'rak_customer_write' permission", (string)write["message"]!);
        var read = await (await restricted.GetAsync("/v1/charges")).ErrorAsync(403);
        Assert.Contains("'rak_charge_read' permission", (string)read["message"]!);
        Assert.Empty((await (await sk.GetAsync("/v1/customers")).OkAsync())["data"]!.AsArray());
    }

    [Fact]
    public async Task Onboarded_keys_work_with_strict_keys()
    {
        await using var strict = new TestApp(o => o.StrictKeys = true);
        var m = await (await strict.Client("").PostFormAsync("/_mock/merchants", ("name", "Strict"))).OkAsync();
        await (await strict.Client((string)m["secret_key"]!).GetAsync("/v1/account")).OkAsync();
        await (await strict.Client("sk_test_unknown").GetAsync("/v1/account")).ErrorAsync(401);
    }
}
