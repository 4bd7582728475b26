using System.Text.Json.Nodes;

namespace MockProcessor.Server.Tests.Resources;

public class PayoutApiTests : IAsyncLifetime
{
    private const long Day = LedgerKit.Day;
    private readonly TestApp _app = new();
    private HttpClient _c = null!;
    private LedgerKit _k = null!;

    public Task InitializeAsync()
    {
        _c = _app.Client("sk_test_payouts");
        _k = new LedgerKit(_c);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    // TestApp starts at 08:00 UTC; card funds are available at 00:00 UTC two days later.
    private static long Midnight(int daysAfterStart) => TestApp.StartTime - 8 * 3600 + daysAfterStart * Day;

    private async Task<List<string>> EventTypes() =>
        (await _k.All("/v1/events")).Select(e => (string)e["type"]!).Reverse().ToList();

    [Fact]
    public async Task Daily_automatic_payout_sweeps_available_funds_and_is_paid_the_next_day()
    {
        var ch = await _k.Charge(10_000);
        var refunded = await _k.Charge(2_000);
        await _k.Post("/v1/refunds", ("charge", refunded), ("amount", "500"));
        Assert.Empty((await _k.Get("/v1/payouts"))["data"]!.AsArray());

        await _k.Advance(Midnight(2) - TestApp.StartTime);
        var po = (await _k.Get("/v1/payouts"))["data"]!.AsArray().Single()!.AsObject();
        Assert.True((bool)po["automatic"]!);
        Assert.Equal("pending", (string)po["status"]!);
        Assert.Equal(Midnight(2), (long)po["created"]!);
        Assert.Equal(Midnight(3), (long)po["arrival_date"]!);
        Assert.Equal("in_progress", (string)po["reconciliation_status"]!);
        Assert.Equal(9_680 + 1_912 - 500, (long)po["amount"]!);
        Assert.Equal("STRIPE PAYOUT", (string)po["description"]!);
        Assert.StartsWith("ba_", (string)po["destination"]!);

        var settled = await _k.All($"/v1/balance_transactions?payout={po["id"]}");
        Assert.Equal(3, settled.Count);
        Assert.Equal((long)po["amount"]!, settled.Sum(t => (long)t["net"]!));
        Assert.Contains(settled, t => (string)t["source"]! == ch);
        var own = await _k.Get($"/v1/balance_transactions/{po["balance_transaction"]}");
        Assert.Equal(("payout", "payout", -(long)po["amount"]!), ((string)own["type"]!, (string)own["reporting_category"]!, (long)own["amount"]!));
        Assert.Equal((string)po["id"]!, (string)own["source"]!);

        var balance = await _k.Get("/v1/balance");
        Assert.Equal(0, LedgerKit.Bucket(balance, "available", "usd"));
        Assert.Equal(0, LedgerKit.Bucket(balance, "pending", "usd"));
        await _k.AssertInvariant();

        await _k.Advance(Day);
        var paid = await _k.Get($"/v1/payouts/{po["id"]}");
        Assert.Equal("paid", (string)paid["status"]!);
        Assert.Equal("completed", (string)paid["reconciliation_status"]!);
        var types = await EventTypes();
        Assert.Equal(["payout.created", "payout.updated", "payout.updated", "payout.paid", "payout.reconciliation_completed"],
            types.Where(t => t.StartsWith("payout.")));
        // Nothing new came in, so the following days make no payout.
        await _k.Advance(3 * Day);
        Assert.Single((await _k.Get("/v1/payouts"))["data"]!.AsArray());
    }

    [Fact]
    public async Task Negative_available_funds_wait_for_a_later_payout_which_then_adds_up()
    {
        var big = await _k.Charge(5_000);
        await _k.Advance(Midnight(2) - TestApp.StartTime); // payout 1 sweeps the charge
        await _k.Post("/v1/refunds", ("charge", big), ("amount", "3000")); // -3000, available now
        await _k.Advance(Day); // run: only -3000 is sweepable, so no payout
        Assert.Single((await _k.Get("/v1/payouts"))["data"]!.AsArray());
        await _k.Charge(10_000);
        await _k.Advance(2 * Day);
        var payouts = await _k.All("/v1/payouts");
        Assert.Equal(2, payouts.Count);
        Assert.Equal(9_680 - 3_000, (long)payouts[0]["amount"]!);
        Assert.Equal(2, await _k.AssertPayoutsAddUp());
        await _k.AssertInvariant();
    }

    [Fact]
    public async Task Manual_payout_draws_on_the_available_balance_and_can_be_canceled_while_pending()
    {
        await _k.Charge(10_000, "tok_bypassPending"); // 9680 available at once
        await _k.Charge(10_000); // pending: cannot be paid out
        var tooMuch = await (await _c.PostFormAsync("/v1/payouts", ("amount", "9681"), ("currency", "usd"))).ErrorAsync(400);
        Assert.Equal(("balance_insufficient", "amount"), ((string)tooMuch["code"]!, (string)tooMuch["param"]!));

        var po = await _k.Post("/v1/payouts", ("amount", "4000"), ("currency", "usd"), ("description", "weekly sweep"), ("metadata[batch]", "7"));
        Assert.False((bool)po["automatic"]!);
        Assert.Equal(("pending", "not_applicable", "weekly sweep"), ((string)po["status"]!, (string)po["reconciliation_status"]!, (string)po["description"]!));
        Assert.Equal(5_680, LedgerKit.Bucket(await _k.Get("/v1/balance"), "available", "usd"));
        Assert.Empty(await _k.All($"/v1/balance_transactions?payout={po["id"]}"));

        var updated = await _k.Post($"/v1/payouts/{po["id"]}", ("metadata[batch]", "8"));
        Assert.Equal("8", (string)updated["metadata"]!["batch"]!);

        var canceled = await _k.Post($"/v1/payouts/{po["id"]}/cancel", ("expand[]", "failure_balance_transaction"));
        Assert.Equal("canceled", (string)canceled["status"]!);
        var back = canceled["failure_balance_transaction"]!.AsObject();
        Assert.Equal(("payout_cancel", "payout_reversal", 4_000L), ((string)back["type"]!, (string)back["reporting_category"]!, (long)back["amount"]!));
        Assert.Equal(9_680, LedgerKit.Bucket(await _k.Get("/v1/balance"), "available", "usd"));
        var again = await (await _c.PostFormAsync($"/v1/payouts/{po["id"]}/cancel")).ErrorAsync(400);
        Assert.Contains("canceled", (string)again["message"]!);
        Assert.Contains("payout.canceled", await EventTypes());
        await _k.AssertInvariant();
    }

    [Fact]
    public async Task A_manual_payout_cannot_be_canceled_once_in_transit_and_is_paid_at_arrival()
    {
        await _k.Post("/_mock/payouts/settings", ("schedule[interval]", "manual"));
        await _k.Charge(3_000, "tok_bypassPending");
        var po = await _k.Post("/v1/payouts", ("amount", "1000"), ("currency", "usd"));
        await _k.Advance(3600);
        Assert.Equal("in_transit", (string)(await _k.Get($"/v1/payouts/{po["id"]}"))["status"]!);
        await (await _c.PostFormAsync($"/v1/payouts/{po["id"]}/cancel")).ErrorAsync(400);
        await _k.Advance(Day);
        var paid = await _k.Get($"/v1/payouts/{po["id"]}");
        Assert.Equal(("paid", "not_applicable"), ((string)paid["status"]!, (string)paid["reconciliation_status"]!));
        Assert.DoesNotContain("payout.reconciliation_completed", await EventTypes());
    }

    [Fact]
    public async Task Automatic_payouts_cannot_be_canceled()
    {
        await _k.Charge(3_000, "tok_bypassPending");
        var run = await _k.Post("/_mock/payouts/run");
        var po = run["data"]!.AsArray().Single()!;
        Assert.Equal(2_883, (long)po["amount"]!);
        var err = await (await _c.PostFormAsync($"/v1/payouts/{po["id"]}/cancel")).ErrorAsync(400);
        Assert.Contains("automatic", (string)err["message"]!);
    }

    [Fact]
    public async Task A_payout_to_a_failing_test_bank_account_fails_and_returns_the_funds_to_a_later_payout()
    {
        var settings = await _k.Post("/_mock/payouts/settings", ("bank_account[account_number]", "000111111116"));
        Assert.Equal("6", ((string)settings["bank_account"]!["last4"]!)[^1..]);
        await _k.Charge(10_000);
        await _k.Advance(Midnight(3) - TestApp.StartTime); // created at day 2, fails at arrival on day 3
        var failed = (await _k.All("/v1/payouts")).Single();
        Assert.Equal(("failed", "no_account", "completed"), ((string)failed["status"]!, (string)failed["failure_code"]!, (string)failed["reconciliation_status"]!));
        Assert.False(string.IsNullOrEmpty((string?)failed["failure_message"]));
        var back = await _k.Get($"/v1/balance_transactions/{failed["failure_balance_transaction"]}");
        Assert.Equal(("payout_failure", "payout_reversal", 9_680L), ((string)back["type"]!, (string)back["reporting_category"]!, (long)back["amount"]!));
        Assert.Equal(9_680, LedgerKit.Bucket(await _k.Get("/v1/balance"), "available", "usd"));
        var types = await EventTypes();
        Assert.Equal(["payout.created", "payout.updated", "payout.updated", "payout.failed", "payout.reconciliation_completed"],
            types.Where(t => t.StartsWith("payout.")));

        // The errored account gets no more scheduled payouts; new bank details resume them, and the next run pays
        // the returned funds out.
        Assert.Equal("errored", (string)(await _k.Get("/_mock/payouts/settings"))["bank_account"]!["status"]!);
        await _k.Advance(Day);
        Assert.Single(await _k.All("/v1/payouts"));
        await _k.Post("/_mock/payouts/settings", ("bank_account[account_number]", "000123456789"));
        await _k.Advance(Day);
        var payouts = await _k.All("/v1/payouts");
        Assert.Equal(2, payouts.Count);
        var settled = await _k.All($"/v1/balance_transactions?payout={payouts[0]["id"]}");
        Assert.Equal("payout_failure", (string)settled.Single()["type"]!);
        Assert.Equal(2, await _k.AssertPayoutsAddUp());
        await _k.AssertInvariant();
    }

    [Fact]
    public async Task Weekly_and_monthly_schedules_run_on_their_anchor_days_and_manual_never()
    {
        // StartTime is Friday 2027-01-15.
        Assert.Equal(DayOfWeek.Friday, DateTimeOffset.FromUnixTimeSeconds(TestApp.StartTime).UtcDateTime.DayOfWeek);
        var s = await _k.Post("/_mock/payouts/settings", ("schedule[interval]", "weekly"), ("schedule[weekly_anchor]", "wednesday"));
        Assert.Equal("""{"delay_days":2,"interval":"weekly","weekly_anchor":"wednesday"}""", s["schedule"]!.ToJsonString());
        await _k.Charge(1_000);
        await _k.Advance(4 * Day); // Tuesday: funds available since Sunday, no run yet
        Assert.Empty(await _k.All("/v1/payouts"));
        await _k.Advance(Day);
        var weekly = (await _k.All("/v1/payouts")).Single();
        Assert.Equal(Midnight(5), (long)weekly["created"]!);
        Assert.Equal(DayOfWeek.Wednesday, DateTimeOffset.FromUnixTimeSeconds((long)weekly["created"]!).UtcDateTime.DayOfWeek);

        await _k.Post("/_mock/payouts/settings", ("schedule[interval]", "monthly"), ("schedule[monthly_anchor]", "31"));
        await _k.Charge(1_000); // Wednesday Jan 20, available Jan 22
        await _k.Advance(10 * Day);
        Assert.Single(await _k.All("/v1/payouts"));
        await _k.Advance(Day);
        Assert.Equal(new DateTime(2027, 1, 31, 0, 0, 0, DateTimeKind.Utc), Created((await _k.All("/v1/payouts"))[0]));
        await _k.Charge(1_000); // Jan 31: the next run is the last day of February (2027 is not a leap year)
        await _k.Advance(27 * Day);
        Assert.Equal(2, (await _k.All("/v1/payouts")).Count);
        await _k.Advance(Day);
        Assert.Equal(new DateTime(2027, 2, 28, 0, 0, 0, DateTimeKind.Utc), Created((await _k.All("/v1/payouts"))[0]));

        await _k.Post("/_mock/payouts/settings", ("schedule[interval]", "manual"));
        await _k.Charge(1_000);
        await _k.Advance(60 * Day);
        Assert.Equal(3, (await _k.All("/v1/payouts")).Count);
        await _k.AssertInvariant();
    }

    private static DateTime Created(JsonObject o) => DateTimeOffset.FromUnixTimeSeconds((long)o["created"]!).UtcDateTime;

    [Fact]
    public async Task Delay_days_hold_card_funds_longer()
    {
        await _k.Post("/_mock/payouts/settings", ("schedule[delay_days]", "5"));
        var ch = await _k.Post("/v1/charges", ("amount", "1000"), ("currency", "usd"), ("source", "tok_visa"), ("expand[]", "balance_transaction"));
        Assert.Equal(Midnight(5), (long)ch["balance_transaction"]!["available_on"]!);
        var bypass = await _k.Post("/v1/charges", ("amount", "1000"), ("currency", "usd"), ("source", "tok_bypassPending"), ("expand[]", "balance_transaction"));
        Assert.Equal(TestApp.StartTime, (long)bypass["balance_transaction"]!["available_on"]!);
        var manualDelay = await (await _c.PostFormAsync("/_mock/payouts/settings", ("schedule[interval]", "manual"), ("schedule[delay_days]", "3"))).ErrorAsync(400);
        Assert.Equal("schedule[delay_days]", (string)manualDelay["param"]!);
        var badNumber = await (await _c.PostFormAsync("/_mock/payouts/settings", ("bank_account[account_number]", "12345"))).ErrorAsync(400);
        Assert.Equal("bank_account[account_number]", (string)badNumber["param"]!);
    }

    [Fact]
    public async Task Payouts_list_filters_by_status_arrival_date_and_destination()
    {
        await _k.Post("/_mock/payouts/settings", ("schedule[interval]", "manual"));
        await _k.Charge(10_000, "tok_bypassPending");
        var first = await _k.Post("/v1/payouts", ("amount", "100"), ("currency", "usd"));
        await _k.Advance(Day);
        var second = await _k.Post("/v1/payouts", ("amount", "200"), ("currency", "usd"));
        Assert.Equal([(string)second["id"]!], (await _k.All("/v1/payouts?status=pending")).Select(p => (string)p["id"]!));
        Assert.Equal([(string)first["id"]!], (await _k.All("/v1/payouts?status=paid")).Select(p => (string)p["id"]!));
        Assert.Equal([(string)first["id"]!], (await _k.All($"/v1/payouts?arrival_date[lte]={first["arrival_date"]}")).Select(p => (string)p["id"]!));
        Assert.Equal(2, (await _k.All($"/v1/payouts?destination={first["destination"]}")).Count);
        Assert.Empty(await _k.All("/v1/payouts?destination=ba_other"));
        var bad = await (await _c.GetAsync("/v1/payouts?status=lost")).ErrorAsync(400);
        Assert.Equal("status", (string)bad["param"]!);
        await (await _c.GetAsync("/v1/payouts/po_missing")).ErrorAsync(404);
    }

    [Fact]
    public async Task Discrepancies_settle_a_payment_late_and_adjust_a_fee_and_are_listed()
    {
        var early = await _k.Charge(10_000);
        var late = await _k.Charge(5_000);
        var delayed = await _k.Post("/_mock/discrepancies", ("kind", "late_settlement"), ("charge", late), ("days", "2"));
        Assert.Equal(Midnight(2), (long)delayed["available_on_before"]!);
        Assert.Equal(Midnight(4), (long)delayed["available_on_after"]!);
        var fee = await _k.Post("/_mock/discrepancies", ("kind", "fee_adjustment"), ("charge", early), ("amount", "-120"));
        var adj = await _k.Get($"/v1/balance_transactions/{fee["balance_transaction"]}");
        Assert.Equal(("adjustment", "fee", -120L, early), ((string)adj["type"]!, (string)adj["reporting_category"]!, (long)adj["net"]!, (string)adj["source"]!));

        await _k.Advance(Midnight(2) - TestApp.StartTime);
        var first = (await _k.All("/v1/payouts")).Single();
        Assert.Equal(9_680 - 120, (long)first["amount"]!); // the late charge is not in it
        await _k.Advance(2 * Day);
        var second = (await _k.All("/v1/payouts"))[0];
        var settled = await _k.All($"/v1/balance_transactions?payout={second["id"]}");
        Assert.Equal(late, (string)settled.Single()["source"]!);

        var listed = (await _k.Get("/_mock/discrepancies"))["data"]!.AsArray();
        Assert.Equal(["late_settlement", "fee_adjustment"], listed.Select(d => (string)d!["kind"]!));
        var paidOut = await (await _c.PostFormAsync("/_mock/discrepancies", ("kind", "late_settlement"), ("charge", late))).ErrorAsync(400);
        Assert.Contains((string)second["id"]!, (string)paidOut["message"]!);
        await (await _c.PostFormAsync("/_mock/discrepancies", ("kind", "fee_adjustment"), ("charge", early), ("amount", "0"))).ErrorAsync(400);
        Assert.Equal(2, await _k.AssertPayoutsAddUp());
        await _k.AssertInvariant();
    }

    [Fact]
    public async Task Each_currency_gets_its_own_payout()
    {
        await _k.Charge(1_000, "tok_bypassPending");
        await _k.Charge(2_000, "tok_bypassPending", "eur");
        var run = (await _k.Post("/_mock/payouts/run"))["data"]!.AsArray();
        Assert.Equal(["usd", "eur"], run.Select(p => (string)p!["currency"]!));
        Assert.Equal(2, await _k.AssertPayoutsAddUp());
    }

    [Fact]
    public async Task A_large_payout_pages_through_its_transactions_in_list_order()
    {
        for (var i = 0; i < 230; i++) await _k.Charge(1_000 + i, "tok_bypassPending");
        var po = (await _k.Post("/_mock/payouts/run"))["data"]![0]!;
        var all = (await _k.All("/v1/balance_transactions")).Where(t => (string)t["type"]! == "charge").Select(t => (string)t["id"]!).ToList();
        // Pages of 100 through starting_after (LedgerKit.All), and one page back with ending_before.
        var paged = (await _k.All($"/v1/balance_transactions?payout={po["id"]}")).Select(t => (string)t["id"]!).ToList();
        Assert.Equal(all, paged);
        var back = await _k.Get($"/v1/balance_transactions?payout={po["id"]}&limit=3&ending_before={all[150]}");
        Assert.Equal(all[147..150], back["data"]!.AsArray().Select(t => (string)t!["id"]!));
        var missing = await (await _c.GetAsync($"/v1/balance_transactions?payout={po["id"]}&starting_after={po["balance_transaction"]}")).ErrorAsync(404);
        Assert.Equal("starting_after", (string)missing["param"]!);
        Assert.Equal(1, await _k.AssertPayoutsAddUp());
    }
}
