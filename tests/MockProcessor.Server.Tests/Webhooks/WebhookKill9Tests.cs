using System.Net;
using MockProcessor.Server.Tests.Storage;

namespace MockProcessor.Server.Tests.Webhooks;

/// <summary>The real executable and a real receiver on a socket: a delivery recorded before kill -9 is sent after restart.</summary>
public class WebhookKill9Tests
{
    [Fact]
    public async Task A_delivery_pending_at_kill_9_is_sent_after_restart()
    {
        var dll = DurabilityTests.LocateExecutable();
        using var file = new TempSqliteDb("hooks-kill9");
        var db = file.Path;
        var port = DurabilityTests.FreePort();
        var receiverPort = DurabilityTests.FreePort();
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        http.DefaultRequestHeaders.Add("Authorization", "Bearer sk_test_hooks_kill9");

        // First run: deliveries are only sent on flush, so the event's delivery is still pending when the process dies.
        var first = DurabilityTests.Start(dll, port, db, "--webhook-dispatch manual");
        string secret, evId;
        try
        {
            await DurabilityTests.WaitHealthy(http);
            (_, secret) = await http.CreateEndpoint($"http://127.0.0.1:{receiverPort}/hook/");
            await http.CreateCustomer();
            evId = await http.LatestEventId();
        }
        finally
        {
            first.Kill(entireProcessTree: true);
            await first.WaitForExitAsync();
        }

        using var listener = new HttpListener();
        listener.Prefixes.Add($"http://127.0.0.1:{receiverPort}/hook/");
        listener.Start();
        var second = DurabilityTests.Start(dll, port, db); // automatic dispatch
        try
        {
            var received = listener.GetContextAsync();
            Assert.Same(received, await Task.WhenAny(received, Task.Delay(TimeSpan.FromSeconds(20))));
            var ctx = await received;
            string body;
            using (var reader = new StreamReader(ctx.Request.InputStream)) body = await reader.ReadToEndAsync();
            var signature = ctx.Request.Headers["Stripe-Signature"]!;
            Assert.Equal("application/json; charset=utf-8", ctx.Request.ContentType);
            ctx.Response.StatusCode = 200;
            ctx.Response.Close();
            var r = new WebhookReceiver.Received(ctx.Request.Url!.ToString(), body, signature, ctx.Request.ContentType!, ctx.Request.UserAgent ?? "");
            Assert.Equal(evId, r.EventId);
            Assert.True(WebhookKit.Verifies(r, secret));
            // Deliveries start with the process, before it listens: under load the hook can arrive first.
            await DurabilityTests.WaitHealthy(http);
            for (var i = 0; i < 100 && await http.PendingWebhooks(evId) != 0; i++) await Task.Delay(50);
            Assert.Equal(0, await http.PendingWebhooks(evId));
        }
        finally
        {
            second.Kill(entireProcessTree: true);
            await second.WaitForExitAsync();
        }
    }
}
