using System.Text.Json.Nodes;

namespace MockProcessor.Server.Tests.Resources.Billing;

/// <summary>
/// The billing cycle beyond a plain anchor (docs/billing.md): an anchor after a trial, <c>billing_cycle_anchor_config</c>,
/// <c>trial_end</c> / <c>trial_from_plan</c> / <c>billing_cycle_anchor</c> on update, <c>canceled_at</c> when a
/// cancellation at period end is requested, and a subscription's discount reflected in its prorations.
/// </summary>
public class SubscriptionCycleTests() : BillingApiTest("sk_test_sub_cycle")
{
    private const long Day = 86_400;
    private static long T(int y, int m, int d, int h = 0, int mi = 0, int s = 0) => new DateTimeOffset(y, m, d, h, mi, s, TimeSpan.Zero).ToUnixTimeSeconds();

    private async Task<string> Price(long amount, string interval = "month", int? trialDays = null)
    {
        var product = await Post("/v1/products", ("name", "Plan " + amount));
        var form = new List<(string, string)> { ("product", Id(product)), ("currency", "usd"), ("unit_amount", amount.ToString()), ("recurring[interval]", interval) };
        if (trialDays is { } d) form.Add(("recurring[trial_period_days]", d.ToString()));
        return Id(await Post("/v1/prices", [.. form]));
    }

    private async Task<(JsonObject Clock, string Customer)> Customer(long start)
    {
        var clock = await _c.CreateTestClockAsync(start);
        var cus = Id(await Post("/v1/customers", ("email", "c@example.com"), ("test_clock", Id(clock))));
        var pm = await Post("/v1/payment_methods/pm_card_visa/attach", ("customer", cus));
        await Post($"/v1/customers/{cus}", ("invoice_settings[default_payment_method]", Id(pm)));
        return (clock, cus);
    }

    private static (long Start, long End) Period(JsonNode o) => ((long)o["period"]!["start"]!, (long)o["period"]!["end"]!);
    private static (long Start, long End) ItemPeriod(JsonObject sub) =>
        ((long)sub["items"]!["data"]![0]!["current_period_start"]!, (long)sub["items"]!["data"]![0]!["current_period_end"]!);

    private async Task<JsonObject> Error(string path, int status, params (string, string)[] form) => await (await _c.PostFormAsync(path, form)).ErrorAsync(status);

    [Fact]
    public async Task A_trial_then_an_anchor_bills_zero_then_the_time_from_trial_end_to_the_anchor_prorated_then_full_periods()
    {
        // Trial Mar 1 → Mar 15, anchor Apr 1: the full period ending at the anchor is Mar 1 → Apr 1 (31 days), 17 days
        // remain after the trial: 3000 × 17 / 31 = 1645.16 → 1645.
        var price = await Price(3000);
        var (clock, cus) = await Customer(T(2026, 3, 1));
        var sub = await Post("/v1/subscriptions", ("customer", cus), ("items[0][price]", price), ("trial_period_days", "14"),
            ("billing_cycle_anchor", T(2026, 4, 1).ToString()));
        Assert.Equal(("trialing", T(2026, 4, 1), T(2026, 3, 15)), ((string)sub["status"]!, (long)sub["billing_cycle_anchor"]!, (long)sub["trial_end"]!));
        Assert.Equal((T(2026, 3, 1), T(2026, 3, 15)), ItemPeriod(sub));
        Assert.Equal(0L, (long)(await SubscriptionInvoices(Id(sub))).Single()["total"]!);

        await _c.AdvanceTestClockAsync(clock, 14 * Day + 7200);
        var invoices = await SubscriptionInvoices(Id(sub));
        Assert.Equal(2, invoices.Count);
        var line = invoices[1]["lines"]!["data"]![0]!;
        Assert.Equal(("paid", 1645L, true), ((string)invoices[1]["status"]!, (long)invoices[1]["total"]!, (bool)line["parent"]!["subscription_item_details"]!["proration"]!));
        Assert.Equal((T(2026, 3, 15), T(2026, 4, 1)), Period(line));
        Assert.Equal("active", (string)(await Get($"/v1/subscriptions/{Id(sub)}"))["status"]!);

        await _c.AdvanceTestClockAsync(clock, T(2026, 4, 1) - T(2026, 3, 15));
        invoices = await SubscriptionInvoices(Id(sub));
        Assert.Equal((3, 3000L), (invoices.Count, (long)invoices[2]["total"]!));
        Assert.Equal((T(2026, 4, 1), T(2026, 5, 1)), Period(invoices[2]["lines"]!["data"]![0]!));
    }

