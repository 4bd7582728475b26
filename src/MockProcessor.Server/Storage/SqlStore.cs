using System.Data.Common;
using MockProcessor.Domain.Common;

namespace MockProcessor.Server.Storage;

/// <summary>
/// What the SQL backends (<see cref="SqliteStore"/>, <see cref="PostgresStore"/>) share: the same two tables read the same
/// way through ADO.NET, and one <see cref="Write"/> that applies a group-commit batch in one transaction, handing each run
/// of consecutive rows of one kind to the backend (which may send a run as one statement), in the batch's order.
/// A backend supplies its connection, the name of its commit-order column, and how to write each kind of row.
/// </summary>
public abstract class SqlStore : IDurableStore
{
    private readonly List<ObjectRow> _objects = [];
    private RowSerializer? _serialize;
    private readonly List<IdempotencyRow> _idempotency = [];
    private readonly List<long> _superseded = [];
    // The batch's object rows in write order, and the positions the backend gave them (when it reports them).
    private readonly List<ObjectRow> _written = [];

    /// <summary>A backend that knows each inserted version's position appends it here, in insert order.</summary>
    protected List<long> InsertedPositions { get; } = [];

    // The batch's idempotency rows in write order, and their positions (when the backend reports them).
    private readonly List<IdempotencyRow> _writtenResults = [];

    /// <summary>A backend that knows each inserted idempotency row's position appends it here, in insert order.</summary>
    protected List<long> InsertedResultPositions { get; } = [];

    /// <summary>The writer's connection (start-up reads use it too: they run before the group commit starts).</summary>
    protected abstract DbConnection Connection { get; }

    /// <summary>The column holding a row's place in commit order (SQLite: rowid; PostgreSQL: a bigserial).</summary>
    protected abstract string PositionColumn { get; }

    public byte[] FingerprintKey { get; protected init; } = [];

    public IEnumerable<StoredVersion> ReadObjects(string? type = null)
    {
        using var cmd = Connection.CreateCommand();
        cmd.CommandText = type is null
            ? $"SELECT {PositionColumn}, type, data, seq FROM objects ORDER BY {PositionColumn}"
            : $"SELECT {PositionColumn}, type, data, seq FROM objects WHERE type = @type ORDER BY {PositionColumn}";
        if (type is not null) Parameter(cmd, "type", type);
        using var r = cmd.ExecuteReader();
        while (r.Read()) yield return new StoredVersion(r.GetInt64(0), r.GetString(1), (byte[])r.GetValue(2), r.GetInt64(3));
    }

    public virtual IEnumerable<StoredVersion> ReadObjectsNewestFirst(Func<StoredHead, bool> wanted)
    {
        using var cmd = Connection.CreateCommand();
        // data last: a sequential reader (SQLite decodes columns on demand; Npgsql streams) never copies a refused version's blob.
        cmd.CommandText = $"SELECT {PositionColumn}, id, account, type, seq, created, head, refs, data FROM objects ORDER BY {PositionColumn} DESC";
        using var r = cmd.ExecuteReader(System.Data.CommandBehavior.SequentialAccess);
        while (r.Read())
        {
            // Columns in order: a sequential reader reads each once, forward only.
            var position = r.GetInt64(0);
            var (id, account, type, seq, created) = (r.GetString(1), r.GetString(2), r.GetString(3), r.GetInt64(4), r.GetInt64(5));
            var head = new StoredHead(position, id, account, type, seq, created,
                r.IsDBNull(6) ? null : r.GetString(6), r.IsDBNull(7) ? null : r.GetString(7));
            if (!wanted(head)) continue;
            yield return new StoredVersion(position, type, (byte[])r.GetValue(8), seq);
        }
    }

