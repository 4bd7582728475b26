using System.Collections.Immutable;
using MockProcessor.Domain.Balance;
using MockProcessor.Domain.CardNetwork;
using MockProcessor.Domain.Common;
using MockProcessor.Domain.Errors;
using MockProcessor.Domain.Events;
using MockProcessor.Domain.Ids;
using MockProcessor.Domain.Money;
using MockProcessor.Domain.PaymentMethods;
using MockProcessor.Domain.Refunds;

namespace MockProcessor.Domain.Charges;

// The fields a charge copies from whoever asked for it: a PaymentIntent, or a legacy POST /v1/charges.
public sealed record ChargeRequest(string AccountId, long Amount, string Currency)
{
    public string? Customer { get; init; }
    public string? Description { get; init; }
    public string? PaymentIntent { get; init; }
    public ImmutableSortedDictionary<string, string> Metadata { get; init; } = Common.Metadata.Empty;
    public string? ReceiptEmail { get; init; }
    public string? StatementDescriptor { get; init; }
    public string? StatementDescriptorSuffix { get; init; }
    // A legacy charge on a customer's saved card: the card as it was charged (rendered as charge.source).
    public Customers.CardSource? Source { get; init; }
}

// What a legacy Charges API decision changed. As with PaymentIntentChange, Error (a decline) is answered
// only after the failed charge and its event are saved.
public sealed record ChargeChange(
    Charge Charge, BalanceTransaction? BalanceTransaction, Refund? Refund, IReadOnlyList<string> Events, StripeError? Error = null)
{
    // The network rule that decided the attempt: the caller counts its firing (NetworkRules.RecordFired).
    public string? FiredRule { get; init; }

    // The network's answer when this change is an authorization attempt (the server counts them by outcome).
    public NetworkDecision? Decision { get; init; }
}

public static class ChargeRules
{
    // Card authorizations stay capturable for 7 days (§11.3; Visa MIT 5 days, not emulated).
    public const long AuthorizationValiditySeconds = 7 * BalanceRules.SecondsPerDay;

    // The charge a network decision produces. Approved: succeeded and paid but not yet captured (the
    // caller books the capture). Declined or blocked: failed, with the failure copied from the decision.
    // RequiresAuthentication produces no charge, so passing it is a caller bug.
    public static Charge FromDecision(ChargeRequest req, PaymentMethod pm, TestCard card, NetworkDecision decision, long now, IdGenerator ids)
    {
        var (outcome, threeDs, failure) = decision switch
        {
            NetworkDecision.Approved a => (a.Outcome, a.ThreeDSecure, (CardFailure?)null),
            NetworkDecision.TimedOut => ((ChargeOutcome?)null, (ThreeDSecureDetails?)null, (CardFailure?)null),
            NetworkDecision.Declined d => (d.Outcome, d.ThreeDSecure, d.Failure),
            NetworkDecision.Blocked b => (b.Outcome, (ThreeDSecureDetails?)null, b.Failure),
            _ => throw new ArgumentException($"A {decision.GetType().Name} decision produces no charge.", nameof(decision)),
        };
        var c = pm.Card;
        var charge = new Charge
        {
            Id = ids.Next("ch"), AccountId = req.AccountId, Created = now,
            Amount = req.Amount, Currency = req.Currency, Status = ChargeStatus.Succeeded, Paid = true,
            Customer = req.Customer, Description = req.Description, PaymentIntent = req.PaymentIntent, PaymentMethod = pm.Id,
            PaymentMethodDetails = new CardPaymentDetails(c.Brand, c.Country, c.ExpMonth, c.ExpYear, c.Fingerprint, c.Funding, c.Last4,
                c.Brand, decision.Checks, threeDs) { AmountAuthorized = req.Amount, TestCardKey = c.TestCardKey },
            BillingDetails = pm.BillingDetails, Outcome = outcome, Metadata = req.Metadata,
            ReceiptEmail = req.ReceiptEmail, StatementDescriptor = req.StatementDescriptor,
            StatementDescriptorSuffix = req.StatementDescriptorSuffix,
            Funds = card.Behavior.Funds, RefundBehavior = card.Behavior.Refund, DisputeBehavior = card.Behavior.Dispute,
            NetworkRule = decision.RuleId, Source = req.Source,
        };
        // A timed-out attempt: no answer, no outcome, no money yet (§11.3 processing).
        if (decision is NetworkDecision.TimedOut timedOut)
            return charge with { Status = ChargeStatus.Pending, Paid = false, PendingSettlement = timedOut.Settlement };
        if (failure is null) return charge;
        return charge with
        {
            Status = ChargeStatus.Failed, Paid = false, Captured = false, AmountCaptured = 0,
            FailureCode = failure.Code, FailureMessage = failure.Message,
            FraudStripeReport = decision is NetworkDecision.Blocked ? "fraudulent" : null,
        };
    }

