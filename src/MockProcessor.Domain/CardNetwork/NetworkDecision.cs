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
    long Now);

// The error part of a refused attempt: becomes charge.failure_code/failure_message, the PI's
// last_payment_error and the 402 body.
public sealed record CardFailure(string Code, string? DeclineCode, string Message, string? Param, string? AdviceCode);

// The network's (or Radar's) answer. Approved, Declined and Blocked produce a charge;
// RequiresAuthentication produces none: the customer must complete 3DS first.
public abstract record NetworkDecision(CardChecks Checks)
{
    public sealed record Approved(ChargeOutcome Outcome, CardChecks Checks, ThreeDSecureDetails? ThreeDSecure)
        : NetworkDecision(Checks);

    public sealed record Declined(CardFailure Failure, ChargeOutcome Outcome, CardChecks Checks, ThreeDSecureDetails? ThreeDSecure)
        : NetworkDecision(Checks);

    // Radar refused the payment before it reached the network.
    public sealed record Blocked(CardFailure Failure, ChargeOutcome Outcome, CardChecks Checks)
        : NetworkDecision(Checks);

    public sealed record RequiresAuthentication(CardChecks Checks) : NetworkDecision(Checks);
}
