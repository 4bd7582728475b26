namespace MockProcessor.Server.Time;

/// <summary>
/// The emulator's clock. <c>realtime</c> follows the wall clock shifted by an offset that
/// <see cref="Advance"/> grows; <c>manual</c> stands still until advanced or set. Every business timestamp
/// comes from here, truncated to whole seconds as Stripe's are.
/// </summary>
public sealed class VirtualClock : TimeProvider
{
    private readonly Lock _gate = new();
    private readonly TimeProvider _wall;
    private TimeSpan _offset;
    private DateTimeOffset _manualNow;

    public VirtualClock(ClockMode mode, DateTimeOffset? start = null, TimeProvider? wall = null)
    {
        _wall = wall ?? System;
        Mode = mode;
        var origin = start ?? _wall.GetUtcNow();
        _manualNow = Truncate(origin);
        _offset = start.HasValue ? start.Value - _wall.GetUtcNow() : TimeSpan.Zero;
    }

    public ClockMode Mode { get; }

    public override DateTimeOffset GetUtcNow()
    {
        lock (_gate) return Mode == ClockMode.Manual ? _manualNow : _wall.GetUtcNow() + _offset;
    }

    public long UnixNow() => GetUtcNow().ToUnixTimeSeconds();

    /// <summary>Real time, for what must match the receiver's own clock (webhook signatures: SDKs check them against it).</summary>
    public long WallUnixNow() => _wall.GetUtcNow().ToUnixTimeSeconds();

    /// <summary>Raised after every <see cref="Advance"/>: work scheduled in virtual time (webhook retries) may now be due.</summary>
    public event Action? Advanced;

    public DateTimeOffset Advance(TimeSpan by)
    {
        if (by < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(by), "The clock only moves forward.");
        lock (_gate)
        {
            _manualNow += by;
            _offset += by;
        }
        Advanced?.Invoke();
        return GetUtcNow();
    }

    private static DateTimeOffset Truncate(DateTimeOffset t) => DateTimeOffset.FromUnixTimeSeconds(t.ToUnixTimeSeconds());
}

public enum ClockMode { Realtime, Manual }