    [Fact]
    public async Task A_trial_then_an_anchor_without_prorations_is_free_until_the_anchor_and_bad_combinations_are_refused()
    {
        var price = await Price(3000);
        var (clock, cus) = await Customer(T(2026, 3, 1));
        var sub = await Post("/v1/subscriptions", ("customer", cus), ("items[0][price]", price), ("trial_end", T(2026, 3, 15).ToString()),
            ("billing_cycle_anchor", T(2026, 4, 1).ToString()), ("proration_behavior", "none"));
        await _c.AdvanceTestClockAsync(clock, 14 * Day + 7200);
        var invoices = await SubscriptionInvoices(Id(sub));
        Assert.Equal((2, 0L), (invoices.Count, (long)invoices[1]["total"]!));

        // An anchor before the trial end, or more than one interval after it.
        foreach (var anchor in new[] { T(2026, 3, 16) - 60, T(2026, 4, 16) + 1 })
        {
            var error = await Error("/v1/subscriptions", 400, ("customer", cus), ("items[0][price]", price), ("trial_end", T(2026, 3, 16).ToString()),
                ("billing_cycle_anchor", anchor.ToString()));
            Assert.Equal("billing_cycle_anchor", (string)error["param"]!);
        }
    }

    [Fact]
    public async Task An_anchor_config_on_day_31_anchors_on_the_last_day_of_a_shorter_month_and_returns_to_the_31st()
    {
        // Created Feb 10 12:34:56; day 31 at 00:00:00 → Feb 28. The full period ending there is Jan 31 → Feb 28 (28 days);
        // 1,509,904 s remain: 3000 × 1509904 / 2419200 = 1872.40 → 1872. Then Feb 28 → Mar 31 → Apr 30.
        var price = await Price(3000);
        var (clock, cus) = await Customer(T(2026, 2, 10, 12, 34, 56));
        var sub = await Post("/v1/subscriptions", ("customer", cus), ("items[0][price]", price), ("billing_cycle_anchor_config[day_of_month]", "31"),
            ("billing_cycle_anchor_config[hour]", "0"), ("billing_cycle_anchor_config[minute]", "0"), ("billing_cycle_anchor_config[second]", "0"));
        Assert.Equal(T(2026, 2, 28), (long)sub["billing_cycle_anchor"]!);
        var config = sub["billing_cycle_anchor_config"]!;
        Assert.Equal((31, 0, 0, 0, true), ((int)config["day_of_month"]!, (int)config["hour"]!, (int)config["minute"]!, (int)config["second"]!, config["month"] is null));
        Assert.Equal(1872L, (long)(await SubscriptionInvoices(Id(sub))).Single()["total"]!);

        await _c.AdvanceTestClockAsync(clock, T(2026, 2, 28) - T(2026, 2, 10, 12, 34, 56) + 7200);
        await _c.AdvanceTestClockAsync(clock, T(2026, 3, 31) - T(2026, 2, 28));
        var invoices = await SubscriptionInvoices(Id(sub));
        Assert.Equal(3, invoices.Count);
        Assert.Equal((T(2026, 2, 28), T(2026, 3, 31)), Period(invoices[1]["lines"]!["data"]![0]!));
        Assert.Equal((T(2026, 3, 31), T(2026, 4, 30)), Period(invoices[2]["lines"]!["data"]![0]!));
        Assert.All(invoices.Skip(1), i => Assert.Equal(3000L, (long)i["total"]!));
    }

    [Fact]
    public async Task An_anchor_config_with_a_trial_anchors_on_the_first_such_day_after_the_trial()
    {
        // Trial Mar 10 → Mar 24, day 1 at 00:00:00 → Apr 1; Mar 24 → Apr 1 is 8 of the 31 days Mar 1 → Apr 1:
        // 3100 × 8 / 31 = 800.
        var price = await Price(3100);
        var (clock, cus) = await Customer(T(2026, 3, 10, 9));
        var sub = await Post("/v1/subscriptions", ("customer", cus), ("items[0][price]", price), ("trial_end", T(2026, 3, 24).ToString()),
            ("billing_cycle_anchor_config[day_of_month]", "1"), ("billing_cycle_anchor_config[hour]", "0"),
            ("billing_cycle_anchor_config[minute]", "0"), ("billing_cycle_anchor_config[second]", "0"));
        Assert.Equal(("trialing", T(2026, 4, 1)), ((string)sub["status"]!, (long)sub["billing_cycle_anchor"]!));
        await _c.AdvanceTestClockAsync(clock, T(2026, 3, 24) - T(2026, 3, 10, 9) + 7200);
        var invoices = await SubscriptionInvoices(Id(sub));
        Assert.Equal([0L, 800L], invoices.Select(i => (long)i["total"]!).ToArray());
        Assert.Equal((T(2026, 3, 24), T(2026, 4, 1)), Period(invoices[1]["lines"]!["data"]![0]!));
    }

