using System.Collections.Immutable;
using MockProcessor.Domain.Common;

namespace MockProcessor.Domain.Products;

public enum ProductType { Good, Service }

/// <summary>A Stripe product (<c>prod_</c>): what is sold; its prices say for how much (docs/products-prices.md).</summary>
public sealed record Product : StripeObject
{
    public override string ObjectType => "product";
    public required string Name { get; init; }
    public bool Active { get; init; } = true;
    public string? Description { get; init; }
    /// <summary>An active price of this product, or null.</summary>
    public string? DefaultPrice { get; init; }
    public IReadOnlyList<string> Images { get; init; } = [];
    /// <summary>The names of the marketing features, in order.</summary>
    public IReadOnlyList<string> MarketingFeatures { get; init; } = [];
    public ImmutableSortedDictionary<string, string> Metadata { get; init; } = Common.Metadata.Empty;
    public bool? Shippable { get; init; }
    public string? StatementDescriptor { get; init; }
    public string? TaxCode { get; init; }
    public string? UnitLabel { get; init; }
    public string? Url { get; init; }
    public ProductType Type { get; init; } = ProductType.Service;
    /// <summary>Unix seconds of the last change (Stripe's <c>updated</c>).</summary>
    public long Updated { get; init; }
    public bool Deleted { get; init; }
}
