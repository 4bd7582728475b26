using System.Runtime.CompilerServices;
using MockProcessor.Domain.Common;

namespace MockProcessor.Server.Storage;

/// <summary>
/// A tree's objects by id, and the other strings its indexes name (owners, secondary index keys), in compact form
/// (docs/storage.md, "The compact index"): each string is kept once as UTF-8 bytes in large byte arrays and known by a
/// dense number, its ordinal, which list and index keys carry instead of a string (<see cref="ListKey"/>). An
/// object's sequence and stored position sit beside its bytes; only the objects held in memory (the cache's, or every
/// one without a cache) are managed references. So a million objects filed in the index are a few dozen large arrays
/// of plain data, which the collector neither traces nor promotes, instead of millions of strings and entries.
/// <para>
/// Open addressing over 64 shards of ordinal tables: a shard grows on its own, so a resize rehashes 1/64th of the
/// entries under the tree's lock, not all of them. Guarded by the tree's lock, like the rest of <see cref="AccountState"/>.
/// </para>
/// </summary>
internal sealed class ObjectMap
{
    // Per ordinal (24 bytes): where its bytes are in the arena and how many, and, for an object, its
    // sequence (0: a string that is not an object, e.g. an index key) and its stored position (0 while held in memory).
    [System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Sequential, Pack = 2)]
    private struct Entry
    {
        public long Seq, Position;
        public int Start;
        public ushort Length;
        public bool Touched; // read since it was queued (the object cache's second chance)
    }

    private const int EntryChunkBits = 11; // 2,048 entries: 48 KB, under the large-object threshold
    private const int EntryChunk = 1 << EntryChunkBits;
    private const int ShardBits = 6;
    private const int Shards = 1 << ShardBits;

    private readonly Chunks<Entry> _entries; // managed arrays or index pages, or blocks of a mapped snapshot (SnapshotBlocks)
    private readonly Utf8Arena _bytes;
    private int _count; // ordinals handed out
    private long _objects; // ordinals with Seq > 0

    // Per shard: slots holding the string's 64-bit hash and its ordinal + 1 (0: empty), linear probing, at most 70 % full.
    // A probe compares hashes in the slot and reads an entry's bytes only when they match. The hash is 64 bits because
    // the frozen runs are searched by it: with 32, a new id matched some old id's hash once in every few hundred adds at
    // a million payments, and each match read that old id's entry and bytes back from disk (docs/storage.md, "Frozen runs").
    // A shard's table is a managed array, a block of the index pages or of a mapped snapshot (ShardTables).
    private readonly ShardTables<Slot> _slots;
    private readonly int[] _used = new int[Shards];
    // What the live tables held when they reached the limit, frozen into sorted runs (docs/storage.md, "Frozen runs").
    private readonly HashRuns<Slot, RunKey> _runs;
    private readonly int _limit;
    private int _live; // slots in the live tables

    // 12 bytes: a run or a table is written and read as it is in memory.
    [System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Sequential, Pack = 4)]
    private struct Slot
    {
        public ulong Hash;
        public int OrdinalPlus1;
    }

    private struct RunKey : IRunKey<Slot>
    {
        public static ulong KeyOf(in Slot slot) => slot.Hash;
    }

    // The objects held in memory, by ordinal: with a cache, a few among many (a dictionary); without one, every object
    // (arrays beside the entries, which then cost a reference an ordinal instead of a dictionary entry).
    private readonly Dictionary<int, StripeObject>? _held;
    private readonly List<StripeObject?[]>? _all;
    private int _heldCount;

    /// <param name="holdsAll">Whether every object stays in memory (no object cache: <c>--in-memory</c>, PostgreSQL).</param>
    /// <param name="pages">Where the entries, ids and grown tables go (null: managed arrays).</param>
    /// <param name="runLimit">Live slots at which they are frozen into a run (default <see cref="HashRuns.DefaultLimit"/>).</param>
    public ObjectMap(bool holdsAll = false, IndexPages? pages = null, int? runLimit = null)
        : this(new Utf8Arena(pages), holdsAll, pages, new Chunks<Entry>(pages, coolBehind: true), runLimit)
    {
        for (var i = 0; i < Shards; i++) _slots.SetNew(i, 16);
    }

    // Load's: the shards' tables come from the snapshot, so none are made here.
    private ObjectMap(Utf8Arena bytes, bool holdsAll, IndexPages? pages, Chunks<Entry> entries, int? runLimit = null)
    {
        _limit = runLimit ?? HashRuns.DefaultLimit;
        _bytes = bytes;
        _slots = new ShardTables<Slot>(Shards, pages);
        _runs = new HashRuns<Slot, RunKey>(pages);
        _entries = entries;
        if (holdsAll) _all = []; else _held = [];
    }

    /// <summary>Objects in the map (strings that only name keys not counted).</summary>
    public long Count => _objects;

    /// <summary>Strings in the map: objects and the keys and owners indexes name.</summary>
    public int Strings => _count;

    /// <summary>The hash tables' size in bytes (docs/storage.md, "The compact index").</summary>
    public long TableBytes => _slots.Bytes + _runs.Bytes;

    /// <summary>What of the map's file-mapped blocks is in memory now, by part (a diagnostic: <c>/_mock/stats?resident=true</c>).</summary>
    public IEnumerable<(string Part, long Bytes)> Resident()
    {
        var (runs, index) = _runs.Resident();
        return [("map_entries", _entries.Resident()), ("map_ids", _bytes.Resident()), ("map_live_tables", _slots.Resident()),
            ("map_runs", runs), ("map_run_filters", index)];
    }

    /// <summary>Frozen runs of the table, their slots, and the part of their bytes every lookup may touch (their filters).</summary>
    public (int Runs, long Slots, long FilterBytes) Frozen => (_runs.Runs, _runs.Count, _runs.FilterBytes);

    /// <summary>Runs lookups searched because their filter let the key through.</summary>
    internal long RunSearches => _runs.Searches;

    /// <summary>Slots of the runs whose hash matched a lookup's but whose string did not (each one read an old id back).</summary>
    internal long RunFalseMatches { get; private set; }

    /// <summary>The objects held in memory.</summary>
    public int Held => _heldCount;

    private ref Entry At(int ordinal) => ref _entries.At(ordinal >> EntryChunkBits, ordinal & (EntryChunk - 1));

    private Span<Slot> SlotsOf(int shard) => _slots.Of(shard);

    /// <summary>The ordinal of <paramref name="s"/>, or -1 if the map has never seen it.</summary>
    public int Find(string s)
    {
        Span<byte> stack = stackalloc byte[256];
        var bytes = Utf8Arena.Utf8(s, stack);
        return Find(bytes, Hash(bytes));
    }

    /// <summary>The ordinal of <paramref name="s"/>, added if new.</summary>
    public int Intern(string s)
    {
        Span<byte> stack = stackalloc byte[256];
        var bytes = Utf8Arena.Utf8(s, stack);
        var hash = Hash(bytes);
        var found = Find(bytes, hash);
        return found >= 0 ? found : Add(bytes, hash);
    }

    /// <summary>The string of <paramref name="ordinal"/> (a new string each call).</summary>
    public string Name(int ordinal)
    {
        ref var e = ref At(ordinal);
        return _bytes.String(e.Start, e.Length);
    }

    private ReadOnlySpan<byte> BytesOf(int ordinal)
    {
        ref var e = ref At(ordinal);
        return _bytes.Bytes(e.Start, e.Length);
    }

    /// <summary>Whether <paramref name="s"/> is a committed object of the tree.</summary>
    public bool ContainsKey(string s) => Find(s) is var o && o >= 0 && At(o).Seq > 0;

    /// <summary>Object <paramref name="id"/>'s entry: the object if held in memory (else null), its sequence and stored position.</summary>
    public bool TryGetValue(string id, out (StripeObject? Obj, long Seq, long Position) entry, out int ordinal)
    {
        ordinal = Find(id);
        return TryGet(ordinal, out entry);
    }

    /// <summary>The object entry of <paramref name="ordinal"/> (false for -1 or a string that is not an object).</summary>
    public bool TryGet(int ordinal, out (StripeObject? Obj, long Seq, long Position) entry)
    {
        if (ordinal < 0 || At(ordinal).Seq == 0)
        {
            entry = default;
            return false;
        }
        ref var e = ref At(ordinal);
        entry = (HeldAt(ordinal), e.Seq, e.Position);
        return true;
    }

    private StripeObject? HeldAt(int ordinal) =>
        _all is not null ? _all[ordinal >> EntryChunkBits][ordinal & (EntryChunk - 1)] : _held!.GetValueOrDefault(ordinal);

    /// <summary>Notes that the held object <paramref name="ordinal"/> was read (<see cref="ObjectCache"/>).</summary>
    public void Touch(int ordinal) => At(ordinal).Touched = true;

    /// <summary>Whether <paramref name="ordinal"/> was read since the last call (and forgets it).</summary>
    public bool TakeTouched(int ordinal)
    {
        ref var e = ref At(ordinal);
        var touched = e.Touched;
        e.Touched = false;
        return touched;
    }

    /// <summary>Sets object <paramref name="id"/>'s entry: held in memory when <paramref name="obj"/> is not null; returns its ordinal.</summary>
    public int Set(string id, StripeObject? obj, long seq, long position) => Set(Intern(id), obj, seq, position);

    public int Set(int ordinal, StripeObject? obj, long seq, long position)
    {
        ref var e = ref At(ordinal);
        if (e.Seq == 0) _objects++;
        e.Seq = seq;
        e.Position = position;
        if (_all is not null)
        {
            ref var slot = ref _all[ordinal >> EntryChunkBits][ordinal & (EntryChunk - 1)];
            _heldCount += (obj is null ? 0 : 1) - (slot is null ? 0 : 1);
            slot = obj;
        }
        else if (obj is null) { if (_held!.Remove(ordinal)) _heldCount--; }
        else if (_held!.TryAdd(ordinal, obj)) _heldCount++;
        else _held[ordinal] = obj;
        return ordinal;
    }

    /// <summary>
    /// Writes the map for the start-up index snapshot (docs/storage.md, "Index snapshot at a clean stop"): the entries, the
    /// arena and the shards' tables as they are in memory, once a held object's entry has its stored position
    /// (<paramref name="positionOf"/>; the entry holds 0 while the object is in memory) and no entry is marked read. The
    /// map's last use: the entries are changed in place. Only for a map with an object cache: one that holds every object
    /// has nothing on disk to point at.
    /// </summary>
    /// <exception cref="InvalidOperationException">The map holds every object, or a held object is not on disk yet.</exception>
    internal void Save(BinaryWriter w, Func<StripeObject, long> positionOf)
    {
        if (_all is not null) throw new InvalidOperationException("A map that holds every object in memory cannot be saved: its objects are not on disk.");
        // Every held object's position first, sorted by ordinal, so a missing one throws before anything is written and
        // the entries can be patched chunk by chunk below.
        var held = new (int Ordinal, long Position)[_held!.Count];
        var n = 0;
        foreach (var (ordinal, obj) in _held)
        {
            var position = positionOf(obj);
            if (position <= 0) throw new InvalidOperationException($"Object {obj.Id} is held in memory but not on disk: the map cannot be saved.");
            held[n++] = (ordinal, position);
        }
        Array.Sort(held);

        w.Write(_count);
        w.Write(_objects);
        w.Write(_entries.Count);
        // The held objects' positions and cleared read marks go into the entries themselves, not a copy, so that a snapshot
        // referring to the index pages can refer to the entries: saving is the map's last use (a clean stop).
        var next = 0;
        for (var c = 0; c < _entries.Count; c++)
        {
            var entries = _entries.Span(c);
            for (var i = 0; i < entries.Length; i++) entries[i].Touched = false;
            for (; next < held.Length && held[next].Ordinal >> EntryChunkBits == c; next++)
                entries[held[next].Ordinal & (EntryChunk - 1)].Position = held[next].Position;
            SnapshotBlocks.Write<Entry>(w, entries);
        }
        _bytes.Save(w);
        for (var shard = 0; shard < Shards; shard++)
        {
            var slots = SlotsOf(shard);
            w.Write(slots.Length);
            SnapshotBlocks.Write<Slot>(w, slots);
            w.Write(_used[shard]);
        }
        _runs.Save(w);
    }

    /// <summary>
    /// The map <see cref="Save"/> wrote, for the start-up index snapshot (docs/storage.md, "Index snapshot at a clean stop"):
    /// the same strings under the same ordinals, every object on disk (none held), and new strings numbered on from the
    /// saved count.
    /// </summary>
    internal static ObjectMap Load(BinaryReader r) => Load(new SnapshotSource(r.BaseStream, map: false));

    /// <summary>As <see cref="Load(BinaryReader)"/>, leaving the entries, ids and tables where they are in a mapped snapshot.</summary>
    internal static ObjectMap Load(SnapshotSource source)
    {
        var r = source.Reader;
        var count = r.ReadInt32();
        var objects = r.ReadInt64();
        var chunks = r.ReadInt32();
        if (count < 0 || objects < 0 || objects > count || chunks != (int)(((long)count + EntryChunk - 1) >> EntryChunkBits))
            throw new InvalidDataException($"A map of {count} strings, {objects} objects and {chunks} entry arrays cannot be.");
        var entries = new Chunks<Entry>(source.Pages, coolBehind: true);
        for (var c = 0; c < chunks; c++) entries.AddBlock(source, EntryChunk);
        var map = new ObjectMap(Utf8Arena.Load(source), holdsAll: false, source.Pages, entries);
        map._count = count;
        map._objects = objects;
        for (var shard = 0; shard < Shards; shard++)
        {
            var length = r.ReadInt32();
            if (length < 16 || !System.Numerics.BitOperations.IsPow2(length)) throw new InvalidDataException($"A shard of {length} slots cannot be.");
            map._slots.Load(shard, source, length);
            map._used[shard] = r.ReadInt32();
            map._live += map._used[shard];
        }
        map._runs.Load(source);
        return map;
    }

    // Over the UTF-8 bytes, eight at a time (a multiply-rotate mix, then a final avalanche): the same for a string and its
    // bytes, and the same in every run.
    private static ulong Hash(ReadOnlySpan<byte> bytes)
    {
        var h = 0x9E3779B97F4A7C15UL ^ (ulong)bytes.Length;
        var words = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ulong>(bytes);
        foreach (var w in words) h = System.Numerics.BitOperations.RotateLeft((h ^ w) * 0xFF51AFD7ED558CCDUL, 29);
        ulong tail = 0;
        for (var i = words.Length * 8; i < bytes.Length; i++) tail = tail << 8 | bytes[i];
        h = (h ^ tail) * 0xC4CEB9FE1A85EC53UL;
        h = (h ^ (h >> 33)) * 0xFF51AFD7ED558CCDUL;
        return h ^ (h >> 33);
    }

    private static int ShardOf(ulong hash) => (int)(hash >> (64 - ShardBits));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool Same(int ordinal, ReadOnlySpan<byte> bytes) => At(ordinal).Length == bytes.Length && bytes.SequenceEqual(BytesOf(ordinal));

    private int Find(ReadOnlySpan<byte> bytes, ulong hash)
    {
        var slots = SlotsOf(ShardOf(hash));
        var mask = slots.Length - 1;
        for (var i = (int)hash & mask; ; i = (i + 1) & mask)
        {
            ref var s = ref slots[i];
            if (s.OrdinalPlus1 == 0) break;
            if (s.Hash == hash && Same(s.OrdinalPlus1 - 1, bytes)) return s.OrdinalPlus1 - 1;
        }
        for (var m = _runs.Find(hash); m.Next();)
        {
            if (Same(m.Current.OrdinalPlus1 - 1, bytes)) return m.Current.OrdinalPlus1 - 1;
            RunFalseMatches++;
        }
        return -1;
    }

    private int Add(ReadOnlySpan<byte> bytes, ulong hash)
    {
        var start = _bytes.Add(bytes);
        var ordinal = _count++;
        if ((ordinal & (EntryChunk - 1)) == 0)
        {
            _entries.AddNew(EntryChunk);
            _all?.Add(new StripeObject?[EntryChunk]);
        }
        At(ordinal) = new Entry { Start = start, Length = (ushort)bytes.Length };
        var shard = ShardOf(hash);
        if ((_used[shard] + 1) * 10 > SlotsOf(shard).Length * 7) Grow(shard);
        Place(SlotsOf(shard), ordinal, hash);
        _used[shard]++;
        if (++_live >= _limit) Freeze();
        return ordinal;
    }

    // The live tables' slots into a new run; the tables start again small.
    private void Freeze()
    {
        var frozen = GC.AllocateUninitializedArray<Slot>(_live);
        var n = _slots.Drain(frozen, static s => s.OrdinalPlus1 != 0, 16);
        Array.Clear(_used);
        _runs.Freeze(frozen.AsSpan(0, n));
        _live = 0;
    }

    private static void Place(Span<Slot> slots, int ordinal, ulong hash)
    {
        var mask = slots.Length - 1;
        var i = (int)hash & mask;
        while (slots[i].OrdinalPlus1 != 0) i = (i + 1) & mask;
        slots[i] = new Slot { Hash = hash, OrdinalPlus1 = ordinal + 1 };
    }

    private void Grow(int shard) =>
        _slots.Grow(shard, SlotsOf(shard).Length * 2, static (old, grown) =>
        {
            foreach (ref readonly var s in old)
                if (s.OrdinalPlus1 != 0) Place(grown, s.OrdinalPlus1 - 1, s.Hash);
        });
}
