using MockProcessor.Domain.Common;
using MockProcessor.Domain.Webhooks;
using MockProcessor.Server.Idempotency;

namespace MockProcessor.Server.Storage;

/// <summary>
/// One account tree's objects, list indexes and idempotency records: a merchant and its Connect accounts
/// (docs/connect.md). Guarded by <see cref="Gate"/>. <see cref="AccountId"/> is the merchant (the tree's root);
/// every object keeps its own owner, and lists are indexed per owner.
/// </summary>
public sealed class AccountState(string accountId)
{
    public string AccountId { get; } = accountId;
    public Lock Gate { get; } = new();

    /// <summary>The accounts of the tree: the merchant and its connected accounts.</summary>
    internal readonly HashSet<string> Members = new(StringComparer.Ordinal) { accountId };

    internal readonly ShardedMap<(StripeObject Obj, long Seq)> Objects = new();
    /// <summary>Per owner and object type: an account's list never walks another account's objects.</summary>
    internal readonly Dictionary<(string Owner, string Type), TypeIndex> Lists = new();
    internal readonly Dictionary<string, IdempotencyRecord> Idempotency = new(StringComparer.Ordinal);
    internal long LastIdempotencyPurge;

    // The merchant's clock, mirrored from its Account record so other threads (the webhook dispatcher, the
    // time driver) can read it without the lock. Written only under the lock, when the Account is applied.
    private long _clockOffset;
    private long _clockFrozenAt = long.MinValue;
    public long ClockOffset => Volatile.Read(ref _clockOffset);
    public long? ClockFrozenAt => Volatile.Read(ref _clockFrozenAt) is var f && f == long.MinValue ? null : f;

    /// <summary>Objects with time-driven work ahead (see Time/Timers.cs), by due time on the merchant's clock.</summary>
    internal readonly PriorityQueue<string, (long Due, long Seq)> Timers = new();
    /// <summary>
    /// Objects of test-clock customers, one queue per test clock: only that clock's advances fire them, at merchant
    /// time + the clock's <c>Advanced</c> (the due times are still on the merchant's scale).
    /// </summary>
    internal readonly Dictionary<string, PriorityQueue<string, (long Due, long Seq)>> ClockTimers = new(StringComparer.Ordinal);
    private long _timerSeq;

    /// <summary>The queue of <paramref name="testClock"/>, or the merchant's for null; null if the clock has none.</summary>
    internal PriorityQueue<string, (long Due, long Seq)>? TimerQueue(string? testClock) =>
        testClock is null ? Timers : ClockTimers.GetValueOrDefault(testClock);

    internal void ScheduleTimer(string objectId, long due, string? testClock = null)
    {
        var queue = testClock is null ? Timers
            : ClockTimers.TryGetValue(testClock, out var q) ? q : ClockTimers[testClock] = new();
        queue.Enqueue(objectId, (due, ++_timerSeq));
    }
    /// <summary>
    /// Automatic payout id → the balance transactions it settled (<c>PayoutRules.SettledBy</c>), so listing one payout's
    /// contents does not scan the whole ledger. A transaction joins once, when it is swept, and never leaves.
    /// </summary>
    internal readonly PayoutContentsIndex PayoutContents = new();
    /// <summary>Ids of the enabled, undeleted webhook endpoints: an account without any pays one Count check per event.</summary>
    internal readonly List<string> ActiveWebhookEndpoints = [];
    /// <summary>Event id → deliveries still pending (the event's <c>pending_webhooks</c>); events without any are absent.</summary>
    internal readonly Dictionary<string, int> PendingWebhooks = new(StringComparer.Ordinal);

    /// <summary>
    /// HTTP fault rules (POST /_mock/faults), in creation order; replaced whole under <see cref="Gate"/>, read
    /// without it for the one check a merchant without rules pays. Memory only: test set-up, not merchant data.
    /// </summary>
    internal volatile Domain.Faults.FaultRule[] FaultRules = [];

