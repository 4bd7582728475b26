using System.Collections.Immutable;
using MockProcessor.Domain.Billing;
using MockProcessor.Domain.Common;
using MockProcessor.Domain.Customers;
using MockProcessor.Domain.Errors;
using MockProcessor.Domain.Products;
using MockProcessor.Server.Resources.Billing;
using MockProcessor.Server.Resources.PaymentMethods;
using MockProcessor.Server.Resources.Subscriptions;
using MockProcessor.Server.Storage;
using MockProcessor.Server.Wire;

namespace MockProcessor.Server.Resources.Invoices;

/// <summary><c>/v1/invoices</c> (docs/billing.md): the invoices the billing engine makes, their actions, and the preview.</summary>
public static class InvoiceEndpoints
{
    private const string Base = "/v1/invoices";

    public static readonly SecondaryIndex<Invoice> ByCustomer = new("invoice", "customer", i => i.Deleted ? null : i.Customer);
    public static readonly SecondaryIndex<Invoice> BySubscription = new("invoice", "subscription", i => i.Deleted ? null : i.Subscription);
    /// <summary>Finds an invoice's account from its id alone, for the hosted invoice page (no key).</summary>
    public static readonly LookupIndex<Invoice> ById = new("invoice", "id", i => i.Id);
    public static readonly SecondaryIndex<Invoice> ByPaymentIntent = new("invoice", "payment_intent", i => i.PaymentIntent);

    public static IEnumerable<ApiRoute> Routes() =>
    [
        new("GET", Base, "list:" + InvoiceJson.Object, List) { Params = "collection_method created customer ending_before limit starting_after status subscription" },
        new("POST", Base + "/create_preview", InvoiceJson.Object, Preview) { Params = "currency customer subscription subscription_details" },
        .. InvoiceUpcoming.Routes(),
        new("POST", Base, InvoiceJson.Object, InvoiceOneOff.Create)
            { Params = "auto_advance collection_method currency customer days_until_due default_payment_method default_tax_rates description discounts due_date metadata pending_invoice_items_behavior" },
        new("GET", Base + "/search", "search:" + InvoiceJson.Object, InvoiceOneOff.Search) { Params = "limit page query" },
        new("GET", Base + "/{id}", InvoiceJson.Object, Retrieve) { Params = "" },
        new("POST", Base + "/{id}", InvoiceJson.Object, InvoiceOneOff.Update)
            { Params = "auto_advance collection_method days_until_due default_payment_method default_tax_rates description discounts due_date metadata" },
        new("DELETE", Base + "/{id}", InvoiceJson.Object, InvoiceOneOff.Delete) { Params = "" },
        new("GET", Base + "/{id}/lines", "list:line_item", InvoiceOneOff.ListLines) { Params = "ending_before limit starting_after" },
        new("POST", Base + "/{id}/send", InvoiceJson.Object, InvoiceOneOff.Send) { Params = "" },
        new("POST", Base + "/{id}/finalize", InvoiceJson.Object, Finalize) { Params = "auto_advance" },
        new("POST", Base + "/{id}/pay", InvoiceJson.Object, Pay) { Params = "forgive mandate off_session paid_out_of_band payment_method source" },
        new("POST", Base + "/{id}/void", InvoiceJson.Object, Void) { Params = "" },
        new("POST", Base + "/{id}/mark_uncollectible", InvoiceJson.Object, MarkUncollectible) { Params = "" },
    ];

    internal static Invoice Load(ApiContext c)
    {
        var inv = c.Load<Invoice>(c.Route("id"), "invoice");
        return inv.Deleted ? throw new StripeException(StripeError.ResourceMissing("invoice", inv.Id)) : inv;
    }

    /// <summary>The context at the invoice's customer's billing clock.</summary>
    internal static ApiContext AtClock(ApiContext c, Invoice inv) => c.AtTime(BillingClock.Now(c, inv.Customer));

    private static ApiResult Retrieve(ApiContext c) => c.Respond(Load(c));

    private static ApiResult List(ApiContext c)
    {
        var p = c.P;
        var lp = ListParams.Read(p);
        var customer = p.String("customer", 100);
        var subscription = p.String("subscription", 100);
        var status = p.Enum<InvoiceStatus>("status");
        var collection = p.Enum<CollectionMethod>("collection_method");
        var source = subscription is not null ? c.Tx.Find(BySubscription, subscription) : c.Tx.FindOrAll(ByCustomer, customer);
        var (page, more) = Lists.Page(source, lp, i =>
            !i.Deleted && (customer is null || i.Customer == customer) && (subscription is null || i.Subscription == subscription)
            && (status is null || i.Status == status) && (collection is null || i.CollectionMethod == collection), InvoiceJson.Object);
        return Lists.Render(page, more, Base, c.Render, c.Expand);
    }

    private static ApiResult Finalize(ApiContext c)
    {
        var inv = Load(c);
        var autoAdvance = c.P.Bool("auto_advance");
        c = AtClock(c, inv);
        var open = BillingEngine.Finalize(c, inv, autoAdvance);
        // A finalized invoice that advances automatically and is charged automatically is collected now.
        if (open.Status == InvoiceStatus.Open && open.AutoAdvance && open.CollectionMethod == CollectionMethod.ChargeAutomatically)
            open = BillingEngine.Attempt(c, open, null, automatic: true).Invoice;
        return c.Respond(open);
    }

