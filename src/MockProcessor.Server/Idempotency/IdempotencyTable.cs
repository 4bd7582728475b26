using System.Runtime.InteropServices;
using MockProcessor.Server.Storage;

namespace MockProcessor.Server.Idempotency;

/// <summary>
/// One tree's stored idempotent results by key (docs/storage.md, "Idempotent results on disk"). Guarded by the tree's lock.
/// <para>
/// On a store that reads rows back (<paramref name="compact"/>), a result is held whole only until its row is on disk;
/// from then on memory keeps 24 bytes of it: a 64-bit hash of its key, its time and its row's position, in one
/// open-addressed array. A lookup reads the rows whose hash matches and compares their keys (so a hash collision costs a
/// read, never a wrong answer); the fingerprint, status, request id and body come with the row. SDKs send a fresh key
/// with every POST, so this is one entry per call for 24 hours of virtual time: 35-70 bytes (a slot in an array kept
/// 35-70 % full) instead of the key's, fingerprint's and request id's strings and a record (about 480 bytes). Without
/// read-back (<c>--in-memory</c>, PostgreSQL) every result is held whole, as before.
/// </para>
/// </summary>
internal sealed class IdempotencyTable(bool compact, Func<string, ulong>? hash = null)
{
    private readonly Func<string, ulong> _hash = hash ?? DefaultHash;

    private struct Slot
    {
        public ulong Hash;
        public long Created, Position; // Position 0: an empty slot
    }

    // The results held whole: without compact, all of them; with it, those whose row is not yet known to be on disk.
    private readonly Dictionary<string, IdempotencyRecord> _held = new(StringComparer.Ordinal);
    private Slot[] _slots = new Slot[16];
    private int _used;

    /// <summary>Results held whole in memory.</summary>
    public int Held => _held.Count;

    /// <summary>Results known only by hash, time and position (compact mode).</summary>
    public int OnDisk => _used;

    /// <summary>A new result (a key seen for the first time, or again after its last result expired).</summary>
    public void Add(string key, IdempotencyRecord record)
    {
        if (compact) Settle();
        _held[key] = record;
    }

    /// <summary>A result start-up read without its body: kept as hash, time and position (compact mode only).</summary>
    public void AddStored(string key, long created, long position)
    {
        if (!compact) throw new InvalidOperationException("Only a store that reads results back keeps them on disk.");
        Place(_hash(key), created, position);
    }

    /// <summary>The held result of <paramref name="key"/> (one whose commit may still be under way), else null.</summary>
    public IdempotencyRecord? HeldResult(string key) => _held.GetValueOrDefault(key);

    /// <summary>
    /// The newest result of <paramref name="key"/> created after <paramref name="since"/>, reading rows with
    /// <paramref name="read"/> when only their position is in memory; null if none.
    /// </summary>
    public IdempotencyRecord? Find(string key, long since, Func<long, IdempotencyRow> read)
    {
        if (_held.TryGetValue(key, out var held)) return held.Created > since ? held : null;
        if (!compact || _used == 0) return null;
        var hash = _hash(key);
        IdempotencyRow? newest = null;
        var mask = _slots.Length - 1;
        for (var i = (int)hash & mask; _slots[i].Position != 0; i = (i + 1) & mask)
        {
            ref var s = ref _slots[i];
            if (s.Hash != hash || s.Created <= since || newest is not null && s.Created <= newest.Created) continue;
            var row = read(s.Position);
            if (row.Key == key) newest = row;
        }
        return newest is null ? null
            : new IdempotencyRecord(newest.Fingerprint, newest.Status, newest.Body, newest.RequestId, newest.Created);
    }

    /// <summary>Forgets the results created before <paramref name="cutoff"/>.</summary>
    public void Purge(long cutoff)
    {
        foreach (var (k, r) in _held.ToList())
            if (r.Created < cutoff) _held.Remove(k);
        if (!compact || _used == 0) return;
        var old = _slots;
        _slots = new Slot[old.Length];
        _used = 0;
        foreach (var s in old)
            if (s.Position != 0 && s.Created >= cutoff) Place(s.Hash, s.Created, s.Position);
    }

