using Microsoft.Data.Sqlite;
using MockProcessor.Domain.Common;

namespace MockProcessor.Server.Storage;

/// <summary>
/// The embedded durable store: one SQLite file (schema and migrations in <see cref="Database"/>), WAL with
/// synchronous=NORMAL, object versions appended to <c>objects</c> in commit order, checkpoints in the background.
/// </summary>
public sealed class SqliteStore : SqlStore
{
    private readonly SqliteConnection _conn;
    private readonly SqliteCommand _deleteVersion, _insertIdempotency, _purge;
    private readonly SqliteParameter _rowid;
    // Object versions are most of what is written (a year of renewals is ~230,000 rows): one statement prepared once and
    // bound by position through SQLite's own API, without ADO.NET's per-execution statement and parameter-name lookups.
    private readonly SQLitePCL.sqlite3_stmt _insert;
    // The rowid the next version takes (one past the largest committed): the writer plans positions before writing.
    private long _next;
    private readonly SqliteParameter _iAccount, _iKey, _iFingerprint, _iStatus, _iBody, _iRequest, _iCreated, _purgeBefore, _purgeAccount;

    private readonly CheckpointPolicy _checkpoints;
    private readonly string _path;
    private long _checkpointsRun, _checkpointsCopiedAll, _catchUps;
    // Set by the maintenance loop after a checkpoint copied what the WAL held when it began, and the WAL is worth starting
    // over: the writer then copies the frames it appended meanwhile itself, between two batches (CatchUp).
    private volatile bool _catchUpWanted;

    /// <summary>Background checkpoints that copied the whole WAL as it was when they began (one a reader stopped short is not).</summary>
    public long CheckpointsCopiedAll => Interlocked.Read(ref _checkpointsCopiedAll);

    /// <summary>Checkpoints the writer ran between two batches so that its next commit could start the WAL over.</summary>
    public long CatchUps => Interlocked.Read(ref _catchUps);

    /// <param name="checkpoints">When to checkpoint the WAL (default: <see cref="CheckpointPolicy"/>'s).</param>
    public SqliteStore(string path, CheckpointPolicy? checkpoints = null)
    {
        _path = path;
        _checkpoints = checkpoints ?? new CheckpointPolicy();
        _conn = Database.Open(path);
        FingerprintKey = Database.FingerprintKey(_conn);
        // SQLite's automatic checkpoint runs inside a commit and stalls every request waiting on that batch: the writer's
        // connection turns it off and MaintainAsync checkpoints from a second connection.
        Database.Exec(_conn, $"PRAGMA wal_autocheckpoint=0; PRAGMA journal_size_limit={_checkpoints.KeepWalBytes};");
        Check(SQLitePCL.raw.sqlite3_prepare_v2(_conn.Handle,
            "INSERT INTO objects(id, account, type, created, seq, data, rowid, head, refs) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)", out _insert));
        using (var max = _conn.CreateCommand())
        {
            max.CommandText = "SELECT COALESCE(MAX(rowid), 0) + 1 FROM objects";
            _next = (long)max.ExecuteScalar()!;
        }
        _deleteVersion = _conn.CreateCommand();
        _deleteVersion.CommandText = "DELETE FROM objects WHERE rowid = $rowid";
        _rowid = _deleteVersion.Parameters.Add("$rowid", SqliteType.Integer);
        _insertIdempotency = _conn.CreateCommand();
        _insertIdempotency.CommandText = """
            INSERT INTO idempotency(account, key, fingerprint, status, body, request_id, created)
            VALUES($a, $k, $f, $s, $b, $r, $c)
            """;
        _iAccount = _insertIdempotency.Parameters.Add("$a", SqliteType.Text);
        _iKey = _insertIdempotency.Parameters.Add("$k", SqliteType.Text);
        _iFingerprint = _insertIdempotency.Parameters.Add("$f", SqliteType.Text);
        _iStatus = _insertIdempotency.Parameters.Add("$s", SqliteType.Integer);
        _iBody = _insertIdempotency.Parameters.Add("$b", SqliteType.Blob);
        _iRequest = _insertIdempotency.Parameters.Add("$r", SqliteType.Text);
        _iCreated = _insertIdempotency.Parameters.Add("$c", SqliteType.Integer);
        _purge = _conn.CreateCommand();
        _purge.CommandText = "DELETE FROM idempotency WHERE created < $t AND account = $a";
        _purgeBefore = _purge.Parameters.Add("$t", SqliteType.Integer);
        _purgeAccount = _purge.Parameters.Add("$a", SqliteType.Text);
    }

