using MockProcessor.Domain.Common;
using MockProcessor.Server.Idempotency;

namespace MockProcessor.Server.Storage;

/// <summary>
/// One account tree's objects, list indexes, secondary indexes and idempotency records: a merchant and its Connect
/// accounts (docs/connect.md). Guarded by <see cref="Gate"/>. <see cref="AccountId"/> is the merchant (the tree's
/// root); every object keeps its own owner, and lists and secondary indexes are kept per owner.
/// </summary>
public sealed partial class AccountState(string accountId, StoreSchema schema, ObjectCache? cache = null, IndexPages? pages = null)
{
    public string AccountId { get; } = accountId;

    /// <summary>
    /// What of the tree's index is in memory now, by part, for the parts kept in a file mapping (index pages or a mapped
    /// snapshot): a diagnostic (<c>GET /_mock/stats?resident=true</c>) of which parts stay resident. Under <see cref="Gate"/>.
    /// </summary>
    internal IEnumerable<(string Part, long Bytes)> Resident()
    {
        foreach (var part in Objects.Resident()) yield return part;
        foreach (var part in Secondary.Resident()) yield return part;
        yield return ("lists", Lists.Values.Sum(l => l.Resident()));
        yield return ("timers", Timers.Resident() + ClockTimers.Values.Sum(t => t.Resident()));
    }

    /// <summary>Where the tree's compact index keeps its large arrays: a file store's index pages, or null (managed arrays).</summary>
    internal IndexPages? Pages { get; } = pages;
    internal StoreSchema Schema { get; } = schema;
    public Lock Gate { get; } = new();

    /// <summary>The accounts of the tree: the merchant and its connected accounts.</summary>
    internal readonly HashSet<string> Members = new(StringComparer.Ordinal) { accountId };

    /// <summary>
    /// Each object's current version and list sequence, and the strings list and index keys name by ordinal (owners,
    /// index keys). With an <see cref="ObjectCache"/>, a version dropped from memory has <c>Obj</c> null and its stored
    /// <c>Position</c>: read objects through <see cref="TryGet(string, out StripeObject, out long)"/>, never from here.
    /// </summary>
    internal ObjectMap Objects = new(holdsAll: cache is null, pages: pages); // replaced whole by a start from the index snapshot
    /// <summary>This tree's committed versions held in memory, oldest first (<see cref="ObjectCache"/>).</summary>
    internal readonly Queue<ObjectRow> Cooling = new();
    /// <summary>Versions read while new, kept on (oldest first); one read again while kept goes round once more.</summary>
    internal readonly Queue<ObjectRow> Kept = new();
    /// <summary>Per owner and object type: an account's list never walks another account's objects.</summary>
    internal readonly Dictionary<(string Owner, string Type), KeyIndex> Lists = new();
    /// <summary>
    /// Per owner, declared secondary index (its number in the schema) and key, owner and key by ordinal in
    /// <see cref="Objects"/> (docs/storage.md); an entry that empties is dropped.
    /// </summary>
    internal SecondaryKeys Secondary = new(pages);
    /// <summary>Per owner and secondary index that lists its keys (<see cref="SecondaryIndex.ListsKeys"/>): the keys with objects.</summary>
    private readonly Dictionary<(string Owner, SecondaryIndex Index), SortedSet<string>> _indexKeys = new();
    /// <summary>Stored idempotent results by key; compact (on disk but for a hash, time and position) with an object cache.</summary>
    internal IdempotencyTable Idempotency = new(compact: cache is not null);
    /// <summary>
    /// The last commit's observer notification (<see cref="Tx.Commit"/>): each waits for the one before, so observers
    /// hear of this tree's commits in commit order even when their disk commits complete on different threads.
    /// </summary>
    internal Task ObserverTail = Task.CompletedTask;
    internal long LastIdempotencyPurge;

    // Replica mode (ReplicaCoordinator): calls on this tree queue here, in process, before taking the tree's row lock in
    // the database; ReplicaVersion is the tree version this replica's memory reflects (read and written under Gate);
    // Session is the transaction of the call holding ReplicaGate, into which Tx.Commit writes.
    internal readonly SemaphoreSlim ReplicaGate = new(1, 1);
    internal long ReplicaVersion;
    internal TreeSession? Session;
    internal bool SessionOneShot;

