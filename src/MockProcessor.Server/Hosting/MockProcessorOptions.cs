using MockProcessor.Server.Time;

namespace MockProcessor.Server.Hosting;

/// <summary>
/// Every setting of the emulator, in one place. Defaults are set here; the command line
/// (<c>--port</c>, <c>--db</c>...) and <c>MOCKPROCESSOR_*</c> environment variables bind onto the same names.
/// </summary>
public sealed class MockProcessorOptions
{
    public const string DefaultApiVersion = "2026-10-28.endive";

    public string Host { get; set; } = "127.0.0.1";
    public int Port { get; set; } = 12111;
    public string Database { get; set; } = "./mockprocessor.db";
    public bool InMemory { get; set; }
    /// <summary>
    /// Committed object versions kept in memory with a file store (0: all); older ones are dropped and read back from the
    /// store on demand, so memory stays bounded however long the history (docs/storage.md, "Cold objects").
    /// </summary>
    public long CacheObjects { get; set; } = 50_000;
    /// <summary>
    /// Whether a clean stop writes the index snapshot beside a file store and the next start reads it instead of every
    /// row (docs/storage.md, "Index snapshot at a clean stop").
    /// </summary>
    public bool IndexSnapshot { get; set; } = true;
    /// <summary>
    /// Whether a file store keeps its compact index in pages of a scratch file beside the database, which the kernel can
    /// write back and drop, instead of managed memory (docs/storage.md, "Index pages in a file").
    /// </summary>
    public bool IndexPages { get; set; } = true;
    /// <summary>
    /// Objects a clock advance stages before committing them and going on (its later work sees the earlier): a year of
    /// renewals neither builds one huge write nor holds all of it in memory (docs/time.md).
    /// </summary>
    public int AdvanceCommitObjects { get; set; } = 4_096;
    /// <summary>
    /// A clock advance that committed at least this many parts (0: never) ends, once they are durable, with a compacting
    /// garbage collection that hands the memory the burst left free back to the system (docs/time.md).
    /// </summary>
    public int CompactHeapAfterParts { get; set; } = 16;
    /// <summary>
    /// Replica mode (<c>--replica</c>, docs/deploy.md): one of several emulator processes on one PostgreSQL database
    /// (<see cref="Database"/> must name one), coordinating through it only.
    /// </summary>
    public bool Replica { get; set; }
    public long? Seed { get; set; }
    public string LogLevel { get; set; } = "Information";
    /// <summary><c>text</c> (one line per entry) or <c>json</c> (one JSON object per line): docs/observability.md.</summary>
    public string LogFormat { get; set; } = "text";
    /// <summary>An OTLP collector (e.g. <c>http://localhost:4317</c>); when set, metrics and traces are also exported there.</summary>
    public string? OtlpEndpoint { get; set; }
    /// <summary><c>grpc</c> (default, port 4317) or <c>http</c> (OTLP/HTTP protobuf, port 4318).</summary>
    public string OtlpProtocol { get; set; } = "grpc";
    /// <summary>When set, unseen sk_test_ keys are refused instead of provisioning a merchant.</summary>
    public bool StrictKeys { get; set; }
    /// <summary>
    /// The dashboard's sign-in page lists every merchant instead of asking for a key (docs/dashboard.md). Refused at
    /// start-up unless <see cref="Host"/> is a loopback address: anyone who reaches the page sees every merchant.
    /// </summary>
    public bool DashboardOpen { get; set; }
    public ClockMode Clock { get; set; } = ClockMode.Realtime;
    /// <summary>Start of virtual time (Unix seconds); defaults to the wall clock at start-up.</summary>
    public long? StartTime { get; set; }
    /// <summary>Version used to render responses when a request sends none and its merchant has none yet.</summary>
    public string ApiVersion { get; set; } = DefaultApiVersion;
    /// <summary>
    /// A development aid for the emulator's own tests: a handler reading a parameter its route does not declare
    /// (<see cref="Wire.ApiRoute.Params"/>) fails loudly instead of that parameter being refused as unknown.
    /// </summary>
    public bool VerifyParameterDeclarations { get; set; }
    public TimeSpan IdempotencyRetention { get; set; } = TimeSpan.FromHours(24);
    public long MaxBodyBytes { get; set; } = 1 << 20;
    /// <summary>Webhook retry schedule: <c>stripe</c> (about three days) or <c>fast</c> (seconds). See docs/webhooks.md.</summary>
    public string WebhookRetry { get; set; } = "stripe";
    /// <summary>Seconds a receiver may take to answer a delivery before the attempt counts as failed.</summary>
    public int WebhookTimeoutSeconds { get; set; } = 10;
    /// <summary>
    /// Replica mode (docs/deploy.md): seconds a replica holds a claimed delivery before another replica may take it
    /// (the lease). Longer than an attempt (twice <see cref="WebhookTimeoutSeconds"/> with the duplicate fault), or a slow
    /// attempt may be sent again by another replica.
    /// </summary>
    public int WebhookLeaseSeconds { get; set; } = 30;
    /// <summary>
    /// Where <c>file_…</c> contents are kept on disk (<c>--files-dir</c>); null: beside a SQLite database, in the working
    /// directory's <c>mockprocessor.files</c> with PostgreSQL, a temporary directory with <c>--in-memory</c>.
    /// </summary>
    public string? FilesDirectory { get; set; }
    /// <summary>Real time between keep-alive comments on an idle event stream (docs/event-feed.md).</summary>
    public TimeSpan EventStreamKeepAlive { get; set; } = TimeSpan.FromSeconds(15);
    /// <summary>Deliveries in flight at once, over all merchants; a slow receiver holds one slot until its timeout.</summary>
    public int WebhookConcurrency { get; set; } = 32;
    /// <summary>
    /// <c>--rate-limit</c> (docs/rate-limits.md): null/<c>off</c> (default), <c>stripe</c> (Stripe's test-mode limits per
    /// account), or a number of requests a second per account. Parsed by <see cref="Domain.Limits.RateLimitPolicy.Parse"/>.
    /// </summary>
    public string? RateLimit { get; set; }
    /// <summary>When false, deliveries are sent only by <c>POST /_mock/webhooks/flush</c> (deterministic CI runs, tests).</summary>
    public bool WebhookAutoDispatch { get; set; } = true;
}