    /// <summary>The meta row naming the index snapshot written at the last clean stop (docs/storage.md).</summary>
    private const string SnapshotTokenName = "index_snapshot";

    public override string? SnapshotPath => _path.StartsWith(':') || _path.Contains("mode=memory", StringComparison.Ordinal) ? null : _path + ".index";
    public override string? IndexPagesPath => SnapshotPath is null ? null : _path + ".pages";

    public override string? TakeSnapshotToken()
    {
        using var tx = _conn.BeginTransaction();
        using var read = _conn.CreateCommand();
        read.Transaction = tx;
        read.CommandText = $"SELECT value FROM meta WHERE key = '{SnapshotTokenName}'";
        var token = read.ExecuteScalar() as string;
        if (token is null) return null;
        Database.Exec(_conn, $"DELETE FROM meta WHERE key = '{SnapshotTokenName}'", tx);
        tx.Commit();
        // synchronous=NORMAL makes a commit durable against a process crash only: the token's removal must survive a power
        // cut too, or a snapshot could be taken for current after rows it does not know were written.
        Database.Exec(_conn, "PRAGMA wal_checkpoint(FULL);");
        return token;
    }

    public override void SetSnapshotToken(string token)
    {
        using var put = _conn.CreateCommand();
        put.CommandText = "INSERT INTO meta(key, value) VALUES($k, $v) ON CONFLICT(key) DO UPDATE SET value = excluded.value";
        put.Parameters.AddWithValue("$k", SnapshotTokenName);
        put.Parameters.AddWithValue("$v", token);
        put.ExecuteNonQuery();
    }

    public override (long Objects, long Idempotency) LastPositions()
    {
        using var max = _conn.CreateCommand();
        max.CommandText = "SELECT (SELECT COALESCE(MAX(rowid), 0) FROM objects), (SELECT COALESCE(MAX(rowid), 0) FROM idempotency)";
        using var r = max.ExecuteReader();
        r.Read();
        return (r.GetInt64(0), r.GetInt64(1));
    }

    protected override System.Data.Common.DbConnection Connection => _conn;

    public override long? NextPosition => _next;

    protected override void Committed(IReadOnlyList<long> positions)
    {
        if (positions.Count > 0) _next = Math.Max(_next, positions.Max() + 1);
        if (_catchUpWanted) CatchUp();
    }

    // SQLite starts the WAL over (and truncates it to journal_size_limit) when a write transaction begins after a
    // checkpoint copied every frame in it. A background checkpoint copies the frames there were when it began; a writer
    // that never rests has appended more by the time it ends, so under sustained load the WAL never started over: it
    // grew by the gigabyte, and its index (the -shm file, mapped in the process) with it (docs/storage.md, "Checkpoints
    // when the writer rests"). So after a background checkpoint the writer copies the few frames appended since, on its
    // own connection, between two batches: nothing is appended meanwhile, and its next commit starts the WAL over
    // (unless a cold read is reading the WAL at that moment; then the next background checkpoint asks again).
    private void CatchUp()
    {
        _catchUpWanted = false;
        try
        {
            using var checkpoint = _conn.CreateCommand();
            checkpoint.CommandText = "PRAGMA wal_checkpoint(PASSIVE);";
            checkpoint.ExecuteNonQuery();
            Interlocked.Increment(ref _catchUps);
        }
        catch (SqliteException) { /* another checkpoint is running: the next background one asks again */ }
    }

    protected override string PositionColumn => "rowid";

    protected override void Begin(System.Data.Common.DbTransaction tx) =>
        _deleteVersion.Transaction = _insertIdempotency.Transaction = _purge.Transaction = (SqliteTransaction)tx;

