using System.Text.Json.Nodes;
using MockProcessor.Domain.Billing;
using MockProcessor.Domain.Common;
using MockProcessor.Domain.Customers;
using MockProcessor.Domain.Errors;
using MockProcessor.Domain.Search;
using MockProcessor.Server.Resources.Billing;
using MockProcessor.Server.Resources.Discounts;
using MockProcessor.Server.Resources.PaymentMethods;
using MockProcessor.Server.Wire;

namespace MockProcessor.Server.Resources.Invoices;

/// <summary>
/// One-off invoices (docs/billing.md, "One-off invoices"): <c>POST /v1/invoices</c> makes a draft (optionally with the
/// customer's pending invoice items), which can be updated or deleted while a draft, listed line by line, sent (it gets
/// a hosted page, <see cref="InvoicePage"/>) and searched.
/// </summary>
public static class InvoiceOneOff
{
    private const long MaxDaysUntilDue = 36_500;

    public static ApiResult Create(ApiContext c)
    {
        var p = c.P;
        var customerId = p.RequiredString("customer", 100);
        var customer = c.Tx.Get<Customer>(customerId) is { Deleted: false } cu ? cu
            : throw new StripeException(StripeError.ResourceMissing("customer", customerId, "customer"));
        c = c.AtTime(BillingClock.Now(c, customerId));
        var collection = p.Enum<CollectionMethod>("collection_method") ?? CollectionMethod.ChargeAutomatically;
        var daysUntilDue = p.Long("days_until_due", 0, MaxDaysUntilDue);
        var dueDate = p.Long("due_date", 0, Timestamps.Latest);
        CheckDue(collection, daysUntilDue, dueDate, c.Now);
        // Since 2022-08-01 a new invoice leaves pending items alone unless asked (the SDK types' default: exclude).
        var include = p.Enum("pending_invoice_items_behavior", "include", "exclude") == "include";
        var autoAdvance = p.Bool("auto_advance") ?? false;
        var currency = p.String("currency", 3)?.ToLowerInvariant() ?? customer.Currency ?? "usd";
        Domain.Money.Currencies.ValidateCurrency(currency).OrThrow();
        var pm = DefaultPaymentMethod(c, p, customerId);
        var id = c.Ids.Next("in");
        var lines = new List<InvoiceLine>();
        if (include)
            foreach (var ii in BillingEngine.PendingItems(c, customerId, null, currency))
            {
                lines.Add(BillingEngine.LineOf(ii, c.Ids.Next("il")));
                c.Tx.Put(ii with { Invoice = id });
            }
        var inv = new Invoice
        {
            Id = id, AccountId = c.Account.Id, Created = c.Now, Customer = customerId, Currency = currency, Status = InvoiceStatus.Draft,
            BillingReason = BillingReason.Manual, CollectionMethod = collection, Lines = [.. lines], PeriodStart = c.Now, PeriodEnd = c.Now,
            AutoAdvance = autoAdvance, AutomaticallyFinalizesAt = autoAdvance ? c.Now + SubscriptionRules.DraftWindowSeconds : null,
            DaysUntilDue = collection == CollectionMethod.SendInvoice && dueDate is null ? daysUntilDue ?? 30 : null,
            DueDate = dueDate, Description = p.String("description", 1500), Metadata = p.Metadata(Metadata.Empty),
            DefaultPaymentMethod = pm, TestClock = customer.TestClock,
            HostedToken = "tok_" + c.Ids.Chars(32), PageBaseUrl = c.BaseUrl,
            DefaultTaxRates = Discounting.ReadTaxRates(c, p, "default_tax_rates") ?? [],
        };
        inv = inv with
        {
            Discounts = Discounting.Read(c, p, "discounts", new DiscountTarget(customerId, currency) { Invoice = id, Amount = InvoiceRules.Subtotal(inv) }) ?? [],
        };
        inv = Discounting.Recompute(c, inv);
        c.Tx.Put(inv);
        c.Emit("invoice.created", inv);
        return c.Respond(inv);
    }

