using System.Globalization;

namespace MockProcessor.Domain.Search;

internal enum SearchOperator { Colon, Tilde, Equal, Greater, Less, GreaterOrEqual, LessOrEqual }

// One validated clause. Value null means the keyword null (an absence test); for Number fields
// the parser has already checked that Value is an integer and stored it in Number.
internal sealed record SearchClause(
    bool Negated, string Field, string? MetadataKey, SearchFieldKind Kind, SearchOperator Op, string? Value, long Number)
{
    public bool Matches(ISearchDocument doc) => Test(doc) != Negated;

    private bool Test(ISearchDocument doc)
    {
        if (Kind == SearchFieldKind.Number)
        {
            var n = doc.GetNumber(Field);
            if (Value is null) return n is null;
            if (n is not { } actual) return false;
            return Op switch
            {
                SearchOperator.Greater => actual > Number,
                SearchOperator.Less => actual < Number,
                SearchOperator.GreaterOrEqual => actual >= Number,
                SearchOperator.LessOrEqual => actual <= Number,
                _ => actual == Number,
            };
        }

        var text = Kind == SearchFieldKind.Metadata ? doc.GetMetadata(MetadataKey!) : doc.GetString(Field);
        // Stripe drops metadata keys set to "" and reports empty fields as null, so "" counts as absent.
        if (Value is null) return string.IsNullOrEmpty(text);
        if (string.IsNullOrEmpty(text)) return false;
        if (Op == SearchOperator.Tilde) return text.Contains(Value, StringComparison.OrdinalIgnoreCase);
        if (Kind == SearchFieldKind.String) return ContainsWords(text, Value);
        return string.Equals(text, Value, StringComparison.OrdinalIgnoreCase);
    }

    // Stripe: ':' on a string field matches records containing all the query's words in the same
    // order ("one two" matches "One Two Three"). We read that as a contiguous word run.
    private static bool ContainsWords(string text, string query)
    {
        var needle = Words(query);
        // A value with no words at all ("", "!!!") would match everything; compare it whole instead.
        if (needle.Length == 0) return string.Equals(text.Trim(), query.Trim(), StringComparison.OrdinalIgnoreCase);
        var hay = Words(text);
        for (var start = 0; start + needle.Length <= hay.Length; start++)
        {
            var i = 0;
            while (i < needle.Length && hay[start + i] == needle[i]) i++;
            if (i == needle.Length) return true;
        }
        return false;
    }

    private static string[] Words(string s)
    {
        var words = new List<string>();
        var start = -1;
        for (var i = 0; i <= s.Length; i++)
        {
            var inWord = i < s.Length && char.IsLetterOrDigit(s[i]);
            if (inWord && start < 0) start = i;
            else if (!inWord && start >= 0)
            {
                words.Add(s[start..i].ToLowerInvariant());
                start = -1;
            }
        }
        return words.ToArray();
    }

    // Canonical form: double quotes everywhere, numbers bare; Parse(ToString()) gives the same clause.
    public override string ToString()
    {
        var field = Kind == SearchFieldKind.Metadata ? $"{Field}[{Quote(MetadataKey!)}]" : Field;
        var value = Value is null ? "null"
            : Kind == SearchFieldKind.Number ? Number.ToString(CultureInfo.InvariantCulture)
            : Quote(Value);
        return $"{(Negated ? "-" : "")}{field}{OperatorText(Op)}{value}";
    }

    public static string OperatorText(SearchOperator op) => op switch
    {
        SearchOperator.Colon => ":",
        SearchOperator.Tilde => "~",
        SearchOperator.Equal => "=",
        SearchOperator.Greater => ">",
        SearchOperator.Less => "<",
        SearchOperator.GreaterOrEqual => ">=",
        _ => "<=",
    };

    private static string Quote(string s) => "\"" + s.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
}
