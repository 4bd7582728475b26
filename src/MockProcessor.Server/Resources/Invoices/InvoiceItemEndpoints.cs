using MockProcessor.Domain.Billing;
using MockProcessor.Domain.Common;
using MockProcessor.Domain.Customers;
using MockProcessor.Domain.Errors;
using MockProcessor.Domain.Money;
using MockProcessor.Domain.Products;
using MockProcessor.Server.Resources.Billing;
using MockProcessor.Server.Storage;
using MockProcessor.Server.Wire;

namespace MockProcessor.Server.Resources.Invoices;

/// <summary>
/// <c>/v1/invoiceitems</c> (docs/billing.md): one-off amounts that wait for the customer's next invoice, and the
/// proration items the engine makes. Pending items can be deleted; items on an invoice cannot.
/// </summary>
public static class InvoiceItemEndpoints
{
    private const string Base = "/v1/invoiceitems";

    public static readonly SecondaryIndex<InvoiceItem> ByCustomer = new("invoiceitem", "customer", i => i.Deleted ? null : i.Customer);
    public static readonly SecondaryIndex<InvoiceItem> PendingByCustomer =
        new("invoiceitem", "pending_customer", i => i.Deleted || i.Invoice is not null ? null : i.Customer);
    public static readonly SecondaryIndex<InvoiceItem> ByInvoice = new("invoiceitem", "invoice", i => i.Deleted ? null : i.Invoice);

    public static IEnumerable<ApiRoute> Routes() =>
    [
        new("POST", Base, "invoiceitem", Create)
            { Params = "amount currency customer description discounts metadata period price pricing quantity subscription tax_rates" },
        new("GET", Base, "list:invoiceitem", List) { Params = "created customer ending_before invoice limit pending starting_after" },
        new("GET", Base + "/{id}", "invoiceitem", Retrieve) { Params = "" },
        new("DELETE", Base + "/{id}", "invoiceitem", Delete) { Params = "" },
    ];

    private static InvoiceItem Load(ApiContext c)
    {
        var ii = c.Load<InvoiceItem>(c.Route("id"), "invoiceitem");
        return ii.Deleted ? throw new StripeException(StripeError.ResourceMissing("invoiceitem", ii.Id)) : ii;
    }

    private static ApiResult Create(ApiContext c)
    {
        var p = c.P;
        var customerId = p.RequiredString("customer", 100);
        var customer = c.Tx.Get<Customer>(customerId) is { Deleted: false } cu ? cu
            : throw new StripeException(StripeError.ResourceMissing("customer", customerId, "customer"));
        c = c.AtTime(BillingClock.Now(c, customerId));
        var amount = p.Long("amount", -99_999_999, 99_999_999);
        // Since basil the price goes in pricing[price]; the older top-level price is still read (C37).
        var priceId = p.Object("pricing") is { } pricing ? pricing.String("price", 100) : null;
        priceId ??= p.String("price", 100);
        var quantity = p.Long("quantity", 0, 1_000_000_000) ?? 1;
        var currency = p.String("currency", 3)?.ToLowerInvariant();
        Price? price = null;
        if (amount is not null && priceId is not null) throw new StripeException(StripeError.ParametersExclusive("amount", "pricing[price]"), beforeExecution: true);
        if (priceId is not null)
        {
            price = c.Load<Price>(priceId, "price", "pricing[price]");
            if (price.Recurring is not null) throw new StripeException(StripeError.InvalidValue("pricing[price]", $"The price {priceId} is recurring; an invoice item needs a one-time price."));
            currency ??= price.Currency;
            amount = PriceRules.AmountFor(price, quantity, currency)
                ?? throw new StripeException(StripeError.InvalidValue("pricing[price]", $"The price {priceId} has no amount for {currency}."));
        }
        if (amount is null) throw new StripeException(StripeError.ParameterMissing("amount"), beforeExecution: true);
        if (currency is null) throw new StripeException(StripeError.ParameterMissing("currency"), beforeExecution: true);
        Currencies.ValidateCurrency(currency).OrThrow();
        string? subscription = p.String("subscription", 100);
        if (subscription is not null && (c.Tx.Get<Subscription>(subscription) is not { } sub || sub.Customer != customerId))
            throw new StripeException(StripeError.ResourceMissing("subscription", subscription, "subscription"));
        var period = p.Object("period") is { } per
            ? new BillingPeriod(per.RequiredLong("start", 0, Timestamps.Latest), per.RequiredLong("end", 0, Timestamps.Latest))
            : new BillingPeriod(c.Now, c.Now);
        if (period.End < period.Start) throw new StripeException(StripeError.InvalidValue("period[end]", "period[end] must not be before period[start]."));
        var ii = new InvoiceItem
        {
            Id = c.Ids.Next("ii"), AccountId = c.Account.Id, Created = c.Now, Date = c.Now, Customer = customerId, Amount = amount.Value,
            Currency = currency, Description = p.String("description", 500), Price = price?.Id, Quantity = quantity, Period = period,
            Subscription = subscription, Metadata = p.Metadata(Metadata.Empty), TestClock = customer.TestClock,
            TaxRates = Discounts.Discounting.ReadTaxRates(c, p, "tax_rates") ?? [],
        };
        ii = ii with
        {
            Discounts = Discounts.Discounting.Read(c, p, "discounts", new Discounts.DiscountTarget(customerId, currency) { InvoiceItem = ii.Id, Amount = ii.Amount }) ?? [],
        };
        c.Tx.Put(ii);
        c.Emit("invoiceitem.created", ii);
        return c.Respond(ii);
    }

    private static ApiResult Retrieve(ApiContext c) => c.Respond(Load(c));

    private static ApiResult List(ApiContext c)
    {
        var p = c.P;
        var lp = ListParams.Read(p);
        var customer = p.String("customer", 100);
        var invoice = p.String("invoice", 100);
        var pending = p.Bool("pending");
        var source = invoice is not null ? c.Tx.Find(ByInvoice, invoice)
            : pending == true && customer is not null ? c.Tx.Find(PendingByCustomer, customer)
            : c.Tx.FindOrAll(ByCustomer, customer);
        var (page, more) = Lists.Page(source, lp, ii => !ii.Deleted
            && (customer is null || ii.Customer == customer) && (invoice is null || ii.Invoice == invoice)
            && (pending is null || (ii.Invoice is null) == pending), "invoiceitem");
        return Lists.Render(page, more, Base, c.Render, c.Expand);
    }

    private static ApiResult Delete(ApiContext c)
    {
        var ii = Load(c);
        if (ii.Invoice is not null)
            throw new StripeException(StripeError.InvalidValue("id", $"The invoice item {ii.Id} is on invoice {ii.Invoice} and can no longer be deleted."));
        var deleted = ii with { Deleted = true };
        c.Tx.Put(deleted);
        c.Emit("invoiceitem.deleted", deleted);
        return InvoiceJson.RenderItem(deleted, c.Render, ExpandNode.None);
    }
}
