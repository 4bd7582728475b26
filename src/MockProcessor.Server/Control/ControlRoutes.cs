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
            .Concat(ClockControlEndpoints.Routes())
            .Concat(DisputeControlEndpoints.Routes())
            .Concat(ThreeDSecureControlEndpoints.Routes())
            .Concat(NetworkRuleControlEndpoints.Routes())
            .Concat(FaultControlEndpoints.Routes())
            .Concat(KeyControlEndpoints.Routes());
}
