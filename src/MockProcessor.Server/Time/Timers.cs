using MockProcessor.Domain.Common;
using MockProcessor.Server.Wire;

namespace MockProcessor.Server.Time;

/// <summary>
/// Time-driven work that belongs to a kind of object: an uncaptured authorization expires, a pending refund
/// settles, a dispute's deadline passes. A timer says when an object next needs work (from the object alone,
/// so nothing else has to be stored) and does it. See docs/time.md.
/// </summary>
public interface IObjectTimer
{
    string ObjectType { get; }

    /// <summary>When <paramref name="obj"/> next needs work on the merchant's clock, or null for never.</summary>
    long? DueAt(StripeObject obj, Func<string, StripeObject?> get);

    /// <summary>Does the work, in the caller's unit of work, with <see cref="ApiContext.Now"/> = the due time.</summary>
    void Fire(ApiContext c, StripeObject obj);
}

public sealed class TimerRegistry(IEnumerable<IObjectTimer> timers)
{
    private readonly Dictionary<string, IObjectTimer> _byType = timers.ToDictionary(t => t.ObjectType, StringComparer.Ordinal);

    public IObjectTimer? For(StripeObject obj) => _byType.GetValueOrDefault(obj.ObjectType);

    public long? DueAt(StripeObject obj, Func<string, StripeObject?> get) => For(obj)?.DueAt(obj, get);
}
