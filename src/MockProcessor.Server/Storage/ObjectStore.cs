using System.Collections.Concurrent;
using System.Text.Json;
using MockProcessor.Domain.Accounts;
using MockProcessor.Domain.Common;
using MockProcessor.Server.Idempotency;

namespace MockProcessor.Server.Storage;

/// <summary>
/// All state, in memory, partitioned by merchant account; the durable store (<see cref="IDurableStore"/>, when there is
/// one) is its durable copy, written through <see cref="GroupCommit"/> and read back once at start-up. Reads and writes
/// of one account happen under that account's lock, inside a <see cref="Tx"/>. What the resources store, index and
/// observe comes from one <see cref="StoreSchema"/>: the store itself knows no resource (docs/storage.md).
/// </summary>
public sealed partial class ObjectStore : IAsyncDisposable
{
    /// <summary>Superseded versions deleted per compaction step: one step rides along with one group commit.</summary>
    internal const int CompactionStepSize = 20_000;

    private readonly ConcurrentDictionary<string, AccountState> _accounts = new(StringComparer.Ordinal);
    // Connected account id → its tree's state (the platform's): docs/connect.md.
    private readonly ConcurrentDictionary<string, AccountState> _connected = new(StringComparer.Ordinal);
    // Declared lookups: (index, key) → the tree root and object id.
    private readonly ConcurrentDictionary<(LookupIndex Index, string Key), (string Root, string Id)> _lookups = new();
    private readonly Lock _provisionGate = new();
    private readonly GroupCommit? _log;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _compaction = Task.CompletedTask;
    private readonly Microsoft.Extensions.Logging.ILogger _logger;
    private long _seq;
    private readonly ObjectCache? _cache;

    /// <summary>The bound on objects in memory (null: everything stays in memory, as with --in-memory).</summary>
    public ObjectCache? Cache => _cache;

    /// <summary>
    /// Whether idempotent results' bodies leave memory once written and are read back on replay: with the object cache,
    /// on a store that reads rows back (docs/storage.md, "Idempotent results on disk").
    /// </summary>
    internal bool IdempotencyBodiesOnDisk => _cache is not null;

    /// <summary>The compressed body of the idempotent result stored at <paramref name="position"/>; thread-safe.</summary>
    internal IdempotencyRow ReadIdempotencyResult(long position) => _backend!.ReadIdempotencyResult(position);

    private readonly JsonSerializerOptions _persistOptions;
    private readonly RowSerializer _rows;
    private readonly SnapshotConverter _snapshots;
    private readonly IDurableStore? _backend;

