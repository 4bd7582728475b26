using System.Text.Json.Nodes;
using MockProcessor.Domain.Billing;
using MockProcessor.Domain.Common;
using MockProcessor.Domain.Customers;
using MockProcessor.Domain.PaymentIntents;
using MockProcessor.Domain.Products;
using MockProcessor.Server.Resources.Discounts;
using MockProcessor.Server.Wire;

namespace MockProcessor.Server.Resources.Invoices;

/// <summary>
/// Invoice, its lines and invoice items → Stripe's wire shape at the current API version (fixtures3.current.json,
/// stripe-node's Invoices.d.ts): links through <c>parent</c>, prices through <c>pricing</c>; no <c>paid</c>,
/// <c>payment_intent</c> or <c>subscription</c> (older versions get those from <c>ApiChanges</c>: C30, C31, C35).
/// <c>confirmation_secret</c> is includable (rendered only when expanded).
/// </summary>
public static class InvoiceJson
{
    public const string Object = "invoice";

    public static JsonObject Render(Invoice inv, RenderContext ctx, ExpandNode expand)
    {
        var customer = ctx.Tx.Get<Customer>(inv.Customer);
        var total = InvoiceRules.Total(inv);
        var json = new JsonObject(WireJson.Room(75))
        {
            ["id"] = inv.Id,
            ["object"] = Object,
            ["account_country"] = "US",
            ["account_name"] = null,
            ["account_tax_ids"] = null,
            ["amount_due"] = InvoiceRules.AmountDue(inv),
            ["amount_overpaid"] = 0,
            ["amount_paid"] = inv.AmountPaid,
            ["amount_remaining"] = InvoiceRules.AmountRemaining(inv),
            ["amount_shipping"] = 0,
            ["application"] = null,
            ["attempt_count"] = inv.AttemptCount,
            ["attempted"] = inv.Attempted,
            ["auto_advance"] = inv.AutoAdvance,
            ["automatic_tax"] = new JsonObject
            {
                ["disabled_reason"] = null, ["enabled"] = false, ["liability"] = null, ["provider"] = null, ["status"] = null,
            },
            ["automatically_finalizes_at"] = inv.Status == InvoiceStatus.Draft ? inv.AutomaticallyFinalizesAt : null,
            ["billing_reason"] = inv.BillingReason.ToWire(),
            ["collection_method"] = inv.CollectionMethod.ToWire(),
        };
        if (expand.Child("confirmation_secret") is not null)
            json["confirmation_secret"] = inv.PaymentIntent is { } piId && ctx.Tx.Get<PaymentIntent>(piId) is { } pi
                ? new JsonObject { ["client_secret"] = pi.ClientSecret, ["type"] = "payment_intent" } : null;
        // Includable (Invoices.d.ts `payments?`): the invoice's invoice_payment objects, only when expanded.
        if (expand.Child("payments") is { } payments) json["payments"] = InvoicePaymentEndpoints.ListOf(inv, ctx, payments.Child("data") ?? ExpandNode.None);
        json["created"] = inv.Created;
        json["currency"] = inv.Currency;
        json["custom_fields"] = null;
        json["customer"] = ctx.Ref(expand, "customer", inv.Customer);
        json["customer_account"] = null;
        json["customer_address"] = null;
        json["customer_email"] = customer?.Email;
        json["customer_name"] = customer?.Name;
        json["customer_phone"] = customer?.Phone;
        json["customer_shipping"] = null;
        json["customer_tax_exempt"] = "none";
        var taxIds = new JsonArray();
        foreach (var t in inv.CustomerTaxIds ?? Customers.TaxIdEndpoints.CurrentOf(ctx.Tx, inv.Customer))
            taxIds.Add(new JsonObject { ["type"] = t.Type, ["value"] = t.Value });
        json["customer_tax_ids"] = taxIds;
        json["default_payment_method"] = ctx.Ref(expand, "default_payment_method", inv.DefaultPaymentMethod);
        json["default_source"] = null;
        json["default_tax_rates"] = Discounting.TaxRateObjects(ctx, inv.DefaultTaxRates);
        json["description"] = inv.Description;
        json["discounts"] = Discounting.Refs(ctx, expand, "discounts", inv.Discounts);
        json["due_date"] = inv.DueDate;
        json["effective_at"] = inv.FinalizedAt;
        json["ending_balance"] = inv.EndingBalance;
        json["footer"] = null;
        json["from_invoice"] = null;
        json["hosted_invoice_url"] = HostedUrl(inv);
        json["invoice_pdf"] = null;
        json["issuer"] = new JsonObject { ["type"] = "self" };
        json["last_finalization_error"] = null;
        json["latest_revision"] = null;
        json["lines"] = Lines(inv, ctx);
        json["livemode"] = false;
        json["metadata"] = ctx.Metadata(inv.Metadata);
        json["next_payment_attempt"] = inv.NextPaymentAttempt;
        json["number"] = inv.Number;
        json["on_behalf_of"] = null;
        json["parent"] = inv.Subscription is null ? null : new JsonObject
        {
            ["quote_details"] = null,
            ["subscription_details"] = new JsonObject
            {
                ["metadata"] = inv.SubscriptionMetadata is { } m ? ctx.Metadata(m) : null,
                ["subscription"] = ctx.Ref(expand.Child("parent")?.Child("subscription_details") ?? ExpandNode.None, "subscription", inv.Subscription),
            },
            ["type"] = "subscription_details",
        };
        json["payment_settings"] = new JsonObject
        {
            ["default_mandate"] = null, ["payment_method_options"] = null, ["payment_method_types"] = null,
        };
        json["period_end"] = inv.PeriodEnd;
        json["period_start"] = inv.PeriodStart;
        json["post_payment_credit_notes_amount"] = inv.PostPaymentCreditNotesAmount;
        json["pre_payment_credit_notes_amount"] = inv.PrePaymentCreditNotesAmount;
        json["receipt_number"] = null;
        json["rendering"] = null;
        json["shipping_cost"] = null;
        json["shipping_details"] = null;
        json["starting_balance"] = inv.StartingBalance ?? 0;
        json["statement_descriptor"] = null;
        json["status"] = inv.Status.ToWire();
        json["status_transitions"] = new JsonObject
        {
            ["finalized_at"] = inv.FinalizedAt, ["marked_uncollectible_at"] = inv.MarkedUncollectibleAt,
            ["paid_at"] = inv.PaidAt, ["voided_at"] = inv.VoidedAt,
        };
        json["subtotal"] = InvoiceRules.Subtotal(inv);
        json["subtotal_excluding_tax"] = InvoiceRules.SubtotalExcludingTax(inv);
        json["test_clock"] = ctx.Ref(expand, "test_clock", inv.TestClock);
        json["total"] = total;
        json["total_discount_amounts"] = DiscountAmounts(InvoiceTotals.DiscountsByDiscount(inv.Lines));
        json["total_excluding_tax"] = InvoiceRules.TotalExcludingTax(inv);
        json["total_pretax_credit_amounts"] = new JsonArray();
        json["total_taxes"] = Taxes(InvoiceTotals.TaxesByRate(inv.Lines));
        json["webhooks_delivered_at"] = inv.Created;
        if (inv.UpcomingPayload) json.Remove("id"); // invoice.upcoming's object has no id (Events.d.ts)
        return json;
    }