    // The merchant's clock, mirrored from its Account record so other threads (the webhook dispatcher, the
    // time driver) can read it without the lock. Written only under the lock, when the Account is applied.
    private long _clockOffset;
    private long _clockFrozenAt = long.MinValue;
    public long ClockOffset => Volatile.Read(ref _clockOffset);
    public long? ClockFrozenAt => Volatile.Read(ref _clockFrozenAt) is var f && f == long.MinValue ? null : f;

    /// <summary>
    /// Objects with time-driven work ahead (see Time/Timers.cs), by due time on the merchant's clock; each by its ordinal in
    /// <see cref="Objects"/> (<see cref="TimerId"/> names it), not a string: a million unswept balance transactions wait in
    /// here, a heap of plain entries in chunks (on the index pages with a file store) that the index snapshot writes and
    /// a start uses as they are.
    /// </summary>
    internal TimerHeap Timers = new(pages); // replaced whole by a start from the index snapshot
    /// <summary>
    /// Objects of test-clock customers, one queue per test clock: only that clock's advances fire them, at merchant
    /// time + the clock's <c>Advanced</c> (the due times are still on the merchant's scale).
    /// </summary>
    internal readonly Dictionary<string, TimerHeap> ClockTimers = new(StringComparer.Ordinal);
    private long _timerSeq;

    /// <summary>The queue of <paramref name="testClock"/>, or the merchant's for null; null if the clock has none.</summary>
    internal TimerHeap? TimerQueue(string? testClock) =>
        testClock is null ? Timers : ClockTimers.GetValueOrDefault(testClock);

    /// <summary>The id of the object a timer's entry names.</summary>
    internal string TimerId(int ordinal) => Objects.Name(ordinal);

    internal void ScheduleTimer(string objectId, long due, string? testClock = null)
    {
        var queue = testClock is null ? Timers
            : ClockTimers.TryGetValue(testClock, out var q) ? q : ClockTimers[testClock] = new(Pages);
        queue.Enqueue(Objects.Intern(objectId), (due, ++_timerSeq));
    }
    /// <summary>
    /// HTTP fault rules (POST /_mock/faults), in creation order; replaced whole under <see cref="Gate"/> (through
    /// <see cref="SetFaultRules"/>), read without it for the one check a merchant without rules pays. Memory only for one
    /// process (test set-up, not merchant data); in replica mode also the tree's <c>fault_rules</c> row (docs/deploy.md).
    /// </summary>
    internal volatile Domain.Faults.FaultRule[] FaultRules = [];
    /// <summary>Replica mode: <see cref="FaultRules"/> changed in this call and is not in the database yet (written with the call's commit).</summary>
    internal bool FaultRulesChanged;

    /// <summary>Replaces the rules (under <see cref="Gate"/>); in replica mode the call's commit writes them.</summary>
    internal void SetFaultRules(Domain.Faults.FaultRule[] rules)
    {
        if (ReferenceEquals(rules, FaultRules)) return;
        FaultRules = rules;
        FaultRulesChanged = true;
    }

    /// <summary>The current version of object <paramref name="id"/>, loaded back from the store if it was dropped from memory.</summary>
    internal bool TryGet(string id, out StripeObject obj, out long seq) => TryGet(Objects.Find(id), out obj, out seq);

    /// <summary>The current version of the object numbered <paramref name="ordinal"/> in <see cref="Objects"/> (a list key's).</summary>
    internal bool TryGet(int ordinal, out StripeObject obj, out long seq)
    {
        if (!Objects.TryGet(ordinal, out var e))
        {
            obj = null!;
            seq = 0;
            return false;
        }
        seq = e.Seq;
        if (e.Obj is not null) Objects.Touch(ordinal);
        obj = e.Obj ?? Warm(ordinal, e.Seq, e.Position);
        return true;
    }

    internal StripeObject? Find(string id) => TryGet(id, out var obj, out _) ? obj : null;

    /// <summary>The id of the object a list or index key names.</summary>
    internal string IdOf(ListKey key) => Objects.Name(key.Ordinal);

    private StripeObject Warm(int ordinal, long seq, long position)
    {
        var obj = cache!.Load(position);
        Objects.Set(ordinal, obj, seq, 0);
        Queue(new ObjectRow(obj, seq) { Position = position }, ordinal);
        return obj;
    }

    /// <summary>Queues a committed version as the newest held in memory (no-op without a cache).</summary>
    internal void Queue(ObjectRow row, int ordinal)
    {
        if (cache is null) return;
        row.Ordinal = ordinal;
        Cooling.Enqueue(row);
        cache.Added(1);
    }

