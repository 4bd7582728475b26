using System.Globalization;
using MockProcessor.Domain.Money;

namespace MockProcessor.Domain.Reporting;

/// <summary>
/// The CSV dialect of Stripe's reports (docs/reports.md): RFC 4180 quoting, <c>\n</c> line ends, money in major
/// units with the currency's decimals, timestamps <c>YYYY-MM-DD HH:MM:SS</c>. Rows go straight to the writer.
/// </summary>
public sealed class ReportCsv(TextWriter w)
{
    public void Row(IReadOnlyList<string?> fields)
    {
        for (var i = 0; i < fields.Count; i++)
        {
            if (i > 0) w.Write(',');
            Field(fields[i]);
        }
        w.Write('\n');
    }

    private void Field(string? v)
    {
        if (string.IsNullOrEmpty(v)) return;
        if (v.AsSpan().IndexOfAny(",\"\r\n") < 0) { w.Write(v); return; }
        w.Write('"');
        w.Write(v.Replace("\"", "\"\""));
        w.Write('"');
    }

    /// <summary>Minor units → major-unit decimal text without floating point: 1050 usd → "10.50", -59 → "-0.59", 1000 jpy → "1000".</summary>
    public static string Major(long minor, string currency)
    {
        var exp = Currencies.Exponent(currency);
        if (exp == 0) return minor.ToString(CultureInfo.InvariantCulture);
        var pow = exp == 3 ? 1000L : 100L;
        var abs = minor == long.MinValue ? throw new OverflowException() : Math.Abs(minor);
        var text = (abs / pow).ToString(CultureInfo.InvariantCulture) + "." + (abs % pow).ToString(exp == 3 ? "000" : "00", CultureInfo.InvariantCulture);
        return minor < 0 ? "-" + text : text;
    }

    public static string Stamp(long unix, TimeZoneInfo tz)
    {
        var utc = DateTimeOffset.FromUnixTimeSeconds(unix);
        var local = tz == TimeZoneInfo.Utc ? utc : TimeZoneInfo.ConvertTime(utc, tz);
        return local.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
    }

    public static string Date(long unix) => DateTimeOffset.FromUnixTimeSeconds(unix).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
