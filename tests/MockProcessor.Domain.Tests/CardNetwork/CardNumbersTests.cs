using MockProcessor.Domain.CardNetwork;

namespace MockProcessor.Domain.Tests.CardNetwork;

public class CardNumbersTests
{
    [Theory]
    [InlineData("4242424242424242", true)]
    [InlineData("4242424242424241", false)]
    [InlineData("79927398713", true)]
    [InlineData("79927398710", false)]
    [InlineData("0", true)]
    [InlineData("", false)]
    [InlineData("4242 4242 4242 4242", false)] // not normalized: caller's job
    [InlineData("42424242424242a2", false)]
    public void LuhnValid_follows_the_mod_10_rule(string digits, bool expected) =>
        Assert.Equal(expected, CardNumbers.LuhnValid(digits));

    [Theory]
    [InlineData("4000000000000000", "visa")]
    [InlineData("5100000000000000", "mastercard")]
    [InlineData("5500000000000000", "mastercard")]
    [InlineData("5600000000000000", "unknown")]
    [InlineData("2221000000000000", "mastercard")]
    [InlineData("2720990000000000", "mastercard")]
    [InlineData("2220990000000000", "unknown")]
    [InlineData("2721000000000000", "unknown")]
    [InlineData("340000000000000", "amex")]
    [InlineData("370000000000000", "amex")]
    [InlineData("350000000000000", "unknown")]
    [InlineData("6011000000000000", "discover")]
    [InlineData("6440000000000000", "discover")]
    [InlineData("6490000000000000", "discover")]
    [InlineData("6430000000000000", "unknown")]
    [InlineData("6500000000000000", "discover")]
    [InlineData("30000000000000", "diners")]
    [InlineData("30500000000000", "diners")]
    [InlineData("30600000000000", "unknown")]
    [InlineData("36000000000000", "diners")]
    [InlineData("38000000000000", "diners")]
    [InlineData("39000000000000", "diners")]
    [InlineData("3528000000000000", "jcb")]
    [InlineData("3589000000000000", "jcb")]
    [InlineData("3527000000000000", "unknown")]
    [InlineData("3590000000000000", "unknown")]
    [InlineData("6200000000000000", "unionpay")]
    [InlineData("5062210000000009", "unknown")]
    [InlineData("", "unknown")]
    [InlineData("4", "visa")]
    [InlineData("abc", "unknown")]
    public void BrandOf_uses_IIN_ranges(string number, string brand) =>
        Assert.Equal(brand, CardNumbers.BrandOf(number));

    [Theory]
    [InlineData("378282246310005", "amex", true)]
    [InlineData("3782822463100050", "amex", false)]
    [InlineData("4242424242424242", "visa", true)]
    [InlineData("424242424242424", "visa", false)]
    [InlineData("4222222222222", "visa", true)]
    [InlineData("5555555555554444", "mastercard", true)]
    [InlineData("55555555555544440", "mastercard", false)]
    [InlineData("36227206271667", "diners", true)]
    [InlineData("6205500000000000004", "unionpay", true)]
    [InlineData("62055000000000000040", "unionpay", false)]
    [InlineData("12345678901", "unknown", false)]
    [InlineData("4242-4242-4242-4242", "visa", false)]
    public void ValidLength_depends_on_brand(string number, string brand, bool expected) =>
        Assert.Equal(expected, CardNumbers.ValidLength(number, brand));

    [Theory]
    [InlineData("4242 4242 4242 4242", "4242424242424242")]
    [InlineData("4242-4242-4242-4242", "4242424242424242")]
    [InlineData(" 3782 822463 10005 ", "378282246310005")]
    public void Normalize_strips_spaces_and_dashes(string raw, string expected) =>
        Assert.Equal(expected, CardNumbers.Normalize(raw));

    [Fact]
    public void Fingerprint_is_deterministic_and_differs_between_numbers()
    {
        var a = CardNumbers.Fingerprint("4242424242424242");
        var b = CardNumbers.Fingerprint("4000056655665556");

        Assert.Equal(a, CardNumbers.Fingerprint("4242424242424242"));
        Assert.Equal(a, CardNumbers.Fingerprint("4242 4242 4242 4242"));
        Assert.NotEqual(a, b);
        Assert.Matches("^[0-9A-Za-z]{16}$", a);
        Assert.Matches("^[0-9A-Za-z]{16}$", b);
    }

    [Fact]
    public void Fingerprints_of_every_catalogue_number_are_distinct()
    {
        var numbers = TestCardCatalogue.Default.All.Select(c => c.Number).Distinct().ToList();
        var fingerprints = numbers.Select(CardNumbers.Fingerprint).Distinct().ToList();
        Assert.Equal(numbers.Count, fingerprints.Count);
    }

    [Theory]
    [InlineData("4242424242424242", "4242")]
    [InlineData("378282246310005", "0005")]
    [InlineData("123", "123")]
    public void Last4_is_the_tail(string number, string expected) =>
        Assert.Equal(expected, CardNumbers.Last4(number));
}
