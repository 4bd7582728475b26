using System.Collections.Immutable;
using MockProcessor.Domain.Balance;
using MockProcessor.Domain.CardNetwork;
using MockProcessor.Domain.Charges;
using MockProcessor.Domain.Common;
using MockProcessor.Domain.Errors;
using MockProcessor.Domain.Events;
using MockProcessor.Domain.Ids;
using MockProcessor.Domain.Money;

namespace MockProcessor.Domain.Refunds;

public sealed record CreateRefund(long? Amount, RefundReason? Reason, ImmutableSortedDictionary<string, string>? Metadata);

// What a refund decision changed; the store saves all of it in one transaction, then emits Events in order.
public sealed record RefundChange(Refund Refund, Charge Charge, BalanceTransaction? BalanceTransaction, IReadOnlyList<string> Events);

public static class RefundRules
{
    // The test cards' "later" transitions (pending → succeeded, succeeded → failed) run this long after
    // creation. Stripe says only "later"; a minute of emulator time keeps tests short and events in a clear order.
    public const long SettleDelaySeconds = 60;

    public static Outcome<RefundChange> Create(
        Charge charge, IReadOnlyList<Refund> earlier, CreateRefund cmd, string accountId, long now, IdGenerator ids)
    {
        if (charge.Status is not ChargeStatus.Succeeded)
            return StripeError.ChargeNotRefundable(charge.Id, charge.Status.ToWire());
        if (!charge.Captured)
            return charge.PaymentIntent is { } pi
                ? StripeError.RefundUncapturedPaymentIntentCharge(charge.Id, pi)
                // Deviation: the legacy Charges API releases an uncaptured charge's authorization when it is
                // refunded; we only emulate PaymentIntent-created charges, so we refuse instead.
                : StripeError.RefundUncapturedCharge(charge.Id);
        if (charge.RefundBlockedByDispute) return StripeError.ChargeDisputed(charge.Id);

        var alreadyRefunded = earlier.Where(r => r.Charge == charge.Id && r.ReducesRefundable).Sum(r => r.Amount);
        var remaining = charge.Amount - alreadyRefunded;
        if (remaining <= 0) return StripeError.ChargeAlreadyRefunded(charge.Id);

        var amount = cmd.Amount ?? remaining;
        var precision = Currencies.ValidatePrecision(amount, charge.Currency);
        if (precision.IsError) return precision.Error!;
        if (amount > remaining)
            return alreadyRefunded == 0
                ? StripeError.RefundGreaterThanCharge(Currencies.Format(amount, charge.Currency), Currencies.Format(charge.Amount, charge.Currency))
                : StripeError.RefundGreaterThanUnrefunded(Currencies.Format(amount, charge.Currency), Currencies.Format(remaining, charge.Currency));

        var refundId = ids.Next("re");
        // Stripe keeps its processing fee on refunds: the refund's transaction has fee 0 (§14) and is
        // booked at once, even for a refund that is still pending.
        var txn = new BalanceTransaction
        {
            Id = ids.Next("txn"), AccountId = accountId, Created = now,
            Amount = -amount, Currency = charge.Currency, Fee = 0,
            Type = BalanceTransactionType.Refund, ReportingCategory = ReportingCategory.Refund,
            Source = refundId, Description = "REFUND FOR CHARGE" + (charge.Description is null ? "" : $" ({charge.Description})"),
            AvailableOn = now,
        };
        var pending = charge.RefundBehavior is RefundBehavior.PendingThenSucceed;
        var refund = new Refund
        {
            Id = refundId, AccountId = accountId, Created = now,
            Amount = amount, Currency = charge.Currency, Charge = charge.Id, PaymentIntent = charge.PaymentIntent,
            PaymentMethod = charge.PaymentMethod,
            Status = pending ? RefundStatus.Pending : RefundStatus.Succeeded,
            PendingReason = pending ? RefundPendingReason.Processing : null,
            Reason = cmd.Reason, BalanceTransaction = txn.Id,
            Metadata = cmd.Metadata ?? Common.Metadata.Empty,
        };
        var refunded = alreadyRefunded + amount;
        var updated = charge with { AmountRefunded = refunded, Refunded = refunded == charge.Amount };
        return new RefundChange(refund, updated, txn, [EventTypes.RefundCreated, EventTypes.ChargeRefunded]);
    }

