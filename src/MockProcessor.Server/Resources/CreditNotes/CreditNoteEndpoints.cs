using System.Collections.Immutable;
using System.Text.Json.Nodes;
using MockProcessor.Domain.Billing;
using MockProcessor.Domain.Charges;
using MockProcessor.Domain.Common;
using MockProcessor.Domain.Customers;
using MockProcessor.Domain.Errors;
using MockProcessor.Domain.PaymentIntents;
using MockProcessor.Domain.Refunds;
using MockProcessor.Server.Resources.Billing;
using MockProcessor.Server.Resources.Customers;
using MockProcessor.Server.Resources.Invoices;
using MockProcessor.Server.Resources.Refunds;
using MockProcessor.Server.Resources.Shared;
using MockProcessor.Server.Storage;
using MockProcessor.Server.Wire;

namespace MockProcessor.Server.Resources.CreditNotes;

/// <summary>
/// <c>/v1/credit_notes</c> (docs/credit-notes.md): the arithmetic is <see cref="CreditNoteRules"/>; this applies a note to
/// its invoice (pre-payment part), its charge (a refund through the refund code) and the customer balance
/// (<c>credit_note</c> balance transaction), and undoes the invoice and balance parts when voided.
/// </summary>
public static class CreditNoteEndpoints
{
    private const string Base = "/v1/credit_notes";
    private const string CreateParams = "amount credit_amount effective_at email_type invoice lines memo metadata out_of_band_amount reason refund_amount refunds shipping_cost";

    public static readonly SecondaryIndex<CreditNote> ByInvoice = new("credit_note", "invoice", n => n.Invoice);
    public static readonly SecondaryIndex<CreditNote> ByCustomer = new("credit_note", "customer", n => n.Customer);

    public static IEnumerable<ApiRoute> Routes() =>
    [
        new("POST", Base, "credit_note", Create) { Params = CreateParams },
        new("GET", Base, "list:credit_note", List) { Params = "created customer customer_account ending_before invoice limit starting_after" },
        new("GET", Base + "/preview", "credit_note", Preview) { Params = CreateParams },
        new("GET", Base + "/preview/lines", "list:credit_note_line_item", PreviewLines) { Params = CreateParams + " ending_before limit starting_after" },
        new("GET", Base + "/{id}", "credit_note", Retrieve) { Params = "" },
        new("POST", Base + "/{id}", "credit_note", Update) { Params = "memo metadata" },
        new("GET", Base + "/{id}/lines", "list:credit_note_line_item", Lines) { Params = "ending_before limit starting_after" },
        new("POST", Base + "/{id}/void", "credit_note", Void) { Params = "" },
    ];

    private sealed record Draft(CreditNote Note, CreditNotePlan Plan, Invoice Invoice, Charge? Charge);

