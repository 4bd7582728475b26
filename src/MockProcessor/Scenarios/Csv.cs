using System.Text.Json.Nodes;
using CsvHelper;

namespace MockProcessor.Scenarios;

/// <summary>
/// A CSV answer (a report file) → a JSON list of rows (header → cell text), so report files are checked with the same
/// paths as JSON answers. Read by CsvHelper: comma-separated, RFC 4180 quoting, a header row; a short record's
/// missing cells read as "".
/// </summary>
public static class Csv
{
    private static readonly CsvReaderOptions Options = CsvReaderOptions.Default with { Separator = ',', HasHeader = true, DetectSeparatorHint = false };

    public static JsonArray Rows(string text)
    {
        var rows = new JsonArray();
        using var csv = CsvReader.FromText(text, Options);
        var header = csv.Headers.ToArray();
        while (csv.Read())
        {
            var row = new JsonObject();
            for (var i = 0; i < header.Length; i++) row[header[i]] = i < csv.FieldCount ? csv.GetString(i) : "";
            rows.Add(row);
        }
        return rows;
    }
}
