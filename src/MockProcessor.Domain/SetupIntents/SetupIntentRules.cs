using MockProcessor.Domain.CardNetwork;
using MockProcessor.Domain.Common;
using MockProcessor.Domain.Errors;
using MockProcessor.Domain.Events;
using MockProcessor.Domain.Ids;
using MockProcessor.Domain.PaymentIntents;
using MockProcessor.Domain.PaymentMethods;
using static MockProcessor.Domain.SetupIntents.SetupIntentStatus;

namespace MockProcessor.Domain.SetupIntents;

/// <summary>
/// Pure decisions for SetupIntents (BILLING_CHECKOUT §8): each validates first, then returns the new version and
/// its events. No money moves, so no charge: the card is verified with the issuer the way attaching it is
/// (<see cref="TestCard.DeclineOnSave"/>), after any 3-D Secure challenge the card demands.
/// </summary>
public static class SetupIntentRules
{
    // The whole transition table. Anything not listed is setup_intent_unexpected_state.
    public static bool Allows(SetupIntentStatus status, SetupIntentAction action) => (status, action) switch
    {
        (RequiresPaymentMethod or RequiresConfirmation or RequiresAction, SetupIntentAction.UpdatePayment) => true,
        (not Canceled, SetupIntentAction.UpdateDetails) => true,
        (RequiresPaymentMethod or RequiresConfirmation or RequiresAction, SetupIntentAction.Confirm) => true,
        (RequiresAction, SetupIntentAction.Authenticate) => true,
        (RequiresPaymentMethod or RequiresConfirmation or RequiresAction, SetupIntentAction.Cancel) => true,
        _ => false,
    };

    public static IEnumerable<SetupIntentStatus> StatusesAllowing(SetupIntentAction action) =>
        Enum.GetValues<SetupIntentStatus>().Where(s => Allows(s, action));

    public static StripeError? Guard(SetupIntent si, SetupIntentAction action) =>
        Allows(si.Status, action)
            ? null
            : StripeError.SetupIntentUnexpectedState(si.Id, Verb(action), si.Status.ToWire(), StatusesAllowing(action).Select(s => s.ToWire()));

    private static string Verb(SetupIntentAction action) => action switch
    {
        SetupIntentAction.UpdateDetails or SetupIntentAction.UpdatePayment => "updated",
        SetupIntentAction.Confirm => "confirmed",
        SetupIntentAction.Authenticate => "authenticated",
        SetupIntentAction.Cancel => "canceled",
        _ => throw new ArgumentOutOfRangeException(nameof(action)),
    };

    public static SetupIntentChange Create(CreateSetupIntent cmd, string accountId, long now, IdGenerator ids)
    {
        var id = ids.Next("seti");
        var si = new SetupIntent
        {
            Id = id, AccountId = accountId, Created = now,
            Status = cmd.PaymentMethod is null ? RequiresPaymentMethod : RequiresConfirmation,
            Usage = cmd.Usage, Customer = cmd.Customer, PaymentMethod = cmd.PaymentMethod,
            PaymentMethodTypes = cmd.PaymentMethodTypes ?? ["card"],
            AllowedPaymentMethodTypes = cmd.AllowedPaymentMethodTypes,
            ExcludedPaymentMethodTypes = cmd.ExcludedPaymentMethodTypes,
            AutomaticPaymentMethods = cmd.PaymentMethodTypes is null ? new AutomaticPaymentMethods(true, cmd.AllowRedirects) : null,
            Description = cmd.Description, Metadata = cmd.Metadata ?? Metadata.Empty,
            // Stripe's SetupIntent secrets are longer than a PaymentIntent's (§9.3).
            ClientSecret = $"{id}_secret_{ids.Chars(32)}",
            ReturnUrl = cmd.ReturnUrl, RequestThreeDSecure = cmd.RequestThreeDSecure ?? "automatic",
            AttachToSelf = cmd.AttachToSelf, FlowDirections = cmd.FlowDirections,
        };
        return new SetupIntentChange(si, [EventTypes.SetupIntentCreated]);
    }

    // Stripe has no setup_intent.updated event, so an update emits nothing.
    public static Outcome<SetupIntentChange> Update(SetupIntent si, UpdateSetupIntent cmd)
    {
        var frozenParam = cmd.PaymentMethod is not null ? "payment_method"
            : cmd.AllowedPaymentMethodTypes is not null ? "allowed_payment_method_types"
            : cmd.PaymentMethodTypes is not null ? "payment_method_types"
            : cmd.ExcludedPaymentMethodTypes is not null ? "excluded_payment_method_types"
            : cmd.Customer is not null ? "customer" : null;
        if (frozenParam is not null && !Allows(si.Status, SetupIntentAction.UpdatePayment))
            return si.Status is Canceled
                ? Guard(si, SetupIntentAction.UpdatePayment)!
                : StripeError.SetupIntentFieldFrozen(si.Id, frozenParam, si.Status.ToWire());
        if (Guard(si, SetupIntentAction.UpdateDetails) is { } error) return error;

        var updated = si with
        {
            Customer = cmd.Customer ?? si.Customer,
            Description = cmd.Description ?? si.Description,
            Metadata = cmd.Metadata ?? si.Metadata,
            ExcludedPaymentMethodTypes = cmd.ExcludedPaymentMethodTypes ?? si.ExcludedPaymentMethodTypes,
            RequestThreeDSecure = cmd.RequestThreeDSecure ?? si.RequestThreeDSecure,
            AttachToSelf = cmd.AttachToSelf ?? si.AttachToSelf,
            FlowDirections = cmd.FlowDirections ?? si.FlowDirections,
        };
        if (cmd.PaymentMethodTypes is not null)
            updated = updated with
            {
                PaymentMethodTypes = cmd.PaymentMethodTypes, AllowedPaymentMethodTypes = cmd.AllowedPaymentMethodTypes, AutomaticPaymentMethods = null,
            };
        // A new payment method needs a new confirmation.
        if (cmd.PaymentMethod is not null && cmd.PaymentMethod != si.PaymentMethod)
            updated = updated with { PaymentMethod = cmd.PaymentMethod, Status = RequiresConfirmation, NextAction = null };
        return new SetupIntentChange(updated, []);
    }

