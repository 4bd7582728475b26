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

    private readonly Dictionary<(int Owner, int Index, int Key), Slot> _slots = new();
    private readonly List<KeyIndex?> _more = [];
    private readonly Stack<int> _free = new();

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

    /// <summary>Every key with its objects (for tests and diagnostics).</summary>
    public IEnumerable<((int Owner, int Index, int Key) Entry, KeyIndex Objects)> All() =>
        _slots.Keys.Select(e => (e, Get(e)!));
}
