using System.Text.Json;
using System.Text.Json.Nodes;

namespace MockProcessor.Server.Storage;

/// <summary>
/// Migration v3's row rewrite: a row as schema v1/v2 stored it (the records' default JSON: C# names, enums as numbers)
/// into the explicit format (<see cref="PersistenceFormat"/>). It is driven by schema-v2-shapes.json, the v2 records'
/// shapes frozen when v3 was made (which properties are records, lists, dictionaries, snapshots or enums, and each enum's
/// numbers), not by today's records: renaming or reordering a record or enum later cannot change how an old file is read.
/// </summary>
internal static class SchemaV2Rows
{
    private sealed record Shapes(
        Dictionary<string, string> Types, Dictionary<string, Dictionary<string, string>> Enums, Dictionary<string, Dictionary<string, string>> Records);

    private static readonly Lazy<Shapes> Frozen = new(() =>
    {
        using var stream = typeof(SchemaV2Rows).Assembly.GetManifestResourceStream("MockProcessor.Server.Storage.schema-v2-shapes.json")
            ?? throw new InvalidOperationException("schema-v2-shapes.json is not embedded.");
        var doc = JsonNode.Parse(stream)!;
        Dictionary<string, T> Map<T>(JsonNode node, Func<JsonNode, T> value) =>
            node.AsObject().ToDictionary(kv => kv.Key, kv => value(kv.Value!), StringComparer.Ordinal);
        Dictionary<string, string> Strings(JsonNode node) => Map(node, v => v.GetValue<string>());
        return new Shapes(Strings(doc["types"]!), Map(doc["enums"]!, Strings), Map(doc["shapes"]!, Strings));
    });

    /// <summary>Whether schema v2 stored objects of <paramref name="type"/>.</summary>
    public static bool Knows(string type) => Frozen.Value.Types.ContainsKey(type);

    /// <summary>The v3 row of a v2 row of <paramref name="type"/>.</summary>
    public static byte[] Rewrite(string type, byte[] v2)
    {
        var shapes = Frozen.Value;
        if (!shapes.Types.TryGetValue(type, out var record))
            throw new InvalidOperationException($"The database holds objects of type '{type}' that schema v2 did not know.");
        var node = JsonNode.Parse(v2) as JsonObject ?? throw new InvalidOperationException($"A '{type}' row is not a JSON object.");
        return JsonSerializer.SerializeToUtf8Bytes(Record(shapes, node, record));
    }

    private static JsonObject Record(Shapes shapes, JsonObject v2, string record)
    {
        var properties = shapes.Records[record];
        var v3 = new JsonObject();
        foreach (var (name, value) in v2)
            v3[PersistenceFormat.Names.ConvertName(name)] = Value(shapes, value, properties.GetValueOrDefault(name, ""));
        return v3;
    }

    // Kinds: "" a scalar; "e:<enum>"; "o:<record>"; "l:<kind>" a list; "m:<kind>" a dictionary (keys kept); "s" a snapshot.
    private static JsonNode? Value(Shapes shapes, JsonNode? value, string kind)
    {
        if (value is null) return null;
        switch (kind)
        {
            case "": return value.DeepClone();
            case "s":
                var snapshot = value.AsObject();
                var type = snapshot["type"]!.GetValue<string>();
                if (!shapes.Types.TryGetValue(type, out var snapshotRecord))
                    throw new InvalidOperationException($"An event snapshot of type '{type}' that schema v2 did not know.");
                return new JsonObject { ["type"] = type, ["data"] = Record(shapes, snapshot["data"]!.AsObject(), snapshotRecord) };
        }
        var inner = kind[2..];
        return kind[0] switch
        {
            'e' => value.GetValueKind() == JsonValueKind.Number
                ? PersistenceFormat.Names.ConvertName(shapes.Enums[inner].TryGetValue(value.GetValue<long>().ToString(System.Globalization.CultureInfo.InvariantCulture), out var member)
                    ? member : throw new InvalidOperationException($"{value} is not a member of {inner}."))
                : throw new InvalidOperationException($"A {inner} stored as {value.ToJsonString()}, not a number."),
            'o' => Record(shapes, value.AsObject(), inner),
            'l' => new JsonArray(value.AsArray().Select(v => Value(shapes, v, inner)).ToArray()),
            'm' => new JsonObject(value.AsObject().Select(kv => KeyValuePair.Create(kv.Key, Value(shapes, kv.Value, inner)))),
            _ => throw new InvalidOperationException($"Unknown shape kind '{kind}'."),
        };
    }
}
