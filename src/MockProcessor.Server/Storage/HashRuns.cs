using System.Runtime.CompilerServices;

namespace MockProcessor.Server.Storage;

/// <summary>The live tables' size at which the compact index's hash tables freeze their slots into a run.</summary>
internal static class HashRuns
{
    /// <summary>Live slots at which a table freezes them (docs/storage.md, "Frozen runs"); tests lower it to reach runs.</summary>
    internal static int DefaultLimit { get; set; } = 1 << 18;
}

/// <summary>How a hash table's slots are ordered in its frozen runs: by a 64-bit key, its hash.</summary>
internal interface IRunKey<T> where T : unmanaged
{
    static abstract ulong KeyOf(in T item);

    /// <summary>
    /// A number that only grows for what is added later (<see cref="SecondaryKeys"/>: the key's ordinal, which the map hands
    /// out in order), or 0 for none. A run keeps the largest of its slots'; a lookup of a larger one is for something newer
    /// than the run and skips it without reading its filter.
    /// </summary>
    static virtual long MarkOf(in T item) => 0;
}

/// <summary>
/// The frozen part of a hash table of the compact index (docs/storage.md, "Frozen runs"): slots moved out of the live,
/// open-addressed table once it holds its limit (<see cref="HashRuns.DefaultLimit"/>), kept as runs sorted by their key,
/// each with a blocked Bloom filter (16 bits a slot, 8 set in one 512-bit block: about 0.1 % false positives) and fences
/// (the key at every 4 KB). A lookup asks the runs newest first; a filter answers "not here" for almost every run
/// without touching the run, so adding a new id or key (the common case) reads no run at all, and a run's pages are touched only when an old
/// id or key is asked for. So the memory a store keeps touching is the live table and the filters (2 bytes a slot),
/// not tables that grow with history, and the kernel can leave the runs on disk (<see cref="IndexPages.PageOut"/>).
/// <para>
/// Runs are merged like a binary counter (the newest into the next while the next is no larger), so a table of n slots
/// keeps at most about log2(n / limit) runs and each slot is copied about that many times. A slot in a run can be
/// changed in place (its key never changes); a table marks one it deletes as gone, and a merge drops what
/// <see cref="Keep"/> refuses.
/// Guarded by the owner's lock.
/// </para>
/// </summary>
internal sealed unsafe class HashRuns<T, TKey>(IndexPages? pages) where T : unmanaged where TKey : struct, IRunKey<T>
{
    private const int BitsPerSlot = 16;
    private const int BlockWords = 8; // a filter block is 512 bits, one cache line
    private const int BitsPerKey = 8;
    private const int SearchesBetweenSweeps = 16_384;
    private static readonly int FenceEvery = Math.Max(1, 4096 / sizeof(T)); // slots between fences: 4 KB of them

    private sealed class Run
    {
        public required Chunks<T> Items; // one chunk: the slots sorted by key
        public required Chunks<ulong> Filter; // one chunk of blocks
        public required Chunks<ulong> Fences; // one chunk: the key of the first slot of every 4 KB of slots
        public int Count;
        public int Blocks;
        public long MaxMark; // the largest of its slots' TKey.MarkOf
    }

    private readonly List<Run> _runs = []; // newest first

    /// <summary>Which slots a merge keeps (null: all); a table whose deleted slots stay as marks drops them here.</summary>
    public Func<T, bool>? Keep { get; init; }

    /// <summary>Slots in the runs (marked ones included).</summary>
    public long Count
    {
        get
        {
            long n = 0;
            foreach (var r in _runs) n += r.Count;
            return n;
        }
    }

    public int Runs => _runs.Count;

    /// <summary>Runs a lookup searched because their filter let the key through (for tests: the filters' false positives).</summary>
    internal long Searches { get; private set; }

    /// <summary>Filters lookups read (runs their marks did not rule out).</summary>
    internal long FilterReads { get; private set; }