    public ObjectStore(StoreSchema schema, IDurableStore? backend, Microsoft.Extensions.Logging.ILogger log, Time.TimerRegistry? timers = null,
        long hotObjects = 0, ReplicaCoordinator? replica = null, bool indexSnapshot = false, bool indexPages = false)
    {
        _indexSnapshot = indexSnapshot;
        Replica = replica;
        // The tree versions before the load: what a replica reads is at least as new, and catching up from there
        // re-applies at most a few versions committed meanwhile (applying a version again changes nothing).
        var versions = replica?.Versions();
        Schema = schema;
        Timers = timers;
        _logger = log;
        _persistOptions = PersistenceFormat.Options(schema.PersistedTypes);
        _rows = new RowSerializer(_persistOptions, schema);
        _snapshots = _persistOptions.Converters.OfType<SnapshotConverter>().Single();
        // The HMAC key of idempotency fingerprints: the durable store's own, or this process's for --in-memory.
        FingerprintKey = backend?.FingerprintKey ?? System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);
        _backend = backend;
        if (backend is not null)
        {
            // An event's snapshot may be a reference to the version row it announced (docs/storage.md).
            if (backend.CanReadBack) _snapshots.ReadRow = position => Decode(backend.ReadAt(position));
            // ... also to a version an earlier batch wrote, whose place the version itself notes (StripeObject.StoredAt):
            // one process's store only, whose writer and start-up set those notes (a replica's rows come from others).
            _snapshots.ReferToStored = replica is null && backend.CanReadBack;
            // Memory holds at most hotObjects committed versions when the store can read them back (docs/storage.md).
            if (hotObjects > 0 && backend.CanReadBack)
                _cache = new ObjectCache(hotObjects, position => Decode(backend.ReadAt(position)));
            // The compact index in file pages, not managed arrays, when objects live on disk (docs/storage.md, "Index pages in a file").
            // A file system that cannot map a sparse file shared keeps the index in managed memory, as before.
            if (indexPages && _cache is not null && replica is null && backend.IndexPagesPath is { } pagesPath)
            {
                try { Pages = new IndexPages(pagesPath, openNow: true, keepFiles: indexSnapshot); }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException)
                {
                    Microsoft.Extensions.Logging.LoggerExtensions.LogWarning(log, ex, "Index pages unavailable beside {Path}; the index stays in managed memory", pagesPath);
                }
            }
            // A clean stop's snapshot of the index when it is current, else every row (docs/storage.md).
            var superseded = TryLoadSnapshot(backend) ?? Load(backend);
            Pages?.DeleteStrays(); // page files of a snapshot not used, or of a process that did not stop cleanly
            _superseded = superseded;
            _log = new GroupCommit(backend, _rows, log, Prepare);
            // Counted before the task starts, so a caller reading CompactionPending right after start-up sees the work.
            _compactionPending = superseded.Count;
            if (superseded.Count > 0) _compaction = Task.Run(() => CompactAsync(superseded));
        }
        if (versions is not null)
            foreach (var (tree, version) in versions)
                if (_accounts.TryGetValue(tree, out var state)) state.ReplicaVersion = version;
    }

    /// <summary>Where the trees' compact index keeps its large arrays (docs/storage.md, "Index pages in a file"), or null (managed arrays).</summary>
    internal IndexPages? Pages { get; }

    /// <summary>Replica mode's coordinator (docs/deploy.md), or null for one process.</summary>
    public ReplicaCoordinator? Replica { get; }

    public StoreSchema Schema { get; }
    public bool Durable => _log is not null;

    private long _heapCompactions;

    /// <summary>Compacting collections run at the end of long units of work (<see cref="Tx.CompactHeapWhenDurable"/>).</summary>
    internal long HeapCompactions => Interlocked.Read(ref _heapCompactions);

    internal void HeapCompacted() => Interlocked.Increment(ref _heapCompactions);

    /// <summary>The key idempotency fingerprints are HMACs under (docs/architecture.md, Secrets at rest).</summary>
    internal byte[] FingerprintKey { get; }

    public Time.TimerRegistry? Timers { get; }
    public long Commits => _log?.Commits ?? 0;

    /// <summary>Objects that start-up filed from their row heads without reading them (docs/storage.md, "Start-up from row heads").</summary>
    internal long FiledFromHeads { get; private set; }

    /// <summary>The store-wide lookups' entries (for tests and diagnostics).</summary>
    internal IEnumerable<KeyValuePair<(LookupIndex Index, string Key), (string Root, string Id)>> LookupEntries => _lookups;

    /// <summary>Superseded object versions still to be deleted by the background compaction (0 once done).</summary>
    public long CompactionPending => Interlocked.Read(ref _compactionPending);
    private long _compactionPending;

    /// <summary>The tree holding the object that <paramref name="index"/> files under <paramref name="key"/>, and its id.</summary>
    public (AccountState State, string Id)? Lookup(LookupIndex index, string key) =>
        _lookups.TryGetValue((index, key), out var e) && FindAccount(e.Root) is { } state ? (state, e.Id) : null;

    /// <summary>The tree state holding account <paramref name="id"/>: a merchant's own, or its platform's for a connected account.</summary>
    public AccountState? FindAccount(string id) => _accounts.GetValueOrDefault(id) ?? _connected.GetValueOrDefault(id);

    /// <summary>Every account tree (each merchant once).</summary>
    public IEnumerable<AccountState> Accounts => _accounts.Values;

    /// <summary>
    /// The tree holding object <paramref name="id"/> of type <paramref name="type"/>, for callers without a key (the 3-D
    /// Secure page): found through <paramref name="lookup"/> when it files the id, else by a scan of the accounts.
    /// </summary>
    public AccountState? FindTreeOf(string id, string type, LookupIndex? lookup = null)
    {
        CatchUpAll(); // replica mode: what another replica created or changed (hosted pages call this holding no lock)
        if (lookup is not null && Lookup(lookup, id) is { } found) return found.State;
        foreach (var state in _accounts.Values)
            lock (state.Gate)
                if (state.Find(id) is { } obj && obj.ObjectType == type) return state;
        return null;
    }

    /// <summary>Keeps the tree membership and the declared lookups current; called for every stored object version (commit and load).</summary>
    internal void Applied(AccountState state, StripeObject? before, StripeObject obj)
    {
        if (obj is Account { Platform: not null } a && a.Id != state.AccountId) _connected[a.Id] = state;
        foreach (var lookup in Schema.LookupsOf(obj.ObjectType))
        {
            var old = before is null ? null : lookup.KeyOf(before);
            var now = lookup.KeyOf(obj);
            if (old == now) continue;
            if (old is not null) _lookups.TryRemove((lookup, old), out _);
            if (now is not null) _lookups[(lookup, now)] = (state.AccountId, obj.Id);
        }
    }

    /// <summary>Registers a merchant created outside a key (onboarding): its state, committed by the caller.</summary>
    public AccountState AddMerchant(string accountId) => _accounts.GetOrAdd(accountId, id => new AccountState(id, Schema, _cache, Pages));

    /// <summary>Drops a merchant whose creation failed before anything was committed.</summary>
    public void ForgetEmptyMerchant(string accountId)
    {
        if (_accounts.TryGetValue(accountId, out var state) && state.Objects.Count == 0) _accounts.TryRemove(accountId, out _);
    }

    /// <summary>
    /// Returns the merchant found by <paramref name="lookup"/> under <paramref name="key"/>, or creates it (durably) with
    /// <paramref name="create"/>, whose account must be filed under that key.
    /// </summary>
    public async Task<AccountState> GetOrProvisionAsync(LookupIndex lookup, string key, Func<Account> create)
    {
        if (Lookup(lookup, key) is { } existing) return existing.State;
        if (Replica is not null) return await ProvisionReplicatedAsync(lookup, key, create);
        Task durable;
        AccountState state;
        lock (_provisionGate)
        {
            if (Lookup(lookup, key) is { } raced) return raced.State;
            var account = create();
            state = new AccountState(account.Id, Schema, _cache, Pages);
            _accounts[account.Id] = state;
            lock (state.Gate)
            {
                var tx = Begin(state);
                tx.Put(account);
                durable = tx.Commit();
            }
        }
        await durable;
        return state;
    }

    /// <summary>Starts a unit of work; the caller must hold <see cref="AccountState.Gate"/>.</summary>
    public Tx Begin(AccountState account) => new(this, account);

    /// <summary>Starts a unit of work on <paramref name="account"/>'s tree acting as <paramref name="acting"/>.</summary>
    public Tx Begin(AccountState account, string acting) => new(this, account, acting);

    internal long NextSeq() => Interlocked.Increment(ref _seq);

    internal Task Persist(AccountState account, IReadOnlyList<Row> rows)
    {
        if (Replica is null) return _log is null ? Task.CompletedTask : _log.Append(rows);
        // Replica mode: written into the tree's transaction (Tx.Commit opened or checked it), committed before the answer.
        try
        {
            account.ReplicaVersion = account.Session!.Commit(rows, _rows, account.FaultRulesChanged ? FaultRulesBytes(account) : null);
            return Task.CompletedTask;
        }
        catch (Exception ex)
        {
            // As with group commit, a failed commit leaves this replica's memory ahead of the database (docs/deploy.md).
            return Task.FromException(ex);
        }
    }

    /// <summary>
    /// The serializer a thread waiting for the writer may use to serialise object versions ahead of it
    /// (<see cref="Tx.CommitPart"/>); null unless the writer serialises rows as it writes them (SQLite; PostgreSQL
    /// serialises a batch before writing it, and replica mode commits in the call).
    /// </summary>
    internal RowSerializer? AheadSerializer => _log is not null && Replica is null && _backend?.NextPosition is not null ? _rows : null;

    /// <summary>
    /// Readies a batch's object rows for the backend. An event announcing a version the batch also writes (most do:
    /// events are most of what a renewal or a payment writes) refers to that version's position when the store plans
    /// positions (SQLite): the positions are planned here, and each row is serialised as the backend writes it, so its
    /// bytes die young instead of living through the batch (a clock advance's batches are thousands of rows; docs/performance.md).
    /// Otherwise (PostgreSQL) the event copies the version's bytes: objects are serialised here first, then events.
    /// The returned scope ends the batch's references once it is written.
    /// </summary>
    private IDisposable? Prepare(IReadOnlyList<ObjectRow> rows)
    {
        if (_backend?.NextPosition is { } first)
        {
            var refs = new Dictionary<StripeObject, long>(ReferenceEqualityComparer.Instance);
            for (var i = 0; i < rows.Count; i++)
            {
                rows[i].Planned = first + i; // every row, in write order: events take rowids too
                if (rows[i].Object is not Domain.Events.Event) refs[rows[i].Object] = rows[i].Planned;
            }
            _snapshots.Refs = refs;
            return new EndOfBatch(_snapshots);
        }
        var reuse = new Dictionary<StripeObject, byte[]>(ReferenceEqualityComparer.Instance);
        foreach (var r in rows)
            if (r.Object is not Domain.Events.Event) reuse[r.Object] = r.Data = _rows.ToArray(r.Object);
        _snapshots.Reuse = reuse;
        try
        {
            foreach (var r in rows)
                if (r.Object is Domain.Events.Event) r.Data = _rows.ToArray(r.Object);
        }
        finally { _snapshots.Reuse = null; }
        return null;
    }

    private sealed class EndOfBatch(SnapshotConverter snapshots) : IDisposable
    {
        public void Dispose() => snapshots.Refs = null;
    }

    private StripeObject Decode(StoredVersion v)
    {
        var obj = Schema.PersistedTypes.TryGetValue(v.Type, out var type)
            ? (StripeObject)JsonSerializer.Deserialize(v.Data, type, _persistOptions)!
            : throw new InvalidOperationException($"The database holds objects of type '{v.Type}' that this build does not know.");
        obj.StoredAt = v.Position; // read back from where it is: a later event may refer to it there
        return obj;
    }

    /// <summary>A current version met at start-up: its head, the object once decoded (null while not, or never), its keys if filed from its head.</summary>
    private readonly record struct LoadedVersion(StoredHead Head, StripeObject? Obj, RowHead.Keys Keys, string? Waits = null);

    /// <summary>Versions decoded together at start-up, in parallel.</summary>
    private const int LoadBatch = 4096;

    /// <summary>Replays the durable store into memory; returns the positions of the superseded object versions.</summary>
    private List<long> Load(IDurableStore backend)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        // Newest first: the first version met of each object is the current one; older ones are only noted for
        // compaction, their data neither read nor decoded. An object is known by its owner and id: ids are unique within
        // a tree (not across trees: a caller may choose a product's id), and an object's owner never changes. Decoding
        // runs on every core a batch at a time.
        var seen = new HashSet<(string Owner, string Id)>();
        var superseded = new List<long>();
        // Versions that events refer to stay, superseded or not (docs/storage.md, "Event snapshots by reference"): from
        // the rows' refs column (schema v7) and, for older rows, from decoding them.
        var referenced = new System.Collections.Concurrent.ConcurrentBag<long>();
        // With a cache, a current version whose head files it (schema v7) is not read: it stays on disk until asked for
        // (docs/storage.md, "Start-up from row heads"). Without one every object stays in memory: all are decoded.
        var fromHeads = _cache is not null;
        var current = new List<LoadedVersion>();
        var toDecode = new List<int>(LoadBatch); // the places in current of the versions being read whole
        bool Current(StoredHead h)
        {
            if (h.Refs is not null)
                foreach (var position in RowHead.Positions(h.Refs)) referenced.Add(position);
            if (!seen.Add((h.Account, h.Id)))
            {
                superseded.Add(h.Position);
                return false;
            }
            if (fromHeads && h.Head is { } head && h.Type != "account" && RowHead.TryReadCold(Schema, h.Type, head, out var keys, out var waits))
            {
                current.Add(new LoadedVersion(h, null, keys, waits));
                return false;
            }
            toDecode.Add(current.Count);
            current.Add(new LoadedVersion(h, null, default));
            return true;
        }
        _snapshots.Referenced = referenced;
        var batch = new List<StoredVersion>(LoadBatch);
        var decoded = new StripeObject[LoadBatch];
        void DecodeBatch()
        {
            foreach (var v in batch)
                if (!Schema.PersistedTypes.ContainsKey(v.Type))
                    throw new InvalidOperationException($"The database holds objects of type '{v.Type}' that this build does not know.");
            Parallel.For(0, batch.Count, i =>
            {
                decoded[i] = (StripeObject)JsonSerializer.Deserialize(batch[i].Data, Schema.PersistedTypes[batch[i].Type], _persistOptions)!;
                decoded[i].StoredAt = batch[i].Position;
            });
            for (var i = 0; i < batch.Count; i++) current[toDecode[i]] = current[toDecode[i]] with { Obj = decoded[i] };
            Array.Clear(decoded);
            batch.Clear();
            toDecode.Clear();
        }
        foreach (var v in backend.ReadObjectsNewestFirst(Current))
        {
            batch.Add(v);
            if (batch.Count == LoadBatch) DecodeBatch();
        }
        DecodeBatch();
        _snapshots.Referenced = null;
        if (!referenced.IsEmpty)
        {
            var keep = referenced.ToHashSet();
            superseded.RemoveAll(keep.Contains);
        }
        seen = null;
        var readMs = clock.ElapsedMilliseconds;
        // Accounts are always read whole: a connected account's objects go into its platform's tree (docs/connect.md).
        var platformOf = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (_, obj, _, _) in current)
            if (obj is Account { Platform: { } p } a) platformOf[a.Id] = p;
        // Applied oldest first, as committed: lists and indexes are appended in their order.
        var fromHeadsCount = 0;
        Dictionary<(AccountState Tree, int Ordinal), string>? waiting = null; // the wait keys of rows filed from heads
        for (var i = current.Count - 1; i >= 0; i--)
        {
            var (head, obj, keys, waits) = current[i];
            _seq = Math.Max(_seq, head.Seq);
            var state = _accounts.GetOrAdd(platformOf.GetValueOrDefault(head.Account) ?? head.Account, id => new AccountState(id, Schema, _cache, Pages));
            if (obj is not null)
            {
                state.Apply(obj, head.Seq);
                Applied(state, null, obj);
                continue;
            }
            var ordinal = state.ApplyHead(head, keys.Secondary);
            if (waits is not null) (waiting ??= [])[(state, ordinal)] = waits;
            var lookups = Schema.LookupsOf(head.Type);
            for (var l = 0; l < lookups.Length; l++)
                if (keys.Lookups[l] is { } key) _lookups[(lookups[l], key)] = (state.AccountId, head.Id);
            fromHeadsCount++;
        }
        var loaded = current.Count;
        FiledFromHeads = fromHeadsCount;
        // A head carries no amounts: the running totals are summed at their first read (docs/storage.md, "Running totals").
        if (fromHeadsCount > 0)
            foreach (var state in _accounts.Values) state.ForgetTotals();
        var fileMs = clock.ElapsedMilliseconds - readMs;
        // Each object read whole as it stands: its time-driven work is due again (or later) on its clock; one filed from its
        // head with a timer's wait key, on the merchant's clock at the time the key gives (IObjectTimer.WaitKey). Observers hear
        // of every object they follow, read whole or not (pending webhook deliveries of the previous run, one cut short
        // by kill -9 included, are read whole: IStoreObserver.WantedAtStart). In list order, as before heads.
        foreach (var state in _accounts.Values)
        {
            Func<string, StripeObject?> get = state.Find;
            foreach (var ((_, type), list) in state.Lists)
            {
                var observed = Schema.Observed(type);
                foreach (var key in list.NewestFirst())
                {
                    if (!state.Objects.TryGet(key.Ordinal, out var entry)) continue;
                    var (obj, seq, _) = entry;
                    if (obj is not null && Timers?.DueAt(obj, get) is { } at) state.ScheduleTimer(obj.Id, at, Time.TimerScope.TestClockOf(obj, get));
                    else if (obj is null && waiting is not null && waiting.TryGetValue((state, key.Ordinal), out var waits)
                             && Timers?.DueAtKey(type, waits, get) is { } due)
                        state.ScheduleTimer(state.IdOf(key), due, null);
                    if (!observed) continue;
                    var id = obj?.Id ?? state.IdOf(key);
                    foreach (var o in Schema.Observers)
                        if (o.Types.Contains(type)) o.Loaded(state, id, seq, obj);
                }
            }
        }
        // With a cache, what was decoded (for the indexes, timers and observers above) now leaves memory but the newest
        // versions up to the limit, oldest first.
        if (_cache is not null)
        {
            for (var i = current.Count - 1; i >= 0; i--)
            {
                var (head, obj, _, _) = current[i];
                if (obj is null) continue;
                var state = _accounts[platformOf.GetValueOrDefault(head.Account) ?? head.Account];
                state.Queue(new ObjectRow(obj, head.Seq) { Position = head.Position }, state.Objects.Find(obj.Id));
            }
            foreach (var state in _accounts.Values) state.Cool();
        }
        current = null;
        var scheduleMs = clock.ElapsedMilliseconds - readMs - fileMs;
        var results = 0;
        foreach (var r in IdempotencyBodiesOnDisk ? backend.ReadIdempotencyHeads() : backend.ReadIdempotency())
        {
            var state = _accounts.GetOrAdd(r.Account, id => new AccountState(id, Schema, _cache, Pages));
            if (r.Position > 0) state.Idempotency.AddStored(r.Key, r.Created, r.Position);
            else state.Idempotency.Add(r.Key, new IdempotencyRecord(r.Fingerprint, r.Status, r.Body, r.RequestId, r.Created));
            results++;
        }
        var idempotencyMs = clock.ElapsedMilliseconds - readMs - fileMs - scheduleMs;
        // Reading a long history leaves the heap grown to the load's peak and mostly free; the runtime keeps that memory
        // unless a compaction hands it back (100,000 payments: about 750 MB resident after start-up without, 610 MB with it).
        var compactMs = 0L;
        if (loaded >= CompactAfterLoading)
        {
            System.Runtime.GCSettings.LargeObjectHeapCompactionMode = System.Runtime.GCLargeObjectHeapCompactionMode.CompactOnce;
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
            HeapCompacted();
            compactMs = clock.ElapsedMilliseconds - readMs - fileMs - scheduleMs - idempotencyMs;
        }
        LogLoaded(_logger, loaded, fromHeadsCount, superseded.Count, results, clock.ElapsedMilliseconds, readMs, fileMs, scheduleMs,
            idempotencyMs, compactMs);
        return superseded;
    }

    [Microsoft.Extensions.Logging.LoggerMessage(EventId = 10, Level = Microsoft.Extensions.Logging.LogLevel.Information,
        Message = "Loaded {Objects} objects ({FromHeads} filed from their row heads unread, {Superseded} superseded versions left to compact) and {Results} idempotent results in {TotalMs} ms: " +
                  "reading rows (and decoding those read whole) {ReadMs} ms, filing {FileMs} ms, timers and observers {ScheduleMs} ms, idempotency {IdempotencyMs} ms, " +
                  "handing the load's garbage back {CompactMs} ms")]
    private static partial void LogLoaded(Microsoft.Extensions.Logging.ILogger log, int objects, int fromHeads, int superseded, int results, long totalMs,
        long readMs, long fileMs, long scheduleMs, long idempotencyMs, long compactMs);

    /// <summary>Objects loaded at start-up from which on the heap is compacted after loading (a small store's start stays quick).</summary>
    private const int CompactAfterLoading = 100_000;

    /// <summary>
    /// Deletes the object versions that start-up found superseded, a step at a time through the group commit, while the
    /// emulator serves: start-up never waits for it, and each step shares a commit with the requests of its moment.
    /// </summary>
    private async Task CompactAsync(List<long> superseded)
    {
        try
        {
            for (var at = 0; at < superseded.Count && !_stop.IsCancellationRequested; at += CompactionStepSize)
            {
                var step = superseded.GetRange(at, Math.Min(CompactionStepSize, superseded.Count - at));
                await _log!.Append([new CompactionStep(step)]);
                Interlocked.Add(ref _compactionPending, -step.Count);
                Volatile.Write(ref _compactedTo, at + step.Count);
            }
        }
        catch (Exception ex) when (_stop.IsCancellationRequested || ex is InvalidOperationException)
        {
            // Shutting down: the rest is compacted at the next start.
        }
        catch (Exception ex)
        {
            Microsoft.Extensions.Logging.LoggerExtensions.LogWarning(_logger, ex, "Background compaction stopped; it resumes at the next start");
        }
    }

    /// <summary>
    /// Set as the store starts to stop: a unit of work then applies nothing (<see cref="Tx.Commit"/> throws), so memory
    /// cannot run ahead of the database after the group commit stops taking rows, into an index snapshot (which refers to
    /// the index pages' files, where a later change would land too: docs/storage.md, "The snapshot refers to the pages").
    /// </summary>
    internal bool Stopping => Volatile.Read(ref _stopping);
    private bool _stopping;

    public async ValueTask DisposeAsync()
    {
        Volatile.Write(ref _stopping, true);
        await _stop.CancelAsync();
        await _compaction;
        if (_log is not null)
        {
            await _log.DrainAsync();
            await SaveSnapshotAsync();
            await _log.DisposeAsync();
        }
        Pages?.Dispose();
        Replica?.Dispose();
    }
}
