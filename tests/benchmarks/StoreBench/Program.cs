// SQLite (the emulator's store) against LiteDB behind the same durable seam (IDurableStore), in the real emulator:
// create-and-confirm PaymentIntents through the whole pipeline on an in-process TestServer (no sockets: the figures are
// the store's and the pipeline's, not Kestrel's), then a restart (load every version back), then point reads by id.
// Figures: docs/architecture.md, "Why SQLite and not LiteDB".
//
//   dotnet run -c Release --project tests/benchmarks/StoreBench -- [--payments 20000] [--concurrency 16] [--dir /tmp/storebench]
//        [--backends sqlite,litedb] [--write-only]   (--write-only: keep the file as written, for a restart A/B of two builds)
using System.Diagnostics;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MockProcessor.Server.Hosting;
using MockProcessor.Server.Storage;
using MockProcessor.Server.Time;
using MockProcessor.Server.Webhooks;
using StoreBench;

var flags = args.Select((a, i) => (a, i)).Where(x => x.a.StartsWith("--")).ToDictionary(x => x.a[2..], x => args.ElementAtOrDefault(x.i + 1) ?? "");
var payments = int.Parse(flags.GetValueOrDefault("payments", "20000"));
var concurrency = int.Parse(flags.GetValueOrDefault("concurrency", "16"));
var dir = flags.GetValueOrDefault("dir", Path.Combine(Path.GetTempPath(), "storebench"));
Directory.CreateDirectory(dir);

Console.WriteLine($"{payments} create-and-confirm PaymentIntents, {concurrency} concurrent callers, {Environment.ProcessorCount} cores");
Console.WriteLine("| store | req/s | p50 ms | p99 ms | files MB | restart s | point read µs (10k random ids) |");
Console.WriteLine("|---|---|---|---|---|---|---|");
foreach (var backend in flags.GetValueOrDefault("backends", "sqlite,litedb").Split(','))
{
    var path = Path.Combine(dir, backend + ".db");
    foreach (var f in Directory.GetFiles(dir, backend + ".db*")) File.Delete(f);
    foreach (var f in Directory.GetFiles(dir, backend + "-log.db")) File.Delete(f);

    // 1. Writes through the emulator.
    var ids = new List<string>();
    var latencies = new List<double>();
    double elapsed;
    await using (var app = Start(backend, path))
    {
        var client = app.GetTestClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "sk_test_storebench");
        await Pay(client, -1); // warm-up: the merchant, JIT
        var next = -1;
        var sw = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < payments)
            {
                var t0 = Stopwatch.GetTimestamp();
                var id = await Pay(client, i);
                var ms = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
                lock (latencies) { latencies.Add(ms); ids.Add(id); }
            }
        }));
        elapsed = sw.Elapsed.TotalSeconds;
        await app.StopAsync();
    }
    latencies.Sort();
    if (flags.ContainsKey("write-only"))
    {
        Console.WriteLine($"| {backend} | {payments / elapsed:0} | {latencies[latencies.Count / 2]:0.00} | {latencies[(int)(latencies.Count * 0.99)]:0.00} | (written to {path}) | | |");
        continue;
    }
    var size = Directory.GetFiles(dir, backend + "*").Sum(f => new FileInfo(f).Length) / 1e6;

    // 2. Restart: every stored version is read back before the first request is served.
    var restart = Stopwatch.StartNew();
    await using (var app = Start(backend, path))
    {
        var client = app.GetTestClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "sk_test_storebench");
        var r = await client.GetAsync("/v1/payment_intents/" + ids[0]);
        if (!r.IsSuccessStatusCode) throw new Exception("not restored: " + await r.Content.ReadAsStringAsync());
        restart.Stop();
        await app.StopAsync();
    }

    // 3. Point reads by id (what a bounded cache would do on a miss), each store with an index on the object id.
    var random = new Random(7);
    var sample = Enumerable.Range(0, 10_000).Select(_ => ids[random.Next(ids.Count)]).ToList();
    double perRead;
    if (backend == "sqlite")
    {
        using var conn = new SqliteConnection($"Data Source={path}");
        conn.Open();
        using (var index = conn.CreateCommand()) { index.CommandText = "CREATE INDEX IF NOT EXISTS bench_objects_id ON objects(id)"; index.ExecuteNonQuery(); }
        using var cmd = conn.CreateCommand();
        cmd.CommandText = "SELECT data FROM objects WHERE id = $id ORDER BY rowid DESC LIMIT 1";
        var p = cmd.Parameters.Add("$id", SqliteType.Text);
        var sw = Stopwatch.StartNew();
        foreach (var id in sample) { p.Value = id; if (cmd.ExecuteScalar() is not byte[]) throw new Exception("missing " + id); }
        perRead = sw.Elapsed.TotalMicroseconds / sample.Count;
    }
    else
    {
        using var store = new LiteDbStore(path, indexIds: true);
        var sw = Stopwatch.StartNew();
        foreach (var id in sample) if (store.ReadById(id) is null) throw new Exception("missing " + id);
        perRead = sw.Elapsed.TotalMicroseconds / sample.Count;
    }

    Console.WriteLine($"| {backend} | {payments / elapsed:0} | {latencies[latencies.Count / 2]:0.00} | {latencies[(int)(latencies.Count * 0.99)]:0.00} | " +
                      $"{size:0.0} | {restart.Elapsed.TotalSeconds:0.00} | {perRead:0.0} |");
}

static WebApplication Start(string backend, string path)
{
    var options = new MockProcessorOptions
    {
        Database = path, Seed = 1, Clock = ClockMode.Manual, StartTime = 1_800_000_000, LogLevel = "Warning", WebhookAutoDispatch = false,
    };
    var app = MockProcessorApp.Build(options, b =>
    {
        b.WebHost.UseTestServer();
        b.Services.AddSingleton(sp =>
        {
            IDurableStore store = backend == "sqlite" ? new SqliteStore(path) : new LiteDbStore(path, indexIds: true);
            return new ObjectStore(MockProcessor.Server.Resources.Registry.Schema(sp.GetRequiredService<WebhookDueQueue>(), sp.GetRequiredService<MockProcessor.Server.Resources.Events.EventFeed>()), store,
                sp.GetRequiredService<ILoggerFactory>().CreateLogger<ObjectStore>(), sp.GetRequiredService<TimerRegistry>());
        });
    });
    app.StartAsync().GetAwaiter().GetResult();
    return app;
}

static async Task<string> Pay(HttpClient client, int i)
{
    var r = await client.PostAsync("/v1/payment_intents", new FormUrlEncodedContent(new Dictionary<string, string>
    {
        ["amount"] = (1000 + i % 500).ToString(), ["currency"] = "usd", ["confirm"] = "true", ["payment_method"] = "pm_card_visa",
        ["allowed_payment_method_types[]"] = "card",
    }));
    var body = await r.Content.ReadAsStringAsync();
    if (!r.IsSuccessStatusCode) throw new Exception(body);
    return System.Text.Json.JsonDocument.Parse(body).RootElement.GetProperty("id").GetString()!;
}
