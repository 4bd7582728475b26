using System.Collections.Immutable;
using MockProcessor.Domain.Errors;

namespace MockProcessor.Domain.Common;

/// <summary>Stripe's metadata rules: 50 keys, keys up to 40 characters without brackets, values up to 500; updates merge.</summary>
public static class Metadata
{
    public const int MaxKeys = 50;
    public const int MaxKeyLength = 40;
    public const int MaxValueLength = 500;

    public static ImmutableSortedDictionary<string, string> Empty { get; } = ImmutableSortedDictionary<string, string>.Empty.WithComparers(StringComparer.Ordinal);

    /// <summary>
    /// Applies a metadata parameter to the current set: <paramref name="clearAll"/> (from <c>metadata=</c>)
    /// empties it first, an empty value deletes its key, other values set theirs. Validates the result.
    /// </summary>
    public static Outcome<ImmutableSortedDictionary<string, string>> Apply(
        ImmutableSortedDictionary<string, string> current, IReadOnlyDictionary<string, string>? changes, bool clearAll, string param = "metadata")
    {
        var result = clearAll ? Empty : current;
        if (changes is null) return result;
        foreach (var (key, value) in changes)
        {
            if (key.Length > MaxKeyLength)
                return new StripeError(400, StripeError.InvalidRequest, null,
                    $"Metadata keys can have a maximum length of {MaxKeyLength} characters. The key '{key}' is too long.", $"{param}[{key}]");
            if (value.Length > MaxValueLength)
                return new StripeError(400, StripeError.InvalidRequest, null,
                    $"Metadata values can have a maximum length of {MaxValueLength} characters. The value for key '{key}' is too long.", $"{param}[{key}]");
            result = value.Length == 0 ? result.Remove(key) : result.SetItem(key, value);
        }
        if (result.Count > MaxKeys)
            return new StripeError(400, StripeError.InvalidRequest, null,
                $"Metadata can have a maximum of {MaxKeys} keys.", param);
        return result;
    }
}
