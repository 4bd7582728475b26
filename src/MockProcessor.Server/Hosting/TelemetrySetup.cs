using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace MockProcessor.Server.Hosting;

/// <summary>
/// How the instruments of <see cref="Telemetry"/> leave the process (docs/observability.md): always a Prometheus text
/// endpoint at <see cref="MetricsPath"/>; with <c>--otlp-endpoint</c>, OTLP for metrics and traces as well. The log format
/// (<c>--log-format</c>) is chosen here too.
/// </summary>
public static class TelemetrySetup
{
    public const string MetricsPath = "/metrics";

    /// <summary>The .NET runtime's own meter (GC, heap, thread pool, exceptions), published by .NET 9 and later.</summary>
    public const string RuntimeMeter = "System.Runtime";

    public static IServiceCollection AddMockProcessorTelemetry(this IServiceCollection services, MockProcessorOptions options)
    {
        var scope = new TelemetryScope();
        services.AddSingleton(scope);
        services.AddSingleton<Telemetry>();
        var version = typeof(Telemetry).Assembly.GetName().Version?.ToString();
        var otel = services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService("mockprocessor", serviceVersion: version, autoGenerateServiceInstanceId: false))
            .WithMetrics(m =>
        {
            m.AddMeter(Telemetry.Name, RuntimeMeter);
            // Every MeterProvider sees every meter of the name in the process: keep this app's, drop other emulators'.
            m.AddView(i => i.Meter.Name == Telemetry.Name && !ReferenceEquals(i.Meter.Scope, scope) ? MetricStreamConfiguration.Drop : null);
            // No response cache: a scrape right after a call must see it (the default caches for 300 ms).
            m.AddPrometheusExporter(o => o.ScrapeResponseCacheDurationMilliseconds = 0);
            if (options.OtlpEndpoint is { } endpoint) m.AddOtlpExporter(o => Otlp(o, endpoint, options.OtlpProtocol, "v1/metrics"));
        });
        // Traces only go somewhere with OTLP; without a listener no Activity is even created.
        if (options.OtlpEndpoint is { } traces)
            otel.WithTracing(t => t
                .AddSource(Telemetry.Name)
                .AddAspNetCoreInstrumentation(o => o.RecordException = false)
                .AddOtlpExporter(o => Otlp(o, traces, options.OtlpProtocol, "v1/traces")));
        return services;
    }

    private static void Otlp(OtlpExporterOptions o, string endpoint, string protocol, string signalPath)
    {
        var http = protocol == "http";
        o.Protocol = http ? OtlpExportProtocol.HttpProtobuf : OtlpExportProtocol.Grpc;
        // Over HTTP the exporter posts to the URL as given, so the signal's path is added here (as the
        // OTEL_EXPORTER_OTLP_ENDPOINT environment variable would add it).
        o.Endpoint = http ? new Uri(endpoint.TrimEnd('/') + "/" + signalPath) : new Uri(endpoint);
    }

    /// <summary><c>--log-format</c>: <c>text</c> (one line per entry) or <c>json</c> (one JSON object per entry, fields as named in the message).</summary>
    public static void ConfigureLogFormat(ILoggingBuilder logging, string format)
    {
        if (format == "json")
            logging.AddJsonConsole(o =>
            {
                o.IncludeScopes = false;
                o.UseUtcTimestamp = true;
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
            });
        else
            logging.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.UseUtcTimestamp = true;
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
            });
    }

    public static WebApplication MapMetrics(this WebApplication app)
    {
        app.MapPrometheusScrapingEndpoint(MetricsPath);
        return app;
    }
}
