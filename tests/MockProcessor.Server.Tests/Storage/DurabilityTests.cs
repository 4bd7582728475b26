using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using MockProcessor.Domain.Common;
using MockProcessor.Server.Resources;
using MockProcessor.Server.Resources.Events;
using MockProcessor.Server.Storage;
using MockProcessor.Server.Time;
using MockProcessor.Server.Webhooks;

namespace MockProcessor.Server.Tests.Storage;

public class DurabilityTests
{
    [Fact]
    public async Task Objects_and_idempotent_results_survive_a_restart()
    {
        using var file = new TempSqliteDb("test");
        var db = file.Path;
        string customerId, pmId;
        byte[] firstBody;
        await using (var app = new TestApp(o => { o.InMemory = false; o.Database = db; }))
        {
            var c = app.Client("sk_test_durable");
            var res = await c.PostRawAsync("/v1/customers", "email=keep%40example.com&metadata[a]=1", "durable-key");
            firstBody = await res.Content.ReadAsByteArrayAsync();
            customerId = (string)(await res.OkAsync())["id"]!;
            pmId = (string)(await (await c.PostFormAsync("/v1/payment_methods/pm_card_visa/attach", ("customer", customerId))).OkAsync())["id"]!;
        }
        await using (var app = new TestApp(o => { o.InMemory = false; o.Database = db; o.Seed = 7; }))
        {
            var c = app.Client("sk_test_durable");
            var cus = await (await c.GetAsync($"/v1/customers/{customerId}")).OkAsync();
            Assert.Equal("keep@example.com", (string)cus["email"]!);
            var pms = await (await c.GetAsync($"/v1/customers/{customerId}/payment_methods")).OkAsync();
            Assert.Equal(pmId, (string)pms["data"]![0]!["id"]!);
            var replay = await c.PostRawAsync("/v1/customers", "email=keep%40example.com&metadata[a]=1", "durable-key");
            Assert.Equal(firstBody, await replay.Content.ReadAsByteArrayAsync());
            // The same key still names the same merchant, and new objects keep list order after old ones.
            var newer = (string)(await (await c.PostFormAsync("/v1/customers", ("name", "new"))).OkAsync())["id"]!;
            var list = await (await c.GetAsync("/v1/customers")).OkAsync();
            Assert.Equal([newer, customerId], list["data"]!.AsArray().Select(x => (string)x!["id"]!));
        }
    }

    /// <summary>An observer that takes its time: it records what it heard only after a pause.</summary>
    private sealed class SlowObserver : IStoreObserver
    {
        public ConcurrentBag<string> Heard { get; } = [];
        public IReadOnlySet<string> Types { get; } = new HashSet<string> { "customer" };
        public void Loaded(AccountState state, string id, long seq, StripeObject? obj) { }

        public void Durable(AccountState state, IReadOnlyList<CommittedObject> objects)
        {
            Thread.Sleep(300);
            foreach (var o in objects) Heard.Add(o.Obj.Id);
        }
    }

    [Fact]
    public async Task A_write_is_answered_only_after_the_stores_observers_have_heard_of_it()
    {
        // Observers (the webhook due-queue, the event feed) hear of a commit once it is on disk, on a pool thread with a
        // file store. A caller that flushes webhooks or reads the event stream right after an answer must find its write.
        using var file = new TempSqliteDb("test");
        var db = file.Path;
        var slow = new SlowObserver();
        await using var app = new TestApp(o => { o.InMemory = false; o.Database = db; }, b => b.Services.AddSingleton(sp =>
        {
            var schema = Registry.Schema(sp.GetRequiredService<WebhookDueQueue>(), sp.GetRequiredService<EventFeed>());
            return new ObjectStore(
                new StoreSchema(schema.PersistedTypes, schema.Indexes, schema.Lookups, [.. schema.Observers, slow]),
                new SqliteStore(db), NullLogger.Instance,
                sp.GetRequiredService<TimerRegistry>());
        }));
        var c = app.Client("sk_test_observed");
        for (var i = 0; i < 3; i++)
        {
            var id = (string)(await (await c.PostFormAsync("/v1/customers", ("name", $"n{i}"))).OkAsync())["id"]!;
            Assert.Contains(id, slow.Heard);
        }
    }

