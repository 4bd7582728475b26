using System.Runtime.InteropServices;

namespace MockProcessor.Server.Storage;

/// <summary>
/// List order: newest first by creation second, then by insertion order, so output is deterministic. The object is
/// named by its ordinal in the tree's <see cref="ObjectMap"/>: a key holds no reference, so the collector never traces
/// an index's arrays (docs/storage.md, "The compact index").
/// </summary>
internal readonly record struct ListKey(long Created, long Seq, int Ordinal) : IComparable<ListKey>
{
    public int CompareTo(ListKey other)
    {
        var c = Created.CompareTo(other.Created);
        return c != 0 ? c : Seq.CompareTo(other.Seq);
    }
}

/// <summary>
/// Ids in list order, as sorted 24-byte keys in chunks (a tree would cost a node object per entry): one per owner and
/// object type (the lists), and one per owner, secondary index and key (refunds of one charge, a payout's transactions).
/// Objects nearly always arrive in order, so adding is an append; a key that arrives out of order (a transaction swept
/// into a payout newest first, a restart after the clock was set back) marks the index unsorted, and the next read
/// sorts it once, so a run of such adds costs one sort rather than one rebuild each. Reads happen under the merchant's
/// lock, like writes.
/// </summary>
/// <param name="pages">Where the chunks after the first go (a file store's index pages; null: managed arrays).</param>
internal sealed class KeyIndex(IndexPages? pages = null)
{
    // Fixed-size chunks: growing never copies the whole index (a 40 MB copy under the lock at a few million keys), and a
    // chunk of 2,048 keys (48 KB) stays below the large-object threshold, so growing an index does not count towards gen2.
    // The first chunk is held directly, starts at one key and doubles: most secondary indexes (the refunds of one
    // charge, the events of one object) hold a few keys, and a year of billing makes hundreds of thousands of them, so
    // an index of one key costs two small objects (this and a one-key array), not four.
    private const int ChunkSize = 2_048;
    private ListKey[]? _first;
    private Chunks<ListKey>? _more; // managed arrays or index pages, or blocks of a mapped snapshot (SnapshotBlocks)
    private bool _unsorted;
    private int _count;
    // Keys removed but still in the chunks, skipped by reads: a removal costs a hash insert, and the chunks are rebuilt
    // once tombstones are half of them (an endpoint's thousands of pending deliveries ending one by one stay linear).
    private HashSet<ListKey>? _removed;

    /// <summary>Positions, removed keys included: the range of <see cref="KeyAt"/> (type lists never remove, so there it is <see cref="Count"/>).</summary>
    public int Positions => _count;

    /// <summary>Live keys (tombstones not counted).</summary>
    public int Count => _count - (_removed?.Count ?? 0);

    /// <summary>Bytes of its chunks in a file mapping that are in memory now (a diagnostic).</summary>
    public long Resident() => _more?.Resident() ?? 0;

    private ListKey At(int i) => i < ChunkSize ? _first![i] : _more!.At(i / ChunkSize - 1, i % ChunkSize);

    public void Add(ListKey key)
    {
        if (_removed is not null && _removed.Remove(key)) return; // back under its key: the entry is still in place
        if (_count > 0 && !_unsorted && key.CompareTo(At(_count - 1)) < 0) _unsorted = true;
        Append(key);
    }

    /// <summary>Removes <paramref name="key"/> if present (an object whose index key changed).</summary>
    public bool Remove(ListKey key)
    {
        if (Find(key) < 0) return false;
        (_removed ??= []).Add(key);
        if (_removed.Count * 2 > _count) Compact();
        return true;
    }

    private void Compact()
    {
        var live = new List<ListKey>(Count);
        for (var i = 0; i < _count; i++)
            if (!IsRemoved(At(i))) live.Add(At(i));
        _removed = null;
        Rebuild(live);
    }

    private bool IsRemoved(ListKey key) => _removed is not null && _removed.Contains(key);

    private void EnsureSorted()
    {
        if (!_unsorted) return;
        var all = new List<ListKey>(_count);
        for (var i = 0; i < _count; i++) all.Add(At(i));
        all.Sort();
        Rebuild(all);
        _unsorted = false;
    }

    private void Append(ListKey key)
    {
        if (_count < ChunkSize)
        {
            if (_first is null) _first = new ListKey[1];
            else if (_count == _first.Length) Array.Resize(ref _first, Math.Min(_first.Length * 2, ChunkSize));
            _first[_count] = key;
        }
        else
        {
            var offset = _count % ChunkSize;
            if (offset == 0) (_more ??= new(pages, coolBehind: true)).AddNew(ChunkSize);
            _more!.At(_more.Count - 1, offset) = key;
        }
        _count++;
    }

    private void Rebuild(List<ListKey> ordered)
    {
        _first = null;
        _more?.Clear();
        _more = null;
        _count = 0;
        foreach (var k in ordered) Append(k);
    }

