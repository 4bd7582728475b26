using MockProcessor.Domain.Common;

namespace MockProcessor.Server.Storage;

/// <summary>
/// A resource's secondary index, declared by the resource (listed in <c>Resources/Registry.Indexes</c>) and maintained
/// by the store: per owner, the objects of <see cref="Type"/> whose <see cref="KeyOf"/> is a given key, in list order
/// (refunds by charge, charges by PaymentIntent, events by type). An object whose key is null is not in the index; an
/// object whose key changes moves. Read through <see cref="Tx.Find{T}(SecondaryIndex{T}, string)"/>; see
/// docs/storage.md.
/// </summary>
public abstract class SecondaryIndex(string type, string name)
{
    public string Type { get; } = type;
    public string Name { get; } = name;

    /// <summary>
    /// Whether the store also keeps, per owner, the set of keys with objects under them (<see cref="Tx.KeysOf"/>): for an
    /// index whose keys a caller must enumerate (the currencies with unswept balance transactions). Off by default: most
    /// indexes have a key per object (events by object), and such a set would cost memory for nothing.
    /// </summary>
    public bool ListsKeys { get; init; }

    internal abstract string? KeyOf(StripeObject obj);
    public override string ToString() => $"{Type} by {Name}";
}

public sealed class SecondaryIndex<T>(string type, string name, Func<T, string?> key) : SecondaryIndex(type, name) where T : StripeObject
{
    internal override string? KeyOf(StripeObject obj) => obj is T t ? key(t) : null;
}

/// <summary>
/// A store-wide lookup, for callers that have a key but no merchant yet (an API key's hash, a PaymentIntent awaiting
/// 3-D Secure on a page without a key): key → the account tree and object. Keys are unique across the store; an object
/// whose key becomes null leaves the lookup.
/// </summary>
public abstract class LookupIndex(string type, string name)
{
    public string Type { get; } = type;
    public string Name { get; } = name;
    internal abstract string? KeyOf(StripeObject obj);
    public override string ToString() => $"{Type} by {Name} (lookup)";
}

public sealed class LookupIndex<T>(string type, string name, Func<T, string?> key) : LookupIndex(type, name) where T : StripeObject
{
    internal override string? KeyOf(StripeObject obj) => obj is T t ? key(t) : null;
}

/// <summary>
/// A running total over a type's objects, declared by the resource (listed in <c>Resources/Registry.Totals</c>) and kept
/// by the store: per owner and group, the sum of the objects' amounts by order (balance transactions' nets by currency
/// and <c>available_on</c>), so a caller that needs a sum over all of history (<c>GET /v1/balance</c>, a payout's
/// available funds) reads a few numbers instead of every object. An object whose contribution is null counts for
/// nothing; an object whose contribution changes moves. Read through <see cref="Tx.Totals"/>; see docs/storage.md,
/// "Running totals".
/// </summary>
public abstract class TotalIndex(string type, string name)
{
    public string Type { get; } = type;
    public string Name { get; } = name;
    internal abstract (string Group, long Order, long Amount)? Of(StripeObject obj);
    public override string ToString() => $"{Type} total {Name}";
}

public sealed class TotalIndex<T>(string type, string name, Func<T, (string Group, long Order, long Amount)?> of) : TotalIndex(type, name) where T : StripeObject
{
    internal override (string Group, long Order, long Amount)? Of(StripeObject obj) => obj is T t ? of(t) : null;
}

/// <summary>A committed object version and its store sequence (the position its object was first committed at).</summary>
public readonly record struct CommittedObject(StripeObject Obj, long Seq);

/// <summary>
/// Work that follows stored objects without being stored itself (the webhook due-queue, the event feed): told about
/// each object as loaded at start-up (in no particular order), and about each committed object of its
/// <see cref="Types"/> once that commit is durable. Commits of one account tree are told in commit order, each once;
/// a commit that failed to reach disk is never told. <see cref="Durable"/> may run under the tree's lock (when the
/// commit is already durable, e.g. <c>--in-memory</c>) or on a pool thread: it must be short and take no tree lock.
/// </summary>
public interface IStoreObserver
{
    IReadOnlySet<string> Types { get; }

    /// <summary>
    /// Told at start-up of each object of <see cref="Types"/>: <paramref name="obj"/> is the object when start-up read it
    /// whole (always for one that <see cref="WantedAtStart"/> when committed), else null (docs/storage.md, "Start-up from row heads").
    /// </summary>
    void Loaded(AccountState state, string id, long seq, StripeObject? obj);

    /// <summary>Whether start-up must read <paramref name="obj"/> whole to tell this observer of it (a pending webhook delivery).</summary>
    bool WantedAtStart(StripeObject obj) => false;
    void Durable(AccountState state, IReadOnlyList<CommittedObject> objects);

    /// <summary>
    /// Replica mode (docs/deploy.md): true for work done once per item (webhook deliveries), which only the replica that
    /// committed an object is told of; false for followers (the event feed), told of other replicas' commits as well.
    /// </summary>
    bool OncePerItem => false;

