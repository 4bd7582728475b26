using System.Text.Json.Nodes;
using MockProcessor.Domain.Common;
using MockProcessor.Domain.Customers;
using MockProcessor.Domain.Errors;
using MockProcessor.Server.Storage;
using MockProcessor.Server.Time;
using MockProcessor.Server.Wire;

namespace MockProcessor.Server.Resources.Customers;

/// <summary>
/// Tax IDs (docs/credit-notes.md "Customer tax IDs"): <c>/v1/customers/:id/tax_ids</c>, the top-level <c>/v1/tax_ids</c>
/// (owner <c>customer</c> or <c>self</c>), <c>tax_id_data</c> on customer create, and the test-mode verification timer.
/// </summary>
public static class TaxIdEndpoints
{
    public static readonly SecondaryIndex<TaxId> ByCustomer = new("tax_id", "customer", t => t.Deleted ? null : t.Customer);

    public static IEnumerable<ApiRoute> Routes() =>
    [
        new("POST", "/v1/customers/{id}/tax_ids", "tax_id", CreateForCustomer) { Params = "type value" },
        new("GET", "/v1/customers/{id}/tax_ids", "list:tax_id", ListForCustomer) { Params = "ending_before limit starting_after" },
        new("GET", "/v1/customers/{id}/tax_ids/{txi}", "tax_id", RetrieveForCustomer) { Params = "" },
        new("DELETE", "/v1/customers/{id}/tax_ids/{txi}", "tax_id", DeleteForCustomer) { Params = "" },
        new("POST", "/v1/tax_ids", "tax_id", Create) { Params = "owner type value" },
        new("GET", "/v1/tax_ids", "list:tax_id", List) { Params = "ending_before limit owner starting_after" },
        new("GET", "/v1/tax_ids/{id}", "tax_id", Retrieve) { Params = "" },
        new("DELETE", "/v1/tax_ids/{id}", "tax_id", Delete) { Params = "" },
    ];

    /// <summary>
    /// Adds a tax ID to <paramref name="customer"/> (null: the merchant's own): checks type, format and the per-customer
    /// limit, stores it and emits <c>customer.tax_id.created</c>.
    /// </summary>
    internal static TaxId Add(ApiContext c, Customer? customer, string type, string value, string typeParam = "type", string valueParam = "value")
    {
        if (TaxIdRules.Validate(type, value, typeParam, valueParam) is { } error) throw new StripeException(error);
        if (customer is not null && c.Tx.Find(ByCustomer, customer.Id).Count() >= TaxIdRules.MaxPerCustomer)
            throw new StripeException(new StripeError(400, StripeError.InvalidRequest, "tax_id_limit_reached",
                $"A customer can have at most {TaxIdRules.MaxPerCustomer} tax IDs; delete one of {customer.Id}'s first.", valueParam));
        var taxId = new TaxId
        {
            Id = c.Ids.Next("txi"), AccountId = c.Account.Id, Created = c.Now, Customer = customer?.Id, Type = type, Value = value,
            Country = TaxIdRules.CountryOf(type, value), Verification = TaxIdRules.Initial(type),
        };
        c.Tx.Put(taxId);
        c.Emit("customer.tax_id.created", taxId);
        return taxId;
    }

    /// <summary>A customer's live tax IDs, oldest first, as an invoice records them.</summary>
    internal static System.Collections.Immutable.ImmutableList<Domain.Billing.InvoiceTaxId> CurrentOf(Tx tx, string customer) =>
        [.. tx.Find(ByCustomer, customer).Where(t => !t.Deleted).Reverse().Select(t => new Domain.Billing.InvoiceTaxId(t.Type, t.Value))];

    private static (string Type, string Value) Read(Params p) =>
        (p.String("type", 50) ?? throw new StripeException(StripeError.ParameterMissing("type"), beforeExecution: true),
         p.String("value", 100) ?? throw new StripeException(StripeError.ParameterMissing("value"), beforeExecution: true));

    private static ApiResult CreateForCustomer(ApiContext c)
    {
        var (type, value) = Read(c.P);
        var customer = CustomerEndpoints.LoadLive(c, c.Route("id"));
        return c.Respond(Add(c, customer, type, value));
    }

    private static TaxId LoadOf(ApiContext c, Customer customer, string id) =>
        c.Tx.Get<TaxId>(id) is { Deleted: false } t && t.Customer == customer.Id ? t
            : throw new StripeException(StripeError.ResourceMissing("tax_id", id));

    private static ApiResult RetrieveForCustomer(ApiContext c) =>
        c.Respond(LoadOf(c, CustomerEndpoints.LoadLive(c, c.Route("id")), c.Route("txi")));

    private static ApiResult DeleteForCustomer(ApiContext c) =>
        Remove(c, LoadOf(c, CustomerEndpoints.LoadLive(c, c.Route("id")), c.Route("txi")));

