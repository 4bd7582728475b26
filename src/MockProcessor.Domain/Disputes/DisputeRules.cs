using System.Collections.Immutable;
using MockProcessor.Domain.Balance;
using MockProcessor.Domain.CardNetwork;
using MockProcessor.Domain.Charges;
using MockProcessor.Domain.Common;
using MockProcessor.Domain.Errors;
using MockProcessor.Domain.Events;
using MockProcessor.Domain.Ids;

namespace MockProcessor.Domain.Disputes;

// What a dispute decision changed. Charge is set when the charge's dispute fields changed; Transaction when
// money moved. Every event's subject is the dispute as it is after the change.
public sealed record DisputeChange(Dispute Dispute, Charge? Charge, BalanceTransaction? Transaction, IReadOnlyList<string> Events);

/// <summary>
/// The dispute life cycle (§15), pure: open, stage or submit evidence, accept (close), expire, and the
/// network's verdict. Money follows the classic fee model (<see cref="DisputeFeeModel"/>): a chargeback
/// withdraws amount + fee at once; a win returns both; a loss keeps both; inquiries move no money.
/// </summary>
public static class DisputeRules
{
    // How long the merchant has to respond. Real deadlines depend on the network (~7–21 days, §15);
    // the emulator uses one constant, ending at 23:59:59 UTC of that day as Stripe's due_by values do.
    public const int DefaultResponseDays = 7;

    // The evidence text values Stripe's test mode reacts to (§18.6).
    public const string WinningEvidence = "winning_evidence";
    public const string LosingEvidence = "losing_evidence";
    // Summary sources (§15 [O/?]) name it for turning an inquiry into a chargeback.
    public const string EscalateInquiryEvidence = "escalate_inquiry_evidence";

    // dispute.evidence's string and file-id fields, in Stripe's order (enhanced_evidence is not emulated).
    public static readonly IReadOnlyList<string> EvidenceFields =
    [
        "access_activity_log", "billing_address", "cancellation_policy", "cancellation_policy_disclosure",
        "cancellation_rebuttal", "customer_communication", "customer_email_address", "customer_name",
        "customer_purchase_ip", "customer_signature", "duplicate_charge_documentation", "duplicate_charge_explanation",
        "duplicate_charge_id", "product_description", "receipt", "refund_policy", "refund_policy_disclosure",
        "refund_refusal_explanation", "service_date", "service_documentation", "shipping_address", "shipping_carrier",
        "shipping_date", "shipping_documentation", "shipping_tracking_number", "uncategorized_file", "uncategorized_text",
    ];

    public static long DueBy(long created, int days = DefaultResponseDays) =>
        BalanceRules.StartOfUtcDay(created) + (days + 1) * BalanceRules.SecondsPerDay - 1;

    /// <summary>
    /// The disputes a dispute test card scripts, opened when its charge's money is first captured (the
    /// charge was not captured in <paramref name="before"/>, or did not exist). Empty for every other change.
    /// Deviation: Stripe opens them "shortly after" the charge (seconds); we open them in the same unit of
    /// work. A card that disputes more than once opens all its disputes at once.
    /// </summary>
    public static IReadOnlyList<DisputeChange> ForTestCard(Charge? before, Charge after, long now, IdGenerator ids)
    {
        if (after.DisputeBehavior is not { } spec || before is { Captured: true }) return [];
        if (after is not { Status: ChargeStatus.Succeeded, Captured: true }) return [];
        var changes = new List<DisputeChange>();
        var charge = after;
        for (var i = 0; i < Math.Max(1, spec.Count); i++)
        {
            var opened = Open(charge, spec, now, ids);
            if (opened.IsError) break; // nothing left to dispute
            changes.Add(opened.Value);
            charge = opened.Value.Charge!;
        }
        return changes;
    }

