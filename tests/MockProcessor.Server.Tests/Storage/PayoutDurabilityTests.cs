using MockProcessor.Server.Storage;
using MockProcessor.Server.Tests.Resources;

namespace MockProcessor.Server.Tests.Storage;

public class PayoutDurabilityTests
{
    [Fact]
    public async Task Payout_settings_swept_transactions_and_due_payout_work_survive_a_restart()
    {
        using var file = new TempSqliteDb("test");
        var db = file.Path;
        string paidOutCharge, waitingCharge, payoutId, runId;
        List<string> runIds;
        await using (var app = new TestApp(o => { o.InMemory = false; o.Database = db; }))
        {
            var k = new LedgerKit(app.Client("sk_test_payout_durable"));
            await k.Post("/_mock/payouts/settings", ("schedule[interval]", "weekly"), ("schedule[weekly_anchor]", "monday"),
                ("bank_account[account_number]", "000222222227"));
            paidOutCharge = await k.Charge(4_000, "tok_bypassPending");
            payoutId = (string)(await k.Post("/_mock/payouts/run"))["data"]![0]!["id"]!; // pending, to fail at arrival
            waitingCharge = await k.Charge(6_000);
            await k.Charge(1_000, "tok_bypassPending");
            await k.Charge(2_000, "tok_bypassPending");
            await k.Post("/_mock/payouts/settings", ("schedule[interval]", "manual"));
            var run = (await k.Post("/_mock/payouts/run"))["data"]![0]!;
            runIds = (await k.All($"/v1/balance_transactions?payout={run["id"]}")).Select(t => (string)t["id"]!).ToList();
            runId = (string)run["id"]!;
            Assert.Equal(2, runIds.Count);
            await k.Post("/_mock/payouts/settings", ("schedule[interval]", "weekly"));
        }
        await using (var app = new TestApp(o => { o.InMemory = false; o.Database = db; o.Seed = 9; }))
        {
            var k = new LedgerKit(app.Client("sk_test_payout_durable"));
            var settings = await k.Get("/_mock/payouts/settings");
            Assert.Equal("""{"delay_days":2,"interval":"weekly","weekly_anchor":"monday"}""", settings["schedule"]!.ToJsonString());
            Assert.Equal("7", ((string)settings["bank_account"]!["last4"]!)[^1..]);
            Assert.Equal([paidOutCharge], (await k.All($"/v1/balance_transactions?payout={payoutId}")).Select(t => (string)t["source"]!));
            // The payout index is rebuilt from the stored transactions, in the same (newest first) order.
            Assert.Equal(runIds, (await k.All($"/v1/balance_transactions?payout={runId}")).Select(t => (string)t["id"]!));

            // Friday 08:00 → Monday 08:00: the payout failed at arrival (Saturday), which marks the bank account
            // errored, so Monday's run pays nothing out; both timers were rebuilt from the stored objects.
            await k.Advance(3 * LedgerKit.Day);
            var failed = await k.Get($"/v1/payouts/{payoutId}");
            Assert.Equal(("failed", "insufficient_funds"), ((string)failed["status"]!, (string)failed["failure_code"]!));
            Assert.Equal(2, (await k.All("/v1/payouts")).Count);
            Assert.Equal("errored", (string)(await k.Get("/_mock/payouts/settings"))["bank_account"]!["status"]!);

            // New bank details: the next Monday's run sweeps the waiting charge and the returned funds.
            await k.Post("/_mock/payouts/settings", ("bank_account[account_number]", "000123456789"));
            await k.Advance(7 * LedgerKit.Day);
            var monday = (await k.All("/v1/payouts"))[0];
            Assert.NotEqual(payoutId, (string)monday["id"]!);
            Assert.Equal(DayOfWeek.Monday, DateTimeOffset.FromUnixTimeSeconds((long)monday["created"]!).UtcDateTime.DayOfWeek);
            var settled = await k.All($"/v1/balance_transactions?payout={monday["id"]}");
            // Both earlier payouts went to the failing account, so both returned their funds.
            Assert.Equal(["payout_failure", "payout_failure", "charge"], settled.Select(t => (string)t["type"]!).Order().Reverse());
            Assert.Contains(settled, t => (string)t["source"]! == waitingCharge);
            await k.AssertPayoutsAddUp();
            await k.AssertInvariant();
        }
    }

