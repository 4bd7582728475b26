using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace MockProcessor.Server.Storage;

/// <summary>
/// The one definition of how records are written to and read from the database (schema v3 on; docs/architecture.md,
/// Persisted format): property names in snake_case, enums as their member names in snake_case (never their numbers, so
/// reordering members is safe), dictionary keys as given (metadata keys are the user's), an event's snapshot as
/// <c>{"type": ..., "data": {...}}</c>. A change to a persisted record's shape needs a schema version and a migration
/// (Storage/PersistedShapeTests fails until both exist).
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
    };

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
