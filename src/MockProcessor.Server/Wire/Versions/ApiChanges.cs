using System.Text.Json.Nodes;
using MockProcessor.Domain.Common;
using MockProcessor.Domain.Refunds;

namespace MockProcessor.Server.Wire.Versions;

/// <summary>A parameter a version removed: from <see cref="ApiChange.Since"/> on, sending it is a 400 with <see cref="Code"/>.</summary>
public sealed record RemovedParameter(string Method, string Route, string Param, string Code, string Replacement);

/// <summary>
/// One breaking change of Stripe's API (numbered as in docs/api-versions.md). Callers at <see cref="Since"/> or later
/// get the canonical (newest) behaviour; older callers get the old one through up to three hooks:
/// <list type="bullet">
/// <item><see cref="Removed"/>: parameters refused from <see cref="Since"/> on (older callers may still send them);</item>
/// <item><see cref="Downgrade"/>: turns the canonical wire object of type <see cref="ObjectType"/> into the old shape;</item>
/// <item>a behaviour gate: the rules ask <see cref="ApiChanges.Predates"/> with the change's id (defaults decided at write
/// time and stored on the object, so later reads at other versions agree).</item>
/// </list>
/// </summary>
public sealed record ApiChange(string Id, ApiVersion Since, string Summary)
{
    public IReadOnlyList<RemovedParameter> Removed { get; init; } = [];
    public string? ObjectType { get; init; }
    public Action<JsonObject, RenderContext>? Downgrade { get; init; }
}

/// <summary>
/// The one table of what changed in which API version, read by the wire layer (<see cref="CheckRequest"/> before a
/// handler runs, <see cref="Render"/> on every answer and event payload) and by the forms (<see cref="Predates"/>).
/// Storage holds only canonical objects; a versioned shape is never persisted.
/// </summary>
public static class ApiChanges
{
    public const string ChargesListOnPaymentIntent = "C17";
    public const string RefundsListOnCharge = "C18";
    public const string AutomaticPaymentMethodsDefault = "C20";
    public const string SetupIntentAutomaticPaymentMethodsDefault = "C22";
    public const string AsyncCaptureDefault = "C24";
    public const string PaymentMethodTypesRemoved = "C58";
    public const string InvoicePaidRemoved = "C30";
    public const string InvoicePaymentIntentMoved = "C31";
    public const string InvoiceSubscriptionMoved = "C35";
    public const string InvoiceLineFieldsMoved = "C36";
    public const string InvoiceItemFieldsMoved = "C37";
    public const string SubscriptionPeriodMoved = "C42";
    public const string SingleDiscountRemoved = "C38";
    public const string TaxAmountsRenamed = "C39";
    public const string DiscountCouponMoved = "C50";

    // C58 names PaymentIntent create/update/confirm and SetupIntent create/update (SetupIntent confirm never took it).
    private static readonly string[] PaymentIntentWrites =
        ["/v1/payment_intents", "/v1/payment_intents/{id}", "/v1/payment_intents/{id}/confirm", "/v1/setup_intents", "/v1/setup_intents/{id}"];

