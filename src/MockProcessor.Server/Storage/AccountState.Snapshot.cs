using MockProcessor.Server.Idempotency;

namespace MockProcessor.Server.Storage;

/// <summary>A tree's part of the index snapshot written at a clean stop (docs/storage.md, "Index snapshot at a clean stop").</summary>
public sealed partial class AccountState
{
    /// <summary>
    /// The objects whose current version an observer wants whole at start-up (<see cref="IStoreObserver.WantedAtStart"/>:
    /// pending webhook deliveries), by ordinal in <see cref="Objects"/>: a start from the snapshot reads these and no other.
    /// </summary>
    internal readonly HashSet<int> Wanted = [];

    /// <summary>New versions of existing objects applied in this process: each left a superseded version on disk.</summary>
    internal long Updates;

    /// <summary>
    /// Writes the tree's compact index (map, lists, secondary indexes, timers, idempotent results); false when something
    /// in memory is not on disk yet (a version without its position), and the snapshot must not be used. The caller holds
    /// <see cref="Gate"/>, and the group commit has stopped.
    /// </summary>
    internal bool SaveSnapshot(BinaryWriter w)
    {
        foreach (var row in Cooling.Concat(Kept))
            if (row.Position == 0) return false;
        w.Write(AccountId);
        w.Write(Members.Count);
        foreach (var m in Members) w.Write(m);
        w.Write(_clockOffset);
        w.Write(_clockFrozenAt);
        // A held version's position is where its batch wrote it (or where it was read back from).
        Objects.Save(w, obj => obj.StoredAt);
        w.Write(Lists.Count);
        foreach (var ((owner, type), list) in Lists)
        {
            w.Write(owner);
            w.Write(type);
            list.Save(w);
        }
        Secondary.Save(w);
        w.Write(_indexKeys.Count);
        foreach (var ((owner, index), keys) in _indexKeys)
        {
            w.Write(owner);
            w.Write(Schema.Number(index));
            w.Write(keys.Count);
            foreach (var k in keys) w.Write(k);
        }
        Timers.Save(w);
        w.Write(ClockTimers.Count);
        foreach (var (clock, queue) in ClockTimers)
        {
            w.Write(clock);
            queue.Save(w);
        }
        w.Write(_timerSeq);
        SaveTotals(w);
        Idempotency.Save(w, out var complete);
        if (!complete) return false;
        w.Write(LastIdempotencyPurge);
        w.Write(Wanted.Count);
        foreach (var ordinal in Wanted) w.Write(ordinal);
        return true;
    }

    /// <summary>A tree as <see cref="SaveSnapshot"/> wrote it: every object on disk, none held in memory yet.</summary>
    /// <param name="times">Milliseconds spent on the map, the lists, the secondary indexes, the timers and the idempotent results, added to.</param>
    internal static AccountState LoadSnapshot(SnapshotSource source, StoreSchema schema, ObjectCache cache, long[] times)
    {
        var r = source.Reader;
        var watch = System.Diagnostics.Stopwatch.StartNew();
        void Lap(int part)
        {
            times[part] += watch.ElapsedMilliseconds;
            watch.Restart();
        }
        var state = new AccountState(r.ReadString(), schema, cache, source.Pages);
        for (var n = r.ReadInt32(); n > 0; n--) state.Members.Add(r.ReadString());
        state._clockOffset = r.ReadInt64();
        state._clockFrozenAt = r.ReadInt64();
        state.Objects = ObjectMap.Load(source); // left where it is in the mapped file: no time at start
        Lap(0);
        var types = new Dictionary<string, string>(StringComparer.Ordinal); // one string per owner and type, not one per list
        string Shared(string s) => types.TryGetValue(s, out var known) ? known : types[s] = s;
        for (var n = r.ReadInt32(); n > 0; n--)
        {
            var owner = Shared(r.ReadString());
            var type = Shared(r.ReadString());
            state.Lists[(owner, type)] = KeyIndex.Load(source);
        }
        Lap(1);
        state.Secondary = SecondaryKeys.Load(source);
        for (var n = r.ReadInt32(); n > 0; n--)
        {
            var owner = Shared(r.ReadString());
            var index = schema.Indexes[r.ReadInt32()];
            var keys = new SortedSet<string>(StringComparer.Ordinal);
            for (var k = r.ReadInt32(); k > 0; k--) keys.Add(r.ReadString());
            state._indexKeys[(owner, index)] = keys;
        }
        Lap(2);
        state.Timers = TimerHeap.Load(source); // left where it is in the mapped file, like the map
        for (var n = r.ReadInt32(); n > 0; n--)
        {
            var clock = r.ReadString();
            state.ClockTimers[clock] = TimerHeap.Load(source);
        }
        state._timerSeq = r.ReadInt64();
        state.LoadTotals(r);
        Lap(3);
        state.Idempotency = IdempotencyTable.Load(r);
        state.LastIdempotencyPurge = r.ReadInt64();
        for (var n = r.ReadInt32(); n > 0; n--) state.Wanted.Add(r.ReadInt32());
        Lap(4);
        return state;
    }
}
