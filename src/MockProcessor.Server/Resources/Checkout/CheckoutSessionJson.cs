using System.Text.Json.Nodes;
using MockProcessor.Domain.Checkout;
using MockProcessor.Domain.Common;
using MockProcessor.Domain.Products;
using MockProcessor.Server.Wire;

namespace MockProcessor.Server.Resources.Checkout;

/// <summary>
/// Checkout Session → Stripe's wire shape at the current API version (fixtures3.current.json). <c>line_items</c> is
/// includable (<c>expand[]=line_items</c> embeds the first page); <c>url</c> is set only while the session is open.
/// </summary>
public static class CheckoutSessionJson
{
    public const int EmbeddedLineItems = 10;

    public static JsonObject Render(CheckoutSession s, RenderContext ctx, ExpandNode expand)
    {
        var json = new JsonObject
        {
            ["id"] = s.Id,
            ["object"] = "checkout.session",
            ["adaptive_pricing"] = null,
            ["after_expiration"] = null,
            ["allow_promotion_codes"] = s.AllowPromotionCodes,
            ["amount_subtotal"] = s.AmountSubtotal,
            ["amount_total"] = s.AmountTotal,
            ["automatic_tax"] = new JsonObject { ["enabled"] = false, ["liability"] = null, ["provider"] = null, ["status"] = null },
            ["billing_address_collection"] = s.BillingAddressCollection,
            ["cancel_url"] = s.CancelUrl,
            ["client_reference_id"] = s.ClientReferenceId,
            ["client_secret"] = null,
            ["collected_information"] = null,
            ["consent"] = null,
            ["consent_collection"] = null,
            ["created"] = s.Created,
            ["currency"] = s.Currency,
            ["currency_conversion"] = null,
            ["custom_fields"] = new JsonArray(),
            ["custom_text"] = new JsonObject { ["after_submit"] = null, ["shipping_address"] = null, ["submit"] = null, ["terms_of_service_acceptance"] = null },
            ["customer"] = ctx.Ref(expand, "customer", s.Customer),
            ["customer_account"] = null,
            ["customer_creation"] = s.CustomerCreation?.ToWire(),
            ["customer_details"] = s.CustomerDetails is not { } d ? null : new JsonObject
            {
                ["address"] = null, ["business_name"] = null, ["email"] = d.Email, ["individual_name"] = null, ["name"] = d.Name,
                ["phone"] = null, ["tax_exempt"] = "none", ["tax_ids"] = new JsonArray(),
            },
            ["customer_email"] = s.CustomerEmail,
            ["discounts"] = new JsonArray([.. s.Discounts.Select(id => ctx.Tx.Get<Domain.Billing.Discount>(id)).OfType<Domain.Billing.Discount>()
                .Select(d => (JsonNode)new JsonObject { ["coupon"] = d.Coupon, ["promotion_code"] = d.PromotionCode })]),
            ["expires_at"] = s.ExpiresAt,
            ["integration_identifier"] = null,
            // Subscription mode: set once the session is complete (a subscription waiting for 3-D Secure is not shown yet).
            ["invoice"] = s.Status == CheckoutStatus.Complete ? ctx.Ref(expand, "invoice", s.Invoice) : null,
            ["invoice_creation"] = s.Mode == CheckoutMode.Payment
                ? new JsonObject { ["enabled"] = false, ["invoice_data"] = InvoiceData() } : null,
        };
        if (expand.Child("line_items") is { } lineItems) json["line_items"] = LineItemList(s, s.LineItems.Take(EmbeddedLineItems).ToList(),
            s.LineItems.Count > EmbeddedLineItems, ctx, lineItems.Child("data"));
        json["livemode"] = false;
        json["locale"] = s.Locale;
        json["metadata"] = ctx.Metadata(s.Metadata);
        json["mode"] = s.Mode.ToWire();
        json["origin_context"] = null;
        // In subscription mode the payment belongs to the invoice: Stripe leaves the session's payment_intent null.
        json["payment_intent"] = s.Mode == CheckoutMode.Subscription ? null : ctx.Ref(expand, "payment_intent", s.PaymentIntent);
        json["payment_link"] = null;
        json["payment_method_collection"] = s.Mode == CheckoutMode.Payment ? null : "always";
        json["payment_method_configuration_details"] = null;
        json["payment_method_options"] = new JsonObject();
        json["payment_method_types"] = new JsonArray(s.PaymentMethodTypes.Select(t => (JsonNode?)JsonValue.Create(t)).ToArray());
        json["payment_status"] = s.PaymentStatus.ToWire();
        json["permissions"] = null;
        json["phone_number_collection"] = new JsonObject { ["enabled"] = false };
        json["recovered_from"] = null;
        json["saved_payment_method_options"] = null;
        json["setup_intent"] = ctx.Ref(expand, "setup_intent", s.SetupIntent);
        json["shipping_address_collection"] = null;
        json["shipping_cost"] = null;
        json["shipping_options"] = new JsonArray();
        json["status"] = s.Status.ToWire();
        json["submit_type"] = s.SubmitType;
        json["subscription"] = s.Status == CheckoutStatus.Complete ? ctx.Ref(expand, "subscription", s.Subscription) : null;
        json["success_url"] = s.SuccessUrl;
        json["total_details"] = s.Mode == CheckoutMode.Setup ? null
            : new JsonObject { ["amount_discount"] = s.AmountDiscount, ["amount_shipping"] = 0, ["amount_tax"] = 0 };
        json["ui_mode"] = "hosted_page";
        json["url"] = Url(s);
        json["wallet_options"] = null;
        return json;
    }

