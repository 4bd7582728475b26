using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using MockProcessor.Server.Resources;
using MockProcessor.Server.Resources.Events;
using MockProcessor.Server.Storage;
using MockProcessor.Server.Time;
using MockProcessor.Server.Webhooks;

namespace MockProcessor.Server.Tests.Storage;

public class CheckpointPolicyTests
{
    private static TimeSpan S(double seconds) => TimeSpan.FromSeconds(seconds);

    [Fact]
    public void A_busy_writer_is_checkpointed_only_after_the_longest_interval_or_at_the_size_bound()
    {
        var policy = new CheckpointPolicy { MaxInterval = S(10), MaxWalBytes = 1000 };
        policy.Start(S(0));
        // Commits at every tick: no checkpoint until ten seconds have passed since the last.
        for (var t = 1; t < 10; t++) Assert.False(policy.ShouldCheckpoint(S(t), commits: t * 5, walBytes: 100));
        Assert.True(policy.ShouldCheckpoint(S(10), 50, 100));
        policy.Checkpointed(S(10), 50);
        Assert.False(policy.ShouldCheckpoint(S(11), 55, 100));
        // A WAL file at the bound is checkpointed at once, busy or not.
        Assert.True(policy.ShouldCheckpoint(S(12), 60, 1000));
    }

    [Fact]
    public void A_resting_writer_is_checkpointed_once_and_not_again_until_it_commits()
    {
        var policy = new CheckpointPolicy { MaxInterval = S(60) };
        policy.Start(S(0));
        Assert.False(policy.ShouldCheckpoint(S(1), 3, 100)); // busy: three commits since the last tick
        Assert.True(policy.ShouldCheckpoint(S(2), 3, 100)); // rested
        // A copy stopped short (a reader on an older snapshot) is not reported: the next tick tries again.
        Assert.True(policy.ShouldCheckpoint(S(3), 3, 100));
        policy.Checkpointed(S(3), 3);
        Assert.False(policy.ShouldCheckpoint(S(4), 3, 100)); // nothing new
        Assert.False(policy.ShouldCheckpoint(S(5), 4, 100)); // busy again
        Assert.True(policy.ShouldCheckpoint(S(6), 4, 100));
        policy.Checkpointed(S(6), 4);
        Assert.False(policy.ShouldCheckpoint(S(600), 4, 5L << 30)); // nothing new, however long ago or large
    }

    [Fact]
    public async Task The_WAL_is_copied_into_the_file_when_the_writer_rests_and_not_at_every_tick_while_it_writes()
    {
        using var file = new TempSqliteDb("checkpoint");
        var db = file.Path;
        // Short ticks, no interval bound: only rest (or the size bound, far away) checkpoints.
        var policy = new CheckpointPolicy { Tick = TimeSpan.FromMilliseconds(200), MaxInterval = TimeSpan.FromHours(1), KeepWalBytes = 0 };
        SqliteStore? store = null;
        await using var app = new TestApp(o => { o.InMemory = false; o.Database = db; }, b => b.Services.AddSingleton(sp =>
        {
            var schema = Registry.Schema(sp.GetRequiredService<WebhookDueQueue>(), sp.GetRequiredService<EventFeed>());
            store = new SqliteStore(db, policy);
            return new ObjectStore(schema, store, NullLogger.Instance, sp.GetRequiredService<TimerRegistry>());
        }));
        var c = app.Client("sk_test_checkpoints");
        await (await c.PostFormAsync("/v1/customers", ("name", "first"))).OkAsync();
        Assert.NotNull(store);
        await WaitFor(() => store!.CheckpointsRun >= 1); // the first rest after start-up
        var before = store!.CheckpointsRun;

        // Writing without a pause for ten ticks: a checkpoint at every tick would be ten.
        var until = DateTime.UtcNow.AddSeconds(2);
        var created = 0;
        while (DateTime.UtcNow < until)
        {
            await (await c.PostFormAsync("/v1/customers", ("name", $"c{created}"))).OkAsync();
            created++;
        }
        Assert.True(store.CheckpointsRun - before <= 3, $"{store.CheckpointsRun - before} checkpoints while {created} customers were written");
        var walWhileBusy = new FileInfo(db + "-wal").Length;
        Assert.True(walWhileBusy > 100_000, $"the WAL holds the burst: {walWhileBusy} bytes");

        // At rest the burst is copied into the file; the next commit then starts the WAL over, truncated to the limit. (A
        // copy that a cold read's reader stopped short, as under MOCKPROCESSOR_TEST_COLD, is retried at the next tick.)
        var copiedAll = store.CheckpointsCopiedAll;
        await WaitFor(() => store.CheckpointsCopiedAll > copiedAll);
        await Task.Delay(250);
        var id = (string)(await (await c.PostFormAsync("/v1/customers", ("name", "after"))).OkAsync())["id"]!;
        Assert.True(new FileInfo(db + "-wal").Length < walWhileBusy / 4, $"WAL {new FileInfo(db + "-wal").Length} bytes after the restart of the log, {walWhileBusy} before");
        Assert.Equal("1", file.Scalar($"SELECT COUNT(*) FROM objects WHERE id = '{id}'"));
        Assert.Equal((created + 2).ToString(), file.Scalar("SELECT COUNT(*) FROM objects WHERE type = 'customer'"));
    }