    /// <summary>
    /// POST /v1/setup_intents/:id/confirm (and create with confirm=true). <paramref name="pm"/> and <paramref name="card"/>
    /// are the payment method to set up and its test-card behaviour; null when there is none, which Stripe refuses.
    /// </summary>
    public static Outcome<SetupIntentChange> Confirm(SetupIntent si, PaymentMethod? pm, TestCard? card, SetupConfirmOptions options)
    {
        if (Guard(si, SetupIntentAction.Confirm) is { } error) return error;
        if (pm is null || card is null) return StripeError.SetupIntentMissingPaymentMethod(si.Id);
        // C22: unlike a PaymentIntent, there is no off-session exemption (the customer is the one setting up); a
        // Stripe.js confirm (use_stripe_sdk) is exempt as for PaymentIntents: it handles the next action in the page.
        if (si.AutomaticPaymentMethods is { Enabled: true } apm && apm.AllowRedirects != "never" && !options.UseStripeSdk
            && (options.ReturnUrl ?? si.ReturnUrl) is null)
            return StripeError.SetupIntentReturnUrlRequired(si.Id);
        if (pm.Customer is not null && pm.Customer != si.Customer) return StripeError.PaymentMethodAlreadyAttached(pm.Id) with { SetupIntentId = si.Id };

        var current = si with { PaymentMethod = pm.Id, ReturnUrl = options.ReturnUrl ?? si.ReturnUrl };
        var b = card.Behavior;
        // Setting up is a customer-present step: a card that challenges on session challenges here (…3155, …3184,
        // …0446, …3220), and request_three_d_secure=any|challenge asks every card that supports 3DS.
        var challenge = CardNetworkEngine.NeedsAuthentication(b.ThreeDSecure, offSession: false, setupForOffSession: false)
            || (current.RequestThreeDSecure is "any" or "challenge" && b.ThreeDSecure is not ThreeDSecureRequirement.NotSupported);
        if (challenge)
        {
            var kind = current.ReturnUrl is not null && !options.UseStripeSdk ? NextActionType.RedirectToUrl : NextActionType.UseStripeSdk;
            var waiting = current with { Status = RequiresAction, NextAction = new NextAction(kind, current.ReturnUrl), LastSetupError = null };
            return new SetupIntentChange(waiting, [EventTypes.SetupIntentRequiresAction]);
        }
        return Verify(current, pm, card);
    }

    /// <summary>The customer finished (or abandoned) the 3DS challenge: the emulator's 3DS page or control call.</summary>
    public static Outcome<SetupIntentChange> Authenticate(SetupIntent si, PaymentMethod pm, TestCard card, bool succeeded)
    {
        if (Guard(si, SetupIntentAction.Authenticate) is { } error) return error;
        if (pm.Id != si.PaymentMethod)
            throw new ArgumentException($"{pm.Id} is not the payment method {si.Id} is authenticating.", nameof(pm));
        if (succeeded) return Verify(si with { NextAction = null }, pm, card);
        var failure = StripeError.SetupIntentAuthenticationFailure(si.Id, pm.Id);
        var failed = si with
        {
            Status = RequiresPaymentMethod, PaymentMethod = null, NextAction = null, LastSetupError = PaymentError.From(failure),
        };
        return new SetupIntentChange(failed, [EventTypes.SetupIntentSetupFailed]);
    }

    // The issuer's verification of the card, as on attach (§18.3: the decline cards cannot be saved; …0341 can).
    // Deviation [?]: the 3DS cards that decline a payment after authentication (…3178, …1629) set up fine: no
    // payment is made, and Stripe's catalogue lets them be attached.
    private static SetupIntentChange Verify(SetupIntent si, PaymentMethod pm, TestCard card)
    {
        if (card.DeclineOnSave(cvcSupplied: pm.Card.CvcCheck is not null) is { } declined)
        {
            var error = declined with { SetupIntentId = si.Id, PaymentMethodId = pm.Id };
            var failed = si with { Status = RequiresPaymentMethod, PaymentMethod = null, NextAction = null, LastSetupError = PaymentError.From(error) };
            return new SetupIntentChange(failed, [EventTypes.SetupIntentSetupFailed], error);
        }
        var succeeded = si with { Status = Succeeded, NextAction = null, LastSetupError = null };
        return new SetupIntentChange(succeeded, [EventTypes.SetupIntentSucceeded]) { Saved = true };
    }

    public static readonly IReadOnlyList<SetupIntentCancellationReason> UserCancellationReasons = Enum.GetValues<SetupIntentCancellationReason>();

    public static Outcome<SetupIntentChange> Cancel(SetupIntent si, SetupIntentCancellationReason? reason)
    {
        if (Guard(si, SetupIntentAction.Cancel) is { } error) return error;
        var canceled = si with { Status = Canceled, CancellationReason = reason, NextAction = null };
        return new SetupIntentChange(canceled, [EventTypes.SetupIntentCanceled]);
    }
}
