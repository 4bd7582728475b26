using System.Collections.Frozen;
using MockProcessor.Domain.Money;

namespace MockProcessor.Domain.Balance;

public sealed record FeeBreakdown(long Total, IReadOnlyList<FeeDetail> Details);

// Stripe's standard card pricing for a US account (stripe.com/pricing, STRIPE_BEHAVIOR §16.3): 2.9% + 30¢
// for domestic cards, +1.5% when the card's country differs from the account's, +1% when the charge
// currency is not the account's settlement currency (usd).
public static class Fees
{
    public const int DomesticBasisPoints = 290;
    public const int InternationalBasisPoints = 150;
    public const int ConversionBasisPoints = 100;
    public const string ProcessingFeeDescription = "Stripe processing fees";

    // The fixed part is "30 US cents or the equivalent". Stripe publishes per-country prices, not an FX
    // rule, so this table is our rounded guess at 30¢ in each currency's minor unit.
    // Deviation: Stripe charges the fee in the settlement currency after conversion (exchange_rate set);
    // we charge it in the presentment currency and leave exchange_rate null.
    private static readonly FrozenDictionary<string, long> FixedFeeTable = new Dictionary<string, long>
    {
        ["usd"] = 30, ["cad"] = 30, ["aud"] = 30, ["nzd"] = 30, ["chf"] = 30, ["sgd"] = 50,
        ["eur"] = 25, ["gbp"] = 20, ["hkd"] = 235, ["sek"] = 300, ["nok"] = 300, ["dkk"] = 200,
        ["pln"] = 100, ["czk"] = 700, ["huf"] = 11000, ["mxn"] = 600, ["brl"] = 150, ["inr"] = 2500,
        ["jpy"] = 50, ["krw"] = 400,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    // Fallback per exponent: 30 hundredths (two-decimal), 50 units (zero-decimal, as JPY), 100 thousandths.
    public static long FixedFee(string currency) =>
        FixedFeeTable.TryGetValue(currency, out var fee) ? fee
        : Currencies.Exponent(currency) switch { 0 => 50, 3 => 100, _ => 30 };

    public static int PercentBasisPoints(string currency, string cardCountry, string accountCountry = "US") =>
        DomesticBasisPoints
        + (string.Equals(cardCountry, accountCountry, StringComparison.OrdinalIgnoreCase) ? 0 : InternationalBasisPoints)
        + (currency == "usd" ? 0 : ConversionBasisPoints);

    public static FeeBreakdown CardProcessing(long amount, string currency, string cardCountry, string accountCountry = "US")
    {
        if (amount < 0) throw new ArgumentOutOfRangeException(nameof(amount), amount, "Fees are computed on captured (positive) amounts.");
        var total = checked(Percent(amount, PercentBasisPoints(currency, cardCountry, accountCountry)) + FixedFee(currency));
        // Three-decimal currencies settle in hundredths, so the fee keeps the last digit 0 like the amount.
        if (Currencies.ThreeDecimal.Contains(currency)) total = RoundHalfUp(total, 10);
        return new(total, [new FeeDetail(total, currency, ProcessingFeeDescription, FeeType.StripeFee)]);
    }

    // Rounding rule: the percentage is computed exactly in integers and rounded half-up (away from zero
    // for these non-negative values) to the minor unit: 0.5 → 1, 0.49 → 0. Stripe does not document its
    // rounding; half-up is the ordinary commercial rule and is what the §16.3 note asks for.
    public static long Percent(long amount, int basisPoints) => checked((amount * basisPoints + 5_000) / 10_000);

    private static long RoundHalfUp(long value, long unit) => (value + unit / 2) / unit * unit;
}
