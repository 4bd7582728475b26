using System.Text.Json;
using System.Text.Json.Serialization;
using MockProcessor.Domain.Common;

namespace MockProcessor.Server.Storage;

/// <summary>
/// Persists a field typed as the abstract <see cref="StripeObject"/> (an event's snapshot) as
/// <c>{"type": "customer", "data": {...}}</c>, using the same type table as the objects table. Persistence
/// stays a Server concern: the Domain records carry no serializer attributes.
/// </summary>
internal sealed class SnapshotConverter(IReadOnlyDictionary<string, Type> types) : JsonConverter<StripeObject>
{
    /// <summary>
    /// Object versions already serialised in the batch being written (by reference): an event announcing one of them
    /// copies its bytes instead of serialising it again (set and cleared by the writer, <see cref="ObjectStore"/>).
    /// </summary>
    internal IReadOnlyDictionary<StripeObject, byte[]>? Reuse { get; set; }

    public override StripeObject? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        using var doc = JsonDocument.ParseValue(ref reader);
        var type = doc.RootElement.GetProperty("type").GetString()!;
        if (!types.TryGetValue(type, out var clr)) throw new JsonException($"Unknown snapshot type '{type}'.");
        return (StripeObject?)doc.RootElement.GetProperty("data").Deserialize(clr, options);
    }

    public override void Write(Utf8JsonWriter writer, StripeObject value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        writer.WriteString("type", value.ObjectType);
        writer.WritePropertyName("data");
        if (Reuse is { } reuse && reuse.TryGetValue(value, out var data)) writer.WriteRawValue(data, skipInputValidation: true);
        else JsonSerializer.Serialize(writer, value, value.GetType(), options);
        writer.WriteEndObject();
    }
}
