using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using MockProcessor.Server.Resources;
using MockProcessor.Server.Resources.Events;
using MockProcessor.Server.Storage;
using MockProcessor.Server.Tests.Control;
using MockProcessor.Server.Time;
using MockProcessor.Server.Webhooks;

namespace MockProcessor.Server.Tests.Storage;

/// <summary>
/// The object cache of a file store (docs/storage.md, "Cold objects"): at most <c>CacheObjects</c> committed versions stay
/// in memory; older objects are read back from the file when used, with the same answers as if they had stayed.
/// </summary>
public class ColdObjectTests
{
    /// <summary>A test clock with <paramref name="count"/> customers on it, each subscribed to $15 a month paid by card.</summary>
    internal static async Task<JsonObject> ClockWithMonthlySubscriptions(HttpClient c, int count)
    {
        var clock = await c.CreateTestClockAsync(TestApp.StartTime);
        var product = await (await c.PostFormAsync("/v1/products", ("name", "Plan"))).OkAsync();
        var price = await (await c.PostFormAsync("/v1/prices", ("product", (string)product["id"]!), ("currency", "usd"),
            ("unit_amount", "1500"), ("recurring[interval]", "month"))).OkAsync();
        for (var i = 0; i < count; i++)
        {
            var cus = await (await c.PostFormAsync("/v1/customers", ("test_clock", (string)clock["id"]!), ("payment_method", "pm_card_visa"),
                ("invoice_settings[default_payment_method]", "pm_card_visa"))).OkAsync();
            await (await c.PostFormAsync("/v1/subscriptions", ("customer", (string)cus["id"]!), ("items[0][price]", (string)price["id"]!))).OkAsync();
        }
        return clock;
    }

    private static ObjectCache CacheOf(TestApp app) => ((ObjectStore)app.Services.GetService(typeof(ObjectStore))!).Cache!;

    [Fact]
    public async Task A_version_read_while_new_is_kept_on_and_one_never_read_leaves_memory_young()
    {
        using var file = new TempSqliteDb("second-chance");
        // 50 versions: the newest 10 are the new ones' share; a version read among them is kept on, within the other 40.
        await using var app = new TestApp(o => { o.InMemory = false; o.Database = file.Path; o.CacheObjects = 50; });
        var c = app.Client("sk_test_second_chance");
        var read = (string)(await (await c.PostFormAsync("/v1/customers", ("name", "read while new"))).OkAsync())["id"]!;
        var unread = (string)(await (await c.PostFormAsync("/v1/customers", ("name", "never read"))).OkAsync())["id"]!;
        await (await c.GetAsync($"/v1/customers/{read}")).OkAsync();
        // 30 customers and their events: 60 versions, so both have left the new versions' share long since.
        for (var i = 0; i < 30; i++) await (await c.PostFormAsync("/v1/customers", ("name", $"n{i}"))).OkAsync();
        var cache = CacheOf(app);
        Assert.InRange(cache.Queued, 0, 50 + 2);
        Assert.True(cache.KeptCount > 0, "the customer read while new was kept on");

        var loads = cache.Loads;
        Assert.Equal("read while new", (string)(await (await c.GetAsync($"/v1/customers/{read}")).OkAsync())["name"]!);
        Assert.Equal(loads, cache.Loads); // still in memory
        Assert.Equal("never read", (string)(await (await c.GetAsync($"/v1/customers/{unread}")).OkAsync())["name"]!);
        Assert.Equal(loads + 1, cache.Loads); // read back from the file
    }

