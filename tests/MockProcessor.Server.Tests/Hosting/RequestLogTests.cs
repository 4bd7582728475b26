using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;
using MockProcessor.Server.Hosting;
using MockProcessor.Server.Tests.Storage;
using MockProcessor.Server.Time;

namespace MockProcessor.Server.Tests.Hosting;

/// <summary>The one log line per request (docs/observability.md), as JSON, and what it must never carry.</summary>
public sealed class RequestLogTests : IAsyncLifetime
{
    private const string Key = "sk_test_LogLineSecretSuffix42";
    private const string CardNumber = "4000056655665556";
    private readonly CapturingLoggerProvider _logs = new();
    private readonly TestApp _app;

    public RequestLogTests() =>
        _app = new TestApp(o => { o.LogLevel = "Information"; o.LogFormat = "json"; }, b => b.Logging.AddProvider(_logs));

    public Task InitializeAsync() => Task.CompletedTask;
    public async Task DisposeAsync() => await _app.DisposeAsync();

    private List<JsonObject> JsonRequestLines()
    {
        var options = _app.Services.GetRequiredService<IOptionsMonitor<ConsoleLoggerOptions>>().CurrentValue;
        Assert.Equal(ConsoleFormatterNames.Json, options.FormatterName);
        var json = _app.Services.GetServices<ConsoleFormatter>().Single(f => f.Name == options.FormatterName);
        return _logs.Entries.Where(e => e.Category == "MockProcessor.Server.Wire.StripeApi" && e.EventId.Id == 1)
            .Select(e => JsonNode.Parse(e.Format(json))!.AsObject()).ToList();
    }

    [Fact]
    public async Task Each_request_is_one_json_line_with_route_template_merchant_status_duration_and_replay()
    {
        var c = _app.Client(Key);
        var pm = await (await c.PostFormAsync("/v1/payment_methods?expand[]=customer", ("type", "card"), ("card[number]", CardNumber),
            ("card[exp_month]", "12"), ("card[exp_year]", "2031"), ("card[cvc]", "314"))).OkAsync();
        var pmId = (string)pm["id"]!;
        await (await c.GetAsync($"/v1/payment_methods/{pmId}")).OkAsync();
        await (await c.PostRawAsync("/v1/customers", "name=Twice", idempotencyKey: "log-key")).OkAsync();
        await (await c.PostRawAsync("/v1/customers", "name=Twice", idempotencyKey: "log-key")).OkAsync();

        var lines = JsonRequestLines();
        Assert.Equal(4, lines.Count);
        var state = lines.Select(l => l["State"]!.AsObject()).ToList();
        Assert.All(lines, l => Assert.Equal("Information", (string)l["LogLevel"]!));
        Assert.Equal(["/v1/payment_methods", "/v1/payment_methods/{id}", "/v1/customers", "/v1/customers"],
            state.Select(s => (string)s["Route"]!));
        Assert.Equal(["POST", "GET", "POST", "POST"], state.Select(s => (string)s["Method"]!));
        Assert.All(state, s => Assert.Equal(200, (int)s["Status"]!));
        Assert.All(state, s => Assert.True((double)s["DurationMs"]! >= 0));
        Assert.All(state, s => Assert.Matches("^req_[A-Za-z0-9]{14}$", (string)s["RequestId"]!));
        Assert.Equal(4, state.Select(s => (string)s["RequestId"]!).Distinct().Count());
        Assert.All(state, s => Assert.Matches("^acct_[A-Za-z0-9]{16}$", (string)s["AccountId"]!));
        Assert.Equal([false, false, false, true], state.Select(s => (bool)s["IdempotencyReplayed"]!));

        // Nothing that identifies the caller's secret or card, and no raw path with an id.
        var all = string.Join("\n", _logs.Entries.Select(e => e.Message + " " + string.Join(" ", e.State.Values)));
        var printed = string.Join("\n", lines.Select(l => l.ToJsonString()));
        foreach (var text in new[] { all, printed })
        {
            Assert.DoesNotContain("LogLineSecretSuffix42", text);
            Assert.DoesNotContain(CardNumber, text);
            Assert.DoesNotContain(pmId, text);
            Assert.DoesNotContain("expand", text);
        }
    }

    [Fact]
    public async Task A_client_hanging_up_mid_body_is_a_debug_line_not_an_error()
    {
        var logs = new CapturingLoggerProvider();
        var options = new MockProcessorOptions
        {
            InMemory = true, Port = DurabilityTests.FreePort(), Clock = ClockMode.Manual, StartTime = TestApp.StartTime, LogLevel = "Debug",
        };
        await using var app = MockProcessorApp.Build(options, b => b.Logging.AddProvider(logs));
        await app.StartAsync();

        // Over a real socket: announce 1,000 bytes of body, send 20, and close the connection.
        for (var i = 0; i < 3; i++)
        {
            using var socket = new TcpClient();
            await socket.ConnectAsync("127.0.0.1", options.Port);
            var stream = socket.GetStream();
            var head = "POST /v1/customers HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer sk_test_hangup\r\n" +
                "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\nname=Half&descriptio";
            await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
            await stream.FlushAsync();
            socket.Client.Shutdown(SocketShutdown.Send);
            // Whatever the server does (answer 400 or close), wait for it to finish with this connection.
            var buffer = new byte[4096];
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try { while (await stream.ReadAsync(buffer, timeout.Token) > 0) { } }
            catch (IOException) { }
        }
        // The server still answers normally afterwards.
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{options.Port}") };
        http.DefaultRequestHeaders.Add("Authorization", "Bearer sk_test_hangup");
        await (await http.PostFormAsync("/v1/customers", ("name", "Whole"))).OkAsync();
        await app.StopAsync();

        var entries = logs.Entries;
        Assert.DoesNotContain(entries, e => e.Level >= LogLevel.Warning);
        Assert.DoesNotContain(entries, e => e.Exception is not null);
        var wentAway = entries.Where(e => e.Category == "MockProcessor.Server.Wire.StripeApi" && e.EventId.Id == 2).ToList();
        Assert.Equal(3, wentAway.Count);
        Assert.All(wentAway, e => Assert.Equal(LogLevel.Debug, e.Level));
        Assert.All(wentAway, e => Assert.Equal("/v1/customers", (string)e.State["Route"]!));
        var lines = entries.Where(e => e.Category == "MockProcessor.Server.Wire.StripeApi" && e.EventId.Id == 1).ToList();
        Assert.Equal(4, lines.Count);
        Assert.Equal(1, lines.Count(e => (int)e.State["Status"]! == 200));
    }
}