    // One prepared statement a row: SQLite runs in-process, a statement costs no round trip.
    protected override void InsertObjects(IReadOnlyList<ObjectRow> versions)
    {
        Span<byte> text = stackalloc byte[512];
        foreach (var row in versions)
        {
            var (o, seq, planned) = (row.Object, row.Seq, row.Planned);
            try
            {
                BindText(1, o.Id);
                BindText(2, o.AccountId);
                BindText(3, o.ObjectType);
                Check(SQLitePCL.raw.sqlite3_bind_int64(_insert, 4, o.Created));
                Check(SQLitePCL.raw.sqlite3_bind_int64(_insert, 5, seq));
                Check(SQLitePCL.raw.sqlite3_bind_blob(_insert, 6, BufferedBytes(row, out var refs))); // SQLite copies it
                Check(planned > 0 ? SQLitePCL.raw.sqlite3_bind_int64(_insert, 7, planned) : SQLitePCL.raw.sqlite3_bind_null(_insert, 7));
                // The head and refs as UTF-8, on the stack when they fit: a clock advance writes hundreds of thousands of rows.
                var head = HeadMaxBytes(row) is var max && max <= text.Length ? text : new byte[max];
                var n = HeadOf(row, head);
                Check(n >= 0 ? SQLitePCL.raw.sqlite3_bind_text(_insert, 8, head[..n]) : SQLitePCL.raw.sqlite3_bind_null(_insert, 8));
                if (refs is null) Check(SQLitePCL.raw.sqlite3_bind_null(_insert, 9));
                else
                {
                    var positions = RowHead.RefsMaxBytes(refs.Count) is var most && most <= text.Length ? text : new byte[most];
                    Check(SQLitePCL.raw.sqlite3_bind_text(_insert, 9, positions[..RowHead.WriteRefs(refs, positions)]));
                }
                var rc = SQLitePCL.raw.sqlite3_step(_insert);
                if (rc != SQLitePCL.raw.SQLITE_DONE) Check(rc);
            }
            finally { SQLitePCL.raw.sqlite3_reset(_insert); }
            InsertedPositions.Add(SQLitePCL.raw.sqlite3_last_insert_rowid(_conn.Handle));
        }
    }

    /// <summary>Binds a string as UTF-8 without an array per call (SQLite copies it); ids and types are short.</summary>
    private void BindText(int index, string value)
    {
        if (value.Length == 0) { Check(SQLitePCL.raw.sqlite3_bind_text(_insert, index, value)); return; } // an empty span binds NULL
        var max = System.Text.Encoding.UTF8.GetMaxByteCount(value.Length);
        Span<byte> utf8 = max <= 512 ? stackalloc byte[max] : new byte[max];
        Check(SQLitePCL.raw.sqlite3_bind_text(_insert, index, utf8[..System.Text.Encoding.UTF8.GetBytes(value, utf8)]));
    }

    /// <summary>
    /// Start-up's pass over every row, through SQLite's own API: most rows are filed from their heads without their data
    /// being read (docs/storage.md, "Start-up from row heads"), so the per-value cost of ADO.NET was most of the pass.
    /// An account's and a type's string is made once, not once a row.
    /// </summary>
    public override IEnumerable<StoredVersion> ReadObjectsNewestFirst(Func<StoredHead, bool> wanted)
    {
        Check(SQLitePCL.raw.sqlite3_prepare_v2(_conn.Handle,
            "SELECT rowid, id, account, type, seq, created, head, refs, data FROM objects ORDER BY rowid DESC", out var stmt));
        try
        {
            var accounts = new List<(byte[] Utf8, string Value)>();
            var types = new List<(byte[] Utf8, string Value)>();
            while (true)
            {
                var rc = SQLitePCL.raw.sqlite3_step(stmt);
                if (rc == SQLitePCL.raw.SQLITE_DONE) yield break;
                if (rc != SQLitePCL.raw.SQLITE_ROW) Check(rc);
                var position = SQLitePCL.raw.sqlite3_column_int64(stmt, 0);
                var type = Known(stmt, 3, types);
                var seq = SQLitePCL.raw.sqlite3_column_int64(stmt, 4);
                var head = new StoredHead(position, Text(stmt, 1)!, Known(stmt, 2, accounts), type, seq, SQLitePCL.raw.sqlite3_column_int64(stmt, 5),
                    Head(stmt, 6), Text(stmt, 7));
                if (!wanted(head)) continue;
                yield return new StoredVersion(position, type, SQLitePCL.raw.sqlite3_column_blob(stmt, 8).ToArray(), seq);
            }
        }
        finally { stmt.Dispose(); }
    }

