using Microsoft.Extensions.Logging.Abstractions;
using MockProcessor.Domain.Customers;
using MockProcessor.Server.Storage;

namespace MockProcessor.Server.Tests.Storage;

/// <summary>Tests that block the thread pool on purpose, so they run alone.</summary>
[CollectionDefinition(nameof(PoolBlockingCollection), DisableParallelization = true)]
public sealed class PoolBlockingCollection;

/// <summary>
/// The group commit's writer has a thread of its own: a clock advance blocks a pool thread while it waits for the disk
/// (Tx.CommitPart), and a writer that needed a pool thread to take its next batch then waited for the pool to grow
/// (0.5-0.9 s stalls in a year of billing, docs/performance.md).
/// </summary>
[Collection(nameof(PoolBlockingCollection))]
public class GroupCommitTests
{
    private sealed class NullStore : IDurableStore
    {
        public int Batches;
        public byte[] FingerprintKey => [];
        public IEnumerable<StoredVersion> ReadObjects(string? type = null) => [];
        public IEnumerable<StoredVersion> ReadObjectsNewestFirst(Func<StoredHead, bool> wanted) => [];
        public IEnumerable<IdempotencyRow> ReadIdempotency() => [];
        public void Write(IEnumerable<Row> rows, RowSerializer serialize)
        {
            foreach (var r in rows) if (r is ObjectRow o) _ = serialize.ToArray(o.Object);
            Interlocked.Increment(ref Batches);
        }
        public Task MaintainAsync(CancellationToken stop) => Task.CompletedTask;
        public void Dispose() { }
    }

    [Fact]
    public async Task Rows_become_durable_while_every_pool_thread_is_blocked()
    {
        var store = new NullStore();
        var rows = new RowSerializer(PersistenceFormat.Options(MockProcessor.Server.Resources.Registry.PersistedTypes));
        await using var log = new GroupCommit(store, rows, NullLogger.Instance);
        var customer = new Customer { Id = "cus_pool", AccountId = "acct_pool", Created = 1_800_000_000 };
        // Warm up: the writer has taken a batch and is waiting for the next.
        Assert.True(((IAsyncResult)log.Append([new ObjectRow(customer, 1)])).AsyncWaitHandle.WaitOne(TimeSpan.FromSeconds(10)));

        var release = new ManualResetEventSlim(false); // not disposed: blockers the pool starts later return at once
        var blocked = 0;
        // Far more blockers than the pool will start in the test's time: every pool thread, and each one the pool adds, blocks.
        for (var i = 0; i < 256; i++)
            ThreadPool.UnsafeQueueUserWorkItem(_ => { Interlocked.Increment(ref blocked); release.Wait(); }, null);
        try
        {
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (Volatile.Read(ref blocked) < Environment.ProcessorCount && DateTime.UtcNow < deadline) Thread.Sleep(10);
            var durable = log.Append([new ObjectRow(customer with { Name = "while the pool is blocked" }, 2)]);
            // Waited on synchronously, as Tx.CommitPart does: the task's completion must not need a pool thread either.
            Assert.True(((IAsyncResult)durable).AsyncWaitHandle.WaitOne(TimeSpan.FromMilliseconds(400)),
                "the write did not become durable while the pool was blocked");
            Assert.Equal(2, Volatile.Read(ref store.Batches));
        }
        finally { release.Set(); }
    }
}
