using System.Runtime.InteropServices;

namespace MockProcessor.Server.Storage;

/// <summary>
/// A tree's secondary indexes (docs/storage.md): per owner, index and key — owner and key by ordinal in the tree's
/// <see cref="ObjectMap"/>, the index by its number in the schema — the list keys of the objects under it. Most keys
/// hold one object (the events of an object that had one, the charges of a PaymentIntent), so a key's first object is
/// kept inline in the table's entry and a <see cref="KeyIndex"/> is made only for a key that gets a second one: the table
/// is one array of plain data, not two small objects per key (docs/storage.md, "The compact index").
/// </summary>
internal sealed class SecondaryKeys
{
    // More: 0 while the key holds only One; else 1 + the place of the key's KeyIndex in _more (One is then unused).
    private struct Slot
    {
        public ListKey One;
        public int More;
    }

    private readonly Dictionary<(int Owner, int Index, int Key), Slot> _slots;
    private readonly List<KeyIndex?> _more = [];
    private readonly Stack<int> _free = new();

    // A key as the index snapshot writes it: its object inline, or (Many 1) its KeyIndex written after all the keys.
    private struct Saved
    {
        public int Owner, Index, Key, Many;
        public ListKey One;
    }

    private const int SavedBlock = 1_024; // keys written or read at a time: 40 KB

    public SecondaryKeys() : this(0) { }

    private SecondaryKeys(int capacity) => _slots = new(capacity);

    /// <summary>Keys with objects.</summary>
    public int Count => _slots.Count;

    /// <summary>Files <paramref name="at"/> under <paramref name="entry"/>; true if the key had no object before.</summary>
    public bool Add((int Owner, int Index, int Key) entry, ListKey at)
    {
        ref var slot = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_slots, entry, out var existed);
        if (!existed)
        {
            slot.One = at;
            slot.More = 0;
            return true;
        }
        if (slot.More == 0)
        {
            if (slot.One == at) return false;
            var list = new KeyIndex();
            list.Add(slot.One);
            var place = _free.Count > 0 ? _free.Pop() : _more.Count;
            if (place == _more.Count) _more.Add(list); else _more[place] = list;
            slot.More = place + 1;
        }
        _more[slot.More - 1]!.Add(at);
        return false;
    }

    /// <summary>Takes <paramref name="at"/> out of <paramref name="entry"/>; true if the key is left without objects (and dropped).</summary>
    public bool Remove((int Owner, int Index, int Key) entry, ListKey at)
    {
        if (!_slots.TryGetValue(entry, out var slot)) return false;
        if (slot.More == 0)
        {
            if (slot.One != at) return false;
            _slots.Remove(entry);
            return true;
        }
        var list = _more[slot.More - 1]!;
        list.Remove(at);
        if (list.Count > 0) return false;
        _more[slot.More - 1] = null;
        _free.Push(slot.More - 1);
        _slots.Remove(entry);
        return true;
    }

    /// <summary>The objects under <paramref name="entry"/> (a key of one object gets a new one-key index), or null.</summary>
    public KeyIndex? Get((int Owner, int Index, int Key) entry)
    {
        if (!_slots.TryGetValue(entry, out var slot)) return null;
        if (slot.More > 0) return _more[slot.More - 1];
        var one = new KeyIndex();
        one.Add(slot.One);
        return one;
    }

    /// <summary>How many objects are under <paramref name="entry"/>.</summary>
    public int CountOf((int Owner, int Index, int Key) entry) =>
        !_slots.TryGetValue(entry, out var slot) ? 0 : slot.More == 0 ? 1 : _more[slot.More - 1]!.Count;

    /// <summary>
    /// Writes the table for the start-up index snapshot (docs/storage.md, "Index snapshot at shutdown"): the keys as
    /// fixed-size records in blocks (one object inline, or a mark), then the indexes of the keys with several objects, in
    /// the same order. Millions of keys cost a few hundred large writes, not several small ones each.
    /// </summary>
    internal void Save(BinaryWriter w)
    {
        var many = 0;
        foreach (var slot in _slots.Values)
            if (slot.More > 0) many++;
        w.Write(_slots.Count);
        w.Write(many);
        var block = new Saved[Math.Min(_slots.Count, SavedBlock)];
        var n = 0;
        foreach (var (entry, slot) in _slots)
        {
            block[n++] = new Saved
            {
                Owner = entry.Owner, Index = entry.Index, Key = entry.Key,
                Many = slot.More > 0 ? 1 : 0, One = slot.More > 0 ? default : slot.One,
            };
            if (n < block.Length) continue;
            w.Write(MemoryMarshal.AsBytes(block.AsSpan()));
            n = 0;
        }
        w.Write(MemoryMarshal.AsBytes(block.AsSpan(0, n)));
        // The dictionary enumerates in the same order again (nothing changed it), which is the order Load numbers them in.
        foreach (var slot in _slots.Values)
            if (slot.More > 0) _more[slot.More - 1]!.Save(w);
    }

    /// <summary>
    /// The table <see cref="Save"/> wrote, for the start-up index snapshot (docs/storage.md, "Index snapshot at shutdown"):
    /// the same keys and objects, the dictionary sized for them at once and the indexes packed (no free places).
    /// </summary>
    internal static SecondaryKeys Load(BinaryReader r)
    {
        var count = r.ReadInt32();
        var many = r.ReadInt32();
        if (count < 0 || many < 0 || many > count) throw new InvalidDataException($"A table of {count} keys, {many} with several objects, cannot be.");
        var keys = new SecondaryKeys(count);
        keys._more.Capacity = many;
        var block = new Saved[Math.Min(count, SavedBlock)];
        var placed = 0;
        for (var done = 0; done < count;)
        {
            var n = Math.Min(block.Length, count - done);
            r.BaseStream.ReadExactly(MemoryMarshal.AsBytes(block.AsSpan(0, n)));
            for (var i = 0; i < n; i++)
            {
                ref var s = ref block[i];
                // The indexes follow in the order their keys came: the n-th key with several objects gets the n-th index.
                var slot = s.Many == 0 ? new Slot { One = s.One } : new Slot { More = ++placed };
                if (!keys._slots.TryAdd((s.Owner, s.Index, s.Key), slot)) throw new InvalidDataException("A secondary key was saved twice.");
            }
            done += n;
        }
        if (placed != many) throw new InvalidDataException($"{placed} keys with several objects were saved, not {many}.");
        for (var i = 0; i < many; i++) keys._more.Add(KeyIndex.Load(r));
        return keys;
    }

    /// <summary>Every key with its objects (for tests and diagnostics).</summary>
    public IEnumerable<((int Owner, int Index, int Key) Entry, KeyIndex Objects)> All() =>
        _slots.Keys.Select(e => (e, Get(e)!));
}
