using MockProcessor.Domain.CardNetwork;
using MockProcessor.Domain.Charges;
using MockProcessor.Domain.Disputes;
using MockProcessor.Domain.Errors;
using MockProcessor.Server.Resources.Shared;
using MockProcessor.Server.Wire;

namespace MockProcessor.Server.Control;

/// <summary>
/// Beyond Stripe: open a dispute on any succeeded charge and decide one, so tests need neither a dispute
/// card nor the magic evidence strings. Same pipeline and merchant-key auth as the webhook control routes
/// (<see cref="WebhookControlEndpoints"/>); answers are dispute objects. See docs/disputes.md "Control API".
/// </summary>
public static class DisputeControlEndpoints
{
    // Stripe's dispute reasons (§15); the control API refuses others so a typo fails loudly.
    internal static readonly string[] Reasons =
    [
        "bank_cannot_process", "check_returned", "credit_not_processed", "customer_initiated", "debit_not_authorized",
        "duplicate", "fraudulent", "general", "incorrect_account_details", "insufficient_funds", "noncompliant",
        "product_not_received", "product_unacceptable", "subscription_canceled", "unrecognized",
    ];

    public static IEnumerable<ApiRoute> Routes() =>
    [
        new("POST", "/_mock/disputes", "dispute", Open) { Params = "charge inquiry reason" },
        new("POST", "/_mock/disputes/{id}/decide", "dispute", Decide) { Params = "outcome" },
    ];

    private static ApiResult Open(ApiContext c)
    {
        var p = c.P;
        var chargeId = p.RequiredString("charge");
        var reason = p.Enum("reason", Reasons) ?? "fraudulent";
        var inquiry = p.Bool("inquiry") ?? false;
        var charge = c.Load<Charge>(chargeId, "charge", "charge");
        var spec = new TestCardDispute(reason, inquiry ? "warning_needs_response" : "needs_response", inquiry, 1, []);
        var change = DisputeRules.Open(charge, spec, c.Now, c.Ids).OrThrow();
        Changes.Apply(c, change);
        return c.Respond(change.Dispute);
    }

    // outcome=won|lost: the network's verdict, as if the evidence had been reviewed. For an inquiry, won
    // closes it (warning_closed) and lost escalates it to a chargeback (see DisputeRules.Resolve).
    private static ApiResult Decide(ApiContext c)
    {
        var before = c.Load<Dispute>(c.Route("id"), "dispute");
        var outcome = c.P.Enum("outcome", "won", "lost")
            ?? throw new StripeException(StripeError.ParameterMissing("outcome"), beforeExecution: true);
        var charge = c.Load<Charge>(before.Charge, "charge", "charge");
        var change = DisputeRules.Resolve(before, charge, outcome == "won", c.Now, c.Ids).OrThrow();
        Changes.Apply(c, change, before);
        return c.Respond(change.Dispute);
    }
}
