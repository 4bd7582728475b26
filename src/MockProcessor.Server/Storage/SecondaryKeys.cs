using System.Runtime.CompilerServices;

namespace MockProcessor.Server.Storage;

/// <summary>
/// A tree's secondary indexes (docs/storage.md): per owner, index and key — owner and key by ordinal in the tree's
/// <see cref="ObjectMap"/>, the index by its number in the schema — the list keys of the objects under it.
/// <para>
/// Everything is plain data in large arrays, so the start-up index snapshot reads it back as a few large raw reads with
/// no work per key (docs/storage.md, "The compact index"):
/// </para>
/// <list type="bullet">
/// <item>the table is open addressing with linear probing over 64 shards of 32-byte slots; a shard grows on its own, so a
/// resize under the tree's lock moves 1/64th of the keys. Most keys hold one object (the charges of a PaymentIntent, the
/// events of a charge), which sits inline in its slot;</item>
/// <item>a key of 2 to 8 objects keeps them, in list order, in a slice of a pooled slab (slices of 2, 4 or 8 keys carved
/// from 48 KB arrays, a free list per size): a PaymentIntent's two events cost 48 bytes there, not a
/// <see cref="KeyIndex"/> and its array;</item>
/// <item>a key with more becomes a <see cref="KeyIndex"/> (a payout's transactions, an endpoint's pending deliveries),
/// and stays one if it shrinks, until it is emptied.</item>
/// </list>
/// Guarded by the tree's lock, like the rest of <see cref="AccountState"/>.
/// </summary>
internal sealed class SecondaryKeys
{
    // A key and its objects. Empty while KeyPlus1 is 0. With one object, Created, Seq and Ordinal are its list key; with
    // several, Ordinal is InSlab or Big (a list key's ordinal is an object's, never negative), Seq is how many objects
    // the key holds (in the slab; a big one's own index counts them) and Created is the slice or the place in _big.
    // Four ints and two longs: 32 bytes without padding, so a shard is written and read as it is in memory.
    private struct Slot
    {
        public int Owner, Index, KeyPlus1, Ordinal;
        public long Created, Seq;
    }

    private const int InSlab = -1;
    private const int Big = -2;
    private const int Gone = -3; // a frozen run's slot whose key lost its last object (dropped at the run's next merge)
    private const int MaxSmall = 8; // a key of more objects becomes a KeyIndex

    private const int ShardBits = 6;
    private const int Shards = 1 << ShardBits;
    private const int FirstShardLength = 8;
    // A shard grows by a quarter (not double) when it would pass 70 % full: its slots then stay between 56 % and 70 %
    // full, so a one-object key costs 46 to 57 bytes of table (a dictionary entry cost 60), and a loaded snapshot
    // touches that much memory and no more. Each key is moved about four times over the table's growth, a shard at a time.
    private const int MaxShardLength = 1 << 27; // 4 GB of slots: anything larger is a corrupt snapshot

    // A shard's table is a managed array, a block of the index pages or of a mapped snapshot (ShardTables).
    private readonly ShardTables<Slot> _shards;

    private Span<Slot> SlotsOf(int shard) => _shards.Of(shard);
    private readonly int[] _used = new int[Shards];
    private int _count;
    // What the live tables held when they reached the limit, frozen into sorted runs (docs/storage.md, "Frozen runs").
    private readonly HashRuns<Slot, RunKey> _runs;
    private readonly int _limit;
    private int _live; // keys in the live tables
    private int _inRuns; // keys in the runs (not the gone ones)

    private struct RunKey : IRunKey<Slot>
    {
        public static ulong KeyOf(in Slot slot) => Hash((slot.Owner, slot.Index, slot.KeyPlus1 - 1));

        // The key's ordinal: a key named for the first time after a run was frozen (a new PaymentIntent's charges) is
        // not in it, and the lookup skips the run without reading its filter.
        public static long MarkOf(in Slot slot) => slot.KeyPlus1;
    }

    // Slices of 2, 4 and 8 list keys: a key of n objects (2 ≤ n ≤ 8) is in the smallest that holds them.
    private readonly Slab[] _slabs;
    private readonly IndexPages? _pages; // where grown tables, slabs and big keys' chunks go (null: managed arrays)