    // POST /v1/refunds/:id/cancel. Stripe allows it only for refunds waiting on the customer
    // (requires_action); card refunds never wait, so for cards this always refuses. A canceled refund gives
    // its amount back to the charge. No refund reaches requires_action here yet (no non-card methods), so
    // the reversal of its balance transaction is left to whoever adds such refunds.
    public static Outcome<RefundChange> Cancel(Refund refund, Charge charge, long now, IdGenerator ids)
    {
        if (refund.Status is not RefundStatus.RequiresAction)
            return StripeError.RefundNotCancelable(refund.Id, refund.Status.ToWire());
        var canceled = refund with { Status = RefundStatus.Canceled };
        var updated = charge with { AmountRefunded = charge.AmountRefunded - refund.Amount, Refunded = false };
        return new RefundChange(canceled, updated, null, [EventTypes.RefundUpdated, EventTypes.ChargeRefundUpdated]);
    }

    // Releases an authorization that will never be captured (cancel, expiry, or the remainder of a partial
    // capture). Stripe represents the release as a Refund of type reversal; no money was captured, so no
    // balance transaction is booked.
    public static Refund ReleaseUncaptured(Charge charge, long amount, RefundReason? reason, string accountId, long now, IdGenerator ids) =>
        new()
        {
            Id = ids.Next("re"), AccountId = accountId, Created = now,
            Amount = amount, Currency = charge.Currency, Charge = charge.Id, PaymentIntent = charge.PaymentIntent,
            PaymentMethod = charge.PaymentMethod, Status = RefundStatus.Succeeded, Reason = reason,
            DestinationType = RefundDestinationType.Reversal,
        };

    /// <summary>When the refund's later state change is due, or null if its card has none (or it happened).</summary>
    public static long? SettleDueAt(Refund refund, Charge charge) =>
        (charge.RefundBehavior, refund.Status) switch
        {
            (RefundBehavior.PendingThenSucceed, RefundStatus.Pending) => refund.Created + SettleDelaySeconds,
            (RefundBehavior.SucceedThenFail, RefundStatus.Succeeded) when refund.DestinationType is RefundDestinationType.Refund
                => refund.Created + SettleDelaySeconds,
            _ => null,
        };

    // The later half of the refund test cards (§14, §18.7), run by the scheduler: pendingRefund settles to
    // succeeded; refundFail fails and the money comes back to the balance with a refund_failure transaction.
    public static Outcome<RefundChange> Settle(Refund refund, Charge charge, string accountId, long now, IdGenerator ids)
    {
        switch (charge.RefundBehavior, refund.Status)
        {
            case (RefundBehavior.PendingThenSucceed, RefundStatus.Pending):
                return new RefundChange(refund with { Status = RefundStatus.Succeeded, PendingReason = null }, charge, null,
                    [EventTypes.RefundUpdated, EventTypes.ChargeRefundUpdated]);

            case (RefundBehavior.SucceedThenFail, RefundStatus.Succeeded) when refund.DestinationType is RefundDestinationType.Refund:
                var txn = new BalanceTransaction
                {
                    Id = ids.Next("txn"), AccountId = accountId, Created = now,
                    Amount = refund.Amount, Currency = refund.Currency, Fee = 0,
                    Type = BalanceTransactionType.RefundFailure, ReportingCategory = ReportingCategory.RefundFailure,
                    Source = refund.Id, Description = "REFUND FAILURE", AvailableOn = now,
                };
                var failed = refund with
                {
                    Status = RefundStatus.Failed, FailureReason = RefundFailureReason.ExpiredOrCanceledCard, FailureBalanceTransaction = txn.Id,
                };
                // The failed amount is refundable again, so the charge's totals step back.
                var updated = charge with { AmountRefunded = charge.AmountRefunded - refund.Amount, Refunded = false };
                return new RefundChange(failed, updated, txn, [EventTypes.RefundFailed, EventTypes.ChargeRefundUpdated]);

            default:
                return StripeError.RefundNothingToSettle(refund.Id, refund.Status.ToWire());
        }
    }
}