    public static readonly IReadOnlyList<ApiChange> All =
    [
        new(ChargesListOnPaymentIntent, ApiVersions.Known("2022-11-15"),
            "PaymentIntent `charges` (a list) replaced by `latest_charge`; older callers get both")
        {
            ObjectType = "payment_intent", Downgrade = AddChargesList,
        },
        new(RefundsListOnCharge, ApiVersions.Known("2022-11-15"),
            "Charge `refunds` no longer included unless expanded; older callers always get the list")
        {
            ObjectType = "charge", Downgrade = AddRefundsList,
        },
        new(AutomaticPaymentMethodsDefault, ApiVersions.Known("2023-08-16"),
            "A PaymentIntent created with neither payment method types nor automatic_payment_methods gets automatic payment " +
            "methods (confirm then needs return_url unless off_session or allow_redirects=never); older callers get card only"),
        new(SetupIntentAutomaticPaymentMethodsDefault, ApiVersions.Known("2023-08-16"),
            "A SetupIntent created with neither payment method types nor automatic_payment_methods gets automatic payment " +
            "methods (confirm then needs return_url unless allow_redirects=never); older callers get card only"),
        new(AsyncCaptureDefault, ApiVersions.Known("2024-04-10"),
            "A PaymentIntent's capture_method defaults to automatic_async (was automatic); both capture at once"),
        new(InvoicePaidRemoved, ApiVersions.Known("2025-03-31.basil"), "Invoice `paid` removed (status == paid); older callers get it")
        {
            ObjectType = "invoice", Downgrade = (inv, _) => inv["paid"] ??= (string?)inv["status"] == "paid",
        },
        new(InvoicePaymentIntentMoved, ApiVersions.Known("2025-03-31.basil"),
            "Invoice `payment_intent` and `charge` moved to `payments`; older callers get the invoice's PaymentIntent and its latest charge")
        {
            ObjectType = "invoice", Downgrade = AddInvoicePayment,
        },
        new(InvoiceSubscriptionMoved, ApiVersions.Known("2025-03-31.basil"),
            "Invoice `subscription` and `subscription_details` moved under `parent`; older callers get them at the top level")
        {
            ObjectType = "invoice", Downgrade = AddInvoiceSubscription,
        },
        new(InvoiceLineFieldsMoved, ApiVersions.Known("2025-03-31.basil"),
            "Invoice line `type`, `subscription`, `subscription_item`, `invoice_item`, `proration`, `price` moved under `parent`/`pricing`; older callers get them")
        {
            ObjectType = "line_item", Downgrade = AddLineFields,
        },
        new(InvoiceItemFieldsMoved, ApiVersions.Known("2025-03-31.basil"),
            "Invoice item `price`, `subscription`, `subscription_item`, `unit_amount` moved under `pricing`/`parent`; older callers get them")
        {
            ObjectType = "invoiceitem", Downgrade = AddInvoiceItemFields,
        },
        new(SubscriptionPeriodMoved, ApiVersions.Known("2025-03-31.basil"),
            "Subscription `current_period_start`/`_end` moved to its items; older callers get them on the subscription too (all items share the period)")
        {
            ObjectType = "subscription", Downgrade = AddSubscriptionPeriod,
        },
        new(SingleDiscountRemoved, ApiVersions.Known("2025-03-31.basil"),
            "Invoice and subscription `discount` (one object) removed for `discounts`; older callers get the first discount")
        {
            ObjectType = "invoice", Downgrade = AddSingleDiscount,
        },
        new(SingleDiscountRemoved, ApiVersions.Known("2025-03-31.basil"), "(the same change on subscriptions)")
        {
            ObjectType = "subscription", Downgrade = AddSingleDiscount,
        },
        new(TaxAmountsRenamed, ApiVersions.Known("2025-03-31.basil"),
            "Invoice `tax` and `total_tax_amounts` renamed `total_taxes`; older callers get the old fields from the new data")
        {
            ObjectType = "invoice", Downgrade = AddInvoiceTaxAmounts,
        },
        new(TaxAmountsRenamed, ApiVersions.Known("2025-03-31.basil"),
            "(the same change on lines: `tax_amounts`, `tax_rates`, `amount_excluding_tax`)")
        {
            ObjectType = "line_item", Downgrade = AddLineTaxAmounts,
        },
        new(DiscountCouponMoved, ApiVersions.Known("2025-09-30.clover"),
            "Discount `coupon` (the full coupon) moved to `source{type, coupon}`; older callers get `coupon` and no `source`")
        {
            ObjectType = "discount", Downgrade = AddDiscountCoupon,
        },
        new(PaymentMethodTypesRemoved, ApiVersions.Known("2026-09-30.endive"),
            "`payment_method_types` removed from PaymentIntent create/update/confirm, SetupIntent create/update and Checkout Session create; use allowed_payment_method_types or excluded_payment_method_types")
        {
            Removed = [.. PaymentIntentWrites.Append("/v1/checkout/sessions").Select(r => new RemovedParameter("POST", r, "payment_method_types",
                "payment_method_types_no_longer_supported", "`allowed_payment_method_types` or `excluded_payment_method_types`"))],
        },
    ];

    private static readonly Dictionary<string, ApiChange> ById = All.DistinctBy(c => c.Id).ToDictionary(c => c.Id);

    // Downgrades keyed by object type, newest change first (a caller steps back one change at a time).
    private static readonly Dictionary<string, ApiChange[]> DowngradesByType = All
        .Where(c => c.Downgrade is not null)
        .GroupBy(c => c.ObjectType!)
        .ToDictionary(g => g.Key, g => g.OrderByDescending(c => c.Since).ToArray());

    private static readonly ApiVersion NewestDowngrade = All.Where(c => c.Downgrade is not null).Max(c => c.Since);

    /// <summary>True when a caller at <paramref name="version"/> predates change <paramref name="id"/> (gets the old behaviour).</summary>
    public static bool Predates(ApiVersion version, string id) => version.Before(ById[id].Since);

    /// <summary>Refuses, before the handler runs, a parameter that the caller's version no longer has.</summary>
    public static void CheckRequest(string method, string route, FormObject form, ApiVersion version)
    {
        foreach (var change in All)
        {
            if (version.Before(change.Since)) continue;
            foreach (var removed in change.Removed)
                if (removed.Method == method && removed.Route == route && form[removed.Param] is not null)
                    throw new StripeException(
                        Domain.Errors.StripeError.ParameterRemovedAtVersion(removed.Param, removed.Code, version.Name, removed.Replacement),
                        beforeExecution: true);
        }
    }

