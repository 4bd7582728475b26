using MockProcessor.Domain.Common;

namespace MockProcessor.Server.Storage;

/// <summary>
/// The bound on objects held in memory when the durable store can read versions back (docs/storage.md, "Cold objects").
/// Each tree queues its committed versions in commit order (<see cref="AccountState.Cooling"/>); while more than
/// <see cref="Limit"/> versions are queued over all trees, a tree that commits drops its oldest durable ones from memory,
/// keeping only their position. A read of a dropped object loads it back through <see cref="Load"/> and queues it again
/// as the newest, so what is in use stays in memory and history does not.
/// </summary>
public sealed class ObjectCache(long limit, Func<long, StripeObject> load)
{
    private long _queued;

    public long Limit { get; } = limit;

    /// <summary>Versions queued over all trees (the objects held in memory, plus superseded versions not yet dequeued).</summary>
    public long Queued => Interlocked.Read(ref _queued);

    /// <summary>Objects loaded back from the store since start.</summary>
    public long Loads => Interlocked.Read(ref _loads);
    private long _loads;

    public bool Over => Interlocked.Read(ref _queued) > Limit;

    public void Added(int n) => Interlocked.Add(ref _queued, n);

    public StripeObject Load(long position)
    {
        Interlocked.Increment(ref _loads);
        return load(position);
    }
}
