using MockProcessor.Domain.Charges;
using MockProcessor.Domain.Common;
using MockProcessor.Domain.PaymentIntents;
using MockProcessor.Domain.Refunds;
using MockProcessor.Server.Wire;

namespace MockProcessor.Server.Resources.Shared;

/// <summary>
/// Applies a payments decision to the call's unit of work: stores every object it changed and records its
/// events in the order the rules gave, each with the object its type names (<c>charge.*</c> the charge,
/// <c>refund.*</c> the refund, <c>payment_intent.*</c> the PaymentIntent) as it is after the change.
/// </summary>
public static class Changes
{
    public static void Apply(ApiContext c, PaymentIntentChange change)
    {
        Put(c, change.PaymentIntent, change.Charge, change.BalanceTransaction, change.Refund);
        foreach (var type in change.Events)
            c.Emit(type, SubjectOf(type, change.PaymentIntent, change.Charge, change.Refund));
    }

    public static void Apply(ApiContext c, RefundChange change)
    {
        Put(c, null, change.Charge, change.BalanceTransaction, change.Refund);
        foreach (var type in change.Events)
            c.Emit(type, SubjectOf(type, null, change.Charge, change.Refund));
    }

    public static void Apply(ApiContext c, ChargeChange change)
    {
        Put(c, null, change.Charge, change.BalanceTransaction, change.Refund);
        foreach (var type in change.Events)
            c.Emit(type, SubjectOf(type, null, change.Charge, change.Refund));
    }

    private static void Put(ApiContext c, params StripeObject?[] objects)
    {
        foreach (var o in objects)
            if (o is not null) c.Tx.Put(o);
    }

    private static StripeObject SubjectOf(string eventType, StripeObject? pi, StripeObject? charge, StripeObject? refund)
    {
        StripeObject? subject = eventType switch
        {
            _ when eventType.StartsWith("payment_intent.", StringComparison.Ordinal) => pi,
            _ when eventType.StartsWith("charge.refund.", StringComparison.Ordinal) => refund,
            _ when eventType.StartsWith("charge.", StringComparison.Ordinal) => charge,
            _ when eventType.StartsWith("refund.", StringComparison.Ordinal) => refund,
            _ => null,
        };
        return subject ?? throw new InvalidOperationException($"The change emits {eventType} but carries no object for it.");
    }
}
