using System.Collections.Immutable;
using MockProcessor.Domain.Errors;
using MockProcessor.Domain.Money;

namespace MockProcessor.Domain.Billing;

/// <summary>A requested credit note line (<c>lines[n]</c>); <paramref name="Param"/> names it in errors.</summary>
public sealed record CreditNoteLineRequest(string Param, CreditNoteLineType Type)
{
    public string? InvoiceLineItem { get; init; }
    public long? Quantity { get; init; }
    public long? Amount { get; init; }
    public long? UnitAmount { get; init; }
    public string? Description { get; init; }
    public ImmutableSortedDictionary<string, string>? Metadata { get; init; }
}

/// <summary>What <c>POST /v1/credit_notes</c> (and the preview) asks for.</summary>
public sealed record CreditNoteRequest
{
    public long? Amount { get; init; }
    public IReadOnlyList<CreditNoteLineRequest>? Lines { get; init; }
    public long? CreditAmount { get; init; }
    public long? RefundAmount { get; init; }
    public long? OutOfBandAmount { get; init; }
}

/// <summary>The credit note a request makes, before anything is stored: its lines and how its amount is split.</summary>
public sealed record CreditNotePlan(ImmutableList<CreditNoteLine> Lines, long Amount, long PrePayment, long PostPayment,
    long Credit, long Refund, long? OutOfBand);

/// <summary>
/// Credit note arithmetic (docs/credit-notes.md): which invoices can be credited, line amounts, the split into the part
/// that lowers what the invoice still asks (pre-payment) and the part given back (post-payment = refund + balance credit
/// + out of band), the creditable maximum, and when a note can be voided.
/// </summary>
public static class CreditNoteRules
{
    public static CreditNoteType TypeOf(CreditNote note) =>
        note.PrePaymentAmount > 0 && note.PostPaymentAmount > 0 ? CreditNoteType.Mixed
        : note.PostPaymentAmount > 0 ? CreditNoteType.PostPayment : CreditNoteType.PrePayment;

    /// <summary>Stripe numbers a note after its invoice: <c>ABCD-0001-CN-01</c>, counting void notes too.</summary>
    public static string Number(Invoice inv, int earlierNotes) => $"{inv.Number}-CN-{earlierNotes + 1:D2}";

    private static StripeError Invalid(string param, string message) => StripeError.InvalidValue(param, message);

    /// <summary>
    /// Plans a credit note on <paramref name="inv"/> given the notes already issued on it and the amount refunded from
    /// its charge outside credit notes. <paramref name="lineId"/> names each new line.
    /// </summary>
    public static Outcome<CreditNotePlan> Plan(Invoice inv, IReadOnlyList<CreditNote> earlier, long refundedOutsideNotes,
        CreditNoteRequest req, Func<string> lineId)
    {
        if (inv.Status is not (InvoiceStatus.Open or InvoiceStatus.Paid))
            return new StripeError(400, StripeError.InvalidRequest, "invoice_unexpected_state",
                $"Credit notes can only be issued for open or paid invoices; {inv.Id} is {inv.Status.ToString().ToLowerInvariant()}.", "invoice");
        var live = earlier.Where(n => n.Status == CreditNoteStatus.Issued).ToList();
        foreach (var (name, value) in new[] { ("amount", req.Amount), ("credit_amount", req.CreditAmount), ("refund_amount", req.RefundAmount), ("out_of_band_amount", req.OutOfBandAmount) })
            if (value is < 0) return Invalid(name, $"Invalid {name}: it must be zero or more.");

        var lines = ImmutableList.CreateBuilder<CreditNoteLine>();
        if (req.Lines is { Count: > 0 } requested)
        {
            foreach (var r in requested)
            {
                var line = PlanLine(inv, live, lines, r, lineId);
                if (line.IsError) return line.Error!;
                lines.Add(line.Value);
            }
            if (req.Amount is { } given && given != lines.Sum(l => l.Amount))
                return Invalid("amount", $"The amount {given} does not match the sum of the lines ({lines.Sum(l => l.Amount)}).");
        }
        else if (req.Amount is { } amountOnly)
            // A credit of the invoice as a whole: one line for the amount [?].
            lines.Add(new CreditNoteLine(lineId(), CreditNoteLineType.CustomLineItem, amountOnly) { Quantity = 1, UnitAmount = amountOnly, Description = "Credit" });
        else return Invalid("lines", "One of `amount` or `lines` is required to create a credit note.");

        var amount = lines.Sum(l => l.Amount);
        if (amount <= 0) return Invalid(req.Lines is { Count: > 0 } ? "lines" : "amount", "The credit note amount must be greater than zero.");
        var precision = Currencies.ValidatePrecision(amount, inv.Currency);
        if (precision.IsError) return precision.Error!;

        // The most that can still be credited: the invoice total less the notes already issued and any refund of its
        // charge made outside a credit note.
        var creditable = InvoiceRules.Total(inv) - live.Sum(n => n.Amount) - refundedOutsideNotes;
        if (amount > creditable)
            return Invalid(req.Lines is { Count: > 0 } ? "lines" : "amount",
                $"The credit note amount ({Currencies.Format(amount, inv.Currency)}) exceeds what can still be credited on invoice {inv.Id} ({Currencies.Format(Math.Max(0, creditable), inv.Currency)}).");

        // First what the open invoice still asks, then the rest, which must be given back exactly.
        var pre = inv.Status == InvoiceStatus.Open ? Math.Min(amount, InvoiceRules.AmountRemaining(inv)) : 0;
        var post = amount - pre;
        var credit = req.CreditAmount ?? 0;
        var refund = req.RefundAmount ?? 0;
        var outOfBand = req.OutOfBandAmount ?? 0;
        if (credit + refund + outOfBand != post)
            return Invalid(post == 0 ? "credit_amount" : "refund_amount", post == 0
                ? $"Invoice {inv.Id} is open: the credit note lowers its amount due, so no refund, credit or out-of-band amount can be given (post-payment amount 0)."
                : $"The sum of credit_amount ({credit}), refund_amount ({refund}) and out_of_band_amount ({outOfBand}) must equal the credit note's post-payment amount ({post}).");
        return new CreditNotePlan(lines.ToImmutable(), amount, pre, post, credit, refund, req.OutOfBandAmount);
    }

