using System.Collections.Immutable;
using MockProcessor.Domain.Common;

namespace MockProcessor.Domain.Customers;

public sealed record Address(string? Line1, string? Line2, string? City, string? State, string? PostalCode, string? Country)
{
    public static readonly Address Empty = new(null, null, null, null, null, null);

    /// <summary>Null when no part is set: what an object renders for an address nobody gave.</summary>
    public Address? NullIfEmpty() => this == Empty ? null : this;
}

public sealed record Customer : StripeObject
{
    public override string ObjectType => "customer";
    public string? Email { get; init; }
    public string? Name { get; init; }
    public string? Phone { get; init; }
    public string? Description { get; init; }
    public Address? Address { get; init; }
    public string? DefaultPaymentMethod { get; init; }
    /// <summary>The card-era default: one of the customer's saved cards (<see cref="CardSource"/>), charged when a legacy charge names only the customer.</summary>
    public string? DefaultSource { get; init; }
    public IReadOnlyList<string> PreferredLocales { get; init; } = [];
    public string? InvoicePrefix { get; init; }
    /// <summary>
    /// The number the customer's next finalized invoice takes (<c>next_invoice_sequence</c>); null in records stored before
    /// it was kept, where the finalized invoices are counted instead.
    /// </summary>
    public long? NextInvoiceSequence { get; init; }
    public ImmutableSortedDictionary<string, string> Metadata { get; init; } = Common.Metadata.Empty;
    public long Balance { get; init; }
    public string? Currency { get; init; }
    public bool Deleted { get; init; }
    /// <summary>The test clock the customer was bound to at creation (its time-driven work runs on that clock).</summary>
    public string? TestClock { get; init; }
}