    // Legacy POST /v1/charges: one authorization attempt, captured at once unless capture=false.
    // The Charges API has no way to put a customer through 3DS, which is exactly the off-session
    // situation: cards that insist on authentication are declined with authentication_required.
    public static ChargeChange Create(
        ChargeRequest req, PaymentMethod pm, TestCard card, bool capture, string accountCountry, long now, IdGenerator ids,
        IReadOnlyList<NetworkRule>? rules = null)
    {
        var decision = CardNetworkEngine.Authorize(AuthorizationRequest.For(
            pm, card, req.Amount, req.Currency, offSession: true, authenticated: false, setupForOffSession: false, now) with
        {
            Rules = rules, Facts = AttemptFacts.For(pm, req.Customer, req.Metadata, attempt: 1),
        });
        var charge = FromDecision(req, pm, card, decision, now, ids);
        return CreateFrom(decision, charge, capture, accountCountry, now, ids) with { FiredRule = decision.RuleId, Decision = decision };
    }

    private static ChargeChange CreateFrom(NetworkDecision decision, Charge charge, bool capture, string accountCountry, long now, IdGenerator ids)
    {
        if (decision is NetworkDecision.TimedOut)
            return new ChargeChange(charge with { PendingSettlement = charge.PendingSettlement! with { CaptureOnSuccess = capture } },
                null, null, [EventTypes.ChargePending]);

        if (decision is NetworkDecision.Declined or NetworkDecision.Blocked)
        {
            var f = decision is NetworkDecision.Declined d ? d.Failure : ((NetworkDecision.Blocked)decision).Failure;
            // The legacy decline error names the charge; there is no PaymentIntent or PaymentMethod to render.
            var error = StripeError.CardFailure(f.Code, f.DeclineCode, f.Message, f.Param, f.AdviceCode, charge.Id, null, null);
            return new ChargeChange(charge, null, null, [EventTypes.ChargeFailed], error);
        }
        return Succeeded(charge, capture, accountCountry, now, ids);
    }

    private static ChargeChange Succeeded(Charge charge, bool capture, string accountCountry, long now, IdGenerator ids)
    {
        if (!capture)
        {
            var held = charge with
            {
                PaymentMethodDetails = charge.PaymentMethodDetails! with { CaptureBefore = now + AuthorizationValiditySeconds },
            };
            return new ChargeChange(held, null, null, [EventTypes.ChargeSucceeded]);
        }
        var (captured, txn) = BookCapture(charge, charge.Amount, accountCountry, now, ids);
        return new ChargeChange(captured, txn, null, [EventTypes.ChargeSucceeded]);
    }

    // The network's late answer for a timed-out attempt: the pending charge becomes what the attempt would have
    // produced had the answer come at once (succeeded, or failed with the rule's decline).
    public static (Charge Charge, CardFailure? Failure) ApplySettlement(Charge pending)
    {
        if (pending is not { Status: ChargeStatus.Pending, PendingSettlement: { } s })
            throw new ArgumentException($"Charge {pending.Id} awaits no network answer.", nameof(pending));
        var answered = pending with { Outcome = s.Outcome, PendingSettlement = null };
        if (s.Failure is not { } f) return (answered with { Status = ChargeStatus.Succeeded, Paid = true }, null);
        return (answered with { Status = ChargeStatus.Failed, FailureCode = f.Code, FailureMessage = f.Message }, f);
    }

