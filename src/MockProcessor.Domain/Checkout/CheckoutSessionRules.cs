using MockProcessor.Domain.Common;
using MockProcessor.Domain.Errors;

namespace MockProcessor.Domain.Checkout;

/// <summary>
/// Stripe's rules for Checkout Sessions. The state machine is one table:
/// <code>
///   open ──pay (card succeeded / setup succeeded)──▶ complete   payment_status paid | no_payment_required
///   open ──expire (POST /expire, or expires_at passed)──▶ expired
///   complete, expired: final
/// </code>
/// A declined attempt leaves the session open (the customer may try another card).
/// </summary>
public static class CheckoutSessionRules
{
    public const long MinLifetimeSeconds = 30 * 60;
    public const long MaxLifetimeSeconds = 24 * 60 * 60;
    public const int MaxLineItems = 100;

    public enum Trigger { Pay, Expire }

    /// <summary>Whether <paramref name="trigger"/> may happen to a session in <paramref name="status"/>.</summary>
    public static bool Allows(CheckoutStatus status, Trigger trigger) => (status, trigger) switch
    {
        (CheckoutStatus.Open, Trigger.Pay) => true,
        (CheckoutStatus.Open, Trigger.Expire) => true,
        _ => false,
    };

    /// <summary><c>expires_at</c>: 30 minutes to 24 hours after creation; 24 hours when not given.</summary>
    public static Outcome<long> ExpiresAt(long? requested, long now)
    {
        if (requested is not { } at) return now + MaxLifetimeSeconds;
        if (at < now + MinLifetimeSeconds)
            return StripeError.InvalidValue("expires_at",
                "The `expires_at` timestamp must be at least 30 minutes after the Checkout Session is created.");
        if (at > now + MaxLifetimeSeconds)
            return StripeError.InvalidValue("expires_at",
                "The `expires_at` timestamp must be less than 24 hours after the Checkout Session is created.");
        return at;
    }

    /// <summary>
    /// A line item in the mode: a recurring price needs subscription mode (Stripe's wording), and all lines share one
    /// currency.
    /// </summary>
    public static StripeError? CheckLine(CheckoutMode mode, bool recurring, string currency, string? sessionCurrency, int index)
    {
        if (mode == CheckoutMode.Payment && recurring)
            return StripeError.InvalidValue($"line_items[{index}][price]",
                "You specified `payment` mode but passed a recurring price. Either switch to `subscription` mode or use only one-time prices.");
        if (sessionCurrency is not null && currency != sessionCurrency)
            return StripeError.InvalidValue($"line_items[{index}]",
                $"All line items must use the same currency: line_items[{index}] is in {currency}, the ones before it in {sessionCurrency}.");
        return null;
    }

    /// <summary>The session after a successful payment or setup: complete, its intent recorded, the customer known.</summary>
    public static Outcome<CheckoutSession> Complete(CheckoutSession s, string? paymentIntent, string? setupIntent, string? customer,
        CheckoutCustomerDetails details)
    {
        if (!Allows(s.Status, Trigger.Pay)) return NotOpen(s, "completed");
        return s with
        {
            Status = CheckoutStatus.Complete,
            PaymentStatus = s.Mode == CheckoutMode.Setup || s.AmountTotal == 0 ? CheckoutPaymentStatus.NoPaymentRequired : CheckoutPaymentStatus.Paid,
            PaymentIntent = paymentIntent ?? s.PaymentIntent,
            SetupIntent = setupIntent ?? s.SetupIntent,
            Customer = customer ?? s.Customer,
            CustomerDetails = details,
        };
    }

    public static Outcome<CheckoutSession> Expire(CheckoutSession s) =>
        Allows(s.Status, Trigger.Expire) ? s with { Status = CheckoutStatus.Expired } : NotOpen(s, "expired");

    /// <summary>When the session's expiry is due on the merchant's clock: its expires_at while it is open.</summary>
    public static long? ExpiryDueAt(CheckoutSession s) => s.Status == CheckoutStatus.Open ? s.ExpiresAt : null;

    // Stripe's exact text is not known (BILLING_CHECKOUT §7.2); this one names the session and its status.
    private static StripeError NotOpen(CheckoutSession s, string verb) =>
        new(400, StripeError.InvalidRequest, null, $"Checkout Session {s.Id} cannot be {verb}: its status is {s.Status.ToWire()}; only an open session can.");
}
