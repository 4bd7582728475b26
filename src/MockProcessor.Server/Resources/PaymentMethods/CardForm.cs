using System.Globalization;
using MockProcessor.Domain.CardNetwork;
using MockProcessor.Domain.Errors;
using MockProcessor.Domain.PaymentMethods;
using MockProcessor.Server.Wire;

namespace MockProcessor.Server.Resources.PaymentMethods;

/// <summary>
/// Raw card details (<c>card[number]</c>, <c>card[exp_month]</c>, <c>card[exp_year]</c>, <c>card[cvc]</c>) →
/// the <see cref="CardDetails"/> Stripe keeps. The number and CVC go no further than this method.
/// Card-data errors are 402 <c>card_error</c>s named after the card field, as Stripe reports them.
/// </summary>
public static class CardForm
{
    public static CardDetails Read(Params card, long now, bool postalSupplied, bool line1Supplied)
    {
        var rawNumber = card.RequiredString("number", 40);
        var expMonthText = card.RequiredString("exp_month", 4);
        var expYearText = card.RequiredString("exp_year", 6);
        var cvc = card.String("cvc", 8);
        card.Accept("name"); // legacy token field, kept on the token only

        var number = CardNumbers.Normalize(rawNumber);
        if (!CardNumbers.AllDigits(number)) throw Card(StripeError.InvalidNumber());
        var brand = CardNumbers.BrandOf(number);
        if (!CardNumbers.LuhnValid(number) || !CardNumbers.ValidLength(number, brand)) throw Card(StripeError.IncorrectNumber());

        if (!int.TryParse(expMonthText, NumberStyles.None, CultureInfo.InvariantCulture, out var expMonth) || expMonth is < 1 or > 12)
            throw Card(StripeError.InvalidExpiryMonth());
        if (!int.TryParse(expYearText, NumberStyles.None, CultureInfo.InvariantCulture, out var expYear))
            throw Card(StripeError.InvalidExpiryYear());
        if (expYear < 100) expYear += 2000;
        var today = DateTimeOffset.FromUnixTimeSeconds(now).UtcDateTime;
        if (expYear < today.Year || expYear > today.Year + 50) throw Card(StripeError.InvalidExpiryYear());
        if (expYear == today.Year && expMonth < today.Month) throw Card(StripeError.InvalidExpiryMonth());

        var test = TestCardCatalogue.Default.ByNumber(number);
        if (test is null) throw Card(StripeError.LiveCardInTestMode());
        // Any 3 digits pass (4 for Amex); shorter, longer or non-digit codes are invalid_cvc.
        if (cvc is not null && (cvc.Length is < 3 or > 4 || !cvc.All(char.IsAsciiDigit)))
            throw Card(StripeError.InvalidCvc());

        return new CardDetails(
            Brand: test.Brand, DisplayBrand: test.DisplayBrand, Country: test.Country,
            ExpMonth: expMonth, ExpYear: expYear, Fingerprint: CardNumbers.Fingerprint(number), Funding: test.Funding,
            Last4: CardNumbers.Last4(number),
            CvcCheck: cvc is null ? null : "unchecked",
            AddressLine1Check: line1Supplied ? "unchecked" : null,
            AddressPostalCodeCheck: postalSupplied ? "unchecked" : null)
        { TestCardKey = TestCards.KeyForNumber(number) };
    }

    /// <summary>The card a catalogue alias (<c>pm_card_visa</c>, <c>tok_visa</c>) stands for, with a fixed future expiry.</summary>
    public static CardDetails FromAlias(TestCard test, string alias, long now)
    {
        var year = DateTimeOffset.FromUnixTimeSeconds(now).UtcDateTime.Year + 1;
        return new CardDetails(test.Brand, test.DisplayBrand, test.Country, 12, year, CardNumbers.Fingerprint(test.Number),
            test.Funding, test.Last4, "unchecked", null, null) { TestCardKey = TestCards.KeyForAlias(alias) };
    }

    private static StripeException Card(StripeError e) => new(e);
}
