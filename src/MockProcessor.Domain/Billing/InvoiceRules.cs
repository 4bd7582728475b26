using MockProcessor.Domain.Errors;
using static MockProcessor.Domain.Billing.InvoiceStatus;

namespace MockProcessor.Domain.Billing;

public enum InvoiceAction { Finalize, Pay, Void, MarkUncollectible, DeleteDraft }

/// <summary>Invoice arithmetic, the invoice status table, prorations and the retry schedule (docs/billing.md).</summary>
public static class InvoiceRules
{
    private static readonly Dictionary<(InvoiceStatus, InvoiceAction), InvoiceStatus> Table = new()
    {
        [(Draft, InvoiceAction.Finalize)] = Open,
        [(Draft, InvoiceAction.Pay)] = Paid, // pay finalizes a draft first
        [(Open, InvoiceAction.Pay)] = Paid,
        [(Open, InvoiceAction.Void)] = InvoiceStatus.Void,
        [(Open, InvoiceAction.MarkUncollectible)] = Uncollectible,
        [(Uncollectible, InvoiceAction.Pay)] = Paid,
        [(Uncollectible, InvoiceAction.Void)] = InvoiceStatus.Void,
        [(Draft, InvoiceAction.DeleteDraft)] = Draft, // removed, not moved
    };

    public static InvoiceStatus? Next(InvoiceStatus from, InvoiceAction action) =>
        Table.TryGetValue((from, action), out var to) ? to : null;

    /// <summary>Stripe's refusal of an action in the wrong status (400, <c>invoice_not_editable</c>-style, param id).</summary>
    public static StripeError? Guard(Invoice invoice, InvoiceAction action) =>
        Next(invoice.Status, action) is not null ? null
        : new StripeError(400, StripeError.InvalidRequest, action == InvoiceAction.Pay && invoice.Status == Paid ? "invoice_already_paid" : "invoice_unexpected_state",
            $"You can only {Verb(action)} an invoice that is {Allowed(action)}; {invoice.Id} is {invoice.Status.ToString().ToLowerInvariant()}.", null);

    private static string Verb(InvoiceAction a) => a switch
    {
        InvoiceAction.Finalize => "finalize", InvoiceAction.Pay => "pay", InvoiceAction.Void => "void",
        InvoiceAction.MarkUncollectible => "mark uncollectible", _ => "delete",
    };

    private static string Allowed(InvoiceAction a) =>
        string.Join(" or ", Table.Keys.Where(k => k.Item2 == a).Select(k => k.Item1.ToString().ToLowerInvariant()));

    /// <summary>Σ lines less the lines' own discounts (<see cref="InvoiceTotals"/>, docs/discounts.md).</summary>
    public static long Subtotal(Invoice invoice) => InvoiceTotals.Subtotal(invoice.Lines);

    /// <summary>Subtotal − invoice-level discounts + exclusive taxes.</summary>
    public static long Total(Invoice invoice) => InvoiceTotals.Total(invoice.Lines);

    public static long SubtotalExcludingTax(Invoice invoice) => Subtotal(invoice) - InvoiceTotals.InclusiveTax(invoice.Lines);

    public static long TotalExcludingTax(Invoice invoice) =>
        Total(invoice) - InvoiceTotals.ExclusiveTax(invoice.Lines) - InvoiceTotals.InclusiveTax(invoice.Lines);

    /// <summary>
    /// What the customer owes: fixed at finalization (balance applied) and lowered by pre-payment credit notes, else the
    /// total, never below 0.
    /// </summary>
    public static long AmountDue(Invoice invoice) =>
        invoice.AmountDueAtFinalization is { } due ? Math.Max(0, due - invoice.PrePaymentCreditNotesAmount) : Math.Max(0, Total(invoice));

    public static long AmountRemaining(Invoice invoice) =>
        invoice.Status is InvoiceStatus.Void or InvoiceStatus.Paid ? 0 : Math.Max(0, AmountDue(invoice) - invoice.AmountPaid);

    /// <summary>
    /// Applies the customer balance at finalization (negative balance = credit): amount due = max(0, total + balance),
    /// and the balance left is min(0, total + balance). A credit larger than the invoice stays for the next one; a
    /// negative total (a net proration credit) becomes credit.
    /// </summary>
    public static (long AmountDue, long NewBalance) ApplyBalance(long total, long balance)
    {
        var net = total + balance;
        return (Math.Max(0, net), Math.Min(0, net));
    }

    /// <summary>
    /// The amount for the unused (or remaining) part of a period at <paramref name="at"/>: amount × (end − at) / (end − start),
    /// in seconds, rounded half away from zero to the minor unit. A credit line is the negative of this for the old
    /// price and quantity, a debit line this for the new ones.
    /// </summary>
    public static long Prorate(long periodAmount, long start, long end, long at)
    {
        if (end <= start) return 0;
        var clamped = Math.Clamp(at, start, end);
        var exact = (decimal)periodAmount * (end - clamped) / (end - start);
        return (long)Math.Round(exact, MidpointRounding.AwayFromZero);
    }

    /// <summary>
    /// When the next automatic retry runs after <paramref name="attemptCount"/> attempts (the first one at
    /// <paramref name="firstAttemptAt"/>): retry n runs RetryDays[n−1] days after the first attempt. Null when exhausted.
    /// </summary>
    public static long? NextAttempt(BillingSettings settings, long firstAttemptAt, int attemptCount) =>
        attemptCount >= 1 && attemptCount - 1 < settings.RetryDays.Count ? firstAttemptAt + settings.RetryDays[attemptCount - 1] * 86_400 : null;

    /// <summary>
    /// The first scheduled retry later than <paramref name="now"/> (the schedule's days are increasing), or null when
    /// none is left: where a retry that was passed over hands on to (<see cref="IsHardDecline"/>).
    /// </summary>
    public static long? NextScheduledAfter(BillingSettings settings, long firstAttemptAt, long now)
    {
        foreach (var days in settings.RetryDays)
            if (firstAttemptAt + days * 86_400 > now) return firstAttemptAt + days * 86_400;
        return null;
    }

    // Issuer answers that say the card will not be approved again (Stripe's non-retryable decline codes for automatic
    // collection, docs/billing.md "Retries").
    private static readonly HashSet<string> HardDeclines =
    [
        "incorrect_number", "lost_card", "pickup_card", "stolen_card", "revocation_of_authorization",
        "revocation_of_all_authorizations", "authentication_required", "highest_risk_level", "transaction_not_allowed",
    ];

    /// <summary>
    /// Whether a decline code is a hard decline: an automatic retry on the same payment method is passed over (scheduled,
    /// not executed) until another payment method is the one to charge.
    /// </summary>
    public static bool IsHardDecline(string? declineCode) => declineCode is not null && HardDeclines.Contains(declineCode);
}