    /// <summary>The hosted page's address, while the session is open (null afterwards, as Stripe's).</summary>
    public static string? Url(CheckoutSession s) => s.Status == CheckoutStatus.Open ? $"{s.PageBaseUrl}{CheckoutPage.PathPrefix}{s.Id}" : null;

    private static JsonObject InvoiceData() => new()
    {
        ["account_tax_ids"] = null, ["custom_fields"] = null, ["description"] = null, ["footer"] = null, ["issuer"] = null,
        ["metadata"] = new JsonObject(), ["rendering_options"] = null,
    };

    /// <summary>A page of line items as Stripe's list (<c>url</c> is the session's line_items route).</summary>
    public static JsonObject LineItemList(CheckoutSession s, IReadOnlyList<CheckoutLineItem> page, bool hasMore, RenderContext ctx, ExpandNode? itemExpand = null)
    {
        var data = new JsonArray();
        foreach (var li in page) data.Add(Item(li, ctx, itemExpand ?? ExpandNode.None));
        return new JsonObject { ["object"] = "list", ["data"] = data, ["has_more"] = hasMore, ["url"] = $"/v1/checkout/sessions/{s.Id}/line_items" };
    }

    /// <summary>A line item (<c>item</c>); its price is always embedded whole.</summary>
    public static JsonObject Item(CheckoutLineItem li, RenderContext ctx, ExpandNode expand)
    {
        var price = ctx.Tx.Get<Price>(li.Price);
        return new JsonObject
        {
            ["id"] = li.Id,
            ["object"] = "item",
            ["adjustable_quantity"] = li.AdjustableQuantity is not { } a ? null
                : new JsonObject { ["enabled"] = a.Enabled, ["maximum"] = a.Maximum, ["minimum"] = a.Minimum },
            ["amount_discount"] = li.AmountDiscount,
            ["amount_subtotal"] = li.AmountSubtotal,
            ["amount_tax"] = 0,
            ["amount_total"] = li.AmountTotal,
            ["currency"] = li.Currency,
            ["description"] = li.Description,
            ["metadata"] = li.Metadata is null ? null : ctx.Metadata(li.Metadata),
            ["price"] = price is null ? li.Price : ctx.Render(price, expand.Child("price")),
            ["quantity"] = li.Quantity,
        };
    }
}
