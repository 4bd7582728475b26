using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using MockProcessor.Domain.Balance;
using MockProcessor.Server.Resources;
using MockProcessor.Server.Resources.Balance;
using MockProcessor.Server.Storage;
using MockProcessor.Server.Tests.Resources;

namespace MockProcessor.Server.Tests.Storage;

/// <summary>
/// Running totals (docs/storage.md, "Running totals"): the store keeps the balance transactions' nets by currency and
/// available_on, a unit of work reads them with its own bookings, and a balance read from them matches one summed over
/// every transaction, after a start from the index snapshot and after one that read the rows.
/// </summary>
public class RunningTotalsTests
{
    private const string Key = "sk_test_running_totals";

    private static BalanceTransaction Txn(string id, long net, string currency, long availableOn) => new()
    {
        Id = id, AccountId = "acct_1", Created = 10, Amount = net, Currency = currency, AvailableOn = availableOn,
        Type = BalanceTransactionType.Adjustment, ReportingCategory = ReportingCategory.OtherAdjustment,
    };

    [Fact]
    public void A_unit_of_work_reads_the_totals_with_its_own_bookings_and_a_moved_contribution_moves()
    {
        var store = new ObjectStore(new StoreSchema(Registry.PersistedTypes, [], [], [], [BalanceEndpoints.Funds]), null, NullLogger.Instance);
        var state = store.AddMerchant("acct_1");
        lock (state.Gate)
        {
            var tx = store.Begin(state);
            Assert.Empty(tx.Totals(BalanceEndpoints.Funds));
            tx.Put(Txn("txn_1", 1_000, "usd", 100));
            tx.Put(Txn("txn_2", -300, "usd", 100));
            tx.Put(Txn("txn_3", 500, "eur", 200));
            (string, long, long, long)[] booked = [("eur", 200, 500, 1), ("usd", 100, 700, 2)];
            Assert.Equal(booked, tx.Totals(BalanceEndpoints.Funds));
            tx.Commit();
            tx = store.Begin(state);
            Assert.Equal(booked, tx.Totals(BalanceEndpoints.Funds));
            // Staged: one moves to another order, one cancels another's sum out (still two transactions: the currency
            // stays), and a new one of no amount counts (a currency with a transaction shows, at zero).
            tx.Put(Txn("txn_3", 500, "eur", 300));
            tx.Put(Txn("txn_1", 300, "usd", 100));
            tx.Put(Txn("txn_4", 0, "gbp", 50));
            (string, long, long, long)[] moved = [("eur", 300, 500, 1), ("gbp", 50, 0, 1), ("usd", 100, 0, 2)];
            Assert.Equal(moved, tx.Totals(BalanceEndpoints.Funds));
            tx.Commit();
            Assert.Equal(moved, store.Begin(state).Totals(BalanceEndpoints.Funds));
            var summary = BalanceRules.Summarize(store.Begin(state).Totals(BalanceEndpoints.Funds).Select(t => (t.Group, t.Order, t.Sum)), now: 250);
            // Every currency shows in both lists (Stripe's balance names each currency it holds), at zero where nothing is.
            Assert.Equal([new BalanceFunds("eur", 0, 0), new BalanceFunds("gbp", 0, 0), new BalanceFunds("usd", 0, 0)], summary.Available);
            Assert.Equal([new BalanceFunds("eur", 500, 500), new BalanceFunds("gbp", 0, 0), new BalanceFunds("usd", 0, 0)], summary.Pending);
        }
    }

    // GET /v1/balance against the ledger listed over the API: per currency, the nets available at the merchant's now
    // and those still pending.
    private static async Task SameAsTheLedger(TestApp app, string because)
    {
        var k = new LedgerKit(app.Client(Key));
        var txns = await k.All("/v1/balance_transactions");
        var now = await k.Now();
        var balance = await k.Get("/v1/balance");
        var currencies = txns.Select(t => (string)t["currency"]!).Distinct().Order(StringComparer.Ordinal).ToList();
        Assert.Equal(currencies, balance["available"]!.AsArray().Select(f => (string)f!["currency"]!));
        foreach (var cur in currencies)
        {
            var of = txns.Where(t => (string)t["currency"]! == cur).ToList();
            var available = of.Where(t => (long)t["available_on"]! <= now).Sum(t => (long)t["net"]!);
            var pending = of.Where(t => (long)t["available_on"]! > now).Sum(t => (long)t["net"]!);
            Assert.True((available, pending) == (LedgerKit.Bucket(balance, "available", cur), LedgerKit.Bucket(balance, "pending", cur)),
                $"{cur} {because}: the ledger has {available} available and {pending} pending, the balance {balance.ToJsonString()}");
        }
    }

    [Fact]
    public async Task The_balance_matches_the_ledger_through_starts_from_the_snapshot_and_from_the_rows()
    {
        using var file = new TempSqliteDb("totals");
        // A cache of five: most transactions are on disk, and a start from the rows files them from their heads.
        TestApp Start(bool snapshot) => new(o => { o.InMemory = false; o.Database = file.Path; o.CacheObjects = 5; o.IndexSnapshot = snapshot; });
        // The merchant's tree: the only one with more than the few objects a key's provisioning makes.
        AccountState Tree(TestApp app) => app.Services.GetRequiredService<ObjectStore>().Accounts.Single(s => s.Objects.Count > 3);

        await using (var app = Start(snapshot: true))
        {
            var k = new LedgerKit(app.Client(Key));
            var first = await k.Charge(4_000);
            await k.Charge(2_500, "tok_bypassPending");
            await k.Charge(3_000, currency: "eur");
            await k.Post("/v1/refunds", ("charge", first), ("amount", "1500"));
            await SameAsTheLedger(app, "after the bookings");
            // A manual payout takes what is available (the bypassPending charge's net) and no more.
            var available = LedgerKit.Bucket(await k.Get("/v1/balance"), "available", "usd");
            Assert.True(available > 0);
            var refused = await app.Client(Key).PostFormAsync("/v1/payouts", ("amount", (available + 1).ToString()), ("currency", "usd"));
            Assert.Equal("balance_insufficient", (string)(await refused.ErrorAsync(400))["code"]!);
            await k.Post("/v1/payouts", ("amount", available.ToString()), ("currency", "usd"));
            await SameAsTheLedger(app, "after the payout");
        }
        await using (var app = Start(snapshot: true))
        {
            Assert.Equal("snapshot", app.Services.GetRequiredService<ObjectStore>().StartedFrom);
            Assert.True(Tree(app).TotalsKnown);
            await SameAsTheLedger(app, "from the snapshot");
            var k = new LedgerKit(app.Client(Key));
            await k.Advance(3 * LedgerKit.Day); // the pending charges' funds become available
            await k.Charge(700, currency: "gbp");
            await SameAsTheLedger(app, "three days on, from the snapshot");
        }
        await using (var app = Start(snapshot: false))
        {
            Assert.Equal("rows", app.Services.GetRequiredService<ObjectStore>().StartedFrom);
            var tree = Tree(app);
            Assert.False(tree.TotalsKnown); // heads carry no amounts: summed at the first read
            await SameAsTheLedger(app, "from the rows");
            Assert.True(tree.TotalsKnown);
            var k = new LedgerKit(app.Client(Key));
            await k.Charge(900, "tok_bypassPending", "eur");
            await SameAsTheLedger(app, "after a booking, from the rows");
        }
    }
}
