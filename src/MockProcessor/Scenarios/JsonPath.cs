using System.Text;
using System.Text.Json.Nodes;

namespace MockProcessor.Scenarios;

/// <summary>
/// The paths scenarios name fields with: <c>$.a.b[0].c</c>, <c>a.b[0].c</c> (the <c>$.</c> is optional),
/// <c>data[-1]</c> (from the end), <c>metadata["order.id"]</c> (a key with dots), <c>$</c> (the whole document).
/// </summary>
public static class JsonPath
{
    public abstract record Segment;
    public sealed record Key(string Name) : Segment;
    public sealed record Index(int At) : Segment;

    public static List<Segment> Parse(string path)
    {
        var p = path.Trim();
        if (p == "$") return [];
        if (p.StartsWith("$.", StringComparison.Ordinal)) p = p[2..];
        else if (p.StartsWith("$[", StringComparison.Ordinal)) p = p[1..];
        var segments = new List<Segment>();
        var i = 0;
        var name = new StringBuilder();
        void Flush()
        {
            if (name.Length > 0) segments.Add(new Key(name.ToString()));
            name.Clear();
        }
        while (i < p.Length)
        {
            var ch = p[i];
            if (ch == '.') { Flush(); i++; continue; }
            if (ch == '[')
            {
                Flush();
                var end = p.IndexOf(']', i);
                if (end < 0) throw new FormatException($"'{path}': unclosed [");
                var inner = p[(i + 1)..end].Trim();
                if (inner.Length >= 2 && (inner[0] == '"' || inner[0] == '\'') && inner[^1] == inner[0]) segments.Add(new Key(inner[1..^1]));
                else if (int.TryParse(inner, out var n)) segments.Add(new Index(n));
                else throw new FormatException($"'{path}': [{inner}] is neither an index nor a quoted key");
                i = end + 1;
                continue;
            }
            name.Append(ch);
            i++;
        }
        Flush();
        return segments;
    }

    /// <summary>The value at <paramref name="path"/>; Found is false when a key or index is absent (a JSON null is found).</summary>
    public static (bool Found, JsonNode? Value) Select(JsonNode? root, string path)
    {
        var node = root;
        foreach (var s in Parse(path))
        {
            switch (s, node)
            {
                case (Key k, JsonObject o) when o.TryGetPropertyValue(k.Name, out var v):
                    node = v;
                    break;
                case (Index ix, JsonArray a) when (ix.At >= 0 ? ix.At : a.Count + ix.At) is var at && at >= 0 && at < a.Count:
                    node = a[at];
                    break;
                default:
                    return (false, null);
            }
        }
        return (true, node);
    }
}
