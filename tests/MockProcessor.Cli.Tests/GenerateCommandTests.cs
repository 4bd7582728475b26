using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using MockProcessor.Commands;

namespace MockProcessor.Cli.Tests;

/// <summary>
/// <c>mockprocessor generate</c> writes through the store's persisted format (Storage/BulkImport): the file it makes is
/// read by <c>reconcile --db</c> (which parses rows by their stored property names) and served by the emulator.
/// </summary>
public class GenerateCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mp-generate-").FullName;
    private const long Start = 1_767_225_600; // 2026-01-01

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, true);
    }

    [Fact]
    public void Generate_leaves_only_the_database_file_and_the_books_behind_even_after_a_read_only_reader()
    {
        var db = Path.Combine(_dir, "alone.db");
        var books = Path.Combine(_dir, "alone.csv");
        // More rows than one import transaction holds, so the WAL has had several commits to fold back.
        var settings = new GenerateSettings { Db = db, Transactions = 60_000, Days = 2, Seed = 3, Orders = books };
        Assert.Equal(0, GenerateCommand.Run(settings, new StringWriter()));
        string[] expected = ["alone.csv", "alone.db"];
        Assert.Equal(expected, Directory.GetFiles(_dir).Select(Path.GetFileName).Order());

        // reconcile --db opens the file read-only; a reader of a WAL-mode file would make -wal/-shm it cannot remove.
        using (var conn = Server.Reconciliation.DatabaseFeed.OpenReadOnly(db))
        {
            using var count = conn.CreateCommand();
            count.CommandText = "SELECT COUNT(*) FROM objects";
            Assert.True((long)count.ExecuteScalar()! > 120_000); // complete without a WAL
        }
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Assert.Equal(expected, Directory.GetFiles(_dir).Select(Path.GetFileName).Order());
    }

    /// <summary>
    /// The rows carry heads as the emulator's own commits do (docs/storage.md, "Start-up from row heads"): a start files
    /// them without reading them, queues the unswept transactions' payout run from their wait keys, and serves what a
    /// start that reads every row serves, before and after that run.
    /// </summary>
    [Fact]
    public async Task A_generated_file_starts_from_its_row_heads_and_serves_what_reading_every_row_serves()
    {
        var db = Path.Combine(_dir, "heads.db");
        // The day before the emulator's start and that day: the second day's charges become available after it starts.
        var day = TestEmulator.StartTime - TestEmulator.StartTime % 86_400 - 86_400;
        Assert.Equal(0, GenerateCommand.Run(new GenerateSettings { Db = db, Transactions = 1_000, Days = 2, Seed = 11, Key = "sk_test_heads", Start = day }, new StringWriter()));
        var whole = Path.Combine(_dir, "whole.db");
        File.Copy(db, whole);
        var heads = new Dictionary<string, long>();
        using (var conn = Server.Reconciliation.DatabaseFeed.OpenReadOnly(db))
        {
            using var count = conn.CreateCommand();
            count.CommandText = "SELECT substr(head, 1, 1), COUNT(*) FROM objects GROUP BY 1";
            using var r = count.ExecuteReader();
            while (r.Read()) heads[r.IsDBNull(0) ? "none" : r.GetString(0)] = r.GetInt64(1);
        }
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Assert.False(heads.ContainsKey("none"));
        Assert.True(heads.GetValueOrDefault("w") > 100, string.Join(", ", heads)); // the unswept transactions
        Assert.True(heads.GetValueOrDefault("c") > heads.GetValueOrDefault("h"), string.Join(", ", heads));

        var fromHeads = await Serve(db, cacheObjects: null);
        var fromRows = await Serve(whole, cacheObjects: 0); // no cache: every row is read whole
        Assert.Equal(fromRows, fromHeads);
        Assert.Contains(fromHeads, l => l.StartsWith("new payouts: po_", StringComparison.Ordinal));
    }

    /// <summary>Every list the generated objects are in, then the payouts a week of the merchant's clock makes.</summary>
    private static async Task<List<string>> Serve(string db, long? cacheObjects)
    {
        await using var emulator = new TestEmulator(o =>
        {
            o.InMemory = false;
            o.Database = db;
            if (cacheObjects is { } n) o.CacheObjects = n;
        });
        var http = emulator.Client();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "sk_test_heads");
        async Task<List<string>> All(string path)
        {
            var rows = new List<string>();
            for (string? after = null; ;)
            {
                var page = JsonNode.Parse(await http.GetStringAsync($"{path}?limit=100{(after is null ? "" : "&starting_after=" + after)}"))!;
                rows.AddRange(page["data"]!.AsArray().Select(x => $"{x!["id"]}:{x["amount"]}:{x["status"]}"));
                if (!(bool)page["has_more"]!) return rows;
                after = rows[^1].Split(':')[0];
            }
        }
        var lines = new List<string>();
        foreach (var path in new[] { "/v1/balance_transactions", "/v1/payouts", "/v1/charges", "/v1/refunds", "/v1/disputes" })
            lines.Add($"{path}: {string.Join(",", await All(path))}");
        var before = await All("/v1/payouts");
        (await http.PostAsync("/_mock/merchant_clock/advance", new FormUrlEncodedContent([new("seconds", $"{7 * 86_400}")]))).EnsureSuccessStatusCode();
        lines.Add($"new payouts: {string.Join(",", (await All("/v1/payouts")).Except(before))}");
        lines.Add($"after: {string.Join(",", await All("/v1/balance_transactions"))}");
        return lines;
    }

    [Fact]
    public async Task A_generated_file_reconciles_from_the_file_and_is_served_by_the_emulator()
    {
        var db = Path.Combine(_dir, "gen.db");
        var books = Path.Combine(_dir, "books.csv");
        var generated = new GenerateSettings { Db = db, Transactions = 3_000, Days = 3, Seed = 5, Key = "sk_test_generated", Orders = books, Discrepancies = 1 };
        Assert.Equal(0, GenerateCommand.Run(generated, new StringWriter()));

        var output = new StringWriter();
        var errors = new StringWriter();
        var settings = new ReconcileSettings { ApiKey = "sk_test_generated", From = Start, To = Start + 3 * 86_400, Orders = books, Format = "json", Db = db };
        await using (var unused = new TestEmulator())
        {
            var code = await ReconcileCommand.RunAsync(settings, unused.Client(), output, errors, CancellationToken.None);
            Assert.True(code == 1, $"{code}: {errors}{output}");
        }
        // One of each injected kind is found, read from the file's charges, transactions and payouts.
        var found = JsonNode.Parse(output.ToString())!["discrepancies"]!.AsArray();
        Assert.NotEmpty(found);
        Assert.Contains("read ", errors.ToString());

        await using var emulator = new TestEmulator(o => { o.InMemory = false; o.Database = db; });
        var http = emulator.Client();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "sk_test_generated");
        var txns = JsonNode.Parse(await http.GetStringAsync("/v1/balance_transactions?limit=5"))!["data"]!.AsArray();
        Assert.Equal(5, txns.Count);
        var payouts = JsonNode.Parse(await http.GetStringAsync("/v1/payouts?limit=3"))!["data"]!.AsArray();
        Assert.NotEmpty(payouts);
        Assert.Contains((string)payouts[0]!["status"]!, new[] { "paid", "in_transit", "pending" });
    }
}
