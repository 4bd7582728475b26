using System.Collections.Immutable;
using MockProcessor.Domain.Common;

namespace MockProcessor.Domain.Disputes;

// dispute.status (§15). Warning* are inquiries (retrieval requests): no money moves while they last.
// Prevented is newer than the spec we check against; no path of ours produces it, it is kept for the wire set.
public enum DisputeStatus
{
    WarningNeedsResponse, WarningUnderReview, WarningClosed, NeedsResponse, UnderReview, Won, Lost, Prevented,
}

// payment_method_details.card.case_type
public enum DisputeCaseType { Chargeback, Inquiry }

// evidence_details. DueBy is what a scheduler reads to call DisputeRules.Expire; PastDue records whether
// the last submission came after it (Stripe's meaning), not whether the deadline has passed now.
public sealed record DisputeEvidenceDetails(long? DueBy, bool HasEvidence, bool PastDue, int SubmissionCount);

// payment_method_details.card: the card network's view of the case.
public sealed record DisputeCardDetails(string Brand, string Network, DisputeCaseType CaseType, string? NetworkReasonCode);

// A card network's challenge of a captured charge (§15). The evidence is a map from Stripe's evidence field
// names (DisputeRules.EvidenceFields) to the strings or file ids given; absent keys render as null.
public sealed record Dispute : StripeObject
{
    public override string ObjectType => "dispute";
    public required long Amount { get; init; }
    public required string Currency { get; init; }
    public required string Charge { get; init; }
    public string? PaymentIntent { get; init; }
    // Wire string (fraudulent, product_not_received, ...): Stripe adds reasons over time, and one arriving from
    // the test-card catalogue or the control API must not need a code change to be stored.
    public required string Reason { get; init; }
    public required DisputeStatus Status { get; init; }
    public ImmutableSortedDictionary<string, string> Evidence { get; init; } = Common.Metadata.Empty;
    public required DisputeEvidenceDetails EvidenceDetails { get; init; }
    public bool IsChargeRefundable { get; init; }
    // Oldest first, as Stripe lists them: the withdrawal, then the reinstatement if won.
    public IReadOnlyList<string> BalanceTransactions { get; init; } = [];
    public required DisputeCardDetails Card { get; init; }
    public IReadOnlyList<string> EnhancedEligibilityTypes { get; init; } = [];
    public ImmutableSortedDictionary<string, string> Metadata { get; init; } = Common.Metadata.Empty;

    public bool IsInquiry => Card.CaseType is DisputeCaseType.Inquiry;
    public bool IsClosed => Status is DisputeStatus.Won or DisputeStatus.Lost or DisputeStatus.WarningClosed or DisputeStatus.Prevented;
    // Still waiting for the merchant: the only states in which evidence may change and the deadline matters.
    public bool AwaitingResponse => Status is DisputeStatus.NeedsResponse or DisputeStatus.WarningNeedsResponse;
    public long? DueBy => EvidenceDetails.DueBy;
}
