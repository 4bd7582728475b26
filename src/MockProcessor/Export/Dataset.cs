using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using MockProcessor.Domain.Reporting;

namespace MockProcessor.Export;

/// <summary>
/// One exported table (payments, balance transactions): its columns, how a wire object becomes a row, and the
/// day-partitioned files it is written to (<c>dir/&lt;name&gt;/date=YYYY-MM-DD/part-0.csv|parquet</c>).
/// </summary>
public sealed class Dataset(string name, IReadOnlyList<ParquetColumn> columns, Func<JsonObject, object?[]> row)
{
    public string Name => name;
    public IReadOnlyList<ParquetColumn> Columns => columns;
    public object?[] Row(JsonObject o) => row(o);

    public static readonly Dataset BalanceTransactions = new("balance_transactions",
    [
        new("id", ParquetType.ByteArray), new("created", ParquetType.Int64), new("available_on", ParquetType.Int64),
        new("type", ParquetType.ByteArray), new("reporting_category", ParquetType.ByteArray), new("currency", ParquetType.ByteArray),
        new("amount", ParquetType.Int64), new("fee", ParquetType.Int64), new("net", ParquetType.Int64), new("status", ParquetType.ByteArray),
        new("source", ParquetType.ByteArray, Optional: true), new("description", ParquetType.ByteArray, Optional: true),
    ],
    t => [Str(t, "id"), Long(t, "created"), Long(t, "available_on"), Str(t, "type"), Str(t, "reporting_category"), Str(t, "currency"),
          Long(t, "amount"), Long(t, "fee"), Long(t, "net"), Str(t, "status"), Ref(t, "source"), Str(t, "description")]);

    public static readonly Dataset Payments = new("payments",
    [
        new("id", ParquetType.ByteArray), new("created", ParquetType.Int64), new("payment_intent", ParquetType.ByteArray, Optional: true),
        new("customer", ParquetType.ByteArray, Optional: true), new("currency", ParquetType.ByteArray), new("amount", ParquetType.Int64),
        new("amount_captured", ParquetType.Int64), new("amount_refunded", ParquetType.Int64), new("status", ParquetType.ByteArray),
        new("captured", ParquetType.Boolean), new("paid", ParquetType.Boolean), new("refunded", ParquetType.Boolean),
        new("disputed", ParquetType.Boolean), new("balance_transaction", ParquetType.ByteArray, Optional: true),
        new("failure_code", ParquetType.ByteArray, Optional: true), new("description", ParquetType.ByteArray, Optional: true),
    ],
    c => [Str(c, "id"), Long(c, "created"), Ref(c, "payment_intent"), Ref(c, "customer"), Str(c, "currency"), Long(c, "amount"),
          Long(c, "amount_captured"), Long(c, "amount_refunded"), Str(c, "status"), Bool(c, "captured"), Bool(c, "paid"),
          Bool(c, "refunded"), Bool(c, "disputed"), Ref(c, "balance_transaction"), Str(c, "failure_code"), Str(c, "description")]);

    private static string? Str(JsonObject o, string k) => o[k] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
    private static long Long(JsonObject o, string k) => (long)o[k]!;
    private static bool Bool(JsonObject o, string k) => (bool)o[k]!;
    private static string? Ref(JsonObject o, string k) => o[k] switch { JsonObject x => (string?)x["id"], JsonValue v => (string?)v, _ => null };

    public static string Day(long unix) => DateTimeOffset.FromUnixTimeSeconds(unix).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>Writes one day's rows (oldest first) as <c>part-0</c> of its partition; returns the path.</summary>
    public string WritePartition(string outDir, string day, IReadOnlyList<object?[]> rows, string format)
    {
        var dir = Path.Combine(outDir, name, $"date={day}");
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, $"part-0.{format}");
        using var file = File.Create(path);
        if (format == "parquet")
        {
            var writer = new ParquetWriter(columns);
            foreach (var r in rows) writer.Add(r);
            writer.Write(file);
        }
        else
        {
            using var text = new StreamWriter(file, new UTF8Encoding(false), 1 << 16);
            var csv = new ReportCsv(text);
            csv.Row(columns.Select(c => c.Name).ToArray());
            foreach (var r in rows)
                csv.Row(r.Select(v => v switch
                {
                    null => null,
                    bool b => b ? "true" : "false",
                    long l => l.ToString(CultureInfo.InvariantCulture),
                    _ => v.ToString(),
                }).ToArray());
        }
        return path;
    }
}
