using System.Collections;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using MockProcessor.Commands;

namespace MockProcessor.Cli.Tests;

public class EventsCommandTests
{
    private const string Key = "sk_test_events_cli";

    [Fact]
    public async Task Follow_prints_every_event_once_in_order_across_an_emulator_restart_and_resuming_prints_the_rest()
    {
        var dir = Directory.CreateTempSubdirectory("mockprocessor-events-cli-");
        var db = Path.Combine(dir.FullName, "feed.db");
        var port = FreePort();
        var url = $"http://127.0.0.1:{port}";
        using var api = new HttpClient { BaseAddress = new Uri(url) };
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Key);
        var output = new Lines();
        using var stop = new CancellationTokenSource();
        Process? emulator = null;
        Task<int>? follow = null;
        try
        {
            emulator = await StartEmulatorAsync(port, db, api);
            await MakeEventsAsync(api, "before");
            var settings = Parse(["events", "--follow", "--format", "ndjson", "--api-key", Key, "--base-url", url]);
            using var streamClient = new HttpClient { BaseAddress = new Uri(url + "/"), Timeout = Timeout.InfiniteTimeSpan };
            follow = EventsCommand.RunAsync(settings, streamClient, output, TextWriter.Null, stop.Token, retryDelay: TimeSpan.FromMilliseconds(200));
            var before = await ListedOldestFirst(api);
            await output.WaitForAsync(before.Count);

            // kill -9: what was acknowledged is durable; the follower reconnects with Last-Event-ID once the emulator is back.
            emulator.Kill(entireProcessTree: true);
            await emulator.WaitForExitAsync();
            emulator.Dispose();
            emulator = await StartEmulatorAsync(port, db, api);
            await MakeEventsAsync(api, "after");
            var all = await ListedOldestFirst(api);
            Assert.True(all.Count > before.Count + 3);
            await output.WaitForAsync(all.Count);
            await stop.CancelAsync();
            Assert.Equal(0, await follow);

            var lines = output.All.Select(l => JsonNode.Parse(l)!.AsObject()).ToList();
            Assert.Equal(all, lines.Select(l => (string)l["id"]!)); // complete, in commit order, none twice
            var positions = lines.Select(l => (long)l["position"]!).ToList();
            Assert.Equal(positions.Order(), positions);
            Assert.Equal(positions.Count, positions.Distinct().Count());
            Assert.All(lines, l => Assert.Equal("event", (string)l["object"]!));

            // Resuming from a line's position prints exactly the lines after it (and, without --follow, exits).
            var at = before.Count - 2;
            var rest = new Lines();
            var code = await EventsCommand.RunAsync(Parse(["events", "--after", positions[at].ToString(), "--api-key", Key, "--base-url", url]),
                api, rest, TextWriter.Null, CancellationToken.None);
            Assert.Equal(0, code);
            Assert.Equal(output.All.Skip(at + 1), rest.All);

            // --type and --format text: one readable line per matching event.
            var text = new Lines();
            Assert.Equal(0, await EventsCommand.RunAsync(Parse(["events", "--type", "customer.*", "--format", "text", "--api-key", Key, "--base-url", url]),
                api, text, TextWriter.Null, CancellationToken.None));
            var customerEvents = lines.Where(l => ((string)l["type"]!).StartsWith("customer.", StringComparison.Ordinal)).ToList();
            Assert.Equal(2, customerEvents.Count);
            Assert.Equal(customerEvents.Select(l => $"{l["position"]} "), text.All.Select(t => t[..(t.IndexOf(' ') + 1)]));
            Assert.All(text.All, t => Assert.Contains(" customer.created ", t));
        }
        finally
        {
            await stop.CancelAsync();
            if (follow is not null) await Task.WhenAny(follow, Task.Delay(TimeSpan.FromSeconds(10)));
            if (emulator is not null)
            {
                try { emulator.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
                emulator.Dispose();
            }
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task A_refused_key_is_one_line_and_exit_code_1()
    {
        await using var emulator = new TestEmulator(o => o.StrictKeys = true);
        var errors = new StringWriter();
        var code = await EventsCommand.RunAsync(Parse(["events", "--follow", "--api-key", "sk_test_nobody"]), emulator.Client(), TextWriter.Null,
            errors, CancellationToken.None);
        Assert.Equal(1, code);
        Assert.StartsWith("The emulator answered 401", errors.ToString());
    }

    [Fact]
    public void Options_are_checked()
    {
        Assert.NotNull(CommandLine.Parse(Program.Commands, ["events", "--format", "xml"], new Hashtable()).Error);
        Assert.NotNull(CommandLine.Parse(Program.Commands, ["events", "--after", "evt_1"], new Hashtable()).Error);
        var s = Parse(["events", "--type", "charge.*", "--type", "refund.created"]);
        Assert.Equal(["charge.*", "refund.created"], s.Types);
        Assert.False(s.Follow);
    }

    private static EventsSettings Parse(string[] args)
    {
        var parsed = CommandLine.Parse(Program.Commands, args, new Hashtable());
        Assert.Null(parsed.Error);
        return (EventsSettings)parsed.Settings!;
    }

    private static async Task MakeEventsAsync(HttpClient api, string tag)
    {
        await (await api.PostAsync("/v1/customers", Form(("email", $"{tag}@example.com")))).EnsureOkAsync();
        await (await api.PostAsync("/v1/payment_intents", Form(("amount", "1500"), ("currency", "usd"), ("confirm", "true"),
            ("payment_method", "pm_card_visa"), ("allowed_payment_method_types[]", "card")))).EnsureOkAsync();
    }

    private static FormUrlEncodedContent Form(params (string K, string V)[] f) => new(f.Select(x => KeyValuePair.Create(x.K, x.V)));

    private static async Task<List<string>> ListedOldestFirst(HttpClient api) =>
        JsonNode.Parse(await (await api.GetAsync("/v1/events?limit=100")).EnsureOkAsync())!["data"]!.AsArray()
            .Select(e => (string)e!["id"]!).Reverse().ToList();

    private static async Task<Process> StartEmulatorAsync(int port, string db, HttpClient api)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "mockprocessor.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { dll, "serve", "--port", port.ToString(), "--db", db, "--seed", "11", "--log-level", "Warning" }) start.ArgumentList.Add(a);
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline && !process.HasExited)
        {
            try
            {
                if ((await api.GetAsync("/healthz")).IsSuccessStatusCode) return process;
            }
            catch (HttpRequestException) { }
            await Task.Delay(100);
        }
        throw new InvalidOperationException("the emulator did not start");
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    /// <summary>A TextWriter keeping whole lines, safe to read while the command writes.</summary>
    private sealed class Lines : TextWriter
    {
        private readonly List<string> _lines = [];
        private readonly System.Text.StringBuilder _current = new();
        public override System.Text.Encoding Encoding => System.Text.Encoding.UTF8;
        public List<string> All { get { lock (_lines) return _lines.ToList(); } }

        public override void Write(char value)
        {
            lock (_lines)
            {
                if (value == '\n') { _lines.Add(_current.ToString().TrimEnd('\r')); _current.Clear(); }
                else _current.Append(value);
            }
        }

        public override void WriteLine(string? value)
        {
            lock (_lines) _lines.Add(value ?? "");
        }

        public override Task WriteLineAsync(string? value)
        {
            WriteLine(value);
            return Task.CompletedTask;
        }

        public async Task WaitForAsync(int count)
        {
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (All.Count < count && DateTime.UtcNow < deadline) await Task.Delay(50);
            Assert.True(All.Count >= count, $"expected {count} lines, got {All.Count}");
        }
    }
}

internal static class HttpAnswers
{
    public static async Task<string> EnsureOkAsync(this HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {body}");
        return body;
    }
}
