using MockProcessor.Server.Storage;

namespace MockProcessor.Server.Time;

/// <summary>
/// Each merchant's time: the emulator's clock (<see cref="VirtualClock"/>, realtime or manual) plus the merchant's
/// own offset, or the instant it was frozen at. Advancing one merchant moves only its time; advancing the
/// emulator's clock moves everyone. See docs/time.md.
/// </summary>
public sealed class MerchantClock(VirtualClock clock, ObjectStore store)
{
    public long Now(AccountState state) => state.ClockFrozenAt ?? clock.UnixNow() + state.ClockOffset;

    public long Now(string accountId) => store.FindAccount(accountId) is { } state ? Now(state) : clock.UnixNow();

    public VirtualClock Base => clock;
}