    public int PendingWebhooksOf(string eventId) => PendingWebhooks.GetValueOrDefault(eventId);

    internal IEnumerable<string> AllIds() => Lists.Values.SelectMany(l => l.NewestFirst()).Select(k => k.Id);

    internal TypeIndex? List(string owner, string type) => Lists.GetValueOrDefault((owner, type));

    public IEnumerable<(string Type, long Count)> CountsByType() =>
        Lists.GroupBy(kv => kv.Key.Type).Select(g => (g.Key, g.Sum(kv => (long)kv.Value.Count)));

    /// <summary>Applies a committed object; <paramref name="replaying"/> (start-up) defers list sorting to <see cref="FinishReplay"/>.</summary>
    internal void Apply(StripeObject obj, long seq, bool replaying = false)
    {
        if (obj is Domain.Accounts.Account a && a.Id == AccountId)
        {
            Volatile.Write(ref _clockOffset, a.ClockOffset);
            Volatile.Write(ref _clockFrozenAt, a.ClockFrozenAt ?? long.MinValue);
        }
        var isNew = !Objects.TryGetValue(obj.Id, out var old);
        if (obj is WebhookEndpoint or WebhookDelivery) IndexWebhooks(old.Obj, obj);
        if (obj is Domain.Balance.BalanceTransaction t && Domain.Payouts.PayoutRules.SettledBy(t) is { } payout
            && !(old.Obj is Domain.Balance.BalanceTransaction before && Domain.Payouts.PayoutRules.SettledBy(before) == payout))
            PayoutContents.Add(payout, new ListKey(t.Created, seq, t.Id));
        Objects[obj.Id] = (obj, seq);
        if (isNew)
        {
            if (obj is Domain.Accounts.Account { Platform: not null } connected) Members.Add(connected.Id);
            if (!Lists.TryGetValue((obj.AccountId, obj.ObjectType), out var list))
                Lists[(obj.AccountId, obj.ObjectType)] = list = new TypeIndex();
            list.Add(new ListKey(obj.Created, seq, obj.Id), deferSort: replaying);
        }
    }

    /// <summary>Ends start-up replay: lists that received keys out of creation order are sorted, once each.</summary>
    internal void FinishReplay()
    {
        foreach (var list in Lists.Values) list.SortDeferred();
    }

    private void IndexWebhooks(StripeObject? old, StripeObject obj)
    {
        switch (obj)
        {
            case WebhookEndpoint we:
                ActiveWebhookEndpoints.Remove(we.Id);
                if (we.Active) ActiveWebhookEndpoints.Add(we.Id);
                break;
            case WebhookDelivery d:
                var delta = (d.IsPending ? 1 : 0) - (old is WebhookDelivery { IsPending: true } ? 1 : 0);
                if (delta == 0) break;
                var n = PendingWebhooks.GetValueOrDefault(d.EventId) + delta;
                if (n > 0) PendingWebhooks[d.EventId] = n; else PendingWebhooks.Remove(d.EventId);
                break;
        }
    }
}

/// <summary>List order: newest first by creation second, then by insertion order, so output is deterministic.</summary>
internal readonly record struct ListKey(long Created, long Seq, string Id) : IComparable<ListKey>
{
    public int CompareTo(ListKey other)
    {
        var c = Created.CompareTo(other.Created);
        return c != 0 ? c : Seq.CompareTo(other.Seq);
    }
}

/// <summary>
/// One object type's ids in list order, as sorted 24-byte keys in chunks (a tree would cost a node object per
/// entry). Objects nearly always arrive in order, so adding is an append.
/// </summary>
internal sealed class TypeIndex
{
    // Fixed-size chunks: growing never copies the whole index (a 40 MB copy under the lock at a few million keys).
    private const int ChunkSize = 16_384;
    private readonly List<ListKey[]> _chunks = [];

    public int Count { get; private set; }

