using System.Text.Json.Nodes;
using MockProcessor.Domain.Common;
using MockProcessor.Domain.Customers;
using MockProcessor.Domain.Errors;
using MockProcessor.Domain.PaymentMethods;
using MockProcessor.Domain.Search;
using MockProcessor.Server.Resources.PaymentMethods;
using MockProcessor.Server.Resources.Shared;
using MockProcessor.Server.Wire;

namespace MockProcessor.Server.Resources.Customers;

public static class CustomerEndpoints
{
    /// <summary>Live customers by the test clock they run on.</summary>
    public static readonly Storage.SecondaryIndex<Customer> ByTestClock = new("customer", "test_clock", cu => cu.Deleted ? null : cu.TestClock);

    public static IEnumerable<ApiRoute> Routes() =>
    [
        new("POST", "/v1/customers", "customer", Create)
            { Params = "address balance description email invoice_settings metadata name next_invoice_sequence payment_method phone preferred_locales source tax_id_data test_clock" },
        new("GET", "/v1/customers", "list:customer", List) { Params = "created email ending_before limit starting_after test_clock" },
        new("GET", "/v1/customers/search", "search:customer", Search) { Params = "limit page query" },
        new("GET", "/v1/customers/{id}", "customer", Retrieve) { Params = "" },
        new("POST", "/v1/customers/{id}", "customer", Update)
            { Params = "address balance default_source description email invoice_settings metadata name next_invoice_sequence phone preferred_locales source" },
        new("DELETE", "/v1/customers/{id}", "customer", Delete) { Params = "" },
        new("GET", "/v1/customers/{id}/payment_methods", "list:payment_method", ListPaymentMethods)
            { Params = "allow_redisplay created ending_before limit starting_after type" },
        new("GET", "/v1/customers/{id}/payment_methods/{pm}", "payment_method", RetrievePaymentMethod) { Params = "" },
    ];

    private static ApiResult Create(ApiContext c)
    {
        var p = c.P;
        var metadata = p.Metadata(Metadata.Empty);
        var customer = new Customer
        {
            Id = c.Ids.Next("cus", 14),
            AccountId = c.Account.Id,
            Created = c.Now,
            Email = p.String("email", 512),
            Name = p.String("name", 256),
            Phone = p.String("phone", 20),
            Description = p.String("description", 350),
            Address = AddressForm.Read(p.Object("address")),
            Balance = p.Long("balance", -99_999_999, 99_999_999) ?? 0,
            PreferredLocales = p.StringList("preferred_locales") ?? [],
            Metadata = metadata,
            InvoicePrefix = c.Ids.Chars(8).ToUpperInvariant(),
            NextInvoiceSequence = p.Long("next_invoice_sequence", 1, MaxInvoiceSequence) ?? 1,
            // Bound for life: the customer's time-driven work runs on the clock (docs/time.md).
            TestClock = p.String("test_clock") is { } clock ? TestClocks.TestClockEndpoints.LoadLive(c, clock, "test_clock").Id : null,
        };
        var paymentMethod = p.String("payment_method");
        var defaultPm = p.Object("invoice_settings")?.String("default_payment_method");
        // tax_id_data[n][type|value]: checked before anything is stored, added once the customer exists.
        var taxIds = new List<(string Type, string Value, string Param)>();
        if (p.ObjectList("tax_id_data") is { } taxData)
            for (var n = 0; n < taxData.Count; n++)
            {
                var param = $"tax_id_data[{n}]";
                var type = taxData[n].String("type", 50) ?? throw new StripeException(StripeError.ParameterMissing(param + "[type]"), beforeExecution: true);
                var value = taxData[n].String("value", 100) ?? throw new StripeException(StripeError.ParameterMissing(param + "[value]"), beforeExecution: true);
                if (TaxIdRules.Validate(type, value, param + "[type]", param + "[value]") is { } invalid) throw new StripeException(invalid, beforeExecution: true);
                taxIds.Add((type, value, param));
            }
        // A card-era source (token or raw card hash) is saved to the new customer as its default source; a card the
        // issuer declines fails the whole call (402, thrown), so no customer is created.
        var source = p.Has("source") ? CustomerSourceEndpoints.NewCard(c, p, "source") : null;
        if (source is not null) customer = customer with { DefaultSource = source.Id };
        c.Tx.Put(customer);
        c.Emit("customer.created", customer);
        foreach (var (type, value, param) in taxIds) TaxIdEndpoints.Add(c, customer, type, value, param + "[type]", param + "[value]");
        // An opening balance is recorded as the customer's `initial` balance transaction.
        if (customer.Balance != 0) CustomerBalanceTransactionEndpoints.Write(c, customer, customer.Balance, "initial");
        if (source is not null) CustomerSourceEndpoints.Attach(c, customer, source);
        if (paymentMethod is not null)
        {
            // Stripe attaches the given payment method as part of creating the customer.
            var pm = PaymentMethodEndpoints.Attach(c, paymentMethod, customer.Id, "payment_method");
            if (pm.IsError) return ApiResult.Fail(pm.Error!);
            // Stripe's billing-test recipe names one alias twice (payment_method=pm_card_visa and
            // invoice_settings[default_payment_method]=pm_card_visa): the default is the card just attached,
            // not a second fresh card from the alias.
            if (defaultPm == paymentMethod) defaultPm = pm.Value.Id;
        }
        if (defaultPm is not null)
        {
            customer = SetDefault(c, customer, defaultPm);
            c.Tx.Put(customer);
        }
        return c.Respond(customer);
    }

