using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Logging;
using MockProcessor.Server.Hosting;
using MockProcessor.Server.Time;
using static MockProcessor.CommandLine;

namespace MockProcessor.Commands;

/// <summary>
/// <c>mockprocessor seed</c>: fills a running emulator (<c>--base-url</c>) or a database file (<c>--db</c>, through an
/// emulator started in-process on it) with demo data made by <see cref="Seeder"/>.
/// </summary>
public static class SeedCommand
{
    public static readonly Command<SeedSettings> Spec = new(
        "seed", "fill a running emulator or a database file with realistic demo data (Bogus)",
        [
            new("base-url", false, "the running emulator to fill", (s, v) => s.BaseUrl = ClientSettings.AbsoluteHttp(v, "base-url")),
            new("db", false, "the SQLite file to fill (created if missing; must not be in use by a running emulator)", (s, v) => s.Database = v),
            new("merchants", false, "merchants to create (default 3)", (s, v) => s.Merchants = Int(v, "merchants", 1, 1000)),
            new("customers", false, "customers per merchant (default 25)", (s, v) => s.Customers = Int(v, "customers", 1, 100_000)),
            new("payments", false, "payments per merchant (default 150)", (s, v) => s.Payments = Int(v, "payments", 0, 1_000_000)),
            new("weeks", false, "weeks of history before now (default 4)", (s, v) => s.Weeks = Int(v, "weeks", 1, 520)),
            new("seed", false, "seed of the generated data (default 42); merchants' keys are sk_test_demo<seed>_<n>", (s, v) => s.Seed = Long(v)),
            new("now", false, "end of the history, Unix seconds (default: the emulator's clock; with --db, today 00:00 UTC)", (s, v) => s.Now = Long(v)),
        ],
        RunAsync,
        validate: s => (s.BaseUrl is null) == (s.Database is null) ? "seed needs exactly one of --base-url URL or --db PATH." : null);

    private static async Task<int> RunAsync(SeedSettings settings, CancellationToken ct)
    {
        try
        {
            // Seeder prints one line per merchant: its key, account and what it got.
            _ = settings.Database is { } db ? await IntoDatabase(settings, db, ct) : await IntoRunning(settings, ct);
            return 0;
        }
        catch (Exception ex) when (ClientSettings.IsCallFailure(ex))
        {
            await Console.Error.WriteLineAsync("Seeding failed: " + ClientSettings.Explain(ex, settings.BaseUrl ?? settings.Database ?? ""));
            return 1;
        }
    }

    private static async Task<List<SeededMerchant>> IntoRunning(SeedSettings settings, CancellationToken ct)
    {
        using var http = new HttpClient { BaseAddress = new Uri(settings.BaseUrl!.TrimEnd('/') + "/"), Timeout = TimeSpan.FromSeconds(60) };
        return await Run(http, settings, ct);
    }

    public static Task<List<SeededMerchant>> Run(HttpClient http, SeedSettings settings, CancellationToken ct) =>
        new Seeder(new EmulatorClient(http, ""), key => new EmulatorClient(http, key), settings, Console.Out).RunAsync(ct);

    /// <summary>An emulator on the file, in this process, with a manual clock standing at the end of the history.</summary>
    private static async Task<List<SeededMerchant>> IntoDatabase(SeedSettings settings, string db, CancellationToken ct)
    {
        var now = settings.Now ?? DateTimeOffset.UtcNow.ToUnixTimeSeconds() / 86_400 * 86_400;
        var options = new MockProcessorOptions
        {
            Database = db, Seed = settings.Seed, Clock = ClockMode.Manual, StartTime = now, LogLevel = "Warning", WebhookAutoDispatch = false,
        };
        await using var app = MockProcessorApp.Build(options, b =>
        {
            b.WebHost.UseTestServer();
            b.Logging.ClearProviders();
        });
        await app.StartAsync(ct);
        using var http = app.GetTestServer().CreateClient();
        var result = await Run(http, new SeedSettings
        {
            Merchants = settings.Merchants, Customers = settings.Customers, Payments = settings.Payments, Weeks = settings.Weeks,
            Seed = settings.Seed, Now = now,
        }, ct);
        await app.StopAsync(ct);
        return result;
    }
}
