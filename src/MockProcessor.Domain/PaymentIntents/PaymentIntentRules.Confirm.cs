using MockProcessor.Domain.CardNetwork;
using MockProcessor.Domain.Charges;
using MockProcessor.Domain.Errors;
using MockProcessor.Domain.Events;
using MockProcessor.Domain.Ids;
using MockProcessor.Domain.PaymentMethods;
using static MockProcessor.Domain.PaymentIntents.PaymentIntentStatus;

namespace MockProcessor.Domain.PaymentIntents;

public static partial class PaymentIntentRules
{
    // POST /v1/payment_intents/:id/confirm (and create with confirm=true, after Create). `pm` and `card`
    // are the payment method to use (the request's or the PI's) and its test-card behaviour; null when
    // there is none, which Stripe refuses.
    public static Outcome<PaymentIntentChange> Confirm(
        PaymentIntent pi, PaymentMethod? pm, TestCard? card, ConfirmOptions options, long now, IdGenerator ids)
    {
        if (Guard(pi, PaymentIntentAction.Confirm) is { } error) return error;
        if (pm is null || card is null) return StripeError.PaymentIntentMissingPaymentMethod(pi.Id);
        // Automatic payment methods may redirect, so confirming needs a return_url, unless redirects are off, the
        // customer is not present (off_session: a merchant-initiated payment cannot redirect anyone), or Stripe.js
        // confirms (use_stripe_sdk: it handles the next action in the page, as confirmCardPayment does without a return_url).
        if (pi.AutomaticPaymentMethods is { Enabled: true } apm && apm.AllowRedirects != "never" && !options.OffSession && !options.UseStripeSdk &&
            (options.ReturnUrl ?? pi.ReturnUrl) is null)
            return StripeError.ReturnUrlRequired(pi.Id);

        var samePaymentMethod = pm.Id == pi.PaymentMethod;
        var current = pi with
        {
            PaymentMethod = pm.Id,
            ReturnUrl = options.ReturnUrl ?? pi.ReturnUrl,
            AuthenticationCompleted = samePaymentMethod && pi.AuthenticationCompleted,
        };
        return Attempt(current, pm, card, options, current.AuthenticationCompleted, now, ids);
    }

    // The customer finished (or abandoned) the 3DS challenge: the emulator's 3DS page or test helper.
    public static Outcome<PaymentIntentChange> Authenticate(
        PaymentIntent pi, PaymentMethod pm, TestCard card, bool succeeded, long now, IdGenerator ids, string accountCountry = "US",
        ConfirmOptions? options = null)
    {
        if (Guard(pi, PaymentIntentAction.Authenticate) is { } error) return error;
        if (pm.Id != pi.PaymentMethod)
            throw new ArgumentException($"{pm.Id} is not the payment method {pi.Id} is authenticating.", nameof(pm));

        if (!succeeded)
        {
            // No charge: the payment never reached the issuer (§11.4 "3DS failure").
            var failure = StripeError.PaymentIntentAuthenticationFailure(pi.Id, pm.Id);
            var failed = pi with
            {
                Status = RequiresPaymentMethod, PaymentMethod = null, NextAction = null, AuthenticationCompleted = false,
                LastPaymentError = PaymentError.From(failure),
            };
            return new PaymentIntentChange(failed, null, null, null, [EventTypes.PaymentIntentPaymentFailed]);
        }

        var authenticated = pi with { AuthenticationCompleted = true, NextAction = null };
        // With manual confirmation the server must confirm again itself (§11.3).
        if (pi.ConfirmationMethod is ConfirmationMethod.Manual)
            return new PaymentIntentChange(authenticated with { Status = RequiresConfirmation }, null, null, null, []);
        var retry = (options ?? new ConfirmOptions()) with { AccountCountry = accountCountry, OffSession = false, SetupForOffSession = false };
        return Attempt(authenticated, pm, card, retry, authenticated: true, now, ids);
    }

    private static PaymentIntentChange Attempt(
        PaymentIntent pi, PaymentMethod pm, TestCard card, ConfirmOptions options, bool authenticated, long now, IdGenerator ids)
    {
        var decision = CardNetworkEngine.Authorize(AuthorizationRequest.For(
            pm, card, pi.Amount, pi.Currency, options.OffSession, authenticated, options.SetupForOffSession, now) with
        {
            Rules = options.NetworkRules, Facts = AttemptFacts.For(pm, pi.Customer, pi.Metadata, options.AttemptNumber),
        });
        return Decided(pi, pm, card, decision, options, now, ids) with { FiredRule = decision.RuleId };
    }

