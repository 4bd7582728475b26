namespace MockProcessor.StripeNet.Tests;

/// <summary>
/// Credit notes through Stripe.net 53 (docs/credit-notes.md): a refund plus balance credit on a paid subscription invoice
/// whose credit the renewal consumes on a test clock; a pre-payment note on an open invoice, previewed, listed by line and
/// voided.
/// </summary>
public sealed class CreditNoteTests(EmulatorTarget target) : StripeTest(target)
{
    private static readonly DateTime May1 = new(2026, 5, 1, 0, 0, 0, DateTimeKind.Utc);

    private async Task<(Customer Customer, Stripe.TestHelpers.TestClock Clock)> CustomerAsync(DateTime? clockAt = null)
    {
        var clock = clockAt is { } at
            ? await Client.V1.TestHelpers.TestClocks.CreateAsync(new Stripe.TestHelpers.TestClockCreateOptions { FrozenTime = at })
            : null;
        var customer = await Client.V1.Customers.CreateAsync(new CustomerCreateOptions { Email = "notes@example.com", TestClock = clock?.Id });
        var pm = await Client.V1.PaymentMethods.AttachAsync("pm_card_visa", new PaymentMethodAttachOptions { Customer = customer.Id });
        customer = await Client.V1.Customers.UpdateAsync(customer.Id, new CustomerUpdateOptions
        {
            InvoiceSettings = new CustomerInvoiceSettingsOptions { DefaultPaymentMethod = pm.Id },
        });
        return (customer, clock!);
    }

    [Fact]
    public async Task A_refund_and_credit_on_a_paid_invoice_and_the_credit_consumed_by_the_renewal()
    {
        var (customer, clock) = await CustomerAsync(May1);
        var price = await Client.V1.Prices.CreateAsync(new PriceCreateOptions
        {
            Currency = "usd", UnitAmount = 2000, ProductData = new PriceProductDataOptions { Name = "Team plan" },
            Recurring = new PriceRecurringOptions { Interval = "month" },
        });
        var sub = await Client.V1.Subscriptions.CreateAsync(new SubscriptionCreateOptions
        {
            Customer = customer.Id, Items = [new SubscriptionItemOptions { Price = price.Id }],
        });
        var first = await Client.V1.Invoices.GetAsync(sub.LatestInvoiceId);
        first.Status.Should().Be("paid");

        var note = await Client.V1.CreditNotes.CreateAsync(new CreditNoteCreateOptions
        {
            Invoice = first.Id,
            Lines = [new CreditNoteLineOptions { Type = "invoice_line_item", InvoiceLineItem = first.Lines.Data[0].Id, Amount = 1200 }],
            RefundAmount = 500, CreditAmount = 700, Reason = "product_unsatisfactory", Memo = "Outage in May",
        });
        note.Id.Should().StartWith("cn_");
        note.Number.Should().Be(first.Number + "-CN-01");
        note.Type.Should().Be("post_payment");
        note.Status.Should().Be("issued");
        note.Amount.Should().Be(1200);
        note.PostPaymentAmount.Should().Be(1200);
        note.Refunds.Should().ContainSingle().Which.AmountRefunded.Should().Be(500);
        note.Lines.Data.Should().ContainSingle().Which.InvoiceLineItem.Should().Be(first.Lines.Data[0].Id);

        var refund = await Client.V1.Refunds.GetAsync(note.Refunds[0].RefundId);
        refund.Amount.Should().Be(500);
        (await Client.V1.Charges.GetAsync(refund.ChargeId)).AmountRefunded.Should().Be(500);
        var txn = await Client.V1.Customers.BalanceTransactions.GetAsync(customer.Id, note.CustomerBalanceTransactionId);
        txn.Type.Should().Be("credit_note");
        txn.Amount.Should().Be(-700);
        txn.CreditNoteId.Should().Be(note.Id);
        (await Client.V1.Invoices.GetAsync(first.Id)).PostPaymentCreditNotesAmount.Should().Be(1200);

        await Client.V1.TestHelpers.TestClocks.AdvanceAsync(clock.Id, new Stripe.TestHelpers.TestClockAdvanceOptions { FrozenTime = May1.AddMonths(1).AddHours(2) });
        var renewal = (await Client.V1.Invoices.ListAsync(new InvoiceListOptions { Subscription = sub.Id, Limit = 1 })).Data.Single();
        renewal.BillingReason.Should().Be("subscription_cycle");
        renewal.StartingBalance.Should().Be(-700);
        renewal.AmountDue.Should().Be(1300);
        renewal.AmountPaid.Should().Be(1300);
        (await Client.V1.Customers.GetAsync(customer.Id)).Balance.Should().Be(0);
        (await Client.V1.CreditNotes.ListAsync(new CreditNoteListOptions { Customer = customer.Id })).Data.Select(n => n.Id).Should().Equal(note.Id);
    }

    [Fact]
    public async Task A_note_on_an_open_invoice_is_previewed_lowers_the_amount_due_and_is_voided()
    {
        var (customer, _) = await CustomerAsync();
        await Client.V1.InvoiceItems.CreateAsync(new InvoiceItemCreateOptions { Customer = customer.Id, Amount = 4000, Currency = "usd", Description = "Workshop" });
        var draft = await Client.V1.Invoices.CreateAsync(new InvoiceCreateOptions
        {
            Customer = customer.Id, PendingInvoiceItemsBehavior = "include", CollectionMethod = "send_invoice", DaysUntilDue = 30,
        });
        var inv = await Client.V1.Invoices.FinalizeInvoiceAsync(draft.Id);
        inv.AmountDue.Should().Be(4000);

        var lines = new List<CreditNoteLineOptions>
        {
            new() { Type = "custom_line_item", Description = "Late start", UnitAmount = 500, Quantity = 2 },
        };
        var preview = await Client.V1.CreditNotes.PreviewAsync(new CreditNotePreviewOptions { Invoice = inv.Id, Lines = lines });
        preview.Amount.Should().Be(1000);
        preview.PrePaymentAmount.Should().Be(1000);
        preview.Type.Should().Be("pre_payment");
        (await Client.V1.CreditNotes.ListAsync(new CreditNoteListOptions { Invoice = inv.Id })).Data.Should().BeEmpty();

        var note = await Client.V1.CreditNotes.CreateAsync(new CreditNoteCreateOptions { Invoice = inv.Id, Lines = lines, Metadata = new() { ["case"] = "9" } });
        var open = await Client.V1.Invoices.GetAsync(inv.Id);
        open.AmountDue.Should().Be(3000);
        open.AmountRemaining.Should().Be(3000);
        open.PrePaymentCreditNotesAmount.Should().Be(1000);

        var page = await Client.V1.CreditNotes.ListLineItemsAsync(note.Id);
        page.Data.Should().ContainSingle().Which.UnitAmount.Should().Be(500);
        (await Client.V1.CreditNotes.UpdateAsync(note.Id, new CreditNoteUpdateOptions { Memo = "Agreed by phone" })).Memo.Should().Be("Agreed by phone");

        var voided = await Client.V1.CreditNotes.VoidCreditNoteAsync(note.Id);
        voided.Status.Should().Be("void");
        voided.VoidedAt.Should().NotBeNull();
        (await Client.V1.Invoices.GetAsync(inv.Id)).AmountRemaining.Should().Be(4000);

        var act = () => Client.V1.CreditNotes.CreateAsync(new CreditNoteCreateOptions { Invoice = inv.Id, Amount = 4001 });
        (await act.Should().ThrowAsync<StripeException>()).Which.StripeError.Param.Should().Be("amount");
    }
}
