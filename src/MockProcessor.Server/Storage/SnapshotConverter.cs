using System.Text.Json;
using System.Text.Json.Serialization;
using MockProcessor.Domain.Common;

namespace MockProcessor.Server.Storage;

/// <summary>
/// Persists a field typed as the abstract <see cref="StripeObject"/> (an event's snapshot and previous version) as
/// <c>{"type": "customer", "data": {...}}</c>, using the same type table as the objects table, or, when that very version
/// is stored at a known position (by the same batch, schema v4, or an earlier one, v6), as
/// <c>{"type": "customer", "row": 1234}</c> (docs/storage.md, "Event snapshots by reference"). Persistence stays a
/// Server concern: the Domain records carry no serializer attributes.
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

    /// <summary>
    /// Whether a version an earlier batch wrote (or start-up read back) is referred to where it is
    /// (<see cref="StripeObject.StoredAt"/>) instead of copied: set for one process's own durable store (not replicas).
    /// Such rows are never compacted away: compaction only deletes versions that were already superseded at start-up,
    /// less those an event refers to, and an event only refers to the version of its day.
    /// </summary>
    internal bool ReferToStored { get; set; }

    /// <summary>Reads the version stored at a position back (set by a store that can, <see cref="IDurableStore.CanReadBack"/>).</summary>
    internal Func<long, StripeObject>? ReadRow { get; set; }

    /// <summary>At start-up: collects the positions events refer to, which compaction must keep.</summary>
    internal System.Collections.Concurrent.ConcurrentBag<long>? Referenced { get; set; }

    // The positions referred to by the serialisation running on this thread (RowSerializer's overloads with refs).
    [ThreadStatic] private static List<long>? t_collected;

    /// <summary>Starts noting the positions this thread's next serialisation refers to, into the list returned (the thread's own).</summary>
    internal static List<long> Collect()
    {
        var list = t_collected ??= [];
        list.Clear();
        return list;
    }

    public override StripeObject? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        // Every writer (this converter, BulkImport through it, migration v3) puts "type" first, then "data" or "row".
        if (reader.TokenType != JsonTokenType.StartObject || !reader.Read() || !reader.ValueTextEquals("type"u8) || !reader.Read())
            throw new JsonException("An event snapshot must start with its \"type\".");
        var name = reader.GetString()!;
        if (!types.TryGetValue(name, out var type)) throw new JsonException($"Unknown snapshot type '{name}'.");
        reader.Read();
        StripeObject? value;
        if (reader.ValueTextEquals("row"u8))
        {
            reader.Read();
            value = Resolve(reader.GetInt64());
        }
        else if (reader.ValueTextEquals("data"u8))
        {
            reader.Read();
            value = (StripeObject?)JsonSerializer.Deserialize(ref reader, type, options);
        }
        else throw new JsonException("An event snapshot holds \"data\" or \"row\" after its type.");
        if (!reader.Read() || reader.TokenType != JsonTokenType.EndObject) throw new JsonException("An event snapshot has more than its type and data.");
        return value;
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
        if (Refs is { } refs && refs.TryGetValue(value, out var position) || ReferToStored && (position = value.StoredAt) > 0)
        {
            writer.WriteNumber("row", position);
            t_collected?.Add(position);
            writer.WriteEndObject();
            return;
        }
        writer.WritePropertyName("data");
        if (Reuse is { } reuse && reuse.TryGetValue(value, out var data)) writer.WriteRawValue(data, skipInputValidation: true);
        else JsonSerializer.Serialize(writer, value, value.GetType(), options);
        writer.WriteEndObject();
    }
}
