using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MockProcessor.Server.Hosting;
using MockProcessor.Server.Time;
using static MockProcessor.CommandLine;

namespace MockProcessor.Commands;

/// <summary><c>mockprocessor serve</c>: the emulator itself, its flags bound onto <see cref="MockProcessorOptions"/>.</summary>
public static class ServeCommand
{
    public static readonly Option<MockProcessorOptions>[] Options =
    [
        new("port", false, "TCP port (default 12111, stripe-mock's)", (o, v) => o.Port = Int(v, "port", 0, 65535)),
        new("host", false, "address to bind (default 127.0.0.1)", (o, v) => o.Host = v),
        new("db", false, "SQLite file (default ./mockprocessor.db), or PostgreSQL: postgres://user@host:port/db or Host=...;Database=... (docs/deploy.md)", (o, v) => o.Database = v),
        new("replica", true, "one of several replicas on one PostgreSQL --db, behind a load balancer (docs/deploy.md)", (o, v) => o.Replica = Bool(v)),
        new("in-memory", true, "keep everything in memory; write nothing to disk", (o, v) => o.InMemory = Bool(v)),
        new("cache-objects", false, "objects kept in memory when the store is a file (default 50000; 0 keeps all); the rest are read back on demand (docs/storage.md)",
            (o, v) => o.CacheObjects = Long(v) is var n && n >= 0 ? n : throw new ArgumentException("--cache-objects must be 0 or more")),
        new("no-index-snapshot", true, "with a file store, write no index snapshot at a clean stop and read every row at start (docs/storage.md)",
            (o, v) => o.IndexSnapshot = !Bool(v)),
        new("no-index-pages", true, "with a file store, keep the compact index in managed memory instead of pages of a scratch file beside it (docs/storage.md)",
            (o, v) => o.IndexPages = !Bool(v)),
        new("seed", false, "seed for deterministic ids", (o, v) => o.Seed = Long(v)),
        new("log-level", false, "Trace|Debug|Information|Warning|Error (default Information)", (o, v) => o.LogLevel = v),
        new("log-format", false, "text|json: one line per request, as text or as a JSON object (default text)", (o, v) => o.LogFormat = OneOf(v, "log-format", "text", "json")),
        new("otlp-endpoint", false, "also export metrics and traces over OTLP to this collector URL (e.g. http://localhost:4317)", (o, v) => o.OtlpEndpoint = Url(v)),
        new("otlp-protocol", false, "grpc|http: OTLP over gRPC (4317, default) or HTTP/protobuf (4318)", (o, v) => o.OtlpProtocol = OneOf(v, "otlp-protocol", "grpc", "http")),
        new("strict-keys", true, "refuse unseen sk_test_ keys instead of provisioning a merchant", (o, v) => o.StrictKeys = Bool(v)),
        new("dashboard-open", true, "the dashboard's sign-in page lists every merchant (loopback hosts only)", (o, v) => o.DashboardOpen = Bool(v)),
        new("clock", false, "realtime|manual (default realtime)", (o, v) => o.Clock = Enum.Parse<ClockMode>(v, ignoreCase: true)),
        new("start-time", false, "virtual time at start, Unix seconds", (o, v) => o.StartTime = Long(v)),
        new("api-version", false, "version rendered when a merchant has none", (o, v) => o.ApiVersion = Version(v)),
        new("webhook-retry", false, "webhook retry schedule: stripe (~3 days) | fast (1 s, 2 s, ... 32 s)", (o, v) => o.WebhookRetry = Schedule(v)),
        new("webhook-timeout", false, "seconds a webhook receiver may take to answer (default 10)", (o, v) => o.WebhookTimeoutSeconds = Int(v, "webhook-timeout", 1, 300)),
        new("files-dir", false, "directory for file contents (report results); default beside the database, ./mockprocessor.files with PostgreSQL",
            (o, v) => o.FilesDirectory = v),
        new("webhook-lease", false, "--replica: seconds a replica holds a claimed webhook delivery before another may take it (default 30)",
            (o, v) => o.WebhookLeaseSeconds = Int(v, "webhook-lease", 1, 3600)),
        new("rate-limit", false, "Stripe's test-mode rate limits per account (429 rate_limit): stripe (a bare --rate-limit: 25 requests/s, search 20/s...) | N requests/s | off (default)",
            (o, v) => o.RateLimit = RateLimit(v)) { BareValue = "stripe" },
        new("webhook-dispatch", false, "auto|manual: manual sends deliveries only on POST /_mock/webhooks/flush", (o, v) => o.WebhookAutoDispatch = Dispatch(v)),
    ];

