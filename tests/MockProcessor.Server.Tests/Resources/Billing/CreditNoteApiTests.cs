using System.Text.Json.Nodes;

namespace MockProcessor.Server.Tests.Resources.Billing;

/// <summary>/v1/credit_notes (docs/credit-notes.md): pre-payment notes on open invoices, refunds and balance credit on paid ones.</summary>
public class CreditNoteApiTests() : BillingApiTest("sk_test_credit_notes")
{
    /// <summary>A customer with a saved Visa and an open one-off invoice of the given items (not yet charged).</summary>
    private async Task<JsonObject> OpenInvoice(params long[] amounts)
    {
        var cus = Id(await Post("/v1/customers", ("email", "cn@example.com")));
        var pm = await Post("/v1/payment_methods/pm_card_visa/attach", ("customer", cus));
        await Post($"/v1/customers/{cus}", ("invoice_settings[default_payment_method]", Id(pm)));
        var n = 0;
        foreach (var a in amounts)
            await Post("/v1/invoiceitems", ("customer", cus), ("amount", a.ToString()), ("currency", "usd"), ("description", $"Item {++n}"));
        var inv = await Post("/v1/invoices", ("customer", cus), ("pending_invoice_items_behavior", "include"));
        return await Post($"/v1/invoices/{Id(inv)}/finalize", ("auto_advance", "false"));
    }

    [Fact]
    public async Task On_an_open_invoice_a_note_lowers_the_amount_due_and_voiding_restores_it()
    {
        var inv = await OpenInvoice(3000, 500);
        var line = (string)inv["lines"]!["data"]![0]!["id"]!;
        var preview = await Get($"/v1/credit_notes/preview?invoice={Id(inv)}&lines[0][type]=invoice_line_item&lines[0][invoice_line_item]={line}&lines[0][amount]=1000");
        Assert.Equal((1000L, 1000L, "pre_payment"), ((long)preview["amount"]!, (long)preview["pre_payment_amount"]!, (string)preview["type"]!));
        Assert.Empty((await Get("/v1/credit_notes"))["data"]!.AsArray());
        Assert.Equal(3500, (long)(await Get($"/v1/invoices/{Id(inv)}"))["amount_due"]!);

        var cn = await Post("/v1/credit_notes", ("invoice", Id(inv)), ("lines[0][type]", "invoice_line_item"), ("lines[0][invoice_line_item]", line),
            ("lines[0][amount]", "1000"), ("reason", "order_change"), ("memo", "Wrong size"));
        Assert.StartsWith("cn_", Id(cn));
        Assert.Equal($"{(string)inv["number"]!}-CN-01", (string)cn["number"]!);
        Assert.Equal(("issued", "pre_payment", "order_change"), ((string)cn["status"]!, (string)cn["type"]!, (string)cn["reason"]!));
        Assert.Equal((1000L, 1000L, 0L), ((long)cn["total"]!, (long)cn["pre_payment_amount"]!, (long)cn["post_payment_amount"]!));
        var cnLine = cn["lines"]!["data"]![0]!;
        Assert.Equal(("credit_note_line_item", line, 1000L), ((string)cnLine["object"]!, (string)cnLine["invoice_line_item"]!, (long)cnLine["amount"]!));
        var after = await Get($"/v1/invoices/{Id(inv)}");
        Assert.Equal((2500L, 2500L, 1000L, "open"), ((long)after["amount_due"]!, (long)after["amount_remaining"]!,
            (long)after["pre_payment_credit_notes_amount"]!, (string)after["status"]!));
        Assert.Contains("credit_note.created", await EventTypes(Id(cn)));
        Assert.Contains("invoice.updated", await EventTypes(Id(inv)));

        var voided = await Post($"/v1/credit_notes/{Id(cn)}/void");
        Assert.Equal("void", (string)voided["status"]!);
        Assert.NotNull(voided["voided_at"]);
        Assert.Equal(3500, (long)(await Get($"/v1/invoices/{Id(inv)}"))["amount_remaining"]!);
        Assert.Equal(["credit_note.created", "credit_note.voided"], await EventTypes(Id(cn)));
        var again = await (await _c.PostFormAsync($"/v1/credit_notes/{Id(cn)}/void")).ErrorAsync(400);
        Assert.Equal("credit_note_already_voided", (string)again["code"]!);

        // A note for everything still due settles the invoice without a payment; its notes can then no longer be voided.
        var full = await Post("/v1/credit_notes", ("invoice", Id(inv)), ("amount", "3500"));
        Assert.Equal($"{(string)inv["number"]!}-CN-02", (string)full["number"]!);
        var settled = await Get($"/v1/invoices/{Id(inv)}");
        Assert.Equal(("paid", 0L, 0L), ((string)settled["status"]!, (long)settled["amount_paid"]!, (long)settled["amount_remaining"]!));
        var events = await EventTypes(Id(inv));
        Assert.Contains("invoice.paid", events);
        Assert.DoesNotContain("invoice.payment_succeeded", events);
        var refused = await (await _c.PostFormAsync($"/v1/credit_notes/{Id(full)}/void")).ErrorAsync(400);
        Assert.Equal("invoice_unexpected_state", (string)refused["code"]!);
    }

