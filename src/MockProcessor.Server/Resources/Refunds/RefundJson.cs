using System.Text.Json.Nodes;
using MockProcessor.Domain.Charges;
using MockProcessor.Domain.Common;
using MockProcessor.Domain.Refunds;
using MockProcessor.Server.Wire;

namespace MockProcessor.Server.Resources.Refunds;

/// <summary>Refund → Stripe's wire shape at the current API version (see fixtures3.current.json).</summary>
public static class RefundJson
{
    public static JsonObject Render(Refund r, RenderContext ctx, ExpandNode expand)
    {
        var o = new JsonObject
        {
            ["id"] = r.Id,
            ["object"] = "refund",
            ["amount"] = r.Amount,
            ["balance_transaction"] = ctx.Ref(expand, "balance_transaction", r.BalanceTransaction),
            ["charge"] = ctx.Ref(expand, "charge", r.Charge),
            ["created"] = r.Created,
            ["currency"] = r.Currency,
            // The refund shows the charge's customer; we read it from the charge rather than copy it.
            ["customer"] = ctx.Tx.Get<Charge>(r.Charge)?.Customer,
            ["customer_account"] = null,
            ["destination_details"] = new JsonObject
            {
                ["card"] = new JsonObject
                {
                    ["reference"] = null,
                    ["reference_status"] = r.DestinationType is RefundDestinationType.Refund ? "pending" : "unavailable",
                    ["reference_type"] = "acquirer_reference_number",
                    ["type"] = r.DestinationType.ToWire(),
                },
                ["type"] = "card",
            },
            ["metadata"] = ctx.Metadata(r.Metadata),
            ["payment_intent"] = ctx.Ref(expand, "payment_intent", r.PaymentIntent),
            ["payment_method"] = r.PaymentMethod,
            ["reason"] = r.Reason?.ToWire(),
            ["receipt_number"] = null,
            ["source_transfer_reversal"] = null,
            ["status"] = r.Status.ToWire(),
            ["transfer_reversal"] = ctx.Ref(expand, "transfer_reversal", r.TransferReversal),
        };
        // Stripe includes these only where they apply.
        if (r.Status is RefundStatus.Failed)
        {
            o["failure_balance_transaction"] = ctx.Ref(expand, "failure_balance_transaction", r.FailureBalanceTransaction);
            o["failure_reason"] = r.FailureReason?.ToWire();
        }
        if (r.PendingReason is { } pending) o["pending_reason"] = pending.ToWire();
        return o;
    }
}
