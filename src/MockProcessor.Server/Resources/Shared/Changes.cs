using MockProcessor.Domain.Balance;
using MockProcessor.Domain.Charges;
using MockProcessor.Domain.Common;
using MockProcessor.Domain.Disputes;
using MockProcessor.Domain.Events;
using MockProcessor.Domain.PaymentIntents;
using MockProcessor.Domain.Refunds;
using MockProcessor.Server.Wire;

namespace MockProcessor.Server.Resources.Shared;

/// <summary>
/// Applies a payments decision to the call's unit of work: stores every object it changed and records its
/// events in the order the rules gave, each with the object its type names (<c>charge.*</c> the charge,
/// <c>refund.*</c> the refund, <c>payment_intent.*</c> the PaymentIntent) as it is after the change.
/// It is also the one place every succeeded charge passes through (PaymentIntent confirm and capture, the
/// legacy Charges API create and capture), so the dispute test cards open their disputes here.
/// </summary>
public static class Changes
{
    public static void Apply(ApiContext c, PaymentIntentChange change)
    {
        // The capture's funds are held first, so Connect's transfer and fee follow the charge's availability.
        change = Connect.ConnectMoney.OnChange(c, change with { BalanceTransaction = HeldForMerchant(c, change.BalanceTransaction) });
        var before = change.Charge is null ? null : c.Tx.Get<Charge>(change.Charge.Id);
        Put(c, change.PaymentIntent, change.Charge, change.BalanceTransaction, change.Refund);
        foreach (var type in change.Events)
            c.Emit(type, SubjectOf(type, change.PaymentIntent, change.Charge, change.Refund));
        if (change.Charge is not null) OpenTestCardDisputes(c, before, change.Charge);
        if (change.FiredRule is { } rule) NetworkRuleBook.RecordFired(c, rule);
        if (change.Decision is { } decision) c.Service<Hosting.Telemetry>().Decision(decision);
    }

    public static void Apply(ApiContext c, RefundChange change)
    {
        Put(c, null, change.Charge, change.BalanceTransaction, change.Refund);
        foreach (var type in change.Events)
            c.Emit(type, SubjectOf(type, null, change.Charge, change.Refund));
    }

    public static void Apply(ApiContext c, ChargeChange change)
    {
        var before = c.Tx.Get<Charge>(change.Charge.Id);
        Put(c, null, change.Charge, HeldForMerchant(c, change.BalanceTransaction), change.Refund);
        foreach (var type in change.Events)
            c.Emit(type, SubjectOf(type, null, change.Charge, change.Refund));
        OpenTestCardDisputes(c, before, change.Charge);
        if (change.FiredRule is { } rule) NetworkRuleBook.RecordFired(c, rule);
        if (change.Decision is { } decision) c.Service<Hosting.Telemetry>().Decision(decision);
    }

    /// <summary>
    /// A dispute decision: every event carries the dispute after the change; <c>updated</c> and <c>closed</c>
    /// also carry the changed fields' old values when <paramref name="before"/> is given.
    /// </summary>
    public static void Apply(ApiContext c, DisputeChange change, Dispute? before = null)
    {
        Put(c, change.Dispute, change.Charge, change.Transaction);
        var previous = before is null ? null : c.Render.PreviousAttributes(before, change.Dispute);
        foreach (var type in change.Events)
            c.Emit(type, change.Dispute, type is EventTypes.ChargeDisputeUpdated or EventTypes.ChargeDisputeClosed ? previous : null);
    }

    // The charge events come first (the dispute follows the payment, as it does at Stripe seconds later).
    // Deviation: the disputes open in the same call rather than seconds after it; see DisputeRules.ForTestCard.
    // The early-fraud-warning card (createIssuerFraudRecord) opens nothing: radar.early_fraud_warning is not emulated.
    private static void OpenTestCardDisputes(ApiContext c, Charge? before, Charge after)
    {
        foreach (var change in DisputeRules.ForTestCard(before, after, c.Now, c.Ids))
            Apply(c, change);
    }

    // A captured charge's funds stay pending for the merchant's payout delay_days (docs/payouts.md); the payment
    // rules book the US default, and every capture passes through here.
    private static BalanceTransaction? HeldForMerchant(ApiContext c, BalanceTransaction? t) =>
        t is null ? null : BalanceRules.WithPayoutDelay(t, (c.Tx.Get<Domain.Accounts.Account>(c.Account.Id) ?? c.Account).PayoutSchedule.DelayDays);

    private static void Put(ApiContext c, params StripeObject?[] objects)
    {
        foreach (var o in objects)
            if (o is not null) c.Tx.Put(o);
    }

    private static StripeObject SubjectOf(string eventType, StripeObject? pi, StripeObject? charge, StripeObject? refund)
    {
        StripeObject? subject = eventType switch
        {
            _ when eventType.StartsWith("payment_intent.", StringComparison.Ordinal) => pi,
            _ when eventType.StartsWith("charge.refund.", StringComparison.Ordinal) => refund,
            _ when eventType.StartsWith("charge.", StringComparison.Ordinal) => charge,
            _ when eventType.StartsWith("refund.", StringComparison.Ordinal) => refund,
            _ => null,
        };
        return subject ?? throw new InvalidOperationException($"The change emits {eventType} but carries no object for it.");
    }
}
