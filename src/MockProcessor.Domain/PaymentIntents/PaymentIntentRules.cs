using MockProcessor.Domain.Charges;
using MockProcessor.Domain.Common;
using MockProcessor.Domain.Errors;
using MockProcessor.Domain.Events;
using MockProcessor.Domain.Ids;
using MockProcessor.Domain.Money;
using MockProcessor.Domain.Refunds;
using static MockProcessor.Domain.PaymentIntents.PaymentIntentStatus;

namespace MockProcessor.Domain.PaymentIntents;

// Pure decisions for PaymentIntents (§11.3): each function validates everything first, then returns the
// new versions of every object it touched. Confirmation and 3DS live in PaymentIntentRules.Confirm.cs.
public static partial class PaymentIntentRules
{
    // The whole transition table. Anything not listed is payment_intent_unexpected_state.
    public static bool Allows(PaymentIntentStatus status, PaymentIntentAction action) => (status, action) switch
    {
        (RequiresPaymentMethod or RequiresConfirmation or RequiresAction, PaymentIntentAction.UpdatePayment) => true,
        (not Canceled, PaymentIntentAction.UpdateDetails) => true,
        (RequiresPaymentMethod or RequiresConfirmation or RequiresAction, PaymentIntentAction.Confirm) => true,
        (RequiresAction, PaymentIntentAction.Authenticate) => true,
        (RequiresCapture, PaymentIntentAction.Capture) => true,
        // A card PI sits in processing only while a scripted network timeout is unresolved (NetworkSettlementTimer);
        // Stripe refuses to confirm, capture or cancel one that does (§11.3).
        (RequiresPaymentMethod or RequiresConfirmation or RequiresAction or RequiresCapture, PaymentIntentAction.Cancel) => true,
        (RequiresCapture, PaymentIntentAction.Expire) => true,
        _ => false,
    };

    public static IEnumerable<PaymentIntentStatus> StatusesAllowing(PaymentIntentAction action) =>
        Enum.GetValues<PaymentIntentStatus>().Where(s => Allows(s, action));

    public static StripeError? Guard(PaymentIntent pi, PaymentIntentAction action) =>
        Allows(pi.Status, action)
            ? null
            : StripeError.PaymentIntentUnexpectedState(pi.Id, Verb(action), pi.Status.ToWire(), StatusesAllowing(action).Select(s => s.ToWire()));

    private static string Verb(PaymentIntentAction action) => action switch
    {
        PaymentIntentAction.UpdateDetails or PaymentIntentAction.UpdatePayment => "updated",
        PaymentIntentAction.Confirm => "confirmed",
        PaymentIntentAction.Authenticate => "authenticated",
        PaymentIntentAction.Capture => "captured",
        PaymentIntentAction.Cancel => "canceled",
        PaymentIntentAction.Expire => "expired",
        _ => throw new ArgumentOutOfRangeException(nameof(action)),
    };

    public static Outcome<PaymentIntentChange> Create(CreatePaymentIntent cmd, string accountId, long now, IdGenerator ids)
    {
        var amount = Currencies.ValidateChargeAmount(cmd.Amount, cmd.Currency);
        if (amount.IsError) return amount.Error!;

        var id = ids.Next("pi");
        var automatic = cmd.PaymentMethodTypes is null;
        var pi = new PaymentIntent
        {
            Id = id, AccountId = accountId, Created = now,
            Amount = cmd.Amount, Currency = cmd.Currency,
            Status = cmd.PaymentMethod is null ? RequiresPaymentMethod : RequiresConfirmation,
            CaptureMethod = cmd.CaptureMethod, ConfirmationMethod = cmd.ConfirmationMethod,
            PaymentMethod = cmd.PaymentMethod,
            PaymentMethodTypes = cmd.PaymentMethodTypes ?? ["card"],
            AllowedPaymentMethodTypes = cmd.AllowedPaymentMethodTypes,
            ExcludedPaymentMethodTypes = cmd.ExcludedPaymentMethodTypes,
            AutomaticPaymentMethods = automatic ? new AutomaticPaymentMethods(true, cmd.AllowRedirects) : null,
            Customer = cmd.Customer, Description = cmd.Description, Metadata = cmd.Metadata ?? Metadata.Empty,
            ClientSecret = $"{id}_secret_{ids.Chars(25)}",
            ReceiptEmail = cmd.ReceiptEmail, SetupFutureUsage = cmd.SetupFutureUsage,
            StatementDescriptor = cmd.StatementDescriptor, StatementDescriptorSuffix = cmd.StatementDescriptorSuffix,
            ReturnUrl = cmd.ReturnUrl,
        };
        return new PaymentIntentChange(pi, null, null, null, [EventTypes.PaymentIntentCreated]);
    }