    [Fact]
    public async Task On_a_paid_invoice_a_note_refunds_and_credits_and_the_credit_pays_part_of_the_next_invoice()
    {
        var inv = await Post($"/v1/invoices/{Id(await OpenInvoice(3000))}/pay");
        Assert.Equal("paid", (string)inv["status"]!);
        var cus = (string)inv["customer"]!;
        var cn = await Post("/v1/credit_notes", ("invoice", Id(inv)), ("amount", "1500"), ("refund_amount", "1000"), ("credit_amount", "400"),
            ("out_of_band_amount", "100"), ("metadata[ticket]", "7"));
        Assert.Equal(("post_payment", 0L, 1500L, 100L), ((string)cn["type"]!, (long)cn["pre_payment_amount"]!, (long)cn["post_payment_amount"]!, (long)cn["out_of_band_amount"]!));
        var refund = Assert.Single(cn["refunds"]!.AsArray())!;
        Assert.Equal(1000, (long)refund["amount_refunded"]!);
        var re = await Get($"/v1/refunds/{(string)refund["refund"]!}");
        Assert.Equal(("succeeded", 1000L), ((string)re["status"]!, (long)re["amount"]!));
        Assert.Equal(1000, (long)(await Get($"/v1/charges/{(string)re["charge"]!}"))["amount_refunded"]!);

        var txn = await Get($"/v1/customers/{cus}/balance_transactions/{(string)cn["customer_balance_transaction"]!}");
        Assert.Equal(("credit_note", -400L, Id(cn), Id(inv)), ((string)txn["type"]!, (long)txn["amount"]!, (string)txn["credit_note"]!, (string)txn["invoice"]!));
        Assert.Equal(-400, (long)(await Get($"/v1/customers/{cus}"))["balance"]!);
        var paid = await Get($"/v1/invoices/{Id(inv)}");
        Assert.Equal((1500L, 0L, 3000L), ((long)paid["post_payment_credit_notes_amount"]!, (long)paid["pre_payment_credit_notes_amount"]!, (long)paid["amount_paid"]!));

        // What is left to credit is 1500; the split must match exactly; a paid invoice's note cannot be voided.
        var over = await (await _c.PostFormAsync("/v1/credit_notes", ("invoice", Id(inv)), ("amount", "1600"), ("credit_amount", "1600"))).ErrorAsync(400);
        Assert.Equal("amount", (string)over["param"]!);
        var split = await (await _c.PostFormAsync("/v1/credit_notes", ("invoice", Id(inv)), ("amount", "500"), ("credit_amount", "400"))).ErrorAsync(400);
        Assert.Equal("refund_amount", (string)split["param"]!);
        await (await _c.PostFormAsync($"/v1/credit_notes/{Id(cn)}/void")).ErrorAsync(400);
        Assert.Single((await Get($"/v1/credit_notes?invoice={Id(inv)}"))["data"]!.AsArray());
        Assert.Equal(-400, (long)(await Get($"/v1/customers/{cus}"))["balance"]!);

        // The credit lowers the customer's next invoice.
        await Post("/v1/invoiceitems", ("customer", cus), ("amount", "1000"), ("currency", "usd"));
        var next = await Post("/v1/invoices", ("customer", cus), ("pending_invoice_items_behavior", "include"));
        next = await Post($"/v1/invoices/{Id(next)}/finalize", ("auto_advance", "false"));
        Assert.Equal((600L, -400L, 0L), ((long)next["amount_due"]!, (long)next["starting_balance"]!, (long)next["ending_balance"]!));
    }