    private static string? Text(SQLitePCL.sqlite3_stmt stmt, int column) =>
        SQLitePCL.raw.sqlite3_column_type(stmt, column) == SQLitePCL.raw.SQLITE_NULL ? null
            : System.Text.Encoding.UTF8.GetString(SQLitePCL.raw.sqlite3_column_blob(stmt, column));

    /// <summary>A head; the one-letter heads of types without indexes are shared strings.</summary>
    private static string? Head(SQLitePCL.sqlite3_stmt stmt, int column)
    {
        if (SQLitePCL.raw.sqlite3_column_type(stmt, column) == SQLitePCL.raw.SQLITE_NULL) return null;
        var bytes = SQLitePCL.raw.sqlite3_column_blob(stmt, column);
        return bytes.Length == 1 && bytes[0] == (byte)'c' ? "c" : bytes.Length == 1 && bytes[0] == (byte)'h' ? "h" : System.Text.Encoding.UTF8.GetString(bytes);
    }

    /// <summary>A value of a column with few distinct values (accounts, types), as one string per value.</summary>
    private static string Known(SQLitePCL.sqlite3_stmt stmt, int column, List<(byte[] Utf8, string Value)> known)
    {
        var bytes = SQLitePCL.raw.sqlite3_column_blob(stmt, column);
        for (var i = 0; i < known.Count; i++)
            if (bytes.SequenceEqual(known[i].Utf8))
            {
                if (i > 0) (known[0], known[i]) = (known[i], known[0]); // the last one met is looked at first
                return known[0].Value;
            }
        var value = System.Text.Encoding.UTF8.GetString(bytes);
        if (known.Count < 64) known.Insert(0, (bytes.ToArray(), value));
        return value;
    }

    /// <summary>Throws SQLite's error for a failed call of its own API (the batch then fails as a whole).</summary>
    private void Check(int rc)
    {
        if (rc != SQLitePCL.raw.SQLITE_OK) throw new SqliteException(SQLitePCL.raw.sqlite3_errmsg(_conn.Handle).utf8_to_string(), rc);
    }

    // Readers for cold objects (ReadAt), one connection each, taken by whichever thread needs one: WAL lets them read
    // while the writer writes, and a reader sees every committed batch.
    private readonly System.Collections.Concurrent.ConcurrentBag<(SqliteConnection Conn, SqliteCommand Read, SqliteCommand ReadResult)> _readers = [];

    public override bool CanReadBack => true;

    public override StoredVersion ReadAt(long position)
    {
        var reader = TakeReader();
        try
        {
            reader.Read.Parameters[0].Value = position;
            using var r = reader.Read.ExecuteReader();
            if (!r.Read()) throw new InvalidOperationException($"No stored object version at position {position}.");
            return new StoredVersion(position, r.GetString(0), (byte[])r.GetValue(1), r.GetInt64(2));
        }
        finally { _readers.Add(reader); }
    }

    public override IdempotencyRow ReadIdempotencyResult(long position)
    {
        var reader = TakeReader();
        try
        {
            reader.ReadResult.Parameters[0].Value = position;
            using var r = reader.ReadResult.ExecuteReader();
            if (!r.Read()) throw new InvalidOperationException($"No stored idempotent result at position {position}.");
            return new IdempotencyRow(r.GetString(0), r.GetString(1), r.GetString(2), r.GetInt32(3), (byte[])r.GetValue(4), r.GetString(5), r.GetInt64(6))
            {
                Position = position,
            };
        }
        finally { _readers.Add(reader); }
    }

