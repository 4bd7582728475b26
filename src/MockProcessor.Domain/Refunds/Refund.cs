using System.Collections.Immutable;
using MockProcessor.Domain.Common;

namespace MockProcessor.Domain.Refunds;

public enum RefundStatus { Pending, RequiresAction, Succeeded, Failed, Canceled }

// The first three may be passed by users; ExpiredUncapturedCharge is set by Stripe.
public enum RefundReason { Duplicate, Fraudulent, RequestedByCustomer, ExpiredUncapturedCharge }

public enum RefundFailureReason
{
    LostOrStolenCard, ExpiredOrCanceledCard, ChargeForPendingRefundDisputed, InsufficientFunds, Declined, MerchantRequest, Unknown,
}

public enum RefundPendingReason { Processing, InsufficientFunds, ChargePending }

// destination_details.card.type: a refund of settled money, or a reversal of an authorization.
public enum RefundDestinationType { Refund, Reversal }

public sealed record Refund : StripeObject
{
    public override string ObjectType => "refund";
    public required long Amount { get; init; }
    public required string Currency { get; init; }
    public required string Charge { get; init; }
    public string? PaymentIntent { get; init; }
    public string? PaymentMethod { get; init; }
    public required RefundStatus Status { get; init; }
    public RefundReason? Reason { get; init; }
    public RefundFailureReason? FailureReason { get; init; }
    public RefundPendingReason? PendingReason { get; init; }
    public string? BalanceTransaction { get; init; }
    public string? FailureBalanceTransaction { get; init; }
    public RefundDestinationType DestinationType { get; init; } = RefundDestinationType.Refund;
    public ImmutableSortedDictionary<string, string> Metadata { get; init; } = Common.Metadata.Empty;
    /// <summary>The transfer reversal made with reverse_transfer=true (docs/connect.md).</summary>
    public string? TransferReversal { get; init; }

    // Failed and canceled refunds gave the money back to the merchant, so it may be refunded again.
    public bool ReducesRefundable => Status is not (RefundStatus.Failed or RefundStatus.Canceled);
}
