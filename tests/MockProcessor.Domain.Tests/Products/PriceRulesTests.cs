using MockProcessor.Domain.Products;

namespace MockProcessor.Domain.Tests.Products;

public class PriceRulesTests
{
    private static Price PerUnit(decimal amount, TransformQuantity? tq = null) => new()
    {
        Id = "price_1", AccountId = "acct_1", Created = 0, Product = "prod_1", Currency = "usd", UnitAmount = amount, TransformQuantity = tq,
    };

    private static Price Tiered(TiersMode mode) => new()
    {
        Id = "price_1", AccountId = "acct_1", Created = 0, Product = "prod_1", Currency = "usd", BillingScheme = BillingScheme.Tiered,
        TiersMode = mode, Tiers = [new PriceTier(5, 1000, null), new PriceTier(10, 800, 100), new PriceTier(null, 500, null)],
    };

    [Theory]
    [InlineData(2000, 3, 6000)]
    [InlineData(12.5, 3, 38)] // 37.5 rounds half away from zero
    [InlineData(0, 7, 0)]
    public void Per_unit_amount_times_quantity(decimal unit, long quantity, long expected) =>
        Assert.Equal(expected, PriceRules.AmountFor(PerUnit(unit), quantity));

    [Theory]
    [InlineData(QuantityRounding.Up, 11, 300)]
    [InlineData(QuantityRounding.Down, 11, 200)]
    public void Transform_quantity_divides_then_rounds(QuantityRounding round, long quantity, long expected) =>
        Assert.Equal(expected, PriceRules.AmountFor(PerUnit(100, new TransformQuantity(5, round)), quantity));

    [Theory]
    [InlineData(TiersMode.Volume, 7, 7 * 800 + 100)]
    [InlineData(TiersMode.Volume, 12, 12 * 500)]
    [InlineData(TiersMode.Graduated, 7, 5 * 1000 + 2 * 800 + 100)]
    [InlineData(TiersMode.Graduated, 12, 5 * 1000 + 5 * 800 + 100 + 2 * 500)]
    public void Tiers_by_mode(TiersMode mode, long quantity, long expected) =>
        Assert.Equal(expected, PriceRules.AmountFor(Tiered(mode), quantity));

    [Fact]
    public void Other_currencies_come_from_currency_options()
    {
        var price = PerUnit(1000) with
        {
            CurrencyOptions = System.Collections.Immutable.ImmutableSortedDictionary<string, CurrencyOption>.Empty
                .Add("eur", new CurrencyOption(900, null, null, null)),
        };
        Assert.Equal(1800, PriceRules.AmountFor(price, 2, "eur"));
        Assert.Null(PriceRules.AmountFor(price, 2, "gbp"));
    }

    [Theory]
    [InlineData(RecurringInterval.Month, 36, true)]
    [InlineData(RecurringInterval.Month, 37, false)]
    [InlineData(RecurringInterval.Day, 1095, true)]
    [InlineData(RecurringInterval.Year, 4, false)]
    [InlineData(RecurringInterval.Week, 0, false)]
    public void Interval_count_is_at_most_three_years(RecurringInterval interval, long count, bool ok) =>
        Assert.Equal(ok, !PriceRules.CheckRecurring(new Recurring(interval, count, UsageType.Licensed, null, null)).IsError);

    [Theory]
    [InlineData("2000", "2000")]
    [InlineData("12.50", "12.5")]
    [InlineData("0.000000000001", "0.000000000001")]
    public void Decimal_amounts_are_spelled_without_trailing_zeros(string input, string expected) =>
        Assert.Equal(expected, PriceRules.FormatDecimal(PriceRules.ParseDecimalAmount(input, "unit_amount_decimal").Value));

    [Fact]
    public void More_than_twelve_decimal_places_is_refused() =>
        Assert.True(PriceRules.ParseDecimalAmount("1.0000000000001", "unit_amount_decimal").IsError);
}