    /// <summary>
    /// An automatic run reads the transactions it may sweep from an index of the unswept ones (not the merchant's whole
    /// history): a transaction leaves it when a payout takes it, and a restart rebuilds it from the stored transactions.
    /// </summary>
    [Fact]
    public async Task The_unswept_index_holds_exactly_the_transactions_no_automatic_payout_took_also_after_a_restart()
    {
        using var file = new TempSqliteDb("test");
        var db = file.Path;
        // A read in a unit of work of the merchant with balance transactions, under its lock.
        static T InMerchant<T>(TestApp app, Func<Tx, T> read)
        {
            var store = (ObjectStore)app.Services.GetService(typeof(ObjectStore))!;
            var state = store.Accounts.Single(s => s.List(s.AccountId, "balance_transaction") is not null);
            lock (state.Gate) return read(store.Begin(state));
        }
        static List<string> Unswept(TestApp app, string currency) =>
            InMerchant(app, tx => MockProcessor.Server.Resources.Payouts.PayoutLedger.Unswept(tx, currency).Select(t => t.Id).ToList());
        // The currencies a run may pay out, as the index lists its keys (no walk over the merchant's transactions).
        static List<string> Currencies(TestApp app) =>
            InMerchant(app, tx => MockProcessor.Server.Resources.Payouts.PayoutLedger.UnsweptCurrencies(tx).ToList());
        List<string> expected;
        await using (var app = new TestApp(o => { o.InMemory = false; o.Database = db; }))
        {
            var k = new LedgerKit(app.Client("sk_test_unswept_index"));
            await k.Post("/_mock/payouts/settings", ("schedule[interval]", "manual"));
            await k.Charge(4_000, "tok_bypassPending");
            await k.Charge(1_500, "tok_bypassPending");
            await k.Charge(2_500, "tok_bypassPending", "eur");
            Assert.Equal(2, Unswept(app, "usd").Count);
            Assert.Equal(["eur", "usd"], Currencies(app));
            var swept = (await k.Post("/_mock/payouts/run"))["data"]!.AsArray();
            Assert.Equal(2, swept.Count); // one payout per currency
            Assert.Empty(Unswept(app, "usd"));
            Assert.Empty(Unswept(app, "eur"));
            Assert.Empty(Currencies(app));
            await k.Charge(700, "tok_bypassPending");
            await k.Charge(900);
            // Newest first, as the balance transactions list orders them: what the next run may sweep.
            expected = [.. (await k.All("/v1/balance_transactions?currency=usd")).Where(t => (string)t["type"]! == "charge").Take(2).Select(t => (string)t["id"]!)];
            Assert.Equal(expected, Unswept(app, "usd"));
            Assert.Equal(["usd"], Currencies(app));
            // A call sees the keys of its own writes before they are committed (this one is never committed).
            Assert.Equal(["gbp", "usd"], InMerchant(app, tx =>
            {
                tx.Put(tx.Get<MockProcessor.Domain.Balance.BalanceTransaction>(expected[0])! with { Id = "txn_staged_gbp", Currency = "gbp" });
                return MockProcessor.Server.Resources.Payouts.PayoutLedger.UnsweptCurrencies(tx).ToList();
            }));
        }
        await using (var app = new TestApp(o => { o.InMemory = false; o.Database = db; }))
        {
            Assert.Equal(expected, Unswept(app, "usd"));
            Assert.Equal(["usd"], Currencies(app));
        }
    }
}
