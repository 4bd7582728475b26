namespace MockProcessor.StripeNet.Tests;

/// <summary>
/// One-off invoices through Stripe.net 53 (docs/billing.md, "One-off invoices"): a draft from pending invoice items,
/// its lines, finalize, send (hosted page), pay out of band, update and delete a draft, and search.
/// </summary>
public sealed class InvoiceTests(EmulatorTarget target) : StripeTest(target)
{
    private async Task<Customer> CustomerWithItemsAsync(params long[] amounts)
    {
        var customer = await Client.V1.Customers.CreateAsync(new CustomerCreateOptions { Email = "oneoff@example.com" });
        var n = 0;
        foreach (var amount in amounts)
            await Client.V1.InvoiceItems.CreateAsync(new InvoiceItemCreateOptions
            {
                Customer = customer.Id, Amount = amount, Currency = "usd", Description = $"Work {++n}",
            });
        return customer;
    }

    [Fact]
    public async Task Invoices_are_numbered_from_the_customers_next_invoice_sequence()
    {
        var customer = await Client.V1.Customers.CreateAsync(new CustomerCreateOptions { Email = "numbers@example.com", NextInvoiceSequence = 7 });
        customer.NextInvoiceSequence.Should().Be(7);
        async Task<string> FinalizedNumberAsync()
        {
            await Client.V1.InvoiceItems.CreateAsync(new InvoiceItemCreateOptions { Customer = customer.Id, Amount = 900, Currency = "usd" });
            var draft = await Client.V1.Invoices.CreateAsync(new InvoiceCreateOptions
            {
                Customer = customer.Id, CollectionMethod = "send_invoice", DaysUntilDue = 7, PendingInvoiceItemsBehavior = "include",
            });
            return (await Client.V1.Invoices.FinalizeInvoiceAsync(draft.Id)).Number;
        }
        (await FinalizedNumberAsync()).Should().Be($"{customer.InvoicePrefix}-0007");
        (await Client.V1.Customers.GetAsync(customer.Id)).NextInvoiceSequence.Should().Be(8);
        await Client.V1.Customers.UpdateAsync(customer.Id, new CustomerUpdateOptions { NextInvoiceSequence = 120 });
        (await FinalizedNumberAsync()).Should().Be($"{customer.InvoicePrefix}-0120");
        (await Client.V1.Customers.GetAsync(customer.Id)).NextInvoiceSequence.Should().Be(121);
    }

    [Fact]
    public async Task A_one_off_invoice_from_invoice_items_is_finalized_sent_and_paid_out_of_band()
    {
        var customer = await CustomerWithItemsAsync(5000, 1250);
        var draft = await Client.V1.Invoices.CreateAsync(new InvoiceCreateOptions
        {
            Customer = customer.Id, CollectionMethod = "send_invoice", DaysUntilDue = 30, PendingInvoiceItemsBehavior = "include",
            Description = "March consulting", Metadata = new Dictionary<string, string> { ["project"] = "atlas" },
        });
        draft.Status.Should().Be("draft");
        draft.Total.Should().Be(6250);
        draft.HostedInvoiceUrl.Should().BeNull();

        var lines = await AllAsync(Client.V1.Invoices.LineItems.ListAutoPagingAsync(draft.Id, new InvoiceLineItemListOptions { Limit = 1 }));
        lines.Select(l => l.Description).Should().Equal("Work 1", "Work 2");
        lines.Select(l => l.Amount).Should().Equal(5000, 1250);

        var open = await Client.V1.Invoices.FinalizeInvoiceAsync(draft.Id, new InvoiceFinalizeOptions { AutoAdvance = false });
        open.Status.Should().Be("open");
        open.Number.Should().NotBeNullOrEmpty();
        open.DueDate.Should().Be(open.StatusTransitions.FinalizedAt!.Value.AddDays(30));

        var sent = await Client.V1.Invoices.SendInvoiceAsync(open.Id);
        sent.HostedInvoiceUrl.Should().Contain($"/invoice/pay/{open.Id}/");
        sent.InvoicePdf.Should().BeNull();
        var events = await AllAsync(Client.V1.Events.ListAutoPagingAsync(new EventListOptions { Type = "invoice.sent", Limit = 100 }));
        events.Select(e => ((Invoice)e.Data.Object).Id).Should().Contain(open.Id);

        var paid = await Client.V1.Invoices.PayAsync(open.Id, new InvoicePayOptions { PaidOutOfBand = true });
        paid.Status.Should().Be("paid");
        paid.AmountPaid.Should().Be(6250);
        (await AllAsync(Client.V1.InvoiceItems.ListAutoPagingAsync(new InvoiceItemListOptions { Customer = customer.Id, Pending = true })))
            .Should().BeEmpty();
    }

    [Fact]
    public async Task A_draft_is_updated_and_deleted_and_invoices_are_searchable()
    {
        var customer = await CustomerWithItemsAsync(800);
        var kept = await Client.V1.Invoices.CreateAsync(new InvoiceCreateOptions
        {
            Customer = customer.Id, PendingInvoiceItemsBehavior = "include", Metadata = new Dictionary<string, string> { ["kind"] = "kept" },
        });
        var other = await Client.V1.Invoices.CreateAsync(new InvoiceCreateOptions { Customer = customer.Id });
        other.Total.Should().Be(0);
        var updated = await Client.V1.Invoices.UpdateAsync(other.Id, new InvoiceUpdateOptions
        {
            CollectionMethod = "send_invoice", DaysUntilDue = 7, Description = "Changed",
        });
        (updated.CollectionMethod, updated.Description).Should().Be(("send_invoice", "Changed"));
        var deleted = await Client.V1.Invoices.DeleteAsync(other.Id);
        deleted.Deleted.Should().BeTrue();
        var missing = await Assert.ThrowsAsync<StripeException>(() => Client.V1.Invoices.GetAsync(other.Id));
        missing.HttpStatusCode.Should().Be(System.Net.HttpStatusCode.NotFound);

        var found = await Client.V1.Invoices.SearchAsync(new InvoiceSearchOptions { Query = $"customer:'{customer.Id}' AND total>500" });
        found.Data.Select(i => i.Id).Should().Equal(kept.Id);
        var byMeta = await Client.V1.Invoices.SearchAsync(new InvoiceSearchOptions { Query = "metadata['kind']:'kept'" });
        byMeta.Data.Select(i => i.Id).Should().Contain(kept.Id);
        var byStatus = await Client.V1.Invoices.SearchAsync(new InvoiceSearchOptions { Query = $"customer:'{customer.Id}' AND status:'open'" });
        byStatus.Data.Should().BeEmpty();
    }
}
