using System.Net;
using System.Text.Json.Nodes;
using MockProcessor.Domain.Reporting;
using MockProcessor.Server.Resources.Reporting;
using MockProcessor.Server.Storage;

namespace MockProcessor.Server.Tests.Storage;

/// <summary>
/// Replica mode (docs/deploy.md): two in-process emulators on one PostgreSQL database, coordinating through it only
/// (the tree's row lock and version, caught up per call).
/// </summary>
public class PostgresReplicaTests
{
    private static TestApp Replica(PostgresTestDatabase db) =>
        new(o => { o.InMemory = false; o.Database = db.Url; o.Replica = true; o.Seed = null; });

    [PostgresFact]
    public async Task A_report_made_through_one_replica_downloads_through_the_other_which_has_no_disk_copy()
    {
        using var db = new PostgresTestDatabase();
        var dirs = new[] { Directory.CreateTempSubdirectory("mp-files-a-").FullName, Directory.CreateTempSubdirectory("mp-files-b-").FullName };
        try
        {
            await using var a = new TestApp(o => { o.InMemory = false; o.Database = db.Url; o.Replica = true; o.Seed = null; o.FilesDirectory = dirs[0]; });
            await using var b = new TestApp(o => { o.InMemory = false; o.Database = db.Url; o.Replica = true; o.Seed = null; o.FilesDirectory = dirs[1]; });
            var ca = a.Client("sk_test_replica_files");
            var cb = b.Client("sk_test_replica_files");
            await Resources.Reporting.ReportKit.PayAsync(ca, 5678);
            await Resources.Reporting.ReportKit.AdvanceAsync(ca, 60);
            var run = await Resources.Reporting.ReportKit.RunAsync(ca, ("report_type", "balance_change_from_activity.itemized.1"),
                ("parameters[interval_start]", (TestApp.StartTime - 60).ToString()), ("parameters[interval_end]", (TestApp.StartTime + 60).ToString()));
            var fileId = (string)run["result"]!["id"]!;
            var throughA = await Resources.Reporting.ReportKit.DownloadAsync(ca, run);
            Assert.Contains("56.78", throughA);
            Assert.True(File.Exists(Path.Combine(dirs[0], fileId)));
            Assert.False(File.Exists(Path.Combine(dirs[1], fileId)));
            // B has only the database: it fetches the contents from there, byte for byte, and keeps a disk copy.
            var runThroughB = await (await cb.GetAsync($"/v1/reporting/report_runs/{run["id"]}")).OkAsync();
            Assert.Equal(throughA, await Resources.Reporting.ReportKit.DownloadAsync(cb, runThroughB));
            Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(dirs[0], fileId)), await File.ReadAllBytesAsync(Path.Combine(dirs[1], fileId)));
        }
        finally
        {
            foreach (var d in dirs) Directory.Delete(d, recursive: true);
        }
    }

    [PostgresFact]
    public async Task A_report_run_finishing_while_a_call_is_on_the_tree_waits_for_it_instead_of_staying_pending()
    {
        using var db = new PostgresTestDatabase();
        await using var a = Replica(db);
        var c = a.Client("sk_test_replica_report_wait");
        await Resources.Reporting.ReportKit.PayAsync(c, 1234);
        await Resources.Reporting.ReportKit.AdvanceAsync(c, 60);
        var first = await Resources.Reporting.ReportKit.RunAsync(c, ("report_type", "balance.summary.1"),
            ("parameters[interval_start]", (TestApp.StartTime - 60).ToString()), ("parameters[interval_end]", (TestApp.StartTime + 60).ToString()));
        var store = (ObjectStore)a.Services.GetService(typeof(ObjectStore))!;
        var runner = (ReportRunner)a.Services.GetService(typeof(ReportRunner))!;
        var state = store.Accounts.Single(s => s.TryGet((string)first["id"]!, out _, out _));
        // A second pending run, stored without going through the runner's queue.
        ReportRun again;
        using (await store.EnterAsync(state))
        {
            Task durable;
            lock (state.Gate)
            {
                var tx = store.Begin(state);
                var done = tx.Get<ReportRun>((string)first["id"]!)!;
                again = done with { Id = "frr_second_run", ResultFileId = "file_second_run", Status = ReportRunStatus.Pending, SucceededAt = null };
                tx.Put(again);
                durable = tx.Commit();
            }
            await durable;
        }

        // A call holds the tree while the run finishes: the run's commit waits for it instead of being refused.
        var call = await store.EnterAsync(state);
        var running = runner.RunAsync(again.AccountId, again.Id);
        await Task.Delay(500);
        Assert.False(running.IsCompleted, running.Exception?.InnerException?.Message);
        call!.Dispose();
        await running;
        Assert.Equal("succeeded", (string)(await (await c.GetAsync($"/v1/reporting/report_runs/{again.Id}")).OkAsync())["status"]!);
    }

    [PostgresFact]
    public async Task A_write_through_one_replica_is_seen_by_the_next_read_through_the_other()
    {
        using var db = new PostgresTestDatabase();
        await using var a = Replica(db);
        await using var b = Replica(db);
        var ca = a.Client("sk_test_replica_rw");
        var cb = b.Client("sk_test_replica_rw");
        // The merchant is provisioned through A; B finds it by its key in the database.
        var customer = await (await ca.PostFormAsync("/v1/customers", ("email", "one@example.com"))).OkAsync();
        var id = (string)customer["id"]!;
        var seen = await (await cb.GetAsync($"/v1/customers/{id}")).OkAsync();
        Assert.Equal("one@example.com", (string)seen["email"]!);
        // An update through B, read through A.
        await (await cb.PostFormAsync($"/v1/customers/{id}", ("email", "two@example.com"))).OkAsync();
        Assert.Equal("two@example.com", (string)(await (await ca.GetAsync($"/v1/customers/{id}")).OkAsync())["email"]!);
        // Lists too: one customer, as updated, whichever replica answers.
        var listed = await (await cb.GetAsync("/v1/customers")).OkAsync();
        Assert.Equal([id], listed["data"]!.AsArray().Select(c => (string)c!["id"]!));
    }

    [PostgresFact]
    public async Task A_key_revoked_through_one_replica_is_refused_by_the_other_and_a_connected_account_made_there_is_known()
    {
        using var db = new PostgresTestDatabase();
        await using var a = Replica(db);
        await using var b = Replica(db);
        var ownerA = a.Client("sk_test_replica_keys");
        var key = await (await ownerA.PostFormAsync("/_mock/keys", ("type", "secret"), ("name", "ci"))).OkAsync();
        var secret = (string)key["secret"]!;
        // B learns of the new key from the database and accepts it; its copy of the tree now holds the key unrevoked.
        var viaB = b.Client(secret);
        Assert.Equal(HttpStatusCode.OK, (await viaB.GetAsync("/v1/customers")).StatusCode);
        await (await ownerA.PostFormAsync($"/_mock/keys/{(string)key["id"]!}/revoke")).OkAsync();
        // B's copy still says the key is valid until the call's row lock catches it up: the call is refused there.
        var refused = await viaB.PostFormAsync("/v1/customers", ("name", "after revoke"));
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal("invalid_request_error", (string)(await refused.JsonAsync())["error"]!["type"]!);
        // Nothing was written by the refused call.
        var customers = await (await ownerA.GetAsync("/v1/customers")).OkAsync();
        Assert.Empty(customers["data"]!.AsArray());
        // A connected account created through A is accepted in Stripe-Account by B (whose copy did not have it yet).
        var connected = (string)(await (await ownerA.PostFormAsync("/v1/accounts", ("type", "custom"), ("country", "US"))).OkAsync())["id"]!;
        var ownerB = b.Client("sk_test_replica_keys");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/customers")
        {
            Content = new FormUrlEncodedContent([new("name", "on the connected account")]),
        };
        request.Headers.Add("Stripe-Account", connected);
        var created = await (await ownerB.SendAsync(request)).OkAsync();
        Assert.StartsWith("cus_", (string)created["id"]!);
    }

    [PostgresFact]
    public async Task The_dashboard_of_one_replica_shows_what_was_written_through_the_other()
    {
        using var db = new PostgresTestDatabase();
        await using var a = Replica(db);
        await using var b = Replica(db);
        // The merchant is made through B; its owner signs in to the dashboard on A (which has not seen it yet).
        await (await b.Client("sk_test_replica_dash").PostFormAsync("/v1/customers", ("name", "first from B"))).OkAsync();
        var browser = a.Client("");
        var signIn = await browser.PostAsync("/dashboard/sign-in",
            new FormUrlEncodedContent([new("key", "sk_test_replica_dash")]));
        var cookie = signIn.Headers.GetValues("Set-Cookie").Select(c => c.Split(';')[0]).Single(c => c.StartsWith("mp_dashboard="));
        await (await b.Client("sk_test_replica_dash").PostFormAsync("/v1/customers", ("name", "second from B"))).OkAsync();
        using var page = new HttpRequestMessage(HttpMethod.Get, "/dashboard/customers");
        page.Headers.Add("Cookie", cookie);
        var html = WebUtility.HtmlDecode(await (await browser.SendAsync(page)).Content.ReadAsStringAsync());
        Assert.Contains("first from B", html);
        Assert.Contains("second from B", html);
    }

    [PostgresFact]
    public async Task Alternating_writes_to_one_customer_from_both_replicas_keep_every_update()
    {
        using var db = new PostgresTestDatabase();
        await using var a = Replica(db);
        await using var b = Replica(db);
        var clients = new[] { a.Client("sk_test_replica_alt"), b.Client("sk_test_replica_alt") };
        var id = (string)(await (await clients[0].PostFormAsync("/v1/customers", ("name", "alt"))).OkAsync())["id"]!;
        // Each update adds one metadata key; an update made on a stale copy would drop the keys the other replica added.
        for (var i = 0; i < 12; i++)
            await (await clients[i % 2].PostFormAsync($"/v1/customers/{id}", ($"metadata[k{i}]", i.ToString()))).OkAsync();
        foreach (var c in clients)
        {
            var metadata = (await (await c.GetAsync($"/v1/customers/{id}")).OkAsync())["metadata"]!.AsObject();
            Assert.Equal(Enumerable.Range(0, 12).Select(i => $"k{i}").Order(), metadata.Select(kv => kv.Key).Order());
        }
        // Concurrent updates from both replicas: each one kept.
        await Task.WhenAll(Enumerable.Range(100, 16).Select(async i =>
            await (await clients[i % 2].PostFormAsync($"/v1/customers/{id}", ($"metadata[c{i}]", "x"))).OkAsync()));
        var all = (await (await clients[1].GetAsync($"/v1/customers/{id}")).OkAsync())["metadata"]!.AsObject();
        Assert.Equal(12 + 16, all.Count);
    }

    [PostgresFact]
    public async Task Sixty_four_requests_with_one_idempotency_key_over_both_replicas_create_one_object()
    {
        using var db = new PostgresTestDatabase();
        await using var a = Replica(db);
        await using var b = Replica(db);
        var clients = new[] { a.Client("sk_test_replica_idem"), b.Client("sk_test_replica_idem") };
        // The merchant exists before the race (its provisioning is not what is tested here).
        await (await clients[1].GetAsync("/v1/customers")).OkAsync();
        var answers = await Task.WhenAll(Enumerable.Range(0, 64).Select(async i =>
        {
            var response = await clients[i % 2].PostRawAsync("/v1/customers", "email=race%40example.com", "one-key");
            var body = await response.OkAsync();
            return ((string)body["id"]!, response.Headers.TryGetValues("Idempotent-Replayed", out var r) && r.Single() == "true");
        }));
        Assert.Single(answers.Select(x => x.Item1).Distinct());
        Assert.Equal(63, answers.Count(x => x.Item2));
        Assert.Equal(1, db.Scalar<long>("SELECT COUNT(DISTINCT id) FROM objects WHERE type = 'customer'"));
        Assert.Equal(1, db.Scalar<long>("SELECT COUNT(*) FROM idempotency WHERE key = 'one-key'"));
        var listed = await (await clients[0].GetAsync("/v1/customers")).OkAsync();
        Assert.Single(listed["data"]!.AsArray());
    }

    [PostgresFact]
    public async Task Ids_minted_by_two_replicas_carry_each_replicas_number()
    {
        using var db = new PostgresTestDatabase();
        await using var a = Replica(db);
        await using var b = Replica(db);
        var idA = (string)(await (await a.Client("sk_test_replica_ids").PostFormAsync("/v1/customers")).OkAsync())["id"]!;
        var idB = (string)(await (await b.Client("sk_test_replica_ids").PostFormAsync("/v1/customers")).OkAsync())["id"]!;
        // Replicas 1 and 2 in the replicas table: "01" and "02" after the prefix.
        Assert.Equal(2, db.Scalar<long>("SELECT COUNT(*) FROM replicas"));
        Assert.Equal(["01", "02"], new[] { idA["cus_".Length..][..2], idB["cus_".Length..][..2] }.Order());
    }

    [PostgresFact]
    public async Task A_due_timer_fires_once_though_both_replicas_run_their_time_driver()
    {
        using var db = new PostgresTestDatabase();
        await using var a = Replica(db);
        await using var b = Replica(db);
        var ca = a.Client("sk_test_replica_timer");
        var cb = b.Client("sk_test_replica_timer");
        // A manual-capture authorization expires after 7 days: its timer is due on both replicas once both know it.
        var pi = await (await ca.PostFormAsync("/v1/payment_intents", ("amount", "500"), ("currency", "usd"), ("confirm", "true"),
            ("payment_method", "pm_card_visa"), ("capture_method", "manual"), ("allowed_payment_method_types[]", "card"))).OkAsync();
        var id = (string)pi["id"]!;
        Assert.Equal("requires_capture", (string)(await (await cb.GetAsync($"/v1/payment_intents/{id}")).OkAsync())["status"]!);
        // Advance the merchant clock through B (which fires the expiry in that call); then both replicas run their time driver,
        // A with the authorization still due in its timer queue: it catches up first and fires nothing.
        await (await cb.PostFormAsync("/_mock/merchant_clock/advance", ("seconds", (8 * 86400).ToString()))).OkAsync();
        var drivers = new[] { a, b }.Select(x => (MockProcessor.Server.Time.TimeDriverService)x.Services.GetService(typeof(MockProcessor.Server.Time.TimeDriverService))!);
        await Task.WhenAll(drivers.Select(d => d.RunAllDueAsync()));
        Assert.Equal("canceled", (string)(await (await ca.GetAsync($"/v1/payment_intents/{id}")).OkAsync())["status"]!);
        var events = (await (await cb.GetAsync("/v1/events?limit=100&type=payment_intent.canceled")).OkAsync())["data"]!.AsArray();
        Assert.Single(events);
    }

    [PostgresFact]
    public async Task An_advance_of_the_process_clock_through_one_replica_moves_the_other_and_fires_due_work_once()
    {
        using var db = new PostgresTestDatabase();
        await using var a = Replica(db);
        await using var b = Replica(db);
        var ca = a.Client("sk_test_replica_clock");
        var cb = b.Client("sk_test_replica_clock");
        // A manual-capture authorization made through B expires after 7 days.
        var pi = await (await cb.PostFormAsync("/v1/payment_intents", ("amount", "500"), ("currency", "usd"), ("confirm", "true"),
            ("payment_method", "pm_card_visa"), ("capture_method", "manual"), ("allowed_payment_method_types[]", "card"))).OkAsync();
        var id = (string)pi["id"]!;
        var before = (long)(await (await cb.GetAsync("/_mock/merchant_clock")).OkAsync())["now"]!;
        // The process clock advanced through A: A fires the expiry (once, counted by the advance).
        var advanced = await (await a.Client("").PostAsync($"/_mock/clock/advance?seconds={8 * 86400}", null)).OkAsync();
        Assert.Equal(1, (int)advanced["fired"]!);
        Assert.Equal(TestApp.StartTime + 8 * 86400, (long)advanced["now"]!);
        // B's next call sees the moved clock (read with the tree's row lock), and so does its /_mock/clock.
        Assert.Equal(before + 8 * 86400, (long)(await (await cb.GetAsync("/_mock/merchant_clock")).OkAsync())["now"]!);
        Assert.Equal(TestApp.StartTime + 8 * 86400, (long)(await (await b.Client("").GetAsync("/_mock/clock")).OkAsync())["now"]!);
        Assert.Equal("canceled", (string)(await (await cb.GetAsync($"/v1/payment_intents/{id}")).OkAsync())["status"]!);
        // B's time driver, now on the moved clock, finds nothing left; an advance through B moves A.
        var driverB = (MockProcessor.Server.Time.TimeDriverService)b.Services.GetService(typeof(MockProcessor.Server.Time.TimeDriverService))!;
        Assert.Equal(0, await driverB.RunAllDueAsync());
        await (await b.Client("").PostAsync("/_mock/clock/advance?seconds=60", null)).OkAsync();
        Assert.Equal(TestApp.StartTime + 8 * 86400 + 60, (long)(await (await a.Client("").GetAsync("/_mock/clock")).OkAsync())["now"]!);
        var events = (await (await ca.GetAsync("/v1/events?limit=100&type=payment_intent.canceled")).OkAsync())["data"]!.AsArray();
        Assert.Single(events);
        Assert.Equal(8 * 86400 + 60, db.Scalar<long>("SELECT advanced FROM clock WHERE mode = 'manual'"));
    }

    [PostgresFact]
    public async Task A_count_limited_fault_rule_created_through_one_replica_fires_its_count_across_both()
    {
        using var db = new PostgresTestDatabase();
        await using var a = Replica(db);
        await using var b = Replica(db);
        var clients = new[] { a.Client("sk_test_replica_faults"), b.Client("sk_test_replica_faults") };
        await (await clients[1].GetAsync("/v1/customers")).OkAsync(); // B knows the merchant before the rule exists
        var rule = await (await clients[0].PostFormAsync("/_mock/faults", ("path", "/v1/customers"), ("method", "POST"),
            ("kind", "api_error"), ("count", "1"))).OkAsync();
        // The first matching request arrives at B, which learns of the rule by catching up, and fails; the rule is spent.
        Assert.Equal(500, (int)(await clients[1].PostFormAsync("/v1/customers", ("name", "first"))).StatusCode);
        Assert.Equal(200, (int)(await clients[0].PostFormAsync("/v1/customers", ("name", "second"))).StatusCode);
        Assert.Equal(200, (int)(await clients[1].PostFormAsync("/v1/customers", ("name", "third"))).StatusCode);
        foreach (var c in clients)
        {
            var seen = await (await c.GetAsync($"/_mock/faults/{rule["id"]}")).OkAsync();
            Assert.Equal(0, (long)seen["remaining"]!);
            Assert.Equal(1, (long)seen["fired"]!);
        }
        // A count=3 rule under concurrent requests from both replicas: exactly three injected errors.
        await (await clients[1].PostFormAsync("/_mock/faults", ("path", "/v1/customers"), ("method", "GET"), ("kind", "api_error"), ("count", "3"))).OkAsync();
        var statuses = await Task.WhenAll(Enumerable.Range(0, 12).Select(async i => (int)(await clients[i % 2].GetAsync("/v1/customers")).StatusCode));
        Assert.Equal(3, statuses.Count(s => s == 500));
        Assert.Equal(9, statuses.Count(s => s == 200));
        // Deleting all rules through B clears them for A.
        await (await clients[1].DeleteAsync("/_mock/faults")).OkAsync();
        Assert.Empty((await (await clients[0].GetAsync("/_mock/faults")).OkAsync())["data"]!.AsArray());
    }
}
