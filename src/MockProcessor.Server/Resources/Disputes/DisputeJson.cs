using System.Text.Json.Nodes;
using MockProcessor.Domain.Balance;
using MockProcessor.Domain.Common;
using MockProcessor.Domain.Disputes;
using MockProcessor.Server.Wire;

namespace MockProcessor.Server.Resources.Disputes;

/// <summary>Dispute → Stripe's wire shape at the current API version (see fixtures3.current.json, §15).</summary>
public static class DisputeJson
{
    public static JsonObject Render(Dispute d, RenderContext ctx, ExpandNode expand)
    {
        var evidence = new JsonObject();
        foreach (var field in DisputeRules.EvidenceFields) evidence[field] = d.Evidence.GetValueOrDefault(field);
        // Deviation: enhanced evidence (Visa CE 3.0 transaction lists) is not emulated; it stays empty.
        evidence["enhanced_evidence"] = new JsonObject();

        // Stripe embeds the dispute's balance transactions as full objects, not ids (never expandable).
        var transactions = new JsonArray();
        foreach (var id in d.BalanceTransactions)
            if (ctx.Tx.Get<BalanceTransaction>(id) is { } txn) transactions.Add(ctx.Render(txn));

        var eligibility = new JsonArray();
        foreach (var t in d.EnhancedEligibilityTypes) eligibility.Add(t);

        return new JsonObject
        {
            ["id"] = d.Id,
            ["object"] = "dispute",
            ["amount"] = d.Amount,
            ["balance_transactions"] = transactions,
            ["charge"] = ctx.Ref(expand, "charge", d.Charge),
            ["created"] = d.Created,
            ["currency"] = d.Currency,
            ["evidence"] = evidence,
            ["evidence_details"] = new JsonObject
            {
                ["due_by"] = d.EvidenceDetails.DueBy,
                ["has_evidence"] = d.EvidenceDetails.HasEvidence,
                ["past_due"] = d.EvidenceDetails.PastDue,
                ["submission_count"] = d.EvidenceDetails.SubmissionCount,
                ["enhanced_eligibility"] = new JsonObject(),
            },
            ["is_charge_refundable"] = d.IsChargeRefundable,
            ["livemode"] = false,
            ["metadata"] = ctx.Metadata(d.Metadata),
            ["payment_intent"] = ctx.Ref(expand, "payment_intent", d.PaymentIntent),
            ["payment_method_details"] = new JsonObject
            {
                ["card"] = new JsonObject
                {
                    ["brand"] = d.Card.Brand,
                    ["case_type"] = d.Card.CaseType.ToWire(),
                    ["network_reason_code"] = d.Card.NetworkReasonCode,
                    ["network"] = d.Card.Network,
                },
                ["type"] = "card",
            },
            ["reason"] = d.Reason,
            ["status"] = d.Status.ToWire(),
            ["enhanced_eligibility_types"] = eligibility,
        };
    }
}