    public static ApiResult Update(ApiContext c)
    {
        var inv = InvoiceEndpoints.Load(c);
        var p = c.P;
        c = InvoiceEndpoints.AtClock(c, inv);
        var after = inv with { Metadata = p.Metadata(inv.Metadata), Description = p.Has("description") ? p.String("description", 1500) is { Length: > 0 } d ? d : null : inv.Description };
        var draftOnly = new[] { "collection_method", "days_until_due", "due_date", "default_payment_method", "default_tax_rates", "discounts" }.Where(p.Has).ToList();
        var autoAdvance = p.Bool("auto_advance");
        if (draftOnly.Count > 0 && inv.Status != InvoiceStatus.Draft)
            throw new StripeException(new StripeError(400, StripeError.InvalidRequest, "invoice_not_editable",
                $"You can only change {draftOnly[0]} on a draft invoice; {inv.Id} is {inv.Status.ToString().ToLowerInvariant()}.", draftOnly[0]));
        if (inv.Status == InvoiceStatus.Draft)
        {
            var collection = p.Enum<CollectionMethod>("collection_method") ?? inv.CollectionMethod;
            var daysUntilDue = p.Long("days_until_due", 0, MaxDaysUntilDue);
            var dueDate = p.Long("due_date", 0, Timestamps.Latest);
            if (p.Has("collection_method") || daysUntilDue is not null || dueDate is not null) CheckDue(collection, daysUntilDue, dueDate, c.Now);
            var send = collection == CollectionMethod.SendInvoice;
            after = after with
            {
                CollectionMethod = collection,
                DueDate = !send ? null : dueDate ?? (daysUntilDue is not null ? null : inv.DueDate),
                DaysUntilDue = !send ? null : daysUntilDue ?? (dueDate is not null ? null : inv.DaysUntilDue ?? (inv.DueDate is null ? 30 : null)),
                DefaultPaymentMethod = p.Has("default_payment_method") ? DefaultPaymentMethod(c, p, inv.Customer) : inv.DefaultPaymentMethod,
            };
            if (autoAdvance is { } a)
                after = after with { AutoAdvance = a, AutomaticallyFinalizesAt = a ? inv.AutomaticallyFinalizesAt ?? c.Now + SubscriptionRules.DraftWindowSeconds : null };
            if (Discounting.ReadTaxRates(c, p, "default_tax_rates") is { } rates) after = after with { DefaultTaxRates = rates };
            if (Discounting.Read(c, p, "discounts", new DiscountTarget(inv.Customer, inv.Currency) { Invoice = inv.Id, Amount = InvoiceRules.Subtotal(inv) }, inv.Discounts) is { } discounts)
                after = after with { Discounts = discounts };
            after = Discounting.Recompute(c, after);
        }
        else if (autoAdvance is { } a && inv.Status == InvoiceStatus.Open) after = after with { AutoAdvance = a };
        if (after == inv) return c.Respond(inv);
        c.Tx.Put(after);
        c.EmitChange("invoice.updated", inv, after, announceInvisible: false);
        return c.Respond(after);
    }

    /// <summary>Only drafts can be deleted; their invoice items go back to pending [?].</summary>
    public static ApiResult Delete(ApiContext c)
    {
        var inv = InvoiceEndpoints.Load(c);
        if (InvoiceRules.Guard(inv, InvoiceAction.DeleteDraft) is { } error) throw new StripeException(error);
        c = InvoiceEndpoints.AtClock(c, inv);
        foreach (var ii in c.Tx.Find(InvoiceItemEndpoints.ByInvoice, inv.Id).ToList()) c.Tx.Put(ii with { Invoice = null });
        var deleted = inv with { Deleted = true, AutoAdvance = false, AutomaticallyFinalizesAt = null };
        c.Tx.Put(deleted);
        c.Emit("invoice.deleted", deleted);
        return new JsonObject { ["id"] = inv.Id, ["object"] = InvoiceJson.Object, ["deleted"] = true };
    }

