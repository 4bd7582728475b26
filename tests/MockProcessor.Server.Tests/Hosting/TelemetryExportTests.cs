using System.Net;
using System.Text;
using MockProcessor.Server.Hosting;
using MockProcessor.Server.Tests.Storage;
using MockProcessor.Server.Time;

namespace MockProcessor.Server.Tests.Hosting;

/// <summary>/metrics with a database file, and OTLP export with <c>--otlp-endpoint</c> (docs/observability.md).</summary>
public sealed class TelemetryExportTests
{
    [Fact]
    public async Task With_a_database_file_metrics_show_group_commits_and_the_stored_objects()
    {
        using var file = new TempSqliteDb("metrics");
        var db = file.Path;
        await using var app = new TestApp(o => { o.InMemory = false; o.Database = db; });
        var c = app.Client("sk_test_filemode");
        for (var i = 0; i < 3; i++) await (await c.PostFormAsync("/v1/customers", ("name", $"c{i}"))).OkAsync();
        var scrape = PrometheusText.Parse(await app.Client("").GetStringAsync("/metrics"));

        Assert.Equal(3, scrape.Value("mockprocessor_store_objects", ("type", "customer")));
        Assert.True(scrape.Value("mockprocessor_store_commits_total") >= 1);
        Assert.Equal("counter", scrape.Types["mockprocessor_store_commits_total"]);
    }

    [Fact]
    public async Task An_otlp_endpoint_receives_the_request_spans_and_the_metrics()
    {
        // A stand-in OTLP/HTTP collector: it keeps every body posted to it (protobuf, whose strings are plain UTF-8).
        var port = DurabilityTests.FreePort();
        using var collector = new HttpListener();
        collector.Prefixes.Add($"http://127.0.0.1:{port}/");
        collector.Start();
        var received = new List<(string Path, string Body)>();
        var listening = Task.Run(async () =>
        {
            while (collector.IsListening)
            {
                HttpListenerContext ctx;
                try { ctx = await collector.GetContextAsync(); }
                catch (Exception) { return; }
                using var ms = new MemoryStream();
                await ctx.Request.InputStream.CopyToAsync(ms);
                lock (received) received.Add((ctx.Request.Url!.AbsolutePath, Encoding.UTF8.GetString(ms.ToArray())));
                ctx.Response.StatusCode = 200;
                ctx.Response.Close();
            }
        });

        string requestId;
        await using (var app = new TestApp(o => { o.OtlpEndpoint = $"http://127.0.0.1:{port}"; o.OtlpProtocol = "http"; }))
        {
            var response = await app.Client("sk_test_otlp").PostFormAsync("/v1/customers", ("name", "Traced"));
            await response.OkAsync();
            requestId = response.Headers.GetValues("Request-Id").Single();
        } // disposing the app flushes both exporters

        collector.Stop();
        await listening;
        var traces = string.Concat(received.Where(r => r.Path == "/v1/traces").Select(r => r.Body));
        var metrics = string.Concat(received.Where(r => r.Path == "/v1/metrics").Select(r => r.Body));
        Assert.Contains("POST /v1/customers", traces);
        Assert.Contains("mockprocessor.request_id", traces);
        Assert.Contains(requestId, traces);
        Assert.Contains("mockprocessor.account", traces);
        Assert.DoesNotContain("sk_test_otlp", traces);
        Assert.Contains("mockprocessor.requests", metrics);
    }
}
