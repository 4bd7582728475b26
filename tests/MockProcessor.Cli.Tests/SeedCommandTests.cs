using System.Collections;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using MockProcessor.Commands;
using MockProcessor.Server.Hosting;

namespace MockProcessor.Cli.Tests;

public class SeedCommandTests
{
    private static SeedSettings Settings(long seed) => new() { Merchants = 2, Customers = 6, Payments = 30, Weeks = 3, Seed = seed };

    /// <summary>Every customer and PaymentIntent of the seeded merchants, as JSON: what "the same data" means.</summary>
    private static async Task<string> Dump(HttpClient http, IEnumerable<string> keys)
    {
        var all = new JsonArray();
        foreach (var key in keys)
            foreach (var path in new[] { "/v1/customers?limit=100", "/v1/payment_intents?limit=100", "/v1/disputes?limit=100", "/v1/refunds?limit=100" })
            {
                using var req = new HttpRequestMessage(HttpMethod.Get, path);
                req.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
                all.Add(JsonNode.Parse(await (await http.SendAsync(req)).Content.ReadAsStringAsync()));
            }
        return all.ToJsonString();
    }

    [Fact]
    public async Task One_seed_gives_the_same_realistic_history_over_past_weeks()
    {
        string first;
        List<SeededMerchant> merchants;
        await using (var emulator = new TestEmulator())
        {
            merchants = await SeedCommand.Run(emulator.Client(), Settings(5), CancellationToken.None);
            first = await Dump(emulator.Client(), merchants.Select(m => m.Key));
        }
        await using (var again = new TestEmulator())
        {
            var second = await SeedCommand.Run(again.Client(), Settings(5), CancellationToken.None);
            Assert.Equal(merchants, second);
            Assert.Equal(first, await Dump(again.Client(), second.Select(m => m.Key)));
        }
        await using (var other = new TestEmulator())
        {
            var different = await SeedCommand.Run(other.Client(), Settings(6), CancellationToken.None);
            Assert.NotEqual(first, await Dump(other.Client(), different.Select(m => m.Key)));
            // The same seed again on the same emulator: those merchants have data, so their clocks cannot go back.
            var again = await Assert.ThrowsAsync<EmulatorException>(() => SeedCommand.Run(other.Client(), Settings(6), CancellationToken.None));
            Assert.Contains("use another --seed", again.Message);
        }

        Assert.Equal(["sk_test_demo5_1", "sk_test_demo5_2"], merchants.Select(m => m.Key));
        Assert.All(merchants, m => Assert.Equal(30, m.Succeeded + m.Declined));
        Assert.True(merchants.Sum(m => m.Declined) > 0 && merchants.Sum(m => m.Refunded) > 0 && merchants.Sum(m => m.Disputed) > 0,
            string.Join(", ", merchants));

        var dump = JsonNode.Parse(first)!.AsArray();
        var customers = dump[0]!["data"]!.AsArray();
        Assert.Equal(6, customers.Count);
        Assert.All(customers, c =>
        {
            Assert.Contains("@", (string)c!["email"]!);
            Assert.Contains(" ", (string)c["name"]!);
            Assert.False(string.IsNullOrEmpty((string?)c["address"]!["line1"]));
        });
        var created = dump[1]!["data"]!.AsArray().Select(p => (long)p!["created"]!).ToList();
        // The history spans the past weeks before the emulator's "now" (TestEmulator starts at 1_800_000_000).
        Assert.True(created.Min() < TestEmulator.StartTime - 14 * 86_400 && created.Max() < TestEmulator.StartTime, $"{created.Min()}..{created.Max()}");
    }

    [Fact]
    public async Task Seeding_a_database_file_leaves_the_data_for_a_later_start()
    {
        // In a directory of its own: the file store makes -wal, -shm and a .files directory beside the database.
        var dir = Directory.CreateTempSubdirectory("mp-seed-").FullName;
        var db = Path.Combine(dir, "seed.db");
        try
        {
            var parsed = CommandLine.Parse(Program.Commands,
                ["seed", "--db", db, "--merchants", "1", "--customers", "3", "--payments", "5", "--now", "1800000000"], new Hashtable());
            Assert.Null(parsed.Error);
            Assert.Equal(0, await parsed.Command!.RunAsync(parsed.Settings!, CancellationToken.None));
            await using var emulator = new TestEmulator(o => { o.InMemory = false; o.Database = db; });
            using var req = new HttpRequestMessage(HttpMethod.Get, "/v1/customers");
            req.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "sk_test_demo42_1");
            var list = JsonNode.Parse(await (await emulator.Client().SendAsync(req)).Content.ReadAsStringAsync())!;
            Assert.Equal(3, list["data"]!.AsArray().Count);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Seed_needs_exactly_one_target()
    {
        Assert.NotNull(CommandLine.Parse(Program.Commands, ["seed"], new Hashtable()).Error);
        Assert.NotNull(CommandLine.Parse(Program.Commands, ["seed", "--db", "x.db", "--base-url", "http://127.0.0.1:1"], new Hashtable()).Error);
    }
}
