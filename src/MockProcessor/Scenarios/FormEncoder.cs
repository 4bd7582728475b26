using System.Text;
using System.Text.Json.Nodes;

namespace MockProcessor.Scenarios;

/// <summary>
/// A parameters map → form pairs, as the official SDKs send them: nested maps as <c>a[b][c]=</c>, lists as indexed keys
/// <c>a[0]=</c>, <c>a[1][b]=</c>, booleans <c>true</c>/<c>false</c>, null as an empty string (Stripe's "unset"),
/// an empty list as <c>a=</c>. Order is the order written.
/// </summary>
public static class FormEncoder
{
    public static List<KeyValuePair<string, string>> Encode(JsonObject? form)
    {
        var pairs = new List<KeyValuePair<string, string>>();
        if (form is null) return pairs;
        foreach (var (key, value) in form) Add(pairs, key, value);
        return pairs;
    }

    private static void Add(List<KeyValuePair<string, string>> pairs, string key, JsonNode? value)
    {
        switch (value)
        {
            case JsonObject o when o.Count == 0:
                pairs.Add(new(key, ""));
                break;
            case JsonObject o:
                foreach (var (k, v) in o) Add(pairs, $"{key}[{k}]", v);
                break;
            case JsonArray a when a.Count == 0:
                pairs.Add(new(key, ""));
                break;
            case JsonArray a:
                for (var i = 0; i < a.Count; i++) Add(pairs, $"{key}[{i}]", a[i]);
                break;
            default:
                pairs.Add(new(key, Substitution.Plain(value)));
                break;
        }
    }

    /// <summary>The pairs as <c>application/x-www-form-urlencoded</c> text (brackets left literal, as the SDKs send them).</summary>
    public static string Text(IEnumerable<KeyValuePair<string, string>> pairs)
    {
        var sb = new StringBuilder();
        foreach (var (k, v) in pairs)
        {
            if (sb.Length > 0) sb.Append('&');
            sb.Append(Escape(k)).Append('=').Append(Escape(v));
        }
        return sb.ToString();
    }

    private static string Escape(string s) => Uri.EscapeDataString(s).Replace("%5B", "[").Replace("%5D", "]");
}
