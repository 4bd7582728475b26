using System.Text.Json.Nodes;

namespace MockProcessor.Server.Tests.Storage;

/// <summary>
/// Replay at start-up rebuilds the account trees (docs/connect.md): a connected account's objects return to its
/// platform's tree, both balances and the platform's Connect objects are as acknowledged, keys keep their state.
/// </summary>
public class ConnectDurabilityTests
{
    private static HttpClient As(TestApp app, string key, string account)
    {
        var c = app.Client(key);
        c.DefaultRequestHeaders.Add("Stripe-Account", account);
        return c;
    }

    private static async Task<string> State(TestApp app, string key, string acct)
    {
        var p = app.Client(key);
        var c = As(app, key, acct);
        var s = new JsonObject();
        foreach (var (name, client, path) in new[]
                 {
                     ("p_balance", p, "/v1/balance"), ("p_txns", p, "/v1/balance_transactions?limit=100"), ("p_transfers", p, "/v1/transfers"),
                     ("p_fees", p, "/v1/application_fees"), ("p_events", p, "/v1/events?limit=100"), ("p_accounts", p, "/v1/accounts"),
                     ("c_balance", c, "/v1/balance"), ("c_txns", c, "/v1/balance_transactions?limit=100"), ("c_charges", c, "/v1/charges"),
                     ("c_events", c, "/v1/events?limit=100"), ("c_account", c, "/v1/account"),
                 })
            s[name] = JsonNode.Parse(await (await client.GetAsync(path)).Content.ReadAsStringAsync());
        return s.ToJsonString();
    }

    [Fact]
    public async Task Platforms_connected_accounts_money_and_keys_survive_a_restart()
    {
        using var file = new TempSqliteDb("connect");
        var db = file.Path;
        const string key = "sk_test_durable_platform";
        string acct, before, onboardedKey, rolledAway;
        await using (var app = new TestApp(o => { o.InMemory = false; o.Database = db; }))
        {
            var p = app.Client(key);
            acct = (string)(await (await p.PostFormAsync("/v1/accounts", ("type", "custom"))).OkAsync())["id"]!;
            await (await p.PostFormAsync("/v1/payment_intents", ("amount", "8000"), ("currency", "usd"), ("confirm", "true"),
                ("payment_method", "pm_card_visa"), ("allowed_payment_method_types[]", "card"), ("transfer_data[destination]", acct),
                ("application_fee_amount", "800"))).OkAsync();
            await (await As(app, key, acct).PostFormAsync("/v1/payment_intents", ("amount", "3000"), ("currency", "usd"), ("confirm", "true"),
                ("payment_method", "pm_card_visa"), ("allowed_payment_method_types[]", "card"), ("application_fee_amount", "300"))).OkAsync();
            var m = await (await app.Client("").PostFormAsync("/_mock/merchants", ("name", "Durable"))).OkAsync();
            rolledAway = (string)m["secret_key"]!;
            var keyId = (string)m["keys"]!.AsArray().Single(k => (string)k!["secret"]! == rolledAway)!["id"]!;
            onboardedKey = (string)(await (await app.Client(rolledAway).PostFormAsync($"/_mock/keys/{keyId}/roll")).OkAsync())["secret"]!;
            before = await State(app, key, acct);
        }
        await using (var app = new TestApp(o => { o.InMemory = false; o.Database = db; o.StrictKeys = true; }))
        {
            Assert.Equal(before, await State(app, key, acct));
            Assert.Equal(200, (int)(await app.Client(onboardedKey).GetAsync("/v1/account")).StatusCode);
            Assert.Equal("api_key_expired", (string)(await (await app.Client(rolledAway).GetAsync("/v1/account")).ErrorAsync(401))["code"]!);
            // The tree still works after the replay: a new direct charge on the connected account.
            await (await As(app, key, acct).PostFormAsync("/v1/payment_intents", ("amount", "1000"), ("currency", "usd"), ("confirm", "true"),
                ("payment_method", "pm_card_visa"), ("allowed_payment_method_types[]", "card"), ("application_fee_amount", "100"))).OkAsync();
            Assert.Equal(2, (await (await app.Client(key).GetAsync("/v1/application_fees")).OkAsync())["data"]!.AsArray().Count(f => (string)f!["account"]! == acct && f["balance_transaction"] is not null));
        }
    }
}
