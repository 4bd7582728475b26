using System.Collections.Immutable;
using MockProcessor.Domain.Common;

namespace MockProcessor.Domain.Billing;

public enum SubscriptionStatus { Incomplete, IncompleteExpired, Trialing, Active, PastDue, Unpaid, Canceled, Paused }

public enum CollectionMethod { ChargeAutomatically, SendInvoice }

public enum PaymentBehavior { AllowIncomplete, DefaultIncomplete, ErrorIfIncomplete, PendingIfIncomplete }

public enum ProrationBehavior { CreateProrations, None, AlwaysInvoice }

public enum CancellationReason { CancellationRequested, PaymentFailed, PaymentDisputed }

/// <summary><c>pause_collection[behavior]</c>: what happens to the invoices made while collection is paused.</summary>
public enum PauseCollectionBehavior { KeepAsDraft, MarkUncollectible, Void }

/// <summary><c>pause_collection</c> on a subscription: its status is unchanged, its renewal invoices are handled per behavior.</summary>
public sealed record PauseCollection(PauseCollectionBehavior Behavior, long? ResumesAt);

/// <summary><c>trial_settings[end_behavior][missing_payment_method]</c>: what a trial ending without a payment method does.</summary>
public enum MissingPaymentMethodBehavior { CreateInvoice, Pause, Cancel }

/// <summary><c>status_details.paused.subscription.type</c>: why a subscription is <c>paused</c>.</summary>
public enum PauseReason { TrialEndWithoutPaymentMethod, PauseRequested, FirstPaymentFailure, FinalPaymentFailure, System }

/// <summary>
/// A subscription (<c>sub_</c>): a customer billed for its items every period. Its items are stored as their own
/// objects (<see cref="SubscriptionItem"/>). The current period is kept here once for all items (every item of a
/// subscription shares the billing cycle) and rendered on each item, where the current API version shows it.
/// Times are on the subscription's clock: its customer's test clock, or the merchant's (docs/billing.md).
/// </summary>
public sealed record Subscription : StripeObject
{
    public override string ObjectType => "subscription";
    public required string Customer { get; init; }
    public required string Currency { get; init; }
    public required SubscriptionStatus Status { get; init; }
    public long StartDate { get; init; }
    public long BillingCycleAnchor { get; init; }
    /// <summary><c>billing_cycle_anchor_config</c> as given on create (null: the anchor was a timestamp or the default).</summary>
    public BillingCycleAnchorConfig? AnchorConfig { get; init; }
    /// <summary>
    /// The reference time of the period grid when it is not <see cref="BillingCycleAnchor"/>: an anchor from
    /// <c>billing_cycle_anchor_config</c> whose <c>day_of_month</c> its month lacks (day 31 → Feb 28) keeps its periods
    /// on the configured day (Mar 31, Apr 30) by counting from a date that has it (<see cref="BillingPeriods.ConfigAnchor"/>).
    /// </summary>
    public long? GridAnchor { get; init; }
    /// <summary>A trial followed by an anchor with <c>proration_behavior=none</c>: the time from the trial end to the anchor is free.</summary>
    public bool FreeUntilAnchor { get; init; }
    public long CurrentPeriodStart { get; init; }
    public long CurrentPeriodEnd { get; init; }
    public long? TrialStart { get; init; }
    public long? TrialEnd { get; init; }
    /// <summary>Set once <c>customer.subscription.trial_will_end</c> went out for the current trial.</summary>
    public bool TrialWillEndSent { get; init; }
    public bool CancelAtPeriodEnd { get; init; }
    public long? CancelAt { get; init; }
    public long? CanceledAt { get; init; }
    public long? EndedAt { get; init; }
    public CancellationReason? CancellationReason { get; init; }
    public string? CancellationComment { get; init; }
    public string? CancellationFeedback { get; init; }
    public CollectionMethod CollectionMethod { get; init; } = CollectionMethod.ChargeAutomatically;
    public long? DaysUntilDue { get; init; }
    public string? DefaultPaymentMethod { get; init; }
    public string? Description { get; init; }
    public string? LatestInvoice { get; init; }
    public ImmutableSortedDictionary<string, string> Metadata { get; init; } = Common.Metadata.Empty;
    public string? TestClock { get; init; }
    /// <summary>The period end whose <c>invoice.upcoming</c> went out (once per period).</summary>
    public long? UpcomingSentFor { get; init; }
    /// <summary>Collection paused by <c>pause_collection</c> (null: collecting).</summary>
    public PauseCollection? PauseCollection { get; init; }
    /// <summary>Changes held by <c>payment_behavior=pending_if_incomplete</c> until <see cref="Billing.PendingUpdate.Invoice"/> is paid.</summary>
    public PendingUpdate? PendingUpdate { get; init; }
    /// <summary><c>trial_settings[end_behavior][missing_payment_method]</c>.</summary>
    public MissingPaymentMethodBehavior TrialMissingPaymentMethod { get; init; } = MissingPaymentMethodBehavior.CreateInvoice;
    /// <summary>When the status became <c>paused</c>, and why (<c>status_details.paused</c>); null unless paused.</summary>
    public long? PausedAt { get; init; }
    public PauseReason? PauseReason { get; init; }
    /// <summary>Where the emulator was reached when the subscription was made: the origin of its invoices' hosted pages.</summary>
    public string? PageBaseUrl { get; init; }
    /// <summary>The interval of the subscription's prices (all recurring items share it).</summary>
    public required Products.RecurringInterval Interval { get; init; }
    public long IntervalCount { get; init; } = 1;
    /// <summary>The items, in the order given, as they are in this version (a copy of each is stored under its own id).</summary>
    public ImmutableList<SubscriptionItem> Items { get; init; } = [];
    /// <summary>Discounts (<c>di_</c> ids) applied to its invoices while they last (docs/discounts.md).</summary>
    public ImmutableList<string> Discounts { get; init; } = [];
    public ImmutableList<string> DefaultTaxRates { get; init; } = [];

