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
