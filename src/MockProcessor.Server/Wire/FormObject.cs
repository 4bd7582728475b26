namespace MockProcessor.Server.Wire;

/// <summary>
/// A node of a decoded Stripe form: either a string leaf or an ordered map of children. Arrays are maps
/// whose keys are indices ("0", "1"...): <c>a[]=x</c> appends under the next index, so the indexed form
/// Stripe.net sends (<c>a[0]=x</c>) and the curl form (<c>a[]=x</c>) decode to the same thing.
/// </summary>
public abstract class FormNode;

public sealed class FormString(string value) : FormNode
{
    public string Value { get; } = value;
}

public sealed class FormObject : FormNode
{
    private readonly List<KeyValuePair<string, FormNode>> _items = [];

    public int Count => _items.Count;
    public IReadOnlyList<KeyValuePair<string, FormNode>> Items => _items;

    public FormNode? this[string key]
    {
        get
        {
            foreach (var kv in _items)
                if (kv.Key == key) return kv.Value;
            return null;
        }
    }

    internal void Set(string key, FormNode value)
    {
        for (var i = 0; i < _items.Count; i++)
        {
            if (_items[i].Key == key)
            {
                _items[i] = new(key, value);
                return;
            }
        }
        _items.Add(new(key, value));
    }

    /// <summary>Canonical text of the tree, independent of parameter order: the idempotency fingerprint.</summary>
    public string Canonical()
    {
        var sb = new System.Text.StringBuilder();
        Write(this, sb);
        return sb.ToString();

        static void Write(FormNode node, System.Text.StringBuilder sb)
        {
            switch (node)
            {
                case FormString s:
                    sb.Append('"').Append(s.Value.Replace("\\", "\\\\").Replace("\"", "\\\"")).Append('"');
                    break;
                case FormObject o:
                    sb.Append('{');
                    foreach (var kv in o._items.OrderBy(k => k.Key, StringComparer.Ordinal))
                    {
                        sb.Append('"').Append(kv.Key.Replace("\\", "\\\\").Replace("\"", "\\\"")).Append("\":");
                        Write(kv.Value, sb);
                        sb.Append(',');
                    }
                    sb.Append('}');
                    break;
            }
        }
    }
}
