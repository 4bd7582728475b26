using System.Collections.Immutable;

namespace MockProcessor.Domain.CardNetwork;

public enum NetworkRuleOutcomeKind { Decline, Block, Timeout, RequireThreeDSecure, Approve }

// A scripted answer of the emulated network for attempts the test cards cannot express ("decline every
// payment over $50 with insufficient_funds", "time out the next attempt"). Stored in order on the merchant's
// Account; the first active rule whose every given condition holds decides the attempt (NetworkRules.Match).
public sealed record NetworkRule
{
    public required string Id { get; init; }
    public required long Created { get; init; }
    public NetworkRuleMatch Match { get; init; } = new();
    public required NetworkRuleOutcome Outcome { get; init; }
    // "The next N attempts": null means forever; decremented when the rule decides an attempt, inactive at 0.
    public int? Remaining { get; init; }
    public int Fired { get; init; }

    public bool Active => Remaining is null or > 0;
}

// Conditions of a rule; a null condition matches anything. All given conditions must hold.
public sealed record NetworkRuleMatch
{
    public long? Amount { get; init; }
    public long? AmountGte { get; init; }
    public long? AmountLte { get; init; }
    public string? Currency { get; init; }
    public string? Brand { get; init; }
    public string? Last4 { get; init; }
    public string? Country { get; init; }
    public string? Customer { get; init; }
    // Every pair must be present in the PaymentIntent's (or legacy charge request's) metadata.
    public ImmutableSortedDictionary<string, string> Metadata { get; init; } = ImmutableSortedDictionary<string, string>.Empty;
    // 1-based attempt number on a PaymentIntent (charges already on it + 1); a legacy charge is attempt 1.
    public int? Attempt { get; init; }
}

// What the rule makes the network answer. Decline codes and error codes are free strings: the point of a rule
// is to produce answers the catalogue does not have. SettleSucceeds/SettleDeclineCode apply to Timeout only.
public sealed record NetworkRuleOutcome(NetworkRuleOutcomeKind Kind)
{
    public string? DeclineCode { get; init; }
    public string? ErrorCode { get; init; }
    public string? Message { get; init; }
    public long SettleAfterSeconds { get; init; }
    public bool SettleSucceeds { get; init; } = true;
}

// The facts about one attempt that rules can match on, beyond amount and currency (in AuthorizationRequest).
public sealed record AttemptFacts(
    string Brand, string Last4, string? Country, string? Customer, ImmutableSortedDictionary<string, string> Metadata, int Attempt)
{
    public static AttemptFacts For(
        PaymentMethods.PaymentMethod pm, string? customer, ImmutableSortedDictionary<string, string> metadata, int attempt) =>
        new(pm.Card.Brand, pm.Card.Last4, pm.Card.Country, customer, metadata, attempt);
}

// A timed-out attempt's eventual answer, kept on the pending charge until the settlement timer applies it.
public sealed record PendingNetworkSettlement(long DueAt, CardFailure? Failure, Charges.ChargeOutcome Outcome)
{
    // Legacy charges only (capture=false); a PaymentIntent's capture_method decides for its charges.
    public bool CaptureOnSuccess { get; init; } = true;
    public bool Succeeds => Failure is null;
}
