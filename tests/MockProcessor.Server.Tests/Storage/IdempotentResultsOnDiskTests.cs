using Microsoft.Extensions.DependencyInjection;
using MockProcessor.Server.Idempotency;
using MockProcessor.Server.Storage;

namespace MockProcessor.Server.Tests.Storage;

/// <summary>
/// Idempotent results on a file store (docs/storage.md, "Idempotent results on disk"): a result's body leaves memory
/// once its row is committed and a replay reads it back, byte for byte, also after a restart; each merchant's expired
/// results are purged on its own clock.
/// </summary>
public class IdempotentResultsOnDiskTests
{
    private static IdempotencyTable TableOf(TestApp app)
    {
        var store = app.Services.GetRequiredService<ObjectStore>();
        return store.Accounts.Single(a => a.Idempotency.Held + a.Idempotency.OnDisk > 0).Idempotency;
    }

    private static TestApp FileApp(string db) => new(o => { o.InMemory = false; o.Database = db; });

    [Fact]
    public async Task A_replay_reads_the_body_back_from_the_file_once_written_and_after_a_restart()
    {
        using var file = new TempSqliteDb("idem-disk");
        const string Body = "name=Ada&email=ada%40example.com&metadata[plan]=gold";
        string first;
        await using (var app = FileApp(file.Path))
        {
            var c = app.Client("sk_test_idem_disk");
            var created = await c.PostRawAsync("/v1/customers", Body, "key-1");
            first = await created.Content.ReadAsStringAsync();
            Assert.Equal(200, (int)created.StatusCode);
            var table = TableOf(app);
            Assert.False(table.HeldResult("key-1")!.Held, "the body left memory once its row was committed");
            // The next stored result settles it: memory keeps the key's hash, time and row position, no strings.
            await (await c.PostRawAsync("/v1/customers", "name=Other", "key-2")).OkAsync();
            Assert.Null(table.HeldResult("key-1"));
            Assert.True(table.OnDisk >= 1);

            var replay = await c.PostRawAsync("/v1/customers", Body, "key-1");
            Assert.Equal("true", replay.Headers.GetValues("Idempotent-Replayed").Single());
            Assert.Equal(first, await replay.Content.ReadAsStringAsync());
            // The fingerprint comes back with the row: another request under the key is refused.
            var mismatch = await (await c.PostRawAsync("/v1/customers", "name=Bob", "key-1")).ErrorAsync(400);
            Assert.Equal("idempotency_error", (string)mismatch["type"]!);
        }
        await using (var app = FileApp(file.Path))
        {
            var table = TableOf(app);
            Assert.Equal((0, 2), (table.Held, table.OnDisk)); // start-up reads the results' keys, times and positions only
            var replay = await app.Client("sk_test_idem_disk").PostRawAsync("/v1/customers", Body, "key-1");
            Assert.Equal("true", replay.Headers.GetValues("Idempotent-Replayed").Single());
            Assert.Equal(first, await replay.Content.ReadAsStringAsync());
            var mismatch = await (await app.Client("sk_test_idem_disk").PostRawAsync("/v1/customers", "name=Bob", "key-1")).ErrorAsync(400);
            Assert.Equal("idempotency_error", (string)mismatch["type"]!);
        }
    }

    [Fact]
    public void Keys_whose_hashes_collide_are_told_apart_by_the_rows_they_read_and_the_newest_result_wins()
    {
        var rows = new Dictionary<long, IdempotencyRow>
        {
            [1] = new("acct_1", "a", "fa", 200, [1], "req_a", 100),
            [2] = new("acct_1", "b", "fb", 200, [2], "req_b", 200),
            [3] = new("acct_1", "a", "fa2", 402, [3], "req_a2", 300),
        };
        var reads = 0;
        IdempotencyRow Read(long position) { reads++; return rows[position]; }
        var table = new IdempotencyTable(compact: true, hash: _ => 42); // every key collides
        table.AddStored("a", 100, 1);
        table.AddStored("b", 200, 2);
        Assert.Equal("req_a", table.Find("a", since: 0, Read)!.RequestId);
        Assert.Equal("req_b", table.Find("b", since: 0, Read)!.RequestId);
        reads = 0;
        Assert.Null(table.Find("c", since: 0, Read));
        Assert.Equal(2, reads); // both candidates read, neither is "c"
        table.AddStored("a", 300, 3); // the key used again after its first result expired
        var newest = table.Find("a", since: 0, Read)!;
        Assert.Equal(("req_a2", 402, 300L), (newest.RequestId, newest.Status, newest.Created));
        Assert.Null(table.Find("b", since: 250, Read)); // expired for a caller at 250 + retention
        table.Purge(cutoff: 250);
        Assert.Equal(1, table.OnDisk);
        Assert.Null(table.Find("b", since: 0, Read));
        Assert.Equal("req_a2", table.Find("a", since: 0, Read)!.RequestId);
    }

    [Fact]
    public async Task In_memory_the_body_stays_held()
    {
        await using var app = new TestApp(o => o.InMemory = true);
        var c = app.Client("sk_test_idem_memory");
        var first = await (await c.PostRawAsync("/v1/customers", "name=Ada", "key-m")).Content.ReadAsStringAsync();
        var table = TableOf(app);
        Assert.True(table.HeldResult("key-m")!.Held);
        await (await c.PostRawAsync("/v1/customers", "name=Other", "key-m2")).OkAsync();
        Assert.Equal((2, 0), (table.Held, table.OnDisk)); // nothing is read back without a file
        Assert.Equal(first, await (await c.PostRawAsync("/v1/customers", "name=Ada", "key-m")).Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_merchant_whose_clock_runs_ahead_purges_only_its_own_expired_results()
    {
        using var file = new TempSqliteDb("idem-purge");
        await using var app = FileApp(file.Path);
        var (a, b) = (app.Client("sk_test_idem_ahead"), app.Client("sk_test_idem_behind"));
        await (await a.PostFormAsync("/v1/customers", ("name", "A"))).OkAsync(); // A exists before its clock moves
        var kept = await b.PostRawAsync("/v1/customers", "name=B", "key-b");
        var keptBody = await kept.Content.ReadAsStringAsync();
        var aheadResult = await a.PostRawAsync("/v1/customers", "name=A1", "key-a-old");
        Assert.Equal(200, (int)aheadResult.StatusCode);

        // A's clock moves 25 hours on; its next stored result purges what A's clock has expired (docs/idempotency).
        await (await a.PostFormAsync("/_mock/merchant_clock/advance", ("seconds", "90000"))).OkAsync();
        await (await a.PostRawAsync("/v1/customers", "name=A2", "key-a-new")).OkAsync();
        Assert.Equal("0", file.Scalar("SELECT COUNT(*) FROM idempotency WHERE key = 'key-a-old'"));

        // B's clock has not moved: its result is still on disk and replays.
        Assert.Equal("1", file.Scalar("SELECT COUNT(*) FROM idempotency WHERE key = 'key-b'"));
        var replay = await b.PostRawAsync("/v1/customers", "name=B", "key-b");
        Assert.Equal("true", replay.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal(keptBody, await replay.Content.ReadAsStringAsync());
    }
}
