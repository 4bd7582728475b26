using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using MockProcessor.Commands;
using MockProcessor.Export;
using Parquet;
using Parquet.Meta;
using Parquet.Schema;

namespace MockProcessor.Cli.Tests;

/// <summary>
/// <c>mockprocessor export</c> against the in-process emulator, its Parquet files read back with Parquet.Net's reader:
/// the schema and logical types, Snappy compression, one file per UTC day, and every value equal to what the API lists.
/// (tests/compat/test/export.test.mjs reads the same kind of files with hyparquet, an independent reader.)
/// </summary>
public class ExportCommandTests : IDisposable
{
    private const string Key = "sk_test_export";
    private readonly string _dir = Directory.CreateTempSubdirectory("mp-export-").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    private static async Task<JsonObject> PostAsync(HttpClient http, string path, params (string Key, string Value)[] form)
    {
        var res = await http.PostAsync(path, new FormUrlEncodedContent(form.Select(p => KeyValuePair.Create(p.Key, p.Value))));
        return JsonNode.Parse(await res.Content.ReadAsStringAsync())!.AsObject();
    }

    /// <summary>Three payments a day apart (one with a refund), a decline and a customer: nulls, booleans and several days.</summary>
    private static async Task<(long From, long To)> MakeActivityAsync(HttpClient http)
    {
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Key);
        await PostAsync(http, "/_mock/payouts/settings", ("schedule[interval]", "manual"));
        var customer = (string)(await PostAsync(http, "/v1/customers", ("email", "buyer@example.com")))["id"]!;
        var pis = new List<string>();
        foreach (var (amount, description) in new[] { (1999L, "first, \"quoted\""), (2500L, ""), (12345L, "third") })
        {
            (string, string)[] form = [("amount", amount.ToString()), ("currency", "usd"), ("confirm", "true"), ("payment_method", "pm_card_visa"),
                ("allowed_payment_method_types[]", "card"), ("customer", customer)];
            if (description.Length > 0) form = [.. form, ("description", description)];
            pis.Add((string)(await PostAsync(http, "/v1/payment_intents", form))["id"]!);
            await PostAsync(http, "/_mock/merchant_clock/advance", ("seconds", "86400"));
        }
        await PostAsync(http, "/v1/refunds", ("payment_intent", pis[2]), ("amount", "345"));
        var declined = await PostAsync(http, "/v1/payment_intents", ("amount", "700"), ("currency", "usd"), ("confirm", "true"),
            ("payment_method", "pm_card_chargeDeclined"), ("allowed_payment_method_types[]", "card"));
        Assert.NotNull(declined["error"]);
        var now = (long)JsonNode.Parse(await http.GetStringAsync("/_mock/merchant_clock"))!["now"]!;
        return (TestEmulator.StartTime - 10, now + 1);
    }

    private static async Task<List<JsonObject>> ListAsync(HttpClient http, string path) =>
        JsonNode.Parse(await http.GetStringAsync($"{path}?limit=100"))!["data"]!.AsArray().Select(x => x!.AsObject()).ToList();

    /// <summary>Every row of every partition of a dataset, as column name → value, with the day each came from.</summary>
    private static async Task<List<(string Day, Dictionary<string, object?> Row)>> ReadAllAsync(string dir, ParquetSchema expected)
    {
        var rows = new List<(string, Dictionary<string, object?>)>();
        foreach (var partition in Directory.GetDirectories(dir).Order())
        {
            var day = Path.GetFileName(partition);
            await using var reader = await ParquetReader.CreateAsync(Path.Combine(partition, "part-0.parquet"));
            Assert.Equal(expected, reader.Schema); // names, types and nullability, in order
            foreach (var stamp in reader.Schema.GetDataFields().OfType<DateTimeDataField>())
                Assert.True(stamp is { DateTimeFormat: DateTimeFormat.Timestamp, IsAdjustedToUTC: true, Unit: DateTimeTimeUnit.Millis }, stamp.Name);
            Assert.Equal(expected.GetDataFields().Count(f => f is DateTimeDataField), reader.Schema.GetDataFields().Count(f => f is DateTimeDataField));
            Assert.Equal(1, reader.RowGroupCount);
            var group = reader.RowGroups[0];
            var count = (int)group.RowCount;
            Assert.Equal(count, reader.Metadata!.NumRows);
            Assert.All(reader.Metadata.RowGroups[0].Columns, c => Assert.Equal(CompressionCodec.SNAPPY, c.MetaData!.Codec));
            var columns = new Dictionary<string, object?[]>();
            foreach (var field in reader.Schema.GetDataFields())
            {
                object?[] values;
                if (field.ClrType == typeof(string) || field.ClrType == typeof(ReadOnlyMemory<char>))
                {
                    var buf = new string?[count];
                    await group.ReadAsync(field, buf.AsMemory());
                    values = buf;
                }
                else if (field.ClrType == typeof(long))
                {
                    var buf = new long[count];
                    await group.ReadAsync<long>(field, buf.AsMemory());
                    values = buf.Cast<object?>().ToArray();
                }
                else if (field.ClrType == typeof(bool))
                {
                    var buf = new bool[count];
                    await group.ReadAsync<bool>(field, buf.AsMemory());
                    values = buf.Cast<object?>().ToArray();
                }
                else
                {
                    Assert.Equal(typeof(DateTime), field.ClrType);
                    var buf = new DateTime[count];
                    await group.ReadAsync<DateTime>(field, buf.AsMemory());
                    values = buf.Cast<object?>().ToArray();
                }
                columns[field.Name] = values;
            }
            for (var i = 0; i < count; i++) rows.Add((day, columns.ToDictionary(kv => kv.Key, kv => kv.Value[i])));
        }
        return rows;
    }

    [Fact]
    public async Task Parquet_partitions_read_back_with_logical_types_and_the_values_the_api_lists()
    {
        await using var emulator = new TestEmulator();
        var http = emulator.Client();
        var (from, to) = await MakeActivityAsync(http);
        var output = new StringWriter();
        var errors = new StringWriter();
        var settings = new ExportSettings { ApiKey = Key, From = from, To = to, Out = _dir, Format = "parquet" };
        Assert.True(await ExportCommand.RunAsync(settings, emulator.Client(), output, errors, CancellationToken.None) == 0, errors.ToString());
        Assert.Contains("payments: 4 rows in", output.ToString());

        // The schema as a warehouse sees it: timestamps are UTC instants in milliseconds, money is int64 minor units.
        var created = Assert.IsType<DateTimeDataField>(Dataset.Payments.Schema().FindDataField("created"));
        Assert.Equal(DateTimeFormat.Timestamp, created.DateTimeFormat);
        Assert.True(created.IsAdjustedToUTC);
        Assert.Equal(DateTimeTimeUnit.Millis, created.Unit);

        await using (var reader = await ParquetReader.CreateAsync(Directory.EnumerateFiles(_dir, "*.parquet", SearchOption.AllDirectories).First()))
        {
            // The file's own metadata, not just our schema object: logical types as written.
            var elements = reader.Metadata!.Schema.ToDictionary(e => e.Name);
            var stamp = elements["created"].LogicalType!.TIMESTAMP!;
            Assert.True(stamp.IsAdjustedToUTC);
            Assert.NotNull(stamp.Unit.MILLIS);
            Assert.Equal(Parquet.Meta.Type.INT64, elements["created"].Type);
            Assert.Equal(Parquet.Meta.Type.INT64, elements["amount"].Type);
            Assert.Null(elements["amount"].LogicalType?.DECIMAL);
            Assert.Equal(Parquet.Meta.Type.BYTE_ARRAY, elements["id"].Type);
            Assert.NotNull(elements["id"].LogicalType?.STRING);
            Assert.Equal(FieldRepetitionType.REQUIRED, elements["id"].RepetitionType);
            Assert.Equal(FieldRepetitionType.OPTIONAL, elements["description"].RepetitionType);
        }

        var charges = await ListAsync(http, "/v1/charges");
        var payments = await ReadAllAsync(Path.Combine(_dir, "payments"), Dataset.Payments.Schema());
        Assert.Equal(4, charges.Count);
        Assert.Equal(charges.Count, payments.Count);
        Assert.True(payments.Select(p => p.Day).Distinct().Count() >= 3, "one partition per day");
        foreach (var c in charges)
        {
            var (day, r) = Assert.Single(payments, p => (string)p.Row["id"]! == (string)c["id"]!);
            var createdAt = DateTimeOffset.FromUnixTimeSeconds((long)c["created"]!).UtcDateTime;
            Assert.Equal(createdAt, r["created"]);
            Assert.Equal(DateTimeKind.Utc, ((DateTime)r["created"]!).Kind);
            Assert.Equal($"date={createdAt:yyyy-MM-dd}", day);
            Assert.Equal((long)c["amount"]!, r["amount"]);
            Assert.Equal((long)c["amount_captured"]!, r["amount_captured"]);
            Assert.Equal((long)c["amount_refunded"]!, r["amount_refunded"]);
            Assert.Equal((string)c["status"]!, r["status"]);
            Assert.Equal((bool)c["captured"]!, r["captured"]);
            Assert.Equal((bool)c["paid"]!, r["paid"]);
            Assert.Equal((bool)c["refunded"]!, r["refunded"]);
            Assert.Equal((string?)c["customer"], r["customer"]);
            Assert.Equal((string?)c["payment_intent"], r["payment_intent"]);
            Assert.Equal((string?)c["balance_transaction"], r["balance_transaction"]);
            Assert.Equal((string?)c["failure_code"], r["failure_code"]);
            Assert.Equal((string?)c["description"], r["description"]);
        }
        // The decline: nulls where the API has null, and the refund shows on the third payment.
        Assert.Contains(payments, p => p.Row["failure_code"] is "card_declined" && p.Row["balance_transaction"] is null && p.Row["paid"] is false);
        Assert.Contains(payments, p => p.Row["amount_refunded"] is 345L);
        Assert.Contains(payments, p => p.Row["description"] is "first, \"quoted\"");

        var txns = await ListAsync(http, "/v1/balance_transactions");
        var ledger = await ReadAllAsync(Path.Combine(_dir, "balance_transactions"), Dataset.BalanceTransactions.Schema());
        Assert.Equal(4, txns.Count);
        Assert.Equal(txns.Count, ledger.Count);
        foreach (var t in txns)
        {
            var (_, r) = Assert.Single(ledger, p => (string)p.Row["id"]! == (string)t["id"]!);
            Assert.Equal(DateTimeOffset.FromUnixTimeSeconds((long)t["created"]!).UtcDateTime, r["created"]);
            Assert.Equal(DateTimeOffset.FromUnixTimeSeconds((long)t["available_on"]!).UtcDateTime, r["available_on"]);
            Assert.Equal((long)t["amount"]!, r["amount"]);
            Assert.Equal((long)t["fee"]!, r["fee"]);
            Assert.Equal((long)t["net"]!, r["net"]);
            Assert.Equal((string)t["type"]!, r["type"]);
            Assert.Equal((string)t["reporting_category"]!, r["reporting_category"]);
            Assert.Equal((string)t["currency"]!, r["currency"]);
            Assert.Equal((string)t["status"]!, r["status"]);
            Assert.Equal((string?)t["source"], r["source"]);
            Assert.Equal((string?)t["description"], r["description"]);
        }
        Assert.Contains(ledger, p => p.Row["type"] is "refund" && p.Row["amount"] is -345L);
    }

    [Fact]
    public async Task Csv_partitions_keep_unix_seconds_and_the_same_rows()
    {
        await using var emulator = new TestEmulator();
        var http = emulator.Client();
        var (from, to) = await MakeActivityAsync(http);
        var settings = new ExportSettings { ApiKey = Key, From = from, To = to, Out = _dir, Format = "csv" };
        var errors = new StringWriter();
        Assert.True(await ExportCommand.RunAsync(settings, emulator.Client(), new StringWriter(), errors, CancellationToken.None) == 0, errors.ToString());
        var txns = await ListAsync(http, "/v1/balance_transactions");
        var lines = Directory.EnumerateFiles(Path.Combine(_dir, "balance_transactions"), "part-0.csv", SearchOption.AllDirectories)
            .SelectMany(f => File.ReadAllLines(f).Skip(1)).ToList();
        Assert.Equal(txns.Count, lines.Count);
        foreach (var t in txns)
            Assert.Contains(lines, l => l.StartsWith($"{t["id"]},{t["created"]},{t["available_on"]},{t["type"]},", StringComparison.Ordinal));
        Assert.Equal("id,created,available_on,type,reporting_category,currency,amount,fee,net,status,source,description",
            File.ReadLines(Directory.EnumerateFiles(_dir, "part-0.csv", SearchOption.AllDirectories).First()).First());
    }
}