    /// <summary>Reads the create parameters and plans the note; nothing is stored (shared by create and the previews).</summary>
    private static Draft Plan(ApiContext c)
    {
        var p = c.P;
        var invoiceId = p.String("invoice", 100) ?? throw new StripeException(StripeError.ParameterMissing("invoice"), beforeExecution: true);
        var req = new CreditNoteRequest
        {
            Amount = p.Long("amount"), CreditAmount = p.Long("credit_amount"), RefundAmount = p.Long("refund_amount"),
            OutOfBandAmount = p.Long("out_of_band_amount"), Lines = ReadLines(p),
        };
        var reason = p.Enum<CreditNoteReason>("reason");
        var memo = p.String("memo", 5000);
        var metadata = p.Metadata(Metadata.Empty);
        var effectiveAt = p.Long("effective_at", 0);
        p.Enum("email_type", "credit_note", "none");
        if (p.ObjectList("refunds") is { Count: > 0 })
            throw new StripeException(StripeError.InvalidValue("refunds", "Linking existing refunds to a credit note is not emulated; use refund_amount to refund through the credit note."), beforeExecution: true);
        if (p.Object("shipping_cost") is not null)
            throw new StripeException(StripeError.InvalidValue("shipping_cost", "Invoices have no shipping cost here, so there is none to credit."), beforeExecution: true);

        var inv = c.Load<Invoice>(invoiceId, "invoice", "invoice");
        if (inv.Deleted) throw new StripeException(StripeError.ResourceMissing("invoice", invoiceId, "invoice"));
        c = InvoiceEndpoints.AtClock(c, inv);
        var earlier = c.Tx.Find(ByInvoice, inv.Id).ToList();
        var charge = ChargeOf(c, inv);
        var linked = earlier.Where(n => n.Status == CreditNoteStatus.Issued).SelectMany(n => n.Refunds).Select(r => r.Refund).ToHashSet();
        var refundedOutside = charge is null ? 0
            : c.Tx.Find(RefundEndpoints.ByCharge, charge.Id).Where(r => r.ReducesRefundable && !linked.Contains(r.Id)).Sum(r => r.Amount);
        var plan = CreditNoteRules.Plan(inv, earlier, refundedOutside, req, () => c.Ids.Next("cnli")).OrThrow();
        if (plan.Refund > 0 && charge is null)
            throw new StripeException(StripeError.InvalidValue("refund_amount", $"Invoice {inv.Id} was not paid by a charge, so nothing can be refunded; use credit_amount or out_of_band_amount."));
        var note = new CreditNote
        {
            Id = c.Ids.Next("cn"), AccountId = c.Account.Id, Created = c.Now, Invoice = inv.Id, Customer = inv.Customer,
            Currency = inv.Currency, Number = CreditNoteRules.Number(inv, earlier.Count), Lines = plan.Lines, Amount = plan.Amount,
            PrePaymentAmount = plan.PrePayment, PostPaymentAmount = plan.PostPayment, CreditAmount = plan.Credit,
            OutOfBandAmount = plan.OutOfBand, Reason = reason, Memo = memo, Metadata = metadata, EffectiveAt = effectiveAt ?? c.Now,
            TestClock = inv.TestClock,
        };
        return new Draft(note, plan, inv, charge);
    }

    private static List<CreditNoteLineRequest>? ReadLines(Params p)
    {
        if (p.ObjectList("lines") is not { } list) return null;
        var lines = new List<CreditNoteLineRequest>();
        for (var n = 0; n < list.Count; n++)
        {
            var lp = list[n];
            var param = $"lines[{n}]";
            var type = lp.Enum<CreditNoteLineType>("type") ?? throw new StripeException(StripeError.ParameterMissing(param + "[type]"), beforeExecution: true);
            lines.Add(new CreditNoteLineRequest(param, type)
            {
                InvoiceLineItem = lp.String("invoice_line_item", 100), Quantity = lp.Long("quantity"), Amount = lp.Long("amount"),
                UnitAmount = lp.Long("unit_amount", 0), Description = lp.String("description", 500),
                Metadata = lp.Metadata(Metadata.Empty) is { Count: > 0 } m ? m : null,
            });
        }
        return lines;
    }

    /// <summary>The charge that paid the invoice: its PaymentIntent's latest charge, when it succeeded.</summary>
    private static Charge? ChargeOf(ApiContext c, Invoice inv) =>
        inv.PaymentIntent is { } piId && c.Tx.Get<PaymentIntent>(piId) is { LatestCharge: { } chId } && c.Tx.Get<Charge>(chId) is { Status: ChargeStatus.Succeeded } ch
            ? ch : null;