    // Stripe has no payment_intent.updated event, so an update emits nothing.
    public static Outcome<PaymentIntentChange> Update(PaymentIntent pi, UpdatePaymentIntent cmd)
    {
        var frozenParam = cmd.Amount is not null ? "amount" : cmd.Currency is not null ? "currency"
            : cmd.PaymentMethod is not null ? "payment_method" : cmd.CaptureMethod is not null ? "capture_method"
            : cmd.SetupFutureUsage is not null ? "setup_future_usage"
            : cmd.AllowedPaymentMethodTypes is not null ? "allowed_payment_method_types"
            : cmd.PaymentMethodTypes is not null ? "payment_method_types"
            : cmd.ExcludedPaymentMethodTypes is not null ? "excluded_payment_method_types" : null;
        if (frozenParam is not null && !Allows(pi.Status, PaymentIntentAction.UpdatePayment))
            return pi.Status is Canceled
                ? Guard(pi, PaymentIntentAction.UpdatePayment)!
                : StripeError.PaymentIntentFieldFrozen(pi.Id, frozenParam, pi.Status.ToWire());
        if (Guard(pi, PaymentIntentAction.UpdateDetails) is { } error) return error;

        var newAmount = cmd.Amount ?? pi.Amount;
        var newCurrency = cmd.Currency ?? pi.Currency;
        if (cmd.Amount is not null || cmd.Currency is not null)
        {
            var valid = Currencies.ValidateChargeAmount(newAmount, newCurrency);
            if (valid.IsError) return valid.Error!;
        }

        var updated = pi with
        {
            Amount = newAmount, Currency = newCurrency,
            CaptureMethod = cmd.CaptureMethod ?? pi.CaptureMethod,
            SetupFutureUsage = cmd.SetupFutureUsage ?? pi.SetupFutureUsage,
            Customer = cmd.Customer ?? pi.Customer,
            Description = cmd.Description ?? pi.Description,
            Metadata = cmd.Metadata ?? pi.Metadata,
            ReceiptEmail = cmd.ReceiptEmail ?? pi.ReceiptEmail,
            StatementDescriptorSuffix = cmd.StatementDescriptorSuffix ?? pi.StatementDescriptorSuffix,
            ExcludedPaymentMethodTypes = cmd.ExcludedPaymentMethodTypes ?? pi.ExcludedPaymentMethodTypes,
        };
        if (cmd.PaymentMethodTypes is not null)
            updated = updated with
            {
                PaymentMethodTypes = cmd.PaymentMethodTypes, AllowedPaymentMethodTypes = cmd.AllowedPaymentMethodTypes, AutomaticPaymentMethods = null,
            };
        // A new payment method needs a new confirmation, and any 3DS done for the old one no longer counts.
        if (cmd.PaymentMethod is not null && cmd.PaymentMethod != pi.PaymentMethod)
            updated = updated with
            {
                PaymentMethod = cmd.PaymentMethod, Status = RequiresConfirmation, NextAction = null, AuthenticationCompleted = false,
            };
        return new PaymentIntentChange(updated, null, null, null, []);
    }