    /// <summary>
    /// Rewrites a canonical answer (or event payload) into the shape of <paramref name="version"/>, object by object,
    /// at any depth. Events inside are left alone: each is already in the version it was rendered at.
    /// </summary>
    public static void Render(JsonNode? node, ApiVersion version, RenderContext ctx)
    {
        if (node is null || !version.Before(NewestDowngrade)) return;
        Walk(node, version, ctx);
    }

    private static void Walk(JsonNode node, ApiVersion version, RenderContext ctx)
    {
        switch (node)
        {
            case JsonObject obj:
                if (obj["object"] is JsonValue v && v.TryGetValue<string>(out var type))
                {
                    if (type == "event") return;
                    if (DowngradesByType.TryGetValue(type, out var changes))
                        foreach (var change in changes)
                            if (version.Before(change.Since)) change.Downgrade!(obj, ctx);
                }
                foreach (var child in obj.Select(kv => kv.Value).ToList())
                    if (child is not null) Walk(child, version, ctx);
                break;
            case JsonArray arr:
                foreach (var child in arr.ToList())
                    if (child is not null) Walk(child, version, ctx);
                break;
        }
    }

    private static string? IdOf(JsonNode? node) => node switch
    {
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        JsonObject o => o["id"]?.GetValue<string>(),
        _ => null,
    };

    private static JsonObject ListOf(IEnumerable<JsonObject> items, string url)
    {
        var data = new JsonArray();
        foreach (var item in items) data.Add(item);
        return new JsonObject
        {
            ["object"] = "list", ["data"] = data, ["has_more"] = false, ["total_count"] = data.Count, ["url"] = url,
        };
    }

    // C17: the old `charges` list held the PaymentIntent's latest charge, in full.
    private static void AddChargesList(JsonObject pi, RenderContext ctx)
    {
        if (pi.ContainsKey("charges")) return;
        var latest = IdOf(pi["latest_charge"]) is { } id && ctx.Tx.Get<StripeObject>(id) is { } charge ? ctx.Render(charge) : null;
        pi["charges"] = ListOf(latest is null ? [] : [latest], $"/v1/charges?payment_intent={IdOf(pi["id"])}");
    }

    // C18: a charge always carried its refunds, newest first.
    private static void AddRefundsList(JsonObject charge, RenderContext ctx)
    {
        if (charge["refunds"] is JsonObject) return;
        var id = IdOf(charge["id"]);
        var refunds = (id is null ? Enumerable.Empty<Refund>() : ctx.Tx.Find(Resources.Refunds.RefundEndpoints.ByCharge, id)).Select(r => ctx.Render(r));
        charge["refunds"] = ListOf(refunds, $"/v1/charges/{id}/refunds");
    }

    private static Domain.Billing.Invoice? InvoiceOf(JsonObject inv, RenderContext ctx) =>
        IdOf(inv["id"]) is { } id ? ctx.Tx.Get<Domain.Billing.Invoice>(id) : null;

    // C31: the invoice's PaymentIntent (unexpanded) and its latest charge.
    private static void AddInvoicePayment(JsonObject inv, RenderContext ctx)
    {
        if (inv.ContainsKey("payment_intent")) return;
        var record = InvoiceOf(inv, ctx);
        var pi = record?.PaymentIntent is { } piId ? ctx.Tx.Get<Domain.PaymentIntents.PaymentIntent>(piId) : null;
        inv["charge"] = pi?.LatestCharge;
        inv["payment_intent"] = pi?.Id;
    }

    // C35: subscription (an id) and subscription_details{metadata} at the top level.
    private static void AddInvoiceSubscription(JsonObject inv, RenderContext ctx)
    {
        if (inv.ContainsKey("subscription")) return;
        var details = inv["parent"]?["subscription_details"] as JsonObject;
        inv["subscription"] = IdOf(details?["subscription"]);
        inv["subscription_details"] = details is null ? null : new JsonObject { ["metadata"] = details["metadata"]?.DeepClone() };
    }

    // C36: a line's type, links, proration flag and price (the full price object) at the top level.
    private static void AddLineFields(JsonObject line, RenderContext ctx)
    {
        if (line.ContainsKey("type")) return;
        var parent = line["parent"] as JsonObject;
        var sid = parent?["subscription_item_details"] as JsonObject;
        var iid = parent?["invoice_item_details"] as JsonObject;
        var details = sid ?? iid;
        line["type"] = sid is not null && sid["invoice_item"] is null ? "subscription" : "invoiceitem";
        line["subscription"] = (string?)details?["subscription"];
        line["subscription_item"] = (string?)sid?["subscription_item"];
        line["invoice_item"] = (string?)details?["invoice_item"];
        line["proration"] = (bool?)details?["proration"] ?? false;
        var priceId = (string?)line["pricing"]?["price_details"]?["price"];
        line["price"] = priceId is not null && ctx.Tx.Get<StripeObject>(priceId) is { } price ? ctx.Render(price) : null;
    }

