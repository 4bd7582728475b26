using Microsoft.Data.Sqlite;
using MockProcessor.Domain.Common;

namespace MockProcessor.Server.Storage;

/// <summary>
/// The embedded durable store: one SQLite file (schema and migrations in <see cref="Database"/>), WAL with
/// synchronous=NORMAL, object versions appended to <c>objects</c> in commit order, checkpoints in the background.
/// </summary>
public sealed class SqliteStore : IDurableStore
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

    public byte[] FingerprintKey { get; }

    public IEnumerable<StoredVersion> ReadObjects(string? type = null)
    {
        using var cmd = _conn.CreateCommand();
        cmd.CommandText = type is null
            ? "SELECT rowid, type, data, seq FROM objects ORDER BY rowid"
            : "SELECT rowid, type, data, seq FROM objects WHERE type = $type ORDER BY rowid";
        if (type is not null) cmd.Parameters.AddWithValue("$type", type);
        using var r = cmd.ExecuteReader();
        while (r.Read()) yield return new StoredVersion(r.GetInt64(0), r.GetString(1), (byte[])r.GetValue(2), r.GetInt64(3));
    }

    public IEnumerable<StoredVersion> ReadObjectsNewestFirst(Func<StoredHead, bool> wanted)
    {
        using var cmd = _conn.CreateCommand();
        // data last: SQLite decodes a row's columns on demand, so a refused version's blob is never copied out.
        cmd.CommandText = "SELECT rowid, id, account, type, seq, data FROM objects ORDER BY rowid DESC";
        using var r = cmd.ExecuteReader();
        while (r.Read())
        {
            var position = r.GetInt64(0);
            if (!wanted(new StoredHead(position, r.GetString(1), r.GetString(2)))) continue;
            yield return new StoredVersion(position, r.GetString(3), (byte[])r.GetValue(5), r.GetInt64(4));
        }
    }

    public IEnumerable<IdempotencyRow> ReadIdempotency()
    {
        using var cmd = _conn.CreateCommand();
        cmd.CommandText = "SELECT account, key, fingerprint, status, body, request_id, created FROM idempotency ORDER BY rowid";
        using var r = cmd.ExecuteReader();
        while (r.Read())
            yield return new IdempotencyRow(r.GetString(0), r.GetString(1), r.GetString(2), r.GetInt32(3), (byte[])r.GetValue(4), r.GetString(5), r.GetInt64(6));
    }

    public void Write(IEnumerable<Row> rows, Func<StripeObject, byte[]> serialize)
    {
        using var tx = _conn.BeginTransaction();
        _insert.Transaction = _deleteVersion.Transaction = _insertIdempotency.Transaction = _purge.Transaction = tx;
        foreach (var row in rows)
        {
            switch (row)
            {
                case ObjectRow o:
                    _id.Value = o.Object.Id; _account.Value = o.Object.AccountId; _type.Value = o.Object.ObjectType;
                    _created.Value = o.Object.Created; _seq.Value = o.Seq; _data.Value = serialize(o.Object);
                    _insert.ExecuteNonQuery();
                    break;
                case IdempotencyRow i:
                    _iAccount.Value = i.Account; _iKey.Value = i.Key; _iFingerprint.Value = i.Fingerprint; _iStatus.Value = i.Status;
                    _iBody.Value = i.Body; _iRequest.Value = i.RequestId; _iCreated.Value = i.Created;
                    _insertIdempotency.ExecuteNonQuery();
                    break;
                case IdempotencyPurge purge:
                    _purgeBefore.Value = purge.OlderThan;
                    _purge.ExecuteNonQuery();
                    break;
                case CompactionStep step:
                    foreach (var rowid in step.Superseded)
                    {
                        _rowid.Value = rowid;
                        _deleteVersion.ExecuteNonQuery();
                    }
                    break;
            }
        }
        tx.Commit();
    }

    /// <summary>A PASSIVE checkpoint once a second (copies what it can without blocking the writer); TRUNCATE at the end.</summary>
    public async Task MaintainAsync(CancellationToken stop)
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

    public void Dispose()
    {
        _insert.Dispose(); _deleteVersion.Dispose(); _insertIdempotency.Dispose(); _purge.Dispose();
        _conn.Dispose();
    }
}
