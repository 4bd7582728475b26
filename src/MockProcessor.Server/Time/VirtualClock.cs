namespace MockProcessor.Server.Time;

/// <summary>
/// The emulator's clock. <c>realtime</c> follows the wall clock shifted by an offset that
/// <see cref="Advance"/> grows; <c>manual</c> stands still until advanced or set. Every business timestamp
/// comes from here, truncated to whole seconds as Stripe's are.
/// </summary>
/// <remarks>
/// The clock is an origin (manual: the instant it started at; realtime: its offset from the wall clock) plus everything
/// it was advanced by. In replica mode (docs/deploy.md) both live in the database's <c>clock</c> table, and
/// <see cref="Share"/> brings this process's copy up to it.
/// </remarks>
public sealed class VirtualClock : TimeProvider
{
    private readonly Lock _gate = new();
    private readonly TimeProvider _wall;
    private TimeSpan _offset;
    private DateTimeOffset _manualStart;
    private TimeSpan _advanced;

    public VirtualClock(ClockMode mode, DateTimeOffset? start = null, TimeProvider? wall = null)
    {
        _wall = wall ?? System;
        Mode = mode;
        var origin = start ?? _wall.GetUtcNow();
        _manualStart = Truncate(origin);
        _offset = start.HasValue ? start.Value - _wall.GetUtcNow() : TimeSpan.Zero;
    }

    public ClockMode Mode { get; }

    public override DateTimeOffset GetUtcNow()
    {
        lock (_gate) return Mode == ClockMode.Manual ? _manualStart + _advanced : _wall.GetUtcNow() + _offset + _advanced;
    }

    public long UnixNow() => GetUtcNow().ToUnixTimeSeconds();

    /// <summary>Real time, for what must match the receiver's own clock (webhook signatures: SDKs check them against it).</summary>
    public long WallUnixNow() => _wall.GetUtcNow().ToUnixTimeSeconds();

    /// <summary>Raised after every <see cref="Advance"/>: work scheduled in virtual time (webhook retries) may now be due.</summary>
    public event Action? Advanced;

    public DateTimeOffset Advance(TimeSpan by)
    {
        if (by < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(by), "The clock only moves forward.");
        lock (_gate) _advanced += by;
        Advanced?.Invoke();
        return GetUtcNow();
    }

    /// <summary>
    /// The origin in milliseconds (manual: the Unix time it started at; realtime: its offset from the wall clock) and
    /// the whole seconds it was advanced by: what replicas share (<see cref="Share"/>).
    /// </summary>
    public (long OriginMs, long AdvancedSeconds) State
    {
        get
        {
            lock (_gate)
                return (Mode == ClockMode.Manual ? _manualStart.ToUnixTimeMilliseconds() : (long)_offset.TotalMilliseconds,
                    (long)_advanced.TotalSeconds);
        }
    }

    /// <summary>
    /// Replica mode: takes the shared clock's origin and advance (the database's, docs/deploy.md). The clock never moves
    /// back: an advance older than this process's is ignored. Raises <see cref="Advanced"/> when it moved.
    /// </summary>
    public void Share(long originMs, long advancedSeconds)
    {
        var moved = false;
        lock (_gate)
        {
            if (Mode == ClockMode.Manual) _manualStart = DateTimeOffset.FromUnixTimeMilliseconds(originMs);
            else _offset = TimeSpan.FromMilliseconds(originMs);
            var advanced = TimeSpan.FromSeconds(advancedSeconds);
            if (advanced > _advanced)
            {
                _advanced = advanced;
                moved = true;
            }
        }
        if (moved) Advanced?.Invoke();
    }

    private static DateTimeOffset Truncate(DateTimeOffset t) => DateTimeOffset.FromUnixTimeSeconds(t.ToUnixTimeSeconds());
}

public enum ClockMode { Realtime, Manual }