    /// <summary>
    /// Writes the live keys oldest first, sorting them first if needed and leaving removed ones out, for the start-up
    /// index snapshot (docs/storage.md, "Index snapshot at a clean stop"). Keys are written as they are in memory (24 bytes each).
    /// </summary>
    internal void Save(BinaryWriter w)
    {
        EnsureSorted();
        var count = Count;
        w.Write(count);
        // No tombstones (a type list never has any): the chunks are already what a load expects, and are written as they
        // are, so a snapshot that refers to the index pages refers to them rather than copying them.
        if ((_removed?.Count ?? 0) == 0 && (_more?.Count ?? 0) == (count - 1) / ChunkSize)
        {
            if (count == 0) return;
            w.Write(MemoryMarshal.AsBytes(_first.AsSpan(0, Math.Min(count, ChunkSize))));
            for (var c = 0; c < (_more?.Count ?? 0); c++) SnapshotBlocks.Write<ListKey>(w, _more!.Span(c));
            return;
        }
        // The live keys in chunks as adding them would make them: the first as it is, each further one a whole chunk (its
        // unused end zero), as a raw block a start from the snapshot uses in place and appends into.
        var chunk = new ListKey[ChunkSize];
        var n = 0;
        var first = true;
        for (var i = 0; i < _count; i++)
        {
            var key = At(i);
            if (IsRemoved(key)) continue;
            chunk[n++] = key;
            if (n == ChunkSize) Flush();
        }
        if (n > 0) Flush();

        void Flush()
        {
            if (first) w.Write(MemoryMarshal.AsBytes(chunk.AsSpan(0, n)));
            else
            {
                chunk.AsSpan(n).Clear();
                SnapshotBlocks.Write<ListKey>(w, chunk);
            }
            first = false;
            n = 0;
        }
    }

    /// <summary>
    /// The index <see cref="Save"/> wrote: its live keys in order, no tombstones, in chunks sized as adding them one by one
    /// would have made them, so adding goes on as before (the start-up index snapshot, docs/storage.md, "Index snapshot at
    /// a clean stop"); the chunks after the first stay where they are in a mapped snapshot.
    /// </summary>
    internal static KeyIndex Load(BinaryReader r) => Load(new SnapshotSource(r.BaseStream, map: false));

    internal static KeyIndex Load(SnapshotSource source)
    {
        var r = source.Reader;
        var count = r.ReadInt32();
        if (count < 0) throw new InvalidDataException($"An index of {count} keys cannot be.");
        var index = new KeyIndex(source.Pages) { _count = count };
        if (count == 0) return index;
        index._first = new ListKey[(int)Math.Min(System.Numerics.BitOperations.RoundUpToPowerOf2((uint)count), ChunkSize)];
        r.BaseStream.ReadExactly(MemoryMarshal.AsBytes(index._first.AsSpan(0, Math.Min(count, ChunkSize))));
        for (var read = ChunkSize; read < count; read += ChunkSize) (index._more ??= new(source.Pages, coolBehind: true)).AddBlock(source, ChunkSize);
        return index;
    }

    /// <summary>The position (0 = oldest) of the first key not older than <paramref name="key"/>: where it is or would be.</summary>
    public int LowerBound(ListKey key)
    {
        EnsureSorted();
        int lo = 0, hi = _count;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (At(mid).CompareTo(key) < 0) lo = mid + 1; else hi = mid;
        }
        return lo;
    }

    /// <summary>The position of <paramref name="key"/>, or -1 (also when it was removed).</summary>
    public int Find(ListKey key)
    {
        var at = LowerBound(key);
        return at < _count && At(at).Ordinal == key.Ordinal && !IsRemoved(At(at)) ? at : -1;
    }

    public IEnumerable<ListKey> OldestFirst() => OldestFirstFrom(0);

    /// <summary>Keys in creation order from position <paramref name="from"/> (0 = oldest) on.</summary>
    public IEnumerable<ListKey> OldestFirstFrom(int from)
    {
        EnsureSorted();
        for (var i = from; i < _count; i++)
            if (!IsRemoved(At(i))) yield return At(i);
    }

    public ListKey? Oldest => OldestFirst().Cast<ListKey?>().FirstOrDefault();

    /// <summary>The key at position <paramref name="i"/> in creation order (0 = oldest).</summary>
    public ListKey KeyAt(int i)
    {
        EnsureSorted();
        return At(i);
    }

    public IEnumerable<ListKey> NewestFirst()
    {
        EnsureSorted();
        for (var i = _count - 1; i >= 0; i--)
            if (!IsRemoved(At(i))) yield return At(i);
    }

    /// <summary>Keys newest first from position <paramref name="from"/> (0 = oldest) down to the oldest.</summary>
    public IEnumerable<ListKey> NewestFirstFrom(int from)
    {
        EnsureSorted();
        for (var i = Math.Min(from, _count - 1); i >= 0; i--)
            if (!IsRemoved(At(i))) yield return At(i);
    }
}
