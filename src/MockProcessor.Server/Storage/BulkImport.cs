using System.Text.Json;
using Microsoft.Data.Sqlite;
using MockProcessor.Domain.Common;

namespace MockProcessor.Server.Storage;

/// <summary>
/// Writes objects straight into a database file in the store's own format (same schema and migrations, same JSON,
/// same append-only rows), without keeping them in memory: for generating large data sets (the 1M benchmark,
/// warehouse tests). The emulator loads the result like any database it wrote itself. Not for a file a running
/// emulator has open: its memory would not see the rows.
/// </summary>
public sealed class BulkImport : IDisposable
{
    private const int RowsPerTransaction = 50_000;
    private readonly SqliteConnection _conn;
    private readonly SqliteCommand _insert;
    private readonly SqliteParameter _id, _account, _type, _created, _seq, _data;
    private readonly JsonSerializerOptions _json;
    private SqliteTransaction _tx;
    private long _seq0;
    private int _inTx;

    public BulkImport(string path, IReadOnlyDictionary<string, Type> persistedTypes)
    {
        _conn = Database.Open(path);
        _json = PersistenceFormat.Options(persistedTypes);
        using (var max = _conn.CreateCommand())
        {
            max.CommandText = "SELECT COALESCE(MAX(seq), 0) FROM objects";
            _seq0 = (long)max.ExecuteScalar()!;
        }
        Database.Exec(_conn, "PRAGMA synchronous=OFF;");
        _tx = _conn.BeginTransaction();
        _insert = _conn.CreateCommand();
        _insert.CommandText = "INSERT INTO objects(id, account, type, created, seq, data) VALUES($id, $account, $type, $created, $seq, $data)";
        _id = _insert.Parameters.Add("$id", SqliteType.Text);
        _account = _insert.Parameters.Add("$account", SqliteType.Text);
        _type = _insert.Parameters.Add("$type", SqliteType.Text);
        _created = _insert.Parameters.Add("$created", SqliteType.Integer);
        _seq = _insert.Parameters.Add("$seq", SqliteType.Integer);
        _data = _insert.Parameters.Add("$data", SqliteType.Blob);
        _insert.Transaction = _tx;
    }

    public long Rows { get; private set; }

    public void Add(StripeObject o)
    {
        _id.Value = o.Id;
        _account.Value = o.AccountId;
        _type.Value = o.ObjectType;
        _created.Value = o.Created;
        _seq.Value = ++_seq0;
        _data.Value = JsonSerializer.SerializeToUtf8Bytes(o, o.GetType(), _json);
        _insert.ExecuteNonQuery();
        Rows++;
        if (++_inTx < RowsPerTransaction) return;
        _tx.Commit();
        _tx.Dispose();
        _tx = _conn.BeginTransaction();
        _insert.Transaction = _tx;
        _inTx = 0;
    }

    public void Dispose()
    {
        _tx.Commit();
        _tx.Dispose();
        _insert.Dispose();
        // The file is handed over whole, without a WAL: checkpointed, then out of WAL mode, so that a read-only reader
        // (reconcile --db) needs no -wal/-shm files beside it and leaves none. The emulator's Database.Open turns WAL
        // back on when it serves the file.
        Database.Exec(_conn, "PRAGMA synchronous=NORMAL; PRAGMA wal_checkpoint(TRUNCATE); PRAGMA journal_mode=DELETE;");
        _conn.Dispose();
    }
}
