using MockProcessor.Domain.Common;
using MockProcessor.Domain.Customers;
using MockProcessor.Domain.PaymentIntents;

namespace MockProcessor.Domain.ConfirmationTokens;

/// <summary>
/// A ConfirmationToken (<c>ctoken_</c>): the payment details Stripe.js collected (<c>createConfirmationToken</c>), for
/// the merchant's server to confirm a PaymentIntent or SetupIntent with (<c>confirmation_token=ctoken_...</c>). It holds
/// no card number: the card is kept as the payment method <see cref="PaymentMethod"/> made when the token was created,
/// which the confirmation uses. Usable once, until <see cref="ExpiresAt"/>.
/// </summary>
public sealed record ConfirmationToken : StripeObject
{
    public override string ObjectType => "confirmation_token";

    /// <summary>Stripe lets a ConfirmationToken be used for 12 hours.</summary>
    public const long Lifetime = 12 * 3600;

    public required long ExpiresAt { get; init; }
    public required string PaymentMethod { get; init; }
    public string? ReturnUrl { get; init; }
    public SetupFutureUsage? SetupFutureUsage { get; init; }
    public ShippingDetails? Shipping { get; init; }
    public bool UseStripeSdk { get; init; }
    /// <summary>The intent it confirmed; set once used.</summary>
    public string? PaymentIntent { get; init; }
    public string? SetupIntent { get; init; }

    public bool Used => PaymentIntent is not null || SetupIntent is not null;
}

public sealed record ShippingDetails(Address? Address, string? Name, string? Phone);