    /// <summary>The hosted page of a finalized invoice (docs/billing.md); null for drafts, and when the emulator's address is unknown.</summary>
    public static string? HostedUrl(Invoice inv) =>
        inv is { HostedToken: { } token, PageBaseUrl: { } origin } && inv.Status != InvoiceStatus.Draft ? $"{origin}{InvoicePage.PathPrefix}{inv.Id}/{token}" : null;

    private static JsonObject Lines(Invoice inv, RenderContext ctx)
    {
        var data = new JsonArray();
        foreach (var line in inv.Lines) data.Add(Line(inv, line, ctx));
        return new JsonObject
        {
            ["object"] = "list", ["data"] = data, ["has_more"] = false, ["total_count"] = inv.Lines.Count, ["url"] = $"/v1/invoices/{inv.Id}/lines",
        };
    }

    public static JsonObject Line(Invoice inv, InvoiceLine line, RenderContext ctx) => new(WireJson.Room(19))
    {
        ["id"] = line.Id,
        ["object"] = "line_item",
        ["amount"] = line.Amount,
        ["currency"] = inv.Currency,
        ["description"] = line.Description,
        ["discount_amounts"] = DiscountAmounts(line.DiscountAmounts),
        ["discountable"] = line.IsDiscountable(),
        ["discounts"] = Discounting.Strings(line.Discounts),
        ["invoice"] = inv.Id,
        ["livemode"] = false,
        ["metadata"] = ctx.Metadata(line.Metadata),
        ["parent"] = line.SubscriptionItem is not null
            ? new JsonObject
            {
                ["invoice_item_details"] = null,
                ["subscription_item_details"] = new JsonObject
                {
                    ["invoice_item"] = line.InvoiceItem, ["proration"] = line.Proration, ["proration_details"] = new JsonObject { ["credited_items"] = null },
                    ["subscription"] = line.Subscription, ["subscription_item"] = line.SubscriptionItem,
                },
                ["type"] = "subscription_item_details",
            }
            : new JsonObject
            {
                ["invoice_item_details"] = new JsonObject
                {
                    ["invoice_item"] = line.InvoiceItem, ["proration"] = line.Proration, ["proration_details"] = new JsonObject { ["credited_items"] = null },
                    ["subscription"] = line.Subscription,
                },
                ["subscription_item_details"] = null,
                ["type"] = "invoice_item_details",
            },
        ["period"] = new JsonObject { ["end"] = line.Period.End, ["start"] = line.Period.Start },
        ["pretax_credit_amounts"] = new JsonArray(),
        ["pricing"] = Pricing(line.Price, ctx),
        ["quantity"] = line.Quantity,
        ["quantity_decimal"] = line.Quantity.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["subtotal"] = line.Amount,
        ["taxes"] = Taxes(line.Taxes),
    };