    /// <summary>The runs' and filters' size in bytes.</summary>
    public long Bytes
    {
        get
        {
            long n = 0;
            foreach (var r in _runs) n += (long)r.Count * sizeof(T) + ((long)r.Blocks * BlockWords + FencesFor(r.Count)) * sizeof(ulong);
            return n;
        }
    }

    /// <summary>The filters' and fences' size in bytes (what lookups touch for every run).</summary>
    public long FilterBytes
    {
        get
        {
            long n = 0;
            foreach (var r in _runs) n += ((long)r.Blocks * BlockWords + FencesFor(r.Count)) * sizeof(ulong);
            return n;
        }
    }

    /// <summary>Bytes of the runs' slots, and of their filters and fences, in memory now (a diagnostic).</summary>
    public (long Slots, long Index) Resident()
    {
        long slots = 0, index = 0;
        foreach (var r in _runs)
        {
            slots += r.Items.Resident();
            index += r.Filter.Resident() + r.Fences.Resident();
        }
        return (slots, index);
    }

    /// <summary>Adds <paramref name="slots"/> (in any order; sorted here) as the newest run, then merges as the policy asks.</summary>
    public void Freeze(Span<T> slots)
    {
        if (slots.IsEmpty) return;
        var keys = GC.AllocateUninitializedArray<ulong>(slots.Length);
        for (var i = 0; i < slots.Length; i++) keys[i] = TKey.KeyOf(slots[i]);
        keys.AsSpan().Sort(slots);
        var run = NewRun(slots.Length);
        slots.CopyTo(run.Items.Span(0));
        Index(run);
        _runs.Insert(0, run);
        while (_runs.Count >= 2 && _runs[1].Count <= _runs[0].Count) Merge();
        // Every run, not only the new one: pages that lookups of old keys (and the filters' false positives) brought back
        // since the last freeze leave again. So they do every 16,384 searches of a run between freezes.
        CoolAll();
    }

    private void CoolAll()
    {
        foreach (var r in _runs) Cool(r);
    }

    /// <summary>
    /// The slots whose key is <paramref name="key"/>, newest run first; runs whose slots' marks are all below
    /// <paramref name="mark"/> (the looked-for slot's <see cref="IRunKey{T}.MarkOf"/>) are skipped unread.
    /// </summary>
    public Matches Find(ulong key, long mark = 0) => new(this, key, mark);

    /// <summary>Every slot of every run, newest run first.</summary>
    public IEnumerable<T> All()
    {
        foreach (var run in _runs)
            for (var i = 0; i < run.Count; i++)
                yield return run.Items.At(0, i);
    }

    /// <summary>Writes the runs for the index snapshot: each run's slots and filter as raw blocks.</summary>
    public void Save(BinaryWriter w)
    {
        w.Write(_runs.Count);
        foreach (var run in _runs)
        {
            w.Write(run.Count);
            w.Write(run.Blocks);
            w.Write(run.MaxMark);
            SnapshotBlocks.Write<T>(w, run.Items.Span(0));
            SnapshotBlocks.Write<ulong>(w, run.Filter.Span(0));
            SnapshotBlocks.Write<ulong>(w, run.Fences.Span(0));
        }
    }

    /// <summary>The runs <see cref="Save"/> wrote, in place when the snapshot is mapped.</summary>
    public void Load(SnapshotSource source)
    {
        var r = source.Reader;
        var count = r.ReadInt32();
        if (count < 0 || count > 64) throw new InvalidDataException($"{count} frozen runs cannot be.");
        for (var i = 0; i < count; i++)
        {
            var slots = r.ReadInt32();
            var blocks = r.ReadInt32();
            var maxMark = r.ReadInt64();
            if (slots <= 0 || blocks != BlocksFor(slots)) throw new InvalidDataException($"A run of {slots} slots with {blocks} filter blocks cannot be.");
            var run = new Run
            {
                Items = new Chunks<T>(source.Pages), Filter = new Chunks<ulong>(source.Pages), Fences = new Chunks<ulong>(source.Pages),
                Count = slots, Blocks = blocks, MaxMark = maxMark,
            };
            run.Items.AddBlock(source, slots);
            run.Filter.AddBlock(source, blocks * BlockWords);
            run.Fences.AddBlock(source, FencesFor(slots));
            _runs.Add(run);
        }
    }

