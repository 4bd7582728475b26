using System.Threading.Channels;

namespace MockProcessor.Server.Webhooks;

/// <summary>A pending delivery's place in the due-queue: which account, which delivery, when (virtual Unix seconds).</summary>
public readonly record struct DueEntry(long Due, string AccountId, string DeliveryId);

/// <summary>
/// Pending webhook deliveries ordered by due time (virtual clock), holding ids only — the deliveries themselves
/// are stored objects. Every commit of a pending delivery pushes an entry, so a rescheduled delivery leaves a
/// stale entry behind; the dispatcher recognises and skips it (the delivery's <c>next_attempt_at</c> differs).
/// <see cref="Wake"/> is a one-slot signal: many pushes between two dispatcher passes cost one wake-up.
/// In replica mode the database's <c>webhook_due</c> table is the queue (docs/deploy.md): this one only holds the pending
/// deliveries loaded at start-up (for the table's backfill, <see cref="DrainAll"/>), and a commit of a delivery only wakes
/// the dispatcher.
/// </summary>
public sealed class WebhookDueQueue(Hosting.MockProcessorOptions options) : Storage.IStoreObserver
{
    private readonly bool _replica = options.Replica;

    // It observes the store: every pending delivery, as loaded at start-up and as committed once durable, is queued.
    private static readonly HashSet<string> Observed = new(StringComparer.Ordinal) { "webhook_delivery" };
    public IReadOnlySet<string> Types => Observed;
    public bool OncePerItem => true;

    public void Loaded(Storage.AccountState state, string id, long seq, Domain.Common.StripeObject? obj)
    {
        if (obj is not null) Queue(state, obj);
    }

    // A pending delivery is read whole at start-up; a finished one is not needed.
    public bool WantedAtStart(Domain.Common.StripeObject obj) => obj is Domain.Webhooks.WebhookDelivery { IsPending: true };

    public void Durable(Storage.AccountState state, IReadOnlyList<Storage.CommittedObject> objects)
    {
        if (_replica)
        {
            if (objects.Any(c => c.Obj is Domain.Webhooks.WebhookDelivery { IsPending: true })) Wake();
            return;
        }
        foreach (var c in objects) Queue(state, c.Obj);
    }

    private void Queue(Storage.AccountState state, Domain.Common.StripeObject obj)
    {
        if (obj is Domain.Webhooks.WebhookDelivery { IsPending: true, NextAttemptAt: { } due } d) Push(due, state.AccountId, d.Id);
    }

    private readonly Lock _gate = new();
    // One heap per merchant: due times are on each merchant's own clock, so they only compare within a merchant.
    private readonly Dictionary<string, PriorityQueue<DueEntry, (long Due, long Seq)>> _heaps = new(StringComparer.Ordinal);
    private readonly Channel<bool> _signal = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private long _seq;
    private int _count;

    public int Count { get { lock (_gate) return _count; } }

    public void Push(long due, string accountId, string deliveryId)
    {
        lock (_gate)
        {
            if (!_heaps.TryGetValue(accountId, out var heap)) _heaps[accountId] = heap = new();
            heap.Enqueue(new DueEntry(due, accountId, deliveryId), (due, ++_seq));
            _count++;
        }
        Wake();
    }

    /// <summary>
    /// An entry due on its merchant's clock (<paramref name="nowOf"/>), earliest first within a merchant; merchants
    /// are served in turn by their earliest due entry's insertion order.
    /// </summary>
    public bool TryPopDue(Func<string, long> nowOf, out DueEntry entry)
    {
        lock (_gate)
        {
            PriorityQueue<DueEntry, (long Due, long Seq)>? best = null;
            var bestSeq = long.MaxValue;
            foreach (var (accountId, heap) in _heaps)
            {
                if (heap.TryPeek(out _, out var key) && key.Due <= nowOf(accountId) && key.Seq < bestSeq)
                {
                    best = heap;
                    bestSeq = key.Seq;
                }
            }
            if (best is not null)
            {
                entry = best.Dequeue();
                _count--;
                return true;
            }
        }
        entry = default;
        return false;
    }

    /// <summary>Takes every entry, due or not (replica mode's start-up backfill).</summary>
    public List<DueEntry> DrainAll()
    {
        lock (_gate)
        {
            var all = _heaps.Values.SelectMany(h => h.UnorderedItems.Select(x => x.Element)).ToList();
            _heaps.Clear();
            _count = 0;
            return all;
        }
    }

    public bool HasDue(Func<string, long> nowOf)
    {
        lock (_gate)
            foreach (var (accountId, heap) in _heaps)
                if (heap.TryPeek(out _, out var key) && key.Due <= nowOf(accountId)) return true;
        return false;
    }

    public void Wake() => _signal.Writer.TryWrite(true);

    /// <summary>Waits for a wake-up or the timeout, whichever comes first.</summary>
    public async Task WaitAsync(TimeSpan timeout, CancellationToken ct)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout);
        try { await _signal.Reader.ReadAsync(cts.Token); }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested) { }
    }
}