    // C37: an invoice item's price (full object), unit_amount, subscription and subscription_item at the top level.
    private static void AddInvoiceItemFields(JsonObject ii, RenderContext ctx)
    {
        if (ii.ContainsKey("subscription") || ii["deleted"] is not null) return;
        var details = ii["parent"]?["subscription_details"] as JsonObject;
        ii["subscription"] = (string?)details?["subscription"];
        ii["subscription_item"] = (string?)details?["subscription_item"];
        var priceId = (string?)ii["pricing"]?["price_details"]?["price"];
        ii["price"] = priceId is not null && ctx.Tx.Get<StripeObject>(priceId) is { } price ? ctx.Render(price) : null;
        var quantity = (long?)ii["quantity"] ?? 1;
        ii["unit_amount"] = quantity == 0 ? null : (long?)ii["amount"] / quantity;
    }

    // C42: the subscription's period, from its first item (every item of a subscription shares the billing cycle here).
    private static void AddSubscriptionPeriod(JsonObject sub, RenderContext ctx)
    {
        if (sub.ContainsKey("current_period_end")) return;
        var first = sub["items"]?["data"]?[0];
        sub["current_period_end"] = (long?)first?["current_period_end"];
        sub["current_period_start"] = (long?)first?["current_period_start"];
    }

    // C38: the first discount as the single `discount` object (null without one).
    private static void AddSingleDiscount(JsonObject obj, RenderContext ctx)
    {
        if (obj.ContainsKey("discount")) return;
        var first = obj["discounts"] is JsonArray { Count: > 0 } list ? list[0] : null;
        obj["discount"] = IdOf(first) is { } id && ctx.Tx.Get<Domain.Billing.Discount>(id) is { } d ? ctx.Render(d) : null;
    }

    private static JsonObject OldTaxAmount(JsonNode tax) => new()
    {
        ["amount"] = (long?)tax["amount"],
        ["inclusive"] = (string?)tax["tax_behavior"] == "inclusive",
        ["tax_rate"] = (string?)tax["tax_rate_details"]?["tax_rate"],
        ["taxability_reason"] = (string?)tax["taxability_reason"],
        ["taxable_amount"] = (long?)tax["taxable_amount"],
    };

    // C39: `tax` (all tax amounts, null without tax rates) and `total_tax_amounts`.
    private static void AddInvoiceTaxAmounts(JsonObject inv, RenderContext ctx)
    {
        if (inv.ContainsKey("total_tax_amounts")) return;
        var taxes = (inv["total_taxes"] as JsonArray ?? []).OfType<JsonNode>().ToList();
        inv["tax"] = taxes.Count == 0 ? null : taxes.Sum(t => (long?)t["amount"] ?? 0);
        inv["total_tax_amounts"] = new JsonArray([.. taxes.Select(t => (JsonNode)OldTaxAmount(t))]);
    }

    // C39 on lines: `tax_amounts`, the rates in full (`tax_rates`), `amount_excluding_tax`.
    private static void AddLineTaxAmounts(JsonObject line, RenderContext ctx)
    {
        if (line.ContainsKey("tax_amounts")) return;
        var taxes = (line["taxes"] as JsonArray ?? []).OfType<JsonNode>().ToList();
        line["tax_amounts"] = new JsonArray([.. taxes.Select(t => (JsonNode)OldTaxAmount(t))]);
        line["tax_rates"] = new JsonArray([.. taxes.Select(t => (string?)t["tax_rate_details"]?["tax_rate"]).OfType<string>()
            .Select(id => ctx.Tx.Get<StripeObject>(id)).OfType<StripeObject>().Select(r => (JsonNode)ctx.Render(r))]);
        var inclusive = taxes.Where(t => (string?)t["tax_behavior"] == "inclusive").Sum(t => (long?)t["amount"] ?? 0);
        var discounts = (line["discount_amounts"] as JsonArray ?? []).OfType<JsonNode>().Sum(d => (long?)d["amount"] ?? 0);
        line["amount_excluding_tax"] = ((long?)line["amount"] ?? 0) - discounts - inclusive;
    }

    // C50: the coupon in full as `coupon`, no `source`.
    private static void AddDiscountCoupon(JsonObject di, RenderContext ctx)
    {
        if (di.ContainsKey("coupon")) return;
        var coupon = di["source"]?["coupon"];
        di["coupon"] = coupon is JsonObject full ? full.DeepClone()
            : IdOf(coupon) is { } id && ctx.Tx.Get<StripeObject>(id) is { } c ? ctx.Render(c) : null;
        di.Remove("source");
    }
}
