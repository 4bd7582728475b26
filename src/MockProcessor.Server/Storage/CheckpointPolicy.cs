namespace MockProcessor.Server.Storage;

/// <summary>
/// When the embedded store copies its write-ahead log into the database file (docs/storage.md, "Checkpoints when the
/// writer rests"). Every commit appends the pages it changed to the WAL; a checkpoint copies the newest frame of each
/// page into the file. The copy is real work (about 0.9 s of CPU for the 260 MB a year of billing appends), and done
/// every second during a burst it competes with the burst for the cores; after the burst it costs the same and delays
/// nothing. Nothing is less durable for waiting: a committed frame in the WAL survives a crash of the process like a
/// page in the file (synchronous=NORMAL), and the next open reads the WAL back.
/// <para>
/// So the maintenance loop asks, once a tick: checkpoint when the writer committed nothing during the last tick (it
/// rests), or when the last checkpoint is <see cref="MaxInterval"/> old while the writer stays busy, or when the WAL
/// file has reached <see cref="MaxWalBytes"/> (a bound on the disk it takes and on how much the next open reads).
/// The clock, the commit count and the file's size are given; one instance per store (it remembers the last tick).
/// </para>
/// </summary>
public sealed class CheckpointPolicy
{
    /// <summary>How often the maintenance loop looks.</summary>
    public TimeSpan Tick { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest a busy writer goes without a checkpoint.</summary>
    public TimeSpan MaxInterval { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>A WAL file this large is checkpointed at every tick while anything was committed since the last.</summary>
    public long MaxWalBytes { get; init; } = 1L << 30;

    /// <summary>After a checkpoint lets the WAL start over, SQLite truncates the file to this (<c>journal_size_limit</c>).</summary>
    public long KeepWalBytes { get; init; } = 64L << 20;

    private long _commitsAtLastTick, _commitsAtLastCheckpoint;
    private TimeSpan _lastCheckpoint;

    /// <summary>
    /// Whether to checkpoint now, at <paramref name="now"/> (any monotonic clock), given the writer's commits so far and
    /// the WAL file's size. The caller reports a checkpoint that ran with <see cref="Checkpointed"/>.
    /// </summary>
    public bool ShouldCheckpoint(TimeSpan now, long commits, long walBytes)
    {
        var rested = commits == _commitsAtLastTick;
        _commitsAtLastTick = commits;
        if (commits == _commitsAtLastCheckpoint) return false; // nothing new in the WAL
        return rested || now - _lastCheckpoint >= MaxInterval || walBytes >= MaxWalBytes;
    }

    /// <summary>A checkpoint ran at <paramref name="now"/> and copied at least the first <paramref name="commits"/> commits.</summary>
    public void Checkpointed(TimeSpan now, long commits)
    {
        _commitsAtLastCheckpoint = commits;
        _lastCheckpoint = now;
    }

    /// <summary>Starts the interval at <paramref name="now"/> (the store's opening).</summary>
    public void Start(TimeSpan now) => _lastCheckpoint = now;
}
