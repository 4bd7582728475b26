using MockProcessor.Domain.Common;
using MockProcessor.Domain.Errors;
using MockProcessor.Domain.Products;
using MockProcessor.Domain.Search;
using MockProcessor.Server.Resources.Prices;
using MockProcessor.Server.Wire;

namespace MockProcessor.Server.Resources.Products;

public static class ProductEndpoints
{
    public const int MaxImages = 8;
    public const int MaxMarketingFeatures = 15;

    public static IEnumerable<ApiRoute> Routes() =>
    [
        new("POST", "/v1/products", "product", Create)
        {
            Params = "active default_price_data description id images marketing_features metadata name shippable statement_descriptor tax_code type unit_label url",
        },
        new("GET", "/v1/products", "list:product", List)
            { Params = "active created ending_before ids limit shippable starting_after type url" },
        new("GET", "/v1/products/search", "search:product", Search) { Params = "limit page query" },
        new("GET", "/v1/products/{id}", "product", Retrieve) { Params = "" },
        new("POST", "/v1/products/{id}", "product", Update)
        {
            Params = "active default_price description images marketing_features metadata name shippable statement_descriptor tax_code unit_label url",
        },
        new("DELETE", "/v1/products/{id}", "product", Delete) { Params = "" },
    ];

    private static ApiResult Create(ApiContext c)
    {
        var p = c.P;
        var product = New(c);
        product = product with
        {
            Description = p.String("description", 40_000),
            Images = Images(p) ?? [],
            MarketingFeatures = MarketingFeatures(p) ?? [],
            Shippable = p.Bool("shippable"),
            Url = p.String("url", 5000),
            Type = p.Enum<ProductType>("type") ?? ProductType.Service,
        };
        var price = p.Object("default_price_data") is { } data ? PriceEndpoints.NewDefault(c, data, product.Id) : null;
        if (price is not null) product = product with { DefaultPrice = price.Id };
        c.Tx.Put(product);
        c.Emit("product.created", product);
        if (price is not null) PriceEndpoints.Announce(c, price);
        return c.Respond(product);
    }

    /// <summary>A price's <c>product_data</c>: a new product from the few fields Stripe takes there, announced.</summary>
    internal static Product CreateInline(ApiContext c)
    {
        var product = New(c);
        c.Tx.Put(product);
        c.Emit("product.created", product);
        return product;
    }

    // The fields POST /v1/products and a price's product_data share.
    private static Product New(ApiContext c)
    {
        var p = c.P;
        var id = p.String("id", 255);
        if (id is not null && c.Tx.Get<StripeObject>(id) is not null)
            throw new StripeException(StripeError.ResourceAlreadyExists("Product", p.NameOf("id")));
        return new Product
        {
            Id = id ?? c.Ids.Next("prod", 14),
            AccountId = c.Account.Id,
            Created = c.Now,
            Updated = c.Now,
            Name = p.RequiredString("name", 5000),
            Active = p.Bool("active") ?? true,
            Metadata = p.Metadata(Metadata.Empty),
            StatementDescriptor = StatementDescriptor(p),
            TaxCode = p.String("tax_code", 5000),
            UnitLabel = p.String("unit_label", 12),
        };
    }

    internal static Product LoadLive(ApiContext c, string id, string param = "id")
    {
        var product = c.Load<Product>(id, "product", param);
        return product.Deleted ? throw new StripeException(StripeError.ResourceMissing("product", id, param)) : product;
    }

    private static ApiResult Retrieve(ApiContext c) => c.Respond(c.Load<Product>(c.Route("id"), "product"));

    private static ApiResult Update(ApiContext c)
    {
        var p = c.P;
        var before = LoadLive(c, c.Route("id"));
        var after = before with { Metadata = p.Metadata(before.Metadata) };
        if (p.Has("name")) after = after with { Name = p.RequiredString("name", 5000) };
        else p.Accept("name");
        if (p.Bool("active") is { } active) after = after with { Active = active };
        if (p.StringPatch("description", 40_000) is { IsSet: true } description) after = after with { Description = description.Value };
        if (Images(p) is { } images) after = after with { Images = images };
        if (MarketingFeatures(p) is { } features) after = after with { MarketingFeatures = features };
        if (p.Bool("shippable") is { } shippable) after = after with { Shippable = shippable };
        if (p.Has("statement_descriptor")) after = after with { StatementDescriptor = StatementDescriptor(p) };
        else p.Accept("statement_descriptor");
        if (p.StringPatch("tax_code", 5000) is { IsSet: true } taxCode) after = after with { TaxCode = taxCode.Value };
        if (p.StringPatch("unit_label", 12) is { IsSet: true } unitLabel) after = after with { UnitLabel = unitLabel.Value };
        if (p.StringPatch("url", 5000) is { IsSet: true } url) after = after with { Url = url.Value };
        if (p.StringPatch("default_price") is { IsSet: true } dp)
            after = after with { DefaultPrice = dp.Value is null ? null : DefaultPriceFor(c, before, dp.Value) };
        if (after != before) after = after with { Updated = c.Now };
        return c.Update(before, after, "product.updated");
    }