    private static ApiResult Pay(ApiContext c)
    {
        var inv = Load(c);
        var p = c.P;
        var outOfBand = p.Bool("paid_out_of_band") ?? false;
        var pmId = p.String("payment_method", 100);
        var forgive = p.Bool("forgive");
        p.Bool("off_session");
        p.String("mandate", 100);
        if (p.String("source", 100) is not null) throw new StripeException(StripeError.InvalidValue("source", "Sources are not supported for invoices here; pass payment_method."), beforeExecution: true);
        if (outOfBand && pmId is not null) throw new StripeException(StripeError.ParametersExclusive("paid_out_of_band", "payment_method"), beforeExecution: true);
        c = AtClock(c, inv);
        if (InvoiceRules.Guard(inv, InvoiceAction.Pay) is { } error) throw new StripeException(error);
        if (pmId is not null)
        {
            var pm = PaymentMethodEndpoints.Resolve(c, pmId, "payment_method");
            if (pm.Customer is not null && pm.Customer != inv.Customer)
                throw new StripeException(StripeError.InvalidValue("payment_method", $"The payment method {pmId} belongs to another customer."));
            pmId = pm.Id;
        }
        if (inv.Status == InvoiceStatus.Draft) inv = BillingEngine.Finalize(c, inv);
        if (inv.Status == InvoiceStatus.Paid) return c.Respond(inv);
        if (outOfBand) return c.Respond(BillingEngine.MarkPaid(c, inv, outOfBand: true));
        _ = forgive;
        var payment = BillingEngine.Attempt(c, inv, pmId, automatic: false);
        return payment.Error is { } failure ? ApiResult.Fail(failure) : c.Respond(payment.Invoice);
    }

    private static ApiResult Void(ApiContext c)
    {
        var inv = Load(c);
        return c.Respond(BillingEngine.Void(AtClock(c, inv), inv));
    }

    private static ApiResult MarkUncollectible(ApiContext c)
    {
        var inv = Load(c);
        return c.Respond(BillingEngine.MarkUncollectible(AtClock(c, inv), inv));
    }

    /// <summary>
    /// <c>POST /v1/invoices/create_preview</c>: the next invoice as it would be, stored nowhere and announced to no one.
    /// With <c>subscription_details[items]</c> it shows the change: its prorations at <c>proration_date</c> (default now),
    /// then the next period at the new prices (or, with <c>always_invoice</c>, the invoice the change would bill now).
    /// </summary>
    private static ApiResult Preview(ApiContext c)
    {
        var p = c.P;
        var subId = p.String("subscription", 100);
        var customerId = p.String("customer", 100);
        var currency = p.String("currency", 3)?.ToLowerInvariant();
        var details = p.Object("subscription_details");
        return BuildPreview(c, subId, customerId, currency, details is null ? null
            : new PreviewChange(details.Enum<ProrationBehavior>("proration_behavior"), details.Long("proration_date"), details.ObjectList("items")));
    }

    /// <summary>A proposed subscription change to preview (<c>subscription_details</c>, or the old <c>subscription_*</c> parameters).</summary>
    internal sealed record PreviewChange(ProrationBehavior? ProrationBehavior, long? ProrationDate, List<Params>? Items, string ItemsParam = "subscription_details[items]");

