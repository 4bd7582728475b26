using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MockProcessor.Scenarios;

/// <summary>A scenario's variables: parameters row columns, <c>save:</c> captures and the runner's built-ins.</summary>
public sealed class Variables
{
    private readonly Dictionary<string, JsonNode?> _values = new(StringComparer.Ordinal);

    public Variables(JsonObject? row = null)
    {
        if (row is null) return;
        foreach (var (k, v) in row) _values[k] = v?.DeepClone();
    }

    public void Set(string name, JsonNode? value) => _values[name] = value?.DeepClone();

    public bool TryGet(string name, out JsonNode? value) => _values.TryGetValue(name, out value);

    /// <summary>Names that exist without a stored value (the runner's <c>now</c>, read when a step uses it).</summary>
    public List<string> Deferred { get; } = [];

    public IEnumerable<string> Names => _values.Keys.Union(Deferred);
}

public sealed class SubstitutionException(string message) : Exception(message);

/// <summary>
/// <c>${name}</c> and <c>${name.path[0]}</c> in strings. A string that is exactly one <c>${...}</c> becomes the value
/// itself (a number stays a number); inside a longer string the value is written as text. <c>$${</c> is a literal <c>${</c>.
/// </summary>
public static class Substitution
{
    public static JsonNode? Node(JsonNode? node, Variables vars) => node switch
    {
        JsonObject o => new JsonObject(o.Select(kv => KeyValuePair.Create(kv.Key, Node(kv.Value, vars)))),
        JsonArray a => new JsonArray(a.Select(x => Node(x, vars)).ToArray()),
        JsonValue v when v.GetValueKind() == JsonValueKind.String => Value(v.GetValue<string>(), vars),
        _ => node?.DeepClone(),
    };

    /// <summary>A string with its references replaced; exactly one reference keeps the referenced value's type.</summary>
    public static JsonNode? Value(string text, Variables vars)
    {
        if (text.StartsWith("${", StringComparison.Ordinal) && text.EndsWith('}') && text.IndexOf('}') == text.Length - 1)
            return Lookup(text[2..^1], vars)?.DeepClone();
        return text.Contains('$') ? JsonValue.Create(Text(text, vars)) : JsonValue.Create(text);
    }

    public static string Text(string text, Variables vars, bool allowUnknown = false)
    {
        if (!text.Contains('$')) return text;
        var sb = new StringBuilder();
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '$' && i + 2 < text.Length && text[i + 1] == '$' && text[i + 2] == '{') { sb.Append("${"); i += 2; continue; }
            if (text[i] == '$' && i + 1 < text.Length && text[i + 1] == '{')
            {
                var end = text.IndexOf('}', i + 2);
                if (end < 0) throw new SubstitutionException($"unclosed ${{ in '{text}'");
                var reference = text[(i + 2)..end];
                try { sb.Append(Plain(Lookup(reference, vars))); }
                catch (SubstitutionException) when (allowUnknown) { sb.Append(text, i, end - i + 1); }
                i = end;
                continue;
            }
            sb.Append(text[i]);
        }
        return sb.ToString();
    }

    private static JsonNode? Lookup(string reference, Variables vars)
    {
        reference = reference.Trim();
        var cut = reference.IndexOfAny(['.', '[']);
        var name = cut < 0 ? reference : reference[..cut];
        if (!vars.TryGet(name, out var value))
            throw new SubstitutionException($"${{{reference}}}: no variable '{name}' (known: {string.Join(", ", vars.Names.Order(StringComparer.Ordinal))})");
        if (cut < 0) return value;
        var (found, inner) = JsonPath.Select(value, "$" + (reference[cut] == '.' ? reference[cut..] : reference[cut..]));
        return found ? inner : throw new SubstitutionException($"${{{reference}}}: '{name}' has no {reference[(cut + (reference[cut] == '.' ? 1 : 0))..]}");
    }

    /// <summary>A value as text: strings bare, numbers invariant, true/false, null as an empty string, objects as JSON.</summary>
    public static string Plain(JsonNode? value) => value switch
    {
        null => "",
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        JsonValue v when v.GetValueKind() == JsonValueKind.Number => v.ToJsonString(),
        JsonValue v when v.GetValueKind() is JsonValueKind.True or JsonValueKind.False => v.GetValue<bool>() ? "true" : "false",
        _ => value.ToJsonString(),
    };
}