    // A legacy charge's late answer (NetworkSettlementTimer): charge.succeeded (captured unless capture=false)
    // or charge.failed. Nobody waits for a 402 any more, so the error is not carried.
    public static ChargeChange SettleLegacy(Charge pending, string accountCountry, long now, IdGenerator ids)
    {
        var capture = pending.PendingSettlement?.CaptureOnSuccess ?? true;
        var (answered, failure) = ApplySettlement(pending);
        return failure is null
            ? Succeeded(answered, capture, accountCountry, now, ids)
            : new ChargeChange(answered, null, null, [EventTypes.ChargeFailed]);
    }

    // POST /v1/charges/:id/capture for an uncaptured legacy charge. A partial capture releases the rest
    // as a reversal refund counted in amount_refunded, as PaymentIntentRules.Capture does.
    public static Outcome<ChargeChange> Capture(Charge charge, long? amountToCapture, string accountCountry, long now, IdGenerator ids)
    {
        if (charge.PaymentIntent is { } pi) return StripeError.CaptureChargeOfPaymentIntent(charge.Id, pi);
        if (charge.Captured) return StripeError.ChargeAlreadyCaptured(charge.Id);
        if (charge.Status is not ChargeStatus.Succeeded) return StripeError.ChargeNotCapturable(charge.Id, charge.Status.ToWire());
        if (charge.CaptureBefore is { } deadline && now > deadline) return StripeError.ChargeExpiredForCapture(charge.Id);

        var amount = amountToCapture ?? charge.Amount;
        var precision = Currencies.ValidatePrecision(amount, charge.Currency);
        if (precision.IsError) return precision.Error!;
        if (amount > charge.Amount) return StripeError.CaptureGreaterThanCharge(charge.Id, amount, charge.Amount);

        var (captured, txn) = BookCapture(charge, amount, accountCountry, now, ids);
        Refund? release = null;
        var remainder = charge.Amount - amount;
        if (remainder > 0)
        {
            release = RefundRules.ReleaseUncaptured(charge, remainder, null, charge.AccountId, now, ids);
            captured = captured with { AmountRefunded = captured.AmountRefunded + remainder };
        }
        return new ChargeChange(captured, txn, release, [EventTypes.ChargeCaptured]);
    }

    // Books the money a capture brings in: a `charge` transaction for the captured amount with Stripe's
    // fee, available after the payout delay (or at once for bypassPending cards).
    // Deviation: on a partial capture Stripe books the full authorization and a partial_capture_reversal
    // for the remainder (§16.3); we book only the captured amount, which leaves the same net balance.
    public static (Charge Charge, BalanceTransaction Transaction) BookCapture(
        Charge charge, long amount, string accountCountry, long now, IdGenerator ids)
    {
        var cardCountry = charge.PaymentMethodDetails?.Country ?? accountCountry;
        var fees = Fees.CardProcessing(amount, charge.Currency, cardCountry, accountCountry);
        var txn = new BalanceTransaction
        {
            Id = ids.Next("txn"), AccountId = charge.AccountId, Created = now,
            Amount = amount, Currency = charge.Currency, Fee = fees.Total, FeeDetails = fees.Details,
            Type = BalanceTransactionType.Charge, ReportingCategory = ReportingCategory.Charge,
            Source = charge.Id, Description = charge.Description,
            AvailableOn = BalanceRules.AvailableOn(now, charge.Funds),
        };
        var captured = charge with { Captured = true, AmountCaptured = amount, BalanceTransaction = txn.Id };
        return (captured, txn);
    }

    // An uncaptured legacy charge whose authorization lapsed (capture_before passed): the hold is released as a
    // reversal refund and the charge shows fully refunded, with charge.expired. PaymentIntent charges expire
    // through PaymentIntentRules.ExpireAuthorization instead, which also cancels the intent.
    public static ChargeChange ExpireUncaptured(Charge charge, long now, IdGenerator ids)
    {
        if (charge.Captured || charge.Status is not ChargeStatus.Succeeded || charge.PaymentIntent is not null)
            throw new ArgumentException($"Charge {charge.Id} is not an uncaptured legacy charge.", nameof(charge));
        var refund = RefundRules.ReleaseUncaptured(charge, charge.Amount - charge.AmountRefunded, RefundReason.ExpiredUncapturedCharge, charge.AccountId, now, ids);
        var released = charge with { AmountRefunded = charge.Amount, Refunded = true };
        return new ChargeChange(released, null, refund, [EventTypes.ChargeExpired]);
    }
}
