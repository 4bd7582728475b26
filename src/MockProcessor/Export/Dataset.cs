using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using MockProcessor.Domain.Reporting;
using Parquet;
using Parquet.Schema;

namespace MockProcessor.Export;

/// <summary>What a column holds. <see cref="Timestamp"/> values are Stripe's Unix seconds (<c>long</c>).</summary>
public enum ColumnKind { String, Int64, Boolean, Timestamp }

/// <summary>An exported column: name, kind and whether it may be null.</summary>
public sealed record ExportColumn(string Name, ColumnKind Kind, bool Nullable = false)
{
    /// <summary>
    /// The Parquet field: strings as UTF-8 <c>BYTE_ARRAY</c> (STRING), money and counts as <c>INT64</c> (minor units),
    /// booleans as <c>BOOLEAN</c>, timestamps as <c>INT64</c> TIMESTAMP(MILLIS, isAdjustedToUTC=true).
    /// </summary>
    public DataField Field() => Kind switch
    {
        ColumnKind.String => new DataField<string>(Name, Nullable),
        ColumnKind.Int64 => new DataField(Name, typeof(long), Nullable),
        ColumnKind.Boolean => new DataField(Name, typeof(bool), Nullable),
        ColumnKind.Timestamp => new DateTimeDataField(Name, DateTimeFormat.Timestamp, isAdjustedToUTC: true, DateTimeTimeUnit.Millis, Nullable),
        _ => throw new ArgumentOutOfRangeException(nameof(Kind)),
    };
}

/// <summary>
/// One exported table (payments, balance transactions): its columns, how a wire object becomes a row, and the
/// day-partitioned files it is written to (<c>dir/&lt;name&gt;/date=YYYY-MM-DD/part-0.csv|parquet</c>).
/// A row's values are <c>string</c>, <c>long</c> (Unix seconds for timestamps), <c>bool</c> or null.
/// </summary>
public sealed class Dataset(string name, IReadOnlyList<ExportColumn> columns, Func<JsonObject, object?[]> row)
{
    public string Name => name;
    public IReadOnlyList<ExportColumn> Columns => columns;
    public object?[] Row(JsonObject o) => row(o);

    /// <summary>The Parquet schema of the dataset's files.</summary>
    public ParquetSchema Schema() => new(columns.Select(c => c.Field()));

    public static readonly Dataset BalanceTransactions = new("balance_transactions",
    [
        new("id", ColumnKind.String), new("created", ColumnKind.Timestamp), new("available_on", ColumnKind.Timestamp),
        new("type", ColumnKind.String), new("reporting_category", ColumnKind.String), new("currency", ColumnKind.String),
        new("amount", ColumnKind.Int64), new("fee", ColumnKind.Int64), new("net", ColumnKind.Int64), new("status", ColumnKind.String),
        new("source", ColumnKind.String, Nullable: true), new("description", ColumnKind.String, Nullable: true),
    ],
    t => [Str(t, "id"), Long(t, "created"), Long(t, "available_on"), Str(t, "type"), Str(t, "reporting_category"), Str(t, "currency"),
          Long(t, "amount"), Long(t, "fee"), Long(t, "net"), Str(t, "status"), Ref(t, "source"), Str(t, "description")]);

    public static readonly Dataset Payments = new("payments",
    [
        new("id", ColumnKind.String), new("created", ColumnKind.Timestamp), new("payment_intent", ColumnKind.String, Nullable: true),
        new("customer", ColumnKind.String, Nullable: true), new("currency", ColumnKind.String), new("amount", ColumnKind.Int64),
        new("amount_captured", ColumnKind.Int64), new("amount_refunded", ColumnKind.Int64), new("status", ColumnKind.String),
        new("captured", ColumnKind.Boolean), new("paid", ColumnKind.Boolean), new("refunded", ColumnKind.Boolean),
        new("disputed", ColumnKind.Boolean), new("balance_transaction", ColumnKind.String, Nullable: true),
        new("failure_code", ColumnKind.String, Nullable: true), new("description", ColumnKind.String, Nullable: true),
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
    public async Task<string> WritePartitionAsync(string outDir, string day, IReadOnlyList<object?[]> rows, string format, CancellationToken ct = default)
    {
        var dir = Path.Combine(outDir, name, $"date={day}");
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, $"part-0.{format}");
        await using var file = File.Create(path);
        if (format == "parquet") await WriteParquetAsync(file, rows, ct);
        else
        {
            await using var text = new StreamWriter(file, new UTF8Encoding(false), 1 << 16);
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

    /// <summary>
    /// The rows as one Parquet row group (a day's partition is small: one row group keeps readers simple), Snappy
    /// compressed, written by Parquet.Net column by column in schema order.
    /// </summary>
    public async Task WriteParquetAsync(Stream output, IReadOnlyList<object?[]> rows, CancellationToken ct = default)
    {
        var schema = Schema();
        var fields = schema.GetDataFields();
        await using var writer = await ParquetWriter.CreateAsync(schema, output, new ParquetOptions { CompressionMethod = CompressionMethod.Snappy },
            cancellationToken: ct);
        using var group = writer.CreateRowGroup();
        for (var c = 0; c < columns.Count; c++)
        {
            var col = columns[c];
            var field = fields[c];
            T Value<T>(object?[] r) => r[c] is T v ? v
                : throw new ArgumentException($"Column {col.Name} ({col.Kind}{(col.Nullable ? ", nullable" : "")}) cannot hold {r[c]?.GetType().Name ?? "null"}.");
            // Only text columns are nullable in the datasets above; a nullable number would need the T? overloads.
            if (col.Nullable && col.Kind != ColumnKind.String) throw new NotSupportedException($"Column {col.Name}: only text columns may be nullable.");
            switch (col.Kind)
            {
                case ColumnKind.String:
                    await group.WriteAsync(field, rows.Select(r => r[c] is null && col.Nullable ? null : Value<string>(r)).ToArray());
                    break;
                case ColumnKind.Int64:
                    await group.WriteAsync<long>(field, rows.Select(Value<long>).ToArray(), cancellationToken: ct);
                    break;
                case ColumnKind.Boolean:
                    await group.WriteAsync<bool>(field, rows.Select(Value<bool>).ToArray(), cancellationToken: ct);
                    break;
                case ColumnKind.Timestamp:
                    await group.WriteAsync<DateTime>(field, rows.Select(r => Utc(Value<long>(r))).ToArray(), cancellationToken: ct);
                    break;
            }
        }
    }

    /// <summary>Unix seconds as a UTC <see cref="DateTime"/> (what Parquet.Net writes as a UTC-adjusted timestamp).</summary>
    public static DateTime Utc(long unix) => DateTime.UnixEpoch.AddSeconds(unix);
}
