using System.Collections.Immutable;
using MockProcessor.Domain.Common;

namespace MockProcessor.Domain.Billing;

public enum CreditNoteStatus { Issued, Void }

public enum CreditNoteType { PrePayment, PostPayment, Mixed }

public enum CreditNoteReason { Duplicate, Fraudulent, OrderChange, ProductUnsatisfactory }

public enum CreditNoteLineType { InvoiceLineItem, CustomLineItem }

/// <summary>
/// One line of a credit note (<c>cnli_</c>): part of an invoice line, by <see cref="Quantity"/> (at the line's unit
/// amount) or by amount, or a custom line of <see cref="UnitAmount"/> × <see cref="Quantity"/>. Amounts are positive.
/// </summary>
public sealed record CreditNoteLine(string Id, CreditNoteLineType Type, long Amount)
{
    public string? InvoiceLineItem { get; init; }
    public string? Description { get; init; }
    /// <summary>Set when the line was credited by quantity (or is a custom line); null when credited by amount.</summary>
    public long? Quantity { get; init; }
    public long? UnitAmount { get; init; }
    public ImmutableSortedDictionary<string, string>? Metadata { get; init; }
}

/// <summary>A refund a credit note made (<c>refund_amount</c>) of the invoice's charge.</summary>
public sealed record CreditNoteRefund(string Refund, long AmountRefunded);

/// <summary>
/// A credit note (<c>cn_</c>, docs/credit-notes.md): lowers what an open invoice still asks (<see cref="PrePaymentAmount"/>)
/// and, past that, gives money back on a paid one (<see cref="PostPaymentAmount"/> = refunds + customer balance credit +
/// out of band). Fixed once issued except memo and metadata; voiding undoes its effect on the invoice and the balance.
/// </summary>
public sealed record CreditNote : StripeObject
{
    public override string ObjectType => "credit_note";
    public required string Invoice { get; init; }
    public required string Customer { get; init; }
    public required string Currency { get; init; }
    public required string Number { get; init; }
    public ImmutableList<CreditNoteLine> Lines { get; init; } = [];
    /// <summary>The sum of the lines (no discounts or taxes are emulated, so also subtotal and total).</summary>
    public long Amount { get; init; }
    public long PrePaymentAmount { get; init; }
    public long PostPaymentAmount { get; init; }
    public long CreditAmount { get; init; }
    public long? OutOfBandAmount { get; init; }
    public ImmutableList<CreditNoteRefund> Refunds { get; init; } = [];
    public string? CustomerBalanceTransaction { get; init; }
    public CreditNoteStatus Status { get; init; } = CreditNoteStatus.Issued;
    public CreditNoteReason? Reason { get; init; }
    public string? Memo { get; init; }
    public long EffectiveAt { get; init; }
    public long? VoidedAt { get; init; }
    public ImmutableSortedDictionary<string, string> Metadata { get; init; } = Common.Metadata.Empty;
    public string? TestClock { get; init; }
}
