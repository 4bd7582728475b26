using MockProcessor.Domain.Common;

namespace MockProcessor.Server.Storage;

/// <summary>
/// One API call's unit of work on one account tree (a merchant and its Connect accounts, docs/connect.md), acting
/// as one account of it (<see cref="AccountId"/>). Reads see the call's own staged writes and only the acting
/// account's objects; nothing reaches the shared state until <see cref="Commit"/>, so a call that fails half-way
/// leaves no trace. <see cref="As"/> gives a view of the same unit of work acting as another account of the tree:
/// its writes commit together with this one's, in one durable batch.
/// </summary>
public sealed class Tx
{
    private readonly ObjectStore _store;
    private readonly AccountState _account;
    private readonly string _acting;
    private readonly Dictionary<string, StripeObject> _staged;
    private readonly List<string> _order;
    // Ids of the objects this call created (not yet in the list indexes), by type, in creation order.
    private readonly Dictionary<string, List<string>> _created;
    private readonly List<Row> _extraRows;
    // Every Put in order, so the time driver can find what one timer changed.
    private readonly List<string> _puts;
    // Ids of committed objects this call staged new versions of, by type: the only ones that can have moved into an
    // index key (Find), so a long unit of work (a year of billing in one clock advance) does not rescan all it staged.
    private readonly Dictionary<string, List<string>> _changed;
    // The objects this call created, under each key they have had in their type's secondary indexes, and each one's
    // place in creation order: Find reads the few created under its key instead of filtering all created of the type.
    // Most keys get one object in a call: its id is held inline, a list only from the second.
    private readonly Dictionary<(SecondaryIndex Index, string Key), CreatedIds> _createdByKey;
    private readonly Dictionary<string, int> _createdAt;
    // The parts committed before the end of the call (CommitPart), shared by every view.
    private readonly PartsSoFar _partsSoFar;

    private sealed class PartsSoFar
    {
        // The durable tasks of the parts not yet awaited by Commit.
        public readonly List<Task> Pending = [];
        // The rows of the parts not yet durable, oldest first (CommitPart serialises them for the writer while it waits).
        public readonly List<(Task Durable, List<Row> Rows)> NotDurable = [];
        public int Committed;
        // A compacting collection follows the last part (CompactHeapWhenDurable).
        public bool CompactHeap;
    }

    internal Tx(ObjectStore store, AccountState account, string? acting = null)
    {
        _store = store;
        _account = account;
        _acting = acting ?? account.AccountId;
        _staged = new(StringComparer.Ordinal);
        _order = [];
        _created = new(StringComparer.Ordinal);
        _extraRows = [];
        _puts = [];
        _changed = new(StringComparer.Ordinal);
        _createdByKey = [];
        _createdAt = new(StringComparer.Ordinal);
        _partsSoFar = new();
    }

    private Tx(Tx shared, string acting)
    {
        _store = shared._store;
        _account = shared._account;
        _acting = acting;
        _staged = shared._staged;
        _order = shared._order;
        _created = shared._created;
        _extraRows = shared._extraRows;
        _puts = shared._puts;
        _changed = shared._changed;
        _createdByKey = shared._createdByKey;
        _createdAt = shared._createdAt;
        _partsSoFar = shared._partsSoFar;
    }

    /// <summary>The acting account: the owner of what this view reads and creates.</summary>
    public string AccountId => _acting;
    internal AccountState Account => _account;

    /// <summary>The same unit of work acting as <paramref name="accountId"/>, which must belong to this tree.</summary>
    public Tx As(string accountId)
    {
        if (accountId == _acting) return this;
        if (!InTree(accountId)) throw new InvalidOperationException($"Account {accountId} is not in the tree of {_account.AccountId}.");
        return new Tx(this, accountId);
    }

    /// <summary>True if <paramref name="accountId"/> is this tree's merchant or one of its connected accounts (staged ones too).</summary>
    public bool InTree(string accountId) =>
        _account.Members.Contains(accountId)
        || _staged.TryGetValue(accountId, out var o) && o is Domain.Accounts.Account { Platform: { } p } && p == _account.AccountId;