    // Stripe: the default price must be one of this product's prices, and active.
    private static string DefaultPriceFor(ApiContext c, Product product, string priceId)
    {
        var price = c.Load<Price>(priceId, "price", "default_price");
        if (price.Product != product.Id)
            throw new StripeException(StripeError.InvalidValue("default_price",
                $"The price `{priceId}` belongs to product `{price.Product}`, not to `{product.Id}`; a product's default price must be one of its own prices."));
        if (!price.Active)
            throw new StripeException(StripeError.InvalidValue("default_price",
                $"The price `{priceId}` is archived (active=false); only an active price can be a product's default price."));
        return price.Id;
    }

    private static ApiResult Delete(ApiContext c)
    {
        var product = LoadLive(c, c.Route("id"));
        // Stripe refuses while any price, archived or not, belongs to the product; archive it instead.
        // A plan deleted through /v1/plans no longer holds its product (the classic way to remove a product).
        if (c.Tx.Find(Prices.PriceEndpoints.ByProduct, product.Id).Any(pr => !pr.Deleted))
            throw new StripeException(StripeError.ProductHasPrices());
        c.Emit("product.deleted", product);
        c.Tx.Put(product with { Deleted = true });
        return ProductJson.Deleted(product.Id);
    }

    private static ApiResult List(ApiContext c)
    {
        var p = c.P;
        var lp = ListParams.Read(p);
        var active = p.Bool("active");
        var shippable = p.Bool("shippable");
        var url = p.String("url", 5000);
        var type = p.Enum<ProductType>("type");
        var ids = p.StringList("ids")?.ToHashSet(StringComparer.Ordinal);
        var (page, more) = Lists.Page(c.Tx.NewestFirst<Product>("product"), lp, pr =>
            !pr.Deleted && (active is null || pr.Active == active) && (shippable is null || pr.Shippable == shippable)
            && (url is null || pr.Url == url) && (type is null || pr.Type == type) && (ids is null || ids.Contains(pr.Id)), "product");
        return Lists.Render(page, more, "/v1/products", c.Render, c.Expand);
    }

    private static ApiResult Search(ApiContext c) =>
        SearchEndpoint.Run(c, StripeSearchSchemas.Products, "/v1/products/search",
            c.Tx.NewestFirst<Product>("product").Where(pr => !pr.Deleted), pr => new ProductSearchDocument(pr));

    private static List<string>? Images(Params p)
    {
        var images = p.StringList("images");
        if (images is { Count: > MaxImages })
            throw new StripeException(StripeError.InvalidValue("images", $"Invalid images: at most {MaxImages} images are allowed."));
        return images;
    }

    private static List<string>? MarketingFeatures(Params p)
    {
        if (p.ObjectList("marketing_features") is not { } items) return null;
        if (items.Count > MaxMarketingFeatures)
            throw new StripeException(StripeError.InvalidValue("marketing_features", $"Invalid marketing_features: at most {MaxMarketingFeatures} features are allowed."));
        return items.Select(f => f.RequiredString("name", 80)).ToList();
    }

    // Up to 22 characters, at least one letter, none of < > \ " ' (Stripe's statement descriptor rules).
    private static string? StatementDescriptor(Params p)
    {
        var sd = p.String("statement_descriptor", 22);
        if (sd is not null && (sd.IndexOfAny(['<', '>', '\\', '"', '\'']) >= 0 || !sd.Any(char.IsLetter)))
            throw new StripeException(StripeError.InvalidValue(p.NameOf("statement_descriptor"),
                $"Invalid {p.NameOf("statement_descriptor")}: it must contain at least one letter and none of < > \\ \" '."));
        return sd;
    }

    private sealed class ProductSearchDocument(Product pr) : ISearchDocument
    {
        public string? GetString(string field) => field switch
        {
            "active" => pr.Active ? "true" : "false",
            "description" => pr.Description,
            "name" => pr.Name,
            "shippable" => pr.Shippable is { } s ? (s ? "true" : "false") : null,
            "url" => pr.Url,
            _ => null,
        };
        public long? GetNumber(string field) => null;
        public string? GetMetadata(string key) => pr.Metadata.GetValueOrDefault(key);
    }
}