    // The keys with more than MaxSmall objects; a freed place is null and reused.
    private readonly List<KeyIndex?> _big = [];
    private readonly Stack<int> _bigFree = new();

    /// <param name="pages">Where grown tables, slabs, runs and big keys' chunks go (null: managed arrays).</param>
    /// <param name="runLimit">Live keys at which they are frozen into a run (default <see cref="HashRuns.DefaultLimit"/>).</param>
    public SecondaryKeys(IndexPages? pages = null, int? runLimit = null)
    {
        _limit = runLimit ?? HashRuns.DefaultLimit;
        _pages = pages;
        _slabs = [new(2, pages), new(4, pages), new(8, pages)];
        _shards = new ShardTables<Slot>(Shards, pages);
        _runs = new HashRuns<Slot, RunKey>(pages) { Keep = static s => s.Ordinal != Gone };
        // No shard table until a key lands in it: a tree with no secondary keys costs the 64 references only.
        for (var shard = 0; shard < Shards; shard++) _shards.SetNew(shard, 0);
    }

    /// <summary>Keys with objects.</summary>
    public int Count => _count;

    /// <summary>The hash tables' size in bytes.</summary>
    public long TableBytes => _shards.Bytes + _runs.Bytes;

    /// <summary>What of the table's file-mapped blocks is in memory now, by part (a diagnostic: <c>/_mock/stats?resident=true</c>).</summary>
    public IEnumerable<(string Part, long Bytes)> Resident()
    {
        var (runs, index) = _runs.Resident();
        long big = 0;
        foreach (var k in _big) big += k?.Resident() ?? 0;
        return [("keys_live_tables", _shards.Resident()), ("keys_runs", runs), ("keys_run_filters", index),
            ("keys_slabs", _slabs.Sum(s => s.Resident())), ("keys_big", big)];
    }

    /// <summary>Frozen runs of the table, their slots, and the part of their bytes every lookup may touch (their filters).</summary>
    public (int Runs, long Slots, long FilterBytes) Frozen => (_runs.Runs, _runs.Count, _runs.FilterBytes);

    /// <summary>Runs lookups searched because their filter let the key through.</summary>
    internal long RunSearches => _runs.Searches;

    /// <summary>Runs' filters lookups read (those of runs older than the key not counted: they are skipped unread).</summary>
    internal long RunFilterReads => _runs.FilterReads;

    /// <summary>Files <paramref name="at"/> under <paramref name="entry"/>; true if the key had no object before.</summary>
    /// <remarks>
    /// Adding a list key already under the entry changes nothing, except in a key of more than eight objects, which (as
    /// a <see cref="KeyIndex"/> always has) takes it again: finding it there would sort the index on every add.
    /// </remarks>
    public bool Add((int Owner, int Index, int Key) entry, ListKey at)
    {
        // Both are ordinals in the tree's map, never negative; the slot's marks (a negative ordinal, KeyPlus1 of 0) rely on it.
        ArgumentOutOfRangeException.ThrowIfNegative(at.Ordinal);
        ArgumentOutOfRangeException.ThrowIfNegative(entry.Key);
        ArgumentOutOfRangeException.ThrowIfEqual(entry.Key, int.MaxValue);
        var hash = Hash(entry);
        ref var slot = ref Locate(entry, hash, out _, out _);
        if (Unsafe.IsNullRef(ref slot))
        {
            var shard = ShardOf(hash);
            if ((_used[shard] + 1) * 10L > SlotsOf(shard).Length * 7L) Grow(shard);
            var slots = SlotsOf(shard);
            var i = Home(hash, slots.Length);
            while (slots[i].KeyPlus1 != 0) i = Next(i, slots.Length);
            slots[i] = new Slot
            {
                Owner = entry.Owner, Index = entry.Index, KeyPlus1 = entry.Key + 1,
                Ordinal = at.Ordinal, Created = at.Created, Seq = at.Seq,
            };
            _used[shard]++;
            _count++;
            if (++_live >= _limit) Freeze();
            return true;
        }
        switch (slot.Ordinal)
        {
            case Big:
                _big[(int)slot.Created]!.Add(at);
                return false;
            case InSlab:
                AddToSlab(ref slot, at);
                return false;
            default:
            {
                var one = new ListKey(slot.Created, slot.Seq, slot.Ordinal);
                if (one == at) return false;
                var s = _slabs[0].Take();
                var keys = _slabs[0].Slice(s);
                (keys[0], keys[1]) = at.CompareTo(one) < 0 ? (at, one) : (one, at);
                slot.Ordinal = InSlab;
                slot.Created = s;
                slot.Seq = 2;
                return false;
            }
        }
    }