    private static Customer SetDefault(ApiContext c, Customer customer, string pmId)
    {
        var pm = c.Load<PaymentMethod>(pmId, "PaymentMethod", "invoice_settings[default_payment_method]");
        if (pm.Customer != customer.Id)
            throw new StripeException(StripeError.InvalidValue("invoice_settings[default_payment_method]",
                $"The payment method {pmId} is not attached to customer {customer.Id}; attach it before making it the default."));
        return customer with { DefaultPaymentMethod = pm.Id };
    }

    private static ApiResult Retrieve(ApiContext c)
    {
        var customer = c.Load<Customer>(c.Route("id"), "customer");
        return c.Respond(customer);
    }

    internal static Customer LoadLive(ApiContext c, string id)
    {
        var customer = c.Load<Customer>(id, "customer");
        return customer.Deleted ? throw new StripeException(StripeError.ResourceMissing("customer", id)) : customer;
    }

    /// <summary>The largest <c>next_invoice_sequence</c> taken (invoice numbers are rendered with at least four digits).</summary>
    private const long MaxInvoiceSequence = 999_999_999;

    private static ApiResult Update(ApiContext c)
    {
        var p = c.P;
        var before = LoadLive(c, c.Route("id"));
        var after = before with { Metadata = p.Metadata(before.Metadata) };
        if (p.StringPatch("email", 512) is { IsSet: true } email) after = after with { Email = email.Value };
        if (p.StringPatch("name", 256) is { IsSet: true } name) after = after with { Name = name.Value };
        if (p.StringPatch("phone", 20) is { IsSet: true } phone) after = after with { Phone = phone.Value };
        if (p.StringPatch("description", 350) is { IsSet: true } description) after = after with { Description = description.Value };
        after = after with { Address = AddressForm.Patch(p, "address", after.Address) };
        // Setting the balance directly is recorded as an `adjustment` by the difference (Stripe keeps the ledger whole).
        var newBalance = p.Long("balance", -99_999_999, 99_999_999);
        if (p.StringList("preferred_locales") is { } locales) after = after with { PreferredLocales = locales };
        if (p.Long("next_invoice_sequence", 1, MaxInvoiceSequence) is { } sequence) after = after with { NextInvoiceSequence = sequence };
        if (p.Object("invoice_settings") is { } inv && inv.StringPatch("default_payment_method") is { IsSet: true } dpm)
            after = dpm.Value is null ? after with { DefaultPaymentMethod = null } : SetDefault(c, after, dpm.Value);
        if (p.String("default_source", 500) is { } defaultSource)
            after = after with { DefaultSource = CustomerSourceEndpoints.LoadCard(c, before, defaultSource, "default_source").Id };
        if (p.Has("source"))
        {
            // Stripe's update `source`: the new card becomes the default source and replaces the old default,
            // which is deleted (adding a card without replacing is POST /v1/customers/:id/sources).
            var card = CustomerSourceEndpoints.Attach(c, before, CustomerSourceEndpoints.NewCard(c, p, "source"));
            if (before.DefaultSource is { } old && c.Tx.Get<CardSource>(old) is { Deleted: false } replaced)
                CustomerSourceEndpoints.Remove(c, replaced);
            after = after with { DefaultSource = card.Id };
        }
        if (newBalance is { } nb && nb != before.Balance)
        {
            after = after with { Balance = nb };
            CustomerBalanceTransactionEndpoints.Write(c, after, nb - before.Balance, "adjustment");
        }
        return c.Update(before, after, "customer.updated");
    }

    private static ApiResult Delete(ApiContext c)
    {
        var customer = LoadLive(c, c.Route("id"));
        var deleted = customer with { Deleted = true };
        c.Emit("customer.deleted", customer);
        c.Tx.Put(deleted);
        return CustomerJson.Deleted(customer.Id);
    }

    private static ApiResult List(ApiContext c)
    {
        var lp = ListParams.Read(c.P);
        var email = c.P.String("email", 512);
        // As Stripe: customers on a test clock are listed only when that clock is asked for, and then only they are.
        var clock = c.P.String("test_clock");
        var (page, more) = Lists.Page(c.Tx.NewestFirst<Customer>("customer"), lp,
            cu => !cu.Deleted && cu.TestClock == clock && (email is null || string.Equals(cu.Email, email, StringComparison.Ordinal)), "customer");
        return Lists.Render(page, more, "/v1/customers", c.Render, c.Expand);
    }

    private static ApiResult Search(ApiContext c) =>
        SearchEndpoint.Run(c, StripeSearchSchemas.Customers, "/v1/customers/search",
            c.Tx.NewestFirst<Customer>("customer").Where(cu => !cu.Deleted), cu => new CustomerSearchDocument(cu));

    private static ApiResult ListPaymentMethods(ApiContext c)
    {
        var customer = LoadLive(c, c.Route("id"));
        return PaymentMethodEndpoints.ListFor(c, customer.Id, $"/v1/customers/{customer.Id}/payment_methods");
    }

    private static ApiResult RetrievePaymentMethod(ApiContext c)
    {
        var customer = LoadLive(c, c.Route("id"));
        var pmId = c.Route("pm");
        var pm = c.Tx.Get<PaymentMethod>(pmId);
        if (pm is null || pm.Customer != customer.Id) throw new StripeException(StripeError.ResourceMissing("payment_method", pmId));
        return c.Respond(pm);
    }

    private sealed class CustomerSearchDocument(Customer c) : ISearchDocument
    {
        public string? GetString(string field) => field switch
        {
            "email" => c.Email, "name" => c.Name, "phone" => c.Phone, _ => null,
        };
        public long? GetNumber(string field) => field == "created" ? c.Created : null;
        public string? GetMetadata(string key) => c.Metadata.GetValueOrDefault(key);
    }
}