    /// <summary>
    /// Writes the table for the start-up index snapshot (docs/storage.md, "Index snapshot at a clean stop"): the slots as
    /// they are in memory, then every held result whose row is on disk as one more slot. A held result whose row is not
    /// known to be written cannot be kept by position: it is left out and <paramref name="complete"/> is false (the
    /// stream is still whole, but the snapshot lacks that result). Compact mode only.
    /// </summary>
    internal void Save(BinaryWriter w, out bool complete)
    {
        if (!compact) throw new InvalidOperationException("Only a table whose results are on disk can be saved: the others hold every result whole.");
        w.Write(_slots.Length);
        w.Write(MemoryMarshal.AsBytes(_slots.AsSpan()));
        w.Write(_used);
        // Each position is read once (the writer's thread may still be setting them), so the count written matches the slots.
        complete = true;
        var extra = new List<Slot>();
        foreach (var (key, r) in _held)
        {
            var position = r.Position;
            if (position > 0) extra.Add(new Slot { Hash = _hash(key), Created = r.Created, Position = position });
            else complete = false;
        }
        w.Write(extra.Count);
        w.Write(MemoryMarshal.AsBytes(CollectionsMarshal.AsSpan(extra)));
    }

    /// <summary>
    /// The compact table <see cref="Save"/> wrote, nothing held, with <paramref name="hash"/> as the key hash (the one the
    /// saved table used), for the start-up index snapshot (docs/storage.md, "Index snapshot at a clean stop").
    /// </summary>
    internal static IdempotencyTable Load(BinaryReader r, Func<string, ulong>? hash = null)
    {
        var table = new IdempotencyTable(compact: true, hash);
        var length = r.ReadInt32();
        if (length < 16 || !System.Numerics.BitOperations.IsPow2(length)) throw new InvalidDataException($"A table of {length} slots cannot be.");
        var slots = GC.AllocateUninitializedArray<Slot>(length);
        r.BaseStream.ReadExactly(MemoryMarshal.AsBytes(slots.AsSpan()));
        var used = r.ReadInt32();
        if (used < 0 || used > length) throw new InvalidDataException($"A table of {length} slots with {used} used cannot be.");
        (table._slots, table._used) = (slots, used);
        var count = r.ReadInt32();
        if (count < 0) throw new InvalidDataException($"{count} held results cannot be.");
        var extra = new Slot[count];
        r.BaseStream.ReadExactly(MemoryMarshal.AsBytes(extra.AsSpan()));
        foreach (var s in extra) table.Place(s.Hash, s.Created, s.Position);
        return table;
    }

    // Held results whose rows are on disk (IdempotencyRecord.Written, on the writer's thread) and whose call has been
    // answered as durable (observers told, Durable complete) become slots: a replay of a slot waits for nothing.
    private void Settle()
    {
        List<string>? settled = null;
        foreach (var (key, r) in _held)
            if (r.Position > 0 && !r.Held && r.Durable.IsCompleted)
            {
                Place(_hash(key), r.Created, r.Position);
                (settled ??= []).Add(key);
            }
        if (settled is not null)
            foreach (var key in settled) _held.Remove(key);
    }

    private void Place(ulong hash, long created, long position)
    {
        if ((_used + 1) * 10 > _slots.Length * 7)
        {
            var old = _slots;
            _slots = new Slot[old.Length * 2];
            _used = 0;
            foreach (var s in old)
                if (s.Position != 0) Place(s.Hash, s.Created, s.Position);
        }
        var mask = _slots.Length - 1;
        var i = (int)hash & mask;
        while (_slots[i].Position != 0) i = (i + 1) & mask;
        _slots[i] = new Slot { Hash = hash, Created = created, Position = position };
        _used++;
    }

    /// <summary>The key's 64-bit hash (FNV-1a over its UTF-16 units, then a final mix): the same in every run.</summary>
    internal static ulong DefaultHash(string key)
    {
        var h = 14695981039346656037UL;
        foreach (var c in key) { h ^= c; h *= 1099511628211UL; }
        h ^= h >> 33; h *= 0xff51afd7ed558ccdUL; h ^= h >> 33; h *= 0xc4ceb9fe1a85ec53UL;
        return h ^ (h >> 33);
    }
}
