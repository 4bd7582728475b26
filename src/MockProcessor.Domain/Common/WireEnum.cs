using System.Collections.Frozen;
using System.Text.Json;

namespace MockProcessor.Domain.Common;

// The one mapping between C# enums and Stripe's wire strings: members are named so that snake_case of the
// name is Stripe's value (RequiresPaymentMethod -> requires_payment_method), the same convention the
// test-card catalogue's JSON reader uses. Forms parse with TryParse, JSON writers call ToWire.
public static class WireEnum
{
    public static string ToWire<T>(this T value) where T : struct, Enum =>
        Map<T>.ToWire.TryGetValue(value, out var wire)
            ? wire
            : throw new ArgumentOutOfRangeException(nameof(value), value, $"Not a defined {typeof(T).Name}.");

    public static bool TryParse<T>(string? wire, out T value) where T : struct, Enum
    {
        if (wire is not null && Map<T>.FromWire.TryGetValue(wire, out value)) return true;
        value = default;
        return false;
    }

    public static IReadOnlyList<string> AllWire<T>() where T : struct, Enum => Map<T>.Ordered;

    private static class Map<T> where T : struct, Enum
    {
        public static readonly FrozenDictionary<T, string> ToWire =
            Enum.GetValues<T>().ToFrozenDictionary(v => v, v => JsonNamingPolicy.SnakeCaseLower.ConvertName(v.ToString()));

        // Ordinal: Stripe's enum values are case-sensitive ("Manual" is not "manual").
        public static readonly FrozenDictionary<string, T> FromWire =
            ToWire.ToFrozenDictionary(kv => kv.Value, kv => kv.Key, StringComparer.Ordinal);

        public static readonly IReadOnlyList<string> Ordered = Enum.GetValues<T>().Select(v => ToWire[v]).ToArray();
    }
}
