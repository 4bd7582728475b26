using System.Runtime.InteropServices;

namespace MockProcessor.Server.Storage;

/// <summary>
/// A tree's time-driven work by due time (<see cref="AccountState.Timers"/>): a binary min-heap of (due, sequence,
/// ordinal) in fixed-size chunks, which a file store keeps in its index pages like the rest of the compact index
/// (docs/storage.md, "Index pages in a file"). A million balance transactions waiting for a payout run are 24 MB here; in
/// a managed queue they were private memory that grew with history. The heap's array is already a valid heap, so the
/// index snapshot writes its chunks as raw blocks and a start uses them in place. Guarded by the tree's lock.
/// </summary>
internal sealed class TimerHeap(IndexPages? pages = null)
{
    [StructLayout(LayoutKind.Sequential)]
    private struct Item
    {
        public long Due, Seq;
        public int Ordinal, Unused; // 24 bytes, written and read as it is in memory
    }

    private const int ChunkBits = 12; // 4,096 items, 96 KB
    private const int Chunk = 1 << ChunkBits;
    private readonly Chunks<Item> _items = new(pages, coolBehind: true); // mostly appended: due times mostly grow

    public int Count { get; private set; }

    /// <summary>Bytes of its chunks in a file mapping that are in memory now (a diagnostic).</summary>
    public long Resident() => _items.Resident();

    private ref Item At(int i) => ref _items.At(i >> ChunkBits, i & (Chunk - 1));

    private static bool Before(in Item a, in Item b) => a.Due != b.Due ? a.Due < b.Due : a.Seq < b.Seq;

    public void Enqueue(int ordinal, (long Due, long Seq) key)
    {
        if ((Count & (Chunk - 1)) == 0 && Count >> ChunkBits == _items.Count) _items.AddNew(Chunk);
        var item = new Item { Due = key.Due, Seq = key.Seq, Ordinal = ordinal };
        var i = Count++;
        while (i > 0)
        {
            var parent = (i - 1) >> 1;
            if (!Before(item, At(parent))) break;
            At(i) = At(parent);
            i = parent;
        }
        At(i) = item;
    }

    public bool TryPeek(out int ordinal, out (long Due, long Seq) key)
    {
        if (Count == 0)
        {
            (ordinal, key) = (0, default);
            return false;
        }
        ref var top = ref At(0);
        (ordinal, key) = (top.Ordinal, (top.Due, top.Seq));
        return true;
    }

    /// <summary>Removes the first entry; returns its ordinal.</summary>
    public int Dequeue()
    {
        if (Count == 0) throw new InvalidOperationException("The timer heap is empty.");
        var first = At(0).Ordinal;
        var last = At(--Count);
        if (Count > 0) SiftDown(0, last);
        // A chunk two past the last used one goes back (one spare, so a queue at a chunk's edge does not churn).
        if (_items.Count > (Count >> ChunkBits) + 2) _items.RemoveLast();
        return first;
    }

    private void SiftDown(int i, Item item)
    {
        while (true)
        {
            var child = 2 * i + 1;
            if (child >= Count) break;
            if (child + 1 < Count && Before(At(child + 1), At(child))) child++;
            if (!Before(At(child), item)) break;
            At(i) = At(child);
            i = child;
        }
        At(i) = item;
    }

    /// <summary>Every entry, in heap order (not due order).</summary>
    public IEnumerable<(int Element, (long Due, long Seq) Priority)> UnorderedItems
    {
        get
        {
            for (var i = 0; i < Count; i++)
            {
                var item = At(i);
                yield return (item.Ordinal, (item.Due, item.Seq));
            }
        }
    }

    /// <summary>
    /// Writes the heap as it is, its chunks as raw blocks (the last whole: what lies past the count is never read), for
    /// the index snapshot (docs/storage.md, "Index snapshot at a clean stop").
    /// </summary>
    internal void Save(BinaryWriter w)
    {
        w.Write(Count);
        for (var c = 0; c < (Count + Chunk - 1) >> ChunkBits; c++) SnapshotBlocks.Write<Item>(w, _items.Span(c));
    }

    /// <summary>The heap <see cref="Save"/> wrote, its chunks left where they are in a mapped snapshot.</summary>
    internal static TimerHeap Load(SnapshotSource source)
    {
        var count = source.Reader.ReadInt32();
        if (count < 0) throw new InvalidDataException($"A timer heap of {count} entries cannot be.");
        var heap = new TimerHeap(source.Pages);
        for (var c = 0; c < (count + Chunk - 1) >> ChunkBits; c++) heap._items.AddBlock(source, Chunk);
        heap.Count = count;
        return heap;
    }
}
