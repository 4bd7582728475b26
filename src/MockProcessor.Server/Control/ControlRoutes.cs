using MockProcessor.Server.Wire;

namespace MockProcessor.Server.Control;

/// <summary>
/// The emulator's own routes that act for a merchant (under <c>/_mock</c>). They run through <see cref="StripeApi"/>
/// like /v1 routes (the merchant's key, Stripe errors, the merchant's lock) but are not Stripe's API.
/// One table, so the app maps them and the isolation test walks them from the same list.
/// </summary>
public static class ControlRoutes
{
    public static IEnumerable<ApiRoute> All() =>
        WebhookControlEndpoints.Routes()
            .Concat(MerchantOnly(ClockControlEndpoints.Routes()))
            .Concat(DisputeControlEndpoints.Routes())
            .Concat(ThreeDSecureControlEndpoints.Routes())
            .Concat(CheckoutControlEndpoints.Routes())
            .Concat(NetworkRuleControlEndpoints.Routes())
            .Concat(ReconciliationControlEndpoints.Routes())
            .Concat(MerchantOnly(FaultControlEndpoints.Routes()))
            .Concat(KeyControlEndpoints.Routes())
            .Concat(PayoutControlEndpoints.Routes())
            .Concat(BillingControlEndpoints.Routes())
            .Concat(DiscrepancyControlEndpoints.Routes())
            .Concat(EventStreamEndpoints.Routes());

    /// <summary>
    /// Settings of the whole account tree (its clock, its HTTP faults: docs/connect.md) belong to the merchant: with
    /// <c>Stripe-Account</c> naming a connected account these routes answer 400 instead of acting on the platform's.
    /// </summary>
    private static IEnumerable<ApiRoute> MerchantOnly(IEnumerable<ApiRoute> routes) =>
        routes.Select(r => r with
        {
            Handler = c => c.Account.Platform is null ? r.Handler(c)
                : throw new StripeException(Domain.Errors.StripeError.InvalidValue("Stripe-Account",
                    $"{r.Pattern} acts on the merchant's whole account tree; call it as the platform, without Stripe-Account."), beforeExecution: true),
        });
}
