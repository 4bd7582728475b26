namespace MockProcessor.Server.Storage;

/// <summary>One row change handed to the write log; all rows of one API call commit together.</summary>
public abstract record Row;

/// <summary>
/// An object version to append; serialised by the writer thread, off the request path (records are immutable). Once
/// its batch is committed, a backend that can read versions back (<see cref="IDurableStore.CanReadBack"/>) sets
/// <see cref="Position"/>, which lets the object cache drop the version from memory (docs/storage.md, "Cold objects").
/// </summary>
public sealed record ObjectRow(MockProcessor.Domain.Common.StripeObject Object, long Seq) : Row
{
    private long _position;
    private byte[]? _data;
    // Who serialises the version: Free, then either the writer (Writing) or a helper (Helping, then Helped).
    private int _serializer;
    private const int Free = 0, Helping = 1, Helped = 2, Writing = 3;

    /// <summary>
    /// Whether start-up must read this version whole (time-driven work or an observer waits for it): the first letter of
    /// its head, which the writer makes from the version (<see cref="RowHead"/>).
    /// </summary>
    internal bool Hot { get; init; }

    /// <summary>The object's number in its tree's <see cref="ObjectMap"/>, for the object cache's queues (set when queued).</summary>
    internal int Ordinal { get; set; } = -1;

    /// <summary>When not <see cref="Hot"/>: the key from which start-up finds the version's time-driven work (<see cref="Time.IObjectTimer.WaitKey"/>), in its head.</summary>
    internal string? Waits { get; init; }

    /// <summary>The positions of stored versions bytes made ahead refer to (set with <see cref="Data"/>); null: none.</summary>
    internal long[]? Refs { get; private set; }

    /// <summary>The position the writer chose for this version (<see cref="IDurableStore.NextPosition"/>); 0: the store chooses.</summary>
    internal long Planned { get; set; }

    /// <summary>The version serialised ahead of the write (<see cref="GroupCommit"/>, <see cref="SerializeAhead"/>), cleared once written.</summary>
    internal byte[]? Data
    {
        get => Volatile.Read(ref _data);
        set => Volatile.Write(ref _data, value);
    }

    /// <summary>
    /// A thread waiting for the writer serialises this version for it (<see cref="Tx.CommitPart"/>), unless the writer or
    /// another helper already took it.
    /// </summary>
    internal void SerializeAhead(RowSerializer rows)
    {
        if (Interlocked.CompareExchange(ref _serializer, Helping, Free) != Free) return;
        try
        {
            var data = rows.ToArray(Object, out var refs);
            Refs = refs.Count == 0 ? null : [.. refs];
            Data = data;
        }
        finally { Volatile.Write(ref _serializer, Helped); }
    }

    /// <summary>
    /// The writer takes the version for writing: its bytes when they were made ahead (waiting for a helper still at it),
    /// else null, and the writer serialises it; no helper starts on it afterwards.
    /// </summary>
    internal byte[]? TakeForWrite()
    {
        if (Interlocked.CompareExchange(ref _serializer, Writing, Free) == Free) return Data;
        var spin = new SpinWait();
        while (Volatile.Read(ref _serializer) == Helping) spin.SpinOnce();
        return Data; // null if the helper failed: the writer serialises it
    }

    /// <summary>The committed version's place in the store; 0 until its batch is committed.</summary>
    public long Position
    {
        get => Volatile.Read(ref _position);
        internal set => Volatile.Write(ref _position, value);
    }
}

public sealed record IdempotencyRow(string Account, string Key, string Fingerprint, int Status, byte[] Body, string RequestId, long Created) : Row
{
    /// <summary>Its place in the store's idempotency table, when read back without its body (start-up); 0 otherwise.</summary>
    public long Position { get; init; }

    /// <summary>
    /// The result in memory whose body leaves memory once this row is committed (<see cref="Idempotency.IdempotencyRecord.Written"/>);
    /// null when memory keeps it (no object cache: <c>--in-memory</c>, PostgreSQL).
    /// </summary>
    internal Idempotency.IdempotencyRecord? Record { get; init; }
}

/// <summary>
/// Deletes the idempotent results older than <paramref name="OlderThan"/> (the merchant's virtual time) of the tree
/// <paramref name="Account"/>. Always per tree: merchants' clocks differ, and a result another merchant's clock has
/// expired may still be replayed by its own.
/// </summary>
public sealed record IdempotencyPurge(long OlderThan, string Account) : Row;

/// <summary>Compaction: drop these superseded object versions (their <see cref="StoredVersion.Position"/>s).</summary>
public sealed record CompactionStep(IReadOnlyList<long> Superseded) : Row;
