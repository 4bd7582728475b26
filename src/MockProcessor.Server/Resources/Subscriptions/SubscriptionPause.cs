using MockProcessor.Domain.Billing;
using MockProcessor.Domain.Common;
using MockProcessor.Domain.Customers;
using MockProcessor.Domain.Errors;
using MockProcessor.Server.Resources.Billing;
using MockProcessor.Server.Wire;
using static MockProcessor.Domain.Billing.SubscriptionStatus;

namespace MockProcessor.Server.Resources.Subscriptions;

/// <summary>
/// Pausing (docs/billing.md, "Pause and resume"): <c>pause_collection</c> on update, <c>trial_settings</c> on create and
/// update, and <c>POST /v1/subscriptions/{id}/resume</c> for <c>paused</c> subscriptions. Status changes go through
/// <see cref="SubscriptionRules"/>.
/// </summary>
public static class SubscriptionPause
{
    private static StripeException Bad(string param, string message) => new(StripeError.InvalidValue(param, message));

    /// <summary><c>pause_collection[behavior|resumes_at]</c>; <c>pause_collection=""</c> collects again.</summary>
    public static Subscription ReadPauseCollection(ApiContext c, Subscription s)
    {
        var p = c.P;
        if (!p.Has("pause_collection")) return s;
        if (p.IsEmpty("pause_collection"))
        {
            p.Accept("pause_collection");
            return s with { PauseCollection = null };
        }
        var o = p.Object("pause_collection")!;
        var behavior = o.Enum<PauseCollectionBehavior>("behavior")
            ?? throw new StripeException(StripeError.ParameterMissing("pause_collection[behavior]"), beforeExecution: true);
        var resumesAt = o.Long("resumes_at");
        if (resumesAt is { } r && r <= c.Now) throw Bad("pause_collection[resumes_at]", "Invalid timestamp: pause_collection[resumes_at] must be in the future.");
        return s with { PauseCollection = new PauseCollection(behavior, resumesAt) };
    }

    /// <summary><c>trial_settings[end_behavior][missing_payment_method]</c>.</summary>
    public static MissingPaymentMethodBehavior ReadTrialSettings(Params p, MissingPaymentMethodBehavior current)
    {
        if (p.Object("trial_settings") is not { } ts) return current;
        var end = ts.Object("end_behavior") ?? throw new StripeException(StripeError.ParameterMissing("trial_settings[end_behavior]"), beforeExecution: true);
        return end.Enum<MissingPaymentMethodBehavior>("missing_payment_method")
            ?? throw new StripeException(StripeError.ParameterMissing("trial_settings[end_behavior][missing_payment_method]"), beforeExecution: true);
    }

    /// <summary>
    /// <c>POST /v1/subscriptions/{id}/resume</c>: <c>billing_cycle_anchor</c> <c>now</c> (default: a new period starts
    /// now and its invoice is finalized and charged at once) or <c>unchanged</c> (the period of the old anchor that
    /// contains now; the remaining time is prorated per <c>proration_behavior</c>: pending items, an invoice now, or
    /// nothing). <c>payment_behavior=resume_on_payment_attempt</c> (default) makes it <c>active</c> at once;
    /// <c>resume_on_payment_success</c> waits for the invoice to be paid. No invoice: <c>active</c> at once.
    /// </summary>
    public static ApiResult Resume(ApiContext c)
    {
        var before = SubscriptionEndpoints.Load(c, c.Route("id"));
        c = c.AtTime(BillingClock.Now(c, before.Customer));
        var p = c.P;
        var anchor = p.IsHash("billing_cycle_anchor")
            ? p.Object("billing_cycle_anchor")!.Enum("type", "now", "unchanged")
                ?? throw new StripeException(StripeError.ParameterMissing("billing_cycle_anchor[type]"), beforeExecution: true)
            : p.Enum("billing_cycle_anchor", "now", "unchanged") ?? "now";
        var proration = p.Enum<ProrationBehavior>("proration_behavior") ?? ProrationBehavior.CreateProrations;
        var prorationDate = p.Long("proration_date");
        var onAttempt = (p.Enum("payment_behavior", "resume_on_payment_attempt", "resume_on_payment_success") ?? "resume_on_payment_attempt")
            == "resume_on_payment_attempt";
        if (before.Status != Paused)
            throw new StripeException(new StripeError(400, StripeError.InvalidRequest, null,
                $"The subscription {before.Id} is {before.Status.ToWire()}; only a paused subscription can be resumed.", "id"));
        if (before.CollectionMethod != CollectionMethod.ChargeAutomatically)
            throw new StripeException(new StripeError(400, StripeError.InvalidRequest, null,
                "Only subscriptions with collection_method=charge_automatically can be resumed.", "id"));
        var now = c.Now;
        var customer = c.Tx.Get<Customer>(before.Customer)!;
        Subscription after;
        string? invoiceId = null;
        List<InvoiceLine> lines = [];
        if (anchor == "now")
        {
            var end = BillingPeriods.NextAfter(now, before.Interval, before.IntervalCount, now);
            invoiceId = c.Ids.Next("in");
            after = before with { BillingCycleAnchor = now, AnchorConfig = null, GridAnchor = null, CurrentPeriodStart = now, CurrentPeriodEnd = end, LatestInvoice = invoiceId };
            var period = new BillingPeriod(now, end);
            lines = [.. after.Items.Select(i => BillingEngine.ItemLine(c, after, i, period, trial: false))];
        }
        else
        {
            var (start, end) = BillingPeriods.Containing(before.PeriodGrid(), before.Interval, before.IntervalCount, now);
            after = before with { CurrentPeriodStart = start, CurrentPeriodEnd = end };
            if (proration != ProrationBehavior.None)
            {
                var at = prorationDate ?? now;
                if (at < start || at > end) throw Bad("proration_date", "proration_date must be within the subscription's current period.");
                // The remaining time of each item is debited; nothing is credited (nothing was billed while paused).
                var debits = BillingEngine.Prorations(c, after with { Items = [] }, after, at, store: true);
                if (proration == ProrationBehavior.AlwaysInvoice && debits.Count > 0)
                    after = after with { LatestInvoice = invoiceId = c.Ids.Next("in") };
            }
        }
        var resumed = after;
        if (onAttempt || invoiceId is null) resumed = BillingEngine.Transition(c, before, SubscriptionTrigger.Resume, after);
        else BillingEngine.Save(c, before, after); // paused until the invoice is paid (InvoicePaid in the table)
        if (invoiceId is not null)
        {
            var draft = BillingEngine.CreateInvoice(c, invoiceId, customer, resumed, BillingReason.SubscriptionUpdate, lines, now, now, autoAdvance: false);
            var open = BillingEngine.Finalize(c, draft, autoAdvance: true);
            if (open.Status == InvoiceStatus.Open) BillingEngine.Attempt(c, open, null, automatic: false);
        }
        return c.Respond(c.Tx.Get<Subscription>(before.Id)!);
    }
}
