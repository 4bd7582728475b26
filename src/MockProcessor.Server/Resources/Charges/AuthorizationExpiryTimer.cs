using MockProcessor.Domain.Charges;
using MockProcessor.Domain.Common;
using MockProcessor.Domain.PaymentIntents;
using MockProcessor.Server.Resources.Shared;
using MockProcessor.Server.Time;
using MockProcessor.Server.Wire;

namespace MockProcessor.Server.Resources.Charges;

/// <summary>
/// An uncaptured card authorization lapses at <c>capture_before</c> (7 days): a PaymentIntent is canceled with
/// <c>cancellation_reason: automatic</c> and its hold released (<c>charge.expired</c>, <c>payment_intent.canceled</c>);
/// a legacy charge is released and shown refunded (<c>charge.expired</c>).
/// </summary>
public sealed class AuthorizationExpiryTimer : IObjectTimer
{
    public string ObjectType => "charge";

    public long? DueAt(StripeObject obj, Func<string, StripeObject?> get) =>
        obj is Charge { Status: ChargeStatus.Succeeded, Captured: false, CaptureBefore: { } before } ch && ch.AmountRefunded < ch.Amount
            ? before
            : null;

    public void Fire(ApiContext c, StripeObject obj)
    {
        var charge = (Charge)obj;
        if (charge.PaymentIntent is { } piId && c.Tx.Get<PaymentIntent>(piId) is { } pi)
        {
            var change = PaymentIntentRules.ExpireAuthorization(pi, charge, c.Now, c.Ids);
            if (!change.IsError) Changes.Apply(c, change.Value);
            return;
        }
        Changes.Apply(c, ChargeRules.ExpireUncaptured(charge, c.Now, c.Ids));
    }
}