    /// <summary>
    /// Writes what this observer keeps, for the index snapshot of a clean stop (docs/storage.md, "Index snapshot at a
    /// clean stop"); false (writing nothing) for one that keeps nothing a start cannot rebuild from the objects it
    /// <see cref="WantedAtStart"/>: a start from the snapshot then tells it of those only, through <see cref="Loaded"/>.
    /// </summary>
    bool SaveSnapshot(BinaryWriter w) => false;

    /// <summary>
    /// Replaces what this observer keeps with what <see cref="SaveSnapshot"/> wrote, for the trees <paramref name="tree"/>
    /// names; all or nothing: an exception leaves it as it was.
    /// </summary>
    void RestoreSnapshot(SnapshotSource source, Func<string, AccountState?> tree) =>
        throw new NotSupportedException("This observer writes no snapshot.");
}

/// <summary>What the resources tell the store: stored types, secondary indexes, lookups, observers, timers.</summary>
public sealed class StoreSchema
{
    public StoreSchema(IReadOnlyDictionary<string, Type> persistedTypes, IEnumerable<SecondaryIndex> indexes,
        IEnumerable<LookupIndex> lookups, IEnumerable<IStoreObserver> observers, IEnumerable<TotalIndex>? totals = null)
    {
        var declared = (totals ?? []).ToList();
        Totals = declared;
        for (var i = 0; i < declared.Count; i++) _totalNumbers[declared[i]] = i;
        foreach (var dup in Totals.GroupBy(t => (t.Type, t.Name)).Where(g => g.Count() > 1))
            throw new InvalidOperationException($"Two totals are named {dup.Key.Type} total {dup.Key.Name}.");
        _totalsByType = Totals.GroupBy(t => t.Type).ToDictionary(g => g.Key, g => g.ToArray(), StringComparer.Ordinal);
        PersistedTypes = persistedTypes;
        var all = indexes.ToList();
        foreach (var dup in all.GroupBy(i => (i.Type, i.Name)).Where(g => g.Count() > 1))
            throw new InvalidOperationException($"Two secondary indexes are named {dup.Key.Type} by {dup.Key.Name}.");
        Indexes = all;
        for (var i = 0; i < all.Count; i++) _numbers[all[i]] = i;
        _indexesByType = all.GroupBy(i => i.Type).ToDictionary(g => g.Key, g => g.ToArray(), StringComparer.Ordinal);
        Lookups = lookups.ToList();
        _lookupsByType = Lookups.GroupBy(i => i.Type).ToDictionary(g => g.Key, g => g.ToArray(), StringComparer.Ordinal);
        _observers = observers.ToArray();
        _observed = Observers.SelectMany(o => o.Types).ToHashSet(StringComparer.Ordinal);
    }

    public IReadOnlyDictionary<string, Type> PersistedTypes { get; }
    public IReadOnlyList<SecondaryIndex> Indexes { get; }
    public IReadOnlyList<LookupIndex> Lookups { get; }
    public IReadOnlyList<TotalIndex> Totals { get; }
    private readonly Dictionary<string, TotalIndex[]> _totalsByType;
    private readonly Dictionary<TotalIndex, int> _totalNumbers = new(ReferenceEqualityComparer.Instance);
    /// <summary>The total's place in <see cref="Totals"/> (how the index snapshot names it).</summary>
    internal int TotalNumber(TotalIndex total) => _totalNumbers[total];
    internal TotalIndex[] TotalsOf(string type) => _totalsByType.GetValueOrDefault(type) ?? [];

    internal void RequireDeclared(TotalIndex total)
    {
        if (!TotalsOf(total.Type).Contains(total)) throw new InvalidOperationException($"The total {total} is not declared in Registry.Totals.");
    }
    public IReadOnlyList<IStoreObserver> Observers => _observers;
    private readonly IStoreObserver[] _observers; // enumerated per committed version: an array's loop boxes no enumerator

    private readonly Dictionary<string, SecondaryIndex[]> _indexesByType;
    private readonly Dictionary<SecondaryIndex, int> _numbers = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<string, LookupIndex[]> _lookupsByType;
    private readonly HashSet<string> _observed;

    /// <summary>The index's place in <see cref="Indexes"/>: how the in-memory index names it (<see cref="AccountState.Secondary"/>).</summary>
    internal int Number(SecondaryIndex index) =>
        _numbers.TryGetValue(index, out var n) ? n : throw new InvalidOperationException($"The secondary index {index} is not declared in Registry.Indexes.");

    internal SecondaryIndex[] IndexesOf(string type) => _indexesByType.GetValueOrDefault(type) ?? [];
    internal LookupIndex[] LookupsOf(string type) => _lookupsByType.GetValueOrDefault(type) ?? [];
    internal bool Observed(string type) => _observed.Contains(type);

    /// <summary>Whether an observer needs <paramref name="obj"/> whole at start-up (<see cref="IStoreObserver.WantedAtStart"/>).</summary>
    internal bool WantedAtStart(StripeObject obj)
    {
        if (!Observed(obj.ObjectType)) return false;
        foreach (var o in _observers)
            if (o.Types.Contains(obj.ObjectType) && o.WantedAtStart(obj)) return true;
        return false;
    }

    internal void RequireDeclared(SecondaryIndex index)
    {
        if (!IndexesOf(index.Type).Contains(index))
            throw new InvalidOperationException($"The secondary index {index} is not declared in Registry.Indexes.");
    }
}
