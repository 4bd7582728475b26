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

/// <summary>
/// The timers by object type. A type may have several (a charge's authorization expiry and its network
/// settlement); an object's next work is the earliest any of them has, and that timer fires it.
/// </summary>
public sealed class TimerRegistry(IEnumerable<IObjectTimer> timers)
{
    private readonly ILookup<string, IObjectTimer> _byType = timers.ToLookup(t => t.ObjectType, StringComparer.Ordinal);

    /// <summary>The timer with the earliest due time for <paramref name="obj"/>, and that time; null when none has work.</summary>
    public (IObjectTimer Timer, long Due)? Next(StripeObject obj, Func<string, StripeObject?> get)
    {
        (IObjectTimer Timer, long Due)? next = null;
        foreach (var timer in _byType[obj.ObjectType])
            if (timer.DueAt(obj, get) is { } due && (next is null || due < next.Value.Due))
                next = (timer, due);
        return next;
    }

    public long? DueAt(StripeObject obj, Func<string, StripeObject?> get) => Next(obj, get)?.Due;
}
