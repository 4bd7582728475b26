using System.Net;

namespace MockProcessor.StripeNet.Tests;

/// <summary>ProductService and PriceService: create, default price, lookup keys, list, search, errors. Counterpart of products_prices.test.mjs.</summary>
public sealed class ProductPriceTests(EmulatorTarget target) : StripeTest(target)
{
    [Fact]
    public async Task Product_with_default_price_data_and_expanded_default_price()
    {
        var product = await Client.V1.Products.CreateAsync(new ProductCreateOptions
        {
            Name = "Pro plan",
            Metadata = new() { ["tag"] = Tag },
            MarketingFeatures = [new ProductMarketingFeatureOptions { Name = "Unlimited" }],
            DefaultPriceData = new ProductDefaultPriceDataOptions
            {
                Currency = "usd", UnitAmount = 1500, Recurring = new ProductDefaultPriceDataRecurringOptions { Interval = "month" },
            },
            Expand = ["default_price"],
        });
        product.Name.Should().Be("Pro plan");
        product.MarketingFeatures.Select(f => f.Name).Should().Equal("Unlimited");
        product.DefaultPrice.Should().NotBeNull();
        product.DefaultPrice.UnitAmount.Should().Be(1500);
        product.DefaultPrice.Type.Should().Be("recurring");
        product.DefaultPrice.Recurring.Interval.Should().Be("month");
        product.DefaultPrice.ProductId.Should().Be(product.Id);

        var price = await Client.V1.Prices.GetAsync(product.DefaultPriceId, new PriceGetOptions { Expand = ["product"] });
        price.Product.Name.Should().Be("Pro plan");
    }

    [Fact]
    public async Task Lookup_keys_list_and_transfer()
    {
        var product = await Client.V1.Products.CreateAsync(new ProductCreateOptions { Name = "Basic" });
        var key = $"basic_{Tag}";
        var first = await Client.V1.Prices.CreateAsync(new PriceCreateOptions { Product = product.Id, Currency = "usd", UnitAmount = 900, LookupKey = key });
        var ex = await ExpectStripeErrorAsync(() => Client.V1.Prices.CreateAsync(new PriceCreateOptions
            { Product = product.Id, Currency = "usd", UnitAmount = 1000, LookupKey = key }), HttpStatusCode.BadRequest, "invalid_request_error", param: "lookup_key");
        ex.StripeError.Message.Should().Contain(first.Id);

        var second = await Client.V1.Prices.CreateAsync(new PriceCreateOptions
            { Product = product.Id, Currency = "usd", UnitAmount = 1000, LookupKey = key, TransferLookupKey = true });
        var found = await Client.V1.Prices.ListAsync(new PriceListOptions { LookupKeys = [key] });
        found.Data.Select(p => p.Id).Should().Equal(second.Id);
        (await Client.V1.Prices.GetAsync(first.Id)).LookupKey.Should().BeNull();
    }

    [Fact]
    public async Task Search_products_and_prices()
    {
        var product = await Client.V1.Products.CreateAsync(new ProductCreateOptions { Name = $"Widget {Tag}", Metadata = new() { ["tag"] = Tag } });
        var price = await Client.V1.Prices.CreateAsync(new PriceCreateOptions
            { Product = product.Id, Currency = "eur", UnitAmount = 250, Metadata = new() { ["tag"] = Tag } });
        await EventuallyAsync(async () =>
        {
            var products = await Client.V1.Products.SearchAsync(new ProductSearchOptions { Query = $"metadata['tag']:'{Tag}' AND active:'true'" });
            products.Data.Select(p => p.Id).Should().Equal(product.Id);
            var prices = await Client.V1.Prices.SearchAsync(new PriceSearchOptions { Query = $"metadata['tag']:'{Tag}' AND currency:'eur'" });
            prices.Data.Select(p => p.Id).Should().Equal(price.Id);
        });
    }

    [Fact]
    public async Task Bad_input_gets_Stripe_errors()
    {
        await ExpectStripeErrorAsync(() => Client.V1.Prices.CreateAsync(new PriceCreateOptions { Product = "prod_missing", Currency = "usd", UnitAmount = 1 }),
            HttpStatusCode.NotFound, "invalid_request_error", code: "resource_missing", param: "product");
        var product = await Client.V1.Products.CreateAsync(new ProductCreateOptions { Name = "Errors" });
        await ExpectStripeErrorAsync(() => Client.V1.Prices.CreateAsync(new PriceCreateOptions { Product = product.Id, UnitAmount = 1 }),
            HttpStatusCode.BadRequest, "invalid_request_error", code: "parameter_missing", param: "currency");
        await ExpectStripeErrorAsync(() => Client.V1.Prices.CreateAsync(new PriceCreateOptions
            { Product = product.Id, Currency = "usd", UnitAmount = 1, Recurring = new PriceRecurringOptions { Interval = "month", IntervalCount = 40 } }),
            HttpStatusCode.BadRequest, "invalid_request_error", param: "recurring[interval_count]");
        await Client.V1.Prices.CreateAsync(new PriceCreateOptions { Product = product.Id, Currency = "usd", UnitAmount = 1 });
        var ex = await ExpectStripeErrorAsync(() => Client.V1.Products.DeleteAsync(product.Id), HttpStatusCode.BadRequest, "invalid_request_error");
        ex.StripeError.Message.Should().Contain("user-created prices");
    }
}