    /// <summary>The slots of one key in the runs, newest first: <c>while (m.Next()) use(ref m.Current)</c>.</summary>
    public ref struct Matches
    {
        private readonly HashRuns<T, TKey> _owner;
        private readonly ulong _key, _mix;
        private readonly long _mark;
        private int _run, _index;
        private Span<T> _items;

        internal Matches(HashRuns<T, TKey> owner, ulong key, long mark)
        {
            _owner = owner;
            _key = key;
            _mark = mark;
            _mix = Mix(key);
            _run = -1;
            _index = -1;
        }

        /// <summary>The slot found by the last <see cref="Next"/>: changes to it stay in the run.</summary>
        public ref T Current => ref _items[_index];

        public bool Next()
        {
            if (_run >= 0 && ++_index < _items.Length && TKey.KeyOf(_items[_index]) == _key) return true;
            while (++_run < _owner._runs.Count)
            {
                var run = _owner._runs[_run];
                if (_mark > run.MaxMark) continue;
                _owner.FilterReads++;
                if (!MayHold(run, _mix)) continue;
                if (++_owner.Searches % SearchesBetweenSweeps == 0) _owner.CoolAll();
                _items = run.Items.Span(0);
                _index = LowerBound(_items, run.Fences.Span(0), _key);
                if (_index < _items.Length && TKey.KeyOf(_items[_index]) == _key) return true;
            }
            return false;
        }
    }

    // The first slot whose key is not below key. The fences (in memory) narrow it to one fence's span, so a search reads
    // one 4 KB stretch of the run (two pages at most) instead of a page at each step of a binary search over all of it.
    private static int LowerBound(Span<T> items, Span<ulong> fences, ulong key)
    {
        int first = 0, last = fences.Length; // the first fence whose key is not below key
        while (first < last)
        {
            var mid = (int)((uint)(first + last) >> 1);
            if (fences[mid] < key) first = mid + 1; else last = mid;
        }
        // Slots before fence first - 1 are below key, and the slot at fence first is not.
        int lo = Math.Max(0, first - 1) * FenceEvery, hi = (int)Math.Min(items.Length, (long)first * FenceEvery);
        while (lo < hi)
        {
            var mid = (int)((uint)(lo + hi) >> 1);
            if (TKey.KeyOf(items[mid]) < key) lo = mid + 1; else hi = mid;
        }
        return lo;
    }

    private Run NewRun(int count)
    {
        var run = new Run
        {
            Items = new Chunks<T>(pages), Filter = new Chunks<ulong>(pages), Fences = new Chunks<ulong>(pages),
            Count = count, Blocks = BlocksFor(count),
        };
        if (pages is null)
        {
            run.Items.Add(GC.AllocateUninitializedArray<T>(count));
            run.Filter.Add(new ulong[run.Blocks * BlockWords]);
            run.Fences.Add(new ulong[FencesFor(count)]);
        }
        else
        {
            run.Items.AddNew(count);
            run.Filter.AddNew(run.Blocks * BlockWords);
            run.Fences.AddNew(FencesFor(count));
        }
        return run;
    }

    // The two newest runs into one; the older ones' blocks go back to the pages.
    private void Merge()
    {
        var (newer, older) = (_runs[0], _runs[1]);
        var a = newer.Items.Span(0);
        var b = older.Items.Span(0);
        var merged = NewRun(a.Length + b.Length);
        var into = merged.Items.Span(0);
        int i = 0, j = 0, n = 0;
        var keep = Keep;
        while (i < a.Length || j < b.Length)
        {
            // Equal keys: the newer run's slot first, as a lookup would find it.
            ref var next = ref (j == b.Length || i < a.Length && TKey.KeyOf(a[i]) <= TKey.KeyOf(b[j])) ? ref a[i++] : ref b[j++];
            if (keep is null || keep(next)) into[n++] = next;
        }
        Drop(newer);
        Drop(older);
        _runs.RemoveRange(0, 2);
        if (n < merged.Count)
        {
            // Marked slots dropped: a run of the size that is left, or none (a run is never empty).
            if (n == 0)
            {
                Drop(merged);
                return;
            }
            var exact = NewRun(n);
            into[..n].CopyTo(exact.Items.Span(0));
            Drop(merged);
            merged = exact;
        }
        Index(merged);
        _runs.Insert(0, merged);
    }

