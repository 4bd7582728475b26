using MockProcessor.Server.Hosting;
using MockProcessor.Server.Tests.Webhooks;

namespace MockProcessor.Server.Tests.Storage;

/// <summary>
/// Replica mode's webhook deliveries (docs/deploy.md "Webhook deliveries"): claimed from the <c>webhook_due</c> table with
/// a lease, so any replica sends any replica's deliveries, once per attempt, and a dead replica's claims are retaken.
/// </summary>
public class PostgresWebhookLeaseTests
{
    private static TestApp Replica(PostgresTestDatabase db, Action<MockProcessorOptions>? more = null) =>
        new(o => { o.InMemory = false; o.Database = db.Url; o.Replica = true; o.Seed = null; more?.Invoke(o); });

    private static IEnumerable<WebhookReceiver.Received> Received(params TestApp[] apps) => apps.SelectMany(a => a.Receiver.All);

    [PostgresFact]
    public async Task Two_replicas_flushing_at_once_send_each_delivery_once()
    {
        using var db = new PostgresTestDatabase();
        await using var a = Replica(db);
        await using var b = Replica(db);
        var ca = a.Client("sk_test_lease_race");
        var cb = b.Client("sk_test_lease_race");
        await ca.CreateEndpoint();
        // Deliveries committed through both replicas: each has its row, free to claim.
        for (var i = 0; i < 20; i++) await (i % 2 == 0 ? ca : cb).CreateCustomer($"c{i}");
        Assert.Equal(20, db.Scalar<long>("SELECT COUNT(*) FROM webhook_due WHERE leased_until IS NULL"));

        var attempted = await Task.WhenAll(ca.Flush(), cb.Flush(), ca.Flush(), cb.Flush());

        Assert.Equal(20, attempted.Sum());
        var events = Received(a, b).Select(r => r.EventId).ToList();
        Assert.Equal(20, events.Count);
        Assert.Equal(20, events.Distinct().Count());
        // Sent ones leave the table in the transaction that records their attempt.
        Assert.Equal(0, db.Scalar<long>("SELECT COUNT(*) FROM webhook_due"));
    }

    [PostgresFact]
    public async Task A_failed_attempt_reschedules_the_row_and_ends_the_lease()
    {
        using var db = new PostgresTestDatabase();
        await using var a = Replica(db);
        await using var b = Replica(db);
        var ca = a.Client("sk_test_lease_retry");
        await ca.CreateEndpoint();
        await ca.CreateCustomer();
        b.Receiver.Script(500);

        Assert.Equal(1, await b.Client("sk_test_lease_retry").Flush());

        var delivery = await ca.OnlyDelivery();
        Assert.Equal("pending", (string)delivery["status"]!);
        Assert.Equal((long)delivery["next_attempt_at"]!, db.Scalar<long>("SELECT due_at FROM webhook_due"));
        Assert.Equal(0, db.Scalar<long>("SELECT COUNT(*) FROM webhook_due WHERE leased_until IS NOT NULL OR leased_by IS NOT NULL"));
    }

    [PostgresFact]
    public async Task A_delivery_leased_by_a_dead_replica_is_retaken_once_its_lease_expires()
    {
        using var db = new PostgresTestDatabase();
        await using var a = Replica(db);
        // B waits at most about a second for deliveries leased elsewhere.
        await using var b = Replica(db, o => o.WebhookLeaseSeconds = 1);
        var ca = a.Client("sk_test_lease_dead");
        var cb = b.Client("sk_test_lease_dead");
        await ca.CreateEndpoint();
        await ca.CreateCustomer();
        var evId = await ca.LatestEventId();
        // A replica numbered 99 claimed it and died: its lease runs for an hour.
        db.Execute("UPDATE webhook_due SET leased_until = clock_timestamp() + interval '1 hour', leased_by = 99");

        Assert.Equal(0, await cb.Flush());
        Assert.Empty(Received(a, b));

        db.Execute("UPDATE webhook_due SET leased_until = clock_timestamp() - interval '1 second'");
        Assert.Equal(1, await cb.Flush());
        Assert.Equal([evId], Received(a, b).Select(r => r.EventId));
        Assert.Equal(0, await ca.PendingWebhooks(evId));
    }

    [PostgresFact]
    public async Task A_flush_waits_for_a_lease_held_elsewhere_then_sends_the_delivery()
    {
        using var db = new PostgresTestDatabase();
        await using var a = Replica(db);
        await using var b = Replica(db);
        var ca = a.Client("sk_test_lease_wait");
        await ca.CreateEndpoint();
        await ca.CreateCustomer();
        db.Execute("UPDATE webhook_due SET leased_until = clock_timestamp() + interval '1 second', leased_by = 99");

        // The default lease (30 s) bounds the wait; this one ends after a second.
        Assert.Equal(1, await b.Client("sk_test_lease_wait").Flush());
        Assert.Single(Received(a, b));
    }

    [PostgresFact]
    public async Task A_replica_starting_adds_rows_for_pending_deliveries_that_have_none()
    {
        using var db = new PostgresTestDatabase();
        string evId;
        await using (var a = Replica(db))
        {
            var ca = a.Client("sk_test_lease_backfill");
            await ca.CreateEndpoint();
            await ca.CreateCustomer();
            evId = await ca.LatestEventId();
        }
        // As a database written before the table existed.
        db.Execute("DELETE FROM webhook_due");
        await using var c = Replica(db);
        var cc = c.Client("sk_test_lease_backfill");

        Assert.Equal(1, await cc.Flush());
        Assert.Equal([evId], c.Receiver.All.Select(r => r.EventId));
        Assert.Equal(0, db.Scalar<long>("SELECT COUNT(*) FROM webhook_due"));
    }
}