    // Into a key of 2 to 8 objects: in place in list order, moving to the next slice size or to a KeyIndex when full.
    private void AddToSlab(ref Slot slot, ListKey at)
    {
        var count = (int)slot.Seq;
        var slab = SlabOf(count);
        var keys = slab.Slice((int)slot.Created)[..count];
        if (keys.Contains(at)) return;
        if (count == MaxSmall)
        {
            var index = new KeyIndex(_pages);
            foreach (var k in keys) index.Add(k);
            index.Add(at); // in order or not: the index sorts itself when next read
            slab.Free((int)slot.Created);
            var place = _bigFree.Count > 0 ? _bigFree.Pop() : _big.Count;
            if (place == _big.Count) _big.Add(index); else _big[place] = index;
            slot.Ordinal = Big;
            slot.Created = place;
            slot.Seq = 0;
            return;
        }
        // Lists are tiny and objects nearly always arrive newest, so a scan from the end finds the place at once.
        var p = count;
        while (p > 0 && at.CompareTo(keys[p - 1]) < 0) p--;
        var bigger = SlabOf(count + 1);
        if (bigger == slab)
        {
            var room = slab.Slice((int)slot.Created);
            room[p..count].CopyTo(room[(p + 1)..]);
            room[p] = at;
        }
        else
        {
            var s = bigger.Take();
            var into = bigger.Slice(s);
            keys[..p].CopyTo(into);
            into[p] = at;
            keys[p..].CopyTo(into[(p + 1)..]);
            slab.Free((int)slot.Created);
            slot.Created = s;
        }
        slot.Seq = count + 1;
    }

    /// <summary>Takes <paramref name="at"/> out of <paramref name="entry"/>; true if the key is left without objects (and dropped).</summary>
    public bool Remove((int Owner, int Index, int Key) entry, ListKey at)
    {
        ref var slot = ref Locate(entry, Hash(entry), out var shard, out var i);
        if (Unsafe.IsNullRef(ref slot)) return false;
        switch (slot.Ordinal)
        {
            case Big:
            {
                var list = _big[(int)slot.Created]!;
                if (!list.Remove(at) || list.Count > 0) return false;
                _big[(int)slot.Created] = null;
                _bigFree.Push((int)slot.Created);
                Delete(ref slot, shard, i);
                return true;
            }
            case InSlab:
                RemoveFromSlab(ref slot, at);
                return false; // two objects or more: at least one is left
            default:
                if (new ListKey(slot.Created, slot.Seq, slot.Ordinal) != at) return false;
                Delete(ref slot, shard, i);
                return true;
        }
    }

    // Out of a key of 2 to 8 objects: back inline at one, into the next smaller slice when it fits there.
    private void RemoveFromSlab(ref Slot slot, ListKey at)
    {
        var count = (int)slot.Seq;
        var slab = SlabOf(count);
        var keys = slab.Slice((int)slot.Created)[..count];
        var p = keys.IndexOf(at);
        if (p < 0) return;
        if (count == 2)
        {
            var left = keys[1 - p];
            slab.Free((int)slot.Created);
            slot.Ordinal = left.Ordinal;
            slot.Created = left.Created;
            slot.Seq = left.Seq;
            return;
        }
        var smaller = SlabOf(count - 1);
        if (smaller == slab) keys[(p + 1)..].CopyTo(keys[p..]);
        else
        {
            var s = smaller.Take();
            var into = smaller.Slice(s);
            keys[..p].CopyTo(into);
            keys[(p + 1)..].CopyTo(into[p..]);
            slab.Free((int)slot.Created);
            slot.Created = s;
        }
        slot.Seq = count - 1;
    }

