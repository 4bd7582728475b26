using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using MockProcessor.Server.Tests.Webhooks;

namespace MockProcessor.Server.Tests.Storage;

/// <summary>
/// Replica mode under load with a kill -9 (docs/deploy.md "What a kill -9 of a replica costs"): two real <c>serve --replica</c>
/// processes on one PostgreSQL database, a receiver on a socket subscribed to every event, concurrent create-and-confirm
/// PaymentIntents spread over both (a third of them manual-capture authorizations whose expiry timer both replicas' time
/// drivers race for, merchant clocks advanced during and after the load), and one replica killed mid-load.
/// </summary>
public class PostgresReplicaKill9Tests
{
    private const int Merchants = 3;
    private const int Workers = 8;
    private const int PerWorker = 30;
    private const long EightDays = 8 * 86400;

    private sealed record Sent(int Replica, bool AfterKill, int Status, string? Error, string? Id, bool Manual);

    [PostgresFact]
    public async Task Killing_one_replica_mid_load_loses_no_acknowledged_write_event_delivery_or_timer()
    {
        using var db = new PostgresTestDatabase();
        var dll = DurabilityTests.LocateExecutable();
        using var receiver = new Receiver();
        var ports = new[] { DurabilityTests.FreePort(), DurabilityTests.FreePort() };
        // A short lease, so the killed replica's claimed deliveries are retaken within seconds; fast retries.
        var replicas = ports.Select(p => Start(dll, p, db.Url, "--replica --webhook-lease 3 --webhook-timeout 1 --webhook-retry fast")).ToArray();
        try
        {
            var keys = Enumerable.Range(0, Merchants).Select(i => $"sk_test_kill9_load_{i}").ToArray();
            var clients = ports.Select(p => keys.Select(k => Client(p, k)).ToArray()).ToArray();
            foreach (var c in clients) await DurabilityTests.WaitHealthy(c[0]);
            foreach (var k in Enumerable.Range(0, Merchants))
            {
                await clients[1][k].CreateEndpoint(receiver.Url);
                await (await clients[0][k].GetAsync("/v1/customers?limit=1")).OkAsync(); // the merchant known to both
            }

            var sent = new ConcurrentBag<Sent>();
            var done = 0;
            var killed = 0;
            var third = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var half = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var load = Enumerable.Range(0, Workers).Select(w => Task.Run(async () =>
            {
                for (var i = 0; i < PerWorker; i++)
                {
                    var replica = (w + i) % 2;
                    var manual = i % 3 == 0;
                    var afterKill = Volatile.Read(ref killed) == 1;
                    sent.Add(await CreateAndConfirm(clients[replica][(w + i) % Merchants], replica, afterKill, manual));
                    var n = Interlocked.Increment(ref done);
                    if (n >= Workers * PerWorker / 3) third.TrySetResult();
                    if (n >= Workers * PerWorker / 2) half.TrySetResult();
                }
            })).ToList();

            // During the load: the merchants' clocks jump 8 days through replica 1 (authorizations so far expire, while both
            // time drivers run), then replica 0 is killed.
            await third.Task;
            foreach (var k in Enumerable.Range(0, Merchants)) await AdvanceMerchantClock(clients[1][k]);
            await half.Task;
            replicas[0].Kill(entireProcessTree: true); // SIGKILL
            Volatile.Write(ref killed, 1);
            await Task.WhenAll(load);
            await replicas[0].WaitForExitAsync();
            // After it: the rest of the authorizations expire, fired by the survivor.
            foreach (var k in Enumerable.Range(0, Merchants)) await AdvanceMerchantClock(clients[1][k]);

            var all = sent.ToList();
            // The kill landed mid-load: replica 0 acknowledged writes before it and refused requests after it.
            Assert.Contains(all, s => s.Replica == 0 && !s.AfterKill && s.Id is not null);
            Assert.Contains(all, s => s.Replica == 0 && s.AfterKill && s.Id is null);
            Assert.Contains(all, s => s.Replica == 1 && s.AfterKill && s.Id is not null);
            // The survivor answered every request sent to it, before and after the kill.
            Assert.Empty(all.Where(s => s.Replica == 1 && s.Id is null).Select(s => $"{s.Status} {s.Error}"));

            // Every acknowledged write is readable through the survivor.
            var acked = all.Where(s => s.Id is not null).ToList();
            foreach (var s in acked)
            {
                var found = await FindPaymentIntent(clients[1], s.Id!);
                Assert.True(found is not null, $"{s.Id} (acknowledged by replica {s.Replica}) is missing on the survivor");
                if (s.Manual) Assert.Equal("canceled", (string)found!["status"]!);
                else Assert.Equal("succeeded", (string)found!["status"]!);
            }

            // No timer fired twice, none was lost: each acknowledged authorization expired exactly once.
            var events = new List<JsonObject>();
            foreach (var c in clients[1]) events.AddRange(await AllEvents(c));
            var canceled = events.Where(e => (string)e["type"]! == "payment_intent.canceled")
                .GroupBy(e => (string)e["data"]!["object"]!["id"]!).ToDictionary(g => g.Key, g => g.Count());
            foreach (var s in acked.Where(s => s.Manual)) Assert.Equal(1, canceled.GetValueOrDefault(s.Id!));
            Assert.All(canceled, kv => Assert.Equal(1, kv.Value));

            // Every event in the log reaches the receiver at least once: the killed replica's deliveries, leased or not,
            // are sent by the survivor (polled: deliveries are asynchronous; bounded well beyond the 3 s lease).
            var ids = events.Select(e => (string)e["id"]!).ToHashSet();
            Assert.Equal(events.Count, ids.Count);
            var missing = ids;
            for (var i = 0; i < 300 && (missing = ids.Where(id => !receiver.Seen.ContainsKey(id)).ToHashSet()).Count > 0; i++) await Task.Delay(100);
            Assert.Empty(missing);
        }
        finally
        {
            foreach (var r in replicas)
            {
                if (!r.HasExited) r.Kill(entireProcessTree: true);
                await r.WaitForExitAsync();
                r.Dispose();
            }
        }
    }