    public IEnumerable<IdempotencyRow> ReadIdempotency()
    {
        using var cmd = Connection.CreateCommand();
        cmd.CommandText = $"SELECT account, key, fingerprint, status, body, request_id, created FROM idempotency ORDER BY {PositionColumn}";
        using var r = cmd.ExecuteReader();
        while (r.Read())
            yield return new IdempotencyRow(r.GetString(0), r.GetString(1), r.GetString(2), r.GetInt32(3), (byte[])r.GetValue(4), r.GetString(5), r.GetInt64(6));
    }

    public IEnumerable<IdempotencyRow> ReadIdempotencyHeads()
    {
        if (!CanReadBack)
        {
            foreach (var row in ReadIdempotency()) yield return row;
            yield break;
        }
        using var cmd = Connection.CreateCommand();
        cmd.CommandText = $"SELECT account, key, created, {PositionColumn} FROM idempotency ORDER BY {PositionColumn}";
        using var r = cmd.ExecuteReader();
        while (r.Read())
            yield return new IdempotencyRow(r.GetString(0), r.GetString(1), "", 0, [], "", r.GetInt64(2)) { Position = r.GetInt64(3) };
    }

    public virtual IdempotencyRow ReadIdempotencyResult(long position) => throw new NotSupportedException("This store does not read idempotent results back.");

    public void Write(IEnumerable<Row> rows, RowSerializer serialize)
    {
        _objects.Clear(); _idempotency.Clear(); _superseded.Clear(); _written.Clear(); InsertedPositions.Clear(); // what a failed batch left
        _writtenResults.Clear(); InsertedResultPositions.Clear();
        _serialize = serialize;
        Reconnect();
        using var tx = Connection.BeginTransaction();
        Begin(tx);
        foreach (var row in rows)
        {
            switch (row)
            {
                case ObjectRow o:
                    if (_objects.Count == 0) Flush();
                    _objects.Add(o);
                    _written.Add(o);
                    break;
                case IdempotencyRow i:
                    if (_idempotency.Count == 0) Flush();
                    _idempotency.Add(i);
                    _writtenResults.Add(i);
                    break;
                case IdempotencyPurge purge:
                    Flush();
                    PurgeIdempotency(purge.OlderThan, purge.Account);
                    break;
                case CompactionStep step:
                    if (_superseded.Count == 0) Flush();
                    _superseded.AddRange(step.Superseded);
                    break;
            }
        }
        Flush();
        End();
        tx.Commit();
        Interlocked.Increment(ref _commits);
        Committed(InsertedPositions);
        // Committed: the versions can now be read back from where they are (the object cache, docs/storage.md).
        if (CanReadBack && InsertedPositions.Count == _written.Count)
            for (var i = 0; i < _written.Count; i++)
            {
                _written[i].Position = InsertedPositions[i];
                // ... and later batches' events can refer to it (SnapshotConverter.ReferToStored; this writer's thread only).
                _written[i].Object.StoredAt = InsertedPositions[i];
            }
        _written.Clear();
        InsertedPositions.Clear();
        // ... and so can the idempotent results: their bodies leave memory (docs/storage.md, "Idempotent results on disk").
        if (CanReadBack && InsertedResultPositions.Count == _writtenResults.Count)
            for (var i = 0; i < _writtenResults.Count; i++)
                _writtenResults[i].Record?.Written(InsertedResultPositions[i]);
        _writtenResults.Clear();
        InsertedResultPositions.Clear();
    }

    private long _commits;

    /// <summary>Batches committed since the store was opened (read by the maintenance loop's thread).</summary>
    public long CommitCount => Interlocked.Read(ref _commits);

    public virtual bool CanReadBack => false;

    public virtual long? NextPosition => null;

    /// <summary>The batch is committed; <paramref name="positions"/> are its versions' positions when the backend reports them.</summary>
    protected virtual void Committed(IReadOnlyList<long> positions) { }

    public virtual StoredVersion ReadAt(long position) => throw new NotSupportedException("This store does not read versions back.");

