using MockProcessor.Domain.Billing;

namespace MockProcessor.Domain.Tests.Billing;

public class CreditNoteRulesTests
{
    // Two lines: 3 seats at 1000 each, and a 500 one-off item; total 3500.
    private static Invoice Invoice(InvoiceStatus status, long amountPaid = 0, long dueAtFinalization = 3500, long pre = 0) => new()
    {
        Id = "in_1", AccountId = "acct_1", Created = 1000, Customer = "cus_1", Currency = "usd", Status = status,
        BillingReason = BillingReason.Manual, Number = "ABCD-0001", AmountDueAtFinalization = dueAtFinalization,
        AmountPaid = amountPaid, PrePaymentCreditNotesAmount = pre,
        Lines =
        [
            new InvoiceLine("il_seats", 3000, "3 × Seat", new BillingPeriod(1000, 2000), 3),
            new InvoiceLine("il_setup", 500, "Setup", new BillingPeriod(1000, 1000), 1),
        ],
    };

    private static Func<string> Ids()
    {
        var n = 0;
        return () => $"cnli_{++n}";
    }

    private static CreditNote Note(long amount, params CreditNoteLine[] lines) => new()
    {
        Id = "cn_old", AccountId = "acct_1", Created = 1000, Invoice = "in_1", Customer = "cus_1", Currency = "usd",
        Number = "ABCD-0001-CN-01", Amount = amount, Lines = [.. lines],
    };

    private static CreditNoteLineRequest ByQuantity(long qty, int n = 0) =>
        new($"lines[{n}]", CreditNoteLineType.InvoiceLineItem) { InvoiceLineItem = "il_seats", Quantity = qty };

    private static CreditNoteLineRequest ByAmount(string line, long amount, int n = 0) =>
        new($"lines[{n}]", CreditNoteLineType.InvoiceLineItem) { InvoiceLineItem = line, Amount = amount };

    [Fact]
    public void On_an_open_invoice_the_note_lowers_the_amount_due_first()
    {
        var plan = CreditNoteRules.Plan(Invoice(InvoiceStatus.Open), [], 0, new CreditNoteRequest { Lines = [ByQuantity(2)] }, Ids()).Value;
        Assert.Equal(2000, plan.Amount);
        Assert.Equal(2000, plan.PrePayment);
        Assert.Equal(0, plan.PostPayment);
        var line = Assert.Single(plan.Lines);
        Assert.Equal(("cnli_1", 2L, 1000L), (line.Id, line.Quantity!.Value, line.UnitAmount!.Value));
    }

    [Fact]
    public void On_an_open_invoice_a_refund_or_credit_beyond_the_amount_due_is_refused()
    {
        var result = CreditNoteRules.Plan(Invoice(InvoiceStatus.Open), [], 0, new CreditNoteRequest { Amount = 1000, CreditAmount = 1000 }, Ids());
        Assert.Equal("credit_amount", result.Error!.Param);
    }

    [Fact]
    public void On_a_paid_invoice_the_note_must_be_given_back_exactly()
    {
        var paid = Invoice(InvoiceStatus.Paid, amountPaid: 3500);
        var split = CreditNoteRules.Plan(paid, [], 0, new CreditNoteRequest { Amount = 1500, RefundAmount = 1000, CreditAmount = 300, OutOfBandAmount = 200 }, Ids()).Value;
        Assert.Equal((0L, 1500L, 1000L, 300L, 200L), (split.PrePayment, split.PostPayment, split.Refund, split.Credit, split.OutOfBand!.Value));

        var short_ = CreditNoteRules.Plan(paid, [], 0, new CreditNoteRequest { Amount = 1500, RefundAmount = 1000 }, Ids());
        Assert.Equal("refund_amount", short_.Error!.Param);
        Assert.Contains("1500", short_.Error.Message);
    }

    [Fact]
    public void Earlier_notes_and_outside_refunds_lower_the_creditable_maximum()
    {
        var paid = Invoice(InvoiceStatus.Paid, amountPaid: 3500);
        var earlier = Note(2000, new CreditNoteLine("cnli_x", CreditNoteLineType.CustomLineItem, 2000) { Quantity = 1, UnitAmount = 2000 });
        Assert.True(CreditNoteRules.Plan(paid, [earlier], 500, new CreditNoteRequest { Amount = 1000, CreditAmount = 1000 }, Ids()).Value is { Amount: 1000 });
        var over = CreditNoteRules.Plan(paid, [earlier], 500, new CreditNoteRequest { Amount = 1001, CreditAmount = 1001 }, Ids());
        Assert.Equal("amount", over.Error!.Param);
        // A void note gives its room back.
        Assert.False(CreditNoteRules.Plan(paid, [earlier with { Status = CreditNoteStatus.Void }], 500,
            new CreditNoteRequest { Amount = 3000, CreditAmount = 3000 }, Ids()).IsError);
    }

