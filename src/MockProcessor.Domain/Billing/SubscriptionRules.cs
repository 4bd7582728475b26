using static MockProcessor.Domain.Billing.SubscriptionStatus;

namespace MockProcessor.Domain.Billing;

/// <summary>What moves a subscription from one status to another (docs/billing.md, "Statuses").</summary>
public enum SubscriptionTrigger
{
    /// <summary>The subscription's latest invoice was paid (card, <c>/pay</c>, out of band), or was $0.</summary>
    InvoicePaid,
    /// <summary>The latest invoice was marked uncollectible: Stripe ignores it when computing the status.</summary>
    InvoiceMarkedUncollectible,
    /// <summary>A renewal (or the invoice at trial end) could not be collected: declined, no payment method, or 3-D Secure needed.</summary>
    PaymentFailed,
    /// <summary>23 hours passed with the first invoice unpaid.</summary>
    IncompleteExpired,
    /// <summary>The trial's end was reached; the invoice for the first paid period is being collected.</summary>
    TrialEnded,
    /// <summary>The last retry failed and the merchant's setting says cancel / mark unpaid.</summary>
    RetriesExhaustedCancel,
    RetriesExhaustedUnpaid,
    /// <summary>Canceled by a call, at period end, or at <c>cancel_at</c>.</summary>
    Cancel,
    /// <summary>The trial ended without a payment method and <c>missing_payment_method=pause</c>.</summary>
    TrialEndedWithoutPaymentMethodPause,
    /// <summary>The trial ended without a payment method and <c>missing_payment_method=cancel</c>.</summary>
    TrialEndedWithoutPaymentMethodCancel,
    /// <summary>An update set <c>trial_end</c> (or <c>trial_from_plan</c>): a trial starts, or a running one moves its end.</summary>
    TrialStarted,
    /// <summary><c>POST /v1/subscriptions/{id}/resume</c> with <c>payment_behavior=resume_on_payment_attempt</c> (the default).</summary>
    Resume,
}

/// <summary>
/// The one status table of subscriptions. A pair that is not in the table is not a transition Stripe makes: the
/// caller either refuses the request or leaves the status alone (<see cref="Next"/> returns null).
/// </summary>
public static class SubscriptionRules
{
    /// <summary>Stripe expires an incomplete subscription whose first invoice stays unpaid for 23 hours.</summary>
    public const long IncompleteWindowSeconds = 23 * 3600;
    /// <summary><c>customer.subscription.trial_will_end</c> goes out three days before the trial ends.</summary>
    public const long TrialWillEndNoticeSeconds = 3 * 86_400;
    /// <summary>A renewal draft is finalized (and charged) about an hour after it is created.</summary>
    public const long DraftWindowSeconds = 3600;
    /// <summary><c>trial_period_days</c> may be at most 730.</summary>
    public const long MaxTrialDays = 730;

