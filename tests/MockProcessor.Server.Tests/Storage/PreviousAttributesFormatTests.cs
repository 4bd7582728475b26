using System.Text.Json.Nodes;
using MockProcessor.Server.Storage;

namespace MockProcessor.Server.Tests.Storage;

/// <summary>
/// Schema v5 (docs/storage.md): an event's previous attributes are stored as JSON, not as an escaped string of it, and a
/// v4 file's string form still reads back, so the v5 migration rewrites nothing.
/// </summary>
public sealed class PreviousAttributesFormatTests : IDisposable
{
    private const string Key = "sk_test_previous_format";
    private readonly TempSqliteDb _file = new("prev");
    private string _db => _file.Path;

    public void Dispose() => _file.Dispose();

    private List<(long RowId, string Data)> EventRows() =>
        _file.Rows("SELECT rowid, CAST(data AS TEXT) FROM objects WHERE type = 'event' ORDER BY rowid")
            .Select(r => ((long)r[0], (string)r[1])).ToList();

    /// <summary>Every event's previous_attributes (null when it has none), read through the API.</summary>
    private static async Task<Dictionary<string, JsonNode?>> PreviousAttributes(TestApp app)
    {
        var c = app.Client(Key);
        var result = new Dictionary<string, JsonNode?>();
        foreach (var e in (await (await c.GetAsync("/v1/events?limit=100")).OkAsync())["data"]!.AsArray())
        {
            var one = await (await c.GetAsync($"/v1/events/{e!["id"]}")).OkAsync();
            result[(string)one["id"]!] = one["data"]!.AsObject()["previous_attributes"]?.DeepClone();
        }
        return result;
    }

    [Fact]
    public async Task Previous_attributes_are_stored_as_json_and_v4_strings_still_read_back()
    {
        Dictionary<string, JsonNode?> before;
        await using (var app = new TestApp(o => { o.InMemory = false; o.Database = _db; }))
        {
            var c = app.Client(Key);
            var id = (string)(await (await c.PostFormAsync("/v1/customers", ("name", "Ann \"the first\""), ("metadata[k]", "v"))).OkAsync())["id"]!;
            await (await c.PostFormAsync($"/v1/customers/{id}", ("name", "Bo"), ("metadata[k]", ""), ("metadata[new]", "<&>"))).OkAsync();
            before = await PreviousAttributes(app);
        }
        var changed = before.Where(kv => kv.Value is not null).ToList();
        Assert.Single(changed);
        Assert.Equal("Ann \"the first\"", (string)changed[0].Value!["name"]!);

        // Written as the object itself: no escaped copy of it.
        var rows = EventRows();
        var withPrevious = rows.Where(r => r.Data.Contains("\"previous_attributes\":{", StringComparison.Ordinal)).ToList();
        Assert.Single(withPrevious);
        Assert.DoesNotContain(rows, r => r.Data.Contains("previous_attributes_json", StringComparison.Ordinal) || r.Data.Contains("\\u0022", StringComparison.Ordinal));

        // The same row as a v4 build wrote it: the JSON as a string under the old name, and the file at schema 4.
        var row = JsonNode.Parse(withPrevious[0].Data)!.AsObject();
        row.Remove("previous_attributes", out var previous);
        row["previous_attributes_json"] = previous!.ToJsonString();
        _file.Exec("UPDATE objects SET data = $d WHERE rowid = $r", ("$d", System.Text.Encoding.UTF8.GetBytes(row.ToJsonString())), ("$r", withPrevious[0].RowId));
        _file.Exec("UPDATE meta SET value = '4' WHERE key = 'schema_version'");
        Assert.Contains(EventRows(), r => r.Data.Contains("\"previous_attributes_json\":\"{", StringComparison.Ordinal));

        await using (var app = new TestApp(o => { o.InMemory = false; o.Database = _db; }))
        {
            var after = await PreviousAttributes(app);
            Assert.Equal(before.Keys.Order(), after.Keys.Order());
            foreach (var (id, value) in before)
                Assert.True(JsonNode.DeepEquals(value, after[id]), $"{id}: {after[id]?.ToJsonString()} instead of {value?.ToJsonString()}");
        }
        Assert.Equal(Database.SchemaVersion.ToString(System.Globalization.CultureInfo.InvariantCulture),
            _file.Scalar("SELECT value FROM meta WHERE key = 'schema_version'"));
    }
}
