using MockProcessor.Domain.Charges;
using MockProcessor.Domain.Common;
using MockProcessor.Domain.Customers;
using MockProcessor.Domain.Disputes;
using MockProcessor.Domain.PaymentIntents;
using MockProcessor.Domain.Refunds;
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

    /// <summary>
    /// Whether <paramref name="obj"/> may have work later although <see cref="DueAt"/> says none now, because its due time
    /// depends on another object that may change (an unswept transaction waits for its account's payout schedule).
    /// Start-up reads such objects whole to ask again; others it reads only when their stored version had work
    /// (docs/storage.md, "Start-up from row heads").
    /// </summary>
    bool MayWait(StripeObject obj) => false;

    /// <summary>Does the work, in the caller's unit of work, with <see cref="ApiContext.Now"/> = the due time.</summary>
    void Fire(ApiContext c, StripeObject obj);
}

/// <summary>
/// The timers by object type. A type may have several (a charge's authorization expiry and its network
/// settlement); an object's next work is the earliest any of them has, and that timer fires it.
/// </summary>
public sealed class TimerRegistry(IEnumerable<IObjectTimer> timers)
{
    // Arrays, not a lookup's groupings: asked for every committed version, which must not allocate an enumerator each time.
    private readonly Dictionary<string, IObjectTimer[]> _byType =
        timers.GroupBy(t => t.ObjectType, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.ToArray(), StringComparer.Ordinal);

    private IObjectTimer[] Of(string type) => _byType.GetValueOrDefault(type) ?? [];

    /// <summary>The timer with the earliest due time for <paramref name="obj"/>, and that time; null when none has work.</summary>
    public (IObjectTimer Timer, long Due)? Next(StripeObject obj, Func<string, StripeObject?> get)
    {
        (IObjectTimer Timer, long Due)? next = null;
        foreach (var timer in Of(obj.ObjectType))
            if (timer.DueAt(obj, get) is { } due && (next is null || due < next.Value.Due))
                next = (timer, due);
        return next;
    }

    public long? DueAt(StripeObject obj, Func<string, StripeObject?> get) => Next(obj, get)?.Due;

    /// <summary>Whether a timer of <paramref name="obj"/>'s type may find it work later although none has work now (<see cref="IObjectTimer.MayWait"/>).</summary>
    public bool MayWait(StripeObject obj)
    {
        foreach (var timer in Of(obj.ObjectType))
            if (timer.MayWait(obj)) return true;
        return false;
    }
}

/// <summary>
/// Which clock an object's time-driven work runs on (docs/time.md): the test clock of the customer it belongs to,
/// or (null) the merchant's clock. Stripe runs a test-clock customer's objects on the clock's time.
/// </summary>
public static class TimerScope
{
    /// <summary>The customer an object belongs to: a charge's or PaymentIntent's own, a refund's or dispute's charge's, a subscription's or invoice's.</summary>
    public static string? CustomerOf(StripeObject obj, Func<string, StripeObject?> get) => obj switch
    {
        Charge ch => ch.Customer,
        PaymentIntent pi => pi.Customer,
        Refund r => get(r.Charge) is Charge ch ? ch.Customer : null,
        Dispute d => get(d.Charge) is Charge ch ? ch.Customer : null,
        Domain.Billing.Subscription s => s.Customer,
        Domain.Billing.Invoice i => i.Customer,
        _ => null,
    };

    /// <summary>The id of the test clock whose advances fire <paramref name="obj"/>'s work; null for the merchant's clock.</summary>
    public static string? TestClockOf(StripeObject obj, Func<string, StripeObject?> get) =>
        CustomerOf(obj, get) is { } id && get(id) is Customer { TestClock: { } clock } ? clock : null;
}
