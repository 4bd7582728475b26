using System.Threading.Channels;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace MockProcessor.Server.Storage;

/// <summary>
/// Write-behind with group commit. State changes are applied in memory under the account's lock, then
/// their rows are queued here; one writer drains everything waiting, writes it in a single SQLite
/// transaction and completes every waiter. A request is answered only after its batch is committed, so
/// an acknowledged write is durable, while many requests share one commit.
/// </summary>
public sealed class WriteLog : IAsyncDisposable
{
    private sealed record Pending(IReadOnlyList<Row> Rows, TaskCompletionSource Done);

    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new() { SingleReader = true });
    private readonly SqliteConnection _conn;
    private readonly Func<MockProcessor.Domain.Common.StripeObject, byte[]> _serialize;
    private readonly ILogger _log;
    private readonly Task _loop;

    public WriteLog(SqliteConnection conn, Func<MockProcessor.Domain.Common.StripeObject, byte[]> serialize, ILogger log)
    {
        _conn = conn;
        _serialize = serialize;
        _log = log;
        Database.Exec(_conn, "PRAGMA wal_autocheckpoint=0;");
        _loop = Task.Factory.StartNew(Run, TaskCreationOptions.LongRunning).Unwrap();
        _checkpointer = Task.Run(() => Checkpoint(conn.DataSource));
    }

    public long Commits { get; private set; }

    // SQLite's automatic checkpoint runs inside a commit and stalls every request waiting on that batch.
    // The writer's connection turns it off and a second connection checkpoints in the background
    // (PASSIVE: copies what it can without blocking the writer) once a second.
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _checkpointer;

    public Task Append(IReadOnlyList<Row> rows)
    {
        if (rows.Count == 0) return Task.CompletedTask;
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_queue.Writer.TryWrite(new Pending(rows, done)))
            done.SetException(new InvalidOperationException("The store is shutting down."));
        return done.Task;
    }

    private async Task Run()
    {
        var batch = new List<Pending>();
        using var upsert = _conn.CreateCommand();
        upsert.CommandText = "INSERT INTO objects(id, account, type, created, seq, data) VALUES($id, $account, $type, $created, $seq, $data)";
        var pId = upsert.Parameters.Add("$id", SqliteType.Text);
        var pAccount = upsert.Parameters.Add("$account", SqliteType.Text);
        var pType = upsert.Parameters.Add("$type", SqliteType.Text);
        var pCreated = upsert.Parameters.Add("$created", SqliteType.Integer);
        var pSeq = upsert.Parameters.Add("$seq", SqliteType.Integer);
        var pData = upsert.Parameters.Add("$data", SqliteType.Blob);

        while (await _queue.Reader.WaitToReadAsync())
        {
            batch.Clear();
            while (_queue.Reader.TryRead(out var p)) batch.Add(p);
            try
            {
                using (var tx = _conn.BeginTransaction())
                {
                    upsert.Transaction = tx;
                    foreach (var p in batch)
                    foreach (var row in p.Rows)
                    {
                        switch (row)
                        {
                            case ObjectRow o:
                                pId.Value = o.Object.Id; pAccount.Value = o.Object.AccountId; pType.Value = o.Object.ObjectType;
                                pCreated.Value = o.Object.Created; pSeq.Value = o.Seq; pData.Value = _serialize(o.Object);
                                upsert.ExecuteNonQuery();
                                break;
                            case IdempotencyRow i:
                                WriteIdempotency(tx, i);
                                break;
                            case IdempotencyPurge purge:
                                using (var cmd = _conn.CreateCommand())
                                {
                                    cmd.Transaction = tx;
                                    cmd.CommandText = "DELETE FROM idempotency WHERE created < $t";
                                    cmd.Parameters.AddWithValue("$t", purge.OlderThan);
                                    cmd.ExecuteNonQuery();
                                }
                                break;
                        }
                    }
                    tx.Commit();
                }
                Commits++;
                foreach (var p in batch) p.Done.TrySetResult();
            }
            catch (Exception ex)
            {
                // A failed commit leaves memory ahead of disk; the waiting requests answer 500 and say so.
                _log.LogError(ex, "Committing {Count} queued writes failed", batch.Count);
                foreach (var p in batch) p.Done.TrySetException(ex);
            }
        }
    }

    private void WriteIdempotency(SqliteTransaction tx, IdempotencyRow i)
    {
        using var cmd = _conn.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = """
            INSERT INTO idempotency(account, key, fingerprint, status, body, request_id, created)
            VALUES($a, $k, $f, $s, $b, $r, $c)
            """;
        cmd.Parameters.AddWithValue("$a", i.Account);
        cmd.Parameters.AddWithValue("$k", i.Key);
        cmd.Parameters.AddWithValue("$f", i.Fingerprint);
        cmd.Parameters.AddWithValue("$s", i.Status);
        cmd.Parameters.AddWithValue("$b", i.Body);
        cmd.Parameters.AddWithValue("$r", i.RequestId);
        cmd.Parameters.AddWithValue("$c", i.Created);
        cmd.ExecuteNonQuery();
    }

    private async Task Checkpoint(string path)
    {
        using var conn = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        conn.Open();
        Database.Exec(conn, "PRAGMA busy_timeout=5000;");
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                try { Database.Exec(conn, "PRAGMA wal_checkpoint(PASSIVE);"); }
                catch (SqliteException ex) { _log.LogWarning(ex, "WAL checkpoint failed; will retry"); }
            }
        }
        catch (OperationCanceledException) { }
        Database.Exec(conn, "PRAGMA wal_checkpoint(TRUNCATE);");
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _loop;
        await _stop.CancelAsync();
        await _checkpointer;
        _conn.Dispose();
    }
}