    /// <summary>
    /// While the cache is over its limit, drops this tree's oldest queued versions that are durable: an object whose
    /// current version is the dropped one keeps only its position. Stops at the first version not yet committed to disk.
    /// The caller holds <see cref="Gate"/>.
    /// </summary>
    internal void Cool()
    {
        if (cache is null) return;
        var steps = 0;
        // New versions past their share: one read meanwhile is kept on, the others leave memory.
        while ((cache.NewOver || cache.Over) && Cooling.TryPeek(out var row))
        {
            if (row.Position == 0) break;
            Cooling.Dequeue();
            var current = Current(row, out var ordinal, out var seq);
            if (current && Objects.TakeTouched(ordinal))
            {
                Kept.Enqueue(row);
                cache.AddedKept(1);
            }
            else Drop(row, current, ordinal, seq);
            if (++steps == 100_000) return; // a bounded pause per commit; the next commit goes on
        }
        // Kept versions past theirs: one read again since it was kept goes round once more.
        var rounds = Kept.Count;
        while ((cache.KeptOver || cache.Over) && rounds-- > 0 && Kept.TryDequeue(out var row))
        {
            cache.AddedKept(-1);
            var current = Current(row, out var ordinal, out var seq);
            if (current && Objects.TakeTouched(ordinal) && !cache.Over)
            {
                Kept.Enqueue(row);
                cache.AddedKept(1);
            }
            else Drop(row, current, ordinal, seq);
            if (++steps == 100_000) return;
        }
    }

    /// <summary>Whether <paramref name="row"/> is its object's current version, held in memory.</summary>
    private bool Current(ObjectRow row, out int ordinal, out long seq)
    {
        ordinal = row.Ordinal;
        var current = Objects.TryGet(ordinal, out var e) && ReferenceEquals(e.Obj, row.Object);
        seq = e.Seq;
        return current;
    }

    /// <summary>A queued version leaves the queues; if it is still its object's current one, memory keeps only its position.</summary>
    private void Drop(ObjectRow row, bool current, int ordinal, long seq)
    {
        cache!.Added(-1);
        if (current) Objects.Set(ordinal, null, seq, row.Position);
    }

    internal IEnumerable<string> AllIds() => Lists.Values.SelectMany(l => l.NewestFirst()).Select(IdOf);

    internal KeyIndex? List(string owner, string type) => Lists.GetValueOrDefault((owner, type));

    internal KeyIndex? Indexed(string owner, SecondaryIndex index, string key) => EntryOf(owner, index, key) is { } e ? Secondary.Get(e) : null;

    internal int CountIndexed(string owner, SecondaryIndex index, string key) => EntryOf(owner, index, key) is { } e ? Secondary.CountOf(e) : 0;

    /// <summary>The entry of <see cref="Secondary"/> for a key, or null when the owner or the key was never filed.</summary>
    private (int Owner, int Index, int Key)? EntryOf(string owner, SecondaryIndex index, string key) =>
        Objects.Find(owner) is var o && o >= 0 && Objects.Find(key) is var k && k >= 0 ? (o, Schema.Number(index), k) : null;

    /// <summary>The keys with objects of <paramref name="owner"/> in <paramref name="index"/>, in ordinal order (an index that lists its keys).</summary>
    internal IReadOnlyCollection<string> KeysOf(string owner, SecondaryIndex index) =>
        _indexKeys.GetValueOrDefault((owner, index)) ?? (IReadOnlyCollection<string>)[];

    // The last owner interned: a tree has a handful of owners, and every filing names one.
    private string? _lastOwner;
    private int _lastOwnerOrdinal;

    private int OwnerOrdinal(string owner)
    {
        if (!ReferenceEquals(owner, _lastOwner) && owner != _lastOwner) (_lastOwner, _lastOwnerOrdinal) = (owner, Objects.Intern(owner));
        return _lastOwnerOrdinal;
    }

    /// <summary>Adds a new object's key to its owner's list of its type.</summary>
    private void AddToList(string owner, string type, ListKey key)
    {
        if (!Lists.TryGetValue((owner, type), out var list)) Lists[(owner, type)] = list = new KeyIndex(Pages);
        list.Add(key);
    }

