using MockProcessor.Domain.Common;

namespace MockProcessor.Server.Storage;

/// <summary>The tree's running totals (<see cref="TotalIndex"/>; docs/storage.md, "Running totals").</summary>
public sealed partial class AccountState
{
    /// <summary>One order's sum of amounts and how many objects count towards it.</summary>
    internal record struct TotalEntry(long Sum, long Count);

    private static readonly SortedDictionary<string, SortedDictionary<long, TotalEntry>> NoTotals = new(StringComparer.Ordinal);

    // Per owner and declared total: group → order → entry. Null while unknown: a start that read the rows filed most
    // objects from their heads, which carry no amounts, so the first read sums the type's objects once (from disk) and
    // every commit keeps the sums from then on. A fresh tree and a start from the index snapshot know them.
    private Dictionary<(string Owner, TotalIndex Total), SortedDictionary<string, SortedDictionary<long, TotalEntry>>>? _totals = new();

    /// <summary>Whether the totals are known (false after a start that read the rows, until the first read of one).</summary>
    internal bool TotalsKnown => _totals is not null;

    /// <summary>Marks the totals unknown: for a start that read the rows (heads carry no amounts).</summary>
    internal void ForgetTotals() => _totals = Schema.Totals.Count == 0 ? new() : null;

    /// <summary>
    /// The committed totals of <paramref name="owner"/> in <paramref name="total"/>: group → order → sum and count, orders
    /// ascending. Sums the type's objects first when the totals are unknown. The caller holds <see cref="Gate"/>.
    /// </summary>
    internal IReadOnlyDictionary<string, SortedDictionary<long, TotalEntry>> TotalsOf(string owner, TotalIndex total)
    {
        Schema.RequireDeclared(total);
        if (_totals is null) SumTotals();
        return _totals!.TryGetValue((owner, total), out var groups) ? groups : NoTotals;
    }

    // Every object of each total's type, read back from disk when cold (without entering the cache: a one-off pass over
    // the history must not push the working set out).
    private void SumTotals()
    {
        var totals = new Dictionary<(string Owner, TotalIndex Total), SortedDictionary<string, SortedDictionary<long, TotalEntry>>>();
        foreach (var total in Schema.Totals)
            foreach (var ((_, type), list) in Lists)
            {
                if (type != total.Type) continue;
                foreach (var key in list.OldestFirst())
                {
                    if (!Objects.TryGet(key.Ordinal, out var entry)) continue;
                    var obj = entry.Obj ?? cache!.Load(entry.Position);
                    if (total.Of(obj) is { } c) AddTo(totals, obj.AccountId, total, c, 1);
                }
            }
        _totals = totals;
    }

    // From Apply: the version replacing old (null: a new object) moves its contributions.
    private void ApplyTotals(StripeObject? old, StripeObject obj, TotalIndex[] totals)
    {
        if (_totals is null) return;
        foreach (var total in totals)
        {
            if (old is not null && total.Of(old) is { } before) AddTo(_totals, old.AccountId, total, before, -1);
            if (total.Of(obj) is { } after) AddTo(_totals, obj.AccountId, total, after, 1);
        }
    }

    private static void AddTo(Dictionary<(string Owner, TotalIndex Total), SortedDictionary<string, SortedDictionary<long, TotalEntry>>> totals,
        string owner, TotalIndex total, (string Group, long Order, long Amount) c, int sign)
    {
        if (!totals.TryGetValue((owner, total), out var groups)) totals[(owner, total)] = groups = new(StringComparer.Ordinal);
        if (!groups.TryGetValue(c.Group, out var orders)) groups[c.Group] = orders = [];
        var e = orders.GetValueOrDefault(c.Order);
        e = new TotalEntry(checked(e.Sum + sign * c.Amount), e.Count + sign);
        if (e.Count != 0) orders[c.Order] = e;
        else
        {
            orders.Remove(c.Order);
            if (orders.Count == 0) groups.Remove(c.Group);
        }
    }

    // The index snapshot (AccountState.Snapshot.cs): whether they are known, then each owner's, total by number.
    private void SaveTotals(BinaryWriter w)
    {
        w.Write(_totals is not null);
        if (_totals is null) return;
        w.Write(_totals.Count);
        foreach (var ((owner, total), groups) in _totals)
        {
            w.Write(owner);
            w.Write(Schema.TotalNumber(total));
            w.Write(groups.Count);
            foreach (var (group, orders) in groups)
            {
                w.Write(group);
                w.Write(orders.Count);
                foreach (var (order, e) in orders)
                {
                    w.Write(order);
                    w.Write(e.Sum);
                    w.Write(e.Count);
                }
            }
        }
    }

    private void LoadTotals(BinaryReader r)
    {
        if (!r.ReadBoolean())
        {
            _totals = null;
            return;
        }
        var totals = new Dictionary<(string Owner, TotalIndex Total), SortedDictionary<string, SortedDictionary<long, TotalEntry>>>();
        for (var n = r.ReadInt32(); n > 0; n--)
        {
            var owner = r.ReadString();
            var number = r.ReadInt32();
            if (number < 0 || number >= Schema.Totals.Count) throw new InvalidDataException($"Total {number} is not declared.");
            var groups = new SortedDictionary<string, SortedDictionary<long, TotalEntry>>(StringComparer.Ordinal);
            for (var g = r.ReadInt32(); g > 0; g--)
            {
                var group = r.ReadString();
                var orders = new SortedDictionary<long, TotalEntry>();
                for (var o = r.ReadInt32(); o > 0; o--) orders[r.ReadInt64()] = new TotalEntry(r.ReadInt64(), r.ReadInt64());
                groups[group] = orders;
            }
            totals[(owner, Schema.Totals[number])] = groups;
        }
        _totals = totals;
    }
}