    private ListKey At(int i) => _chunks[i / ChunkSize][i % ChunkSize];

    // Set when keys were appended out of order with deferSort; SortDeferred puts them in order.
    private bool _unsorted;

    /// <summary>
    /// Adds a key in order. With <paramref name="deferSort"/> (start-up replay) an out-of-order key is appended
    /// anyway and <see cref="SortDeferred"/> sorts once at the end: a database written after the clock was set back
    /// can hold many such rows, and a rebuild for each would make loading quadratic.
    /// </summary>
    public void Add(ListKey key, bool deferSort = false)
    {
        var inOrder = Count == 0 || key.CompareTo(At(Count - 1)) >= 0;
        if (inOrder || deferSort)
        {
            _unsorted |= !inOrder;
            Append(key);
            return;
        }
        // Out of order at run time (the clock was set back across a restart): rare, so a rebuild is fine.
        var all = OldestFirst().ToList();
        var at = all.BinarySearch(key);
        all.Insert(at < 0 ? ~at : at, key);
        Rebuild(all);
    }

    /// <summary>Sorts the keys appended out of order during start-up replay, once.</summary>
    public void SortDeferred()
    {
        if (!_unsorted) return;
        var all = OldestFirst().ToList();
        all.Sort();
        Rebuild(all);
        _unsorted = false;
    }

    private void Append(ListKey key)
    {
        if (Count % ChunkSize == 0) _chunks.Add(new ListKey[ChunkSize]);
        _chunks[Count / ChunkSize][Count % ChunkSize] = key;
        Count++;
    }

    private void Rebuild(List<ListKey> ordered)
    {
        _chunks.Clear();
        Count = 0;
        foreach (var k in ordered) Append(k);
    }

    public IEnumerable<ListKey> OldestFirst()
    {
        for (var i = 0; i < Count; i++) yield return At(i);
    }

    public ListKey? Oldest => Count > 0 ? At(0) : null;

    /// <summary>The key at position <paramref name="i"/> in creation order (0 = oldest).</summary>
    public ListKey KeyAt(int i) => At(i);

    public IEnumerable<ListKey> NewestFirst()
    {
        for (var i = Count - 1; i >= 0; i--) yield return At(i);
    }
}

/// <summary>Payout id → its settled transactions' list keys, sorted newest first on the first read after a change.</summary>
internal sealed class PayoutContentsIndex
{
    private readonly Dictionary<string, (List<ListKey> Keys, bool Sorted)> _byPayout = new(StringComparer.Ordinal);

    public void Add(string payoutId, ListKey key)
    {
        if (!_byPayout.TryGetValue(payoutId, out var entry)) entry = ([], true);
        entry.Keys.Add(key);
        _byPayout[payoutId] = (entry.Keys, false);
    }

    /// <summary>The payout's keys newest first, from the one with id <paramref name="from"/> on when given and indexed.</summary>
    public IEnumerable<ListKey> NewestFirst(string payoutId, ListKey? from)
    {
        var keys = NewestFirst(payoutId);
        var start = 0;
        if (from is { } key && keys is List<ListKey> list)
        {
            var at = list.BinarySearch(key, NewestFirstOrder);
            if (at >= 0) start = at;
        }
        for (var i = start; i < keys.Count; i++) yield return keys[i];
    }

    private static readonly IComparer<ListKey> NewestFirstOrder = Comparer<ListKey>.Create((a, b) => b.CompareTo(a));

    public IReadOnlyList<ListKey> NewestFirst(string payoutId)
    {
        if (!_byPayout.TryGetValue(payoutId, out var entry)) return [];
        if (!entry.Sorted)
        {
            // Sweeps add newest first, a restart's replay oldest first: one sort per payout settles both.
            entry.Keys.Sort(NewestFirstOrder);
            _byPayout[payoutId] = (entry.Keys, true);
        }
        return entry.Keys;
    }
}
