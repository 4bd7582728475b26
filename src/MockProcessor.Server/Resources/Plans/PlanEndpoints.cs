using System.Text.Json.Nodes;
using MockProcessor.Domain.Common;
using MockProcessor.Domain.Errors;
using MockProcessor.Domain.Money;
using MockProcessor.Domain.Products;
using MockProcessor.Server.Resources.Prices;
using MockProcessor.Server.Resources.Products;
using MockProcessor.Server.Wire;

namespace MockProcessor.Server.Resources.Plans;

/// <summary>
/// <c>/v1/plans</c> (docs/credit-notes.md "Plans"): the legacy view of recurring prices. A plan is a <see cref="Price"/>
/// in the one price store (same id, listed by <c>/v1/prices</c>, usable as <c>price</c> or <c>plan</c> on subscription
/// items), and every recurring price is retrievable here. Changes announce both <c>plan.*</c> and <c>price.*</c>.
/// </summary>
public static class PlanEndpoints
{
    private const long MaxAmount = 99_999_999;

    public static IEnumerable<ApiRoute> Routes() =>
    [
        new("POST", "/v1/plans", "plan", Create)
        {
            Params = "active amount amount_decimal billing_scheme currency id interval interval_count metadata meter nickname product tiers tiers_mode transform_usage trial_period_days usage_type",
        },
        new("GET", "/v1/plans", "list:plan", List) { Params = "active created ending_before limit product starting_after" },
        new("GET", "/v1/plans/{id}", "plan", Retrieve) { Params = "" },
        new("POST", "/v1/plans/{id}", "plan", Update) { Params = "active metadata nickname product trial_period_days" },
        new("DELETE", "/v1/plans/{id}", "plan", Delete) { Params = "" },
    ];

    private static StripeException Invalid(string param, string message) => new(StripeError.InvalidValue(param, message));

    private static ApiResult Create(ApiContext c)
    {
        var p = c.P;
        var id = p.String("id", 255);
        if (id is not null && c.Tx.Get<StripeObject>(id) is not null)
            throw new StripeException(StripeError.ResourceAlreadyExists("Plan", "id"));
        var currency = Currencies.ValidateCurrency(p.RequiredString("currency", 3).ToLowerInvariant()).OrThrow();
        var interval = p.Enum<RecurringInterval>("interval") ?? throw new StripeException(StripeError.ParameterMissing("interval"), beforeExecution: true);
        var count = p.Long("interval_count") ?? 1;
        var usage = p.Enum<UsageType>("usage_type") ?? UsageType.Licensed;
        if (usage == UsageType.Metered || p.String("meter", 100) is not null)
            throw Invalid("usage_type", "Metered plans are not emulated (there are no billing meters here); use usage_type=licensed.");
        var scheme = p.Enum<BillingScheme>("billing_scheme") ?? BillingScheme.PerUnit;
        if (scheme == BillingScheme.Tiered || p.ObjectList("tiers") is not null || p.Enum<TiersMode>("tiers_mode") is not null)
            throw Invalid("billing_scheme", "Tiered plans are not emulated through /v1/plans; create a tiered recurring price with /v1/prices instead.");
        if (p.Object("transform_usage") is not null)
            throw Invalid("transform_usage", "transform_usage is not emulated on plans; create a price with transform_quantity instead.");
        var amount = p.Long("amount", 0, MaxAmount);
        var amountText = p.String("amount_decimal", 40);
        if (amount is not null && amountText is not null) throw new StripeException(StripeError.ParametersExclusive("amount", "amount_decimal"));
        decimal? unit = amountText is null ? amount : PriceRules.ParseDecimalAmount(amountText, "amount_decimal").OrThrow();
        if (unit is null) throw new StripeException(StripeError.ParameterMissing("amount"), beforeExecution: true);
        if (unit > MaxAmount) throw Invalid("amount_decimal", $"Invalid amount_decimal: must be at most {MaxAmount}.");
        var recurring = PriceRules.CheckRecurring(new Recurring(interval, count, UsageType.Licensed, null, p.Long("trial_period_days", 0))).OrThrow();
        var nickname = p.String("nickname", 5000);
        var active = p.Bool("active") ?? true;
        var metadata = p.Metadata(Metadata.Empty);
        var productId = p.IsHash("product") ? null : p.String("product", 255);
        var productData = productId is null ? p.Object("product") : null;
        if (productId is null && productData is null) throw new StripeException(StripeError.ParameterMissing("product"), beforeExecution: true);
        if (productId is not null) ProductEndpoints.LoadLive(c, productId, "product");
        else productId = ProductEndpoints.CreateInline(c.WithParams(productData!)).Id;
        var price = new Price
        {
            Id = id ?? c.Ids.Next("price"), AccountId = c.Account.Id, Created = c.Now, Product = productId, Currency = currency,
            Active = active, UnitAmount = unit, Recurring = recurring, Nickname = nickname, Metadata = metadata,
        };
        c.Tx.Put(price);
        c.Emit("plan.created", PlanSnapshot.Of(price));
        c.Emit("price.created", price);
        return PlanJson.Render(price, c.Render, c.Expand);
    }

