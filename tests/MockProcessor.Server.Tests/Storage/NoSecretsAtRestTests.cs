using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Logging;
using MockProcessor.Server.Hosting;
using MockProcessor.Server.Time;

namespace MockProcessor.Server.Tests.Storage;

/// <summary>
/// Issue 12, defect 3: no full card number, CVC or secret API key is written to the database file (its WAL, or a
/// stored response) or to a log line. The emulator runs on a file database with logs captured at Information level;
/// afterwards the raw bytes are scanned.
/// </summary>
public class NoSecretsAtRestTests
{
    private const string Card = "4242424242424242";
    private const string Cvc = "987";
    // An auto-provisioned merchant: the suffix of sk_test_X is its secret (pk_test_X is the same merchant).
    private const string ImplicitSuffix = "Impl1c1tSuff1xQw3rtyZx9v";

    [Fact]
    public async Task Card_numbers_cvcs_and_secret_keys_never_reach_the_database_file_or_the_logs()
    {
        using var temp = new TempSqliteDb("secrets");
        var db = temp.Path;
        var logs = new RecordingLoggerProvider();
        var secrets = new List<string> { "sk_test_" + ImplicitSuffix, ImplicitSuffix };
        var app = Build(db, logs);
        await app.StartAsync();
        try
        {
            var sk = Client(app, "sk_test_" + ImplicitSuffix);
            var card = $"card[number]={Card}&card[exp_month]=12&card[exp_year]=2031&card[cvc]={Cvc}";
            var pm = await (await sk.PostRawAsync("/v1/payment_methods", "type=card&" + card, "idem-pm")).OkAsync();
            Assert.Equal("4242", (string)pm["card"]!["last4"]!);
            // The same call replayed: the stored result is used (and must hold no card number either).
            var replay = await sk.PostRawAsync("/v1/payment_methods", "type=card&" + card, "idem-pm");
            Assert.Equal("true", replay.Headers.GetValues("Idempotent-Replayed").Single());
            await (await sk.PostRawAsync("/v1/tokens", card, "idem-tok")).OkAsync();
            // stripe.js: the publishable key in the body (pk_test_X carries the implicit secret suffix).
            await (await Client(app, "").PostRawAsync("/v1/payment_methods", $"key=pk_test_{ImplicitSuffix}&type=card&{card}", "idem-pk")).OkAsync();

            var pi = await (await sk.PostRawAsync("/v1/payment_intents", "amount=1500&currency=usd&allowed_payment_method_types[]=card", "idem-pi")).OkAsync();
            var confirmed = await (await sk.PostRawAsync($"/v1/payment_intents/{pi["id"]}/confirm",
                $"payment_method_data[type]=card&payment_method_data[card][number]={Card}&payment_method_data[card][exp_month]=12" +
                $"&payment_method_data[card][exp_year]=2031&payment_method_data[card][cvc]={Cvc}", "idem-confirm")).OkAsync();
            Assert.Equal("succeeded", (string)confirmed["status"]!);
            // A GET whose query string carries the publishable key and the client secret.
            await (await Client(app, "").GetAsync($"/v1/payment_intents/{pi["id"]}?key=pk_test_{ImplicitSuffix}&client_secret={confirmed["client_secret"]}")).OkAsync();
            // A failing call with a card in it (an unknown parameter) is logged too.
            await (await sk.PostRawAsync("/v1/payment_methods", $"type=card&{card}&colour=red", "idem-bad")).ErrorAsync(400);

            // Generated keys: onboarding, a restricted key, a roll of the secret key and of the implicit key.
            var m = await (await Client(app, "").PostFormAsync("/_mock/merchants", ("name", "Keys"))).OkAsync();
            var onboardedSk = (string)m["secret_key"]!;
            Assert.StartsWith("sk_test_", onboardedSk);
            secrets.Add(onboardedSk);
            var onboarded = Client(app, onboardedSk);
            var rk = (string)(await (await onboarded.PostFormAsync("/_mock/keys", ("type", "restricted"), ("permissions[customers]", "read"))).OkAsync())["secret"]!;
            Assert.StartsWith("rk_test_", rk);
            secrets.Add(rk);
            await (await Client(app, rk).GetAsync("/v1/customers")).OkAsync();
            var skId = (string)m["keys"]!.AsArray().Single(k => (string)k!["type"]! == "secret")!["id"]!;
            var rolled = (string)(await (await onboarded.PostFormAsync($"/_mock/keys/{skId}/roll", ("expires_in", "3600"))).OkAsync())["secret"]!;
            Assert.StartsWith("sk_test_", rolled);
            secrets.Add(rolled);
            await (await Client(app, rolled).GetAsync("/v1/account")).OkAsync();
            var rolledImplicit = (string)(await (await sk.PostFormAsync("/_mock/keys/key_implicit_secret/roll", ("expires_in", "3600"))).OkAsync())["secret"]!;
            secrets.Add(rolledImplicit);
            // Reading keys back shows them redacted.
            foreach (var shown in new[] { await (await Client(app, "").GetAsync("/_mock/merchants")).Content.ReadAsStringAsync(),
                         await (await onboarded.GetAsync("/_mock/keys")).Content.ReadAsStringAsync(),
                         await (await sk.GetAsync("/_mock/keys")).Content.ReadAsStringAsync() })
                foreach (var s in secrets) Assert.DoesNotContain(s, shown);
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }

        Assert.NotEmpty(logs.Text);
        Assert.Contains("/v1/payment_methods", logs.Text); // the request log is captured, so the scan below means something
        var needles = new List<string>(secrets) { Card, "card[cvc]", "card%5Bcvc%5D", $"cvc]={Cvc}", $"cvc%5D={Cvc}", $"\"cvc\":\"{Cvc}\"", $"client_secret=" };
        AssertAbsent("log", logs.Text, needles);
        foreach (var file in new[] { db, db + "-wal" }.Where(File.Exists))
            AssertAbsent(file, Encoding.Latin1.GetString(await File.ReadAllBytesAsync(file)), needles);
        // Stored responses are compressed: scan them decompressed too.
        var bodies = temp.Rows("SELECT body FROM idempotency");
        foreach (var r in bodies)
        {
            using var input = new MemoryStream((byte[])r[0]);
            using var brotli = new System.IO.Compression.BrotliStream(input, System.IO.Compression.CompressionMode.Decompress);
            using var text = new StreamReader(brotli);
            AssertAbsent("stored response", await text.ReadToEndAsync(), needles);
        }
        Assert.True(bodies.Count >= 5, $"expected the idempotent results to be stored, found {bodies.Count}");
    }

