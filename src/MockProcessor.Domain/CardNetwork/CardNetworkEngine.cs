using System.Collections.Frozen;
using MockProcessor.Domain.Charges;
using MockProcessor.Domain.Errors;

namespace MockProcessor.Domain.CardNetwork;

// The emulated card network: one pure function from an attempt to an answer. The merchant's scripted rules
// (NetworkRules) decide first; otherwise the test card is the source of behaviour (test-cards.json); the rules below are the general ones that hold for every
// card: Radar first, then 3DS, then the issuer (STRIPE_BEHAVIOR §18.3-18.5).
public static class CardNetworkEngine
{
    // error.advice_code per decline code, after Stripe's decline-code guide: whether retrying can help.
    // Our mapping [?]: Stripe test mode does not document advice codes per test card.
    private static readonly FrozenDictionary<string, string> AdviceCodes = new Dictionary<string, string>
    {
        ["insufficient_funds"] = "try_again_later",
        ["processing_error"] = "try_again_later",
        ["card_velocity_exceeded"] = "try_again_later",
        ["lost_card"] = "do_not_try_again",
        ["stolen_card"] = "do_not_try_again",
        ["fraudulent"] = "do_not_try_again",
        ["expired_card"] = "confirm_card_data",
        ["incorrect_cvc"] = "confirm_card_data",
        ["incorrect_number"] = "confirm_card_data",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    public static NetworkDecision Authorize(
        TestCard card, long amount, string currency, bool cvcSupplied, bool line1Supplied, bool postalSupplied,
        bool offSession, bool authenticated, bool setupForOffSession, long now) =>
        Authorize(new AuthorizationRequest(card, amount, currency, cvcSupplied, line1Supplied, postalSupplied,
            offSession, authenticated, setupForOffSession, now));

    public static NetworkDecision Authorize(AuthorizationRequest request)
    {
        var b = request.Card.Behavior;
        var checks = ChecksFor(request);

        // The merchant's scripted rules come before everything the card itself would do (docs/network-rules.md).
        if (request.Rules is { Count: > 0 } rules && request.Facts is { } facts
            && NetworkRules.FirstMatch(rules, request.Amount, request.Currency, facts) is { } rule
            && NetworkRules.Decide(rule, request, checks) is { } scripted)
            return scripted;

        // Radar evaluates before any authentication or network call, on and off session alike.
        if (b.Charge is ChargeResult.Block)
            return new NetworkDecision.Blocked(FailureOf(b.ErrorCode!, b.DeclineCode, b.Message!), BlockedOutcome(b), checks);

        // Invalid card data never reaches the network (normally caught when the PaymentMethod is created).
        if (b.OutcomeType is OutcomeType.Invalid)
            return new NetworkDecision.Declined(FailureOf(b.ErrorCode!, b.DeclineCode, b.Message!), InvalidOutcome(b), checks, null);

        var mustAuthenticate = NeedsAuthentication(b.ThreeDSecure, request.OffSession, request.SetupForOffSession);
        if (mustAuthenticate && !request.Authenticated)
        {
            // Off session nobody can answer a challenge: the issuer soft-declines (§11.3, §18.5).
            if (request.OffSession) return AuthenticationRequired(checks);
            return new NetworkDecision.RequiresAuthentication(checks);
        }
        var threeDs = ThreeDSecureFor(b.ThreeDSecure, request.Authenticated);

        // After a successful challenge some cards are still declined by the issuer (…3178, …1629).
        var (charge, code, declineCode, message) = request.Authenticated && b.AfterAuthentication is { } after
            ? (after.Charge, after.ErrorCode, after.DeclineCode, after.Message)
            : (b.Charge, b.ErrorCode, b.DeclineCode, b.Message);

        // A CVC check can only fail on a CVC that was sent: the cvcCheckFail cards charge normally without one.
        var cvcDeclineSkipped = b.DeclineOnlyWithCvc && !request.CvcSupplied;
        if (charge is ChargeResult.Decline && !cvcDeclineSkipped)
            return new NetworkDecision.Declined(FailureOf(code!, declineCode, message!), DeclinedOutcome(b, declineCode), checks, threeDs);

        return new NetworkDecision.Approved(ApprovedOutcome(b), checks, threeDs);
    }

    public static bool NeedsAuthentication(ThreeDSecureRequirement requirement, bool offSession, bool setupForOffSession) =>
        requirement switch
        {
            ThreeDSecureRequirement.Required or ThreeDSecureRequirement.RequiredAlways => true,
            // …3155: challenges on session every time; off session passes only once set up.
            ThreeDSecureRequirement.RequiredUnlessSetup => !offSession || !setupForOffSession,
            // …0446 behaves as already set up: off session passes, on session challenges.
            ThreeDSecureRequirement.RequiredOnSessionOnly => !offSession,
            // …1280: the 3DS lookup itself errors, so no challenge is offered and the issuer declines.
            ThreeDSecureRequirement.RequiredProcessingError => false,
            _ => false,
        };

    private static CardChecks ChecksFor(AuthorizationRequest r)
    {
        var b = r.Card.Behavior;
        return new(
            r.CvcSupplied ? b.CvcCheck : null,
            r.Line1Supplied ? b.AddressLine1Check : null,
            r.PostalSupplied ? b.AddressPostalCodeCheck : null);
    }

    private static ThreeDSecureDetails? ThreeDSecureFor(ThreeDSecureRequirement requirement, bool authenticated)
    {
        if (!authenticated) return null;
        return new(requirement switch
        {
            ThreeDSecureRequirement.NotSupported => ThreeDSecureResult.NotSupported,
            ThreeDSecureRequirement.Supported => ThreeDSecureResult.AttemptAcknowledged,
            ThreeDSecureRequirement.OptionalProcessingError or ThreeDSecureRequirement.RequiredProcessingError => ThreeDSecureResult.ProcessingError,
            _ => ThreeDSecureResult.Authenticated,
        });
    }

    internal static NetworkDecision AuthenticationRequired(CardChecks checks)
    {
        const string code = "authentication_required";
        var outcome = new ChargeOutcome(NetworkStatus.DeclinedByNetwork, OutcomeType.IssuerDeclined, code,
            RiskLevel.Normal, 0, StripeError.AuthenticationRequiredSellerMessage);
        return new NetworkDecision.Declined(
            new CardFailure(code, code, StripeError.AuthenticationRequiredMessage, null, null), outcome, checks, null);
    }

    internal static CardFailure FailureOf(string code, string? declineCode, string message) =>
        new(code, declineCode, message, ParamFor(code), declineCode is null ? AdviceCodes.GetValueOrDefault(code) : AdviceCodes.GetValueOrDefault(declineCode));

    // §18.3: incorrect_cvc names the cvc; number problems name the number.
    private static string? ParamFor(string code) => code switch
    {
        "incorrect_cvc" or "invalid_cvc" => "cvc",
        "incorrect_number" or "invalid_number" => "number",
        _ => null,
    };

    private static ChargeOutcome BlockedOutcome(TestCardBehavior b) =>
        new(NetworkStatus.NotSentToNetwork, OutcomeType.Blocked, b.OutcomeReason ?? "highest_risk_level", b.RiskLevel, b.RiskScore,
            StripeError.BlockedSellerMessage)
        { Rule = "block_if_high_risk" };

    private static ChargeOutcome InvalidOutcome(TestCardBehavior b) =>
        new(NetworkStatus.NotSentToNetwork, OutcomeType.Invalid, b.OutcomeReason, b.RiskLevel, b.RiskScore, StripeError.InvalidCardSellerMessage);

    private static ChargeOutcome DeclinedOutcome(TestCardBehavior b, string? declineCode)
    {
        var reason = declineCode ?? b.OutcomeReason;
        var message = reason is null or "generic_decline" ? StripeError.GenericDeclineSellerMessage : StripeError.DeclineCodeSellerMessage(reason);
        return new ChargeOutcome(NetworkStatus.DeclinedByNetwork, OutcomeType.IssuerDeclined, reason, b.RiskLevel, b.RiskScore, message)
        { AdviceCode = reason is null ? null : AdviceCodes.GetValueOrDefault(reason) };
    }

    // Elevated-risk cards still charge (type authorized) unless Radar for Fraud Teams reviews them, which
    // we do not emulate; reason stays elevated_risk_level as the catalogue says.
    // A decline card that approves (cvcCheckFail without a CVC) must not carry its decline reason.
    private static ChargeOutcome ApprovedOutcome(TestCardBehavior b) =>
        new(NetworkStatus.ApprovedByNetwork, OutcomeType.Authorized, b.Charge is ChargeResult.Succeed ? b.OutcomeReason : null,
            b.RiskLevel, b.RiskScore, StripeError.ApprovedSellerMessage);
}
