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
    private static IdempotencyRecord RecordOf(TestApp app, string key)
    {
        var store = app.Services.GetRequiredService<ObjectStore>();
        return store.Accounts.Select(a => a.Idempotency.GetValueOrDefault(key)).Single(r => r is not null)!;
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
            Assert.False(RecordOf(app, "key-1").Held, "the body left memory once its row was committed");

            var replay = await c.PostRawAsync("/v1/customers", Body, "key-1");
            Assert.Equal("true", replay.Headers.GetValues("Idempotent-Replayed").Single());
            Assert.Equal(first, await replay.Content.ReadAsStringAsync());
            // The fingerprint stays in memory: another request under the key is refused without reading the body.
            var mismatch = await (await c.PostRawAsync("/v1/customers", "name=Bob", "key-1")).ErrorAsync(400);
            Assert.Equal("idempotency_error", (string)mismatch["type"]!);
        }
        await using (var app = FileApp(file.Path))
        {
            Assert.False(RecordOf(app, "key-1").Held, "start-up reads results without their bodies");
            var replay = await app.Client("sk_test_idem_disk").PostRawAsync("/v1/customers", Body, "key-1");
            Assert.Equal("true", replay.Headers.GetValues("Idempotent-Replayed").Single());
            Assert.Equal(first, await replay.Content.ReadAsStringAsync());
        }
    }

    [Fact]
    public async Task In_memory_the_body_stays_held()
    {
        await using var app = new TestApp(o => o.InMemory = true);
        var c = app.Client("sk_test_idem_memory");
        var first = await (await c.PostRawAsync("/v1/customers", "name=Ada", "key-m")).Content.ReadAsStringAsync();
        Assert.True(RecordOf(app, "key-m").Held);
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
