using MockProcessor.Domain.Money;
using static MockProcessor.Domain.Tests.Support.Fixtures;
using MoneyValue = MockProcessor.Domain.Money.Money;

namespace MockProcessor.Domain.Tests.Money;

public class ValidateChargeAmountTests
{
    [Theory]
    [InlineData(50, "usd")]
    [InlineData(99_999_999, "usd")]
    [InlineData(50, "jpy")]          // zero-decimal: ¥50 is the minimum
    [InlineData(30, "gbp")]
    [InlineData(17_500, "huf")]
    [InlineData(5_120, "kwd")]       // three-decimal ending in 0
    [InlineData(500, "isk")]         // 5 ISK, sent ×100
    [InlineData(999_999_999_999, "idr")]
    [InlineData(50, "vnd")]          // not in the minimum table: 50 minor units
    public void Valid_amounts_are_accepted(long amount, string currency) =>
        Assert.Equal(amount, Ok(Currencies.ValidateChargeAmount(amount, currency)));

    [Theory]
    [InlineData(49, "usd", "amount_too_small", "Amount must be at least $0.50 usd")]
    [InlineData(29, "gbp", "amount_too_small", "Amount must be at least £0.30 gbp")]
    [InlineData(49, "jpy", "amount_too_small", "Amount must be at least ¥50 jpy")]
    [InlineData(17_499, "huf", "amount_too_small", "Amount must be at least 175.00 huf")]
    [InlineData(999, "mxn", "amount_too_small", "Amount must be at least $10.00 mxn")]
    [InlineData(100_000_000, "usd", "amount_too_large", "Amount must be no more than $999,999.99 usd")]
    [InlineData(1_000_000_000_000, "idr", "amount_too_large", null)]
    [InlineData(0, "usd", "parameter_invalid_integer", null)]
    [InlineData(-5, "usd", "parameter_invalid_integer", null)]
    public void Out_of_range_amounts_name_the_limit(long amount, string currency, string code, string? message)
    {
        var error = Err(Currencies.ValidateChargeAmount(amount, currency));
        Assert.Equal(400, error.Status);
        Assert.Equal("invalid_request_error", error.Type);
        Assert.Equal(code, error.Code);
        Assert.Equal("amount", error.Param);
        if (message is not null) Assert.Equal(message, error.Message);
    }

    [Theory]
    [InlineData(5_124, "kwd")]
    [InlineData(1_005, "bhd")]
    [InlineData(550, "isk")]
    [InlineData(150, "ugx")]
    public void Amounts_finer_than_the_networks_settle_are_refused(long amount, string currency)
    {
        var error = Err(Currencies.ValidateChargeAmount(amount, currency));
        Assert.Equal("invalid_request_error", error.Type);
        Assert.Null(error.Code);
        Assert.Equal("amount", error.Param);
    }

    [Fact]
    public void Unknown_currency_is_refused_on_the_currency_param()
    {
        var error = Err(Currencies.ValidateChargeAmount(1000, "xyz"));
        Assert.Equal("currency", error.Param);
        Assert.StartsWith("Invalid currency: xyz.", error.Message);
    }

    [Theory]
    [InlineData("jpy", 0)]
    [InlineData("usd", 2)]
    [InlineData("kwd", 3)]
    [InlineData("isk", 2)]
    [InlineData("ugx", 2)]
    public void Exponent_follows_the_wire_convention(string currency, int exponent) => Assert.Equal(exponent, Currencies.Exponent(currency));

    [Fact]
    public void Every_zero_and_three_decimal_currency_is_supported() =>
        Assert.All(Currencies.ZeroDecimal.Concat(Currencies.ThreeDecimal), c => Assert.True(Currencies.IsSupported(c), c));
}

public class MoneyTests
{
    [Fact]
    public void Same_currency_adds_and_subtracts() =>
        Assert.Equal(new MoneyValue(700, "usd"), new MoneyValue(1000, "usd") + new MoneyValue(200, "usd") - new MoneyValue(500, "usd"));

    [Fact]
    public void Mixed_currencies_are_refused() =>
        Assert.Throws<InvalidOperationException>(() => new MoneyValue(1, "usd") + new MoneyValue(1, "eur"));

    [Fact]
    public void Overflow_is_refused() =>
        Assert.Throws<OverflowException>(() => new MoneyValue(long.MaxValue, "usd") + new MoneyValue(1, "usd"));
}

public class DisplayTests
{
    [Theory]
    [InlineData(2000, "usd", "$20.00")]
    [InlineData(-4500, "usd", "-$45.00")]
    [InlineData(4200, "eur", "€42.00")]
    [InlineData(120000, "jpy", "¥120,000")]
    [InlineData(12345, "kwd", "12.345 KWD")]
    [InlineData(500, "cad", "$5.00 CAD")]
    [InlineData(123456789, "sek", "1,234,567.89 SEK")]
    public void An_amount_reads_in_its_currency_with_the_code_where_the_symbol_is_not_its_own(long amount, string currency, string shown) =>
        Assert.Equal(shown, Currencies.Display(amount, currency));
}