    private static ApiResult Create(ApiContext c)
    {
        var draft = Plan(c);
        var inv = draft.Invoice;
        c = InvoiceEndpoints.AtClock(c, inv);
        var note = draft.Note;
        if (draft.Plan.Refund > 0)
        {
            var earlier = c.Tx.Find(RefundEndpoints.ByCharge, draft.Charge!.Id).ToList();
            var reason = note.Reason switch
            {
                CreditNoteReason.Duplicate => RefundReason.Duplicate,
                CreditNoteReason.Fraudulent => RefundReason.Fraudulent,
                _ => (RefundReason?)null,
            };
            var change = RefundRules.Create(draft.Charge, earlier, new CreateRefund(draft.Plan.Refund, reason, null), c.Account.Id, c.Now, c.Ids);
            if (change.IsError) throw new StripeException(change.Error! with { Param = "refund_amount" });
            Changes.Apply(c, change.Value);
            note = note with { Refunds = [new CreditNoteRefund(change.Value.Refund.Id, draft.Plan.Refund)] };
        }
        if (draft.Plan.Credit > 0)
        {
            var customer = c.Tx.Get<Customer>(inv.Customer)!;
            if (CustomerBalanceRules.CheckCurrency(customer, inv.Currency, "credit_amount") is { } error) throw new StripeException(error);
            var txn = CustomerBalanceTransactionEndpoints.Record(c, customer, -draft.Plan.Credit, inv.Currency, "credit_note", invoice: inv.Id, creditNote: note.Id);
            note = note with { CustomerBalanceTransaction = txn.Id };
        }
        c.Tx.Put(note);
        c.Emit("credit_note.created", note);
        var after = inv with
        {
            PrePaymentCreditNotesAmount = inv.PrePaymentCreditNotesAmount + note.PrePaymentAmount,
            PostPaymentCreditNotesAmount = inv.PostPaymentCreditNotesAmount + note.PostPaymentAmount,
        };
        c.Change(inv, after, "invoice.updated");
        if (note.PrePaymentAmount > 0) AfterAmountDueChanged(c, after);
        return c.Respond(note);
    }

    /// <summary>
    /// An open invoice whose amount due a note changed: credited to zero it is paid (nothing was charged, so no
    /// <c>invoice.payment_succeeded</c>) and its unfinished PaymentIntent canceled; otherwise that PaymentIntent asks the new amount.
    /// </summary>
    private static void AfterAmountDueChanged(ApiContext c, Invoice inv)
    {
        if (inv.Status != InvoiceStatus.Open) return;
        var remaining = InvoiceRules.AmountRemaining(inv);
        if (remaining == 0)
        {
            BillingEngine.CancelPaymentIntent(c, inv);
            BillingEngine.MarkPaid(c, inv, paymentEvent: false);
            return;
        }
        if (inv.PaymentIntent is { } piId && c.Tx.Get<PaymentIntent>(piId) is { } pi && pi.Amount != remaining
            && pi.Status is PaymentIntentStatus.RequiresPaymentMethod or PaymentIntentStatus.RequiresConfirmation)
            c.Tx.Put(pi with { Amount = remaining }); // Stripe has no payment_intent.updated event: the change is silent
    }

    private static ApiResult Preview(ApiContext c) => c.Render.Render(Plan(c).Note, c.Expand);

    private static ApiResult PreviewLines(ApiContext c)
    {
        var note = Plan(c).Note;
        return LinePage(c, note, Base + "/preview/lines");
    }

    private static ApiResult Retrieve(ApiContext c) => c.Respond(c.Load<CreditNote>(c.Route("id"), "credit_note"));

    private static ApiResult Update(ApiContext c)
    {
        var p = c.P;
        var before = c.Load<CreditNote>(c.Route("id"), "credit_note");
        var after = before with { Metadata = p.Metadata(before.Metadata) };
        if (p.StringPatch("memo", 5000) is { IsSet: true } memo) after = after with { Memo = memo.Value };
        return c.Update(before, after, "credit_note.updated");
    }

