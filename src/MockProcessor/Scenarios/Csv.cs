using System.Text;
using System.Text.Json.Nodes;

namespace MockProcessor.Scenarios;

/// <summary>RFC 4180 text → a JSON list of rows (header → cell text), so report files are checked with the same paths.</summary>
public static class Csv
{
    public static JsonArray Rows(string text)
    {
        var records = Parse(text);
        var rows = new JsonArray();
        if (records.Count == 0) return rows;
        var header = records[0];
        foreach (var record in records.Skip(1))
        {
            var row = new JsonObject();
            for (var i = 0; i < header.Count; i++) row[header[i]] = i < record.Count ? record[i] : "";
            rows.Add(row);
        }
        return rows;
    }

    private static List<List<string>> Parse(string text)
    {
        var records = new List<List<string>>();
        var record = new List<string>();
        var cell = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"') { cell.Append('"'); i++; }
                else if (c == '"') quoted = false;
                else cell.Append(c);
                continue;
            }
            switch (c)
            {
                case '"': quoted = true; break;
                case ',': record.Add(cell.ToString()); cell.Clear(); break;
                case '\r': break;
                case '\n':
                    record.Add(cell.ToString()); cell.Clear();
                    records.Add(record); record = [];
                    break;
                default: cell.Append(c); break;
            }
        }
        if (cell.Length > 0 || record.Count > 0) { record.Add(cell.ToString()); records.Add(record); }
        return records;
    }
}