    [Fact]
    public async Task Bad_anchor_configs_are_refused_naming_the_parameter()
    {
        var monthly = await Price(3000);
        var weekly = await Price(500, "week");
        var (_, cus) = await Customer(T(2026, 2, 10));
        var cases = new (string Price, (string, string)[] Extra, string Param)[]
        {
            (monthly, [("billing_cycle_anchor_config[day_of_month]", "32")], "billing_cycle_anchor_config[day_of_month]"),
            (monthly, [("billing_cycle_anchor_config[day_of_month]", "5"), ("billing_cycle_anchor_config[hour]", "24")], "billing_cycle_anchor_config[hour]"),
            (monthly, [("billing_cycle_anchor_config[hour]", "5")], "billing_cycle_anchor_config[day_of_month]"),
            (monthly, [("billing_cycle_anchor_config[day_of_month]", "5"), ("billing_cycle_anchor", T(2026, 3, 1).ToString())], "billing_cycle_anchor"),
            (monthly, [("billing_cycle_anchor_config[day_of_month]", "5"), ("billing_cycle_anchor_config[month]", "7")], "billing_cycle_anchor_config[month]"),
            (weekly, [("billing_cycle_anchor_config[day_of_month]", "5")], "billing_cycle_anchor_config"),
        };
        foreach (var (price, extra, param) in cases)
        {
            var error = await Error("/v1/subscriptions", 400, [("customer", cus), ("items[0][price]", price), .. extra]);
            Assert.Equal(param, (string)error["param"]!);
        }
        Assert.Empty((await Get($"/v1/subscriptions?customer={cus}"))["data"]!.AsArray());
    }

    [Fact]
    public async Task Setting_trial_end_on_an_active_subscription_credits_the_unused_time_and_bills_it_at_the_trial_end()
    {
        // Active Apr 1 → May 1 (30 days, paid 3000); on Apr 11 a trial until May 1: credit −3000 × 20 / 30 = −2000, pending;
        // the trial end bills −2000 + 3000 = 1000 for May 1 → Jun 1.
        var price = await Price(3000);
        var (clock, cus) = await Customer(T(2026, 4, 1));
        var sub = await Post("/v1/subscriptions", ("customer", cus), ("items[0][price]", price));
        await _c.AdvanceTestClockAsync(clock, 10 * Day);
        var trial = await Post($"/v1/subscriptions/{Id(sub)}", ("trial_end", T(2026, 5, 1).ToString()));
        Assert.Equal(("trialing", T(2026, 4, 11), T(2026, 5, 1), T(2026, 5, 1)),
            ((string)trial["status"]!, (long)trial["trial_start"]!, (long)trial["trial_end"]!, (long)trial["billing_cycle_anchor"]!));
        Assert.Equal((T(2026, 4, 11), T(2026, 5, 1)), ItemPeriod(trial));
        var pending = (await Get($"/v1/invoiceitems?customer={cus}&pending=true"))["data"]!.AsArray();
        Assert.Equal(-2000L, (long)pending.Single()!["amount"]!);

        await _c.AdvanceTestClockAsync(clock, 20 * Day + 7200);
        var invoices = await SubscriptionInvoices(Id(sub));
        Assert.Equal((2, "paid", 1000L), (invoices.Count, (string)invoices[1]["status"]!, (long)invoices[1]["total"]!));
        Assert.Contains("customer.subscription.trial_will_end", await EventTypes(Id(sub)));
        Assert.Equal("active", (string)(await Get($"/v1/subscriptions/{Id(sub)}"))["status"]!);
    }