    private (SqliteConnection Conn, SqliteCommand Read, SqliteCommand ReadResult) TakeReader()
    {
        if (!_readers.TryTake(out var reader))
        {
            var conn = new SqliteConnection(new SqliteConnectionStringBuilder
            {
                DataSource = _conn.DataSource, Mode = SqliteOpenMode.ReadOnly, Pooling = false,
            }.ToString());
            conn.Open();
            Database.Exec(conn, "PRAGMA busy_timeout=5000;");
            var cmd = conn.CreateCommand();
            cmd.CommandText = "SELECT type, data, seq FROM objects WHERE rowid = $p";
            cmd.Parameters.Add("$p", SqliteType.Integer);
            var result = conn.CreateCommand();
            result.CommandText = "SELECT account, key, fingerprint, status, body, request_id, created FROM idempotency WHERE rowid = $p";
            result.Parameters.Add("$p", SqliteType.Integer);
            reader = (conn, cmd, result);
        }
        return reader;
    }

    protected override void InsertIdempotency(IReadOnlyList<IdempotencyRow> records)
    {
        foreach (var i in records)
        {
            _iAccount.Value = i.Account; _iKey.Value = i.Key; _iFingerprint.Value = i.Fingerprint; _iStatus.Value = i.Status;
            _iBody.Value = i.Body; _iRequest.Value = i.RequestId; _iCreated.Value = i.Created;
            _insertIdempotency.ExecuteNonQuery();
            InsertedResultPositions.Add(SQLitePCL.raw.sqlite3_last_insert_rowid(_conn.Handle));
        }
    }

    protected override void PurgeIdempotency(long olderThan, string account)
    {
        _purgeBefore.Value = olderThan;
        _purgeAccount.Value = account;
        _purge.ExecuteNonQuery();
    }

    protected override void DeleteVersions(IReadOnlyList<long> positions)
    {
        foreach (var rowid in positions)
        {
            _rowid.Value = rowid;
            _deleteVersion.ExecuteNonQuery();
        }
    }

    /// <summary>Checkpoints run by the maintenance loop (PASSIVE, as <see cref="CheckpointPolicy"/> decides).</summary>
    public long CheckpointsRun => Interlocked.Read(ref _checkpointsRun);

    /// <summary>
    /// PASSIVE checkpoints (copy what can be copied without blocking the writer) when the policy says so, looked at once a
    /// tick; TRUNCATE at the end.
    /// </summary>
    public override async Task MaintainAsync(CancellationToken stop)
    {
        using var conn = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = _conn.DataSource, Pooling = false }.ToString());
        conn.Open();
        Database.Exec(conn, "PRAGMA busy_timeout=5000;");
        var wal = new FileInfo(_conn.DataSource + "-wal");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        _checkpoints.Start(clock.Elapsed);
        using var timer = new PeriodicTimer(_checkpoints.Tick);
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                wal.Refresh();
                var commits = CommitCount;
                if (!_checkpoints.ShouldCheckpoint(clock.Elapsed, commits, wal.Exists ? wal.Length : 0)) continue;
                try
                {
                    using var checkpoint = conn.CreateCommand();
                    checkpoint.CommandText = "PRAGMA wal_checkpoint(PASSIVE);";
                    using var result = checkpoint.ExecuteReader(); // busy, frames in the WAL, frames copied
                    Interlocked.Increment(ref _checkpointsRun);
                    // A reader still on an older snapshot stops the copy short: then the next tick tries again.
                    if (result.Read() && result.GetInt64(2) >= result.GetInt64(1))
                    {
                        _checkpoints.Checkpointed(clock.Elapsed, commits);
                        Interlocked.Increment(ref _checkpointsCopiedAll);
                        // The writer committed since: it copies the rest, so that its next commit starts the WAL over.
                        if (CommitCount != commits && wal.Length > _checkpoints.KeepWalBytes) _catchUpWanted = true;
                    }
                }
                catch (SqliteException) { /* busy: a later tick retries */ }
            }
        }
        catch (OperationCanceledException) { }
        Database.Exec(conn, "PRAGMA wal_checkpoint(TRUNCATE);");
    }

    public override void Dispose()
    {
        _insert.Dispose(); _deleteVersion.Dispose(); _insertIdempotency.Dispose(); _purge.Dispose();
        while (_readers.TryTake(out var reader)) { reader.Read.Dispose(); reader.ReadResult.Dispose(); reader.Conn.Dispose(); }
        _conn.Dispose();
    }
}