    private static string Schedule(string v) =>
        Domain.Webhooks.RetrySchedule.Named(v) is not null ? v : throw new ArgumentException("--webhook-retry must be stripe or fast");

    private static string? RateLimit(string v) => Domain.Limits.RateLimitPolicy.Parse(v)?.Description;

    private static string Version(string v)
    {
        try { return Server.Wire.Versions.ApiVersions.Parse(v, out _).Name; }
        catch (Server.Wire.StripeException) { throw new ArgumentException($"--api-version {v} is not a released Stripe API version"); }
    }

    private static string OneOf(string v, string flag, params string[] allowed) =>
        allowed.Contains(v) ? v : throw new ArgumentException($"--{flag} must be {string.Join(" or ", allowed)}");

    private static string Url(string v) =>
        Uri.TryCreate(v, UriKind.Absolute, out var u) && u.Scheme is "http" or "https"
            ? v
            : throw new ArgumentException($"--otlp-endpoint must be an http:// or https:// URL, e.g. http://localhost:4317 (got {v})");

    private static bool Dispatch(string v) => v switch
    {
        "auto" => true,
        "manual" => false,
        _ => throw new ArgumentException("--webhook-dispatch must be auto or manual"),
    };

    public static readonly Command<MockProcessorOptions> Spec = new("serve", "run the emulator (the default command)", Options, RunAsync);

    private static async Task<int> RunAsync(MockProcessorOptions options, CancellationToken ct)
    {
        // The emulator keeps every object alive, so the heap only grows; blocking full collections of a large
        // heap were the tail of its latency. Background collections keep up with the allocation rate.
        System.Runtime.GCSettings.LatencyMode = System.Runtime.GCLatencyMode.SustainedLowLatency;
        if (options.DashboardOpen && !MockProcessorApp.IsLoopback(options.Host))
        {
            await Console.Error.WriteLineAsync($"mockprocessor: --dashboard-open needs a loopback --host (127.0.0.1, ::1 or localhost), not {options.Host}.");
            return 2;
        }
        // A claimed delivery's lease must outlast its attempt (twice the timeout with the duplicate fault), or another
        // replica may send a slow attempt again (docs/deploy.md, "Webhook deliveries: leased rows").
        if (options.Replica && options.WebhookLeaseSeconds <= 2 * options.WebhookTimeoutSeconds)
        {
            await Console.Error.WriteLineAsync($"mockprocessor: --webhook-lease ({options.WebhookLeaseSeconds} s) must be longer than twice " +
                $"--webhook-timeout ({options.WebhookTimeoutSeconds} s): a claimed delivery's lease has to outlast its attempt.");
            return 2;
        }
        // The host logs a failed start with its stack trace before rethrowing; the start is reported below instead.
        await using var app = MockProcessorApp.Build(options,
            b => b.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.None));
        try
        {
            await app.StartAsync(ct);
        }
        catch (IOException ex) when (ex.InnerException is AddressInUseException)
        {
            await Console.Error.WriteLineAsync(
                $"mockprocessor: port {options.Port} on {options.Host} is already in use; stop what is using it or choose another port with --port.");
            return 1;
        }
        // Ctrl-C and SIGTERM stop the host; the store flushes its write log on disposal.
        await app.WaitForShutdownAsync(ct);
        return 0;
    }
}
