using Microsoft.Extensions.DependencyInjection;
using MockProcessor.Server.Storage;
using MockProcessor.Server.Tests.Webhooks;

namespace MockProcessor.Server.Tests.Storage;

/// <summary>
/// The index snapshot (docs/storage.md, "Index snapshot at a clean stop"): a clean stop writes the compact index beside
/// the file, the next start reads it instead of every row, and a start that cannot trust it reads the rows.
/// </summary>
public sealed class IndexSnapshotTests : IDisposable
{
    private readonly TempSqliteDb _file = new("snapshot");

    public void Dispose() => _file.Dispose();

    private TestApp Start(bool snapshot = true) => new(o => { o.InMemory = false; o.Database = _file.Path; o.IndexSnapshot = snapshot; });

    private static ObjectStore StoreOf(TestApp app) => app.Services.GetRequiredService<ObjectStore>();

    private string? Token() => _file.Rows("SELECT value FROM meta WHERE key = 'index_snapshot'").Select(r => (string)r[0]).SingleOrDefault();

    /// <summary>
    /// What a start from the rows built equals what another start built, but for timer entries gone stale: the queue of a
    /// run keeps an entry whose object's due time moved since (skipped when it comes up, Time/TimeDriver.cs), and the
    /// snapshot keeps the run's queue, while a start from the rows queues each object's current due time only.
    /// </summary>
    private static void SameMemory(List<string> fromRows, List<string> other)
    {
        static bool IsTimers(string line) => line.StartsWith("timers", StringComparison.Ordinal);
        Assert.Equal(fromRows.Where(l => !IsTimers(l)), other.Where(l => !IsTimers(l)));
        var rowsTimers = fromRows.Where(IsTimers).ToList();
        var otherTimers = other.Where(IsTimers).ToList();
        Assert.Equal(rowsTimers.Select(l => l.Split(':')[0]), otherTimers.Select(l => l.Split(':')[0]));
        for (var i = 0; i < rowsTimers.Count; i++)
        {
            var current = Entries(rowsTimers[i]);
            var kept = Entries(otherTimers[i]);
            Assert.Empty(current.Except(kept));
            // Every extra entry is an earlier due time of an object queued at its current one.
            var ids = current.Select(e => e.Split('@')[0]).ToHashSet();
            Assert.All(kept.Except(current), e => Assert.Contains(e.Split('@')[0], ids));
        }
        static HashSet<string> Entries(string line) => line[(line.IndexOf(": ", StringComparison.Ordinal) + 2)..].Split(',', StringSplitOptions.RemoveEmptyEntries).ToHashSet();
    }