    [Fact]
    public async Task Idempotent_replay_and_mismatch_work_after_a_restart_on_a_file_database()
    {
        using var file = new TempSqliteDb("secrets");
        var db = file.Path;
        const string key = "sk_test_restartIdempotency0123";
        var body = $"type=card&card[number]={Card}&card[exp_month]=12&card[exp_year]=2031&card[cvc]={Cvc}";
        byte[] first;
        string account;
        await using (var app = new TestApp(o => { o.InMemory = false; o.Database = db; }))
        {
            var c = app.Client(key);
            account = (string)(await (await c.GetAsync("/v1/account")).OkAsync())["id"]!;
            var res = await c.PostRawAsync("/v1/payment_methods", body, "restart-key");
            first = await res.Content.ReadAsByteArrayAsync();
            await res.OkAsync();
        }
        await using (var app = new TestApp(o => { o.InMemory = false; o.Database = db; o.Seed = 9; o.StrictKeys = true; }))
        {
            var c = app.Client(key);
            // The implicit key still names its merchant (looked up by hash), even with --strict-keys.
            Assert.Equal(account, (string)(await (await c.GetAsync("/v1/account")).OkAsync())["id"]!);
            var replay = await c.PostRawAsync("/v1/payment_methods", body, "restart-key");
            Assert.Equal(first, await replay.Content.ReadAsByteArrayAsync());
            Assert.Equal("true", replay.Headers.GetValues("Idempotent-Replayed").Single());
            var mismatch = await (await c.PostRawAsync("/v1/payment_methods", body.Replace("exp_month]=12", "exp_month]=11"), "restart-key")).ErrorAsync(400);
            Assert.Equal("idempotency_error", (string)mismatch["type"]!);
            var otherRoute = await (await c.PostRawAsync("/v1/customers", "", "restart-key")).ErrorAsync(400);
            Assert.Equal("idempotency_error", (string)otherRoute["type"]!);
        }
    }

    private static void AssertAbsent(string where, string haystack, IEnumerable<string> needles)
    {
        foreach (var n in needles)
            Assert.False(haystack.Contains(n, StringComparison.Ordinal), $"{where} contains '{n}'");
    }

    private static WebApplication Build(string db, ILoggerProvider logs) =>
        MockProcessorApp.Build(new MockProcessorOptions
        {
            InMemory = false, Database = db, Seed = 42, Clock = ClockMode.Manual, StartTime = TestApp.StartTime, LogLevel = "Information",
            WebhookAutoDispatch = false,
        }, b =>
        {
            b.WebHost.UseTestServer();
            b.Logging.AddProvider(logs);
        });

    private static HttpClient Client(WebApplication app, string key)
    {
        var client = app.GetTestClient();
        if (key.Length > 0) client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    /// <summary>Records every log line (message, state values and exception) of every category.</summary>
    private sealed class RecordingLoggerProvider : ILoggerProvider
    {
        private readonly ConcurrentQueue<string> _lines = new();
        public string Text => string.Join("\n", _lines);
        public ILogger CreateLogger(string categoryName) => new Recorder(this, categoryName);
        public void Dispose() { }

        private sealed class Recorder(RecordingLoggerProvider owner, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
            public bool IsEnabled(LogLevel logLevel) => true;
            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                var values = state is IEnumerable<KeyValuePair<string, object?>> kvs ? string.Join(" ", kvs.Select(kv => $"{kv.Key}={kv.Value}")) : "";
                owner._lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)} {values} {exception}");
            }
        }
    }
}
