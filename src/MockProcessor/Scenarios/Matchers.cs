using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace MockProcessor.Scenarios;

/// <summary>One failed check: what was checked, what was expected, what was there.</summary>
public sealed record Mismatch(string What, string Expected, string Actual);

/// <summary>
/// Expected values (docs/scenarios.md "Matchers"): a scalar or list means "equal to" (numbers by value, so 2000 equals
/// 2000.0; a string never equals a number); a mapping of operators (eq, ne, matches, exists, absent, gt, gte, lt, lte, length,
/// contains, one_of, type) means every operator holds.
/// </summary>
public static class Matchers
{
    public static readonly string[] Operators = ["eq", "ne", "matches", "exists", "absent", "gt", "gte", "lt", "lte", "length", "contains", "one_of", "type"];

    /// <summary>Checks <paramref name="expected"/> (already substituted) against a value that may be absent.</summary>
    public static Mismatch? Check(string what, bool found, JsonNode? actual, JsonNode? expected)
    {
        if (expected is JsonObject ops && ops.Count > 0 && ops.All(kv => Operators.Contains(kv.Key)))
        {
            foreach (var (op, arg) in ops)
                if (!Holds(op, arg, found, actual))
                    return new Mismatch(what, $"{op} {Show(arg)}", found ? Show(actual) : "(absent)");
            return null;
        }
        return found && DeepEquals(actual, expected) ? null : new Mismatch(what, Show(expected), found ? Show(actual) : "(absent)");
    }

    private static bool Holds(string op, JsonNode? arg, bool found, JsonNode? actual)
    {
        switch (op)
        {
            case "exists":
                return (found && actual is not null) == (arg?.GetValue<bool>() ?? true);
            case "absent": // the path does not resolve at all (a JSON null is present)
                return !found == (arg?.GetValue<bool>() ?? true);
            case "ne":
                return !found || !DeepEquals(actual, arg);
        }
        if (!found) return false;
        switch (op)
        {
            case "eq": return DeepEquals(actual, arg);
            case "matches": return actual is JsonValue && actual.GetValueKind() != JsonValueKind.Null && Regex.IsMatch(Substitution.Plain(actual), Substitution.Plain(arg));
            case "gt": return Compare(actual, arg) is > 0;
            case "gte": return Compare(actual, arg) is >= 0;
            case "lt": return Compare(actual, arg) is < 0;
            case "lte": return Compare(actual, arg) is <= 0;
            case "one_of": return arg is JsonArray options && options.Any(o => DeepEquals(actual, o));
            case "type": return TypeName(actual) == Substitution.Plain(arg) || (Substitution.Plain(arg) == "number" && TypeName(actual) == "integer");
            case "length":
                int? length = actual switch
                {
                    JsonArray a => a.Count,
                    JsonObject o => o.Count,
                    JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>().Length,
                    _ => null,
                };
                return length is { } n && Check("", true, JsonValue.Create(n), arg) is null;
            case "contains":
                return actual switch
                {
                    JsonArray a => a.Any(x => DeepEquals(x, arg)),
                    JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>().Contains(Substitution.Plain(arg), StringComparison.Ordinal),
                    _ => false,
                };
            default:
                throw new InvalidOperationException($"unknown operator {op}");
        }
    }

    private static int? Compare(JsonNode? actual, JsonNode? arg) =>
        Numeric(actual) is { } a && Numeric(arg) is { } b ? a.CompareTo(b) : null;

    private static double? Number(JsonNode? n) =>
        n is JsonValue v && v.GetValueKind() == JsonValueKind.Number ? double.Parse(v.ToJsonString(), System.Globalization.CultureInfo.InvariantCulture) : null;

    // Order comparisons also read numeric text (CSV cells, "96.80"); equality stays typed.
    private static double? Numeric(JsonNode? n) =>
        Number(n) ?? (n is JsonValue v && v.GetValueKind() == JsonValueKind.String
            && double.TryParse(v.GetValue<string>(), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var d) ? d : null);

    public static string TypeName(JsonNode? n) => n switch
    {
        null => "null",
        JsonObject => "object",
        JsonArray => "array",
        JsonValue v => v.GetValueKind() switch
        {
            JsonValueKind.String => "string",
            JsonValueKind.Number => v.ToJsonString().IndexOfAny(['.', 'e', 'E']) < 0 ? "integer" : "number",
            JsonValueKind.True or JsonValueKind.False => "boolean",
            _ => "null",
        },
        _ => "null",
    };

    public static bool DeepEquals(JsonNode? a, JsonNode? b)
    {
        if (Number(a) is { } x && Number(b) is { } y) return x == y;
        return JsonNode.DeepEquals(a, b);
    }

    /// <summary>A value for a report: JSON, cut at 300 characters.</summary>
    public static string Show(JsonNode? n)
    {
        var s = n is null ? "null" : n.ToJsonString(Json.Compact);
        return s.Length > 300 ? s[..300] + "…" : s;
    }
}

internal static class Json
{
    public static readonly JsonSerializerOptions Compact = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    public static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}
