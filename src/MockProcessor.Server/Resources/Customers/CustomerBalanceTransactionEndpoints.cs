using System.Collections.Immutable;
using System.Text.Json.Nodes;
using MockProcessor.Domain.Common;
using MockProcessor.Domain.Customers;
using MockProcessor.Domain.Errors;
using MockProcessor.Domain.Money;
using MockProcessor.Server.Storage;
using MockProcessor.Server.Wire;

namespace MockProcessor.Server.Resources.Customers;

/// <summary>
/// <c>/v1/customers/:id/balance_transactions</c> (docs/billing.md): the ledger of a customer's invoice balance. Every
/// change of <c>customer.balance</c> goes through <see cref="Record"/>, which writes the transaction, moves the balance
/// and announces <c>customer.updated</c> in the same unit of work.
/// </summary>
public static class CustomerBalanceTransactionEndpoints
{
    public static readonly SecondaryIndex<CustomerBalanceTransaction> ByCustomer = new("customer_balance_transaction", "customer", t => t.Customer);

    public static IEnumerable<ApiRoute> Routes() =>
    [
        new("POST", "/v1/customers/{id}/balance_transactions", "customer_balance_transaction", Create)
            { Params = "amount currency description metadata" },
        new("GET", "/v1/customers/{id}/balance_transactions", "list:customer_balance_transaction", List)
            { Params = "created ending_before invoice limit starting_after" },
        new("GET", "/v1/customers/{id}/balance_transactions/{txn}", "customer_balance_transaction", Retrieve) { Params = "" },
        new("POST", "/v1/customers/{id}/balance_transactions/{txn}", "customer_balance_transaction", Update)
            { Params = "description metadata" },
    ];

    private static ApiResult Create(ApiContext c)
    {
        var p = c.P;
        var customer = CustomerEndpoints.LoadLive(c, c.Route("id"));
        // A customer on a test clock has its ledger stamped in the clock's time, as its invoices are.
        c = c.AtTime(Billing.BillingClock.Now(c, customer.Id));
        var amount = p.Long("amount", -99_999_999, 99_999_999);
        var currency = p.String("currency", 3)?.ToLowerInvariant();
        var description = p.String("description", 350);
        var metadata = p.Metadata(Metadata.Empty);
        if (amount is null) throw new StripeException(StripeError.ParameterMissing("amount"), beforeExecution: true);
        if (currency is null) throw new StripeException(StripeError.ParameterMissing("currency"), beforeExecution: true);
        Currencies.ValidateCurrency(currency).OrThrow();
        if (amount == 0) throw new StripeException(StripeError.InvalidValue("amount", "The amount of a balance transaction must not be zero."), beforeExecution: true);
        if (CustomerBalanceRules.CheckCurrency(customer, currency) is { } error) throw new StripeException(error, beforeExecution: true);
        var txn = Record(c, customer, amount.Value, currency, "adjustment", description: description, metadata: metadata);
        return c.Respond(txn);
    }

    /// <summary>
    /// Moves <paramref name="customer"/>'s balance by <paramref name="amount"/>: stores the transaction and the customer
    /// (fixing its currency on the first movement) and emits <c>customer.updated</c> with the old balance.
    /// </summary>
    internal static CustomerBalanceTransaction Record(ApiContext c, Customer customer, long amount, string currency, string type,
        string? invoice = null, string? description = null, ImmutableSortedDictionary<string, string>? metadata = null, string? creditNote = null)
    {
        var after = customer with { Balance = customer.Balance + amount, Currency = customer.Currency ?? currency };
        var txn = Write(c, after, amount, type, invoice, description, metadata, creditNote);
        c.Change(customer, after, "customer.updated");
        return txn;
    }

    /// <summary>
    /// Stores the transaction that brought <paramref name="after"/> to its balance, for callers that store and announce
    /// the customer themselves (customer create with <c>balance</c>: <c>initial</c>; update with <c>balance</c>: <c>adjustment</c>).
    /// </summary>
    internal static CustomerBalanceTransaction Write(ApiContext c, Customer after, long amount, string type,
        string? invoice = null, string? description = null, ImmutableSortedDictionary<string, string>? metadata = null, string? creditNote = null)
    {
        var txn = new CustomerBalanceTransaction
        {
            Id = c.Ids.Next("cbtxn"), AccountId = c.Account.Id, Created = c.Now, Customer = after.Id, Amount = amount,
            Currency = after.Currency ?? "usd", EndingBalance = after.Balance, Type = type, Invoice = invoice,
            Description = description, Metadata = metadata ?? Metadata.Empty, CreditNote = creditNote,
        };
        c.Tx.Put(txn);
        return txn;
    }

    private static CustomerBalanceTransaction Load(ApiContext c, Customer customer)
    {
        var id = c.Route("txn");
        return c.Tx.Get<CustomerBalanceTransaction>(id) is { } t && t.Customer == customer.Id ? t
            : throw new StripeException(StripeError.ResourceMissing("customer_balance_transaction", id));
    }

    private static ApiResult Retrieve(ApiContext c) => c.Respond(Load(c, CustomerEndpoints.LoadLive(c, c.Route("id"))));

    private static ApiResult Update(ApiContext c)
    {
        var p = c.P;
        var before = Load(c, CustomerEndpoints.LoadLive(c, c.Route("id")));
        var after = before with { Metadata = p.Metadata(before.Metadata) };
        if (p.StringPatch("description", 350) is { IsSet: true } description) after = after with { Description = description.Value };
        // Stripe announces no customer_balance_transaction.* events: the change is stored silently.
        if (after != before) c.Tx.Put(after);
        return c.Respond(after);
    }

    private static ApiResult List(ApiContext c)
    {
        var customer = CustomerEndpoints.LoadLive(c, c.Route("id"));
        var lp = ListParams.Read(c.P);
        var invoice = c.P.String("invoice", 100);
        var (page, more) = Lists.Page(c.Tx.Find(ByCustomer, customer.Id), lp,
            t => invoice is null || t.Invoice == invoice, "customer_balance_transaction");
        return Lists.Render(page, more, $"/v1/customers/{customer.Id}/balance_transactions", c.Render, c.Expand);
    }

    public static JsonObject Render(CustomerBalanceTransaction t, RenderContext ctx, ExpandNode expand) => new()
    {
        ["id"] = t.Id,
        ["object"] = "customer_balance_transaction",
        ["amount"] = t.Amount,
        ["checkout_session"] = null,
        ["created"] = t.Created,
        ["credit_note"] = ctx.Ref(expand, "credit_note", t.CreditNote),
        ["currency"] = t.Currency,
        ["customer"] = ctx.Ref(expand, "customer", t.Customer),
        ["customer_account"] = null,
        ["description"] = t.Description,
        ["ending_balance"] = t.EndingBalance,
        ["invoice"] = ctx.Ref(expand, "invoice", t.Invoice),
        ["livemode"] = false,
        ["metadata"] = ctx.Metadata(t.Metadata),
        ["type"] = t.Type,
    };
}
