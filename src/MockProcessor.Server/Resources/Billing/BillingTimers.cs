using MockProcessor.Domain.Billing;
using MockProcessor.Domain.Common;
using MockProcessor.Server.Time;
using MockProcessor.Server.Wire;
using static MockProcessor.Domain.Billing.SubscriptionStatus;

namespace MockProcessor.Server.Resources.Billing;

/// <summary>
/// A subscription's time-driven work (docs/billing.md): the incomplete window closing (23 h), the trial-ending notice
/// (3 days before), <c>cancel_at</c>, and each period end (renewal, or the end of a subscription set to cancel then).
/// Due times are on the customer's billing clock, shifted onto the timer queue's scale (<see cref="BillingClock"/>).
/// </summary>
public sealed class SubscriptionTimer : IObjectTimer
{
    public string ObjectType => "subscription";

    public long? DueAt(StripeObject obj, Func<string, StripeObject?> get) =>
        obj is Subscription s ? BillingClock.ToQueue(NextOnClock(s, UpcomingDays(get(s.AccountId))), s.Customer, get) : null;

    /// <summary>The merchant's <c>upcoming_days</c> (a change applies from each subscription's next change or period).</summary>
    private static long UpcomingDays(StripeObject? account) =>
        (account as Domain.Accounts.Account)?.Billing?.UpcomingDays ?? BillingSettings.DefaultUpcomingDays;

    /// <summary>The subscription's next work on its own clock, or null.</summary>
    public static long? NextOnClock(Subscription s, long upcomingDays = BillingSettings.DefaultUpcomingDays)
    {
        if (SubscriptionRules.IsTerminal(s.Status)) return null;
        long? next = null;
        void Consider(long? t) { if (t is { } v && (next is null || v < next)) next = v; }
        if (s.Status == Incomplete) Consider(s.Created + SubscriptionRules.IncompleteWindowSeconds);
        if (s.Status == Trialing && !s.TrialWillEndSent && s.TrialEnd is { } te)
            Consider(Math.Max(s.Created, te - SubscriptionRules.TrialWillEndNoticeSeconds));
        if (s.CancelAt is { } at && at < s.CurrentPeriodEnd) Consider(Math.Max(at, s.Created));
        if (s.PauseCollection?.ResumesAt is { } resumes) Consider(resumes);
        if (s.PendingUpdate is { } pending) Consider(pending.ExpiresAt);
        Consider(SubscriptionRules.UpcomingDueAt(s, upcomingDays));
        if (SubscriptionRules.Renews(s.Status)) Consider(s.CurrentPeriodEnd);
        return next;
    }

    public void Fire(ApiContext c, StripeObject obj)
    {
        var s = (Subscription)obj;
        c = BillingClock.AtClock(c, s.Customer);
        var now = c.Now;
        if (s.PendingUpdate is { } pending && now >= pending.ExpiresAt)
            BillingEngine.ExpirePendingUpdate(c, s);
        else if (s.PauseCollection?.ResumesAt is { } resumes && now >= resumes)
            BillingEngine.Save(c, s, s with { PauseCollection = null }); // pause_collection[resumes_at]: collecting again
        else if (s.Status == Incomplete && now >= s.Created + SubscriptionRules.IncompleteWindowSeconds)
            BillingEngine.ExpireIncomplete(c, s);
        else if (s.Status == Trialing && !s.TrialWillEndSent && s.TrialEnd is { } te && now >= te - SubscriptionRules.TrialWillEndNoticeSeconds
                 && now < s.CurrentPeriodEnd)
        {
            var noticed = s with { TrialWillEndSent = true };
            c.Tx.Put(noticed);
            c.Emit("customer.subscription.trial_will_end", noticed);
        }
        else if (SubscriptionRules.UpcomingDueAt(s, BillingEngine.Settings(c).UpcomingDays) is { } upcoming && now >= upcoming && now < s.CurrentPeriodEnd)
            BillingEngine.AnnounceUpcoming(c, s);
        else if (s.CancelAt is { } at && now >= at && at < s.CurrentPeriodEnd)
            BillingEngine.Cancel(c, s, CancellationReason.CancellationRequested);
        else if (SubscriptionRules.Renews(s.Status) && now >= s.CurrentPeriodEnd)
            BillingEngine.PeriodEnd(c, s);
        else if (s.Status == Trialing && !s.TrialWillEndSent)
            c.Tx.Put(s with { TrialWillEndSent = true }); // the trial ends before its notice would be due
    }
}

/// <summary>
/// An invoice's time-driven work: a draft that advances automatically is finalized an hour after creation and, charged
/// automatically, collected; an open invoice's next automatic retry (<c>next_payment_attempt</c>).
/// </summary>
public sealed class InvoiceTimer : IObjectTimer
{
    public string ObjectType => "invoice";

    public long? DueAt(StripeObject obj, Func<string, StripeObject?> get)
    {
        if (obj is not Invoice inv) return null;
        long? due = inv.Status switch
        {
            InvoiceStatus.Draft when inv.AutoAdvance => inv.AutomaticallyFinalizesAt,
            InvoiceStatus.Open when inv.CollectionMethod == CollectionMethod.ChargeAutomatically && !Ended(inv, get) => inv.NextPaymentAttempt,
            _ => null,
        };
        return BillingClock.ToQueue(due, inv.Customer, get);
    }

    private static bool Ended(Invoice inv, Func<string, StripeObject?> get) =>
        inv.Subscription is { } id && get(id) is Subscription s && SubscriptionRules.IsTerminal(s.Status);

    public void Fire(ApiContext c, StripeObject obj)
    {
        var inv = (Invoice)obj;
        c = BillingClock.AtClock(c, inv.Customer);
        if (inv.Status == InvoiceStatus.Draft) BillingEngine.FinalizeAndCollect(c, inv);
        else if (inv.Status == InvoiceStatus.Open)
            BillingEngine.Attempt(c, inv, null, automatic: true);
    }
}
