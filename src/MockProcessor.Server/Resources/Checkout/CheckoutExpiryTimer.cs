using MockProcessor.Domain.Checkout;
using MockProcessor.Domain.Common;
using MockProcessor.Server.Time;
using MockProcessor.Server.Wire;

namespace MockProcessor.Server.Resources.Checkout;

/// <summary>An open Checkout Session expires at its <c>expires_at</c> on the merchant's clock (docs/time.md).</summary>
public sealed class CheckoutExpiryTimer : IObjectTimer
{
    public string ObjectType => "checkout.session";

    public long? DueAt(StripeObject obj, Func<string, StripeObject?> get) =>
        obj is CheckoutSession s ? CheckoutSessionRules.ExpiryDueAt(s) : null;

    public void Fire(ApiContext c, StripeObject obj)
    {
        if (obj is CheckoutSession { Status: CheckoutStatus.Open } s) CheckoutFlow.Expire(c, s);
    }
}