    [Fact]
    public async Task A_writer_that_never_rests_still_has_its_WAL_started_over()
    {
        using var file = new TempSqliteDb("checkpoint-busy");
        // Short ticks and a small size bound, so that a few seconds of writing pass it many times; no interval bound.
        var policy = new CheckpointPolicy { Tick = TimeSpan.FromMilliseconds(50), MaxInterval = TimeSpan.FromHours(1), MaxWalBytes = 256 << 10, KeepWalBytes = 0 };
        var rows = new RowSerializer(PersistenceFormat.Options(Registry.PersistedTypes));
        using var store = new SqliteStore(file.Path, policy);
        using var stop = new CancellationTokenSource();
        var maintenance = Task.Run(() => store.MaintainAsync(stop.Token));
        var n = 0;
        ObjectRow[] Batch() => [.. Enumerable.Range(0, 20).Select(_ =>
        {
            n++;
            return new ObjectRow(new Domain.Customers.Customer { Id = $"cus_{n}", AccountId = "acct_busy", Created = 1_800_000_000, Name = $"customer {n}" }, n);
        })];
        store.Write(Batch(), rows);
        var startedOver = WalStartedOver(file.Path);
        // Batch after batch on one thread for two seconds, as the group commit's writer under sustained load: there is
        // no moment at which the WAL holds only frames a checkpoint has copied.
        for (var until = DateTime.UtcNow.AddSeconds(2); DateTime.UtcNow < until;) store.Write(Batch(), rows);
        var times = WalStartedOver(file.Path) - startedOver;
        await stop.CancelAsync();
        await maintenance;
        // Background checkpoints copied the WAL as it was when they began; the writer copied the rest between two
        // batches, and its next commit started the WAL over. Without that, it never does while the writer is busy.
        Assert.True(store.CatchUps >= 2 && times >= 2,
            $"{store.CatchUps} catch-ups, the WAL started over {times} times, {store.CheckpointsCopiedAll} checkpoints copied all, {n} customers");
        Assert.Equal(n.ToString(), file.Scalar("SELECT COUNT(*) FROM objects WHERE type = 'customer'"));
    }

    // The WAL header's checkpoint sequence number (bytes 12-15, big-endian): SQLite adds one each time it starts the WAL over.
    private static uint WalStartedOver(string db)
    {
        using var wal = new FileStream(db + "-wal", FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        Span<byte> header = stackalloc byte[16];
        wal.ReadExactly(header);
        return System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(header[12..]);
    }

    private static async Task WaitFor(Func<bool> condition)
    {
        for (var i = 0; i < 200 && !condition(); i++) await Task.Delay(25);
        Assert.True(condition(), "timed out waiting");
    }
}