    [Fact]
    public async Task A_start_from_the_snapshot_builds_what_reading_every_row_builds_and_serves_from_it()
    {
        await RowHeadStartupTests.Populate(_file.Path, snapshot: true);
        Assert.True(File.Exists(_file.Path + ".index"));
        Assert.NotNull(Token());
        List<string> fromSnapshot, fromRows;
        string replayed, intent;
        await using (var app = Start())
        {
            var store = StoreOf(app);
            Assert.Equal("snapshot", store.StartedFrom);
            Assert.Equal(0, store.FiledFromHeads);
            fromSnapshot = RowHeadStartupTests.MemoryOf(app);
            // Nothing of the history is in memory but what observers wanted whole (a pending delivery per event).
            var events = fromSnapshot.Single(l => l.StartsWith("feed: ", StringComparison.Ordinal)).Split(',').Length;
            // (MOCKPROCESSOR_TEST_COLD's cache keeps fewer.)
            Assert.InRange(store.Accounts.Sum(s => s.Objects.Held), 1, events);
            // While it runs, no snapshot is current: a crash now leaves a file that the next start reads whole.
            Assert.Null(Token());
            Assert.False(File.Exists(_file.Path + ".index"));

            // It serves from what it loaded: an object on disk, a list paged by cursor, a write that moves index keys,
            // and an idempotent result stored before the stop.
            var c = app.Client(RowHeadStartupTests.Key);
            var page = await (await c.GetAsync("/v1/payment_intents?limit=2")).OkAsync();
            var ids = page["data"]!.AsArray().Select(p => (string)p!["id"]!).ToList();
            var next = await (await c.GetAsync($"/v1/payment_intents?limit=10&starting_after={ids[1]}")).OkAsync();
            var all = await (await c.GetAsync("/v1/payment_intents?limit=100")).OkAsync();
            Assert.Equal(all["data"]!.AsArray().Select(p => (string)p!["id"]!),
                ids.Concat(next["data"]!.AsArray().Select(p => (string)p!["id"]!)));
            Assert.True(all["data"]!.AsArray().Count > 3);
            intent = ids[0];
            await (await c.PostFormAsync("/v1/refunds", ("payment_intent", intent), ("amount", "100"))).OkAsync();
            var refunds = await (await c.GetAsync($"/v1/refunds?payment_intent={intent}")).OkAsync();
            Assert.Single(refunds["data"]!.AsArray());
            replayed = await (await c.PostRawAsync("/v1/customers", "name=Kept", "snapshot-key")).Content.ReadAsStringAsync();
        }
        // The stop wrote a new snapshot; a start told not to use it reads every row, and builds the same.
        await using (var app = Start())
        {
            Assert.Equal("snapshot", StoreOf(app).StartedFrom);
            fromSnapshot = RowHeadStartupTests.MemoryOf(app);
            var c = app.Client(RowHeadStartupTests.Key);
            var again = await (await c.PostRawAsync("/v1/customers", "name=Kept", "snapshot-key")).Content.ReadAsStringAsync();
            Assert.Equal(replayed, again);
            var mismatch = await c.PostRawAsync("/v1/customers", "name=Other", "snapshot-key");
            Assert.Equal("idempotency_error", (string)(await mismatch.ErrorAsync(400))["type"]!);
        }
        await using (var app = Start(snapshot: false))
        {
            Assert.Equal("rows", StoreOf(app).StartedFrom);
            fromRows = RowHeadStartupTests.MemoryOf(app);
        }
        SameMemory(fromRows, fromSnapshot);
        Assert.Contains(fromRows, l => l.Contains(intent, StringComparison.Ordinal) && l.StartsWith("index ", StringComparison.Ordinal) && l.Contains("re_", StringComparison.Ordinal));
        // Snapshots off: none written, and the next start reads the rows.
        Assert.False(File.Exists(_file.Path + ".index"));
        Assert.Null(Token());
        await using (var app = Start())
            Assert.Equal("rows", StoreOf(app).StartedFrom);
    }

    private string[] PageFiles() => Directory.GetFiles(Path.GetDirectoryName(_file.Path)!, Path.GetFileName(_file.Path) + ".pages.*");

