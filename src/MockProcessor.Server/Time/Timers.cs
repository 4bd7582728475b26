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
    /// For an object whose due time depends on other objects that may change (an unswept transaction waits for its
    /// account's payout schedule): a short text, without control characters, from which <see cref="DueAtKey"/> gives
    /// this timer's due time again without the object. Start-up then schedules the object from its row head unread;
    /// null (the default): start-up reads the object whole whenever a timer has work for it (docs/storage.md, "Start-up
    /// from row heads"). Work found from a key runs on the merchant's clock.
    /// </summary>
    string? WaitKey(StripeObject obj) => null;

    /// <summary>What <see cref="DueAt"/> gives for the object whose <see cref="WaitKey"/> is <paramref name="key"/>.</summary>
    long? DueAtKey(string key, Func<string, StripeObject?> get) => null;

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

    /// <summary>
    /// As <see cref="Next(StripeObject, Func{string, StripeObject?})"/>, and what start-up needs to find the object's work
    /// again (its row head): <paramref name="hot"/> when a timer has work for it that only the object tells, else the
    /// <paramref name="waits"/> key of the one timer that gives one (<see cref="IObjectTimer.WaitKey"/>), else nothing.
    /// </summary>
    public (IObjectTimer Timer, long Due)? Next(StripeObject obj, Func<string, StripeObject?> get, out bool hot, out string? waits)
    {
        (IObjectTimer Timer, long Due)? next = null;
        hot = false;
        waits = null;
        foreach (var timer in Of(obj.ObjectType))
        {
            var due = timer.DueAt(obj, get);
            if (due is { } at && (next is null || at < next.Value.Due)) next = (timer, at);
            if (timer.WaitKey(obj) is not { } key) hot |= due is not null;
            else if (waits is null) waits = key;
            else hot = true; // a head holds one key: two timers waiting read the object whole
        }
        if (hot) waits = null;
        return next;
    }

    /// <summary>The due time a key that a timer of <paramref name="type"/> gave (<see cref="IObjectTimer.WaitKey"/>) stands for.</summary>
    public long? DueAtKey(string type, string key, Func<string, StripeObject?> get)
    {
        foreach (var timer in Of(type))
            if (timer.DueAtKey(key, get) is { } due) return due;
        return null;
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
