using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace MockProcessor.Server.Storage;

/// <summary>
/// The one definition of how records are written to and read from the database (schema v3 on; docs/architecture.md,
/// Persisted format): property names in snake_case, enums as their member names in snake_case (never their numbers, so
/// reordering members is safe), dictionary keys as given (metadata keys are the user's), an event's snapshot as
/// <c>{"type": ..., "data": {...}}</c> and its previous attributes as the JSON itself (v5). A change to a persisted
/// record's shape needs a schema version and a migration (Storage/PersistedShapeTests fails until both exist).
/// </summary>
public static class PersistenceFormat
{
    public static readonly JsonNamingPolicy Names = JsonNamingPolicy.SnakeCaseLower;

    /// <summary>The serializer options of the current format for <paramref name="persistedTypes"/> (stored type name → record type).</summary>
    public static JsonSerializerOptions Options(IReadOnlyDictionary<string, Type> persistedTypes) => new(JsonSerializerDefaults.General)
    {
        PropertyNamingPolicy = Names,
        DictionaryKeyPolicy = null,
        Converters = { new JsonStringEnumConverter(Names, allowIntegerValues: false), new SnapshotConverter(persistedTypes) },
        TypeInfoResolver = new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver { Modifiers = { OmitNullsThatReadAsNull, EventPreviousAttributesAsJson } },
    };

    /// <summary>
    /// Schema v4: a property whose value is null is not written when leaving it out reads back as null (a record created
    /// without it holds null there), about a third of a charge's bytes. A property initialised to something else (an empty
    /// metadata map), a required or computed one, and the parameters of positional records are written as before. Nor is
    /// <c>object_type</c> written: it is computed, never read back, and the row's <c>type</c> (or a snapshot's) says it.
    /// </summary>
    private static void OmitNullsThatReadAsNull(System.Text.Json.Serialization.Metadata.JsonTypeInfo info)
    {
        if (info.Kind != System.Text.Json.Serialization.Metadata.JsonTypeInfoKind.Object || info.CreateObject is null) return;
        object fresh;
        try { fresh = info.CreateObject(); }
        catch (Exception) { return; } // not constructible without arguments: keep every property
        foreach (var p in info.Properties)
        {
            if (p.Name == "object_type" && p.Set is null)
            {
                p.ShouldSerialize = static (_, _) => false;
                continue;
            }
            // Only what is read back: a computed (get-only) property is written as before.
            if (p.IsRequired || p.Get is null || p.Set is null || p.AssociatedParameter is not null) continue;
            if (p.PropertyType.IsValueType && Nullable.GetUnderlyingType(p.PropertyType) is null) continue;
            if (p.Get(fresh) is null) p.ShouldSerialize = static (_, value) => value is not null;
        }
    }

    /// <summary>
    /// Schema v5: an event's previous attributes are stored as the JSON object they are (<c>"previous_attributes": {...}</c>),
    /// not as a string holding it (v4's <c>"previous_attributes_json": "{\u0022status\u0022:...}"</c>, where the writer's
    /// escaping of every quote was most of a renewal's previous attributes). Both names are read, so v4 rows need no
    /// rewrite (docs/storage.md).
    /// </summary>
    private static void EventPreviousAttributesAsJson(System.Text.Json.Serialization.Metadata.JsonTypeInfo info)
    {
        if (info.Type != typeof(Domain.Events.Event)) return;
        var stored = info.Properties.Single(p => p.Name == "previous_attributes_json");
        stored.Name = "previous_attributes";
        stored.CustomConverter = RawJsonText.Instance;
        var v4 = info.CreateJsonPropertyInfo(typeof(string), "previous_attributes_json");
        v4.Set = stored.Set;
        v4.CustomConverter = RawJsonText.Instance;
        info.Properties.Add(v4);
    }

    /// <summary>A string of JSON text written as that JSON; read back from that JSON or from a string (the v4 form).</summary>
    private sealed class RawJsonText : JsonConverter<string>
    {
        public static readonly RawJsonText Instance = new();

        public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.TokenType switch
            {
                JsonTokenType.String => reader.GetString(),
                JsonTokenType.StartObject => JsonElement.ParseValue(ref reader).GetRawText(),
                _ => throw new JsonException($"previous attributes stored as {reader.TokenType}, not an object or a string"),
            };

        public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteRawValue(value);
    }

    /// <summary>How enum member <paramref name="value"/> is stored.</summary>
    public static string EnumName<T>(T value) where T : struct, Enum => Names.ConvertName(value.ToString());

    private static readonly ConcurrentDictionary<Type, (byte[] Utf8, object Value)[]> StoredEnumNames = new();

    /// <summary>The member of <typeparamref name="T"/> stored as the UTF-8 <paramref name="name"/>; null if none (for readers of raw rows).</summary>
    public static T? ParseEnum<T>(ReadOnlySpan<byte> name) where T : struct, Enum
    {
        var members = StoredEnumNames.GetOrAdd(typeof(T), _ =>
            Enum.GetValues<T>().Select(v => (System.Text.Encoding.UTF8.GetBytes(EnumName(v)), (object)v)).ToArray());
        foreach (var (utf8, value) in members)
            if (name.SequenceEqual(utf8)) return (T)value;
        return null;
    }
}
