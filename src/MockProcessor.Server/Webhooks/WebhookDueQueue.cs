using System.Threading.Channels;

namespace MockProcessor.Server.Webhooks;

/// <summary>A pending delivery's place in the due-queue: which account, which delivery, when (virtual Unix seconds).</summary>
public readonly record struct DueEntry(long Due, string AccountId, string DeliveryId);

/// <summary>
/// Pending webhook deliveries ordered by due time (virtual clock), holding ids only — the deliveries themselves
/// are stored objects. Every commit of a pending delivery pushes an entry, so a rescheduled delivery leaves a
/// stale entry behind; the dispatcher recognises and skips it (the delivery's <c>next_attempt_at</c> differs).
/// <see cref="Wake"/> is a one-slot signal: many pushes between two dispatcher passes cost one wake-up.
/// </summary>
public sealed class WebhookDueQueue
{
    private readonly Lock _gate = new();
    private readonly PriorityQueue<DueEntry, (long Due, long Seq)> _heap = new();
    private readonly Channel<bool> _signal = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private long _seq;

    public int Count { get { lock (_gate) return _heap.Count; } }

    public void Push(long due, string accountId, string deliveryId)
    {
        lock (_gate) _heap.Enqueue(new DueEntry(due, accountId, deliveryId), (due, ++_seq));
        Wake();
    }

    /// <summary>The earliest entry due at or before <paramref name="now"/>, in due-time then insertion order.</summary>
    public bool TryPopDue(long now, out DueEntry entry)
    {
        lock (_gate)
        {
            if (_heap.TryPeek(out entry, out var key) && key.Due <= now)
            {
                _heap.Dequeue();
                return true;
            }
        }
        entry = default;
        return false;
    }

    public bool HasDue(long now)
    {
        lock (_gate) return _heap.TryPeek(out _, out var key) && key.Due <= now;
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
