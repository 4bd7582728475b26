using System.Globalization;

namespace MockProcessor.Domain.Reconciliation;

/// <summary>
/// A reconciliation period <c>[from, to)</c> from what a person types: Unix seconds, or UTC dates. A date given
/// for <c>to</c> includes that whole day (<c>--from 2026-11-01 --to 2026-11-20</c> covers the 20th too).
/// </summary>
public static class Period
{
    public static long? Parse(string text, bool isEnd)
    {
        text = text.Trim();
        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var unix)) return unix;
        if (DateTimeOffset.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var day))
            return day.ToUnixTimeSeconds() + (isEnd ? 86_400 : 0);
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t))
            return t.ToUnixTimeSeconds();
        return null;
    }
}