    [Fact]
    public async Task A_clean_stop_refers_to_the_index_pages_files_and_a_start_that_does_not_use_them_deletes_them()
    {
        if (!OperatingSystem.IsLinux()) return; // elsewhere the snapshot copies the blocks, as before
        var names = new Dictionary<string, string>();
        async Task<List<string>> All(HttpClient c)
        {
            var seen = new List<string>();
            for (string? after = null; ;)
            {
                var page = await (await c.GetAsync("/v1/customers?limit=100" + (after is null ? "" : $"&starting_after={after}"))).OkAsync();
                var data = page["data"]!.AsArray();
                foreach (var cus in data) Assert.Equal(names[(string)cus!["id"]!], (string)cus["name"]!);
                seen.AddRange(data.Select(d => (string)d!["id"]!));
                if (!(bool)page["has_more"]!) return seen;
                after = seen[^1];
            }
        }
        long live;
        await using (var app = Start())
        {
            var c = app.Client("sk_test_pages_kept");
            for (var i = 0; i < 600; i++) names[(string)(await (await c.PostFormAsync("/v1/customers", ("name", $"first {i}"))).OkAsync())["id"]!] = $"first {i}";
            live = StoreOf(app).Pages!.LiveBytes;
        }
        // The snapshot holds where the index's blocks lie in the pages' files, which the stop kept, not the blocks.
        var first = PageFiles();
        Assert.Single(first);
        var snapshot = new FileInfo(_file.Path + ".index").Length;
        Assert.True(snapshot < live / 4, $"a snapshot of {snapshot} bytes for {live} bytes of index pages");
        // More generations: each start maps the files it was left and serves from them, and each stop refers to them
        // again beside its own, until there would be more than SnapshotWriter.MaxFiles: that stop copies every block
        // into one file, and the chain starts again from it.
        var copied = 0;
        for (var generation = 2; generation <= SnapshotWriter.MaxFiles + 3; generation++)
        {
            await using (var app = Start())
            {
                Assert.Equal("snapshot", StoreOf(app).StartedFrom);
                var c = app.Client("sk_test_pages_kept");
                Assert.Equal(names.Count, (await All(c)).Count);
                for (var i = 0; i < 20; i++)
                    names[(string)(await (await c.PostFormAsync("/v1/customers", ("name", $"gen {generation} {i}"))).OkAsync())["id"]!] = $"gen {generation} {i}";
                Assert.Equal(names.Count, (await All(c)).Count);
            }
            var files = PageFiles();
            if (generation <= SnapshotWriter.MaxFiles) Assert.Equal(generation, files.Length);
            Assert.InRange(files.Length, 1, SnapshotWriter.MaxFiles);
            if (files.Length == 1 && files[0].EndsWith(".snapshot", StringComparison.Ordinal)) copied++;
            if (generation == 2) Assert.Contains(first[0], files);
        }
        Assert.Equal(1, copied);
        // Files nothing refers to (a crash's, say) are deleted by the next start.
        var stray = _file.Path + ".pages.deadbeef.0";
        File.WriteAllBytes(stray, [1, 2, 3]);
        await using (var app = Start())
        {
            Assert.Equal("snapshot", StoreOf(app).StartedFrom);
            Assert.False(File.Exists(stray));
        }
        // A start that does not use the snapshot reads the rows, serves the same, and leaves no page file behind.
        await using (var app = Start(snapshot: false))
        {
            Assert.Equal("rows", StoreOf(app).StartedFrom);
            Assert.Equal(names.Count, (await All(app.Client("sk_test_pages_kept"))).Count);
            Assert.Empty(PageFiles());
        }
        Assert.Empty(PageFiles());
    }

    [Fact]
    public async Task A_unit_of_work_once_the_store_is_stopping_applies_nothing()
    {
        var schema = new StoreSchema(MockProcessor.Server.Resources.Registry.PersistedTypes, [], [], [], []);
        static MockProcessor.Domain.Customers.Customer Cus(string id) => new() { Id = id, AccountId = "acct_stop", Created = 10, Name = id };
        var store = new ObjectStore(schema, new SqliteStore(_file.Path), Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance,
            hotObjects: 1_000, indexSnapshot: true, indexPages: true);
        var state = store.AddMerchant("acct_stop");
        Task durable;
        lock (state.Gate)
        {
            var tx = store.Begin(state);
            tx.Put(Cus("cus_before"));
            durable = tx.Commit();
        }
        await durable;
        await store.DisposeAsync();
        // The stop wrote its snapshot; a unit of work now (a background job the host did not stop, say) would change the
        // index the snapshot refers to, so it is refused before it applies anything.
        InvalidOperationException? refused = null;
        lock (state.Gate)
        {
            var tx = store.Begin(state);
            tx.Put(Cus("cus_after"));
            try { _ = tx.Commit(); }
            catch (InvalidOperationException ex) { refused = ex; }
            Assert.False(state.Objects.ContainsKey("cus_after"));
        }
        Assert.NotNull(refused);
        var reopened = new ObjectStore(schema, new SqliteStore(_file.Path), Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance,
            hotObjects: 1_000, indexSnapshot: true, indexPages: true);
        Assert.Equal("snapshot", reopened.StartedFrom);
        var loaded = reopened.Accounts.Single();
        Assert.True(loaded.Objects.ContainsKey("cus_before"));
        Assert.False(loaded.Objects.ContainsKey("cus_after"));
        await reopened.DisposeAsync();
    }

