using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MockProcessor.Server.Wire;

public static class WireJson
{
    /// <summary>Stripe pretty-prints with two spaces; SDKs don't care, people reading curl output do.</summary>
    public static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        IndentSize = 2,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static byte[] Bytes(JsonNode node) => JsonSerializer.SerializeToUtf8Bytes(node, Options);

    public static string String(JsonNode node) => node.ToJsonString(Compact);

    private static readonly JsonSerializerOptions Compact = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// Room for <paramref name="fields"/> properties, for a renderer's large objects: <c>new JsonObject(WireJson.Room(45)) { ... }</c>.
    /// JsonObject takes no capacity, but its constructor sizes its table from the <c>Count</c> of the collection it is
    /// given; this one is empty and only announces a count. Without it a 45-field object grows its table five times
    /// (3, 7, 17, 37, 79 entries), three times the memory of the object's own entries (WireJsonTests checks the saving
    /// on the runtime in use). A low count only means growing later.
    /// </summary>
    public static ICollection<KeyValuePair<string, JsonNode?>> Room(int fields) =>
        fields < Rooms.Length ? Rooms[fields] : new EmptyWithRoom(fields);

    private static readonly EmptyWithRoom[] Rooms = [.. Enumerable.Range(0, 128).Select(n => new EmptyWithRoom(n))];

    private sealed class EmptyWithRoom(int room) : ICollection<KeyValuePair<string, JsonNode?>>
    {
        public int Count => room;
        public bool IsReadOnly => true;
        public IEnumerator<KeyValuePair<string, JsonNode?>> GetEnumerator() => Enumerable.Empty<KeyValuePair<string, JsonNode?>>().GetEnumerator();
        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
        public bool Contains(KeyValuePair<string, JsonNode?> item) => false;
        public void CopyTo(KeyValuePair<string, JsonNode?>[] array, int arrayIndex) { }
        public void Add(KeyValuePair<string, JsonNode?> item) => throw new NotSupportedException();
        public void Clear() => throw new NotSupportedException();
        public bool Remove(KeyValuePair<string, JsonNode?> item) => throw new NotSupportedException();
    }
}