    /// <summary>A network opens a dispute on a captured charge: a chargeback (money withdrawn) or an inquiry.</summary>
    public static Outcome<DisputeChange> Open(Charge charge, TestCardDispute spec, long now, IdGenerator ids)
    {
        if (charge is not { Status: ChargeStatus.Succeeded, Captured: true })
            return StripeError.ChargeNotDisputable(charge.Id, "it has not succeeded and been captured");
        var amount = charge.AmountCaptured - charge.AmountRefunded;
        if (amount <= 0) return StripeError.ChargeNotDisputable(charge.Id, "it has been fully refunded");

        var id = ids.Next("dp");
        var card = charge.PaymentMethodDetails;
        var brand = card?.Brand ?? "unknown";
        var dispute = new Dispute
        {
            Id = id, AccountId = charge.AccountId, Created = now,
            Amount = amount, Currency = charge.Currency, Charge = charge.Id, PaymentIntent = charge.PaymentIntent,
            Reason = spec.Reason,
            Status = spec.Inquiry ? DisputeStatus.WarningNeedsResponse : DisputeStatus.NeedsResponse,
            EvidenceDetails = new DisputeEvidenceDetails(DueBy(now), false, false, 0),
            IsChargeRefundable = spec.Inquiry,
            Card = new DisputeCardDetails(brand, card?.Network ?? brand,
                spec.Inquiry ? DisputeCaseType.Inquiry : DisputeCaseType.Chargeback, NetworkReasonCode(brand, spec.Reason)),
            EnhancedEligibilityTypes = spec.EnhancedEligibilityTypes,
        };
        var disputed = charge with { Disputed = true, Dispute = id };
        if (spec.Inquiry) return new DisputeChange(dispute, disputed, null, [EventTypes.ChargeDisputeCreated]);

        var (withdrawn, txn) = Withdraw(dispute, now, ids);
        return new DisputeChange(withdrawn, disputed with { RefundBlockedByDispute = true }, txn,
            [EventTypes.ChargeDisputeCreated, EventTypes.ChargeDisputeFundsWithdrawn]);
    }

    /// <summary>
    /// POST /v1/disputes/:id with evidence. Evidence is merged into what is staged (an empty value removes a
    /// field). Submitting decides per the test evidence text: winning_evidence wins, losing_evidence loses (an
    /// inquiry escalates to a chargeback instead, as a lost inquiry does), anything else waits under review.
    /// </summary>
    public static Outcome<DisputeChange> Update(
        Dispute d, Charge charge, IReadOnlyDictionary<string, string>? evidence, bool submit, long now, IdGenerator ids)
    {
        if (d.IsClosed) return StripeError.DisputeClosed(d.Id, d.Status.ToWire());
        if (!d.AwaitingResponse) return StripeError.DisputeEvidenceLocked(d.Id, d.Status.ToWire());
        var merged = d.Evidence;
        foreach (var (k, v) in evidence ?? new Dictionary<string, string>())
            merged = v.Length == 0 ? merged.Remove(k) : merged.SetItem(k, v);
        var details = d.EvidenceDetails with { HasEvidence = !merged.IsEmpty };
        var staged = d with { Evidence = merged, EvidenceDetails = details };
        if (!submit) return new DisputeChange(staged, null, null, [EventTypes.ChargeDisputeUpdated]);

        var submitted = staged with
        {
            EvidenceDetails = details with { SubmissionCount = details.SubmissionCount + 1, PastDue = d.DueBy is { } due && now > due },
        };
        var text = merged.GetValueOrDefault("uncategorized_text");
        if (text == WinningEvidence) return Resolve(submitted, charge, won: true, now, ids);
        if (text == LosingEvidence || (d.IsInquiry && text == EscalateInquiryEvidence)) return Resolve(submitted, charge, won: false, now, ids);
        var review = submitted with { Status = d.IsInquiry ? DisputeStatus.WarningUnderReview : DisputeStatus.UnderReview };
        return new DisputeChange(review, null, null, [EventTypes.ChargeDisputeUpdated]);
    }

    /// <summary>POST /v1/disputes/:id/close: the merchant accepts the dispute. A chargeback is lost; an inquiry simply closes.</summary>
    public static Outcome<DisputeChange> Close(Dispute d)
    {
        if (d.IsClosed) return StripeError.DisputeClosed(d.Id, d.Status.ToWire());
        var closed = d with { Status = d.IsInquiry ? DisputeStatus.WarningClosed : DisputeStatus.Lost };
        return new DisputeChange(closed, null, null, [EventTypes.ChargeDisputeClosed]);
    }

    /// <summary>
    /// For the scheduler: a dispute still awaiting a response after <see cref="Dispute.DueBy"/> is lost (an
    /// inquiry closes). Deviation: real unanswered inquiries may escalate to chargebacks; ours close.
    /// </summary>
    public static Outcome<DisputeChange> Expire(Dispute d, long now)
    {
        if (!d.AwaitingResponse || d.DueBy is not { } due || now <= due) return StripeError.DisputeNotDue(d.Id, d.Status.ToWire());
        var closed = d with { Status = d.IsInquiry ? DisputeStatus.WarningClosed : DisputeStatus.Lost };
        return new DisputeChange(closed, null, null, [EventTypes.ChargeDisputeClosed]);
    }

