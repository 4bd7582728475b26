using MockProcessor.Domain.Charges;
using MockProcessor.Domain.Common;
using MockProcessor.Domain.PaymentIntents;
using MockProcessor.Server.Resources.Shared;
using MockProcessor.Server.Time;
using MockProcessor.Server.Wire;

namespace MockProcessor.Server.Resources.Charges;

/// <summary>
/// The reconciliation with the card network after a scripted timeout (docs/network-rules.md): at the charge's
/// settlement time the network's late answer is applied. A PaymentIntent leaves processing for succeeded,
/// requires_capture or requires_payment_method; a legacy charge becomes succeeded or failed.
/// </summary>
public sealed class NetworkSettlementTimer : IObjectTimer
{
    public string ObjectType => "charge";

    public long? DueAt(StripeObject obj, Func<string, StripeObject?> get) =>
        obj is Charge { Status: ChargeStatus.Pending, PendingSettlement: { } settlement } ? settlement.DueAt : null;

    public void Fire(ApiContext c, StripeObject obj)
    {
        var charge = (Charge)obj;
        c.Service<Hosting.Telemetry>().LateAnswer(charge.PendingSettlement?.Failure);
        if (charge.PaymentIntent is { } piId && c.Tx.Get<PaymentIntent>(piId) is { } pi)
        {
            Changes.Apply(c, PaymentIntentRules.SettleNetwork(pi, charge, c.Now, c.Ids, ChargeEndpoints.AccountCountry));
            return;
        }
        Changes.Apply(c, ChargeRules.SettleLegacy(charge, ChargeEndpoints.AccountCountry, c.Now, c.Ids));
    }
}