    [Fact]
    public async Task Objects_beyond_the_limit_leave_memory_and_read_back_the_same_through_every_path()
    {
        using var file = new TempSqliteDb("cold");
        var db = file.Path;
        var ids = new List<string>();
        string firstEvent;
        await using (var app = new TestApp(o => { o.InMemory = false; o.Database = db; o.CacheObjects = 5; }))
        {
            var c = app.Client("sk_test_cold");
            for (var i = 0; i < 30; i++)
                ids.Add((string)(await (await c.PostFormAsync("/v1/customers", ("name", $"n{i}"), ("email", $"c{i}@example.com"), ("metadata[i]", $"{i}"))).OkAsync())["id"]!);
            // One more commit after the others are durable drops them: at most the limit plus that commit's own versions stay.
            await (await c.PostFormAsync("/v1/products", ("name", "later"))).OkAsync();
            var cache = CacheOf(app);
            Assert.InRange(cache.Queued, 0, 5 + 2);
            var loadsBefore = cache.Loads;

            // By id, in a list, under a secondary index (email), and as an event's data.object.
            for (var i = 0; i < 30; i++)
            {
                var cus = await (await c.GetAsync($"/v1/customers/{ids[i]}")).OkAsync();
                Assert.Equal($"n{i}", (string)cus["name"]!);
                Assert.Equal($"{i}", (string)cus["metadata"]!["i"]!);
            }
            Assert.True(cache.Loads > loadsBefore, "reading the old customers loaded them back from the file");
            var listed = await (await c.GetAsync("/v1/customers?limit=100")).OkAsync();
            Assert.Equal(Enumerable.Range(0, 30).Reverse().Select(i => $"n{i}"), listed["data"]!.AsArray().Select(x => (string)x!["name"]!));
            var events = await (await c.GetAsync("/v1/events?type=customer.created&limit=100")).OkAsync();
            var oldest = events["data"]!.AsArray().Last()!;
            firstEvent = (string)oldest["id"]!;
            Assert.Equal(ids[0], (string)oldest["data"]!["object"]!["id"]!);
            Assert.Equal("n0", (string)oldest["data"]!["object"]!["name"]!);

            // A new version of a cold object moves it between index keys (the old key is read from the cold version).
            await (await c.PostFormAsync("/v1/products", ("name", "push the customers out again"))).OkAsync();
            await (await c.PostFormAsync($"/v1/customers/{ids[0]}", ("email", "moved@example.com"))).OkAsync();
            Assert.Empty((await (await c.GetAsync("/v1/customers?email=c0%40example.com")).OkAsync())["data"]!.AsArray());
            var moved = (await (await c.GetAsync("/v1/customers?email=moved%40example.com")).OkAsync())["data"]!.AsArray();
            Assert.Equal(ids[0], (string)Assert.Single(moved)!["id"]!);
            // The update's event carries the previous email, read from the cold version.
            var updated = (await (await c.GetAsync("/v1/events?type=customer.updated&limit=1")).OkAsync())["data"]![0]!;
            Assert.Equal("c0@example.com", (string)updated["data"]!["previous_attributes"]!["email"]!);
        }
        // After a restart the limit holds from the start, and everything still reads back.
        await using (var app = new TestApp(o => { o.InMemory = false; o.Database = db; o.CacheObjects = 5; }))
        {
            Assert.InRange(CacheOf(app).Queued, 0, 5);
            var c = app.Client("sk_test_cold");
            Assert.Equal("n29", (string)(await (await c.GetAsync($"/v1/customers/{ids[29]}")).OkAsync())["name"]!);
            Assert.Equal("moved@example.com", (string)(await (await c.GetAsync($"/v1/customers/{ids[0]}")).OkAsync())["email"]!);
            var ev = await (await c.GetAsync($"/v1/events/{firstEvent}")).OkAsync();
            Assert.Equal("c0@example.com", (string)ev["data"]!["object"]!["email"]!);
        }
    }

    [Fact]
    public async Task A_long_advance_waits_for_the_disk_when_more_than_two_parts_are_not_durable()
    {
        using var file = new TempSqliteDb("cold");
        var db = file.Path;
        var gated = new GatedStore(new SqliteStore(db));
        try
        {
            await using var app = new TestApp(o => { o.InMemory = false; o.Database = db; o.AdvanceCommitObjects = 10; }, b => b.Services.AddSingleton(sp =>
                new ObjectStore(Registry.Schema(sp.GetRequiredService<WebhookDueQueue>(), sp.GetRequiredService<EventFeed>()), gated,
                    NullLogger.Instance, sp.GetRequiredService<TimerRegistry>())));
            var c = app.Client("sk_test_parts_ahead");
            var clock = await ClockWithMonthlySubscriptions(c, 3);
            var tree = ((ObjectStore)app.Services.GetService(typeof(ObjectStore))!).Accounts.MaxBy(a => a.Objects.Count)!;
            var before = tree.Objects.Count;

            gated.Close();
            var advance = c.AdvanceTestClockAsync(clock, 200 * 86_400);
            await gated.WaitForBlockedWriteAsync();
            await Task.Delay(500); // time enough for an advance that did not wait to run to its end
            var held = tree.Objects.Count - before;
            Assert.False(advance.IsCompleted);
            gated.Open();
            Assert.Equal("ready", (string)(await advance)["status"]!);
            var all = tree.Objects.Count - before;
            // 3 subscriptions × 7 renewals in parts of ~10 objects: while the disk was closed, the advance stopped after the
            // part being written and two more (Tx.PartsAhead) instead of running through the whole 200 days.
            Assert.True(all > 200, $"the advance made {all} objects");
            Assert.True(held * 3 < all, $"{held} of {all} objects were made while the disk held the first part");
            Assert.Equal(21, (await (await c.GetAsync("/v1/invoices?status=paid&limit=100")).OkAsync())["data"]!.AsArray().Count);
        }
        finally
        {
            gated.Open();
        }
    }

