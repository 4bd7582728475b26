using System.Collections.Immutable;
using MockProcessor.Domain.Charges;
using MockProcessor.Domain.Errors;

namespace MockProcessor.Domain.CardNetwork;

// The merchant's scripted network answers (docs/network-rules.md): which rule decides an attempt, what it
// answers, and the bookkeeping after it fired. Pure and deterministic: the same rules and attempt always give
// the same answer, and "the next N attempts" is a counter on the rule, not a probability.
public static class NetworkRules
{
    public const string DefaultErrorCode = "card_declined";
    public const string GenericMessage = "Your card was declined.";

    // The first active rule whose every condition holds, or null (the test card decides).
    public static NetworkRule? FirstMatch(IReadOnlyList<NetworkRule> rules, long amount, string currency, AttemptFacts facts) =>
        rules.FirstOrDefault(r => r.Active && Matches(r.Match, amount, currency, facts));

    public static bool Matches(NetworkRuleMatch m, long amount, string currency, AttemptFacts f) =>
        (m.Amount is null || amount == m.Amount)
        && (m.AmountGte is null || amount >= m.AmountGte)
        && (m.AmountLte is null || amount <= m.AmountLte)
        && Same(m.Currency, currency)
        && Same(m.Brand, f.Brand)
        && (m.Last4 is null || m.Last4 == f.Last4)
        && Same(m.Country, f.Country)
        && (m.Customer is null || m.Customer == f.Customer)
        && (m.Attempt is null || m.Attempt == f.Attempt)
        && m.Metadata.All(kv => f.Metadata.TryGetValue(kv.Key, out var v) && v == kv.Value);

    // Currencies, brands and countries are case-insensitive on the wire (USD = usd, us = US).
    private static bool Same(string? wanted, string? actual) =>
        wanted is null || string.Equals(wanted, actual, StringComparison.OrdinalIgnoreCase);

    // The rule's answer for the attempt, or null when it lets the card decide after all: require_3ds on an
    // attempt that has already been authenticated is satisfied, so the card's own behaviour follows.
    internal static NetworkDecision? Decide(NetworkRule rule, AuthorizationRequest request, CardChecks checks)
    {
        var o = rule.Outcome;
        NetworkDecision? decision = o.Kind switch
        {
            NetworkRuleOutcomeKind.Decline => new NetworkDecision.Declined(
                FailureFor(o.DeclineCode, o.ErrorCode, o.Message), DeclinedOutcome(o.DeclineCode, o.ErrorCode, request.Card), checks, null),
            NetworkRuleOutcomeKind.Block => new NetworkDecision.Blocked(
                CardNetworkEngine.FailureOf(DefaultErrorCode, "fraudulent", GenericMessage), BlockedOutcome(), checks),
            NetworkRuleOutcomeKind.Approve => new NetworkDecision.Approved(ApprovedOutcome(), checks, null),
            NetworkRuleOutcomeKind.Timeout => new NetworkDecision.TimedOut(Settlement(o, request), checks),
            NetworkRuleOutcomeKind.RequireThreeDSecure when request.Authenticated => null,
            NetworkRuleOutcomeKind.RequireThreeDSecure when request.OffSession => CardNetworkEngine.AuthenticationRequired(checks),
            NetworkRuleOutcomeKind.RequireThreeDSecure => new NetworkDecision.RequiresAuthentication(checks),
            _ => throw new ArgumentOutOfRangeException(nameof(rule), o.Kind, "Unknown rule outcome."),
        };
        return decision is null ? null : decision with { RuleId = rule.Id };
    }

    // The rule decided an attempt: one more firing, one fewer of "the next N".
    public static ImmutableList<NetworkRule> RecordFired(ImmutableList<NetworkRule> rules, string ruleId)
    {
        var index = rules.FindIndex(r => r.Id == ruleId);
        if (index < 0) return rules; // deleted since (cannot happen inside one call; harmless if it did)
        var rule = rules[index];
        return rules.SetItem(index, rule with { Fired = rule.Fired + 1, Remaining = rule.Remaining is { } n ? Math.Max(0, n - 1) : null });
    }

    // error.code and error.message for a decline code: what Stripe answers for the test card with that code
    // (expired_card comes with code expired_card, insufficient_funds with "Your card has insufficient funds.");
    // an unknown code gets card_declined and the generic message. Explicit values win.
    public static CardFailure FailureFor(string? declineCode, string? errorCode, string? message)
    {
        var code = declineCode ?? "generic_decline";
        var known = TestCardCatalogue.Default.All.FirstOrDefault(c =>
            c.Behavior.Charge is ChargeResult.Decline && c.Behavior.DeclineCode == code && c.Behavior.ErrorCode is not null);
        var error = errorCode ?? known?.Behavior.ErrorCode ?? DefaultErrorCode;
        var text = message ?? (known is not null && known.Behavior.ErrorCode == error ? known.Behavior.Message : null) ?? GenericMessage;
        return CardNetworkEngine.FailureOf(error, code, text);
    }

    private static PendingNetworkSettlement Settlement(NetworkRuleOutcome o, AuthorizationRequest request) =>
        o.SettleSucceeds
            ? new(request.Now + o.SettleAfterSeconds, null, ApprovedOutcome())
            : new(request.Now + o.SettleAfterSeconds, FailureFor(o.DeclineCode, o.ErrorCode, o.Message),
                DeclinedOutcome(o.DeclineCode, o.ErrorCode, request.Card));

    private static ChargeOutcome DeclinedOutcome(string? declineCode, string? errorCode, TestCard card)
    {
        var reason = declineCode ?? "generic_decline";
        var seller = reason == "generic_decline" ? StripeError.GenericDeclineSellerMessage : StripeError.DeclineCodeSellerMessage(reason);
        return new ChargeOutcome(NetworkStatus.DeclinedByNetwork, OutcomeType.IssuerDeclined, reason, RiskLevel.Normal,
            card.Behavior.RiskScore, seller) { AdviceCode = FailureFor(declineCode, errorCode, null).AdviceCode };
    }

    // Radar's answer for the fraud test cards (…0019), so code written against those sees the same shape.
    private static ChargeOutcome BlockedOutcome() =>
        new(NetworkStatus.NotSentToNetwork, OutcomeType.Blocked, "highest_risk_level", RiskLevel.Highest, 85, StripeError.BlockedSellerMessage)
        { Rule = "block_if_high_risk" };

    private static ChargeOutcome ApprovedOutcome() =>
        new(NetworkStatus.ApprovedByNetwork, OutcomeType.Authorized, null, RiskLevel.Normal, 20, StripeError.ApprovedSellerMessage);
}
