using System.Text.Json.Nodes;

namespace MockProcessor.Server.Tests.Resources;

/// <summary>
/// The ledger invariant under long mixed sequences (issue "done when"): a seeded random walk of payments, refunds,
/// disputes won and lost, manual payouts and cancels, failing bank accounts, schedule changes, discrepancies and
/// clock advances, checking after every step that available + pending = Σ net per currency, and regularly that
/// every automatic payout's <c>?payout=</c> transactions sum exactly to its amount.
/// </summary>
public class LedgerInvariantTests : IAsyncLifetime
{
    private readonly TestApp _app = new();
    public Task InitializeAsync() => Task.CompletedTask;
    public async Task DisposeAsync() => await _app.DisposeAsync();

    private static readonly string[] Tokens =
        ["tok_visa", "tok_visa", "tok_bypassPending", "tok_createDispute", "tok_refundFail", "tok_pendingRefund", "tok_createDisputeInquiry", "tok_mastercard"];
    private static readonly string[] PaymentMethods = ["pm_card_visa", "pm_card_bypassPending", "pm_card_createDispute", "pm_card_refundFail"];
    private static readonly string[] Currencies = ["usd", "usd", "eur"];
    private static readonly string[] BankNumbers = ["000123456789", "000123456789", "000111111116", "000222222227"];

