using System.Text.Json.Nodes;
using MockProcessor.Domain.Common;
using MockProcessor.Domain.Payouts;
using MockProcessor.Server.Wire;

namespace MockProcessor.Server.Resources.Payouts;

/// <summary>Payout → Stripe's wire shape at the current API version (fixtures3.current.json "payout").</summary>
public static class PayoutJson
{
    public static JsonObject Render(Payout p, RenderContext ctx, ExpandNode expand) => new()
    {
        ["id"] = p.Id,
        ["object"] = "payout",
        ["amount"] = p.Amount,
        ["application_fee"] = null,
        ["application_fee_amount"] = null,
        ["arrival_date"] = p.ArrivalDate,
        ["automatic"] = p.Automatic,
        ["balance_transaction"] = ctx.Ref(expand, "balance_transaction", p.BalanceTransaction),
        ["created"] = p.Created,
        ["currency"] = p.Currency,
        ["description"] = p.Description,
        // Deviation: the bank account is not a stored object, so destination is never expanded.
        ["destination"] = p.Destination,
        ["failure_balance_transaction"] = ctx.Ref(expand, "failure_balance_transaction", p.FailureBalanceTransaction),
        ["failure_code"] = p.FailureCode?.ToWire(),
        ["failure_message"] = p.FailureMessage,
        ["livemode"] = false,
        ["metadata"] = ctx.Metadata(p.Metadata),
        ["method"] = p.Method,
        ["original_payout"] = null,
        ["payout_method"] = null,
        ["reconciliation_status"] = p.ReconciliationStatus.ToWire(),
        ["reversed_by"] = null,
        ["source_type"] = p.SourceType,
        ["statement_descriptor"] = p.StatementDescriptor,
        ["status"] = p.Status.ToWire(),
        // Test banks report no trace id: pending while the payout is on its way, then unsupported.
        ["trace_id"] = new JsonObject
        {
            ["status"] = p.Status is PayoutStatus.Pending or PayoutStatus.InTransit ? "pending" : "unsupported",
            ["value"] = null,
        },
        ["type"] = p.Type,
    };
}