    private static readonly Dictionary<(SubscriptionStatus, SubscriptionTrigger), SubscriptionStatus> Table = new()
    {
        [(Incomplete, SubscriptionTrigger.InvoicePaid)] = Active,
        [(Incomplete, SubscriptionTrigger.InvoiceMarkedUncollectible)] = Active,
        [(Incomplete, SubscriptionTrigger.PaymentFailed)] = Incomplete,
        [(Incomplete, SubscriptionTrigger.IncompleteExpired)] = IncompleteExpired,
        [(Incomplete, SubscriptionTrigger.Cancel)] = Canceled,

        [(Trialing, SubscriptionTrigger.TrialEnded)] = Active,
        [(Trialing, SubscriptionTrigger.InvoicePaid)] = Trialing,
        [(Trialing, SubscriptionTrigger.TrialStarted)] = Trialing,
        [(Trialing, SubscriptionTrigger.Cancel)] = Canceled,
        [(Trialing, SubscriptionTrigger.TrialEndedWithoutPaymentMethodPause)] = Paused,
        [(Trialing, SubscriptionTrigger.TrialEndedWithoutPaymentMethodCancel)] = Canceled,

        [(Active, SubscriptionTrigger.InvoicePaid)] = Active,
        [(Active, SubscriptionTrigger.InvoiceMarkedUncollectible)] = Active,
        [(Active, SubscriptionTrigger.PaymentFailed)] = PastDue,
        [(Active, SubscriptionTrigger.Cancel)] = Canceled,
        [(Active, SubscriptionTrigger.TrialStarted)] = Trialing,

        [(PastDue, SubscriptionTrigger.InvoicePaid)] = Active,
        [(PastDue, SubscriptionTrigger.InvoiceMarkedUncollectible)] = Active,
        [(PastDue, SubscriptionTrigger.PaymentFailed)] = PastDue,
        [(PastDue, SubscriptionTrigger.RetriesExhaustedCancel)] = Canceled,
        [(PastDue, SubscriptionTrigger.RetriesExhaustedUnpaid)] = Unpaid,
        [(PastDue, SubscriptionTrigger.Cancel)] = Canceled,
        [(PastDue, SubscriptionTrigger.TrialStarted)] = Trialing,

        [(Unpaid, SubscriptionTrigger.InvoicePaid)] = Active,
        [(Unpaid, SubscriptionTrigger.InvoiceMarkedUncollectible)] = Active,
        [(Unpaid, SubscriptionTrigger.PaymentFailed)] = Unpaid,
        [(Unpaid, SubscriptionTrigger.Cancel)] = Canceled,

        [(Paused, SubscriptionTrigger.Resume)] = Active,
        // resume_on_payment_success: the resumption invoice decides; a failure leaves it paused.
        [(Paused, SubscriptionTrigger.InvoicePaid)] = Active,
        [(Paused, SubscriptionTrigger.InvoiceMarkedUncollectible)] = Active,
        [(Paused, SubscriptionTrigger.PaymentFailed)] = Paused,
        [(Paused, SubscriptionTrigger.Cancel)] = Canceled,
    };

    /// <summary>The status after <paramref name="trigger"/>, or null when the table has no such transition.</summary>
    public static SubscriptionStatus? Next(SubscriptionStatus from, SubscriptionTrigger trigger) =>
        Table.TryGetValue((from, trigger), out var to) ? to : null;

    /// <summary>
    /// When <c>invoice.upcoming</c> is due for the current period: <paramref name="days"/> before its end, for a
    /// subscription that will renew and be charged automatically (not canceling, not paused or collection-paused, not
    /// unpaid), once per period, and only when that moment is after the period's start. Null when none is due.
    /// </summary>
    public static long? UpcomingDueAt(Subscription s, long days)
    {
        if (days <= 0 || !Renews(s.Status) || s.Status == Unpaid || s.CollectionMethod != CollectionMethod.ChargeAutomatically
            || s.PauseCollection is not null || s.CancelAtPeriodEnd || s.CancelAt is { } at && at <= s.CurrentPeriodEnd
            || s.UpcomingSentFor == s.CurrentPeriodEnd) return null;
        var due = s.CurrentPeriodEnd - days * 86_400;
        return due > s.CurrentPeriodStart ? due : null;
    }

    /// <summary>Statuses that end a subscription for good: nothing bills or changes any more.</summary>
    public static bool IsTerminal(SubscriptionStatus s) => s is Canceled or IncompleteExpired;

    /// <summary>Statuses whose period ends renew the subscription (create the next invoice).</summary>
    public static bool Renews(SubscriptionStatus s) => s is Trialing or Active or PastDue or Unpaid;

    /// <summary>Every (from, trigger, to) row, for the documentation and its test.</summary>
    public static IEnumerable<(SubscriptionStatus From, SubscriptionTrigger Trigger, SubscriptionStatus To)> Rows =>
        Table.Select(kv => (kv.Key.Item1, kv.Key.Item2, kv.Value));
}