    /// <summary>
    /// The objects under <paramref name="entry"/>, or null: a key of more than eight objects gives its own index, a
    /// smaller one a new index of its objects (a copy, which later changes to the key do not reach).
    /// </summary>
    public KeyIndex? Get((int Owner, int Index, int Key) entry)
    {
        ref var slot = ref Locate(entry, Hash(entry), out _, out _);
        return Unsafe.IsNullRef(ref slot) ? null : Objects(slot);
    }

    private KeyIndex Objects(in Slot slot)
    {
        if (slot.Ordinal == Big) return _big[(int)slot.Created]!;
        var index = new KeyIndex();
        if (slot.Ordinal == InSlab)
            foreach (var k in SlabOf((int)slot.Seq).Slice((int)slot.Created)[..(int)slot.Seq]) index.Add(k);
        else index.Add(new ListKey(slot.Created, slot.Seq, slot.Ordinal));
        return index;
    }

    /// <summary>How many objects are under <paramref name="entry"/>.</summary>
    public int CountOf((int Owner, int Index, int Key) entry)
    {
        ref var slot = ref Locate(entry, Hash(entry), out _, out _);
        if (Unsafe.IsNullRef(ref slot)) return 0;
        return slot.Ordinal switch
        {
            Big => _big[(int)slot.Created]!.Count,
            InSlab => (int)slot.Seq,
            _ => 1,
        };
    }

    /// <summary>Every key with its objects (for tests and diagnostics).</summary>
    public IEnumerable<((int Owner, int Index, int Key) Entry, KeyIndex Objects)> All()
    {
        for (var shard = 0; shard < Shards; shard++)
            for (var i = 0; i < SlotsOf(shard).Length; i++)
                if (SlotsOf(shard)[i] is { KeyPlus1: not 0 } slot)
                    yield return ((slot.Owner, slot.Index, slot.KeyPlus1 - 1), Objects(slot));
        foreach (var slot in _runs.All())
            if (slot.Ordinal != Gone)
                yield return ((slot.Owner, slot.Index, slot.KeyPlus1 - 1), Objects(slot));
    }

    /// <summary>
    /// Writes the table for the start-up index snapshot (docs/storage.md, "Index snapshot at a clean stop") as it is in
    /// memory: each shard's slots and each slab's arrays in one piece (free slices and their list included), then the
    /// big keys' indexes by place. The layout is this class's own; only <see cref="Load"/> reads it.
    /// </summary>
    internal void Save(BinaryWriter w)
    {
        w.Write(_count);
        for (var shard = 0; shard < Shards; shard++)
        {
            w.Write(SlotsOf(shard).Length);
            w.Write(_used[shard]);
            if (SlotsOf(shard).Length > 0) SnapshotBlocks.Write<Slot>(w, SlotsOf(shard)); // an unused shard has no table
        }
        w.Write(_inRuns);
        _runs.Save(w);
        foreach (var slab in _slabs) slab.Save(w);
        w.Write(_big.Count);
        foreach (var index in _big)
        {
            w.Write(index is not null);
            index?.Save(w);
        }
    }

    /// <summary>
    /// The table <see cref="Save"/> wrote, for the start-up index snapshot (docs/storage.md, "Index snapshot at a clean stop"):
    /// every array read straight into one allocated at its final size; only the big keys' indexes are read one by one.
    /// </summary>
    internal static SecondaryKeys Load(BinaryReader r) => Load(new SnapshotSource(r.BaseStream, map: false));

