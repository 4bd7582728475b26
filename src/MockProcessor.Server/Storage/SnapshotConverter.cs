using System.Text.Json;
using System.Text.Json.Serialization;
using MockProcessor.Domain.Common;

namespace MockProcessor.Server.Storage;

/// <summary>
/// Persists a field typed as the abstract <see cref="StripeObject"/> (an event's snapshot) as
/// <c>{"type": "customer", "data": {...}}</c>, using the same type table as the objects table, or, when the same batch
/// stores that very version at a known position, as <c>{"type": "customer", "row": 1234}</c> (schema v4; docs/storage.md,
/// "Event snapshots by reference"). Persistence stays a Server concern: the Domain records carry no serializer attributes.
/// </summary>
internal sealed class SnapshotConverter(IReadOnlyDictionary<string, Type> types) : JsonConverter<StripeObject>
{
    /// <summary>
    /// Object versions already serialised in the batch being written (by reference): an event announcing one of them
    /// copies its bytes instead of serialising it again (set and cleared by the writer, <see cref="ObjectStore"/>).
    /// </summary>
    internal IReadOnlyDictionary<StripeObject, byte[]>? Reuse { get; set; }

    /// <summary>
    /// Object versions of the batch being written with their planned positions (by reference): an event announcing one
    /// of them refers to it instead of carrying it (set and cleared by the writer, <see cref="ObjectStore"/>).
    /// </summary>
    internal IReadOnlyDictionary<StripeObject, long>? Refs { get; set; }

    /// <summary>Reads the version stored at a position back (set by a store that can, <see cref="IDurableStore.CanReadBack"/>).</summary>
    internal Func<long, StripeObject>? ReadRow { get; set; }

    /// <summary>At start-up: collects the positions events refer to, which compaction must keep.</summary>
    internal System.Collections.Concurrent.ConcurrentBag<long>? Referenced { get; set; }

    public override StripeObject? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        // Written as "type" then "data" or "row": read that in one pass (start-up decodes every event). Any other order
        // is read through a document.
        var probe = reader;
        if (probe.TokenType == JsonTokenType.StartObject && probe.Read() && probe.TokenType == JsonTokenType.PropertyName
            && probe.ValueTextEquals("type"u8) && probe.Read() && probe.TokenType == JsonTokenType.String)
        {
            var name = probe.GetString()!;
            if (!types.TryGetValue(name, out var recordType)) throw new JsonException($"Unknown snapshot type '{name}'.");
            if (probe.Read() && probe.TokenType == JsonTokenType.PropertyName)
            {
                StripeObject? value = null;
                var read = false;
                if (probe.ValueTextEquals("row"u8) && probe.Read() && probe.TokenType == JsonTokenType.Number)
                {
                    value = Resolve(probe.GetInt64());
                    read = true;
                }
                else if (probe.ValueTextEquals("data"u8) && probe.Read())
                {
                    value = (StripeObject?)JsonSerializer.Deserialize(ref probe, recordType, options);
                    read = true;
                }
                if (read && probe.Read() && probe.TokenType == JsonTokenType.EndObject)
                {
                    reader = probe;
                    return value;
                }
            }
        }
        using var doc = JsonDocument.ParseValue(ref reader);
        var type = doc.RootElement.GetProperty("type").GetString()!;
        if (!types.TryGetValue(type, out var clr)) throw new JsonException($"Unknown snapshot type '{type}'.");
        if (doc.RootElement.TryGetProperty("row", out var row)) return Resolve(row.GetInt64());
        return (StripeObject?)doc.RootElement.GetProperty("data").Deserialize(clr, options);
    }

    private StripeObject Resolve(long position)
    {
        Referenced?.Add(position);
        return ReadRow?.Invoke(position)
            ?? throw new JsonException($"An event snapshot refers to the stored version at {position}, and this reader cannot read versions back.");
    }

    public override void Write(Utf8JsonWriter writer, StripeObject value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        writer.WriteString("type", value.ObjectType);
        if (Refs is { } refs && refs.TryGetValue(value, out var position))
        {
            writer.WriteNumber("row", position);
            writer.WriteEndObject();
            return;
        }
        writer.WritePropertyName("data");
        if (Reuse is { } reuse && reuse.TryGetValue(value, out var data)) writer.WriteRawValue(data, skipInputValidation: true);
        else JsonSerializer.Serialize(writer, value, value.GetType(), options);
        writer.WriteEndObject();
    }
}
