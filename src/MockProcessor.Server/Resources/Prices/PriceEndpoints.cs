using MockProcessor.Domain.Common;
using MockProcessor.Domain.Errors;
using MockProcessor.Domain.Money;
using MockProcessor.Domain.Products;
using MockProcessor.Domain.Search;
using MockProcessor.Server.Resources.Products;
using MockProcessor.Server.Storage;
using MockProcessor.Server.Wire;

namespace MockProcessor.Server.Resources.Prices;

// Stripe has no DELETE for prices (archive with active=false); DELETE /v1/prices/:id gets the pipeline's answer for a
// method the URL does not take.
public static class PriceEndpoints
{
    /// <summary>Prices by lookup key: a key is unique among an account's prices, so each key holds at most one.</summary>
    public static readonly SecondaryIndex<Price> ByLookupKey = new("price", "lookup_key", pr => pr.LookupKey);
    public static readonly SecondaryIndex<Price> ByProduct = new("price", "product", pr => pr.Product);

    public static IEnumerable<ApiRoute> Routes() =>
    [
        new("POST", "/v1/prices", "price", Create)
        {
            Params = "active billing_scheme currency currency_options custom_unit_amount lookup_key metadata nickname product product_data recurring tax_behavior tiers tiers_mode transfer_lookup_key transform_quantity unit_amount unit_amount_decimal",
        },
        new("GET", "/v1/prices", "list:price", List)
            { Params = "active created currency ending_before limit lookup_keys product recurring starting_after type" },
        new("GET", "/v1/prices/search", "search:price", Search) { Params = "limit page query" },
        new("GET", "/v1/prices/{id}", "price", Retrieve) { Params = "" },
        new("POST", "/v1/prices/{id}", "price", Update)
            { Params = "active currency_options lookup_key metadata nickname tax_behavior transfer_lookup_key" },
    ];

    private static ApiResult Create(ApiContext c)
    {
        var p = c.P;
        var currency = Currencies.ValidateCurrency(p.RequiredString("currency", 3).ToLowerInvariant()).OrThrow();
        var productId = p.String("product");
        var productData = p.Object("product_data");
        if (productId is not null && productData is not null)
            throw new StripeException(StripeError.ParametersExclusive("product", "product_data"));
        if (productId is null && productData is null) throw new StripeException(StripeError.ParameterMissing("product"));
        if (productId is not null) ProductEndpoints.LoadLive(c, productId, "product");
        var seed = new Price
        {
            Id = c.Ids.Next("price"), AccountId = c.Account.Id, Created = c.Now, Currency = currency,
            Product = productId ?? "", Active = p.Bool("active") ?? true,
        };
        var price = PriceForm.Read(p, seed, PriceForm.Shape.Full);
        var lookupKey = p.String("lookup_key", PriceRules.LookupKeyMaxLength);
        var transfer = p.Bool("transfer_lookup_key") ?? false;
        if (productData is not null) price = price with { Product = ProductEndpoints.CreateInline(c.WithParams(productData)).Id };
        if (lookupKey is not null) TakeLookupKey(c, lookupKey, transfer, price.Id);
        price = price with { LookupKey = lookupKey };
        c.Tx.Put(price);
        c.Emit("price.created", price);
        return c.Respond(price);
    }

    /// <summary>
    /// Creates the default price of a new product from its <c>default_price_data</c> (no events: the caller emits
    /// <c>product.created</c> first, then <c>price.created</c> through <see cref="Announce"/>).
    /// </summary>
    internal static Price NewDefault(ApiContext c, Params data, string productId)
    {
        var currency = Currencies.ValidateCurrency(data.RequiredString("currency", 3).ToLowerInvariant(), data.NameOf("currency")).OrThrow();
        var seed = new Price { Id = c.Ids.Next("price"), AccountId = c.Account.Id, Created = c.Now, Currency = currency, Product = productId };
        return PriceForm.Read(data, seed, PriceForm.Shape.Inline);
    }

    internal static void Announce(ApiContext c, Price price)
    {
        c.Tx.Put(price);
        c.Emit("price.created", price);
    }

    private static ApiResult Retrieve(ApiContext c) => c.Respond(c.Load<Price>(c.Route("id"), "price"));

