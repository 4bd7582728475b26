using System.Collections.Immutable;
using MockProcessor.Domain.Balance;
using MockProcessor.Domain.Charges;
using MockProcessor.Domain.Errors;
using MockProcessor.Domain.Refunds;

namespace MockProcessor.Domain.PaymentIntents;

// The operations the transition table knows. Update is split because Stripe lets descriptive fields
// change on a succeeded PaymentIntent but not the money fields.
public enum PaymentIntentAction { UpdateDetails, UpdatePayment, Confirm, Authenticate, Capture, Cancel, Expire }

public sealed record CreatePaymentIntent(long Amount, string Currency)
{
    public CaptureMethod CaptureMethod { get; init; } = CaptureMethod.Automatic;
    public ConfirmationMethod ConfirmationMethod { get; init; } = ConfirmationMethod.Automatic;
    public string? PaymentMethod { get; init; }
    // Null means "not passed": since 2023-08-16 that turns automatic_payment_methods on.
    public IReadOnlyList<string>? PaymentMethodTypes { get; init; }
    public IReadOnlyList<string>? AllowedPaymentMethodTypes { get; init; }
    public IReadOnlyList<string>? ExcludedPaymentMethodTypes { get; init; }
    public string? AllowRedirects { get; init; }
    public string? Customer { get; init; }
    public string? Description { get; init; }
    public ImmutableSortedDictionary<string, string>? Metadata { get; init; }
    public string? ReceiptEmail { get; init; }
    public SetupFutureUsage? SetupFutureUsage { get; init; }
    public string? StatementDescriptor { get; init; }
    public string? StatementDescriptorSuffix { get; init; }
    public string? ReturnUrl { get; init; }
}

// Null fields are "not passed". Metadata is the already-merged result of Common.Metadata.Apply.
public sealed record UpdatePaymentIntent
{
    public long? Amount { get; init; }
    // Explicit types (allowed_payment_method_types, or payment_method_types before endive): automatic payment methods off.
    public IReadOnlyList<string>? PaymentMethodTypes { get; init; }
    public IReadOnlyList<string>? AllowedPaymentMethodTypes { get; init; }
    public IReadOnlyList<string>? ExcludedPaymentMethodTypes { get; init; }
    public string? Currency { get; init; }
    public string? PaymentMethod { get; init; }
    public CaptureMethod? CaptureMethod { get; init; }
    public SetupFutureUsage? SetupFutureUsage { get; init; }
    public string? Customer { get; init; }
    public string? Description { get; init; }
    public ImmutableSortedDictionary<string, string>? Metadata { get; init; }
    public string? ReceiptEmail { get; init; }
    public string? StatementDescriptorSuffix { get; init; }
}

public sealed record ConfirmOptions
{
    public bool OffSession { get; init; }
    // The payment method was set up for off-session use (SetupIntent or setup_future_usage); the server knows.
    public bool SetupForOffSession { get; init; }
    public string? ReturnUrl { get; init; }
    public bool UseStripeSdk { get; init; }
    public string AccountCountry { get; init; } = "US";
    // The merchant's scripted network rules and this attempt's number on the PI (charges already on it + 1).
    public IReadOnlyList<CardNetwork.NetworkRule> NetworkRules { get; init; } = [];
    public int AttemptNumber { get; init; } = 1;
}

// What one PaymentIntent decision changed. The store saves every non-null object in one transaction and
// records Events in order; when Error is set (a decline) the endpoint answers it as a 402 *after* saving,
// because the failed charge and the PI's last_payment_error are real state (STYLE §4).
public sealed record PaymentIntentChange(
    PaymentIntent PaymentIntent,
    Charge? Charge,
    BalanceTransaction? BalanceTransaction,
    Refund? Refund,
    IReadOnlyList<string> Events,
    StripeError? Error = null)
{
    // The network rule that decided the attempt: the caller counts its firing (NetworkRules.RecordFired).
    public string? FiredRule { get; init; }

    // The network's answer when this change is an authorization attempt (the server counts them by outcome).
    public CardNetwork.NetworkDecision? Decision { get; init; }
}
