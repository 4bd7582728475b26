using MockProcessor.Domain.CardNetwork;

namespace MockProcessor.Domain.Charges;

// payment_method_details.card.checks after the attempt; null when the value was never supplied.
public sealed record CardChecks(CheckResult? CvcCheck, CheckResult? AddressLine1Check, CheckResult? AddressPostalCodeCheck)
{
    public static CardChecks None { get; } = new(null, null, null);
}

public enum ThreeDSecureResult { Authenticated, AttemptAcknowledged, Exempted, Failed, NotSupported, ProcessingError }

// payment_method_details.card.three_d_secure; null on the charge when no authentication was attempted.
public sealed record ThreeDSecureDetails(ThreeDSecureResult Result, string Version = "2.2.0");

// payment_method_details.card: a snapshot of the card at the time of the charge, so later edits to the
// PaymentMethod never rewrite history.
public sealed record CardPaymentDetails(
    string Brand, string Country, int ExpMonth, int ExpYear, string Fingerprint, string Funding, string Last4,
    string Network, CardChecks Checks, ThreeDSecureDetails? ThreeDSecure)
{
    // Where Stripe renders it: the moment an uncaptured authorization expires.
    public long? CaptureBefore { get; init; }
    public long? AmountAuthorized { get; init; }
    // Emulator-only, not rendered: which test-card behaviour produced this charge.
    public string? TestCardKey { get; init; }
}
