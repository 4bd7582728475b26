using System.Collections.Immutable;
using MockProcessor.Domain.Common;

namespace MockProcessor.Domain.Billing;

public enum InvoiceStatus { Draft, Open, Paid, Uncollectible, Void }

public enum BillingReason { Manual, SubscriptionCreate, SubscriptionCycle, SubscriptionUpdate, Upcoming }

public sealed record BillingPeriod(long Start, long End);

/// <summary>A customer tax ID as an invoice records it at finalization (<c>customer_tax_ids[]</c>).</summary>
public sealed record InvoiceTaxId(string Type, string Value);

/// <summary>
/// One line of an invoice (<c>il_</c>): a subscription item's charge for a period, or a pending invoice item swept in
/// (prorations are invoice items). Amounts are minor units; a credit is negative.
/// </summary>
public sealed record InvoiceLine(string Id, long Amount, string Description, BillingPeriod Period, long Quantity)
{
    public string? Price { get; init; }
    public string? InvoiceItem { get; init; }
    public string? SubscriptionItem { get; init; }
    public string? Subscription { get; init; }
    public bool Proration { get; init; }
    public ImmutableSortedDictionary<string, string> Metadata { get; init; } = Common.Metadata.Empty;
    /// <summary>Discounts of this line only (an invoice item's), applied before the invoice's (docs/discounts.md).</summary>
    public ImmutableList<string> Discounts { get; init; } = [];
    /// <summary>The line's own tax rates; when empty the invoice's <c>default_tax_rates</c> apply.</summary>
    public ImmutableList<string> TaxRates { get; init; } = [];
    /// <summary>Computed by <see cref="InvoiceTotals.Apply"/>: the line's share of each discount.</summary>
    public ImmutableList<LineDiscountAmount> DiscountAmounts { get; init; } = [];
    /// <summary>Computed by <see cref="InvoiceTotals.Apply"/>: the line's tax for each rate.</summary>
    public ImmutableList<LineTax> Taxes { get; init; } = [];
    /// <summary>Prorations are never discounted (Stripe).</summary>
    public bool IsDiscountable() => !Proration;
}

/// <summary>
/// An invoice (<c>in_</c>). Totals are derived from the lines (<see cref="InvoiceRules"/>); what finalization decided
/// (the customer balance applied, the amount due) is stored. Times are on the invoice's clock like its subscription's.
/// </summary>
public sealed record Invoice : StripeObject
{
    public override string ObjectType => "invoice";
    public required string Customer { get; init; }
    public required string Currency { get; init; }
    public required InvoiceStatus Status { get; init; }
    public required BillingReason BillingReason { get; init; }
    public string? Subscription { get; init; }
    public CollectionMethod CollectionMethod { get; init; } = CollectionMethod.ChargeAutomatically;
    public ImmutableList<InvoiceLine> Lines { get; init; } = [];
    public long PeriodStart { get; init; }
    public long PeriodEnd { get; init; }
    public bool AutoAdvance { get; init; }
    /// <summary>When a draft is finalized by itself (created + 1 hour for renewals); null when only a call finalizes it.</summary>
    public long? AutomaticallyFinalizesAt { get; init; }
    public string? Number { get; init; }
    public long? StartingBalance { get; init; }
    public long? EndingBalance { get; init; }
    /// <summary>Fixed at finalization: total adjusted by the customer balance, never below 0.</summary>
    public long? AmountDueAtFinalization { get; init; }
    public long AmountPaid { get; init; }
    /// <summary>Issued credit notes' parts that lowered the amount due while open (docs/credit-notes.md).</summary>
    public long PrePaymentCreditNotesAmount { get; init; }
    /// <summary>Issued credit notes' parts given back after payment (refund, balance credit, out of band).</summary>
    public long PostPaymentCreditNotesAmount { get; init; }
    public int AttemptCount { get; init; }
    public bool Attempted { get; init; }
    public long? FirstAttemptAt { get; init; }
    public long? NextPaymentAttempt { get; init; }
    public string? PaymentIntent { get; init; }
    public string? DefaultPaymentMethod { get; init; }
    public string? Description { get; init; }
    public long? DaysUntilDue { get; init; }
    public long? DueDate { get; init; }
    public long? FinalizedAt { get; init; }
    public long? PaidAt { get; init; }
    public long? VoidedAt { get; init; }
    public long? MarkedUncollectibleAt { get; init; }
    public bool PaidOutOfBand { get; init; }
    public ImmutableSortedDictionary<string, string> Metadata { get; init; } = Common.Metadata.Empty;
    public string? TestClock { get; init; }
    /// <summary>The subscription's metadata when finalized (<c>parent.subscription_details.metadata</c>).</summary>
    public ImmutableSortedDictionary<string, string>? SubscriptionMetadata { get; init; }
    /// <summary>
    /// The secret in <c>hosted_invoice_url</c>: the page needs it and no key. One-off invoices draw it at creation; every
    /// other invoice gets it at finalization as an HMAC of its id (<c>InvoicePage.TokenFor</c>), so no seeded id is drawn.
    /// </summary>
    public string? HostedToken { get; init; }
    /// <summary>Where the emulator was reached when the invoice was made: the hosted page's origin.</summary>
    public string? PageBaseUrl { get; init; }
    /// <summary>The customer's tax IDs copied at finalization (null while a draft: the customer's current ones show).</summary>
    public ImmutableList<InvoiceTaxId>? CustomerTaxIds { get; init; }
    /// <summary>When <c>/send</c> last recorded sending it.</summary>
    public long? SentAt { get; init; }
    /// <summary>The payload of <c>invoice.upcoming</c>: a preview rendered without an <c>id</c>, as Stripe sends it.</summary>
    public bool UpcomingPayload { get; init; }
    /// <summary>A draft deleted by <c>DELETE /v1/invoices/{id}</c>.</summary>
    public bool Deleted { get; init; }
    /// <summary>Invoice-level discounts (<c>di_</c> ids), applied to every discountable line after the lines' own.</summary>
    public ImmutableList<string> Discounts { get; init; } = [];
    /// <summary>Tax rates for lines that have none of their own.</summary>
    public ImmutableList<string> DefaultTaxRates { get; init; } = [];
}

/// <summary>
/// An invoice item (<c>ii_</c>): a one-off amount, or a proration, waiting (Invoice null) for the customer's next
/// invoice, or already on one.
/// </summary>
public sealed record InvoiceItem : StripeObject
{
    public override string ObjectType => "invoiceitem";
    public required string Customer { get; init; }
    public required long Amount { get; init; }
    public required string Currency { get; init; }
    public required BillingPeriod Period { get; init; }
    public string? Description { get; init; }
    public string? Invoice { get; init; }
    public string? Subscription { get; init; }
    public string? SubscriptionItem { get; init; }
    public string? Price { get; init; }
    public long Quantity { get; init; } = 1;
    public bool Proration { get; init; }
    public long Date { get; init; }
    public ImmutableSortedDictionary<string, string> Metadata { get; init; } = Common.Metadata.Empty;
    public string? TestClock { get; init; }
    public bool Deleted { get; init; }
    public ImmutableList<string> Discounts { get; init; } = [];
    public ImmutableList<string> TaxRates { get; init; } = [];
}