    [Fact]
    public void A_mixed_note_takes_what_is_due_then_gives_back_the_rest()
    {
        // Open, 3500 total but 500 of it was paid by the customer's balance at finalization: 3000 due.
        var open = Invoice(InvoiceStatus.Open, dueAtFinalization: 3000);
        var plan = CreditNoteRules.Plan(open, [], 0, new CreditNoteRequest { Amount = 3500, CreditAmount = 500 }, Ids()).Value;
        Assert.Equal((3000L, 500L), (plan.PrePayment, plan.PostPayment));
        Assert.Equal(CreditNoteType.Mixed, CreditNoteRules.TypeOf(Note(3500) with { PrePaymentAmount = 3000, PostPaymentAmount = 500 }));
    }

    [Fact]
    public void A_line_cannot_be_credited_by_quantity_after_amount_nor_beyond_what_is_left()
    {
        var paid = Invoice(InvoiceStatus.Paid, amountPaid: 3500);
        var byAmount = Note(300, new CreditNoteLine("cnli_a", CreditNoteLineType.InvoiceLineItem, 300) { InvoiceLineItem = "il_seats" });
        var mixed = CreditNoteRules.Plan(paid, [byAmount], 0, new CreditNoteRequest { Lines = [ByQuantity(1)], CreditAmount = 1000 }, Ids());
        Assert.Equal("lines[0][quantity]", mixed.Error!.Param);

        var tooMuch = CreditNoteRules.Plan(paid, [byAmount], 0, new CreditNoteRequest { Lines = [ByAmount("il_seats", 2701)], CreditAmount = 2701 }, Ids());
        Assert.Equal("lines[0][amount]", tooMuch.Error!.Param);
        var rest = CreditNoteRules.Plan(paid, [byAmount], 0, new CreditNoteRequest { Lines = [ByAmount("il_seats", 2700)], CreditAmount = 2700 }, Ids());
        Assert.Equal(2700, rest.Value.Amount);

        var byQty = Note(2000, new CreditNoteLine("cnli_q", CreditNoteLineType.InvoiceLineItem, 2000) { InvoiceLineItem = "il_seats", Quantity = 2 });
        var qty = CreditNoteRules.Plan(paid, [byQty], 0, new CreditNoteRequest { Lines = [ByQuantity(2)], CreditAmount = 2000 }, Ids());
        Assert.Equal("lines[0][quantity]", qty.Error!.Param);
    }

    [Fact]
    public void Lines_and_amount_must_agree_and_custom_lines_multiply()
    {
        var paid = Invoice(InvoiceStatus.Paid, amountPaid: 3500);
        var custom = new CreditNoteLineRequest("lines[1]", CreditNoteLineType.CustomLineItem) { UnitAmount = 250, Quantity = 2, Description = "Goodwill" };
        var plan = CreditNoteRules.Plan(paid, [], 0, new CreditNoteRequest { Lines = [ByAmount("il_setup", 500), custom], Amount = 1000, CreditAmount = 1000 }, Ids()).Value;
        Assert.Equal([500L, 500L], plan.Lines.Select(l => l.Amount));
        var disagree = CreditNoteRules.Plan(paid, [], 0, new CreditNoteRequest { Lines = [ByAmount("il_setup", 500)], Amount = 400, CreditAmount = 400 }, Ids());
        Assert.Equal("amount", disagree.Error!.Param);
        var unknown = CreditNoteRules.Plan(paid, [], 0, new CreditNoteRequest { Lines = [ByAmount("il_nope", 5)], CreditAmount = 5 }, Ids());
        Assert.Equal("lines[0][invoice_line_item]", unknown.Error!.Param);
    }

    [Theory]
    [InlineData(InvoiceStatus.Draft)]
    [InlineData(InvoiceStatus.Void)]
    [InlineData(InvoiceStatus.Uncollectible)]
    public void Only_open_or_paid_invoices_take_credit_notes(InvoiceStatus status)
    {
        var result = CreditNoteRules.Plan(Invoice(status), [], 0, new CreditNoteRequest { Amount = 100 }, Ids());
        Assert.Equal(("invoice", "invoice_unexpected_state"), (result.Error!.Param, result.Error.Code));
    }

    [Fact]
    public void Pre_payment_notes_lower_amount_due_and_numbering_counts_every_note()
    {
        var inv = Invoice(InvoiceStatus.Open, pre: 1200);
        Assert.Equal(2300, InvoiceRules.AmountDue(inv));
        Assert.Equal(2300, InvoiceRules.AmountRemaining(inv));
        Assert.Equal("ABCD-0001-CN-03", CreditNoteRules.Number(inv, 2));
    }

    [Fact]
    public void A_note_is_voided_only_while_issued_and_its_invoice_open()
    {
        var note = Note(100);
        Assert.Null(CreditNoteRules.CanVoid(note, Invoice(InvoiceStatus.Open)));
        Assert.Equal("invoice_unexpected_state", CreditNoteRules.CanVoid(note, Invoice(InvoiceStatus.Paid))!.Code);
        Assert.Equal("credit_note_already_voided", CreditNoteRules.CanVoid(note with { Status = CreditNoteStatus.Void }, Invoice(InvoiceStatus.Open))!.Code);
    }
}
