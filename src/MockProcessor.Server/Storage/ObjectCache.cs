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
    private long _kept;

    public long Limit { get; } = limit;

    /// <summary>
    /// Of <see cref="Limit"/>, the versions that stay only while new (docs/storage.md, "Cold objects"): a version read
    /// while among them is kept on (<see cref="AccountState.Kept"/>), one never read leaves memory this many versions
    /// after it came, young enough for the collector to free it cheaply.
    /// </summary>
    public long NewLimit { get; } = Math.Max(1, limit / 5);

    /// <summary>Versions queued over all trees (the objects held in memory, plus superseded versions not yet dequeued).</summary>
    public long Queued => Interlocked.Read(ref _queued);

    /// <summary>Of <see cref="Queued"/>, the versions kept on because they were read.</summary>
    public long KeptCount => Interlocked.Read(ref _kept);

    /// <summary>Objects loaded back from the store since start.</summary>
    public long Loads => Interlocked.Read(ref _loads);
    private long _loads;

    public bool Over => Interlocked.Read(ref _queued) > Limit;

    /// <summary>Whether the new versions are over their share.</summary>
    public bool NewOver => Interlocked.Read(ref _queued) - Interlocked.Read(ref _kept) > NewLimit;

    /// <summary>Whether the versions kept on are over theirs.</summary>
    public bool KeptOver => Interlocked.Read(ref _kept) > Limit - NewLimit;

    public void Added(int n) => Interlocked.Add(ref _queued, n);

    public void AddedKept(int n) => Interlocked.Add(ref _kept, n);

    public StripeObject Load(long position)
    {
        Interlocked.Increment(ref _loads);
        return load(position);
    }
}
