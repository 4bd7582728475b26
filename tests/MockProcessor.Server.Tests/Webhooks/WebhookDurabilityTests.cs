using MockProcessor.Server.Tests.Storage;

namespace MockProcessor.Server.Tests.Webhooks;

public class WebhookDurabilityTests
{
    [Fact]
    public async Task A_pending_delivery_survives_a_restart_and_is_sent_by_the_next_run()
    {
        using var file = new TempSqliteDb("webhooks");
        var db = file.Path;
        string evId, endpoint;
        await using (var app = new TestApp(o => { o.InMemory = false; o.Database = db; }))
        {
            var c = app.Client("sk_test_durable_hooks");
            (endpoint, _) = await c.CreateEndpoint();
            await c.CreateCustomer();
            evId = await c.LatestEventId();
            Assert.Empty(app.Receiver.All); // stopped before any delivery
        }
        await using (var app = new TestApp(o => { o.InMemory = false; o.Database = db; }))
        {
            var c = app.Client("sk_test_durable_hooks");
            Assert.Equal(1, await c.PendingWebhooks(evId));
            Assert.Equal(1, await c.Flush());
            var r = Assert.Single(app.Receiver.All);
            Assert.Equal(evId, r.EventId);
            var d = await c.OnlyDelivery();
            Assert.Equal("succeeded", (string)d["status"]!);
            Assert.Equal(endpoint, (string)d["endpoint"]!);
        }
        // The attempt log is durable too.
        await using (var app = new TestApp(o => { o.InMemory = false; o.Database = db; }))
        {
            var c = app.Client("sk_test_durable_hooks");
            Assert.Equal(0, await c.Flush());
            Assert.Equal(200, (int)(await c.OnlyDelivery())["attempts"]![0]!["status"]!);
            Assert.Equal(0, await c.PendingWebhooks(evId));
        }
    }
}