    private static PaymentIntentChange Decided(
        PaymentIntent pi, PaymentMethod pm, TestCard card, NetworkDecision decision, ConfirmOptions options, long now, IdGenerator ids)
    {
        switch (decision)
        {
            case NetworkDecision.RequiresAuthentication:
                var kind = pi.ReturnUrl is not null && !options.UseStripeSdk ? NextActionType.RedirectToUrl : NextActionType.UseStripeSdk;
                var waiting = pi with { Status = RequiresAction, NextAction = new NextAction(kind, pi.ReturnUrl), LastPaymentError = null };
                return new PaymentIntentChange(waiting, null, null, null, [EventTypes.PaymentIntentRequiresAction]);

            case NetworkDecision.Approved:
                return Approve(pi, ChargeRules.FromDecision(RequestFor(pi), pm, card, decision, now, ids), options, now, ids);

            case NetworkDecision.Declined declined:
                return Fail(pi, ChargeRules.FromDecision(RequestFor(pi), pm, card, decision, now, ids), declined.Failure);

            case NetworkDecision.Blocked blocked:
                return Fail(pi, ChargeRules.FromDecision(RequestFor(pi), pm, card, decision, now, ids), blocked.Failure);

            // The network did not answer: the PI waits in processing for the reconciliation (SettleNetwork).
            // Deviation: Stripe's card PIs never show processing (§11.3); only a scripted timeout rule does this.
            case NetworkDecision.TimedOut:
                var pending = ChargeRules.FromDecision(RequestFor(pi), pm, card, decision, now, ids);
                var processing = pi with { Status = Processing, LatestCharge = pending.Id, LastPaymentError = null, NextAction = null };
                return new PaymentIntentChange(processing, pending, null, null, [EventTypes.ChargePending, EventTypes.PaymentIntentProcessing]);

            default:
                throw new InvalidOperationException($"Unhandled network decision {decision.GetType().Name}.");
        }
    }

    // The network's late answer for a timed-out attempt (NetworkSettlementTimer): the same result the attempt
    // would have had with an immediate answer: succeeded (or requires_capture), or back to requires_payment_method.
    public static PaymentIntentChange SettleNetwork(PaymentIntent pi, Charge pending, long now, IdGenerator ids, string accountCountry = "US")
    {
        if (pi.Status is not Processing || pending.Id != pi.LatestCharge)
            throw new ArgumentException($"{pi.Id} is not processing charge {pending.Id}.", nameof(pending));
        var (answered, failure) = ChargeRules.ApplySettlement(pending);
        return failure is null
            ? Approve(pi, answered, new ConfirmOptions { AccountCountry = accountCountry }, now, ids)
            : Fail(pi, answered, failure);
    }

    private static PaymentIntentChange Approve(PaymentIntent pi, Charge charge, ConfirmOptions options, long now, IdGenerator ids)
    {
        var authorized = charge;
        var settled = pi with { LatestCharge = charge.Id, LastPaymentError = null, NextAction = null };

        if (pi.CaptureMethod is CaptureMethod.Manual)
        {
            var held = authorized with
            {
                PaymentMethodDetails = authorized.PaymentMethodDetails! with { CaptureBefore = now + ChargeRules.AuthorizationValiditySeconds },
            };
            return new PaymentIntentChange(
                settled with { Status = RequiresCapture, AmountCapturable = pi.Amount }, held, null, null,
                [EventTypes.ChargeSucceeded, EventTypes.PaymentIntentAmountCapturableUpdated]);
        }

        // automatic_async captures "soon after" for cards; with no observable processing state for cards
        // (§11.3) we capture at once, like automatic.
        var (captured, txn) = ChargeRules.BookCapture(authorized, pi.Amount, options.AccountCountry, now, ids);
        return new PaymentIntentChange(
            settled with { Status = Succeeded, AmountReceived = pi.Amount, AmountCapturable = 0 }, captured, txn, null,
            [EventTypes.ChargeSucceeded, EventTypes.PaymentIntentSucceeded]);
    }

    // The PI goes back to requires_payment_method and forgets the card (the failed one stays reachable
    // through last_payment_error.payment_method); the failed charge is its latest_charge.
    private static PaymentIntentChange Fail(PaymentIntent pi, Charge failedCharge, CardFailure failure)
    {
        var error = StripeError.CardFailure(failure.Code, failure.DeclineCode, failure.Message, failure.Param, failure.AdviceCode,
            failedCharge.Id, pi.Id, failedCharge.PaymentMethod);
        var failedPi = pi with
        {
            Status = RequiresPaymentMethod, PaymentMethod = null, LatestCharge = failedCharge.Id, NextAction = null,
            AuthenticationCompleted = false, LastPaymentError = PaymentError.From(error),
        };
        return new PaymentIntentChange(failedPi, failedCharge, null, null, [EventTypes.ChargeFailed, EventTypes.PaymentIntentPaymentFailed], error);
    }

    // What the PI's charge copies from it (ChargeRules.FromDecision builds the charge itself).
    private static ChargeRequest RequestFor(PaymentIntent pi) => new(pi.AccountId, pi.Amount, pi.Currency)
    {
        Customer = pi.Customer, Description = pi.Description, PaymentIntent = pi.Id, Metadata = pi.Metadata,
        ReceiptEmail = pi.ReceiptEmail, StatementDescriptor = pi.StatementDescriptor,
        StatementDescriptorSuffix = pi.StatementDescriptorSuffix,
    };
}
