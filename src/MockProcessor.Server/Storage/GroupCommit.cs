using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using MockProcessor.Domain.Common;

namespace MockProcessor.Server.Storage;

/// <summary>
/// Write-behind with group commit, for any <see cref="IDurableStore"/>. State changes are applied in memory under the
/// account's lock, then their rows are queued here; one writer drains everything waiting, hands it to the backend as
/// one atomic write and completes every waiter. A request is answered only after its batch is committed, so an
/// acknowledged write is durable, while many requests share one commit.
/// </summary>
public sealed class GroupCommit : IAsyncDisposable
{
    private sealed record Pending(IReadOnlyList<Row> Rows, TaskCompletionSource Done);

    // The one continuation ever waiting on the reader is the writer thread's wake-up (WaitToRead), run by the thread that
    // queues the rows: without the synchronous continuation it would itself wait for a pool thread.
    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new() { SingleReader = true, AllowSynchronousContinuations = true });
    private readonly IDurableStore _backend;
    private readonly RowSerializer _serialize;
    private readonly ILogger _log;
    private readonly Task _loop;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _maintenance;

    private readonly Func<IReadOnlyList<ObjectRow>, IDisposable?>? _prepare;

    /// <param name="prepare">
    /// Readies a batch's object rows for the write (plans their positions, or serialises them into <see cref="ObjectRow.Data"/>),
    /// if given; what it returns is disposed once the batch is written.
    /// </param>
    public GroupCommit(IDurableStore backend, RowSerializer serialize, ILogger log, Func<IReadOnlyList<ObjectRow>, IDisposable?>? prepare = null)
    {
        _backend = backend;
        _prepare = prepare;
        _serialize = serialize;
        _log = log;
        // The writer has a thread of its own for its whole life, not a pool thread after its first wait: a clock advance
        // blocks a pool thread while it waits for the writer (Tx.CommitPart), and with the pool at its minimum (one
        // thread per core) the writer's next batch then waited for the pool to grow, ~0.5-0.9 s (docs/performance.md).
        _loop = Task.Factory.StartNew(Run, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        _maintenance = Task.Run(() => backend.MaintainAsync(_stop.Token));
    }

    public long Commits { get; private set; }

    /// <summary>
    /// Batches whose commit failed, or that came after the store stopped taking rows: memory was then ahead of the disk
    /// (no index snapshot may be written).
    /// </summary>
    public long Failures => Interlocked.Read(ref _failures);
    private long _failures;

    public Task Append(IReadOnlyList<Row> rows)
    {
        if (rows.Count == 0) return Task.CompletedTask;
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_queue.Writer.TryWrite(new Pending(rows, done)))
        {
            // A unit of work applied these rows to memory already: memory is now ahead of the disk, as after a failed batch.
            Interlocked.Increment(ref _failures);
            done.SetException(new InvalidOperationException("The store is shutting down."));
        }
        return done.Task;
    }

    private void Run()
    {
        var batch = new List<Pending>();
        while (WaitToRead())
        {
            batch.Clear();
            while (_queue.Reader.TryRead(out var p)) batch.Add(p);
            List<ObjectRow>? objects = null;
            IDisposable? prepared = null;
            try
            {
                if (_prepare is not null)
                {
                    objects = batch.SelectMany(p => p.Rows).OfType<ObjectRow>().ToList();
                    prepared = _prepare(objects);
                }
                _backend.Write(batch.SelectMany(p => p.Rows), _serialize);
                Commits++;
                foreach (var p in batch) p.Done.TrySetResult();
            }
            catch (Exception ex)
            {
                // A failed commit leaves memory ahead of disk; the waiting requests answer 500 and say so.
                _log.LogError(ex, "Committing {Count} queued writes failed", batch.Count);
                Interlocked.Increment(ref _failures);
                foreach (var p in batch) p.Done.TrySetException(ex);
            }
            finally
            {
                prepared?.Dispose();
                // The bytes are written (or the batch failed): rows queued in the object cache keep no copy.
                if (objects is not null) foreach (var o in objects) o.Data = null;
            }
        }
    }

    // Blocks this thread until rows are queued (woken by the queuing thread, not through the pool); false once the queue is completed.
    private bool WaitToRead()
    {
        var wait = _queue.Reader.WaitToReadAsync();
        return wait.IsCompleted ? wait.Result : wait.AsTask().GetAwaiter().GetResult();
    }

    /// <summary>Takes no more rows and waits until every queued one is written; the backend stays open until <see cref="DisposeAsync"/>.</summary>
    public async Task DrainAsync()
    {
        _queue.Writer.TryComplete();
        await _loop;
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _loop;
        await _stop.CancelAsync();
        await _maintenance;
        _backend.Dispose();
    }
}
