using System.Collections.Frozen;
using System.Globalization;
using MockProcessor.Domain.Errors;

namespace MockProcessor.Domain.Money;

// Stripe's currency rules (STRIPE_BEHAVIOR §10): which codes exist, how many decimals their minor unit
// has, the per-currency minimum charge and the 8-digit maximum. Codes are lowercase ISO 4217, exactly as
// on the wire; callers lowercase user input before asking.
public static class Currencies
{
    public static readonly FrozenSet<string> ZeroDecimal = FrozenSet.Create(StringComparer.Ordinal,
        "bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga", "pyg", "rwf", "ugx", "vnd", "vuv", "xaf", "xof", "xpf");

    // Amounts are in thousandths, but the card networks settle in hundredths: the last digit must be 0.
    public static readonly FrozenSet<string> ThreeDecimal = FrozenSet.Create(StringComparer.Ordinal,
        "bhd", "jod", "kwd", "omr", "tnd");

    // ISK and UGX are sent with two (fake) decimals and must be whole units, i.e. divisible by 100. Stripe's
    // docs also list UGX as zero-decimal; we follow the ×100 rule for both (§10 notes the conflict).
    public static readonly FrozenSet<string> WholeUnitsOnly = FrozenSet.Create(StringComparer.Ordinal, "isk", "ugx");

    // The presentment currencies Stripe lists for card payments (a representative set, not every code
    // Stripe has ever accepted).
    public static readonly FrozenSet<string> Supported = FrozenSet.Create(StringComparer.Ordinal,
        "usd", "aed", "afn", "all", "amd", "ang", "aoa", "ars", "aud", "awg", "azn", "bam", "bbd", "bdt", "bgn",
        "bhd", "bif", "bmd", "bnd", "bob", "brl", "bsd", "bwp", "byn", "bzd", "cad", "cdf", "chf", "clp", "cny",
        "cop", "crc", "cve", "czk", "djf", "dkk", "dop", "dzd", "egp", "etb", "eur", "fjd", "fkp", "gbp", "gel",
        "gip", "gmd", "gnf", "gtq", "gyd", "hkd", "hnl", "htg", "huf", "idr", "ils", "inr", "isk", "jmd", "jod",
        "jpy", "kes", "kgs", "khr", "kmf", "krw", "kwd", "kyd", "kzt", "lak", "lbp", "lkr", "lrd", "lsl", "mad",
        "mdl", "mga", "mkd", "mmk", "mnt", "mop", "mur", "mvr", "mwk", "mxn", "myr", "mzn", "nad", "ngn", "nio",
        "nok", "npr", "nzd", "omr", "pab", "pen", "pgk", "php", "pkr", "pln", "pyg", "qar", "ron", "rsd", "rub",
        "rwf", "sar", "sbd", "scr", "sek", "sgd", "shp", "sle", "sos", "srd", "std", "szl", "thb", "tjs", "tnd",
        "top", "try", "ttd", "twd", "tzs", "uah", "ugx", "uyu", "uzs", "vnd", "vuv", "wst", "xaf", "xcd", "xof",
        "xpf", "yer", "zar", "zmw");

