using System.Collections.Immutable;
using MockProcessor.Domain.Common;
using MockProcessor.Domain.Customers;

namespace MockProcessor.Domain.PaymentMethods;

/// <summary>
/// What Stripe keeps of a card: never the number or CVC, only what it shows back. <see cref="TestCardKey"/>
/// remembers which test-card behaviour the card network should apply (a catalogue alias or number's last
/// digits are not enough: aliases share numbers but differ in behaviour).
/// </summary>
public sealed record CardDetails(
    string Brand, string? DisplayBrand, string Country, int ExpMonth, int ExpYear, string Fingerprint,
    string Funding, string Last4, string? CvcCheck, string? AddressLine1Check, string? AddressPostalCodeCheck)
{
    public required string TestCardKey { get; init; }
}

public sealed record BillingDetails(Address? Address, string? Email, string? Name, string? Phone)
{
    public static BillingDetails Empty { get; } = new(null, null, null, null);
}

public sealed record PaymentMethod : StripeObject
{
    public override string ObjectType => "payment_method";
    public string Type { get; init; } = "card";
    public required CardDetails Card { get; init; }
    public BillingDetails BillingDetails { get; init; } = BillingDetails.Empty;
    public string? Customer { get; init; }
    public string AllowRedisplay { get; init; } = "unspecified";
    public ImmutableSortedDictionary<string, string> Metadata { get; init; } = Common.Metadata.Empty;

    // Emulator-only, not rendered: the customer authenticated this card for later off-session use (a succeeded
    // SetupIntent with usage=off_session, or a PaymentIntent with setup_future_usage=off_session), so the cards that
    // demand authentication "unless set up" (…3155) pass off session (STRIPE_BEHAVIOR §11.6, §18.5).
    public bool SetUpForOffSession { get; init; }
}
