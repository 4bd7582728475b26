using System.Text.Json;
using Microsoft.Data.Sqlite;
using MockProcessor.Domain.Common;

namespace MockProcessor.Server.Storage;

/// <summary>
/// Writes objects straight into a database file in the store's own format (same schema and migrations, same JSON,
/// same append-only rows), without keeping them in memory: for generating large data sets (the 1M benchmark,
/// warehouse tests). The emulator loads the result like any database it wrote itself. Not for a file a running
/// emulator has open: its memory would not see the rows.
/// Given the store's schema and timers, each row gets its head as a commit would make it (docs/storage.md, "Start-up
/// from row heads"), so that a start files it without reading it. Only accounts are kept (timers look up an object's
/// account): a row whose timers ask for another object is written hot, and start-up reads it whole.
/// </summary>
public sealed class BulkImport : IDisposable
{
    private const int RowsPerTransaction = 50_000;
    private readonly SqliteConnection _conn;
    private readonly SqliteCommand _insert;
    private readonly SqliteParameter _id, _account, _type, _created, _seq, _data, _head;
    private readonly JsonSerializerOptions _json;
    private readonly StoreSchema? _schema;
    private readonly Time.TimerRegistry? _timers;
    private readonly Dictionary<string, StripeObject> _accounts = new(StringComparer.Ordinal);
    private readonly Func<string, StripeObject?> _get;
    private bool _missed;
    private SqliteTransaction _tx;
    private long _seq0;
    private int _inTx;

    public BulkImport(string path, IReadOnlyDictionary<string, Type> persistedTypes) : this(path, persistedTypes, null, null) { }

    public BulkImport(string path, StoreSchema schema, Time.TimerRegistry timers) : this(path, schema.PersistedTypes, schema, timers) { }

    private BulkImport(string path, IReadOnlyDictionary<string, Type> persistedTypes, StoreSchema? schema, Time.TimerRegistry? timers)
    {
        _schema = schema;
        _timers = timers;
        _get = id =>
        {
            if (_accounts.TryGetValue(id, out var known)) return known;
            _missed = true;
            return null;
        };
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
        _insert.CommandText = "INSERT INTO objects(id, account, type, created, seq, data, head) VALUES($id, $account, $type, $created, $seq, $data, $head)";
        _id = _insert.Parameters.Add("$id", SqliteType.Text);
        _account = _insert.Parameters.Add("$account", SqliteType.Text);
        _type = _insert.Parameters.Add("$type", SqliteType.Text);
        _created = _insert.Parameters.Add("$created", SqliteType.Integer);
        _seq = _insert.Parameters.Add("$seq", SqliteType.Integer);
        _data = _insert.Parameters.Add("$data", SqliteType.Blob);
        _head = _insert.Parameters.Add("$head", SqliteType.Text);
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
        _head.Value = (object?)Head(o) ?? DBNull.Value;
        _insert.ExecuteNonQuery();
        Rows++;
        if (++_inTx < RowsPerTransaction) return;
        _tx.Commit();
        _tx.Dispose();
        _tx = _conn.BeginTransaction();
        _insert.Transaction = _tx;
        _inTx = 0;
    }

    // As Tx.ScheduleTimer and CommitStaged decide it, with the accounts met so far; hot when a timer asked for anything else.
    private string? Head(StripeObject o)
    {
        if (o is Domain.Accounts.Account) _accounts[o.Id] = o;
        if (_schema is null || _timers is null) return null;
        _missed = false;
        _timers.Next(o, _get, out var hot, out var waits);
        return RowHead.Of(_schema, o, hot || _missed || _schema.WantedAtStart(o), waits);
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