    private static Outcome<CreditNoteLine> PlanLine(Invoice inv, List<CreditNote> live, IEnumerable<CreditNoteLine> sameNote,
        CreditNoteLineRequest r, Func<string> lineId)
    {
        if (r.Type == CreditNoteLineType.CustomLineItem)
        {
            if (r.InvoiceLineItem is not null) return Invalid(r.Param + "[invoice_line_item]", "A custom_line_item does not refer to an invoice line.");
            if (r.Amount is not null) return Invalid(r.Param + "[amount]", "A custom_line_item takes unit_amount and quantity, not amount.");
            if (r.UnitAmount is not { } unit) return StripeError.ParameterMissing(r.Param + "[unit_amount]");
            if (string.IsNullOrEmpty(r.Description)) return StripeError.ParameterMissing(r.Param + "[description]");
            var qty = r.Quantity ?? 1;
            if (qty < 1) return Invalid(r.Param + "[quantity]", "The quantity must be at least 1.");
            return new CreditNoteLine(lineId(), CreditNoteLineType.CustomLineItem, checked(unit * qty))
                { Quantity = qty, UnitAmount = unit, Description = r.Description, Metadata = r.Metadata };
        }
        if (r.InvoiceLineItem is not { } lineItemId) return StripeError.ParameterMissing(r.Param + "[invoice_line_item]");
        if (r.UnitAmount is not null) return Invalid(r.Param + "[unit_amount]", "unit_amount is for custom_line_item lines only.");
        var il = inv.Lines.FirstOrDefault(l => l.Id == lineItemId);
        if (il is null) return Invalid(r.Param + "[invoice_line_item]", $"The invoice line {lineItemId} is not on invoice {inv.Id}.");
        if (r.Quantity is not null && r.Amount is not null)
            return StripeError.ParametersExclusive(r.Param + "[quantity]", r.Param + "[amount]");
        if (r.Quantity is null && r.Amount is null) return StripeError.ParameterMissing(r.Param + "[amount]");
        var before = live.SelectMany(n => n.Lines).Concat(sameNote).Where(l => l.InvoiceLineItem == lineItemId).ToList();
        // A line credited by quantity is afterwards credited by quantity only, and one credited by amount by amount only.
        var byQuantity = r.Quantity is not null;
        if (before.Count > 0 && before.Any(l => (l.Quantity is not null) != byQuantity))
            return Invalid(r.Param + (byQuantity ? "[quantity]" : "[amount]"),
                $"The invoice line {lineItemId} was already credited by {(byQuantity ? "amount" : "quantity")}; credit it by {(byQuantity ? "amount" : "quantity")} again.");
        var left = il.Amount - before.Sum(l => l.Amount);
        if (byQuantity)
        {
            var qty = r.Quantity!.Value;
            if (qty < 1) return Invalid(r.Param + "[quantity]", "The quantity must be at least 1.");
            var qtyLeft = il.Quantity - before.Sum(l => l.Quantity ?? 0);
            if (qty > qtyLeft)
                return Invalid(r.Param + "[quantity]", $"The quantity {qty} exceeds what is left to credit on invoice line {lineItemId} ({qtyLeft}).");
            var unit = il.Quantity > 0 ? il.Amount / il.Quantity : il.Amount;
            // The last unit takes the rounding remainder so that crediting every unit credits the whole line.
            var amount = qty == qtyLeft ? left : unit * qty;
            return new CreditNoteLine(lineId(), CreditNoteLineType.InvoiceLineItem, amount)
                { InvoiceLineItem = il.Id, Quantity = qty, UnitAmount = unit, Description = il.Description, Metadata = r.Metadata };
        }
        var a = r.Amount!.Value;
        if (a < 1) return Invalid(r.Param + "[amount]", "The amount must be greater than zero.");
        if (a > left)
            return Invalid(r.Param + "[amount]", $"The amount {a} exceeds what is left to credit on invoice line {lineItemId} ({left}).");
        return new CreditNoteLine(lineId(), CreditNoteLineType.InvoiceLineItem, a) { InvoiceLineItem = il.Id, Description = il.Description, Metadata = r.Metadata };
    }

    /// <summary>
    /// A note can be voided while it is issued and its invoice is still open (Stripe's rule); voiding gives back to the
    /// invoice what the note took off it.
    /// </summary>
    public static StripeError? CanVoid(CreditNote note, Invoice inv) =>
        note.Status == CreditNoteStatus.Void
            ? new StripeError(400, StripeError.InvalidRequest, "credit_note_already_voided", $"The credit note {note.Id} is already void.", null)
            : inv.Status != InvoiceStatus.Open
                ? new StripeError(400, StripeError.InvalidRequest, "invoice_unexpected_state",
                    $"A credit note can only be voided while its invoice is open; {inv.Id} is {inv.Status.ToString().ToLowerInvariant()}.", null)
                : null;
}
