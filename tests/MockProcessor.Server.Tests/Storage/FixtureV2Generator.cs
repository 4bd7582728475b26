using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;

namespace MockProcessor.Server.Tests.Storage;

/// <summary>
/// Made Fixtures/schema-v2.db and schema-v2.answers.json with the schema v2 build (run once, with
/// MAKE_V2_FIXTURE=&lt;dir&gt;; a no-op otherwise). Kept in the history only: after the format change it would write a v3 file.
/// </summary>
public class FixtureV2Generator
{
    public const string Key = "sk_test_fixtureV2merchant0001";

    [Fact]
    public async Task Make_the_schema_v2_fixture()
    {
        var dir = Environment.GetEnvironmentVariable("MAKE_V2_FIXTURE");
        if (string.IsNullOrEmpty(dir)) return;
        Directory.CreateDirectory(dir);
        var db = Path.Combine(dir, "schema-v2.db");
        foreach (var f in new[] { db, db + "-wal", db + "-shm" }) File.Delete(f);
        var answers = new JsonObject();
        await using (var app = new TestApp(o => { o.InMemory = false; o.Database = db; }))
        {
            var c = app.Client(Key);
            async Task<JsonObject> Post(string url, params (string, string)[] f) => await (await c.PostFormAsync(url, f)).OkAsync();
            await Post("/_mock/payouts/settings", ("schedule[interval]", "manual"));
            var cus = await Post("/v1/customers", ("name", "Fixture Customer"), ("email", "fixture@example.com"),
                ("metadata[OrderRef]", "A-1"), ("metadata[snake_key]", "b"));
            var cusId = (string)cus["id"]!;
            var pm = await Post("/v1/payment_methods/pm_card_visa/attach", ("customer", cusId));
            var pmId = (string)pm["id"]!;
            var pi = await Post("/v1/payment_intents", ("amount", "2000"), ("currency", "usd"), ("customer", cusId),
                ("payment_method", pmId), ("confirm", "true"), ("automatic_payment_methods[enabled]", "true"), ("automatic_payment_methods[allow_redirects]", "never"), ("metadata[Cart]", "42"));
            var piId = (string)pi["id"]!;
            var chargeId = (string)pi["latest_charge"]!;
            var refund = await Post("/v1/refunds", ("payment_intent", piId), ("amount", "500"));
            var funded = await Post("/v1/charges", ("amount", "10000"), ("currency", "usd"), ("source", "tok_bypassPending"));
            var disputed = await Post("/v1/charges", ("amount", "3000"), ("currency", "usd"), ("source", "tok_createDispute"));
            var we = await Post("/v1/webhook_endpoints", ("url", "https://example.test/hook"), ("enabled_events[]", "*"));
            var po = await Post("/v1/payouts", ("amount", "1000"), ("currency", "usd"));
            var paths = new List<string>
            {
                "/v1/account", $"/v1/customers/{cusId}", "/v1/customers", $"/v1/payment_methods/{pmId}",
                $"/v1/customers/{cusId}/payment_methods?type=card", $"/v1/payment_intents/{piId}", "/v1/payment_intents",
                $"/v1/charges/{chargeId}", $"/v1/charges/{funded["id"]}", $"/v1/charges/{disputed["id"]}", "/v1/charges?limit=100",
                $"/v1/refunds/{refund["id"]}", "/v1/refunds", "/v1/disputes", $"/v1/webhook_endpoints/{we["id"]}", "/v1/webhook_endpoints",
                $"/v1/payouts/{po["id"]}", "/v1/payouts", "/v1/balance", "/v1/balance_transactions?limit=100", "/v1/events?limit=100",
                "/_mock/payouts/settings",
            };
            var events = (await (await c.GetAsync("/v1/events?limit=100")).OkAsync())["data"]!.AsArray();
            paths.AddRange(events.Select(e => $"/v1/events/{e!["id"]}"));
            foreach (var path in paths)
                answers[path] = await (await c.GetAsync(path)).OkAsync();
        }
        using (var conn = new SqliteConnection($"Data Source={db};Pooling=False"))
        {
            conn.Open();
            using var cmd = conn.CreateCommand();
            cmd.CommandText = "PRAGMA wal_checkpoint(TRUNCATE); PRAGMA journal_mode=DELETE;";
            cmd.ExecuteNonQuery();
        }
        SqliteConnection.ClearAllPools();
        await File.WriteAllTextAsync(Path.Combine(dir, "schema-v2.answers.json"),
            answers.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
    }
}