    [Fact]
    public async Task A_clock_advance_of_many_parts_ends_with_one_heap_compaction_and_a_short_one_with_none()
    {
        await using var app = new TestApp(o => { o.AdvanceCommitObjects = 10; o.CompactHeapAfterParts = 5; });
        var store = (ObjectStore)app.Services.GetService(typeof(ObjectStore))!;
        var c = app.Client("sk_test_compact_heap");
        var clock = await ClockWithMonthlySubscriptions(c, 3);
        // A day: no renewal, fewer than 5 parts of 10 objects.
        await c.AdvanceTestClockAsync(clock, 86_400);
        Assert.Equal(0, store.HeapCompactions);
        // 200 days: 3 subscriptions × 6 renewals, far more than 5 parts; the collection runs once, at the end.
        Assert.Equal("ready", (string)(await c.AdvanceTestClockAsync(clock, 200 * 86_400))["status"]!);
        Assert.Equal(1, store.HeapCompactions);
        Assert.Equal(18, (await (await c.GetAsync("/v1/invoices?status=paid&limit=100")).OkAsync())["data"]!.AsArray().Count(i => (string)i!["billing_reason"]! == "subscription_cycle"));
    }

    [Fact]
    public async Task A_clock_advance_committed_in_parts_with_cold_objects_bills_and_announces_as_one_in_memory()
    {
        async Task<(List<string> Events, List<string> Invoices)> Run(TestApp app)
        {
            var c = app.Client("sk_test_cold_clock");
            var clock = await ClockWithMonthlySubscriptions(c, 3);
            var advanced = await c.AdvanceTestClockAsync(clock, 100 * 86_400);
            Assert.Equal("ready", (string)advanced["status"]!);
            var events = new List<string>();
            var invoices = new List<string>();
            string? after = null;
            do
            {
                var page = await (await c.GetAsync($"/v1/events?limit=100{(after is null ? "" : $"&starting_after={after}")}")).OkAsync();
                foreach (var e in page["data"]!.AsArray())
                    events.Add($"{e!["type"]}:{e["data"]!["object"]!["id"]}:{e["data"]!["object"]!["status"]}");
                after = page["has_more"]!.GetValue<bool>() ? (string)page["data"]!.AsArray().Last()!["id"]! : null;
            } while (after is not null);
            foreach (var inv in (await (await c.GetAsync("/v1/invoices?limit=100")).OkAsync())["data"]!.AsArray())
                invoices.Add($"{inv!["id"]}:{inv["status"]}:{inv["amount_paid"]}:{inv["period_start"]}");
            return (events, invoices);
        }

        (List<string> Events, List<string> Invoices) inMemory, parts;
        await using (var app = new TestApp(o => o.AdvanceCommitObjects = 0)) inMemory = await Run(app);
        using var file = new TempSqliteDb("cold");
        var db = file.Path;
        await using (var app = new TestApp(o => { o.InMemory = false; o.Database = db; o.CacheObjects = 10; o.AdvanceCommitObjects = 7; }))
        {
            parts = await Run(app);
            Assert.True(CacheOf(app).Loads > 0);
        }
        // 3 subscriptions, 4 invoices each over 100 days, all paid; the same events in the same order either way.
        Assert.Equal(12, inMemory.Invoices.Count(i => i.Contains(":paid:1500:")));
        Assert.Equal(inMemory.Invoices, parts.Invoices);
        Assert.Equal(inMemory.Events, parts.Events);
    }
}