    [Theory]
    [InlineData(1, 160)]
    [InlineData(7, 160)]
    [InlineData(42, 160)]
    [InlineData(1002, 500)]
    public async Task Available_plus_pending_equals_the_sum_of_nets_after_every_step(int seed, int steps)
    {
        var c = _app.Client($"sk_test_ledger_walk_{seed}");
        var k = new LedgerKit(c);
        var rng = new Random(seed);
        var charges = new List<string>();
        var kinds = new Dictionary<string, int>();
        T Pick<T>(IReadOnlyList<T> xs) => xs[rng.Next(xs.Count)];

        async Task Expect(HttpResponseMessage res, string what)
        {
            var status = (int)res.StatusCode;
            var body = await res.Content.ReadAsStringAsync();
            Assert.True(status is 200 or 400 or 402, $"step {what}: {status} {body}");
            if (status == 200 && JsonNode.Parse(body) is JsonObject o && (string?)o["object"] == "charge") charges.Add((string)o["id"]!);
        }

        for (var step = 0; step < steps; step++)
        {
            var roll = rng.Next(100);
            var kind = roll switch
            {
                < 22 => "charge", < 32 => "payment_intent", < 44 => "refund", < 50 => "dispute", < 56 => "decide",
                < 64 => "payout", < 68 => "cancel", < 71 => "bank", < 73 => "schedule", < 77 => "fee_adjustment",
                < 80 => "late_settlement", _ => "advance",
            };
            kinds[kind] = kinds.GetValueOrDefault(kind) + 1;
            switch (kind)
            {
                case "charge":
                    await Expect(await c.PostFormAsync("/v1/charges", ("amount", rng.Next(500, 20_000).ToString()),
                        ("currency", Pick(Currencies)), ("source", Pick(Tokens))), kind);
                    break;
                case "payment_intent":
                    var pi = await c.PostFormAsync("/v1/payment_intents", ("amount", rng.Next(500, 20_000).ToString()),
                        ("currency", Pick(Currencies)), ("payment_method", Pick(PaymentMethods)), ("allowed_payment_method_types[]", "card"), ("confirm", "true"));
                    await Expect(pi, kind);
                    if (pi.IsSuccessStatusCode && (await pi.JsonAsync())["latest_charge"] is JsonValue latest) charges.Add((string)latest!);
                    break;
                case "refund" when charges.Count > 0:
                    var fields = new List<(string, string)> { ("charge", Pick(charges)) };
                    if (rng.Next(2) == 0) fields.Add(("amount", rng.Next(100, 3_000).ToString()));
                    await Expect(await c.PostFormAsync("/v1/refunds", [.. fields]), kind);
                    break;
                case "dispute" when charges.Count > 0:
                    await Expect(await c.PostFormAsync("/_mock/disputes", ("charge", Pick(charges)), ("inquiry", rng.Next(4) == 0 ? "true" : "false")), kind);
                    break;
                case "decide":
                    var open = (await k.All("/v1/disputes")).Where(d => (string)d["status"]! is "needs_response" or "under_review" or "warning_needs_response").ToList();
                    if (open.Count > 0)
                        await Expect(await c.PostFormAsync($"/_mock/disputes/{Pick(open)["id"]}/decide", ("outcome", rng.Next(2) == 0 ? "won" : "lost")), kind);
                    break;
                case "payout":
                    var currency = Pick(Currencies);
                    var available = LedgerKit.Bucket(await k.Get("/v1/balance"), "available", currency);
                    // Sometimes more than available: that must be a clean 400 balance_insufficient.
                    var amount = available > 100 && rng.Next(5) > 0 ? rng.Next(1, (int)Math.Min(available, int.MaxValue)) : Math.Max(available, 0) + rng.Next(1, 1_000);
                    var po = await c.PostFormAsync("/v1/payouts", ("amount", amount.ToString()), ("currency", currency));
                    if (amount > available) Assert.Equal("balance_insufficient", (string)(await po.ErrorAsync(400))["code"]!);
                    else await po.OkAsync();
                    break;
                case "cancel":
                    var pending = (await k.All("/v1/payouts?status=pending")).ToList();
                    if (pending.Count > 0) await Expect(await c.PostFormAsync($"/v1/payouts/{Pick(pending)["id"]}/cancel"), kind);
                    break;
                case "bank":
                    await k.Post("/_mock/payouts/settings", ("bank_account[account_number]", Pick(BankNumbers)));
                    break;
                case "schedule":
                    await k.Post("/_mock/payouts/settings", ("schedule[interval]", Pick(["daily", "daily", "weekly", "manual"])));
                    break;
                case "fee_adjustment" when charges.Count > 0:
                    await Expect(await c.PostFormAsync("/_mock/discrepancies", ("kind", "fee_adjustment"), ("charge", Pick(charges)),
                        ("amount", (rng.Next(2) == 0 ? -1 : 1) * rng.Next(1, 500) + ""), ("reporting_category", Pick(["fee", "other_adjustment"]))), kind);
                    break;
                case "late_settlement":
                    var unswept = (await k.All("/v1/balance_transactions")).Where(t => (string)t["type"]! != "payout").ToList();
                    if (unswept.Count > 0)
                        await Expect(await c.PostFormAsync("/_mock/discrepancies", ("kind", "late_settlement"), ("balance_transaction", (string)Pick(unswept)["id"]!),
                            ("days", rng.Next(1, 4).ToString())), kind);
                    break;
                default:
                    await k.Advance(Pick([60L, 3_600, 6 * 3_600, LedgerKit.Day, 2 * LedgerKit.Day, 3 * LedgerKit.Day]));
                    break;
            }
            await k.AssertInvariant($"after step {step} ({kind})");
            if (step % 20 == 19) await k.AssertPayoutsAddUp();
        }

        // A failing bank account for a couple of runs, so returned funds are part of every walk.
        await k.Post("/_mock/payouts/settings", ("schedule[interval]", "daily"), ("bank_account[account_number]", "000111111113"));
        await k.Charge(5_000, "tok_bypassPending");
        await k.Advance(2 * LedgerKit.Day);
        await k.AssertInvariant("after failed payouts");
        // Let everything settle: all funds available and swept, every payout finished.
        await k.Post("/_mock/payouts/settings", ("bank_account[account_number]", "000123456789"));
        await k.Advance(40 * LedgerKit.Day);
        var txns = await k.AssertInvariant("at the end");
        var automatic = await k.AssertPayoutsAddUp();
        var payouts = await k.All("/v1/payouts");
        Assert.True(automatic >= 3, $"only {automatic} automatic payouts: the walk does not exercise them");
        Assert.True(payouts.Any(p => (string)p["status"]! == "failed"),
            string.Join(", ", kinds.Select(kv => $"{kv.Key}={kv.Value}")) + " | " + string.Join(", ", payouts.Select(p => $"{p["automatic"]}/{p["status"]}")));
        Assert.DoesNotContain(payouts, p => (string)p["status"]! is "pending" or "in_transit");
        Assert.Contains(txns, t => (string)t["type"]! == "adjustment" && (string)t["reporting_category"]! == "dispute");
        // Whatever is left after the last run is what could not be paid out: a negative or zero balance per currency.
        var balance = await k.Get("/v1/balance");
        foreach (var cur in new[] { "usd", "eur" })
            Assert.True(LedgerKit.Bucket(balance, "available", cur) <= 0, $"{cur} still has funds after the last daily run");
    }
}