    /// <summary>The time every period boundary is counted from (<see cref="BillingPeriods.Boundary"/>).</summary>
    public long PeriodGrid() => GridAnchor ?? BillingCycleAnchor;
}

/// <summary><c>billing_cycle_anchor_config</c> (UTC): the anchor is the next such time; null parts were not given.</summary>
public sealed record BillingCycleAnchorConfig(int DayOfMonth, int? Hour, int? Minute, int? Second, int? Month);

/// <summary>One price and quantity of a subscription (<c>si_</c>). Deleted items are kept (flagged) for their history.</summary>
public sealed record SubscriptionItem : StripeObject
{
    public override string ObjectType => "subscription_item";
    public required string Subscription { get; init; }
    public required string Price { get; init; }
    public long Quantity { get; init; } = 1;
    public ImmutableSortedDictionary<string, string> Metadata { get; init; } = Common.Metadata.Empty;
    public bool Deleted { get; init; }
    /// <summary>The item's own tax rates; they replace the subscription's <c>default_tax_rates</c> on its lines.</summary>
    public ImmutableList<string> TaxRates { get; init; } = [];
}

/// <summary>
/// A merchant's billing settings (docs/billing.md), set by <c>POST /_mock/billing/settings</c>: the days after the
/// first failed attempt on which a renewal is retried, and what happens to the subscription when the last retry fails.
/// </summary>
public sealed record BillingSettings(IReadOnlyList<long> RetryDays, FinalFailureAction AfterFinalFailure)
{
    /// <summary>Stripe's "upcoming renewal events" setting: <c>invoice.upcoming</c> this many days before a renewal; 0 sends none.</summary>
    public long UpcomingDays { get; init; } = DefaultUpcomingDays;
    public const long DefaultUpcomingDays = 7;

    /// <summary>Deterministic stand-in for Smart Retries: 4 retries within a week of the first failure.</summary>
    public static readonly BillingSettings Default = new([1, 3, 5, 7], FinalFailureAction.Cancel);
}

public enum FinalFailureAction { Cancel, Unpaid, PastDue }

/// <summary>
/// A subscription update held until its invoice is paid (<c>payment_behavior=pending_if_incomplete</c>): the items it
/// will set, when it is dropped, and the invoice whose payment applies it. <see cref="Announced"/>: the first payment
/// attempt failed and the pending state was announced (so applying it later is <c>pending_update_applied</c>).
/// </summary>
public sealed record PendingUpdate
{
    public required long ExpiresAt { get; init; }
    public required System.Collections.Immutable.ImmutableList<SubscriptionItem> Items { get; init; }
    public required string Invoice { get; init; }
    public bool Announced { get; init; }
}
