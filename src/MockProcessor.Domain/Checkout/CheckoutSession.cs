using System.Collections.Immutable;
using MockProcessor.Domain.Common;
using MockProcessor.Domain.PaymentIntents;

namespace MockProcessor.Domain.Checkout;

public enum CheckoutMode { Payment, Setup, Subscription }
public enum CheckoutStatus { Open, Complete, Expired }
public enum CheckoutPaymentStatus { Paid, Unpaid, NoPaymentRequired }
public enum CustomerCreation { Always, IfRequired }

/// <summary>A line item's quantity the customer may change on the page, within bounds.</summary>
public sealed record AdjustableQuantity(bool Enabled, long? Minimum, long? Maximum);

/// <summary>
/// One line of a session (<c>li_</c>, rendered as an <c>item</c>): a quantity of a price, its amounts fixed when the
/// session is created (Stripe has no discounts or tax here until billing exists, so subtotal = total).
/// </summary>
public sealed record CheckoutLineItem(string Id, string Price, long Quantity, string Currency, long AmountSubtotal, long AmountTotal, string Description)
{
    public AdjustableQuantity? AdjustableQuantity { get; init; }
    /// <summary>This line's share of the session's discount (<c>amount_discount</c>); AmountTotal is after it.</summary>
    public long AmountDiscount { get; init; }
    public ImmutableSortedDictionary<string, string>? Metadata { get; init; }
}

/// <summary>What the session's PaymentIntent is created with once the customer pays (<c>payment_intent_data</c>).</summary>
public sealed record CheckoutPaymentIntentData
{
    public CaptureMethod? CaptureMethod { get; init; }
    public SetupFutureUsage? SetupFutureUsage { get; init; }
    public string? Description { get; init; }
    public string? ReceiptEmail { get; init; }
    public string? StatementDescriptor { get; init; }
    public string? StatementDescriptorSuffix { get; init; }
    public ImmutableSortedDictionary<string, string> Metadata { get; init; } = Common.Metadata.Empty;
}

/// <summary>What the session's SetupIntent is created with in setup mode (<c>setup_intent_data</c>).</summary>
public sealed record CheckoutSetupIntentData
{
    public string? Description { get; init; }
    public ImmutableSortedDictionary<string, string> Metadata { get; init; } = Common.Metadata.Empty;
}

/// <summary>What the session's subscription is created with in subscription mode (<c>subscription_data</c>).</summary>
public sealed record CheckoutSubscriptionData
{
    public long? TrialPeriodDays { get; init; }
    public string? Description { get; init; }
    public ImmutableSortedDictionary<string, string> Metadata { get; init; } = Common.Metadata.Empty;
}

/// <summary>The customer as the page collected them (<c>customer_details</c>).</summary>
public sealed record CheckoutCustomerDetails(string? Email, string? Name);

/// <summary>
/// A Checkout Session (<c>cs_test_</c>): what the hosted page sells and where it sends the customer afterwards. Its
/// PaymentIntent (payment mode) or SetupIntent (setup mode) exists only once the customer submits the form, as Stripe's
/// deferred intents do. Transitions: <see cref="CheckoutSessionRules"/> (docs/checkout.md).
/// </summary>
public sealed record CheckoutSession : StripeObject
{
    public override string ObjectType => "checkout.session";
    public required CheckoutMode Mode { get; init; }
    public CheckoutStatus Status { get; init; } = CheckoutStatus.Open;
    public CheckoutPaymentStatus PaymentStatus { get; init; } = CheckoutPaymentStatus.Unpaid;
    public required long ExpiresAt { get; init; }
    /// <summary>Null in setup mode when no currency was given.</summary>
    public string? Currency { get; init; }
    public long? AmountSubtotal { get; init; }
    public long? AmountTotal { get; init; }
    public IReadOnlyList<CheckoutLineItem> LineItems { get; init; } = [];
    public string? SuccessUrl { get; init; }
    public string? CancelUrl { get; init; }
    public string? Customer { get; init; }
    public string? CustomerEmail { get; init; }
    /// <summary>Null when the mode has no choice (setup mode always ends with what the caller gave).</summary>
    public CustomerCreation? CustomerCreation { get; init; }
    public CheckoutCustomerDetails? CustomerDetails { get; init; }
    public string? ClientReferenceId { get; init; }
    public ImmutableSortedDictionary<string, string> Metadata { get; init; } = Common.Metadata.Empty;
    public CheckoutPaymentIntentData? PaymentIntentData { get; init; }
    public CheckoutSetupIntentData? SetupIntentData { get; init; }
    public string? PaymentIntent { get; init; }
    public string? SetupIntent { get; init; }
    public CheckoutSubscriptionData? SubscriptionData { get; init; }
    /// <summary>Subscription mode: the subscription made when the customer paid (kept while 3-D Secure is pending).</summary>
    public string? Subscription { get; init; }
    /// <summary>Subscription mode: the subscription's first invoice.</summary>
    public string? Invoice { get; init; }
    /// <summary>Accepted and stored; promotion codes are not emulated yet, so it changes nothing on the page.</summary>
    public bool? AllowPromotionCodes { get; init; }
    /// <summary>The discount applied (<c>di_</c>; at most one, as at Stripe), from <c>discounts[]</c> or a code typed on the page.</summary>
    public ImmutableList<string> Discounts { get; init; } = [];
    public long AmountDiscount { get; init; }
    public IReadOnlyList<string> PaymentMethodTypes { get; init; } = ["card"];
    public string? Locale { get; init; }
    public string? SubmitType { get; init; }
    public string? BillingAddressCollection { get; init; }
    /// <summary><c>scheme://host</c> the session was created through: the base of its hosted page's <c>url</c>.</summary>
    public string? PageBaseUrl { get; init; }
}