    // The index snapshot (IDurableStore): SQLite's only.
    public virtual string? SnapshotPath => null;
    public virtual string? IndexPagesPath => null;
    public virtual string? TakeSnapshotToken() => null;
    public virtual void SetSnapshotToken(string token) => throw new NotSupportedException("This store keeps no index snapshot.");
    public virtual (long Objects, long Idempotency) LastPositions() => default;

    /// <summary>Writes the run of rows collected so far (one kind at most is non-empty) and starts a new run.</summary>
    private void Flush()
    {
        if (_objects.Count > 0) InsertObjects(_objects);
        if (_idempotency.Count > 0) InsertIdempotency(_idempotency);
        if (_superseded.Count > 0) DeleteVersions(_superseded);
        _objects.Clear();
        _idempotency.Clear();
        _superseded.Clear();
    }

    /// <summary>Before each batch: a backend whose connection was lost (a server restart) opens a new one; the lost batch failed.</summary>
    protected virtual void Reconnect() { }

    /// <summary>A write transaction begins: commands of this batch run in <paramref name="tx"/>.</summary>
    protected abstract void Begin(DbTransaction tx);

    /// <summary>Everything of the batch has been handed over; a backend that queued statements sends them now, before the commit.</summary>
    protected virtual void End() { }

    /// <summary>
    /// Appends object versions (with their serialised data), in this order, to <c>objects</c>, each at its planned position
    /// when it has one (<see cref="NextPosition"/>).
    /// </summary>
    protected abstract void InsertObjects(IReadOnlyList<ObjectRow> versions);

    /// <summary>
    /// A version's bytes: prepared ahead, or serialised now, as the backend writes that row (the bytes of a large batch
    /// then die one by one instead of living through the batch).
    /// </summary>
    protected byte[] Bytes(ObjectRow row, out IReadOnlyList<long>? refs)
    {
        if (row.TakeForWrite() is { } ahead)
        {
            refs = row.Refs;
            return ahead;
        }
        var data = _serialize!.ToArray(row.Object, out var collected);
        refs = collected.Count == 0 ? null : collected.ToArray();
        return data;
    }

    /// <summary>
    /// As <see cref="Bytes"/>, in a buffer reused for the next row: for a backend that copies what it is given. The
    /// positions the bytes refer to may be this thread's list, valid until the next row.
    /// </summary>
    protected ReadOnlySpan<byte> BufferedBytes(ObjectRow row, out IReadOnlyList<long>? refs)
    {
        if (row.TakeForWrite() is { } ahead)
        {
            refs = row.Refs;
            return ahead;
        }
        var data = _serialize!.Buffered(row.Object, out var collected);
        refs = collected.Count == 0 ? null : collected;
        return data;
    }

    /// <summary>A version row's head (<see cref="RowHead"/>) as text, or null.</summary>
    protected string? HeadOf(ObjectRow row) => _serialize!.Head(row);

    /// <summary>At most how many bytes <see cref="HeadOf(ObjectRow, Span{byte})"/> writes for the row.</summary>
    protected int HeadMaxBytes(ObjectRow row) => _serialize!.HeadMaxBytes(row);

    /// <summary>A version row's head as UTF-8 into <paramref name="into"/> (at least <see cref="HeadMaxBytes"/> long): its length, or -1 for none.</summary>
    protected int HeadOf(ObjectRow row, Span<byte> into) => _serialize!.Head(row, into);

    protected abstract void InsertIdempotency(IReadOnlyList<IdempotencyRow> records);

    protected abstract void PurgeIdempotency(long olderThan, string account);

    /// <summary>Deletes the object versions at these positions (compaction).</summary>
    protected abstract void DeleteVersions(IReadOnlyList<long> positions);

    public abstract Task MaintainAsync(CancellationToken stop);

    public abstract void Dispose();

    private static void Parameter(DbCommand cmd, string name, object value)
    {
        var p = cmd.CreateParameter();
        p.ParameterName = name;
        p.Value = value;
        cmd.Parameters.Add(p);
    }
}
