using MockProcessor.Domain.PaymentIntents;
using MockProcessor.Domain.PaymentMethods;
using MockProcessor.Server.Resources.Charges;
using MockProcessor.Server.Resources.PaymentMethods;
using MockProcessor.Server.Resources.Shared;
using MockProcessor.Server.Wire;

namespace MockProcessor.Server.Resources.PaymentIntents;

/// <summary>
/// The server's half of 3-D Secure (docs/three-d-secure.md). The domain decides when a challenge is needed
/// and what completing it does (<see cref="PaymentIntentRules.Authenticate"/>); this stamps the challenge
/// page's address on a new <c>next_action</c> and runs a completion for both callers: the HTML test page a
/// customer's browser posts to, and the control API tests call with the merchant's key.
/// </summary>
public static class ThreeDSecureFlow
{
    public const string PagePath = "/_mock/3ds/";

    /// <summary>
    /// The challenge page of a PaymentIntent awaiting action. Absolute when the confirming request's address was
    /// recorded (always, since it exists); relative for rows stored before then.
    /// </summary>
    public static string PageUrl(PaymentIntent pi) =>
        $"{pi.NextAction?.PageBaseUrl}{PagePath}{pi.Id}?client_secret={Uri.EscapeDataString(pi.ClientSecret)}";

    /// <summary>
    /// A change that asks the customer to authenticate records where the emulator was reached, so the
    /// confirm response, later retrieves and the <c>payment_intent.requires_action</c> event all show the
    /// same absolute URL (rendering has no request to ask; webhooks are rendered with none at all).
    /// </summary>
    public static PaymentIntentChange WithPageUrl(ApiContext c, PaymentIntentChange change) =>
        change.PaymentIntent.NextAction is { PageBaseUrl: null } action && c.BaseUrl is { } baseUrl
            ? change with { PaymentIntent = change.PaymentIntent with { NextAction = action with { PageBaseUrl = baseUrl } } }
            : change;

    /// <summary>
    /// The customer completed (<paramref name="succeeded"/>) or failed the challenge of <paramref name="pi"/>.
    /// Stores the outcome with its events; a decline after authentication comes back as the change's
    /// <c>Error</c> (its failed charge is kept). A PaymentIntent not in requires_action throws Stripe's
    /// <c>payment_intent_unexpected_state</c>.
    /// </summary>
    public static PaymentIntentChange Authenticate(ApiContext c, PaymentIntent pi, bool succeeded)
    {
        if (PaymentIntentRules.Guard(pi, PaymentIntentAction.Authenticate) is { } unexpected) throw new StripeException(unexpected);
        var pm = (pi.PaymentMethod is { } id ? c.Tx.Get<PaymentMethod>(id) : null)
            ?? throw new InvalidOperationException($"{pi.Id} awaits authentication without a payment method.");
        var card = c.Service<TestCards>().Resolve(pm.Card.TestCardKey)
            ?? throw new InvalidOperationException($"{pm.Id} refers to unknown test card {pm.Card.TestCardKey}.");
        var outcome = PaymentIntentRules.Authenticate(pi, pm, card, succeeded, c.Now, c.Ids, ChargeEndpoints.AccountCountry,
            Shared.NetworkRuleBook.WithRules(c, new ConfirmOptions(), pi));
        if (outcome.IsError) throw new StripeException(outcome.Error!);
        var change = outcome.Value;
        Changes.Apply(c, change);
        SaveForFutureUsage(c, change, pm);
        // A Checkout Session's payment completes its session once authenticated (docs/checkout.md).
        Checkout.CheckoutFlow.AfterAuthentication(c, change.PaymentIntent);
        return change;
    }

    /// <summary><c>setup_future_usage</c> saves the card on the customer once the payment went through.</summary>
    public static void SaveForFutureUsage(ApiContext c, PaymentIntentChange change, PaymentMethod? pm)
    {
        var after = change.PaymentIntent;
        if (change.Error is null && after.SetupFutureUsage is not null && after.Customer is { } customer && pm is not null
            && pm.Customer is null && after.Status is PaymentIntentStatus.Succeeded or PaymentIntentStatus.RequiresCapture)
        {
            var attached = pm with { Customer = customer };
            c.Tx.Put(attached);
            c.Emit("payment_method.attached", attached);
        }
    }
}