    [Fact]
    public async Task A_snapshot_is_refused_when_the_database_holds_rows_written_after_it()
    {
        await RowHeadStartupTests.Populate(_file.Path, snapshot: true);
        // Keep the snapshot and its token aside, as if the database were then written by a run whose stop wrote none.
        var stale = File.ReadAllBytes(_file.Path + ".index");
        var token = Token()!;
        string customer;
        await using (var app = Start())
        {
            Assert.Equal("snapshot", StoreOf(app).StartedFrom);
            customer = (string)(await (await app.Client(RowHeadStartupTests.Key).PostFormAsync("/v1/customers", ("name", "After"))).OkAsync())["id"]!;
        }
        File.WriteAllBytes(_file.Path + ".index", stale);
        _file.Exec($"UPDATE meta SET value = '{token}' WHERE key = 'index_snapshot'");
        await using (var app = Start())
        {
            Assert.Equal("rows", StoreOf(app).StartedFrom);
            var found = await app.Client(RowHeadStartupTests.Key).GetAsync($"/v1/customers/{customer}");
            Assert.Equal("After", (string)(await found.OkAsync())["name"]!);
        }
    }

    [Fact]
    public async Task A_snapshot_cut_short_or_not_named_by_the_database_is_refused()
    {
        await RowHeadStartupTests.Populate(_file.Path, snapshot: true);
        var whole = File.ReadAllBytes(_file.Path + ".index");
        var token = Token()!;
        File.WriteAllBytes(_file.Path + ".index", whole[..(whole.Length / 2)]);
        List<string> fromRows;
        await using (var app = Start())
        {
            Assert.Equal("rows", StoreOf(app).StartedFrom);
            fromRows = RowHeadStartupTests.MemoryOf(app);
        }
        // The stop above wrote a new one; put the first back whole, without its token in the database (a kill -9 after a
        // start took it): refused as well.
        File.WriteAllBytes(_file.Path + ".index", whole);
        _file.Exec("DELETE FROM meta WHERE key = 'index_snapshot'");
        await using (var app = Start())
        {
            Assert.Equal("rows", StoreOf(app).StartedFrom);
            SameMemory(fromRows, RowHeadStartupTests.MemoryOf(app));
        }
        Assert.NotEqual(token, Token());
    }

    // The header's count of versions superseded since the rows were last read: a start from the snapshot does not know
    // which versions those are, so past ObjectStore.SnapshotUpdatesBeforeRescan it reads the rows (and compacts them).
    [Fact]
    public async Task A_snapshot_after_too_many_superseded_versions_is_refused_and_one_at_the_limit_is_used()
    {
        await RowHeadStartupTests.Populate(_file.Path, snapshot: true);
        var whole = File.ReadAllBytes(_file.Path + ".index");
        var token = Token()!;
        foreach (var (updates, startsFrom) in new[] { (ObjectStore.SnapshotUpdatesBeforeRescan, "snapshot"), (ObjectStore.SnapshotUpdatesBeforeRescan + 1, "rows") })
        {
            File.WriteAllBytes(_file.Path + ".index", WithUpdates(whole, updates));
            _file.Exec($"INSERT OR REPLACE INTO meta (key, value) VALUES ('index_snapshot', '{token}')");
            await using var app = Start();
            Assert.Equal(startsFrom, StoreOf(app).StartedFrom);
            var intents = await (await app.Client(RowHeadStartupTests.Key).GetAsync("/v1/payment_intents?limit=100")).OkAsync();
            Assert.True(intents["data"]!.AsArray().Count > 3);
        }
    }

    // The snapshot with its header's count of superseded versions set to updates (ObjectStore.Snapshot.cs writes the
    // magic, format, token, fingerprint, the two last positions, then that count).
    private static byte[] WithUpdates(byte[] snapshot, long updates)
    {
        using var stream = new MemoryStream(snapshot.ToArray());
        using var r = new BinaryReader(stream);
        r.ReadString();
        r.ReadInt32();
        r.ReadString();
        r.ReadString();
        r.ReadInt64();
        r.ReadInt64();
        using var w = new BinaryWriter(stream);
        w.Write(updates);
        w.Flush();
        return stream.ToArray();
    }
}