    /// <summary>An object of the acting account; another account's object is as absent as an unknown id.</summary>
    public T? Get<T>(string id) where T : StripeObject =>
        GetInTree<T>(id) is { } obj && obj.AccountId == _acting ? obj : null;

    /// <summary>
    /// Any object of the tree, whoever owns it. Only for work that crosses accounts on purpose (a webhook delivery
    /// reading its connected account's event, a refund reversing a transfer): never for what a caller asked by id.
    /// </summary>
    internal T? GetInTree<T>(string id) where T : StripeObject
    {
        if (_staged.TryGetValue(id, out var staged)) return staged as T;
        return _account.Find(id) as T;
    }

    public void Put(StripeObject obj)
    {
        if (obj.AccountId != _acting && !(obj.AccountId == obj.Id && obj is Domain.Accounts.Account { Platform: { } p } && p == _account.AccountId)
            && !InTree(obj.AccountId))
            throw new InvalidOperationException($"Object {obj.Id} belongs to {obj.AccountId}, not to the tree of {_account.AccountId}.");
        if (!_staged.ContainsKey(obj.Id))
        {
            _order.Add(obj.Id);
            var committed = _account.Objects.ContainsKey(obj.Id);
            var byType = committed ? _changed : _created;
            if (!byType.TryGetValue(obj.ObjectType, out var ids)) byType[obj.ObjectType] = ids = [];
            ids.Add(obj.Id);
            if (!committed) _createdAt[obj.Id] = _createdAt.Count;
        }
        if (_createdAt.ContainsKey(obj.Id))
            foreach (var index in _account.Schema.IndexesOf(obj.ObjectType))
                if (index.KeyOf(obj) is { } key)
                {
                    ref var under = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_createdByKey, (index, key), out _);
                    under.Add(obj.Id);
                }
        _staged[obj.Id] = obj;
        _puts.Add(obj.Id);
    }

    internal void AddRow(Row row) => _extraRows.Add(row);

    /// <summary>
    /// The acting account's objects of one type, newest first: those this call created (not in the list index until
    /// it commits: the time driver's later work must see what earlier work booked, e.g. a payout run the funds a
    /// failed payout returned in the same advance), then the committed ones with this call's staged versions in place.
    /// A list cursor seeks into it (<see cref="Listing{T}"/>) instead of walking from the newest.
    /// </summary>
    public Listing<T> NewestFirst<T>(string objectType) where T : StripeObject =>
        new(this, objectType, _created.GetValueOrDefault(objectType), _account.List(_acting, objectType), null, seekable: true);

    /// <summary>
    /// The acting account's objects in a declared secondary index under <paramref name="key"/> (the refunds of one
    /// charge), newest first, with this call's writes seen: objects it created or moved into the key, and staged
    /// versions that moved out of it left out.
    /// </summary>
    public Listing<T> Find<T>(SecondaryIndex<T> index, string key) where T : StripeObject
    {
        _account.Schema.RequireDeclared(index);
        bool Matches(T o) => index.KeyOf(o) == key;
        // A committed object this call moved into the key is not in the committed index yet: scan the type's list.
        foreach (var id in _changed.GetValueOrDefault(index.Type) ?? [])
            if (_staged[id] is var obj && obj.AccountId == _acting && index.KeyOf(obj) == key
                && _account.Find(id) is { } committed && index.KeyOf(committed) != key)
                return new Listing<T>(this, index.Type, _created.GetValueOrDefault(index.Type), _account.List(_acting, index.Type), Matches, seekable: false);
        return new Listing<T>(this, index.Type, CreatedUnder(index, key), _account.Indexed(_acting, index, key), Matches, seekable: true);
    }

    /// <summary>
    /// False when <see cref="Find{T}"/> under <paramref name="key"/> would surely yield nothing: no object under the key
    /// committed, none this call filed under it, and no committed object of the index's type changed by this call (which
    /// could have moved in). Costs two map lookups and allocates nothing, for callers that ask on every event.
    /// </summary>
    public bool MayFind<T>(SecondaryIndex<T> index, string key) where T : StripeObject
    {
        _account.Schema.RequireDeclared(index);
        return _createdByKey.ContainsKey((index, key))
            || (_changed.TryGetValue(index.Type, out var changed) && changed.Count > 0)
            || _account.CountIndexed(_acting, index, key) > 0;
    }

    /// <summary>
    /// The keys under which the acting account has objects in <paramref name="index"/> (one that lists its keys:
    /// <see cref="SecondaryIndex.ListsKeys"/>), in ordinal order, this call's writes included. A key this call emptied may
    /// still be named: <see cref="Find{T}"/> under it then yields nothing.
    /// </summary>
    public IReadOnlyCollection<string> KeysOf(SecondaryIndex index)
    {
        _account.Schema.RequireDeclared(index);
        if (!index.ListsKeys) throw new InvalidOperationException($"The secondary index {index} does not list its keys.");
        var committed = _account.KeysOf(_acting, index);
        SortedSet<string>? keys = null;
        foreach (var id in (_created.GetValueOrDefault(index.Type) ?? []).Concat(_changed.GetValueOrDefault(index.Type) ?? []))
            if (_staged[id] is var obj && obj.AccountId == _acting && index.KeyOf(obj) is { } key && !committed.Contains(key))
                (keys ??= new SortedSet<string>(committed, StringComparer.Ordinal)).Add(key);
        return keys ?? [.. committed]; // a copy: running payouts moves transactions out of the keys
    }

    /// <summary>
    /// The acting account's running totals of <paramref name="total"/> (docs/storage.md, "Running totals"), this call's
    /// writes included: per group and order (ascending), the sum of the amounts and how many objects count towards it.
    /// </summary>
    public IReadOnlyList<(string Group, long Order, long Sum, long Count)> Totals(TotalIndex total)
    {
        var sums = new SortedDictionary<(string Group, long Order), (long Sum, long Count)>(
            Comparer<(string Group, long Order)>.Create((a, b) => string.CompareOrdinal(a.Group, b.Group) is var c && c != 0 ? c : a.Order.CompareTo(b.Order)));
        foreach (var (group, orders) in _account.TotalsOf(_acting, total))
            foreach (var (order, e) in orders) sums[(group, order)] = (e.Sum, e.Count);
        void Add(StripeObject obj, int sign)
        {
            if (obj.AccountId != _acting || total.Of(obj) is not { } c) return;
            var (sum, count) = sums.GetValueOrDefault((c.Group, c.Order));
            sums[(c.Group, c.Order)] = (checked(sum + sign * c.Amount), count + sign);
        }
        foreach (var id in _created.GetValueOrDefault(total.Type) ?? []) Add(_staged[id], 1);
        foreach (var id in _changed.GetValueOrDefault(total.Type) ?? [])
        {
            Add(_staged[id], 1);
            if (_account.Find(id) is { } committed) Add(committed, -1);
        }
        return sums.Where(kv => kv.Value.Count != 0).Select(kv => (kv.Key.Group, kv.Key.Order, kv.Value.Sum, kv.Value.Count)).ToList();
    }

    /// <summary>The objects this call created that have been under <paramref name="key"/>, in creation order (the listing rechecks the key).</summary>
    private List<string>? CreatedUnder(SecondaryIndex index, string key)
    {
        if (!_createdByKey.TryGetValue((index, key), out var ids)) return null;
        if (ids.More is null) return [ids.First!];
        var ordered = ids.More.Distinct(StringComparer.Ordinal).ToList();
        ordered.Sort((a, b) => _createdAt[a].CompareTo(_createdAt[b]));
        return ordered;
    }

    /// <summary><see cref="Find{T}"/> under <paramref name="key"/>, or the type's whole list when there is no key (an absent list filter).</summary>
    public Listing<T> FindOrAll<T>(SecondaryIndex<T> index, string? key) where T : StripeObject =>
        key is null ? NewestFirst<T>(index.Type) : Find(index, key);

    /// <summary>The committed list key of <paramref name="id"/> if it is a committed object of the acting account and type.</summary>
    internal ListKey? CommittedKey(string id, string objectType) =>
        _account.Objects.Find(id) is var ordinal && _account.TryGet(ordinal, out var obj, out var seq) && obj.ObjectType == objectType
        && obj.AccountId == _acting
            ? new ListKey(obj.Created, seq, ordinal) : null;

    /// <summary><see cref="Get{T}(string)"/> of the object a list or index key names (without making its id when nothing is staged).</summary>
    internal T? GetListed<T>(ListKey key) where T : StripeObject
    {
        if (_staged.Count > 0) return Get<T>(_account.IdOf(key));
        return _account.TryGet(key.Ordinal, out var obj, out _) && obj is T t && t.AccountId == _acting ? t : null;
    }

    /// <summary>The acting account's committed objects of one type in creation order (oldest first), with this call's staged versions in place.</summary>
    public IEnumerable<T> OldestFirst<T>(string objectType) where T : StripeObject
    {
        if (_account.List(_acting, objectType) is not { } list) yield break;
        foreach (var key in list.OldestFirst())
        {
            var obj = GetListed<T>(key);
            if (obj is not null) yield return obj;
        }
    }

    /// <summary>
    /// Up to <paramref name="max"/> of the acting account's objects of one type in creation order, from position
    /// <paramref name="from"/>; returns the position to continue from, or -1 at the end. For walks that release the
    /// merchant's lock between chunks: objects are appended in creation order, so positions stay put meanwhile
    /// (except when the clock was set back across a restart, which re-sorts the index).
    /// </summary>
    public int OldestFirstChunk<T>(string objectType, int from, int max, List<T> into) where T : StripeObject
    {
        if (_account.List(_acting, objectType) is not { } list) return -1;
        var end = Math.Min(list.Positions, from + max);
        for (var i = from; i < end; i++)
            if (GetListed<T>(list.KeyAt(i)) is { } obj) into.Add(obj);
        return end < list.Positions ? end : -1;
    }

    /// <summary>The creation time of the oldest object of a type, or null when there is none.</summary>
    public long? OldestCreated(string objectType) => _account.List(_acting, objectType)?.Oldest?.Created;

    internal int PutCount => _puts.Count;

    /// <summary>
    /// The objects put since <paramref name="mark"/> (a <see cref="PutCount"/>), each once, as they are now, in the order
    /// first put. The list is this unit of work's own and is refilled by the next call: read it before asking again.
    /// </summary>
    internal IReadOnlyList<StripeObject> PutSince(int mark)
    {
        // Asked after every timer that fires (tens of thousands in a year's advance): one set and one list, reused.
        var seen = _putSinceSeen ??= new HashSet<string>(StringComparer.Ordinal);
        var since = _putSince ??= [];
        seen.Clear();
        since.Clear();
        for (var i = mark; i < _puts.Count; i++)
            if (seen.Add(_puts[i])) since.Add(_staged[_puts[i]]);
        return since;
    }

    private HashSet<string>? _putSinceSeen;
    private List<StripeObject>? _putSince;

    /// <summary>
    /// Puts the object's next time-driven work (if any) on its clock's timer queue (the merchant's or a test clock's), and
    /// says how start-up finds that work again (<see cref="Time.TimerRegistry.Next(StripeObject, Func{string, StripeObject?}, out bool, out string?)"/>):
    /// hot, its row is read whole; a wait key, its row head holds it (<see cref="RowHead"/>).
    /// </summary>
    internal (bool Hot, string? Waits) ScheduleTimer(StripeObject obj)
    {
        if (_store.Timers is not { } timers) return default;
        var get = _getInTree ??= id => GetInTree<StripeObject>(id);
        if (timers.Next(obj, get, out var hot, out var waits) is { } next)
            _account.ScheduleTimer(obj.Id, next.Due, Time.TimerScope.TestClockOf(obj, get));
        return (hot, waits);
    }

    // One delegate per view for the timers' lookups (a long advance schedules hundreds of thousands of objects).
    private Func<string, StripeObject?>? _getInTree;

    public bool HasChanges => _staged.Count > 0 || _extraRows.Count > 0;

    /// <summary>Objects staged and not committed yet.</summary>
    internal int StagedCount => _staged.Count;

    /// <summary>
    /// Commits what is staged so far and goes on with the same unit of work: for the long work of a clock advance only
    /// (docs/time.md), whose later steps see the earlier ones as committed. Unlike the rest of a call, the parts already
    /// committed stay if the call fails later. <see cref="Commit"/> completes when every part is durable.
    /// </summary>
    internal void CommitPart()
    {
        if (!HasChanges) return;
        _partsSoFar.Pending.Add(CommitStaged());
        _partsSoFar.Committed++;
        // The parts' disk writes, which complete in commit order (not the observers' turns, which run on the pool this
        // thread is about to block a thread of).
        var notDurable = _partsSoFar.NotDurable;
        notDurable.RemoveAll(p => p.Durable.IsCompleted);
        if (_lastDisk is { IsCompleted: false } disk) notDurable.Add((disk, _lastRows ?? []));
        // The work waits while more than PartsAhead parts are not on disk yet: a version stays in memory until it is
        // durable (docs/storage.md, "Cold objects"), so a year of renewals running seconds ahead of the writer held them
        // all. A part that failed is reported by Commit, as before.
        if (notDurable.Count > PartsAhead)
        {
            var oldest = notDurable[^(PartsAhead + 1)].Durable;
            if (_store.AheadSerializer is { } serializer) SerializeAhead(notDurable, oldest, serializer);
            // Blocks without throwing (a failed part is Commit's to report) and without a kernel wait handle: the
            // IAsyncResult handle this used to wait on was one per wait, never disposed, closed later by the finalizer.
            oldest.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing).GetAwaiter().GetResult();
        }
    }

    /// <summary>
    /// Lends this thread to the writer while it waits for <paramref name="oldest"/>: serialises the object versions of the
    /// parts not yet on disk, from the newest back (the writer works from the oldest on), so the two meet instead of
    /// racing for the same rows. Events are left to the writer: an event may refer to a version row of its own batch,
    /// which only the writer knows (docs/storage.md). On 2 cores the writer was the advance's bottleneck (docs/performance.md).
    /// </summary>
    private static void SerializeAhead(List<(Task Durable, List<Row> Rows)> parts, Task oldest, RowSerializer serializer)
    {
        for (var p = parts.Count - 1; p >= 0; p--)
        {
            var rows = parts[p].Rows;
            for (var i = rows.Count - 1; i >= 0; i--)
            {
                if (oldest.IsCompleted) return;
                if (rows[i] is ObjectRow { Object: not Domain.Events.Event } row) row.SerializeAhead(serializer);
            }
        }
    }

    // The rows the last CommitStaged handed to the store, and the task of their disk write.
    private List<Row>? _lastRows;
    private Task? _lastDisk;

    /// <summary>How many committed parts of a long unit of work may wait for the disk at once (<see cref="CommitPart"/>).</summary>
    internal const int PartsAhead = 2;

    /// <summary>Applies the staged objects to memory and queues them for disk; the task completes when durable.</summary>
    public Task Commit()
    {
        var last = CommitStaged();
        if (_partsSoFar.Pending.Count == 0) return last;
        _partsSoFar.Pending.Add(last);
        var all = Task.WhenAll(_partsSoFar.Pending);
        _partsSoFar.Pending.Clear();
        return _partsSoFar.CompactHeap ? ThenCompactHeap(all, _store) : all;
    }

    /// <summary>Parts committed so far by this unit of work (<see cref="CommitPart"/>), over every view.</summary>
    internal int PartsCommitted => _partsSoFar.Committed;

    /// <summary>
    /// Asks for a compacting collection once <see cref="Commit"/> is durable, before the call answers: a long advance
    /// leaves the heap grown to its peak and mostly free (the versions it made left memory as they became durable), and
    /// the runtime keeps that memory unless a compaction hands it back (docs/time.md).
    /// </summary>
    internal void CompactHeapWhenDurable() => _partsSoFar.CompactHeap = true;

    private static async Task ThenCompactHeap(Task durable, ObjectStore store)
    {
        await durable.ConfigureAwait(false);
        System.Runtime.GCSettings.LargeObjectHeapCompactionMode = System.Runtime.GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        store.HeapCompacted();
    }

    private Task CommitStaged()
    {
        if (!HasChanges) return Task.CompletedTask;
        // Checked under the tree's lock, before anything is applied: the stop saves each tree under its lock after this.
        if (_store.Stopping) throw new InvalidOperationException("The store is shutting down.");
        // Replica mode: the tree's row lock is held (or taken now, refused if another replica wrote meanwhile) before
        // anything is applied to memory.
        if (_store.Replica is not null) _store.EnsureSession(_account);
        var rows = new List<Row>(_order.Count + _extraRows.Count);
        List<CommittedObject>? observed = null;
        foreach (var id in _order)
        {
            var obj = _staged[id];
            var ordinal = _account.Objects.Find(id); // -1: the tree has never named it (Apply interns it)
            var exists = _account.TryGet(ordinal, out var existing, out var existingSeq);
            var seq = exists ? existingSeq : _store.NextSeq();
            ordinal = _account.Apply(obj, seq, ordinal);
            _store.Applied(_account, exists ? existing : null, obj);
            if (_account.Schema.Observed(obj.ObjectType)) (observed ??= []).Add(new CommittedObject(obj, seq));
            var (hot, waits) = ScheduleTimer(obj);
            if (_store.Durable)
            {
                // Whether start-up must read the version whole (its row head, schema v7, which the writer makes).
                var row = new ObjectRow(obj, seq) { Hot = hot || _account.Schema.WantedAtStart(obj), Waits = waits };
                rows.Add(row);
                _account.Queue(row, ordinal);
            }
        }
        // Memory keeps what is in use: the oldest committed versions beyond the cache's limit leave it (docs/storage.md).
        _account.Cool();
        rows.AddRange(_extraRows);
        _staged.Clear();
        _order.Clear();
        _created.Clear();
        _changed.Clear();
        _createdByKey.Clear();
        _createdAt.Clear();
        _puts.Clear();
        _extraRows.Clear();
        var durable = _store.Persist(_account, rows);
        _lastRows = rows;
        _lastDisk = durable;
        if (_store.Replica is not null) _store.EndOneShot(_account);
        if (observed is not null)
        {
            // Observers hear of a change only once it is on disk (a webhook is never sent, an event never streamed, for a
            // change a crash could undo), and in commit order: disk commits complete on pool threads in any order, so
            // each notification waits for the tree's previous one (AccountState.ObserverTail; we hold the tree's lock).
            // The call answers only once its observers have heard: a caller that flushes webhooks or reads the event feed
            // right after an acknowledged write finds what that write made (file stores complete on a pool thread).
            var account = _account;
            var previous = account.ObserverTail;
            if (previous.IsCompleted && durable.IsCompleted)
            {
                if (durable.IsCompletedSuccessfully) Tell(account, observed);
            }
            else return account.ObserverTail = TellInOrder(previous, durable, account, observed);
        }
        return durable;
    }

    private static void Tell(AccountState account, List<CommittedObject> observed)
    {
        foreach (var o in account.Schema.Observers) o.Durable(account, observed);
    }

    /// <summary>Tells the observers once the tree's previous notification is done and this commit is durable; fails as the write did.</summary>
    private static async Task TellInOrder(Task previous, Task durable, AccountState account, List<CommittedObject> observed)
    {
        await previous.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await durable.ConfigureAwait(false); // a failed write is the call's failure, and nobody is told
        Tell(account, observed);
    }

    /// <summary>The ids created under one key in a call, in the order put (an id put again at once is not repeated).</summary>
    private struct CreatedIds
    {
        public string? First;
        public List<string>? More; // from the second id on: every id, the first included

        public void Add(string id)
        {
            if (First is null) { First = id; return; }
            if ((More is null ? First : More[^1]) == id) return;
            (More ??= [First]).Add(id);
        }
    }
}