    private static ApiResult ListForCustomer(ApiContext c)
    {
        var customer = CustomerEndpoints.LoadLive(c, c.Route("id"));
        var (page, more) = Lists.Page(c.Tx.Find(ByCustomer, customer.Id), ListParams.Read(c.P, created: false), t => !t.Deleted, "tax_id");
        return Lists.Render(page, more, $"/v1/customers/{customer.Id}/tax_ids", c.Render, c.Expand);
    }

    /// <summary>The owner of a top-level call: a customer, or (null) the merchant itself (<c>self</c>, the default).</summary>
    private static (bool Self, Customer? Customer) Owner(ApiContext c, Params? owner)
    {
        if (owner is null) return (true, null);
        var type = owner.Enum("type", "customer", "self", "account", "application")
            ?? throw new StripeException(StripeError.ParameterMissing("owner[type]"), beforeExecution: true);
        var customerId = owner.String("customer", 100);
        owner.String("account", 100);
        owner.String("customer_account", 100);
        return type switch
        {
            "self" when customerId is null => (true, null),
            "customer" when customerId is not null => (false, CustomerEndpoints.LoadLive(c, customerId)),
            "customer" => throw new StripeException(StripeError.ParameterMissing("owner[customer]"), beforeExecution: true),
            "self" => throw new StripeException(StripeError.InvalidValue("owner[customer]", "owner[customer] goes with owner[type]=customer only."), beforeExecution: true),
            _ => throw new StripeException(StripeError.InvalidValue("owner[type]", $"Tax IDs owned by an {type} are not emulated; use customer or self."), beforeExecution: true),
        };
    }

    private static ApiResult Create(ApiContext c)
    {
        var (type, value) = Read(c.P);
        var (_, customer) = Owner(c, c.P.Object("owner"));
        return c.Respond(Add(c, customer, type, value));
    }

    private static ApiResult List(ApiContext c)
    {
        var (self, customer) = Owner(c, c.P.Object("owner"));
        var source = self ? c.Tx.NewestFirst<TaxId>("tax_id") : c.Tx.Find(ByCustomer, customer!.Id);
        var (page, more) = Lists.Page(source, ListParams.Read(c.P, created: false), t => !t.Deleted && t.Customer == customer?.Id, "tax_id");
        return Lists.Render(page, more, "/v1/tax_ids", c.Render, c.Expand);
    }

    private static TaxId Load(ApiContext c) =>
        c.Tx.Get<TaxId>(c.Route("id")) is { Deleted: false } t ? t : throw new StripeException(StripeError.ResourceMissing("tax_id", c.Route("id")));

    private static ApiResult Retrieve(ApiContext c) => c.Respond(Load(c));

    private static ApiResult Delete(ApiContext c) => Remove(c, Load(c));

    private static ApiResult Remove(ApiContext c, TaxId taxId)
    {
        var deleted = taxId with { Deleted = true };
        c.Tx.Put(deleted);
        c.Emit("customer.tax_id.deleted", deleted);
        return new JsonObject { ["id"] = taxId.Id, ["object"] = "tax_id", ["deleted"] = true };
    }

    public static JsonObject Render(TaxId t, RenderContext ctx, ExpandNode expand)
    {
        var json = new JsonObject
        {
            ["id"] = t.Id,
            ["object"] = "tax_id",
            ["country"] = t.Country,
            ["created"] = t.Created,
            ["customer"] = ctx.Ref(expand, "customer", t.Customer),
            ["customer_account"] = null,
            ["livemode"] = false,
            ["owner"] = t.Customer is null
                ? new JsonObject { ["type"] = "self", ["customer"] = null, ["customer_account"] = null }
                : new JsonObject { ["type"] = "customer", ["customer"] = t.Customer, ["customer_account"] = null },
            ["type"] = t.Type,
            ["value"] = t.Value,
            ["verification"] = new JsonObject
            {
                ["status"] = t.Verification.ToWire(), ["verified_address"] = null, ["verified_name"] = null,
            },
        };
        // An event of a deletion shows the object as it was, marked deleted, as Stripe's customer.tax_id.deleted does.
        if (t.Deleted) json["deleted"] = true;
        return json;
    }
}

/// <summary>
/// Settles a pending verification <see cref="TaxIdRules.VerificationDelaySeconds"/> after creation by the test values
/// (<see cref="TaxIdRules.Outcome"/>), announced with <c>customer.tax_id.updated</c>.
/// </summary>
public sealed class TaxIdVerificationTimer : IObjectTimer
{
    public string ObjectType => "tax_id";

    public long? DueAt(StripeObject obj, Func<string, StripeObject?> get) =>
        obj is TaxId t && TaxIdRules.Outcome(t) is not null ? t.Created + TaxIdRules.VerificationDelaySeconds : null;

    public void Fire(ApiContext c, StripeObject obj)
    {
        var taxId = (TaxId)obj;
        if (TaxIdRules.Outcome(taxId) is { } outcome) c.Change(taxId, taxId with { Verification = outcome }, "customer.tax_id.updated");
    }
}