    /// <summary>As <see cref="Load(BinaryReader)"/>, leaving the shards and slabs where they are in a mapped snapshot.</summary>
    internal static SecondaryKeys Load(SnapshotSource source)
    {
        var r = source.Reader;
        var keys = new SecondaryKeys(source.Pages);
        var count = r.ReadInt32();
        if (count < 0) throw new InvalidDataException($"A table of {count} secondary keys cannot be.");
        long used = 0;
        for (var shard = 0; shard < Shards; shard++)
        {
            var length = r.ReadInt32();
            var inShard = r.ReadInt32();
            if (length != 0 && (length < FirstShardLength || length > MaxShardLength) || inShard < 0 || inShard * 10L > length * 7L)
                throw new InvalidDataException($"A shard of {length} slots holding {inShard} keys cannot be.");
            if (length > 0) keys._shards.Load(shard, source, length);
            keys._used[shard] = inShard;
            used += inShard;
        }
        var inRuns = r.ReadInt32();
        if (used + inRuns != count || inRuns < 0) throw new InvalidDataException($"The shards hold {used} secondary keys and the runs {inRuns}, not {count}.");
        keys._count = count;
        keys._live = (int)used;
        keys._inRuns = inRuns;
        keys._runs.Load(source);
        foreach (var slab in keys._slabs) slab.Load(source);
        // Places in use and free ones, as they were: the slots name them by place.
        var places = r.ReadInt32();
        if (places < 0) throw new InvalidDataException($"{places} places of big secondary keys cannot be.");
        for (var place = 0; place < places; place++)
        {
            if (r.ReadBoolean()) keys._big.Add(KeyIndex.Load(source));
            else
            {
                keys._big.Add(null);
                keys._bigFree.Push(place);
            }
        }
        if (places - keys._bigFree.Count > count) throw new InvalidDataException($"{places - keys._bigFree.Count} big secondary keys of {count} cannot be.");
        return keys;
    }

    private Slab SlabOf(int count) => _slabs[count <= 2 ? 0 : count <= 4 ? 1 : 2];

    // The three ints through a 64-bit finalizer (murmur3's): owner and key fill the word, the index is spread over it by
    // a multiply, so every bit of each moves the shard (top bits) and the home slot (low half). The same in every run,
    // which the saved shards depend on.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Hash((int Owner, int Index, int Key) e)
    {
        var h = ((ulong)(uint)e.Owner << 32 | (uint)e.Key) ^ (uint)e.Index * 0x9E3779B97F4A7C15UL;
        h = (h ^ (h >> 33)) * 0xFF51AFD7ED558CCDUL;
        h = (h ^ (h >> 33)) * 0xC4CEB9FE1A85EC53UL;
        return h ^ (h >> 33);
    }

    private static int ShardOf(ulong hash) => (int)(hash >> (64 - ShardBits));

    // The hash's low half scaled to the shard's length (a multiply, not a modulo): shards need not be powers of two, so
    // they can grow by a quarter.
    private static int Home(ulong hash, int length) => (int)((uint)hash * (ulong)(uint)length >> 32);

    private static int Next(int i, int length) => ++i == length ? 0 : i;

    // The key's slot, in the live table (shard and index set) or in a frozen run (shard -1); a null ref when absent.
    private ref Slot Locate((int Owner, int Index, int Key) e, ulong hash, out int shard, out int index)
    {
        shard = ShardOf(hash);
        index = Find(shard, e, hash);
        if (index >= 0) return ref SlotsOf(shard)[index];
        shard = -1;
        for (var m = _runs.Find(hash, e.Key + 1); m.Next();)
        {
            ref var s = ref m.Current;
            if (s.Ordinal != Gone && s.KeyPlus1 == e.Key + 1 && s.Owner == e.Owner && s.Index == e.Index) return ref s;
        }
        return ref Unsafe.NullRef<Slot>();
    }

    // Drops a key that lost its last object: out of the live table, or marked gone in its run.
    private void Delete(ref Slot slot, int shard, int index)
    {
        if (shard >= 0)
        {
            Delete(shard, index);
            _live--;
            return;
        }
        slot.Ordinal = Gone;
        slot.Created = slot.Seq = 0;
        _count--;
        _inRuns--;
    }

    // The live tables' keys into a new run; the tables start again empty.
    private void Freeze()
    {
        var frozen = GC.AllocateUninitializedArray<Slot>(_live);
        var n = _shards.Drain(frozen, static s => s.KeyPlus1 != 0, 0);
        Array.Clear(_used);
        _runs.Freeze(frozen.AsSpan(0, n));
        _inRuns += n;
        _live = 0;
    }