    public static ApiResult ListLines(ApiContext c)
    {
        var inv = InvoiceEndpoints.Load(c);
        var p = c.P;
        var limit = p.Long("limit");
        if (limit is < 1 or > 100) throw new StripeException(StripeError.InvalidValue("limit", "Invalid limit: must be between 1 and 100"), beforeExecution: true);
        var after = p.String("starting_after", 100);
        var before = p.String("ending_before", 100);
        if (after is not null && before is not null) throw new StripeException(StripeError.ParametersExclusive("starting_after", "ending_before"), beforeExecution: true);
        var lines = inv.Lines.ToList();
        int Index(string id, string param) => lines.FindIndex(l => l.Id == id) is var i and >= 0 ? i
            : throw new StripeException(StripeError.ResourceMissing("line_item", id, param));
        var take = (int)(limit ?? 10);
        List<InvoiceLine> page;
        bool more;
        if (before is not null)
        {
            var end = Index(before, "ending_before");
            var start = Math.Max(0, end - take);
            page = lines[start..end];
            more = start > 0;
        }
        else
        {
            var start = after is null ? 0 : Index(after, "starting_after") + 1;
            page = lines.Skip(start).Take(take).ToList();
            more = start + take < lines.Count;
        }
        var data = new JsonArray();
        foreach (var line in page) data.Add(InvoiceJson.Line(inv, line, c.Render));
        return new JsonObject { ["object"] = "list", ["data"] = data, ["has_more"] = more, ["url"] = $"/v1/invoices/{inv.Id}/lines" };
    }

    /// <summary>
    /// Records sending a <c>send_invoice</c> invoice (no mail leaves the emulator, as in Stripe's test mode): a draft is
    /// finalized first [?]; <c>invoice.sent</c>; the hosted page is at <c>hosted_invoice_url</c>.
    /// </summary>
    public static ApiResult Send(ApiContext c)
    {
        var inv = InvoiceEndpoints.Load(c);
        c = InvoiceEndpoints.AtClock(c, inv);
        if (inv.CollectionMethod != CollectionMethod.SendInvoice)
            throw new StripeException(new StripeError(400, StripeError.InvalidRequest, "invoice_unexpected_state",
                $"You can only send an invoice whose collection_method is send_invoice; {inv.Id} is charged automatically.", null));
        if (inv.Status == InvoiceStatus.Draft) inv = BillingEngine.Finalize(c, inv);
        if (inv.Status != InvoiceStatus.Open)
            throw new StripeException(new StripeError(400, StripeError.InvalidRequest, "invoice_unexpected_state",
                $"You can only send an open invoice; {inv.Id} is {inv.Status.ToString().ToLowerInvariant()}.", null));
        var sent = inv with { SentAt = c.Now };
        c.Tx.Put(sent);
        c.Emit("invoice.sent", sent);
        return c.Respond(sent);
    }

    public static ApiResult Search(ApiContext c) =>
        SearchEndpoint.Run(c, StripeSearchSchemas.Invoices, "/v1/invoices/search",
            c.Tx.NewestFirst<Invoice>("invoice").Where(i => !i.Deleted), i => new Document(i));

    private static string? DefaultPaymentMethod(ApiContext c, Params p, string customer)
    {
        if (p.String("default_payment_method", 100) is not { Length: > 0 } id) return null;
        var pm = PaymentMethodEndpoints.Resolve(c, id, "default_payment_method");
        if (pm.Customer is not null && pm.Customer != customer)
            throw new StripeException(StripeError.InvalidValue("default_payment_method", $"The payment method {id} belongs to another customer."));
        return pm.Id;
    }

    private static void CheckDue(CollectionMethod collection, long? daysUntilDue, long? dueDate, long now)
    {
        if (collection != CollectionMethod.SendInvoice)
        {
            if (daysUntilDue is not null || dueDate is not null)
                throw new StripeException(StripeError.InvalidValue(daysUntilDue is not null ? "days_until_due" : "due_date",
                    "days_until_due and due_date apply only to invoices with collection_method send_invoice."), beforeExecution: true);
            return;
        }
        if (daysUntilDue is not null && dueDate is not null)
            throw new StripeException(StripeError.ParametersExclusive("days_until_due", "due_date"), beforeExecution: true);
        if (dueDate is { } d && d <= now)
            throw new StripeException(StripeError.InvalidValue("due_date", "due_date must be in the future."));
    }

    private sealed class Document(Invoice inv) : ISearchDocument
    {
        public string? GetString(string field) => field switch
        {
            "currency" => inv.Currency,
            "customer" => inv.Customer,
            "number" => inv.Number,
            "status" => inv.Status.ToWire(),
            "subscription" => inv.Subscription,
            _ => null,
        };

        public long? GetNumber(string field) => field switch
        {
            "created" => inv.Created,
            "total" => InvoiceRules.Total(inv),
            _ => null,
        };

        public string? GetMetadata(string key) => inv.Metadata.GetValueOrDefault(key);
    }
}
