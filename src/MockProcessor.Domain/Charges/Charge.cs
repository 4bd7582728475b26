using System.Collections.Immutable;
using MockProcessor.Domain.CardNetwork;
using MockProcessor.Domain.Common;
using MockProcessor.Domain.PaymentMethods;

namespace MockProcessor.Domain.Charges;

public enum ChargeStatus { Succeeded, Pending, Failed }

// One attempt to move money (§13). PaymentIntents create one per confirmation that reaches the network
// or Radar, failed or not. `refunds` is not stored here: it is the list of Refund objects for this charge.
public sealed record Charge : StripeObject
{
    public override string ObjectType => "charge";
    public required long Amount { get; init; }
    public long AmountCaptured { get; init; }
    // Includes an uncaptured remainder released by a partial capture or a cancel (see PaymentIntentRules.Capture).
    public long AmountRefunded { get; init; }
    public bool Captured { get; init; }
    public bool Paid { get; init; }
    public bool Refunded { get; init; }
    public required ChargeStatus Status { get; init; }
    public required string Currency { get; init; }
    public string? Customer { get; init; }
    public string? Description { get; init; }
    public string? PaymentIntent { get; init; }
    public string? PaymentMethod { get; init; }
    // A legacy charge on a saved card (card_): a copy of the card as charged, rendered as `source`; its id is also
    // the charge's payment_method, as Stripe reports it. Null for PaymentMethod charges.
    public Customers.CardSource? Source { get; init; }
    public CardPaymentDetails? PaymentMethodDetails { get; init; }
    public BillingDetails BillingDetails { get; init; } = BillingDetails.Empty;
    public ChargeOutcome? Outcome { get; init; }
    public string? FailureCode { get; init; }
    public string? FailureMessage { get; init; }
    public string? BalanceTransaction { get; init; }
    public bool Disputed { get; init; }
    // The latest dispute's id. Not rendered: charge.dispute left the API before the current version (the
    // fixture has no such field); GET /v1/disputes?charge= finds them.
    public string? Dispute { get; init; }
    // Set by a chargeback (not an inquiry): Stripe refuses refunds with charge_disputed once the money is in
    // the network's hands, while an inquiry's charge may still be refunded (dispute.is_charge_refundable).
    public bool RefundBlockedByDispute { get; init; }
    // fraud_details.stripe_report: "fraudulent" when Radar blocked the charge.
    public string? FraudStripeReport { get; init; }
    public ImmutableSortedDictionary<string, string> Metadata { get; init; } = Common.Metadata.Empty;
    public string? ReceiptEmail { get; init; }
    public string? ReceiptUrl { get; init; }
    public string? StatementDescriptor { get; init; }
    public string? StatementDescriptorSuffix { get; init; }
    public string? CalculatedStatementDescriptor { get; init; }

    // Emulator-only, not rendered: the test card's funds and refund behaviour, copied at authorization so
    // capture and refunds do not need to look the card up again.
    public FundsAvailability Funds { get; init; } = FundsAvailability.Pending;
    public RefundBehavior RefundBehavior { get; init; } = RefundBehavior.Succeed;
    // The dispute card's scripted dispute, opened when the charge's money is captured (DisputeRules.ForTestCard).
    public TestCardDispute? DisputeBehavior { get; init; }

    // Emulator-only, not rendered (visible through GET /_mock/charges/:id/network): the network rule that
    // decided this attempt, and a timed-out attempt's eventual answer while the charge is pending.
    public string? NetworkRule { get; init; }
    public PendingNetworkSettlement? PendingSettlement { get; init; }

    public long? CaptureBefore => PaymentMethodDetails?.CaptureBefore;

    // Connect (docs/connect.md): the PaymentIntent's parameters, the application fee and transfer its capture made,
    // and on a connected account's py_ payment, the transfer that created it.
    public Connect.ConnectPayment? Connect { get; init; }
    public string? ApplicationFee { get; init; }
    public string? Transfer { get; init; }
    public string? SourceTransfer { get; init; }

    // What a refund may still return. An uncaptured charge has nothing to refund (its authorization is
    // released by canceling the PaymentIntent instead).
    public long Refundable => Captured ? Amount - AmountRefunded : 0;
}