    [Fact]
    public async Task Superseded_versions_are_compacted_in_the_background_after_start()
    {
        using var file = new TempSqliteDb("test");
        var db = file.Path;
        string customerId;
        await using (var app = new TestApp(o => { o.InMemory = false; o.Database = db; }))
        {
            var c = app.Client("sk_test_compaction");
            customerId = (string)(await (await c.PostFormAsync("/v1/customers", ("name", "v0"))).OkAsync())["id"]!;
            for (var i = 1; i <= 5; i++) await (await c.PostFormAsync($"/v1/customers/{customerId}", ("name", $"v{i}"))).OkAsync();
        }
        Assert.Equal(6, VersionsOf(db, customerId));
        // Each version is announced by its customer.created/updated event, which refers to it and keeps it
        // (Event_snapshots_are_stored_by_reference...): without the events, the five old versions are unreferenced.
        Exec(db, "DELETE FROM objects WHERE type = 'event'");
        await using (var app = new TestApp(o => { o.InMemory = false; o.Database = db; }))
        {
            // Serving at once: the old versions are deleted behind it, through the group commit.
            var c = app.Client("sk_test_compaction");
            Assert.Equal("v5", (string)(await (await c.GetAsync($"/v1/customers/{customerId}")).OkAsync())["name"]!);
            var store = (ObjectStore)app.Services.GetService(typeof(ObjectStore))!;
            for (var i = 0; i < 200 && store.CompactionPending > 0; i++) await Task.Delay(25);
            Assert.Equal(0, store.CompactionPending);
        }
        Assert.Equal(1, VersionsOf(db, customerId));
        await using (var app = new TestApp(o => { o.InMemory = false; o.Database = db; }))
            Assert.Equal("v5", (string)(await (await app.Client("sk_test_compaction").GetAsync($"/v1/customers/{customerId}")).OkAsync())["name"]!);
    }