    // Captures an authorized charge. A partial capture releases the rest: Stripe creates a Refund for the
    // uncaptured remainder (solidus_stripe's RefundsSynchronizer lists it via Refund.list(payment_intent))
    // and counts it in charge.amount_refunded, while charge.refunded stays false because the charge is not
    // fully refunded. Only one capture per PI (no multicapture).
    public static Outcome<PaymentIntentChange> Capture(
        PaymentIntent pi, Charge charge, long? amountToCapture, long now, IdGenerator ids, string accountCountry = "US")
    {
        if (Guard(pi, PaymentIntentAction.Capture) is { } error) return error;
        RequireLatestCharge(pi, charge);
        if (charge.CaptureBefore is { } deadline && now > deadline) return StripeError.ChargeExpiredForCapture(charge.Id, pi.Id);

        var amount = amountToCapture ?? pi.AmountCapturable;
        var precision = Currencies.ValidatePrecision(amount, pi.Currency, "amount_to_capture");
        if (precision.IsError) return precision.Error! with { PaymentIntentId = pi.Id };
        if (amount > pi.AmountCapturable) return StripeError.AmountToCaptureTooLarge(pi.Id, amount, pi.AmountCapturable);

        var (captured, txn) = ChargeRules.BookCapture(charge, amount, accountCountry, now, ids);
        Refund? release = null;
        var remainder = charge.Amount - amount;
        if (remainder > 0)
        {
            release = RefundRules.ReleaseUncaptured(charge, remainder, null, pi.AccountId, now, ids);
            captured = captured with { AmountRefunded = captured.AmountRefunded + remainder };
        }
        var succeeded = pi with { Status = Succeeded, AmountReceived = amount, AmountCapturable = 0 };
        return new PaymentIntentChange(succeeded, captured, txn, release, [EventTypes.ChargeCaptured, EventTypes.PaymentIntentSucceeded]);
    }

    // Cancels; an uncaptured authorization is released and shows on the charge as fully refunded.
    public static Outcome<PaymentIntentChange> Cancel(PaymentIntent pi, Charge? charge, CancellationReason? reason, long now, IdGenerator ids)
    {
        if (Guard(pi, PaymentIntentAction.Cancel) is { } error) return error;
        if (reason is { } r && !UserCancellationReasons.Contains(r))
            return StripeError.InvalidEnum("cancellation_reason", r.ToWire(), UserCancellationReasons.Select(x => x.ToWire()));
        return Release(pi, charge, reason, null, EventTypes.ChargeRefunded, now, ids);
    }

    // The scheduler's half of manual capture: 7 days without capture and the authorization lapses.
    // cancellation_reason=automatic per §11.3 [?]; the release refund says expired_uncaptured_charge.
    public static Outcome<PaymentIntentChange> ExpireAuthorization(PaymentIntent pi, Charge charge, long now, IdGenerator ids)
    {
        if (Guard(pi, PaymentIntentAction.Expire) is { } error) return error;
        return Release(pi, charge, CancellationReason.Automatic, RefundReason.ExpiredUncapturedCharge, EventTypes.ChargeExpired, now, ids);
    }

    public static readonly IReadOnlyList<CancellationReason> UserCancellationReasons =
        [CancellationReason.Abandoned, CancellationReason.Duplicate, CancellationReason.Fraudulent, CancellationReason.RequestedByCustomer];

    private static PaymentIntentChange Release(
        PaymentIntent pi, Charge? charge, CancellationReason? reason, RefundReason? refundReason, string chargeEvent, long now, IdGenerator ids)
    {
        var canceled = pi with
        {
            Status = Canceled, CanceledAt = now, CancellationReason = reason, AmountCapturable = 0, NextAction = null,
        };
        if (pi.Status is not RequiresCapture || charge is null)
            return new PaymentIntentChange(canceled, null, null, null, [EventTypes.PaymentIntentCanceled]);

        RequireLatestCharge(pi, charge);
        var refund = RefundRules.ReleaseUncaptured(charge, charge.Amount, refundReason, pi.AccountId, now, ids);
        var released = charge with { AmountRefunded = charge.Amount, Refunded = true };
        return new PaymentIntentChange(canceled, released, null, refund, [chargeEvent, EventTypes.PaymentIntentCanceled]);
    }

    // Passing another PI's charge is a bug in the caller, not a customer error.
    private static void RequireLatestCharge(PaymentIntent pi, Charge charge)
    {
        if (charge.Id != pi.LatestCharge || charge.Captured || charge.Status is not ChargeStatus.Succeeded)
            throw new ArgumentException($"Charge {charge.Id} is not the uncaptured latest charge of {pi.Id}.", nameof(charge));
    }
}
