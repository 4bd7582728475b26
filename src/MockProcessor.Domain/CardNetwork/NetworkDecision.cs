using MockProcessor.Domain.Charges;

namespace MockProcessor.Domain.CardNetwork;

// Everything an authorization attempt depends on. A record rather than a long parameter list so later
// inputs (scripted rules, a latency profile) can be added without touching every caller.
public sealed record AuthorizationRequest(
    TestCard Card,
    long Amount,
    string Currency,
    bool CvcSupplied,
    bool Line1Supplied,
    bool PostalSupplied,
    bool OffSession,
    bool Authenticated,
    bool SetupForOffSession,
    long Now)
{
    // The merchant's scripted rules (in order) and the facts they match on; without them the card decides.
    public IReadOnlyList<NetworkRule>? Rules { get; init; }
    public AttemptFacts? Facts { get; init; }

    /// <summary>
    /// An attempt with a stored payment method. It records a check as "unchecked" when the value was supplied
    /// and null when not, so what was supplied is read back from it (or from the billing address).
    /// </summary>
    public static AuthorizationRequest For(
        PaymentMethods.PaymentMethod pm, TestCard card, long amount, string currency, bool offSession, bool authenticated,
        bool setupForOffSession, long now) =>
        new(card, amount, currency,
            CvcSupplied: pm.Card.CvcCheck is not null,
            Line1Supplied: pm.Card.AddressLine1Check is not null || pm.BillingDetails.Address?.Line1 is not null,
            PostalSupplied: pm.Card.AddressPostalCodeCheck is not null || pm.BillingDetails.Address?.PostalCode is not null,
            offSession, authenticated, setupForOffSession, now);
}

// The error part of a refused attempt: becomes charge.failure_code/failure_message, the PI's
// last_payment_error and the 402 body.
public sealed record CardFailure(string Code, string? DeclineCode, string Message, string? Param, string? AdviceCode);

// The network's (or Radar's) answer. Approved, Declined and Blocked produce a charge;
// RequiresAuthentication produces none: the customer must complete 3DS first.
public abstract record NetworkDecision(CardChecks Checks)
{
    // The network rule that decided the attempt, or null when the test card did.
    public string? RuleId { get; init; }

    public sealed record Approved(ChargeOutcome Outcome, CardChecks Checks, ThreeDSecureDetails? ThreeDSecure)
        : NetworkDecision(Checks);

    public sealed record Declined(CardFailure Failure, ChargeOutcome Outcome, CardChecks Checks, ThreeDSecureDetails? ThreeDSecure)
        : NetworkDecision(Checks);

    // Radar refused the payment before it reached the network.
    public sealed record Blocked(CardFailure Failure, ChargeOutcome Outcome, CardChecks Checks)
        : NetworkDecision(Checks);

    public sealed record RequiresAuthentication(CardChecks Checks) : NetworkDecision(Checks);

    // A scripted network timeout: no answer yet. The charge stays pending until Settlement.DueAt, when the
    // reconciliation with the network (NetworkSettlementTimer) applies the eventual answer.
    public sealed record TimedOut(PendingNetworkSettlement Settlement, CardChecks Checks) : NetworkDecision(Checks);
}