    [Fact]
    public async Task Start_up_decodes_only_the_current_version_of_each_object()
    {
        using var file = new TempSqliteDb("test");
        var db = file.Path;
        string customerId;
        var ids = new List<string>();
        await using (var app = new TestApp(o => { o.InMemory = false; o.Database = db; }))
        {
            var c = app.Client("sk_test_current_only");
            customerId = (string)(await (await c.PostFormAsync("/v1/customers", ("name", "v0"))).OkAsync())["id"]!;
            for (var i = 1; i <= 3; i++) await (await c.PostFormAsync($"/v1/customers/{customerId}", ("name", $"v{i}"))).OkAsync();
            for (var i = 0; i < 5; i++) ids.Add((string)(await (await c.PostFormAsync("/v1/customers", ("name", $"other {i}"))).OkAsync())["id"]!);
        }
        // The superseded versions are made unreadable: a start-up that decoded them would fail. (Their events, which refer
        // to them and would read them, are removed first.)
        Exec(db, "DELETE FROM objects WHERE type = 'event'");
        using (var conn = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={db};Pooling=False"))
        {
            conn.Open();
            using var cmd = conn.CreateCommand();
            cmd.CommandText = "UPDATE objects SET data = x'7b6e6f74206a736f6e' WHERE id = $id AND rowid < (SELECT MAX(rowid) FROM objects WHERE id = $id)";
            cmd.Parameters.AddWithValue("$id", customerId);
            Assert.Equal(3, cmd.ExecuteNonQuery());
        }
        await using (var app = new TestApp(o => { o.InMemory = false; o.Database = db; }))
        {
            var c = app.Client("sk_test_current_only");
            Assert.Equal("v3", (string)(await (await c.GetAsync($"/v1/customers/{customerId}")).OkAsync())["name"]!);
            // Lists keep the commit order although the versions were read newest first.
            var listed = (await (await c.GetAsync("/v1/customers?limit=10")).OkAsync())["data"]!.AsArray().Select(x => (string)x!["id"]!).ToList();
            Assert.Equal([.. Enumerable.Reverse(ids), customerId], listed);
            var store = (ObjectStore)app.Services.GetService(typeof(ObjectStore))!;
            for (var i = 0; i < 200 && store.CompactionPending > 0; i++) await Task.Delay(25);
        }
        Assert.Equal(1, VersionsOf(db, customerId));
    }

    [Fact]
    public async Task Event_snapshots_are_stored_by_reference_and_the_versions_they_refer_to_survive_compaction_and_restart()
    {
        using var file = new TempSqliteDb("test");
        var db = file.Path;
        string customerId;
        var bodies = new Dictionary<string, string>();
        await using (var app = new TestApp(o => { o.InMemory = false; o.Database = db; }))
        {
            var c = app.Client("sk_test_snapshot_refs");
            customerId = (string)(await (await c.PostFormAsync("/v1/customers", ("name", "v0"))).OkAsync())["id"]!;
            for (var i = 1; i <= 3; i++) await (await c.PostFormAsync($"/v1/customers/{customerId}", ("name", $"v{i}"))).OkAsync();
            foreach (var e in (await (await c.GetAsync("/v1/events?limit=100")).OkAsync())["data"]!.AsArray())
                bodies[(string)e!["id"]!] = await (await c.GetAsync($"/v1/events/{e["id"]}")).Content.ReadAsStringAsync();
        }
        Assert.Equal(4, bodies.Count);
        // Each event row names the row of the version it announced instead of carrying a copy of it.
        var joined = file.Rows("SELECT e.data, v.id, v.type FROM objects e JOIN objects v ON v.rowid = json_extract(e.data, '$.snapshot.row') WHERE e.type = 'event'");
        foreach (var r in joined)
        {
            // No copy of the customer's fields (outside the previous attributes, which name the old value).
            var row = System.Text.Json.Nodes.JsonNode.Parse((byte[])r[0])!.AsObject(); // data is a blob
            row.Remove("previous_attributes");
            Assert.DoesNotContain("\"v0\"", row.ToJsonString());
            Assert.Equal((customerId, "customer"), ((string)r[1], (string)r[2]));
        }
        Assert.Equal(4, joined.Count);
        await using (var app = new TestApp(o => { o.InMemory = false; o.Database = db; }))
        {
            var store = (ObjectStore)app.Services.GetService(typeof(ObjectStore))!;
            for (var i = 0; i < 200 && store.CompactionPending > 0; i++) await Task.Delay(25);
            Assert.Equal(0, store.CompactionPending);
        }
        // The three superseded versions are referenced: compaction kept them, and a start-up reads each event as it was.
        Assert.Equal(4, VersionsOf(db, customerId));
        await using (var app = new TestApp(o => { o.InMemory = false; o.Database = db; }))
        {
            var c = app.Client("sk_test_snapshot_refs");
            foreach (var (id, body) in bodies) Assert.Equal(body, await (await c.GetAsync($"/v1/events/{id}")).Content.ReadAsStringAsync());
            var updated = (await (await c.GetAsync("/v1/events?type=customer.updated")).OkAsync())["data"]!.AsArray();
            Assert.Equal(["v3", "v2", "v1"], updated.Select(e => (string)e!["data"]!["object"]!["name"]!));
        }
    }

    /// <summary>
    /// A renewal's <c>customer.subscription.updated</c> keeps the subscription's version before the change
    /// (<c>Event.Previous</c>) instead of its previous attributes: stored as a reference to that version's row, which an
    /// earlier batch wrote (the month before), and read back after a restart and compaction to the same event, byte for byte.
    /// </summary>
    [Fact]
    public async Task A_renewal_event_refers_to_the_earlier_version_of_the_subscription_and_reads_back_the_same_after_restart()
    {
        using var file = new TempSqliteDb("test");
        var db = file.Path;
        string subId;
        var bodies = new Dictionary<string, string>();
        const long start = 1_767_225_600; // 2026-01-01
        await using (var app = new TestApp(o => { o.InMemory = false; o.Database = db; }))
        {
            var c = app.Client("sk_test_previous_version");
            var product = await (await c.PostFormAsync("/v1/products", ("name", "Gold"))).OkAsync();
            var price = await (await c.PostFormAsync("/v1/prices", ("product", (string)product["id"]!), ("currency", "usd"),
                ("unit_amount", "1000"), ("recurring[interval]", "month"))).OkAsync();
            var clock = await c.CreateTestClockAsync(start);
            var cus = await (await c.PostFormAsync("/v1/customers", ("test_clock", (string)clock["id"]!), ("payment_method", "pm_card_visa"),
                ("invoice_settings[default_payment_method]", "pm_card_visa"))).OkAsync();
            var sub = await (await c.PostFormAsync("/v1/subscriptions", ("customer", (string)cus["id"]!), ("items[0][price]", (string)price["id"]!))).OkAsync();
            subId = (string)sub["id"]!;
            // Two renewals, each advanced to in two calls: past its invoice.upcoming notice (which the subscription notes in
            // an unannounced version), then past the renewal, whose old version is then the one the first call wrote.
            foreach (var days in new[] { 30, 2, 26, 2 }) await c.AdvanceTestClockAsync(clock, days * 86400L);
            foreach (var e in (await (await c.GetAsync("/v1/events?type=customer.subscription.updated&limit=100")).OkAsync())["data"]!.AsArray())
                bodies[(string)e!["id"]!] = await (await c.GetAsync($"/v1/events/{e["id"]}")).Content.ReadAsStringAsync();
            var renewal = System.Text.Json.Nodes.JsonNode.Parse(bodies.Values.First())!["data"]!;
            // The previous attributes, found from the kept version: the period before and the invoice before.
            Assert.True((long)renewal["previous_attributes"]!["items"]!["data"]![0]!["current_period_start"]!
                < (long)renewal["object"]!["items"]!["data"]![0]!["current_period_start"]!);
            Assert.NotEqual((string)renewal["object"]!["latest_invoice"]!, (string)renewal["previous_attributes"]!["latest_invoice"]!);
        }
        // Two renewals, and the first invoice's payment (incomplete -> active) in the call that created the subscription.
        Assert.Equal(3, bodies.Count);
        // Each renewal's row names the row of the subscription's version before it, written by an earlier batch, and
        // carries neither a copy of it nor previous attributes. The activation's old version was never written (the same
        // call superseded it): that event carries a copy.
        using (var conn = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={db};Pooling=False"))
        {
            conn.Open();
            using var cmd = conn.CreateCommand();
            cmd.CommandText = """
                SELECT e.rowid, e.data, v.rowid, v.id FROM objects e JOIN objects v ON v.rowid = json_extract(e.data, '$.previous.row')
                WHERE e.type = 'event' AND json_extract(e.data, '$.type') = 'customer.subscription.updated'
                """;
            using var r = cmd.ExecuteReader();
            var joined = 0;
            while (r.Read())
            {
                Assert.Equal(subId, r.GetString(3));
                Assert.True(r.GetInt64(2) < r.GetInt64(0));
                var row = System.Text.Json.Nodes.JsonNode.Parse(r.GetString(1))!.AsObject();
                Assert.False(row.ContainsKey("previous_attributes"));
                Assert.False(row["previous"]!.AsObject().ContainsKey("data"));
                joined++;
            }
            Assert.Equal(2, joined);
            r.Close();
            cmd.CommandText = """
                SELECT json_extract(data, '$.previous.data.status') FROM objects
                WHERE type = 'event' AND json_extract(data, '$.type') = 'customer.subscription.updated' AND json_extract(data, '$.previous.row') IS NULL
                """;
            Assert.Equal("incomplete", cmd.ExecuteScalar());
        }
        await using (var app = new TestApp(o => { o.InMemory = false; o.Database = db; }))
        {
            var store = (ObjectStore)app.Services.GetService(typeof(ObjectStore))!;
            for (var i = 0; i < 200 && store.CompactionPending > 0; i++) await Task.Delay(25);
            Assert.Equal(0, store.CompactionPending);
        }
        await using (var app = new TestApp(o => { o.InMemory = false; o.Database = db; o.CacheObjects = 3; }))
        {
            var c = app.Client("sk_test_previous_version");
            foreach (var (id, body) in bodies) Assert.Equal(body, await (await c.GetAsync($"/v1/events/{id}")).Content.ReadAsStringAsync());
        }
    }

    private static void Exec(string db, string sql)
    {
        using var conn = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={db};Pooling=False");
        conn.Open();
        using var cmd = conn.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    private static long VersionsOf(string db, string id)
    {
        using var conn = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={db};Pooling=False");
        conn.Open();
        using var cmd = conn.CreateCommand();
        cmd.CommandText = "SELECT COUNT(*) FROM objects WHERE id = $id";
        cmd.Parameters.AddWithValue("$id", id);
        return (long)cmd.ExecuteScalar()!;
    }

    [Fact]
    public async Task An_acknowledged_write_survives_kill_9()
    {
        var dll = LocateExecutable();
        using var file = new TempSqliteDb("test");
        var db = file.Path;
        var port = FreePort();
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        http.DefaultRequestHeaders.Add("Authorization", "Bearer sk_test_kill9");

        var first = Start(dll, port, db);
        var ids = new List<string>();
        try
        {
            await WaitHealthy(http);
            for (var i = 0; i < 20; i++)
                ids.Add((string)(await (await http.PostFormAsync("/v1/customers", ("name", $"k{i}"))).OkAsync())["id"]!);
        }
        finally
        {
            first.Kill(entireProcessTree: true); // SIGKILL: no shutdown hooks run
            await first.WaitForExitAsync();
        }

        var second = Start(dll, port, db);
        try
        {
            await WaitHealthy(http);
            foreach (var id in ids) await (await http.GetAsync($"/v1/customers/{id}")).OkAsync();
        }
        finally
        {
            second.Kill(entireProcessTree: true);
            await second.WaitForExitAsync();
        }
    }

    internal static Process Start(string dll, int port, string db, string extra = "") =>
        Process.Start(new ProcessStartInfo("dotnet", $"\"{dll}\" serve --port {port} --db \"{db}\" --log-level Warning {extra}")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        })!;

    internal static async Task WaitHealthy(HttpClient http)
    {
        for (var i = 0; i < 200; i++)
        {
            try
            {
                if ((await http.GetAsync("/healthz")).IsSuccessStatusCode) return;
            }
            catch (HttpRequestException) { }
            await Task.Delay(50);
        }
        throw new TimeoutException("The emulator did not become healthy within 10 s.");
    }

    internal static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    /// <summary>The built executable of the same configuration as this test assembly (the solution build makes it).</summary>
    internal static string LocateExecutable()
    {
        var config = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}") ? "Release" : "Debug";
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "MockProcessor.sln"))) dir = dir.Parent;
        var dll = Path.Combine(dir!.FullName, "src", "MockProcessor", "bin", config, "net10.0", "mockprocessor.dll");
        Assert.True(File.Exists(dll), $"Build the solution first: {dll} is missing.");
        return dll;
    }
}