    [Fact]
    public async Task Trial_end_now_ends_a_trial_and_bills_a_full_period_at_once_and_a_later_trial_end_extends_it()
    {
        var price = await Price(3000);
        var (clock, cus) = await Customer(T(2026, 4, 1));
        var sub = await Post("/v1/subscriptions", ("customer", cus), ("items[0][price]", price), ("trial_period_days", "30"));
        var extended = await Post($"/v1/subscriptions/{Id(sub)}", ("trial_end", T(2026, 5, 11).ToString()));
        Assert.Equal(("trialing", T(2026, 4, 1), T(2026, 5, 11)), ((string)extended["status"]!, (long)extended["trial_start"]!, (long)extended["trial_end"]!));
        Assert.Equal((T(2026, 4, 1), T(2026, 5, 11)), ItemPeriod(extended));
        Assert.Single(await SubscriptionInvoices(Id(sub))); // no proration while trialing

        await _c.AdvanceTestClockAsync(clock, 5 * Day);
        var ended = await Post($"/v1/subscriptions/{Id(sub)}", ("trial_end", "now"));
        Assert.Equal(("active", T(2026, 4, 6), T(2026, 4, 6)), ((string)ended["status"]!, (long)ended["trial_end"]!, (long)ended["billing_cycle_anchor"]!));
        Assert.Equal((T(2026, 4, 6), T(2026, 5, 6)), ItemPeriod(ended));
        var invoices = await SubscriptionInvoices(Id(sub));
        Assert.Equal((2, "paid", 3000L, "subscription_update"),
            (invoices.Count, (string)invoices[1]["status"]!, (long)invoices[1]["total"]!, (string)invoices[1]["billing_reason"]!));
        Assert.Equal((string)invoices[1]["id"]!, (string)ended["latest_invoice"]!);
        // Ended early, the trial's notice goes out in the request (it was not due yet).
        Assert.Single(await EventTypes(Id(sub)), t => t == "customer.subscription.trial_will_end");
    }

    [Fact]
    public async Task Trial_from_plan_on_update_starts_the_price_trial_and_bad_trial_updates_are_refused()
    {
        var price = await Price(3000, trialDays: 7);
        var (clock, cus) = await Customer(T(2026, 4, 1));
        var sub = await Post("/v1/subscriptions", ("customer", cus), ("items[0][price]", price));
        await _c.AdvanceTestClockAsync(clock, 10 * Day);
        var trial = await Post($"/v1/subscriptions/{Id(sub)}", ("trial_from_plan", "true"), ("proration_behavior", "none"));
        Assert.Equal(("trialing", T(2026, 4, 18)), ((string)trial["status"]!, (long)trial["trial_end"]!));
        Assert.Empty((await Get($"/v1/invoiceitems?customer={cus}&pending=true"))["data"]!.AsArray());

        var cases = new (string, string)[][]
        {
            [("trial_end", T(2026, 4, 5).ToString())],
            [("trial_end", "tomorrow")],
            [("trial_end", T(2026, 5, 1).ToString()), ("trial_from_plan", "true")],
            [("trial_end", T(2026, 5, 1).ToString()), ("billing_cycle_anchor[type]", "now")],
            [("billing_cycle_anchor[type]", "now")], // trialing: end the trial instead
        };
        string[] parms = ["trial_end", "trial_end", "trial_end", "billing_cycle_anchor", "billing_cycle_anchor"];
        for (var i = 0; i < cases.Length; i++)
            Assert.Equal(parms[i], (string)(await Error($"/v1/subscriptions/{Id(sub)}", 400, cases[i]))["param"]!);
        Assert.Equal(T(2026, 4, 18), (long)(await Get($"/v1/subscriptions/{Id(sub)}"))["trial_end"]!);
    }