    /// <summary>A plan: any recurring price of the account that was not deleted through this API.</summary>
    private static Price Load(ApiContext c, string id) =>
        c.Tx.Get<Price>(id) is { Recurring: not null, Deleted: false } price ? price : throw new StripeException(StripeError.ResourceMissing("plan", id));

    private static ApiResult Retrieve(ApiContext c) => PlanJson.Render(Load(c, c.Route("id")), c.Render, c.Expand);

    private static ApiResult Update(ApiContext c)
    {
        var p = c.P;
        var before = Load(c, c.Route("id"));
        var after = before with { Metadata = p.Metadata(before.Metadata) };
        if (p.StringPatch("nickname", 5000) is { IsSet: true } nickname) after = after with { Nickname = nickname.Value };
        if (p.Bool("active") is { } active)
        {
            if (!active && before.Active && c.Tx.Get<Product>(before.Product) is { DefaultPrice: { } dp } && dp == before.Id)
                throw new StripeException(StripeError.DefaultPriceCannotBeArchived());
            after = after with { Active = active };
        }
        if (p.String("product", 255) is { } productId && productId != before.Product)
        {
            ProductEndpoints.LoadLive(c, productId, "product");
            if (c.Tx.Get<Product>(before.Product) is { DefaultPrice: { } dp } && dp == before.Id)
                throw Invalid("product", $"The plan {before.Id} is the default price of its product {before.Product} and cannot move to another product.");
            after = after with { Product = productId };
        }
        if (p.Has("trial_period_days"))
        {
            var days = p.Long("trial_period_days", 0);
            after = after with { Recurring = PriceRules.CheckRecurring(before.Recurring! with { TrialPeriodDays = days }).OrThrow() };
        }
        if (after != before)
        {
            var previous = MockProcessor.Server.Events.PreviousAttributes.Diff(PlanJson.Render(before, c.Render, ExpandNode.None), PlanJson.Render(after, c.Render, ExpandNode.None));
            c.Tx.Put(after);
            c.Emit("plan.updated", PlanSnapshot.Of(after), previous);
            c.Emit("price.updated", after, c.Render.PreviousAttributes(before, after));
        }
        return PlanJson.Render(after, c.Render, c.Expand);
    }

    private static ApiResult Delete(ApiContext c)
    {
        var price = Load(c, c.Route("id"));
        if (c.Tx.Get<Product>(price.Product) is { DefaultPrice: { } dp } && dp == price.Id)
            throw new StripeException(StripeError.DefaultPriceCannotBeArchived());
        var deleted = price with { Deleted = true, Active = false };
        c.Tx.Put(deleted);
        c.Emit("plan.deleted", PlanSnapshot.Of(price));
        c.Emit("price.deleted", price);
        return new JsonObject { ["id"] = price.Id, ["object"] = "plan", ["deleted"] = true };
    }

    private static ApiResult List(ApiContext c)
    {
        var p = c.P;
        var lp = ListParams.Read(p);
        var active = p.Bool("active");
        var product = p.String("product", 255);
        var (page, more) = Lists.Page(c.Tx.FindOrAll(PriceEndpoints.ByProduct, product), lp, pr =>
            pr.Recurring is not null && !pr.Deleted && (active is null || pr.Active == active) && (product is null || pr.Product == product), "price");
        var data = new JsonArray();
        foreach (var pr in page) data.Add(PlanJson.Render(pr, c.Render, c.Expand.Child("data") ?? ExpandNode.None));
        return new JsonObject { ["object"] = "list", ["data"] = data, ["has_more"] = more, ["url"] = "/v1/plans" };
    }
}
