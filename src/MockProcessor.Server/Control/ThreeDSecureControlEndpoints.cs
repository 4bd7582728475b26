using MockProcessor.Domain.Errors;
using MockProcessor.Domain.PaymentIntents;
using MockProcessor.Domain.SetupIntents;
using MockProcessor.Server.Resources.PaymentIntents;
using MockProcessor.Server.Resources.SetupIntents;
using MockProcessor.Server.Wire;

namespace MockProcessor.Server.Control;

/// <summary>
/// 3-D Secure without a browser: completes or fails the challenge of a PaymentIntent in requires_action, as
/// the test page's buttons do. Runs through the Stripe pipeline (<see cref="StripeApi"/>) like the webhook
/// control routes: the merchant's secret key, Idempotency-Key, unknown-parameter checks, Stripe's errors, the
/// merchant's lock and a durable commit. Not Stripe's API, so not in <c>Registry.Routes()</c>.
/// See docs/three-d-secure.md.
/// </summary>
public static class ThreeDSecureControlEndpoints
{
    public static IEnumerable<ApiRoute> Routes() =>
    [
        new("POST", "/_mock/payment_intents/{id}/authenticate", "payment_intent", Authenticate) { Params = "outcome" },
        new("POST", "/_mock/setup_intents/{id}/authenticate", "setup_intent", AuthenticateSetup) { Params = "outcome" },
    ];

    /// <summary>
    /// Answers the PaymentIntent after the challenge, like confirm: 200 when it went on (succeeded,
    /// requires_capture, requires_confirmation for manual confirmation, or requires_payment_method after a
    /// failed challenge), 402 with the card error when the issuer declined after authentication.
    /// </summary>
    private static ApiResult Authenticate(ApiContext c)
    {
        var outcome = Outcome(c);
        var pi = c.Load<PaymentIntent>(c.Route("id"), "payment_intent");
        var change = ThreeDSecureFlow.Authenticate(c, pi, succeeded: outcome == "complete");
        return change.Error is { } error ? ApiResult.Fail(error) : c.Respond(change.PaymentIntent);
    }

    /// <summary>The same for a SetupIntent: 200 (succeeded, or requires_payment_method after a failed challenge), 402 on a decline.</summary>
    private static ApiResult AuthenticateSetup(ApiContext c)
    {
        var outcome = Outcome(c);
        var si = c.Load<SetupIntent>(c.Route("id"), "setup_intent");
        var change = SetupIntentEndpoints.Authenticate(c, si, succeeded: outcome == "complete");
        return change.Error is { } error ? ApiResult.Fail(error) : c.Respond(change.SetupIntent);
    }

    private static string Outcome(ApiContext c) =>
        c.P.Enum("outcome", "complete", "fail") ?? throw new StripeException(StripeError.ParameterMissing("outcome"), beforeExecution: true);
}
