using MockProcessor.Server.Time;

namespace MockProcessor.Testing;

/// <summary>
/// The emulator's virtual clock (docs/time.md). <see cref="UtcNow"/> reads it in-process; moving it goes through
/// <c>POST /_mock/clock/advance</c>, which also fires the time-driven work that became due (authorization expiry,
/// payouts, webhook retries...) before it answers. Per-merchant clocks: <see cref="AdvanceMerchantAsync"/>.
/// </summary>
public sealed class HostClock
{
    private readonly VirtualClock _clock;
    private readonly ControlApi _api;

    internal HostClock(VirtualClock clock, ControlApi api) => (_clock, _api) = (clock, api);

    public ClockMode Mode => _clock.Mode;

    /// <summary>The emulator's time now (every merchant's, unless its own clock was moved).</summary>
    public DateTimeOffset UtcNow => _clock.GetUtcNow();

    /// <summary>Moves the emulator's clock forward by whole seconds and answers the new time.</summary>
    public async Task<DateTimeOffset> AdvanceAsync(TimeSpan by, CancellationToken ct = default)
    {
        var seconds = WholeSeconds(by);
        var answer = await _api.PostAsync("/_mock/clock/advance", null, new Form().Add("seconds", seconds), ct);
        return DateTimeOffset.FromUnixTimeSeconds((long)answer["now"]!);
    }

    /// <summary>Moves the emulator's clock forward to <paramref name="to"/> (to the second). Time never goes back.</summary>
    public Task<DateTimeOffset> SetAsync(DateTimeOffset to, CancellationToken ct = default)
    {
        var now = _clock.UnixNow();
        var target = to.ToUnixTimeSeconds();
        if (target < now)
            throw new ArgumentOutOfRangeException(nameof(to), $"The clock only moves forward: it is {DateTimeOffset.FromUnixTimeSeconds(now):O}.");
        return AdvanceAsync(TimeSpan.FromSeconds(target - now), ct);
    }

    /// <summary>Moves one merchant's clock forward (<c>POST /_mock/merchant_clock/advance</c>) and answers its new time.</summary>
    public async Task<DateTimeOffset> AdvanceMerchantAsync(string apiKey, TimeSpan by, CancellationToken ct = default)
    {
        var answer = await _api.PostAsync("/_mock/merchant_clock/advance", apiKey, new Form().Add("seconds", WholeSeconds(by)), ct);
        return DateTimeOffset.FromUnixTimeSeconds((long)answer["now"]!);
    }

    /// <summary>One merchant's time now (<c>GET /_mock/merchant_clock</c>).</summary>
    public async Task<DateTimeOffset> MerchantNowAsync(string apiKey, CancellationToken ct = default) =>
        DateTimeOffset.FromUnixTimeSeconds((long)(await _api.GetAsync("/_mock/merchant_clock", apiKey, ct))["now"]!);

    private static long WholeSeconds(TimeSpan by)
    {
        if (by < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(by), "The clock only moves forward.");
        if (by.Ticks % TimeSpan.TicksPerSecond != 0)
            throw new ArgumentException("The emulator's time is kept in whole seconds, as Stripe's timestamps are.", nameof(by));
        return (long)by.TotalSeconds;
    }
}
