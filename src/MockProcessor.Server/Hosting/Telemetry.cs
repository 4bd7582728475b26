using System.Diagnostics;
using System.Diagnostics.Metrics;
using MockProcessor.Domain.CardNetwork;
using MockProcessor.Server.Storage;
using MockProcessor.Server.Webhooks;

namespace MockProcessor.Server.Hosting;

/// <summary>The identity of one app's meter (see <see cref="Telemetry"/>), made before the meter so that the export view can name it.</summary>
public sealed class TelemetryScope;

/// <summary>
/// The emulator's instruments (docs/observability.md), one per app: <see cref="System.Diagnostics.Metrics"/> and an
/// <see cref="ActivitySource"/>, both named <see cref="Name"/>, exported through OpenTelemetry (<see cref="TelemetrySetup"/>).
/// Recording costs no lock and no allocation beyond the tag list; the observable instruments (queue length, store size,
/// commits) are read only when something scrapes.
/// </summary>
public sealed class Telemetry : IDisposable
{
    public const string Name = "MockProcessor";

    // Status codes as boxed objects made once: a TagList value is an object, and boxing per request is an allocation.
    private static readonly object[] BoxedStatus = Enumerable.Range(0, 600).Select(i => (object)i).ToArray();
    private static readonly object[] BoxedAttempt = Enumerable.Range(0, 64).Select(i => (object)i).ToArray();

    // Seconds; the default OpenTelemetry buckets (0 to 10,000) suit milliseconds, not an emulator answering in 1 ms.
    private static readonly double[] LatencyBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private readonly Counter<long> _requests;
    private readonly Histogram<double> _duration;
    private readonly Counter<long> _idempotency;
    private readonly Counter<long> _decisions;
    private readonly Counter<long> _deliveries;
    private readonly Counter<long> _timers;
    private readonly Counter<long> _rateLimited;

    public Telemetry(TelemetryScope scope, WebhookDueQueue due, ObjectStore store)
    {
        var version = typeof(Telemetry).Assembly.GetName().Version?.ToString();
        // Scope: this app. Every MeterProvider in the process sees every meter named "MockProcessor"; the view in
        // TelemetrySetup keeps only its own app's, so two emulators in one test process do not add up.
        Meter = new Meter(new MeterOptions(Name) { Version = version, Scope = scope });
        Source = new ActivitySource(Name, version);
        _requests = Meter.CreateCounter<long>("mockprocessor.requests", "{request}",
            "API requests answered (/v1 and /_mock routes), by route template, method and status.");
        _duration = Meter.CreateHistogram("mockprocessor.request.duration", "s",
            "Time from the request's arrival in the pipeline to its answer, by route template, method and status.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBuckets });
        _idempotency = Meter.CreateCounter<long>("mockprocessor.idempotency.lookups", "{lookup}",
            "POST requests with an Idempotency-Key: result=replay (a stored answer was returned) or executed.");
        _decisions = Meter.CreateCounter<long>("mockprocessor.card_network.decisions", "{decision}",
            "Authorization attempts decided by the simulated card network (or Radar), by outcome.");
        _deliveries = Meter.CreateCounter<long>("mockprocessor.webhook.deliveries", "{attempt}",
            "Webhook delivery attempts, by outcome and attempt number (1 = first try).");
        _timers = Meter.CreateCounter<long>("mockprocessor.timers.fired", "{timer}",
            "Time-driven work fired by the time driver (authorization expiry, settlement, dispute deadlines...), by timer.");
        _rateLimited = Meter.CreateCounter<long>("mockprocessor.rate_limit.rejections", "{request}",
            "Requests refused with a 429 by --rate-limit, by limit (global, search, files_read...) and reason (global-rate, endpoint-rate).");
        Meter.CreateObservableGauge("mockprocessor.webhook.queue.length",
            () => due.Count, "{delivery}",
            "Webhook deliveries scheduled (due now or at a later retry), over all merchants.");
        Meter.CreateObservableCounter("mockprocessor.store.commits",
            () => store.Commits, "{commit}",
            "Group commits written to the durable store (0 with --in-memory).");
        Meter.CreateObservableGauge("mockprocessor.store.objects",
            () => StoreSize(store), "{object}",
            "Objects held in memory, by type (current versions, over all merchants).");
    }

    public Meter Meter { get; }
    public ActivitySource Source { get; }

    public void Request(string route, string method, int status, double seconds, bool? replayed)
    {
        if (_requests.Enabled || _duration.Enabled)
        {
            var tags = new TagList
            {
                { "http.route", route },
                { "http.request.method", method },
                { "http.response.status_code", (uint)status < BoxedStatus.Length ? BoxedStatus[status] : status },
            };
            _requests.Add(1, tags);
            _duration.Record(seconds, tags);
        }
        if (replayed is { } r && _idempotency.Enabled)
            _idempotency.Add(1, new KeyValuePair<string, object?>("result", r ? "replay" : "executed"));
    }

    /// <summary>An attempt the network (or Radar) answered at once; a scripted timeout counts as <c>timed_out</c>.</summary>
    public void Decision(NetworkDecision decision)
    {
        if (!_decisions.Enabled) return;
        Decided(decision switch
        {
            NetworkDecision.Approved => "approved",
            NetworkDecision.Declined => "declined",
            NetworkDecision.Blocked => "blocked",
            NetworkDecision.RequiresAuthentication => "requires_authentication",
            NetworkDecision.TimedOut => "timed_out",
            _ => "other",
        }, late: false);
    }

    /// <summary>The network's late answer to a timed-out attempt (the settlement timer).</summary>
    public void LateAnswer(CardFailure? failure)
    {
        if (_decisions.Enabled) Decided(failure is null ? "approved" : "declined", late: true);
    }

    // No decline_code label: network rules take any string as a decline code, and a label's values must stay few.
    private void Decided(string outcome, bool late) =>
        _decisions.Add(1, new TagList { { "outcome", outcome }, { "late", late ? "true" : "false" } });

    public void Delivery(string outcome, int attempt)
    {
        if (_deliveries.Enabled)
            _deliveries.Add(1, new TagList { { "outcome", outcome }, { "attempt", (uint)attempt < BoxedAttempt.Length ? BoxedAttempt[attempt] : attempt } });
    }

    public void TimerFired(string timer)
    {
        if (_timers.Enabled) _timers.Add(1, new KeyValuePair<string, object?>("timer", timer));
    }

    /// <summary>A request <c>--rate-limit</c> refused (docs/rate-limits.md).</summary>
    public void RateLimited(string limit, string reason)
    {
        if (_rateLimited.Enabled) _rateLimited.Add(1, new TagList { { "limit", limit }, { "reason", reason } });
    }

    // At scrape time only: each merchant's lock briefly, as GET /_mock/stats does.
    private static IEnumerable<Measurement<long>> StoreSize(ObjectStore store)
    {
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var account in store.Accounts)
            lock (account.Gate)
                foreach (var (type, n) in account.CountsByType())
                    counts[type] = counts.GetValueOrDefault(type) + n;
        return counts.Select(kv => new Measurement<long>(kv.Value, new KeyValuePair<string, object?>("type", kv.Key)));
    }

    public void Dispose()
    {
        Meter.Dispose();
        Source.Dispose();
    }
}
