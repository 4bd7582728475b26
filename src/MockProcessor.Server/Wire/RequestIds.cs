using MockProcessor.Domain.Ids;

namespace MockProcessor.Server.Wire;

/// <summary>
/// <c>Request-Id</c> values (<c>req_</c> + 14), from a sequence of their own seeded from the emulator's seed. Every
/// call gets one, reads and polls included; drawn from the object id sequence they would make the ids of everything
/// created later depend on how often a client polled. Apart, object ids under a seed depend only on the writes.
/// </summary>
public sealed class RequestIds(long? seed)
{
    // Any fixed offset gives a second, independent SplitMix64 stream; this one spells "req".
    private readonly IdGenerator _ids = new(seed is { } s ? s ^ 0x726571 : null);

    public string Next() => _ids.Next("req", 14);
}
