using System.Text.Json.Nodes;
using MockProcessor.Server.Storage;

namespace MockProcessor.Server.Tests.Storage;

/// <summary>DurabilityTests' restarts through the HTTP host, with <c>--db</c> naming a PostgreSQL database.</summary>
public class PostgresDurabilityTests
{
    private static async Task<JsonObject> CreateAndConfirm(HttpClient c, int amount, string key) =>
        await (await c.PostRawAsync("/v1/payment_intents",
            $"amount={amount}&currency=usd&confirm=true&payment_method=pm_card_visa&allowed_payment_method_types[]=card&metadata[n]={amount}", key)).OkAsync();

    [PostgresFact]
    public async Task Payment_intents_lists_events_and_replays_survive_a_restart()
    {
        using var db = new PostgresTestDatabase();
        var ids = new List<string>();
        JsonArray events;
        byte[] firstBody;
        await using (var app = new TestApp(o => { o.InMemory = false; o.Database = db.Url; }))
        {
            var c = app.Client("sk_test_pg_restart");
            for (var i = 1; i <= 5; i++) ids.Add((string)(await CreateAndConfirm(c, 1000 + i, $"key-{i}"))["id"]!);
            var replayed = await c.PostRawAsync("/v1/payment_intents",
                "amount=1001&currency=usd&confirm=true&payment_method=pm_card_visa&allowed_payment_method_types[]=card&metadata[n]=1001", "key-1");
            firstBody = await replayed.Content.ReadAsByteArrayAsync();
            events = (await (await c.GetAsync("/v1/events?limit=100")).OkAsync())["data"]!.AsArray();
            Assert.Contains(events, e => (string)e!["type"]! == "payment_intent.succeeded");
        }
        Assert.True(db.Scalar<long>("SELECT COUNT(*) FROM objects WHERE type = 'payment_intent'") >= 5);
        await using (var app = new TestApp(o => { o.InMemory = false; o.Database = db.Url; o.Seed = 9; }))
        {
            var c = app.Client("sk_test_pg_restart");
            var list = await (await c.GetAsync("/v1/payment_intents?limit=10")).OkAsync();
            Assert.Equal(Enumerable.Reverse(ids), list["data"]!.AsArray().Select(p => (string)p!["id"]!));
            Assert.All(list["data"]!.AsArray(), p => Assert.Equal("succeeded", (string)p!["status"]!));
            var third = await (await c.GetAsync($"/v1/payment_intents/{ids[2]}")).OkAsync();
            Assert.Equal(1003, (long)third["amount"]!);
            Assert.Equal("1003", (string)third["metadata"]!["n"]!);
            // A page after a cursor, events as they were, the idempotent replay byte for byte.
            var page = await (await c.GetAsync($"/v1/payment_intents?limit=2&starting_after={ids[3]}")).OkAsync();
            Assert.Equal([ids[2], ids[1]], page["data"]!.AsArray().Select(p => (string)p!["id"]!));
            var after = (await (await c.GetAsync("/v1/events?limit=100")).OkAsync())["data"]!.AsArray();
            Assert.Equal(events.Select(e => (string)e!["id"]!), after.Select(e => (string)e!["id"]!));
            Assert.Equal(events.Select(e => (string)e!["type"]!), after.Select(e => (string)e!["type"]!));
            var replay = await c.PostRawAsync("/v1/payment_intents",
                "amount=1001&currency=usd&confirm=true&payment_method=pm_card_visa&allowed_payment_method_types[]=card&metadata[n]=1001", "key-1");
            Assert.Equal(firstBody, await replay.Content.ReadAsByteArrayAsync());
            // New objects list after the old ones.
            var newer = (string)(await CreateAndConfirm(c, 2000, "key-new"))["id"]!;
            var top = await (await c.GetAsync("/v1/payment_intents?limit=2")).OkAsync();
            Assert.Equal([newer, ids[4]], top["data"]!.AsArray().Select(p => (string)p!["id"]!));
        }
    }

    [PostgresFact]
    public async Task Superseded_versions_are_compacted_in_the_background_after_start()
    {
        using var db = new PostgresTestDatabase();
        string customerId;
        await using (var app = new TestApp(o => { o.InMemory = false; o.Database = db.Url; }))
        {
            var c = app.Client("sk_test_pg_compaction");
            customerId = (string)(await (await c.PostFormAsync("/v1/customers", ("name", "v0"))).OkAsync())["id"]!;
            for (var i = 1; i <= 5; i++) await (await c.PostFormAsync($"/v1/customers/{customerId}", ("name", $"v{i}"))).OkAsync();
        }
        Assert.Equal(6L, db.Scalar<long>("SELECT COUNT(*) FROM objects WHERE id = $1", customerId));
        await using (var app = new TestApp(o => { o.InMemory = false; o.Database = db.Url; }))
        {
            var c = app.Client("sk_test_pg_compaction");
            Assert.Equal("v5", (string)(await (await c.GetAsync($"/v1/customers/{customerId}")).OkAsync())["name"]!);
            var store = (ObjectStore)app.Services.GetService(typeof(ObjectStore))!;
            for (var i = 0; i < 200 && store.CompactionPending > 0; i++) await Task.Delay(25);
            Assert.Equal(0, store.CompactionPending);
        }
        Assert.Equal(1L, db.Scalar<long>("SELECT COUNT(*) FROM objects WHERE id = $1", customerId));
        await using (var app = new TestApp(o => { o.InMemory = false; o.Database = db.Url; }))
            Assert.Equal("v5", (string)(await (await app.Client("sk_test_pg_compaction").GetAsync($"/v1/customers/{customerId}")).OkAsync())["name"]!);
    }
}