    [Fact]
    public async Task Billing_cycle_anchor_now_resets_the_period_and_invoices_at_once_with_the_unused_time_credited()
    {
        // Apr 1 → May 1 paid 3000; reset on Apr 11: −2000 credit + 3000 for Apr 11 → May 11 = 1000, paid now.
        var price = await Price(3000);
        var (clock, cus) = await Customer(T(2026, 4, 1));
        var sub = await Post("/v1/subscriptions", ("customer", cus), ("items[0][price]", price));
        await _c.AdvanceTestClockAsync(clock, 10 * Day);
        var same = await Post($"/v1/subscriptions/{Id(sub)}", ("billing_cycle_anchor[type]", "unchanged"));
        Assert.Equal(T(2026, 4, 1), (long)same["billing_cycle_anchor"]!);
        var reset = await Post($"/v1/subscriptions/{Id(sub)}", ("billing_cycle_anchor[type]", "now"));
        Assert.Equal(T(2026, 4, 11), (long)reset["billing_cycle_anchor"]!);
        Assert.Equal((T(2026, 4, 11), T(2026, 5, 11)), ItemPeriod(reset));
        var invoices = await SubscriptionInvoices(Id(sub));
        Assert.Equal((2, "paid", 1000L), (invoices.Count, (string)invoices[1]["status"]!, (long)invoices[1]["total"]!));
        Assert.Equal([-2000L, 3000L], invoices[1]["lines"]!["data"]!.AsArray().Select(l => (long)l!["amount"]!).ToArray());

        // The plain string form, without prorations: the whole new period only.
        await _c.AdvanceTestClockAsync(clock, 5 * Day);
        var again = await Post($"/v1/subscriptions/{Id(sub)}", ("billing_cycle_anchor", "now"), ("proration_behavior", "none"));
        Assert.Equal(T(2026, 4, 16), (long)again["billing_cycle_anchor"]!);
        invoices = await SubscriptionInvoices(Id(sub));
        Assert.Equal((3, 3000L), (invoices.Count, (long)invoices[2]["total"]!));

        await _c.AdvanceTestClockAsync(clock, T(2026, 5, 16) - T(2026, 4, 16) + 7200);
        invoices = await SubscriptionInvoices(Id(sub));
        Assert.Equal((4, 3000L), (invoices.Count, (long)invoices[3]["total"]!));
        Assert.Equal((T(2026, 5, 16), T(2026, 6, 16)), Period(invoices[3]["lines"]!["data"]!.AsArray().Last()!));
    }

    [Fact]
    public async Task Cancel_at_period_end_records_the_request_time_in_canceled_at_and_undoing_it_clears_it()
    {
        var price = await Price(3000);
        var (clock, cus) = await Customer(T(2026, 4, 1));
        var sub = await Post("/v1/subscriptions", ("customer", cus), ("items[0][price]", price));
        await _c.AdvanceTestClockAsync(clock, 5 * Day);
        var undo = await Post($"/v1/subscriptions/{Id(sub)}", ("cancel_at_period_end", "true"));
        Assert.Equal(T(2026, 4, 6), (long)undo["canceled_at"]!);
        Assert.Null((await Post($"/v1/subscriptions/{Id(sub)}", ("cancel_at_period_end", "false")))["canceled_at"]);
        await _c.AdvanceTestClockAsync(clock, 5 * Day);
        var requested = await Post($"/v1/subscriptions/{Id(sub)}", ("cancel_at_period_end", "true"));
        Assert.Equal(("active", T(2026, 4, 11)), ((string)requested["status"]!, (long)requested["canceled_at"]!));

        await _c.AdvanceTestClockAsync(clock, T(2026, 5, 1) - T(2026, 4, 11) + 3600);
        var ended = await Get($"/v1/subscriptions/{Id(sub)}");
        Assert.Equal(("canceled", T(2026, 4, 11), T(2026, 5, 1)), ((string)ended["status"]!, (long)ended["canceled_at"]!, (long)ended["ended_at"]!));
    }

    [Fact]
    public async Task A_discounted_subscription_prorates_an_upgrade_at_the_discounted_amounts()
    {
        // 20 % off forever, $10 → $30 on Apr 11 (f = 2/3): −round(800 × 2/3) = −533, +round(2400 × 2/3) = +1600; the
        // May 1 renewal: −533 + 1600 + (3000 − 600) = 3467 (the proration lines are not discounted again).
        var basic = await Price(1000);
        var pro = await Price(3000);
        var coupon = await Post("/v1/coupons", ("percent_off", "20"), ("duration", "forever"));
        var (clock, cus) = await Customer(T(2026, 4, 1));
        var sub = await Post("/v1/subscriptions", ("customer", cus), ("items[0][price]", basic), ("discounts[0][coupon]", Id(coupon)));
        await _c.AdvanceTestClockAsync(clock, 10 * Day);
        var itemId = (string)sub["items"]!["data"]![0]!["id"]!;
        await Post($"/v1/subscriptions/{Id(sub)}", ("items[0][id]", itemId), ("items[0][price]", pro));
        var pending = (await Get($"/v1/invoiceitems?customer={cus}&pending=true"))["data"]!.AsArray().Select(i => (long)i!["amount"]!).Order().ToArray();
        Assert.Equal([-533L, 1600L], pending);

        await _c.AdvanceTestClockAsync(clock, 20 * Day + 7200);
        var renewal = (await SubscriptionInvoices(Id(sub))).Last();
        Assert.Equal((3467L, 600L), ((long)renewal["total"]!, (long)renewal["total_discount_amounts"]![0]!["amount"]!));
    }
}
