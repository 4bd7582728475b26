using MockProcessor.Domain.Common;
using MockProcessor.Domain.Disputes;
using MockProcessor.Server.Resources.Shared;
using MockProcessor.Server.Time;
using MockProcessor.Server.Wire;

namespace MockProcessor.Server.Resources.Disputes;

/// <summary>A dispute still awaiting a response when <c>evidence_details.due_by</c> has passed is lost (an inquiry closes).</summary>
public sealed class DisputeDeadlineTimer : IObjectTimer
{
    public string ObjectType => "dispute";

    // Due the second after due_by: the deadline itself is still in time.
    public long? DueAt(StripeObject obj, Func<string, StripeObject?> get) =>
        obj is Dispute { AwaitingResponse: true, DueBy: { } due } ? due + 1 : null;

    public void Fire(ApiContext c, StripeObject obj)
    {
        var dispute = (Dispute)obj;
        var change = DisputeRules.Expire(dispute, c.Now);
        if (!change.IsError) Changes.Apply(c, change.Value, dispute);
    }
}