    private int Find(int shard, (int Owner, int Index, int Key) e, ulong hash)
    {
        var slots = SlotsOf(shard);
        if (slots.Length == 0) return -1;
        var keyPlus1 = e.Key + 1;
        for (var i = Home(hash, slots.Length); ; i = Next(i, slots.Length))
        {
            ref var s = ref slots[i];
            if (s.KeyPlus1 == 0) return -1;
            if (s.KeyPlus1 == keyPlus1 && s.Owner == e.Owner && s.Index == e.Index) return i;
        }
    }

    // Empties slot i and shifts later slots of its run back into the gap where their probe allows (no tombstones, so
    // probes never lengthen with churn).
    private void Delete(int shard, int i)
    {
        var slots = SlotsOf(shard);
        var length = slots.Length;
        for (var j = Next(i, length); slots[j].KeyPlus1 != 0; j = Next(j, length))
        {
            ref var s = ref slots[j];
            var home = Home(Hash((s.Owner, s.Index, s.KeyPlus1 - 1)), length);
            // The slot at j may move to i when i is on its probe path, from its home to j.
            if ((j - home + length) % length >= (j - i + length) % length)
            {
                slots[i] = s;
                i = j;
            }
        }
        slots[i] = default;
        _used[shard]--;
        _count--;
    }

    private void Grow(int shard)
    {
        var length = SlotsOf(shard).Length;
        _shards.Grow(shard, length == 0 ? FirstShardLength : length + length / 4, static (old, grown) =>
        {
            foreach (ref readonly var s in old)
            {
                if (s.KeyPlus1 == 0) continue;
                var i = Home(Hash((s.Owner, s.Index, s.KeyPlus1 - 1)), grown.Length);
                while (grown[i].KeyPlus1 != 0) i = Next(i, grown.Length);
                grown[i] = s;
            }
        });
    }

    /// <summary>
    /// Slices of one size carved from 2,048-key arrays (48 KB, under the large-object threshold). A freed slice holds
    /// the next free one in its first key's Created, so the free list is part of the arrays and saved with them.
    /// </summary>
    private sealed class Slab(int size, IndexPages? pages)
    {
        private const int ChunkKeys = 2_048;
        private readonly int _perChunk = ChunkKeys / size;
        private Chunks<ListKey> _chunks = new(pages, coolBehind: true); // managed arrays or index pages, or blocks of a mapped snapshot
        private int _carved; // slices handed out so far, free ones included
        private int _free = -1; // the first free slice, or -1

        public long Resident() => _chunks.Resident();

        public Span<ListKey> Slice(int s) => _chunks.Span(s / _perChunk).Slice(s % _perChunk * size, size);

        public int Take()
        {
            if (_free >= 0)
            {
                var s = _free;
                _free = (int)Slice(s)[0].Created;
                return s;
            }
            if (_carved % _perChunk == 0) _chunks.AddNew(ChunkKeys);
            return _carved++;
        }

        public void Free(int s)
        {
            Slice(s)[0] = new ListKey(_free, 0, 0);
            _free = s;
        }

        public void Save(BinaryWriter w)
        {
            w.Write(_carved);
            w.Write(_free);
            for (var c = 0; c < _chunks.Count; c++) SnapshotBlocks.Write<ListKey>(w, _chunks.Span(c));
        }

        public void Load(SnapshotSource source)
        {
            var r = source.Reader;
            var carved = r.ReadInt32();
            var free = r.ReadInt32();
            if (carved < 0 || free < -1 || free >= carved)
                throw new InvalidDataException($"A slab of {carved} slices of {size} keys, the first free {free}, cannot be.");
            var chunks = (carved + _perChunk - 1) / _perChunk;
            _chunks = new(pages, coolBehind: true);
            for (var c = 0; c < chunks; c++) _chunks.AddBlock(source, ChunkKeys);
            _carved = carved;
            _free = free;
        }
    }
}