    private static void Drop(Run run)
    {
        run.Items.Clear();
        run.Filter.Clear();
        run.Fences.Clear();
    }

    // A run once written is read only when an old key is asked for: its pages can leave memory. So can its filter and
    // fences when its slots have marks: lookups of new keys skip the run unread, so they are read as rarely as the run.
    // (Without marks every lookup of an absent key reads a filter block: the id map's filters stay.)
    private void Cool(Run run)
    {
        if (pages is null) return; // managed arrays: nothing the kernel could write back
        var items = run.Items.Span(0);
        pages.PageOut(Unsafe.AsPointer(ref items[0]), (long)items.Length * sizeof(T));
        if (run.MaxMark == 0) return;
        var filter = run.Filter.Span(0);
        pages.PageOut(Unsafe.AsPointer(ref filter[0]), (long)filter.Length * sizeof(ulong));
        var fences = run.Fences.Span(0);
        pages.PageOut(Unsafe.AsPointer(ref fences[0]), (long)fences.Length * sizeof(ulong));
    }

    private static int FencesFor(int count) => (count + FenceEvery - 1) / FenceEvery;

    private static int BlocksFor(int count) => (int)Math.Max(1, ((long)count * BitsPerSlot + BlockWords * 64 - 1) / (BlockWords * 64));

    // The run's filter and fences, from its sorted slots.
    private static void Index(Run run)
    {
        var items = run.Items.Span(0);
        var fences = run.Fences.Span(0);
        for (var f = 0; f < fences.Length; f++) fences[f] = TKey.KeyOf(items[f * FenceEvery]);
        run.MaxMark = 0;
        foreach (ref readonly var slot in items) run.MaxMark = Math.Max(run.MaxMark, TKey.MarkOf(slot));
        var words = run.Filter.Span(0);
        words.Clear();
        foreach (ref readonly var slot in run.Items.Span(0)[..run.Count])
        {
            var mix = Mix(TKey.KeyOf(slot));
            var block = words.Slice(BlockOf(mix, run.Blocks) * BlockWords, BlockWords);
            var bits = mix * 0x9E3779B97F4A7C15UL;
            for (var k = 0; k < BitsPerKey; k++, bits = Next(bits)) block[(int)(bits >> 6 & 7)] |= 1UL << (int)(bits & 63);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool MayHold(Run run, ulong mix)
    {
        var block = run.Filter.Span(0).Slice(BlockOf(mix, run.Blocks) * BlockWords, BlockWords);
        var bits = mix * 0x9E3779B97F4A7C15UL;
        for (var k = 0; k < BitsPerKey; k++, bits = Next(bits))
            if ((block[(int)(bits >> 6 & 7)] & 1UL << (int)(bits & 63)) == 0) return false;
        return true;
    }

    // The next probe's nine bits (three for the word, six for the bit): the word rotated by nine.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Next(ulong bits) => bits >> 9 | bits << 55;

    private static int BlockOf(ulong mix, int blocks) => (int)((mix >> 32) * (ulong)(uint)blocks >> 32);

    // murmur3's finalizer: a key that is a 32-bit hash still spreads over all 64 bits.
    private static ulong Mix(ulong h)
    {
        h = (h ^ (h >> 33)) * 0xFF51AFD7ED558CCDUL;
        h = (h ^ (h >> 33)) * 0xC4CEB9FE1A85EC53UL;
        return h ^ (h >> 33);
    }
}