    /// <summary>Files <paramref name="at"/> under <paramref name="key"/> in <paramref name="index"/>.</summary>
    private void File(string owner, SecondaryIndex index, string key, ListKey at)
    {
        if (!Secondary.Add((OwnerOrdinal(owner), Schema.Number(index), Objects.Intern(key)), at) || !index.ListsKeys) return;
        if (!_indexKeys.TryGetValue((owner, index), out var keys)) _indexKeys[(owner, index)] = keys = new(StringComparer.Ordinal);
        keys.Add(key);
    }

    /// <summary>Takes <paramref name="at"/> out of <paramref name="key"/> in <paramref name="index"/>; a key left empty is dropped.</summary>
    private void Unfile(string owner, SecondaryIndex index, string key, ListKey at)
    {
        if (EntryOf(owner, index, key) is not { } entry || !Secondary.Remove(entry, at)) return;
        if (index.ListsKeys && _indexKeys.TryGetValue((owner, index), out var keys) && keys.Remove(key) && keys.Count == 0)
            _indexKeys.Remove((owner, index));
    }

    /// <summary>
    /// How many objects of <paramref name="owner"/> and of the tree's merchant are in <paramref name="index"/> under
    /// <paramref name="key"/> (an event's deliveries belong to its own account or, for a connected account's event, to
    /// the platform's connect endpoints): two lookups, however many connected accounts the tree has.
    /// </summary>
    public int CountWithMerchant(string owner, SecondaryIndex index, string key) =>
        CountIndexed(owner, index, key) + (owner == AccountId ? 0 : CountIndexed(AccountId, index, key));

    public IEnumerable<(string Type, long Count)> CountsByType() =>
        Lists.GroupBy(kv => kv.Key.Type).Select(g => (g.Key, g.Sum(kv => (long)kv.Value.Count)));

    /// <summary>
    /// Files an object at start-up from its row head without reading it (<see cref="RowHead"/>): in memory only its
    /// position, in its list, and in the secondary indexes under <paramref name="keys"/> (the type's, in declaration order).
    /// </summary>
    internal int ApplyHead(StoredHead head, string?[] keys)
    {
        var ordinal = Objects.Set(head.Id, null, head.Seq, head.Position);
        var key = new ListKey(head.Created, head.Seq, ordinal);
        AddToList(head.Account, head.Type, key);
        var indexes = Schema.IndexesOf(head.Type);
        for (var i = 0; i < indexes.Length; i++)
            if (keys[i] is { } k) File(head.Account, indexes[i], k, key);
        return ordinal;
    }

    /// <summary>Applies a committed object (at run time or in start-up replay) to the objects, lists and secondary indexes.</summary>
    internal int Apply(StripeObject obj, long seq, int ordinal = -1)
    {
        if (obj is Domain.Accounts.Account a && a.Id == AccountId)
        {
            Volatile.Write(ref _clockOffset, a.ClockOffset);
            Volatile.Write(ref _clockFrozenAt, a.ClockFrozenAt ?? long.MinValue);
        }
        // The old version only matters for the type's secondary indexes and totals: one dropped from memory is read back only then.
        if (ordinal < 0) ordinal = Objects.Intern(obj.Id);
        var isNew = !Objects.TryGet(ordinal, out var entry);
        var indexes = Schema.IndexesOf(obj.ObjectType);
        var totals = Schema.TotalsOf(obj.ObjectType);
        var old = isNew || indexes.Length == 0 && (totals.Length == 0 || !TotalsKnown) ? null : entry.Obj ?? cache!.Load(entry.Position);
        Objects.Set(ordinal, obj, seq, 0);
        if (Schema.WantedAtStart(obj)) Wanted.Add(ordinal);
        else if (Wanted.Count > 0) Wanted.Remove(ordinal);
        var key = new ListKey(obj.Created, seq, ordinal);
        if (!isNew) Updates++;
        else
        {
            if (obj is Domain.Accounts.Account { Platform: not null } connected) Members.Add(connected.Id);
            AddToList(obj.AccountId, obj.ObjectType, key);
        }
        if (totals.Length > 0) ApplyTotals(old, obj, totals);
        foreach (var index in indexes)
        {
            var before = isNew ? null : index.KeyOf(old!);
            var after = index.KeyOf(obj);
            if (before == after) continue;
            if (before is not null) Unfile(obj.AccountId, index, before, key);
            if (after is not null) File(obj.AccountId, index, after, key);
        }
        return ordinal;
    }
}
