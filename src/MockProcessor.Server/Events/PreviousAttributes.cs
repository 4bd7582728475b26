using System.Text.Json.Nodes;

namespace MockProcessor.Server.Events;

/// <summary>
/// <c>data.previous_attributes</c> of an <c>*.updated</c> event: the old values of the fields that changed,
/// found by comparing the wire renderings before and after. Nested hashes (metadata, address) contribute
/// only their changed keys: a changed or removed key shows its old value, a key that is new shows null.
/// </summary>
public static class PreviousAttributes
{
    public static JsonObject? Diff(JsonObject before, JsonObject after)
    {
        var prev = new JsonObject();
        foreach (var (key, oldValue) in before)
        {
            var newValue = after[key];
            if (JsonNode.DeepEquals(oldValue, newValue)) continue;
            if (oldValue is JsonObject o && newValue is JsonObject n)
            {
                var nested = new JsonObject();
                foreach (var (k, v) in o)
                    if (!JsonNode.DeepEquals(v, n[k])) nested[k] = v?.DeepClone();
                foreach (var (k, _) in n)
                    if (!o.ContainsKey(k)) nested[k] = null;
                prev[key] = nested;
            }
            else prev[key] = oldValue?.DeepClone();
        }
        return prev.Count == 0 ? null : prev;
    }
}