    /// <summary>The network's verdict on an open dispute (the test evidence and the control API's decide).</summary>
    public static Outcome<DisputeChange> Resolve(Dispute d, Charge charge, bool won, long now, IdGenerator ids)
    {
        if (d.IsClosed) return StripeError.DisputeClosed(d.Id, d.Status.ToWire());
        if (d.IsInquiry)
        {
            if (won) return new DisputeChange(d with { Status = DisputeStatus.WarningClosed }, null, null, [EventTypes.ChargeDisputeClosed]);
            // A lost inquiry becomes a chargeback on the same dispute: the money leaves now.
            var escalated = d with
            {
                Status = DisputeStatus.NeedsResponse, IsChargeRefundable = false,
                Card = d.Card with { CaseType = DisputeCaseType.Chargeback },
                EvidenceDetails = d.EvidenceDetails with { DueBy = DueBy(now) },
            };
            var (withdrawn, txn) = Withdraw(escalated, now, ids);
            return new DisputeChange(withdrawn, charge with { RefundBlockedByDispute = true }, txn,
                [EventTypes.ChargeDisputeUpdated, EventTypes.ChargeDisputeFundsWithdrawn]);
        }
        if (!won) return new DisputeChange(d with { Status = DisputeStatus.Lost }, null, null, [EventTypes.ChargeDisputeClosed]);

        var fee = DisputeFees.Amount(d.Currency);
        var reinstated = new BalanceTransaction
        {
            Id = ids.Next("txn"), AccountId = d.AccountId, Created = now,
            Amount = d.Amount, Currency = d.Currency, Fee = -fee, FeeDetails = [DisputeFees.Detail(-fee, d.Currency)],
            Type = BalanceTransactionType.Adjustment, ReportingCategory = ReportingCategory.DisputeReversal,
            Source = d.Id, Description = $"Chargeback reversal for {d.Charge}", AvailableOn = now,
        };
        var wonDispute = d with { Status = DisputeStatus.Won, BalanceTransactions = [.. d.BalanceTransactions, reinstated.Id] };
        return new DisputeChange(wonDispute, null, reinstated, [EventTypes.ChargeDisputeFundsReinstated, EventTypes.ChargeDisputeClosed]);
    }

    // The chargeback withdrawal: the disputed amount plus the dispute fee, available (i.e. taken) at once.
    private static (Dispute, BalanceTransaction) Withdraw(Dispute d, long now, IdGenerator ids)
    {
        var fee = DisputeFees.Amount(d.Currency);
        var txn = new BalanceTransaction
        {
            Id = ids.Next("txn"), AccountId = d.AccountId, Created = now,
            Amount = -d.Amount, Currency = d.Currency, Fee = fee, FeeDetails = [DisputeFees.Detail(fee, d.Currency)],
            Type = BalanceTransactionType.Adjustment, ReportingCategory = ReportingCategory.Dispute,
            Source = d.Id, Description = $"Chargeback withdrawal for {d.Charge}", AvailableOn = now,
        };
        return (d with { BalanceTransactions = [.. d.BalanceTransactions, txn.Id] }, txn);
    }

    // Visa and Mastercard reason codes for the reasons their test cards produce; other pairs are null
    // (Stripe renders null when the network sent none).
    public static string? NetworkReasonCode(string brand, string reason) => (brand, reason) switch
    {
        ("visa", "fraudulent" or "unrecognized") => "10.4",
        ("visa", "duplicate") => "12.6.1",
        ("visa", "product_not_received") => "13.1",
        ("visa", "subscription_canceled") => "13.2",
        ("visa", "product_unacceptable") => "13.3",
        ("visa", "credit_not_processed") => "13.6",
        ("mastercard", "fraudulent" or "unrecognized") => "4837",
        ("mastercard", "duplicate") => "4834",
        ("mastercard", "product_not_received") => "4855",
        ("mastercard", "product_unacceptable") => "4853",
        ("mastercard", "credit_not_processed" or "subscription_canceled") => "4860",
        _ => null,
    };
}