    // §10's table, in minor units of the currency itself.
    private static readonly FrozenDictionary<string, long> MinimumTable = new Dictionary<string, long>
    {
        ["usd"] = 50, ["aed"] = 200, ["aud"] = 50, ["bgn"] = 100, ["brl"] = 50, ["cad"] = 50, ["chf"] = 50,
        ["czk"] = 1500, ["dkk"] = 250, ["eur"] = 50, ["gbp"] = 30, ["hkd"] = 400, ["huf"] = 17500, ["inr"] = 50,
        ["jpy"] = 50, ["mxn"] = 1000, ["myr"] = 200, ["nok"] = 300, ["nzd"] = 50, ["pln"] = 200, ["ron"] = 200,
        ["sek"] = 300, ["sgd"] = 50, ["thb"] = 1000,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    // Currencies outside the table: Stripe's real rule is "the equivalent of $0.50 in the settlement
    // currency", which needs exchange rates we do not have. We accept 50 minor units whatever the
    // exponent (0.50 for two-decimal, 50 units for zero-decimal, 0.050 for three-decimal).
    // Deviation: no FX conversion, so e.g. 50 VND (~$0.002) passes where Stripe would refuse it.
    public const long DefaultMinimum = 50;

    public const long MaxAmount = 99_999_999;          // 8 digits
    public const long MaxAmountIdr = 999_999_999_999;  // IDR allows 12 digits

    public static bool IsSupported(string currency) => Supported.Contains(currency);

    // Digits after the decimal point in the minor unit as sent on the wire (ISK/UGX: 2).
    public static int Exponent(string currency) =>
        WholeUnitsOnly.Contains(currency) ? 2 : ZeroDecimal.Contains(currency) ? 0 : ThreeDecimal.Contains(currency) ? 3 : 2;

    public static long MinimumChargeAmount(string currency) => MinimumTable.GetValueOrDefault(currency, DefaultMinimum);

    public static long MaximumAmount(string currency) => currency == "idr" ? MaxAmountIdr : MaxAmount;

    public static Outcome<string> ValidateCurrency(string currency, string param = "currency") =>
        IsSupported(currency) ? currency : StripeError.InvalidCurrency(currency, Supported.Order(StringComparer.Ordinal), param);

    // Every rule for an amount that becomes a charge: positive, within the digit limit, above the minimum,
    // and representable by the networks (three-decimal last digit 0, ISK/UGX whole units).
    public static Outcome<long> ValidateChargeAmount(long amount, string currency, string param = "amount")
    {
        var currencyCheck = ValidateCurrency(currency);
        if (currencyCheck.IsError) return currencyCheck.Error!;
        var precision = ValidatePrecision(amount, currency, param);
        if (precision.IsError) return precision;
        var minimum = MinimumChargeAmount(currency);
        if (amount < minimum) return StripeError.AmountTooSmall(Format(minimum, currency), currency, param);
        return amount;
    }

    // The rules that also apply to refunds, captures and disputes, which may be below the charge minimum.
    public static Outcome<long> ValidatePrecision(long amount, string currency, string param = "amount")
    {
        if (amount < 1) return StripeError.AmountNotPositive(param);
        var maximum = MaximumAmount(currency);
        if (amount > maximum) return StripeError.AmountTooLarge(Format(maximum, currency), currency, param);
        if (ThreeDecimal.Contains(currency) && amount % 10 != 0) return StripeError.ThreeDecimalLastDigit(currency, param);
        if (WholeUnitsOnly.Contains(currency) && amount % 100 != 0) return StripeError.WholeUnitsRequired(currency, param);
        return amount;
    }

    // How Stripe writes amounts in messages: "$0.50", "£54.45", "¥50", otherwise the bare number
    // ("175.00"). Group separators as Stripe shows them in "Amount must be no more than $999,999.99".
    public static string Format(long amount, string currency)
    {
        var exponent = Exponent(currency);
        var major = amount / (decimal)Pow10(exponent);
        var number = major.ToString("#,0." + new string('0', exponent), CultureInfo.InvariantCulture).TrimEnd('.');
        var sign = amount < 0 ? "-" : "";
        if (sign.Length > 0) number = number.TrimStart('-');
        return sign + Symbol(currency) + number;
    }

    /// <summary>
    /// An amount for a person to read on the emulator's pages: <see cref="Format"/>, with the currency's code after it
    /// unless its symbol is its own ("$20.00", "€42.00", "¥1,200", "12.345 KWD", "$5.00 CAD").
    /// </summary>
    public static string Display(long amount, string currency) =>
        Format(amount, currency) + (OwnsSymbol(currency) ? "" : " " + currency.ToUpperInvariant());

    // "$" is shared by several dollars (USD keeps it bare); every other symbol in the table belongs to one currency.
    private static bool OwnsSymbol(string currency) => Symbol(currency) switch { "" => false, "$" => currency == "usd", _ => true };

    private static string Symbol(string currency) => currency switch
    {
        "usd" or "aud" or "cad" or "nzd" or "sgd" or "hkd" or "mxn" => "$",
        "eur" => "€",
        "gbp" => "£",
        "jpy" => "¥",
        "inr" => "₹",
        _ => "",
    };

    private static long Pow10(int exponent) => exponent switch { 0 => 1, 2 => 100, 3 => 1000, _ => throw new ArgumentOutOfRangeException(nameof(exponent)) };
}
