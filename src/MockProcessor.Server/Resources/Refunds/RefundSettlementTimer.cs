using MockProcessor.Domain.Charges;
using MockProcessor.Domain.Common;
using MockProcessor.Domain.Refunds;
using MockProcessor.Server.Resources.Shared;
using MockProcessor.Server.Time;
using MockProcessor.Server.Wire;

namespace MockProcessor.Server.Resources.Refunds;

/// <summary>The refund test cards' later half: pendingRefund settles to succeeded, refundFail fails and returns the money.</summary>
public sealed class RefundSettlementTimer : IObjectTimer
{
    public string ObjectType => "refund";

    public long? DueAt(StripeObject obj, Func<string, StripeObject?> get) =>
        obj is Refund refund && get(refund.Charge) is Charge charge ? RefundRules.SettleDueAt(refund, charge) : null;

    public void Fire(ApiContext c, StripeObject obj)
    {
        var refund = (Refund)obj;
        var charge = c.Load<Charge>(refund.Charge, "charge");
        var change = RefundRules.Settle(refund, charge, c.Account.Id, c.Now, c.Ids);
        if (!change.IsError) Changes.Apply(c, change.Value);
    }
}