    /// <summary>The preview invoice of <c>create_preview</c> and the old <c>GET /v1/invoices/upcoming</c>, rendered.</summary>
    internal static System.Text.Json.Nodes.JsonObject BuildPreview(ApiContext c, string? subId, string? customerId, string? currency, PreviewChange? details)
    {
        var sub = subId is null ? null : SubscriptionEndpoints.Load(c, subId, "subscription");
        customerId ??= sub?.Customer ?? throw new StripeException(StripeError.ParameterMissing("customer"), beforeExecution: true);
        if (sub is not null && sub.Customer != customerId)
            throw new StripeException(StripeError.InvalidValue("customer", $"The subscription {sub.Id} belongs to another customer."));
        var customer = c.Tx.Get<Customer>(customerId) is { Deleted: false } cu ? cu
            : throw new StripeException(StripeError.ResourceMissing("customer", customerId, "customer"));
        c = c.AtTime(BillingClock.Now(c, customerId));
        var lines = new List<InvoiceLine>();
        var n = 0;
        string LineId() => $"il_tmp_{c.Ids.Chars(16)}{n++:D2}";
        var cur = sub?.Currency ?? currency ?? customer.Currency ?? "usd";
        foreach (var ii in BillingEngine.PendingItems(c, customerId, sub?.Id, cur)) lines.Add(BillingEngine.LineOf(ii, LineId()));
        var reason = BillingReason.Upcoming;
        long periodStart = c.Now, periodEnd = c.Now;
        long? prorationDate = null;
        var behavior = ProrationBehavior.CreateProrations;
        if (sub is not null && !SubscriptionRules.IsTerminal(sub.Status))
        {
            var proposed = sub;
            if (details is not null)
            {
                behavior = details.ProrationBehavior ?? behavior;
                prorationDate = details.ProrationDate;
                if (details.Items is { } items) proposed = sub with { Items = PreviewItems(c, sub, items, details.ItemsParam) };
            }
            var at = prorationDate ?? c.Now;
            if (behavior != ProrationBehavior.None && sub.Status is SubscriptionStatus.Active or SubscriptionStatus.PastDue)
                foreach (var ii in BillingEngine.Prorations(c, sub, proposed, at, store: false)) lines.Add(BillingEngine.LineOf(ii, LineId()) with { InvoiceItem = null });
            if (behavior == ProrationBehavior.AlwaysInvoice)
                (periodStart, periodEnd) = (sub.CurrentPeriodStart, at);
            else
            {
                var start = sub.CurrentPeriodEnd;
                var end = BillingPeriods.NextAfter(sub.PeriodGrid(), sub.Interval, sub.IntervalCount, start);
                foreach (var item in proposed.Items)
                    lines.Add(BillingEngine.PeriodLine(c, proposed, item, new BillingPeriod(start, end), LineId()));
                (periodStart, periodEnd) = (sub.CurrentPeriodStart, start);
            }
        }
        else if (details is not null) throw new StripeException(StripeError.InvalidValue("subscription_details", "subscription_details needs a subscription to preview (new subscriptions are not previewed yet)."));
        var preview = new Invoice
        {
            Id = "upcoming_in_" + c.Ids.Chars(24), AccountId = c.Account.Id, Created = c.Now, Customer = customerId, Currency = cur,
            Status = InvoiceStatus.Draft, BillingReason = reason, Subscription = sub?.Id, Lines = [.. lines],
            PeriodStart = periodStart, PeriodEnd = periodEnd, CollectionMethod = sub?.CollectionMethod ?? CollectionMethod.ChargeAutomatically,
            TestClock = customer.TestClock, StartingBalance = customer.Balance,
        };
        // The discounts that will still apply when that invoice is made, and the subscription's tax rates; nothing is spent.
        if (sub is not null)
        {
            var madeAt = behavior == ProrationBehavior.AlwaysInvoice ? c.Now : sub.CurrentPeriodEnd;
            preview = preview with
            {
                Discounts = [.. sub.Discounts.Where(id => c.Tx.Get<Discount>(id) is { } d && DiscountRules.AppliesAt(d, madeAt))],
                DefaultTaxRates = sub.DefaultTaxRates,
            };
        }
        preview = Discounts.Discounting.Recompute(c, preview);
        var (due, ending) = InvoiceRules.ApplyBalance(InvoiceRules.Total(preview), customer.Balance);
        preview = preview with { AmountDueAtFinalization = due, EndingBalance = ending };
        var json = c.Render.Render(preview, c.Expand);
        // Present only when the preview was asked for a proration date (Stripe.net reads it as a non-nullable date).
        if (prorationDate is not null && json["parent"] is System.Text.Json.Nodes.JsonObject parent && parent["subscription_details"] is System.Text.Json.Nodes.JsonObject sd)
            sd["subscription_proration_date"] = prorationDate;
        return json;
    }

    /// <summary>The items a preview proposes, read like an update's <c>items</c> but creating nothing.</summary>
    private static ImmutableList<SubscriptionItem> PreviewItems(ApiContext c, Subscription sub, List<Params> changes, string itemsParam)
    {
        var items = sub.Items.ToList();
        for (var n = 0; n < changes.Count; n++)
        {
            var ip = changes[n];
            var param = $"{itemsParam}[{n}]";
            var id = ip.String("id", 100);
            var priceId = ip.String("price", 100);
            var quantity = ip.Long("quantity", 0, 1_000_000_000);
            var deleted = ip.Bool("deleted") ?? false;
            Price? price = priceId is null ? null : c.Load<Price>(priceId, "price", param + "[price]");
            if (price is not null && (price.Recurring is null || price.Currency != sub.Currency || price.Recurring.Interval != sub.Interval || price.Recurring.IntervalCount != sub.IntervalCount))
                throw new StripeException(StripeError.InvalidValue(param + "[price]", "Currency and interval fields must match across all prices on a subscription."));
            if (id is not null)
            {
                var index = items.FindIndex(i => i.Id == id);
                if (index < 0) throw new StripeException(StripeError.ResourceMissing("subscription_item", id, param + "[id]"));
                if (deleted) { items.RemoveAt(index); continue; }
                items[index] = price is not null ? items[index] with { Price = price.Id, Quantity = quantity ?? 1 }
                    : quantity is not null ? items[index] with { Quantity = quantity.Value } : items[index];
            }
            else if (price is not null)
                items.Add(new SubscriptionItem
                {
                    Id = $"si_preview_{n}", AccountId = c.Account.Id, Created = c.Now, Subscription = sub.Id, Price = price.Id, Quantity = quantity ?? 1,
                });
            else throw new StripeException(StripeError.ParameterMissing(param + "[price]"), beforeExecution: true);
        }
        return [.. items];
    }
}
