using MockProcessor.Domain.Checkout;
using MockProcessor.Domain.Errors;
using MockProcessor.Server.Resources.Checkout;
using MockProcessor.Server.Wire;

namespace MockProcessor.Server.Control;

/// <summary>
/// Checkout without a browser (docs/checkout.md): pays an open session as the hosted page's form would, with a test
/// card number or a PaymentMethod (an alias such as <c>pm_card_visa</c>). Runs through the Stripe pipeline with the
/// merchant's secret key, like the other control routes; not Stripe's API, so not in <c>Registry.Routes()</c>.
/// </summary>
public static class CheckoutControlEndpoints
{
    public static IEnumerable<ApiRoute> Routes() =>
    [
        new("POST", "/_mock/checkout/sessions/{id}/complete", "checkout.session", Complete)
            { Params = "card cvc email exp_month exp_year name payment_method" },
    ];

    /// <summary>
    /// 200 with the session: complete, or still open with its PaymentIntent in requires_action for a 3-D Secure card
    /// (finish it with <c>POST /_mock/payment_intents/{pi}/authenticate</c>); 402 with the card error for a decline (the
    /// session stays open, the failed charge is kept, as on the page).
    /// </summary>
    private static ApiResult Complete(ApiContext c)
    {
        var p = c.P;
        var card = p.String("card", 40);
        var pmId = p.String("payment_method");
        var email = p.String("email", 800);
        var name = p.String("name", 256);
        var expMonth = p.String("exp_month", 4) ?? "12";
        var expYear = p.String("exp_year", 6) ?? (DateTimeOffset.FromUnixTimeSeconds(c.Now).Year + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var cvc = p.String("cvc", 8);
        if (card is not null && pmId is not null)
            throw new StripeException(StripeError.ParametersExclusive("card", "payment_method"), beforeExecution: true);
        if (card is null && pmId is null)
            throw new StripeException(StripeError.ParameterMissing("card"), beforeExecution: true);
        var session = c.Load<CheckoutSession>(c.Route("id"), "checkout.session");
        if (!CheckoutSessionRules.Allows(session.Status, CheckoutSessionRules.Trigger.Pay) || c.Now >= session.ExpiresAt)
            throw new StripeException(CheckoutFlow.NotPayable(session, c.Now));
        var customerEmail = session.Customer is null ? email ?? session.CustomerDetails?.Email : null;
        var pm = card is not null
            ? CheckoutCard.FromFields(c, card, expMonth, expYear, cvc, customerEmail, name)
            : CheckoutCard.FromPaymentMethod(c, pmId!, customerEmail, name, "payment_method");
        var attempt = CheckoutFlow.Pay(c, session, pm);
        return attempt.Error is { } error ? ApiResult.Fail(error) : c.Respond(attempt.Session);
    }
}