    private static async Task<Sent> CreateAndConfirm(HttpClient c, int replica, bool afterKill, bool manual)
    {
        var fields = new List<(string, string)>
        {
            ("amount", "1200"), ("currency", "usd"), ("confirm", "true"), ("payment_method", "pm_card_visa"),
            ("allowed_payment_method_types[]", "card"),
        };
        if (manual) fields.Add(("capture_method", "manual"));
        try
        {
            using var r = await c.PostFormAsync("/v1/payment_intents", [.. fields]);
            var body = await r.Content.ReadAsStringAsync();
            return r.IsSuccessStatusCode
                ? new Sent(replica, afterKill, (int)r.StatusCode, null, (string)JsonNode.Parse(body)!["id"]!, manual)
                : new Sent(replica, afterKill, (int)r.StatusCode, body, null, manual);
        }
        catch (HttpRequestException ex)
        {
            return new Sent(replica, afterKill, 0, ex.Message, null, manual);
        }
    }

    private static async Task AdvanceMerchantClock(HttpClient c) =>
        await (await c.PostFormAsync("/_mock/merchant_clock/advance", ("seconds", EightDays.ToString()))).OkAsync();

    private static async Task<JsonObject?> FindPaymentIntent(HttpClient[] merchants, string id)
    {
        foreach (var c in merchants)
        {
            using var r = await c.GetAsync($"/v1/payment_intents/{id}");
            if (r.StatusCode == HttpStatusCode.OK) return JsonNode.Parse(await r.Content.ReadAsStringAsync())!.AsObject();
        }
        return null;
    }

    private static async Task<List<JsonObject>> AllEvents(HttpClient c)
    {
        var all = new List<JsonObject>();
        string? after = null;
        while (true)
        {
            var page = await (await c.GetAsync("/v1/events?limit=100" + (after is null ? "" : $"&starting_after={after}"))).OkAsync();
            var data = page["data"]!.AsArray().Select(e => e!.AsObject()).ToList();
            all.AddRange(data);
            if (!(bool)page["has_more"]! || data.Count == 0) return all;
            after = (string)data[^1]["id"]!;
        }
    }

    private static HttpClient Client(int port, string key)
    {
        var c = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
        c.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return c;
    }

    /// <summary>A replica process whose output is drained (a full pipe would stall it).</summary>
    private static Process Start(string dll, int port, string db, string extra)
    {
        var p = DurabilityTests.Start(dll, port, db, extra);
        p.OutputDataReceived += (_, _) => { };
        p.ErrorDataReceived += (_, _) => { };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return p;
    }

    /// <summary>A webhook receiver on a socket: counts each event id it is sent and answers 200.</summary>
    private sealed class Receiver : IDisposable
    {
        private readonly HttpListener _listener = new();
        private readonly Task _loop;

        public Receiver()
        {
            var port = DurabilityTests.FreePort();
            Url = $"http://127.0.0.1:{port}/hook/";
            _listener.Prefixes.Add(Url);
            _listener.Start();
            _loop = Task.Run(Loop);
        }

        public string Url { get; }
        public ConcurrentDictionary<string, int> Seen { get; } = new(StringComparer.Ordinal);

        private async Task Loop()
        {
            while (_listener.IsListening)
            {
                HttpListenerContext ctx;
                try { ctx = await _listener.GetContextAsync(); }
                catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException) { return; }
                using (var reader = new StreamReader(ctx.Request.InputStream))
                {
                    var id = (string?)JsonNode.Parse(await reader.ReadToEndAsync())?["id"];
                    if (id is not null) Seen.AddOrUpdate(id, 1, (_, n) => n + 1);
                }
                ctx.Response.StatusCode = 200;
                ctx.Response.Close();
            }
        }

        public void Dispose()
        {
            _listener.Stop();
            _listener.Close();
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
    }
}
