using MockProcessor.Domain.Common;

namespace MockProcessor.Server.Storage;

/// <summary>
/// The durable copy of the store, whatever holds it (docs/storage.md): the embedded SQLite file is the default; a shared
/// deployment's server database plugs in here. The in-memory state and its indexes are built from <see cref="ReadObjects"/>
/// at start-up; afterwards the store only appends, through <see cref="GroupCommit"/>, whose single writer hands each
/// batch of units of work to <see cref="Write"/> to apply atomically.
/// </summary>
public interface IDurableStore : IDisposable
{
    /// <summary>The HMAC key of idempotency fingerprints, kept with the data (docs/architecture.md, Secrets at rest).</summary>
    byte[] FingerprintKey { get; }

    /// <summary>Every stored object version, oldest first in commit order; of one type only when <paramref name="type"/> is given.</summary>
    IEnumerable<StoredVersion> ReadObjects(string? type = null);

    /// <summary>
    /// Every stored object version, newest first, whose head <paramref name="wanted"/> accepts; a refused version's data
    /// is not read. Start-up keeps the first version it meets of each object (the current one) and decodes only those
    /// whose head it cannot file alone (docs/storage.md, "Start-up from row heads").
    /// </summary>
    IEnumerable<StoredVersion> ReadObjectsNewestFirst(Func<StoredHead, bool> wanted);

    /// <summary>The stored idempotent results, oldest first.</summary>
    IEnumerable<IdempotencyRow> ReadIdempotency();

    /// <summary>
    /// As <see cref="ReadIdempotency"/>, but only each result's account, key, time and <see cref="IdempotencyRow.Position"/>
    /// (the rest empty): <see cref="ReadIdempotencyResult"/> reads the whole row when a call with the key comes (only
    /// where <see cref="CanReadBack"/>).
    /// </summary>
    IEnumerable<IdempotencyRow> ReadIdempotencyHeads() => ReadIdempotency();

    /// <summary>The idempotent result at <paramref name="position"/>, with its compressed body; thread-safe.</summary>
    IdempotencyRow ReadIdempotencyResult(long position) => throw new NotSupportedException("This store does not read idempotent results back.");

    /// <summary>
    /// Applies the rows of several units of work in one atomic transaction (all or nothing): object versions (serialised
    /// with <paramref name="serialize"/>), idempotency records and purges, and compaction steps.
    /// </summary>
    void Write(IEnumerable<Row> rows, RowSerializer serialize);

    /// <summary>
    /// True when <see cref="Write"/> sets each committed <see cref="ObjectRow.Position"/> and <see cref="ReadAt"/> reads
    /// it back, from any thread: the object cache may then drop committed versions from memory.
    /// </summary>
    bool CanReadBack => false;

    /// <summary>
    /// The position the next object version written will take, when the store assigns positions itself in write order
    /// (SQLite: rowids); null when it cannot say before writing. With it, an event refers to the version it announces by
    /// position instead of carrying a copy (docs/storage.md, "Event snapshots by reference"); <see cref="ReadAt"/> reads it.
    /// Read and used by the writer only.
    /// </summary>
    long? NextPosition => null;

    /// <summary>The stored version at <paramref name="position"/> (see <see cref="CanReadBack"/>); thread-safe.</summary>
    StoredVersion ReadAt(long position) => throw new NotSupportedException("This store does not read versions back.");

    /// <summary>
    /// Where a clean stop writes the index snapshot beside the store (docs/storage.md, "Index snapshot at a clean stop");
    /// null when this store keeps none (PostgreSQL, which keeps every object in memory).
    /// </summary>
    string? SnapshotPath => null;

    /// <summary>
    /// Where the compact index's scratch pages go while the store runs (docs/storage.md, "Index pages in a file"; files
    /// unlinked as soon as they are mapped), or null when the index stays in managed memory.
    /// </summary>
    string? IndexPagesPath => null;

    /// <summary>
    /// The token of the snapshot the last clean stop wrote, or null; removed from the store, durably, as it is read, so a
    /// process that later stops without writing a new one (kill -9) leaves none that a start could take for current.
    /// </summary>
    string? TakeSnapshotToken() => null;

    /// <summary>Records the token of the snapshot just written (the writer has stopped: nothing is written after it).</summary>
    void SetSnapshotToken(string token) => throw new NotSupportedException("This store keeps no index snapshot.");

    /// <summary>The largest stored object position and idempotent result position (0 when none).</summary>
    (long Objects, long Idempotency) LastPositions() => default;

    /// <summary>Background upkeep the writer does not wait for (SQLite: WAL checkpoints); runs until <paramref name="stop"/>.</summary>
    Task MaintainAsync(CancellationToken stop);
}

/// <summary>One stored object version: its place in commit order (for compaction), stored type, data and list sequence.</summary>
public readonly record struct StoredVersion(long Position, string Type, byte[] Data, long Seq);

/// <summary>
/// Where an object version is stored and whose it is, without its data; with its type, list key and, from schema v7, its
/// head (<see cref="RowHead"/>) and the positions its data refers to (comma-separated), when the store keeps them.
/// </summary>
public readonly record struct StoredHead(long Position, string Id, string Account, string Type = "", long Seq = 0, long Created = 0,
    string? Head = null, string? Refs = null);
