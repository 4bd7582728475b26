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
    private readonly SqliteCommand _insert, _deleteVersion, _insertIdempotency, _purge;
    private readonly SqliteParameter _id, _account, _type, _created, _seq, _data, _rowid;
    private readonly SqliteParameter _iAccount, _iKey, _iFingerprint, _iStatus, _iBody, _iRequest, _iCreated, _purgeBefore;

    public SqliteStore(string path)
    {
        _conn = Database.Open(path);
        FingerprintKey = Database.FingerprintKey(_conn);
        // SQLite's automatic checkpoint runs inside a commit and stalls every request waiting on that batch: the writer's
        // connection turns it off and MaintainAsync checkpoints from a second connection.
        Database.Exec(_conn, "PRAGMA wal_autocheckpoint=0;");
        _insert = _conn.CreateCommand();
        _insert.CommandText = "INSERT INTO objects(id, account, type, created, seq, data) VALUES($id, $account, $type, $created, $seq, $data)";
        _id = _insert.Parameters.Add("$id", SqliteType.Text);
        _account = _insert.Parameters.Add("$account", SqliteType.Text);
        _type = _insert.Parameters.Add("$type", SqliteType.Text);
        _created = _insert.Parameters.Add("$created", SqliteType.Integer);
        _seq = _insert.Parameters.Add("$seq", SqliteType.Integer);
        _data = _insert.Parameters.Add("$data", SqliteType.Blob);
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
        _purge.CommandText = "DELETE FROM idempotency WHERE created < $t";
        _purgeBefore = _purge.Parameters.Add("$t", SqliteType.Integer);
    }

    protected override System.Data.Common.DbConnection Connection => _conn;

    protected override string PositionColumn => "rowid";

    protected override void Begin(System.Data.Common.DbTransaction tx) =>
        _insert.Transaction = _deleteVersion.Transaction = _insertIdempotency.Transaction = _purge.Transaction = (SqliteTransaction)tx;

    // One prepared statement a row: SQLite runs in-process, a statement costs no round trip.
    protected override void InsertObjects(IReadOnlyList<(StripeObject Object, long Seq, byte[] Data)> versions)
    {
        foreach (var (o, seq, data) in versions)
        {
            _id.Value = o.Id; _account.Value = o.AccountId; _type.Value = o.ObjectType;
            _created.Value = o.Created; _seq.Value = seq; _data.Value = data;
            _insert.ExecuteNonQuery();
            InsertedPositions.Add(SQLitePCL.raw.sqlite3_last_insert_rowid(_conn.Handle));
        }
    }

    // Readers for cold objects (ReadAt), one connection each, taken by whichever thread needs one: WAL lets them read
    // while the writer writes, and a reader sees every committed batch.
    private readonly System.Collections.Concurrent.ConcurrentBag<(SqliteConnection Conn, SqliteCommand Read)> _readers = [];

    public override bool CanReadBack => true;

    public override StoredVersion ReadAt(long position)
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
            reader = (conn, cmd);
        }
        try
        {
            reader.Read.Parameters[0].Value = position;
            using var r = reader.Read.ExecuteReader();
            if (!r.Read()) throw new InvalidOperationException($"No stored object version at position {position}.");
            return new StoredVersion(position, r.GetString(0), (byte[])r.GetValue(1), r.GetInt64(2));
        }
        finally { _readers.Add(reader); }
    }

    protected override void InsertIdempotency(IReadOnlyList<IdempotencyRow> records)
    {
        foreach (var i in records)
        {
            _iAccount.Value = i.Account; _iKey.Value = i.Key; _iFingerprint.Value = i.Fingerprint; _iStatus.Value = i.Status;
            _iBody.Value = i.Body; _iRequest.Value = i.RequestId; _iCreated.Value = i.Created;
            _insertIdempotency.ExecuteNonQuery();
        }
    }

    protected override void PurgeIdempotency(long olderThan)
    {
        _purgeBefore.Value = olderThan;
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

    /// <summary>A PASSIVE checkpoint once a second (copies what it can without blocking the writer); TRUNCATE at the end.</summary>
    public override async Task MaintainAsync(CancellationToken stop)
    {
        using var conn = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = _conn.DataSource, Pooling = false }.ToString());
        conn.Open();
        Database.Exec(conn, "PRAGMA busy_timeout=5000;");
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                try { Database.Exec(conn, "PRAGMA wal_checkpoint(PASSIVE);"); }
                catch (SqliteException) { /* busy: the next tick retries */ }
            }
        }
        catch (OperationCanceledException) { }
        Database.Exec(conn, "PRAGMA wal_checkpoint(TRUNCATE);");
    }

    public override void Dispose()
    {
        _insert.Dispose(); _deleteVersion.Dispose(); _insertIdempotency.Dispose(); _purge.Dispose();
        while (_readers.TryTake(out var reader)) { reader.Read.Dispose(); reader.Conn.Dispose(); }
        _conn.Dispose();
    }
}