    [Fact]
    public async Task Lines_update_list_and_refusals()
    {
        var inv = await OpenInvoice(1000, 2000);
        var cn = await Post("/v1/credit_notes", ("invoice", Id(inv)),
            ("lines[0][type]", "custom_line_item"), ("lines[0][description]", "Goodwill"), ("lines[0][unit_amount]", "100"), ("lines[0][quantity]", "3"),
            ("lines[1][type]", "invoice_line_item"), ("lines[1][invoice_line_item]", (string)inv["lines"]!["data"]![1]!["id"]!), ("lines[1][quantity]", "1"));
        Assert.Equal(2300, (long)cn["amount"]!);
        var page = await Get($"/v1/credit_notes/{Id(cn)}/lines?limit=1");
        Assert.True((bool)page["has_more"]!);
        var first = page["data"]![0]!;
        Assert.Equal(("custom_line_item", 300L, 100L, 3L), ((string)first["type"]!, (long)first["amount"]!, (long)first["unit_amount"]!, (long)first["quantity"]!));
        var rest = await Get($"/v1/credit_notes/{Id(cn)}/lines?starting_after={(string)first["id"]!}");
        Assert.Equal(2000, (long)rest["data"]![0]!["amount"]!);
        Assert.False((bool)rest["has_more"]!);

        var updated = await Post($"/v1/credit_notes/{Id(cn)}", ("memo", "Thanks"), ("metadata[k]", "v"));
        Assert.Equal(("Thanks", "v"), ((string)updated["memo"]!, (string)updated["metadata"]!["k"]!));
        Assert.Contains("credit_note.updated", await EventTypes(Id(cn)));
        Assert.Single((await Get($"/v1/credit_notes?customer={(string)inv["customer"]!}"))["data"]!.AsArray());
        Assert.Empty((await Get("/v1/credit_notes?customer=cus_other"))["data"]!.AsArray());

        var draft = await Post("/v1/invoices", ("customer", (string)inv["customer"]!));
        var onDraft = await (await _c.PostFormAsync("/v1/credit_notes", ("invoice", Id(draft)), ("amount", "1"))).ErrorAsync(400);
        Assert.Equal("invoice", (string)onDraft["param"]!);
        var noAmount = await (await _c.PostFormAsync("/v1/credit_notes", ("invoice", Id(inv)))).ErrorAsync(400);
        Assert.Equal("lines", (string)noAmount["param"]!);
        var badReason = await (await _c.PostFormAsync("/v1/credit_notes", ("invoice", Id(inv)), ("amount", "1"), ("reason", "whim"))).ErrorAsync(400);
        Assert.Equal("reason", (string)badReason["param"]!);
        var badLine = await (await _c.PostFormAsync("/v1/credit_notes", ("invoice", Id(inv)), ("lines[0][type]", "invoice_line_item"),
            ("lines[0][invoice_line_item]", "il_nope"), ("lines[0][amount]", "1"))).ErrorAsync(400);
        Assert.Equal("lines[0][invoice_line_item]", (string)badLine["param"]!);
        // Refused calls stored nothing: only the first note exists, and the invoice asks 700.
        Assert.Single((await Get("/v1/credit_notes"))["data"]!.AsArray());
        Assert.Equal(700, (long)(await Get($"/v1/invoices/{Id(inv)}"))["amount_remaining"]!);
    }
}