    private static ApiResult Update(ApiContext c)
    {
        var p = c.P;
        var before = c.Load<Price>(c.Route("id"), "price");
        var after = before with { Metadata = p.Metadata(before.Metadata) };
        if (p.Bool("active") is { } active)
        {
            if (!active && before.Active && c.Tx.Get<Product>(before.Product) is { DefaultPrice: { } dp } && dp == before.Id)
                throw new StripeException(StripeError.DefaultPriceCannotBeArchived());
            after = after with { Active = active };
        }
        if (p.StringPatch("nickname", 5000) is { IsSet: true } nickname) after = after with { Nickname = nickname.Value };
        if (p.Enum<TaxBehavior>("tax_behavior") is { } tax && tax != before.TaxBehavior)
        {
            // Stripe: once a price is inclusive or exclusive of tax, that cannot change.
            if (before.TaxBehavior is TaxBehavior.Inclusive or TaxBehavior.Exclusive)
                throw new StripeException(StripeError.InvalidValue("tax_behavior",
                    $"This price's tax_behavior is already `{before.TaxBehavior.Value.ToWire()}` and cannot be changed; create a new price instead."));
            after = after with { TaxBehavior = tax };
        }
        after = after with { CurrencyOptions = PriceForm.ReadCurrencyOptions(p, before.Currency, before.CurrencyOptions) };
        var transfer = p.Bool("transfer_lookup_key") ?? false;
        if (p.StringPatch("lookup_key", PriceRules.LookupKeyMaxLength) is { IsSet: true } key)
        {
            if (key.Value is not null && key.Value != before.LookupKey) TakeLookupKey(c, key.Value, transfer, before.Id);
            after = after with { LookupKey = key.Value };
        }
        return c.Update(before, after, "price.updated");
    }

    /// <summary>
    /// Makes <paramref name="key"/> free for price <paramref name="taker"/>: a price holding it (active or not: Stripe
    /// keeps lookup keys unique across all of an account's prices) loses it when <paramref name="transfer"/> is set
    /// (<c>price.updated</c>), otherwise the call is refused.
    /// </summary>
    private static void TakeLookupKey(ApiContext c, string key, bool transfer, string taker)
    {
        if (ByLookupKeys(c.Tx, [key]).FirstOrDefault() is not { } holder || holder.Id == taker) return;
        if (!transfer) throw new StripeException(StripeError.LookupKeyInUse(holder.Id));
        c.Change(holder, holder with { LookupKey = null }, "price.updated");
    }

    /// <summary>
    /// The acting account's prices holding any of <paramref name="keys"/>, newest first: the one place lookup keys are
    /// resolved, from the <see cref="ByLookupKey"/> index (one key: the index's own listing, which a cursor seeks into).
    /// </summary>
    public static IEnumerable<Price> ByLookupKeys(Tx tx, IReadOnlyCollection<string> keys) =>
        keys.Count == 1 ? tx.Find(ByLookupKey, keys.First())
            : keys.SelectMany(k => tx.Find(ByLookupKey, k)).DistinctBy(pr => pr.Id)
                .OrderByDescending(pr => pr.Created).ThenByDescending(pr => tx.CommittedKey(pr.Id, "price")?.Seq ?? long.MaxValue).ToList();

    private static ApiResult List(ApiContext c)
    {
        var p = c.P;
        var lp = ListParams.Read(p);
        var active = p.Bool("active");
        var currency = p.String("currency", 3)?.ToLowerInvariant();
        var product = p.String("product");
        var type = p.Enum<PriceType>("type");
        var recurring = p.Object("recurring");
        var interval = recurring?.Enum<RecurringInterval>("interval");
        var usage = recurring?.Enum<UsageType>("usage_type");
        var meter = recurring?.String("meter");
        var keys = p.StringList("lookup_keys");
        if (keys is { Count: > 10 })
            throw new StripeException(StripeError.InvalidValue("lookup_keys", "Invalid lookup_keys: at most 10 lookup keys can be given."), beforeExecution: true);
        var source = keys is not null ? ByLookupKeys(c.Tx, keys.ToHashSet(StringComparer.Ordinal)) : c.Tx.FindOrAll(ByProduct, product);
        var (page, more) = Lists.Page(source, lp, pr =>
            (active is null || pr.Active == active) && (currency is null || pr.Currency == currency)
            && (product is null || pr.Product == product) && (type is null || pr.Type == type)
            && (interval is null || pr.Recurring?.Interval == interval) && (usage is null || pr.Recurring?.UsageType == usage)
            && (meter is null || pr.Recurring?.Meter == meter), "price");
        return Lists.Render(page, more, "/v1/prices", c.Render, c.Expand);
    }

    private static ApiResult Search(ApiContext c) =>
        SearchEndpoint.Run(c, StripeSearchSchemas.Prices, "/v1/prices/search", c.Tx.NewestFirst<Price>("price"), pr => new PriceSearchDocument(pr));

    private sealed class PriceSearchDocument(Price pr) : ISearchDocument
    {
        public string? GetString(string field) => field switch
        {
            "active" => pr.Active ? "true" : "false",
            "currency" => pr.Currency,
            "lookup_key" => pr.LookupKey,
            "product" => pr.Product,
            "type" => pr.Type.ToWire(),
            _ => null,
        };
        public long? GetNumber(string field) => null;
        public string? GetMetadata(string key) => pr.Metadata.GetValueOrDefault(key);
    }
}