    private static ApiResult Void(ApiContext c)
    {
        var note = c.Load<CreditNote>(c.Route("id"), "credit_note");
        var inv = c.Load<Invoice>(note.Invoice, "invoice");
        c = InvoiceEndpoints.AtClock(c, inv);
        if (CreditNoteRules.CanVoid(note, inv) is { } error) throw new StripeException(error);
        var voided = note with { Status = CreditNoteStatus.Void, VoidedAt = c.Now };
        c.Tx.Put(voided);
        c.Emit("credit_note.voided", voided);
        // The balance credit is taken back; refunds stay (money that left cannot be recalled by voiding a document).
        if (note.CreditAmount > 0 && c.Tx.Get<Customer>(note.Customer) is { } customer)
            CustomerBalanceTransactionEndpoints.Record(c, customer, note.CreditAmount, note.Currency, "credit_note", invoice: inv.Id, creditNote: note.Id);
        var after = inv with
        {
            PrePaymentCreditNotesAmount = inv.PrePaymentCreditNotesAmount - note.PrePaymentAmount,
            PostPaymentCreditNotesAmount = inv.PostPaymentCreditNotesAmount - note.PostPaymentAmount,
        };
        c.Change(inv, after, "invoice.updated");
        if (note.PrePaymentAmount > 0) AfterAmountDueChanged(c, after);
        return c.Respond(voided);
    }

    private static ApiResult List(ApiContext c)
    {
        var p = c.P;
        var lp = ListParams.Read(p);
        var customer = p.String("customer", 100);
        var invoice = p.String("invoice", 100);
        if (p.String("customer_account", 100) is not null)
            throw new StripeException(StripeError.InvalidValue("customer_account", "Accounts as customers are not emulated; filter by customer."), beforeExecution: true);
        var source = invoice is not null ? c.Tx.Find(ByInvoice, invoice) : c.Tx.FindOrAll(ByCustomer, customer);
        var (page, more) = Lists.Page(source, lp,
            n => (customer is null || n.Customer == customer) && (invoice is null || n.Invoice == invoice), "credit_note");
        return Lists.Render(page, more, Base, c.Render, c.Expand);
    }

    private static ApiResult Lines(ApiContext c)
    {
        var note = c.Load<CreditNote>(c.Route("id"), "credit_note");
        return LinePage(c, note, $"{Base}/{note.Id}/lines");
    }

    /// <summary>A page of a note's lines in order (<c>limit</c>, <c>starting_after</c>, <c>ending_before</c> by line id).</summary>
    private static JsonObject LinePage(ApiContext c, CreditNote note, string url)
    {
        var p = c.P;
        var limit = p.Long("limit");
        if (limit is < 1 or > 100) throw new StripeException(StripeError.InvalidValue("limit", "Invalid limit: must be between 1 and 100"), beforeExecution: true);
        var afterId = p.String("starting_after", 100);
        var beforeId = p.String("ending_before", 100);
        if (afterId is not null && beforeId is not null) throw new StripeException(StripeError.ParametersExclusive("starting_after", "ending_before"), beforeExecution: true);
        var lines = note.Lines.ToList();
        int Index(string id, string param) => lines.FindIndex(l => l.Id == id) is var i and >= 0 ? i
            : throw new StripeException(StripeError.ResourceMissing("credit_note_line_item", id, param));
        var take = (int)(limit ?? 10);
        List<CreditNoteLine> page;
        bool more;
        if (beforeId is not null)
        {
            var end = Index(beforeId, "ending_before");
            var start = Math.Max(0, end - take);
            (page, more) = (lines[start..end], start > 0);
        }
        else
        {
            var start = afterId is null ? 0 : Index(afterId, "starting_after") + 1;
            (page, more) = (lines.Skip(start).Take(take).ToList(), start + take < lines.Count);
        }
        var data = new JsonArray();
        foreach (var line in page) data.Add(CreditNoteJson.Line(line, c.Render));
        return new JsonObject { ["object"] = "list", ["data"] = data, ["has_more"] = more, ["url"] = url };
    }
}
