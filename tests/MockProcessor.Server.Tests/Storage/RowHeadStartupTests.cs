using Microsoft.Extensions.DependencyInjection;
using MockProcessor.Domain.Common;
using MockProcessor.Domain.Refunds;
using MockProcessor.Server.Resources.Events;
using MockProcessor.Server.Storage;
using MockProcessor.Server.Tests.Webhooks;
using MockProcessor.Server.Webhooks;

namespace MockProcessor.Server.Tests.Storage;

/// <summary>
/// Schema v7 (docs/storage.md, "Start-up from row heads"): with a file store and its object cache, start-up files most
/// objects from their row heads without reading them, and reads whole only those with time-driven work or an observer
/// waiting for them. What it builds must be what reading every row builds.
/// </summary>
public sealed class RowHeadStartupTests : IDisposable
{
    internal const string Key = "sk_test_row_heads";
    private readonly TempSqliteDb _file = new("heads");

    public void Dispose() => _file.Dispose();

    /// <summary>
    /// Payments (one refunded, one authorized only), an endpoint with a pending delivery per event, a subscription on a
    /// test clock, an update, and a price filed under a caller-chosen product id of 605 bytes.
    /// </summary>
    internal static async Task Populate(string path, bool snapshot = false)
    {
        await using var app = new TestApp(o => { o.InMemory = false; o.Database = path; o.IndexSnapshot = snapshot; });
        var c = app.Client(Key);
        await c.CreateEndpoint("http://127.0.0.1:9/unreachable"); // every event gets a delivery, pending (TestApp dispatches on flush only)
        var customer = await c.CreateCustomer("Ann");
        var intents = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            var fields = new List<(string, string)> { ("amount", $"{1000 + i}"), ("currency", "usd"), ("customer", customer), ("confirm", "true"),
                ("payment_method", "pm_card_visa"), ("allowed_payment_method_types[]", "card") };
            if (i == 3) fields.Add(("capture_method", "manual")); // its authorization expires: a timer
            intents.Add((string)(await (await c.PostFormAsync("/v1/payment_intents", [.. fields])).OkAsync())["id"]!);
        }
        await (await c.PostFormAsync("/v1/refunds", ("payment_intent", intents[0]), ("amount", "300"))).OkAsync();
        // The unswept transactions' payout run moves to the new schedule's day; their rows are not written again.
        await (await c.PostFormAsync("/_mock/payouts/settings", ("schedule[interval]", "weekly"), ("schedule[weekly_anchor]", "wednesday"))).OkAsync();
        await (await c.PostFormAsync($"/v1/customers/{customer}", ("name", "Ann B."))).OkAsync();
        await ColdObjectTests.ClockWithMonthlySubscriptions(c, 1);
        // A price whose head (its product's id, chosen by the caller) is longer than the writer's stack buffer.
        var longId = "prod_" + new string('€', 200);
        await (await c.PostFormAsync("/v1/products", ("id", longId), ("name", "Long"))).OkAsync();
        await (await c.PostFormAsync("/v1/prices", ("product", longId), ("currency", "usd"), ("unit_amount", "100"))).OkAsync();
    }

    /// <summary>Everything start-up builds in memory, as text: lists, secondary indexes, lookups, timers, the event feed, the webhook due-queue.</summary>
    internal static List<string> MemoryOf(TestApp app)
    {
        var store = app.Services.GetRequiredService<ObjectStore>();
        var feed = app.Services.GetRequiredService<EventFeed>();
        var lines = new List<string>();
        foreach (var state in store.Accounts.OrderBy(s => s.AccountId, StringComparer.Ordinal))
            lock (state.Gate)
            {
                lines.Add($"tree {state.AccountId}: {state.Objects.Count} objects, members {string.Join(",", state.Members.Order(StringComparer.Ordinal))}");
                foreach (var ((owner, type), list) in state.Lists.OrderBy(l => (l.Key.Owner, l.Key.Type)))
                    lines.Add($"list {owner} {type}: {string.Join(",", list.NewestFirst().Select(k => $"{state.IdOf(k)}@{k.Seq}/{k.Created}"))}");
                // Owners and keys by name: the ordinals are this start's numbering, not part of what is compared.
                foreach (var (owner, index, key, list) in state.Secondary.All()
                             .Select(l => (Owner: state.Objects.Name(l.Entry.Owner), Index: state.Schema.Indexes[l.Entry.Index].ToString(), Key: state.Objects.Name(l.Entry.Key), l.Objects))
                             .OrderBy(l => (l.Owner, l.Index, l.Key)))
                    lines.Add($"index {owner} {index} {key}: {string.Join(",", list.NewestFirst().Select(state.IdOf))}");
                // The running totals, summed here if this start left them unknown (a start from the rows).
                foreach (var total in state.Schema.Totals)
                    foreach (var member in state.Members.Order(StringComparer.Ordinal))
                        lines.Add($"total {member} {total}: {string.Join(",", state.TotalsOf(member, total).SelectMany(g => g.Value.Select(o => $"{g.Key}/{o.Key}={o.Value.Sum}x{o.Value.Count}")))}");
                lines.Add($"timers: {Timers(state, state.Timers)}");
                foreach (var (clock, queue) in state.ClockTimers.OrderBy(q => q.Key, StringComparer.Ordinal))
                    lines.Add($"timers of {clock}: {Timers(state, queue)}");
                var events = new List<EventFeed.Entry>();
                _ = feed.Read(state, 0, int.MaxValue, events);
                lines.Add($"feed: {string.Join(",", events.Select(e => $"{e.EventId}@{e.Position}"))}");
            }
        foreach (var (lookup, entry) in store.LookupEntries.OrderBy(e => (e.Key.Index.ToString(), e.Key.Key)))
            lines.Add($"lookup {lookup.Index} {lookup.Key}: {entry.Root} {entry.Id}");
        lines.Add($"webhooks due: {app.Services.GetRequiredService<WebhookDueQueue>().Count}");
        return lines;
    }

    private static string Timers(AccountState state, TimerHeap queue) =>
        // By due time, then id: among timers due at once, the order they were queued in is the run's (kept by the index
        // snapshot) or list order (a start from the rows), and either fires them all at that time.
        string.Join(",", queue.UnorderedItems.OrderBy(t => t.Priority.Due).ThenBy(t => state.TimerId(t.Element), StringComparer.Ordinal).Select(t => $"{state.TimerId(t.Element)}@{t.Priority.Due}"));

    [Fact]
    public async Task A_start_from_row_heads_builds_what_reading_every_row_builds_and_reads_only_the_rows_with_work()
    {
        await Populate(_file.Path);
        // The long product id's price: a head written from a buffer on the heap (the writer's stack buffer is 512 bytes).
        Assert.True(long.Parse(_file.Scalar("SELECT MAX(length(CAST(head AS BLOB))) FROM objects WHERE type = 'price'")) > 600);
        List<string> fromHeads, fromRows;
        long filed, objects;
        await using (var app = new TestApp(o => { o.InMemory = false; o.Database = _file.Path; o.IndexSnapshot = false; }))
        {
            fromHeads = MemoryOf(app);
            var store = app.Services.GetRequiredService<ObjectStore>();
            filed = store.FiledFromHeads;
            objects = store.Accounts.Sum(s => (long)s.Objects.Count);
        }
        // Without a cache every object stays in memory, so start-up reads every row whole.
        await using (var app = new TestApp(o => { o.InMemory = false; o.Database = _file.Path; o.IndexSnapshot = false; o.CacheObjects = 0; }))
        {
            fromRows = MemoryOf(app);
            Assert.Equal(0, app.Services.GetRequiredService<ObjectStore>().FiledFromHeads);
        }
        Assert.Equal(fromRows, fromHeads);
        // The rows read whole: the account, the subscription and its open work, the authorization and the pending
        // deliveries (one per event); everything else (events, charges, customers...) was not. The unswept balance
        // transactions wait for the payout run (on the schedule set after them) from their heads' wait keys.
        var events = fromHeads.Single(l => l.StartsWith("feed: ", StringComparison.Ordinal)).Split(',').Length;
        Assert.Contains($"webhooks due: {events}", fromHeads);
        var timers = fromHeads.Single(l => l.StartsWith("timers: ", StringComparison.Ordinal));
        Assert.Contains("ch_", timers, StringComparison.Ordinal);
        var unswept = long.Parse(_file.Scalar("SELECT COUNT(*) FROM objects WHERE type = 'balance_transaction' AND head LIKE 'wacct\\_% %' ESCAPE '\\'"));
        Assert.Equal(5, unswept); // three payments, the subscription's first invoice, a refund
        Assert.Equal(unswept, timers.Split(',').Count(t => t.Contains("txn_", StringComparison.Ordinal)));
        var wednesday = timers.Split(',').Where(t => t.Contains("txn_", StringComparison.Ordinal))
            .Select(t => DateTimeOffset.FromUnixTimeSeconds(long.Parse(t[(t.IndexOf('@') + 1)..])).UtcDateTime.DayOfWeek).Distinct();
        Assert.Equal([DayOfWeek.Wednesday], wednesday);
        Assert.InRange(filed, events + unswept, objects - events - 1);

        // And again from heads after the first start's compaction: the same.
        await using (var app = new TestApp(o => { o.InMemory = false; o.Database = _file.Path; o.IndexSnapshot = false; }))
            Assert.Equal(fromRows, MemoryOf(app));
    }

    [Fact]
    public async Task Rows_written_before_heads_are_read_whole_and_build_the_same()
    {
        await Populate(_file.Path);
        List<string> fromHeads;
        await using (var app = new TestApp(o => { o.InMemory = false; o.Database = _file.Path; o.IndexSnapshot = false; }))
            fromHeads = MemoryOf(app);
        // As a v6 build left the file: no heads, no refs.
        _file.Exec("UPDATE objects SET head = NULL, refs = NULL");
        await using (var app = new TestApp(o => { o.InMemory = false; o.Database = _file.Path; o.IndexSnapshot = false; }))
        {
            Assert.Equal(0, app.Services.GetRequiredService<ObjectStore>().FiledFromHeads);
            Assert.Equal(fromHeads, MemoryOf(app));
        }
    }

    private static StoreSchema SchemaWith(params SecondaryIndex[] indexes) =>
        new(new Dictionary<string, Type> { ["refund"] = typeof(Refund) }, indexes, [], []);

    [Fact]
    public void A_head_names_its_types_indexes_and_is_refused_when_this_build_declares_others()
    {
        var byCharge = new SecondaryIndex<Refund>("refund", "charge", r => r.Charge);
        var byIntent = new SecondaryIndex<Refund>("refund", "payment_intent", r => r.PaymentIntent);
        var refund = new Refund { Id = "re_1", AccountId = "acct_1", Charge = "ch_1", PaymentIntent = null, Amount = 5, Currency = "usd", Status = RefundStatus.Succeeded, Created = 1 };
        var schema = SchemaWith(byCharge, byIntent);

        var cold = RowHead.Of(schema, refund, hot: false)!;
        Assert.Equal("c\u001Fcharge\u001Ech_1\u001Fpayment_intent", cold);
        // A key outside ASCII is written as UTF-8 within the bound the writer sizes its buffer by.
        var wide = refund with { Charge = "ch_é€" };
        Assert.Equal("h\u001Fcharge\u001Ech_é€\u001Fpayment_intent", RowHead.Of(schema, wide, hot: true));
        Assert.InRange(System.Text.Encoding.UTF8.GetByteCount(RowHead.Of(schema, wide, hot: true)!), 1, RowHead.MaxBytes(schema, wide, null));
        var buffer = new byte[RowHead.RefsMaxBytes(2)];
        Assert.Equal("12,-3456789", System.Text.Encoding.UTF8.GetString(buffer, 0, RowHead.WriteRefs([12, -3456789], buffer)));
        Assert.Equal("9223372036854775807", System.Text.Encoding.UTF8.GetString(buffer, 0, RowHead.WriteRefs([long.MaxValue], buffer)));
        Assert.Equal([12L, 3456789L], RowHead.Positions("12,3456789"));
        Assert.Equal("12,3456789", RowHead.Refs([12, 3456789])); // the text form a string-binding writer (PostgreSQL) stores
        Assert.True(RowHead.TryReadCold(schema, "refund", cold, out var keys, out var waits));
        Assert.Equal(new string?[] { "ch_1", null }, keys.Secondary.AsEnumerable());
        Assert.Null(waits);
        // A timer's wait key (IObjectTimer.WaitKey) follows a "w"; a hot row does not keep it; a key with a separator makes no head.
        var waiting = RowHead.Of(schema, wide, hot: false, "acct_1 1700000000€")!;
        Assert.Equal("wacct_1 1700000000€\u001Fcharge\u001Ech_é€\u001Fpayment_intent", waiting);
        Assert.InRange(System.Text.Encoding.UTF8.GetByteCount(waiting), 1, RowHead.MaxBytes(schema, wide, "acct_1 1700000000€"));
        Assert.True(RowHead.TryReadCold(schema, "refund", waiting, out keys, out waits));
        Assert.Equal(("acct_1 1700000000€", "ch_é€"), (waits, keys.Secondary[0]));
        Assert.True(RowHead.TryReadCold(SchemaWith(), "refund", "wk", out _, out waits));
        Assert.Equal("k", waits);
        Assert.Equal("h\u001Fcharge\u001Ech_1\u001Fpayment_intent", RowHead.Of(schema, refund, hot: true, "acct_1 5"));
        Assert.Null(RowHead.Of(schema, refund, hot: false, "acct_1\u001E5"));

        // Read whole: a hot row, a head from a build with other indexes (one fewer, one more, renamed), a key with a separator.
        Assert.False(RowHead.TryReadCold(schema, "refund", RowHead.Of(schema, refund, hot: true)!, out _, out _));
        Assert.False(RowHead.TryReadCold(SchemaWith(byCharge), "refund", cold, out _, out _));
        Assert.False(RowHead.TryReadCold(SchemaWith(byCharge, byIntent, new SecondaryIndex<Refund>("refund", "status", r => "x")), "refund", cold, out _, out _));
        Assert.False(RowHead.TryReadCold(SchemaWith(new SecondaryIndex<Refund>("refund", "chargeX", r => r.Charge), byIntent), "refund", cold, out _, out _));
        Assert.Null(RowHead.Of(schema, refund with { Charge = "ch\u001F2" }, hot: false));
        Assert.Equal("c", RowHead.Of(SchemaWith(), refund, hot: false));
        Assert.True(RowHead.TryReadCold(SchemaWith(), "refund", "c", out _, out _));
    }
}
