using System.Globalization;
using System.Text.Json.Nodes;
using MockProcessor.Domain.Billing;
using MockProcessor.Domain.Common;
using MockProcessor.Server.Wire;

namespace MockProcessor.Server.Resources.CreditNotes;

/// <summary>
/// CreditNote and its lines → Stripe's wire shape at the current API version (fixtures3.current.json
/// <c>credit_note</c>, <c>credit_note_line_item</c>; stripe-node CreditNotes.d.ts). No discounts, taxes or shipping are
/// emulated, so those fields are zero, empty or null; <c>pdf</c> is null (no PDF is rendered).
/// </summary>
public static class CreditNoteJson
{
    /// <summary>How many lines the note itself carries; the rest are at <c>/lines</c>.</summary>
    private const int EmbeddedLines = 10;

    public static JsonObject Render(CreditNote n, RenderContext ctx, ExpandNode expand)
    {
        var data = new JsonArray();
        foreach (var line in n.Lines.Take(EmbeddedLines)) data.Add(Line(line, ctx));
        var refunds = new JsonArray();
        foreach (var r in n.Refunds)
            refunds.Add(new JsonObject
            {
                ["amount_refunded"] = r.AmountRefunded, ["payment_record_refund"] = null,
                ["refund"] = ctx.Ref(ExpandNode.None, "refund", r.Refund), ["type"] = "refund",
            });
        return new JsonObject
        {
            ["id"] = n.Id,
            ["object"] = "credit_note",
            ["amount"] = n.Amount,
            ["amount_shipping"] = 0,
            ["created"] = n.Created,
            ["currency"] = n.Currency,
            ["customer"] = ctx.Ref(expand, "customer", n.Customer),
            ["customer_account"] = null,
            ["customer_balance_transaction"] = ctx.Ref(expand, "customer_balance_transaction", n.CustomerBalanceTransaction),
            ["discount_amount"] = 0,
            ["discount_amounts"] = new JsonArray(),
            ["effective_at"] = n.EffectiveAt,
            ["invoice"] = ctx.Ref(expand, "invoice", n.Invoice),
            ["lines"] = new JsonObject
            {
                ["object"] = "list", ["data"] = data, ["has_more"] = n.Lines.Count > EmbeddedLines,
                ["total_count"] = n.Lines.Count, ["url"] = $"/v1/credit_notes/{n.Id}/lines",
            },
            ["livemode"] = false,
            ["memo"] = n.Memo,
            ["metadata"] = ctx.Metadata(n.Metadata),
            ["number"] = n.Number,
            ["out_of_band_amount"] = n.OutOfBandAmount,
            ["pdf"] = null,
            ["post_payment_amount"] = n.PostPaymentAmount,
            ["pre_payment_amount"] = n.PrePaymentAmount,
            ["pretax_credit_amounts"] = new JsonArray(),
            ["reason"] = n.Reason?.ToWire(),
            ["refunds"] = refunds,
            ["shipping_cost"] = null,
            ["status"] = n.Status.ToWire(),
            ["subtotal"] = n.Amount,
            ["subtotal_excluding_tax"] = n.Amount,
            ["total"] = n.Amount,
            ["total_excluding_tax"] = n.Amount,
            ["total_taxes"] = new JsonArray(),
            ["type"] = CreditNoteRules.TypeOf(n).ToWire(),
            ["voided_at"] = n.VoidedAt,
        };
    }

    public static JsonObject Line(CreditNoteLine l, RenderContext ctx)
    {
        var json = new JsonObject
        {
            ["id"] = l.Id,
            ["object"] = "credit_note_line_item",
            ["amount"] = l.Amount,
            ["description"] = l.Description,
            ["discount_amount"] = 0,
            ["discount_amounts"] = new JsonArray(),
        };
        // Present on invoice_line_item lines only (optional in the SDK types).
        if (l.InvoiceLineItem is not null) json["invoice_line_item"] = l.InvoiceLineItem;
        json["livemode"] = false;
        json["metadata"] = l.Metadata is { } m ? ctx.Metadata(m) : null;
        json["pretax_credit_amounts"] = new JsonArray();
        // A line credited by amount shows quantity 1, as Stripe's do.
        json["quantity"] = l.Quantity ?? 1;
        json["tax_rates"] = new JsonArray();
        json["taxes"] = new JsonArray();
        json["type"] = l.Type.ToWire();
        json["unit_amount"] = l.UnitAmount;
        json["unit_amount_decimal"] = l.UnitAmount?.ToString(CultureInfo.InvariantCulture);
        return json;
    }
}