    /// <summary><c>discount_amounts</c> / <c>total_discount_amounts</c>: <c>[{amount, discount}]</c>.</summary>
    public static JsonArray DiscountAmounts(IEnumerable<LineDiscountAmount> amounts) =>
        new([.. amounts.Select(d => (JsonNode)new JsonObject { ["amount"] = d.Amount, ["discount"] = d.Discount })]);

    /// <summary><c>taxes</c> / <c>total_taxes</c> at the current version (older shapes: ApiChanges).</summary>
    public static JsonArray Taxes(IEnumerable<LineTax> taxes) =>
        new([.. taxes.Select(t => (JsonNode)new JsonObject
        {
            ["amount"] = t.Amount,
            ["tax_behavior"] = t.Inclusive ? "inclusive" : "exclusive",
            ["tax_rate_details"] = new JsonObject { ["tax_rate"] = t.TaxRate },
            ["taxability_reason"] = "standard_rated",
            ["taxable_amount"] = t.TaxableAmount,
            ["type"] = "tax_rate_details",
        })]);

    internal static JsonObject? Pricing(string? priceId, RenderContext ctx)
    {
        if (priceId is null) return null;
        var price = ctx.Tx.Get<Price>(priceId);
        return new JsonObject
        {
            ["price_details"] = new JsonObject { ["price"] = priceId, ["product"] = price?.Product },
            ["type"] = "price_details",
            ["unit_amount_decimal"] = price?.UnitAmount is { } u ? PriceRules.FormatDecimal(u) : null,
        };
    }

    public static JsonObject RenderItem(InvoiceItem ii, RenderContext ctx, ExpandNode expand)
    {
        if (ii.Deleted) return new JsonObject { ["id"] = ii.Id, ["object"] = "invoiceitem", ["deleted"] = true };
        return new JsonObject
        {
            ["id"] = ii.Id,
            ["object"] = "invoiceitem",
            ["amount"] = ii.Amount,
            ["currency"] = ii.Currency,
            ["customer"] = ctx.Ref(expand, "customer", ii.Customer),
            ["customer_account"] = null,
            ["date"] = ii.Date,
            ["description"] = ii.Description,
            ["discountable"] = !ii.Proration,
            ["discounts"] = Discounting.Refs(ctx, expand, "discounts", ii.Discounts),
            ["invoice"] = ctx.Ref(expand, "invoice", ii.Invoice),
            ["livemode"] = false,
            ["metadata"] = ctx.Metadata(ii.Metadata),
            ["net_amount"] = ii.Amount,
            ["parent"] = ii.Subscription is null ? null : new JsonObject
            {
                ["subscription_details"] = new JsonObject { ["subscription"] = ii.Subscription, ["subscription_item"] = ii.SubscriptionItem },
                ["type"] = "subscription_details",
            },
            ["period"] = new JsonObject { ["end"] = ii.Period.End, ["start"] = ii.Period.Start },
            ["pricing"] = Pricing(ii.Price, ctx),
            ["proration"] = ii.Proration,
            ["quantity"] = ii.Quantity,
            ["quantity_decimal"] = ii.Quantity.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["tax_rates"] = Discounting.TaxRateObjects(ctx, ii.TaxRates),
            ["test_clock"] = ctx.Ref(expand, "test_clock", ii.TestClock),
        };
    }
}
