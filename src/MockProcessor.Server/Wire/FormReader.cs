using System.Text;

namespace MockProcessor.Server.Wire;

/// <summary>
/// Decodes Stripe's form dialect (query string and x-www-form-urlencoded body, merged into one bag as
/// Stripe does) into a <see cref="FormObject"/> tree. Two stages, as in stripe-mock: split into decoded
/// pairs, then assemble bracket keys (<c>a[b][c]</c>, <c>a[]</c>, <c>a[0][x]</c>) into nested nodes.
/// Every malformed input is a <see cref="FormException"/> (a 400), never anything else.
/// </summary>
public static class FormReader
{
    public const int MaxDepth = 8;          // Stripe's deepest real params are ~5 levels (payment_method_data[billing_details][address][line1]).
    public const int MaxPairs = 5000;
    public const int MaxKeyLength = 500;

    public static FormObject Parse(string? query, string? body)
    {
        var root = new FormObject();
        if (!string.IsNullOrEmpty(query)) AddPairs(root, query.StartsWith('?') ? query[1..] : query);
        if (!string.IsNullOrEmpty(body)) AddPairs(root, body);
        return root;
    }

    private static void AddPairs(FormObject root, string text)
    {
        var count = 0;
        foreach (var part in text.Split('&'))
        {
            if (part.Length == 0) continue;
            if (++count > MaxPairs) throw new FormException($"too many parameters (at most {MaxPairs})");
            var eq = part.IndexOf('=');
            var rawKey = eq < 0 ? part : part[..eq];
            var rawValue = eq < 0 ? "" : part[(eq + 1)..];
            var key = Decode(rawKey);
            var value = Decode(rawValue);
            if (key.Length == 0) throw new FormException("a parameter has an empty name");
            if (key.Length > MaxKeyLength) throw new FormException("a parameter name is too long");
            Assemble(root, key, value);
        }
    }

    /// <summary>Splits <c>a[b][]</c> into <c>a</c>, <c>b</c>, <c>""</c>; an empty segment means "append".</summary>
    internal static List<string> SplitKey(string key)
    {
        var open = key.IndexOf('[');
        if (open < 0)
        {
            if (key.Contains(']')) throw new FormException($"unbalanced brackets in parameter name '{key}'");
            return [key];
        }
        if (open == 0) throw new FormException($"parameter name '{key}' starts with a bracket");
        var segments = new List<string> { key[..open] };
        var i = open;
        while (i < key.Length)
        {
            if (key[i] != '[') throw new FormException($"unexpected text after brackets in parameter name '{key}'");
            var close = key.IndexOf(']', i + 1);
            if (close < 0) throw new FormException($"unbalanced brackets in parameter name '{key}'");
            var seg = key[(i + 1)..close];
            if (seg.Contains('[')) throw new FormException($"nested brackets in parameter name '{key}'");
            segments.Add(seg);
            if (segments.Count > MaxDepth) throw new FormException($"parameter '{key}' is nested deeper than {MaxDepth} levels");
            i = close + 1;
        }
        return segments;
    }

    private static void Assemble(FormObject root, string key, string value)
    {
        var segments = SplitKey(key);
        var node = root;
        var path = segments[0];
        for (var i = 0; i < segments.Count; i++)
        {
            var seg = segments[i];
            if (seg.Length == 0)
            {
                if (i == 0) throw new FormException("a parameter has an empty name");
                seg = node.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }
            if (i > 0) path += "[" + seg + "]";
            var last = i == segments.Count - 1;
            var existing = node[seg];
            if (last)
            {
                switch (existing)
                {
                    case null: node.Set(seg, new FormString(value)); break;
                    case FormString s when s.Value == value: break;
                    case FormString: throw new FormException($"parameter '{path}' was given more than once with different values");
                    default: throw new FormException($"parameter '{path}' is given both as a value and as a hash");
                }
            }
            else
            {
                switch (existing)
                {
                    case null:
                        var child = new FormObject();
                        node.Set(seg, child);
                        node = child;
                        break;
                    case FormObject o: node = o; break;
                    // `metadata=` (clear) followed by `metadata[k]=v` would be ambiguous; Stripe rejects mixing too.
                    default: throw new FormException($"parameter '{path}' is given both as a value and as a hash");
                }
            }
        }
    }

    /// <summary>Percent-decoding with '+' as space; bad escapes and invalid UTF-8 are errors, not replacement characters.</summary>
    internal static string Decode(string s)
    {
        if (s.IndexOfAny(['%', '+']) < 0) return s;
        var bytes = new List<byte>(s.Length);
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            if (c == '+') bytes.Add((byte)' ');
            else if (c == '%')
            {
                if (i + 2 >= s.Length || !IsHex(s[i + 1]) || !IsHex(s[i + 2]))
                    throw new FormException("malformed percent-encoding");
                bytes.Add((byte)((HexValue(s[i + 1]) << 4) | HexValue(s[i + 2])));
                i += 2;
            }
            else if (c < 0x80) bytes.Add((byte)c);
            else bytes.AddRange(Encoding.UTF8.GetBytes(c.ToString()));
        }
        try
        {
            return StrictUtf8.GetString(bytes.ToArray());
        }
        catch (DecoderFallbackException)
        {
            throw new FormException("a parameter is not valid UTF-8");
        }
    }

    private static readonly UTF8Encoding StrictUtf8 = new(false, true);
    private static bool IsHex(char c) => char.IsAsciiHexDigit(c);
    private static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}

public sealed class FormException(string message) : Exception(message);
