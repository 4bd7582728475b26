using System.Security.Cryptography;
using System.Text;

namespace MockProcessor.Domain.CardNetwork;

// Pure functions over primary account numbers. Inputs are expected to be normalized (digits only);
// anything else is treated as invalid rather than throwing, because these run on untrusted form values.
public static class CardNumbers
{
    private const string Base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    // Fixed so fingerprints are stable across runs and machines.
    // Deviation: Stripe's fingerprints differ between platforms; ours are the same for every account.
    private static readonly byte[] FingerprintKey = Encoding.ASCII.GetBytes("mockprocessor/card-fingerprint/v1");

    // Card forms accept "4242 4242 4242 4242" and "4242-4242-4242-4242".
    public static string Normalize(string raw)
    {
        var sb = new StringBuilder(raw.Length);
        foreach (var c in raw)
            if (c is not (' ' or '-')) sb.Append(c);
        return sb.ToString();
    }

    public static bool AllDigits(string s) => s.Length > 0 && s.All(char.IsAsciiDigit);

    public static bool LuhnValid(string digits)
    {
        if (!AllDigits(digits)) return false;
        var sum = 0;
        for (int i = digits.Length - 1, pos = 0; i >= 0; i--, pos++)
        {
            var d = digits[i] - '0';
            if (pos % 2 == 1)
            {
                d *= 2;
                if (d > 9) d -= 9;
            }
            sum += d;
        }
        return sum % 10 == 0;
    }

    // Brand from the issuer identification number, using Stripe's card.brand strings. Co-branded cards
    // (Cartes Bancaires, eftpos) cannot be recognised from the IIN; the catalogue says what they report.
    public static string BrandOf(string number)
    {
        if (!AllDigits(number)) return "unknown";
        int Prefix(int n) => number.Length >= n ? int.Parse(number.AsSpan(0, n)) : -1;
        var p2 = Prefix(2);
        var p3 = Prefix(3);
        var p4 = Prefix(4);

        if (number[0] == '4') return "visa";
        if (p2 is >= 51 and <= 55 || p4 is >= 2221 and <= 2720) return "mastercard";
        if (p2 is 34 or 37) return "amex";
        if (p4 == 6011 || p3 is >= 644 and <= 649 || p2 == 65) return "discover";
        if (p3 is >= 300 and <= 305 || p2 is 36 or 38 or 39) return "diners";
        if (p4 is >= 3528 and <= 3589) return "jcb";
        if (p2 == 62) return "unionpay";
        return "unknown";
    }

    public static bool ValidLength(string number, string brand)
    {
        if (!AllDigits(number)) return false;
        var n = number.Length;
        return brand switch
        {
            "amex" => n == 15,
            "visa" => n is 13 or 16 or 19,
            "mastercard" => n == 16,
            "discover" or "jcb" => n is >= 16 and <= 19,
            "diners" => n is >= 14 and <= 19,
            "unionpay" => n is >= 13 and <= 19,
            _ => n is >= 12 and <= 19,
        };
    }

    // Stripe exposes card.fingerprint so merchants can spot the same card across PaymentMethods.
    // HMAC under a fixed key keeps it deterministic without leaking the number.
    public static string Fingerprint(string number)
    {
        var mac = HMACSHA256.HashData(FingerprintKey, Encoding.ASCII.GetBytes(Normalize(number)));
        var chars = new char[16];
        // Reducing each byte mod 62 is slightly biased; irrelevant for an identifier that only needs
        // to be stable and collision-unlikely.
        for (var i = 0; i < chars.Length; i++) chars[i] = Base62[mac[i] % Base62.Length];
        return new string(chars);
    }

    public static string Last4(string number) => number.Length <= 4 ? number : number[^4..];
}
