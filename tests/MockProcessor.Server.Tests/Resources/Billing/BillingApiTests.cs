using System.Text.Json.Nodes;

namespace MockProcessor.Server.Tests.Resources.Billing;

/// <summary>
/// Subscriptions and invoices on a test clock (docs/billing.md): renewals, retries, dunning, prorations, cancellation,
/// the preview. The clock starts on a month end away from the merchant's time, so anchoring and the clock skew are exercised.
/// </summary>
public class BillingApiTests : IAsyncLifetime
{
    private const long Day = 86_400, Hour = 3600;
    private static readonly long Jan31 = new DateTimeOffset(2026, 1, 31, 0, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds();
    private readonly TestApp _app = new();
    private HttpClient _c = null!;

    public Task InitializeAsync() { _c = _app.Client("sk_test_billing"); return Task.CompletedTask; }
    public async Task DisposeAsync() => await _app.DisposeAsync();

    private static long T(int y, int m, int d) => new DateTimeOffset(y, m, d, 0, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds();
    private static string Id(JsonObject o) => (string)o["id"]!;

    private async Task<string> Price(long amount, string interval = "month")
    {
        var product = await (await _c.PostFormAsync("/v1/products", ("name", "Gold " + amount))).OkAsync();
        var price = await (await _c.PostFormAsync("/v1/prices", ("product", Id(product)), ("currency", "usd"), ("unit_amount", amount.ToString()),
            ("recurring[interval]", interval))).OkAsync();
        return Id(price);
    }

    /// <summary>A customer on a new clock at <paramref name="start"/>, with a saved card as its invoice default.</summary>
    private async Task<(JsonObject Clock, string Customer, string Pm)> Customer(long start, string card = "pm_card_visa")
    {
        var clock = await _c.CreateTestClockAsync(start);
        var cus = await (await _c.PostFormAsync("/v1/customers", ("email", "b@example.com"), ("test_clock", Id(clock)))).OkAsync();
        var pm = await (await _c.PostFormAsync($"/v1/payment_methods/{card}/attach", ("customer", Id(cus)))).OkAsync();
        await (await _c.PostFormAsync($"/v1/customers/{Id(cus)}", ("invoice_settings[default_payment_method]", Id(pm)))).OkAsync();
        return (clock, Id(cus), Id(pm));
    }

    private async Task<JsonObject> Sub(string id) => await (await _c.GetAsync($"/v1/subscriptions/{id}")).OkAsync();

    private async Task<List<JsonObject>> Invoices(string sub) =>
        (await (await _c.GetAsync($"/v1/invoices?subscription={sub}&limit=100")).OkAsync())["data"]!.AsArray()
            .Select(i => i!.AsObject()).Reverse().ToList();

    private async Task<List<JsonObject>> Events(string prefix)
    {
        var all = new List<JsonObject>();
        string? after = null;
        while (true)
        {
            var page = await (await _c.GetAsync("/v1/events?limit=100" + (after is null ? "" : "&starting_after=" + after))).OkAsync();
            var data = page["data"]!.AsArray().Select(e => e!.AsObject()).ToList();
            all.AddRange(data);
            if (!(bool)page["has_more"]! || data.Count == 0) break;
            after = Id(data[^1]);
        }
        all.Reverse();
        return all.Where(e => ((string)e["type"]!).StartsWith(prefix, StringComparison.Ordinal)).ToList();
    }

    private async Task Advance(JsonObject clock, long seconds) => await _c.AdvanceTestClockAsync(clock, seconds);

    [Fact]
    public async Task A_monthly_subscription_anchored_on_the_31st_renews_at_month_ends_an_hour_after_a_draft()
    {
        var price = await Price(1500);
        var (clock, cus, _) = await Customer(Jan31);
        var sub = await (await _c.PostFormAsync("/v1/subscriptions", ("customer", cus), ("items[0][price]", price))).OkAsync();
        Assert.Equal("active", (string)sub["status"]!);
        Assert.Equal(Jan31, (long)sub["created"]!);
        var item = sub["items"]!["data"]![0]!;
        Assert.Equal(Jan31, (long)item["current_period_start"]!);
        Assert.Equal(T(2026, 2, 28), (long)item["current_period_end"]!);

        await Advance(clock, T(2026, 2, 28) - Jan31);
        var invoices = await Invoices(Id(sub));
        Assert.Equal(2, invoices.Count);
        Assert.Equal("draft", (string)invoices[1]["status"]!);
        Assert.Equal(T(2026, 2, 28) + Hour, (long)invoices[1]["automatically_finalizes_at"]!);

        await Advance(clock, Hour);
        invoices = await Invoices(Id(sub));
        Assert.Equal("paid", (string)invoices[1]["status"]!);
        Assert.Equal(1500, (long)invoices[1]["amount_paid"]!);
        Assert.Equal("subscription_cycle", (string)invoices[1]["billing_reason"]!);
        var line = invoices[1]["lines"]!["data"]![0]!;
        Assert.Equal(T(2026, 2, 28), (long)line["period"]!["start"]!);
        Assert.Equal(T(2026, 3, 31), (long)line["period"]!["end"]!);

        // Through March into April: Mar 31, then Apr 30.
        await Advance(clock, T(2026, 5, 1) - T(2026, 2, 28) - Hour);
        invoices = await Invoices(Id(sub));
        Assert.Equal(4, invoices.Count);
        Assert.Equal([T(2026, 3, 31), T(2026, 4, 30)], invoices.Skip(2).Select(i => (long)i["lines"]!["data"]![0]!["period"]!["start"]!));
        Assert.All(invoices, i => Assert.Equal("paid", (string)i["status"]!));
        Assert.Equal(T(2026, 5, 31), (long)(await Sub(Id(sub)))["items"]!["data"]![0]!["current_period_end"]!);
    }

    [Fact]
    public async Task A_trial_bills_zero_then_every_month_in_order_with_trial_will_end_three_days_before()
    {
        var price = await Price(2000);
        var start = T(2026, 3, 1);
        var (clock, cus, _) = await Customer(start);
        var sub = await (await _c.PostFormAsync("/v1/subscriptions", ("customer", cus), ("items[0][price]", price), ("trial_period_days", "14"))).OkAsync();
        Assert.Equal("trialing", (string)sub["status"]!);
        var trialEnd = start + 14 * Day;
        Assert.Equal(trialEnd, (long)sub["trial_end"]!);
        for (var m = 0; m < 12; m++) await Advance(clock, 31 * Day);
        var invoices = await Invoices(Id(sub));
        Assert.Equal(13, invoices.Count);
        Assert.Equal(0, (long)invoices[0]["total"]!);
        Assert.Equal("paid", (string)invoices[0]["status"]!);
        Assert.All(invoices.Skip(1), i => Assert.Equal((2000L, "paid"), ((long)i["amount_paid"]!, (string)i["status"]!)));
        var anchor = DateTimeOffset.FromUnixTimeSeconds(trialEnd);
        for (var k = 0; k < 12; k++)
            Assert.Equal(anchor.AddMonths(k).ToUnixTimeSeconds(), (long)invoices[k + 1]["lines"]!["data"]![0]!["period"]!["start"]!);
        var types = (await Events("customer.subscription.")).Select(e => (string)e["type"]!).ToList();
        Assert.Equal("customer.subscription.created", types[0]);
        Assert.Equal("customer.subscription.trial_will_end", types[1]);
        var willEnd = (await Events("customer.subscription.trial_will_end")).Single();
        Assert.Equal(trialEnd - 3 * Day, (long)willEnd["created"]!);
        var paid = (await Events("invoice.paid")).Select(e => (string)e["data"]!["object"]!["id"]!).ToList();
        Assert.Equal(invoices.Select(Id), paid);
    }

    [Fact]
    public async Task A_declined_renewal_goes_past_due_is_retried_on_the_configured_days_and_then_canceled()
    {
        var price = await Price(1000);
        var start = T(2026, 4, 1);
        var (clock, cus, _) = await Customer(start);
        var sub = await (await _c.PostFormAsync("/v1/subscriptions", ("customer", cus), ("items[0][price]", price))).OkAsync();
        await (await _c.PostFormAsync("/_mock/network_rules", ("match[customer]", cus), ("outcome", "decline"), ("decline_code", "insufficient_funds"))).OkAsync();
        await Advance(clock, T(2026, 5, 1) - start + Hour);
        Assert.Equal("past_due", (string)(await Sub(Id(sub)))["status"]!);
        var renewal = (await Invoices(Id(sub)))[1];
        Assert.Equal("open", (string)renewal["status"]!);
        Assert.Equal(1, (long)renewal["attempt_count"]!);
        var first = T(2026, 5, 1) + Hour;
        Assert.Equal(first + Day, (long)renewal["next_payment_attempt"]!);

        await Advance(clock, 8 * Day);
        var failed = (await Events("invoice.payment_failed")).Select(e => (long)e["created"]!).ToList();
        Assert.Equal([first, first + Day, first + 3 * Day, first + 5 * Day, first + 7 * Day], failed);
        var after = await Sub(Id(sub));
        Assert.Equal("canceled", (string)after["status"]!);
        Assert.Equal("payment_failed", (string)after["cancellation_details"]!["reason"]!);
        Assert.Equal(first + 7 * Day, (long)after["ended_at"]!);
    }

    [Fact]
    public async Task After_a_hard_decline_the_retries_on_the_same_card_are_passed_over_and_the_subscription_is_canceled()
    {
        var price = await Price(1000);
        var start = T(2026, 4, 1);
        var (clock, cus, pm) = await Customer(start);
        var sub = await (await _c.PostFormAsync("/v1/subscriptions", ("customer", cus), ("items[0][price]", price))).OkAsync();
        await (await _c.PostFormAsync("/_mock/network_rules", ("match[customer]", cus), ("outcome", "decline"), ("decline_code", "lost_card"))).OkAsync();
        var first = T(2026, 5, 1) + Hour;
        await Advance(clock, first - start);
        var renewal = (await Invoices(Id(sub)))[1];
        Assert.Equal(first + Day, (long)renewal["next_payment_attempt"]!); // scheduled as after any decline

        await Advance(clock, 2 * Day);
        renewal = await (await _c.GetAsync($"/v1/invoices/{Id(renewal)}")).OkAsync();
        Assert.Equal(1, (long)renewal["attempt_count"]!); // the day-1 retry was not made
        Assert.Equal(first + 3 * Day, (long)renewal["next_payment_attempt"]!);
        Assert.Equal("past_due", (string)(await Sub(Id(sub)))["status"]!);

        await Advance(clock, 6 * Day);
        Assert.Equal([first], (await Events("invoice.payment_failed")).Select(e => (long)e["created"]!));
        var charges = (await (await _c.GetAsync($"/v1/charges?customer={cus}&limit=100")).OkAsync())["data"]!.AsArray();
        Assert.Equal(["succeeded", "failed"], charges.Select(ch => (string)ch!["status"]!).Reverse());
        Assert.Equal(pm, (string)charges[0]!["payment_method"]!);
        var after = await Sub(Id(sub));
        Assert.Equal("canceled", (string)after["status"]!);
        Assert.Equal("payment_failed", (string)after["cancellation_details"]!["reason"]!);
        Assert.Equal(first + 7 * Day, (long)after["ended_at"]!); // when the last scheduled retry was passed over
        renewal = await (await _c.GetAsync($"/v1/invoices/{Id(renewal)}")).OkAsync();
        Assert.Equal(1, (long)renewal["attempt_count"]!);
        Assert.Null(renewal["next_payment_attempt"]);
    }

    [Fact]
    public async Task After_a_hard_decline_a_new_default_card_is_charged_at_the_next_scheduled_retry()
    {
        var price = await Price(1000);
        var start = T(2026, 4, 1);
        var (clock, cus, _) = await Customer(start);
        var sub = await (await _c.PostFormAsync("/v1/subscriptions", ("customer", cus), ("items[0][price]", price))).OkAsync();
        var rule = await (await _c.PostFormAsync("/_mock/network_rules", ("match[customer]", cus), ("outcome", "decline"), ("decline_code", "stolen_card"))).OkAsync();
        var first = T(2026, 5, 1) + Hour;
        await Advance(clock, first - start + 2 * Day); // the day-1 retry is passed over
        await (await _c.DeleteAsync($"/_mock/network_rules/{Id(rule)}")).OkAsync();
        // A soft decline on the new card is retried as usual, on the schedule still ahead (day 3, then day 5).
        await (await _c.PostFormAsync("/_mock/network_rules", ("match[customer]", cus), ("outcome", "decline"), ("decline_code", "insufficient_funds"), ("remaining", "1"))).OkAsync();
        var card = await (await _c.PostFormAsync("/v1/payment_methods/pm_card_mastercard/attach", ("customer", cus))).OkAsync();
        await (await _c.PostFormAsync($"/v1/customers/{cus}", ("invoice_settings[default_payment_method]", Id(card)))).OkAsync();

        await Advance(clock, 4 * Day);
        Assert.Equal([first, first + 3 * Day], (await Events("invoice.payment_failed")).Select(e => (long)e["created"]!));
        var renewal = (await Invoices(Id(sub)))[1];
        Assert.Equal("paid", (string)renewal["status"]!);
        Assert.Equal(3, (long)renewal["attempt_count"]!);
        Assert.Equal(first + 5 * Day, (long)renewal["status_transitions"]!["paid_at"]!);
        Assert.Equal("active", (string)(await Sub(Id(sub)))["status"]!);
    }

    [Fact]
    public async Task With_unpaid_as_the_final_action_a_new_default_card_and_paying_the_open_invoice_make_it_active()
    {
        await (await _c.PostFormAsync("/_mock/billing/settings", ("retry_days[]", "2"), ("retry_days[]", "4"), ("after_final_failure", "unpaid"))).OkAsync();
        var price = await Price(1000);
        var start = T(2026, 4, 1);
        var (clock, cus, _) = await Customer(start);
        var sub = await (await _c.PostFormAsync("/v1/subscriptions", ("customer", cus), ("items[0][price]", price))).OkAsync();
        var rule = await (await _c.PostFormAsync("/_mock/network_rules", ("match[customer]", cus), ("outcome", "decline"))).OkAsync();
        await Advance(clock, T(2026, 5, 1) - start + Hour + 5 * Day);
        Assert.Equal("unpaid", (string)(await Sub(Id(sub)))["status"]!);
        Assert.Equal(3, (await Events("invoice.payment_failed")).Count);

        await (await _c.DeleteAsync($"/_mock/network_rules/{Id(rule)}")).OkAsync();
        var pm = await (await _c.PostFormAsync("/v1/payment_methods/pm_card_mastercard/attach", ("customer", cus))).OkAsync();
        await (await _c.PostFormAsync($"/v1/customers/{cus}", ("invoice_settings[default_payment_method]", Id(pm)))).OkAsync();
        var open = (await Invoices(Id(sub)))[1];
        var paid = await (await _c.PostFormAsync($"/v1/invoices/{Id(open)}/pay")).OkAsync();
        Assert.Equal("paid", (string)paid["status"]!);
        Assert.Equal("active", (string)(await Sub(Id(sub)))["status"]!);
    }

    [Fact]
    public async Task A_mid_period_upgrade_prorates_by_the_documented_formula_and_the_renewal_bills_it()
    {
        // docs/billing.md worked example: A $10 → B $30 on 11 April in an April period: −667 / +2000, renewal 4333.
        var a = await Price(1000);
        var b = await Price(3000);
        var start = T(2026, 4, 1);
        var (clock, cus, _) = await Customer(start);
        var sub = await (await _c.PostFormAsync("/v1/subscriptions", ("customer", cus), ("items[0][price]", a))).OkAsync();
        var item = (string)sub["items"]!["data"]![0]!["id"]!;
        await Advance(clock, 10 * Day);
        var preview = await (await _c.PostFormAsync("/v1/invoices/create_preview", ("subscription", Id(sub)),
            ("subscription_details[items][0][id]", item), ("subscription_details[items][0][price]", b))).OkAsync();
        Assert.Equal(4333, (long)preview["total"]!);
        var updated = await (await _c.PostFormAsync($"/v1/subscriptions/{Id(sub)}", ("items[0][id]", item), ("items[0][price]", b))).OkAsync();
        Assert.Equal(b, (string)updated["items"]!["data"]![0]!["price"]!["id"]!);
        var pending = (await (await _c.GetAsync($"/v1/invoiceitems?customer={cus}&pending=true")).OkAsync())["data"]!.AsArray();
        Assert.Equal([-667L, 2000L], pending.Select(i => (long)i!["amount"]!).Order());
        Assert.All(pending, i => Assert.True((bool)i!["proration"]!));

        await Advance(clock, T(2026, 5, 1) - T(2026, 4, 11) + Hour);
        var renewal = (await Invoices(Id(sub)))[1];
        Assert.Equal(4333, (long)renewal["amount_paid"]!);
        Assert.Equal([-667L, 2000L, 3000L], renewal["lines"]!["data"]!.AsArray().Select(l => (long)l!["amount"]!).Order());
        Assert.Equal(preview["lines"]!["data"]!.AsArray().Select(l => (long)l!["amount"]!).Order(), renewal["lines"]!["data"]!.AsArray().Select(l => (long)l!["amount"]!).Order());
    }

    [Fact]
    public async Task Always_invoice_bills_the_proration_now_and_none_bills_nothing_until_renewal()
    {
        var a = await Price(1000);
        var b = await Price(3000);
        var start = T(2026, 4, 1);
        var (clock, cus, _) = await Customer(start);
        var sub = await (await _c.PostFormAsync("/v1/subscriptions", ("customer", cus), ("items[0][price]", a))).OkAsync();
        var item = (string)sub["items"]!["data"]![0]!["id"]!;
        await Advance(clock, 10 * Day);
        var up = await (await _c.PostFormAsync($"/v1/subscriptions/{Id(sub)}?expand[]=latest_invoice", ("items[0][id]", item), ("items[0][price]", b),
            ("proration_behavior", "always_invoice"))).OkAsync();
        Assert.Equal(1333, (long)up["latest_invoice"]!["amount_paid"]!);
        Assert.Equal("subscription_update", (string)up["latest_invoice"]!["billing_reason"]!);

        var down = await (await _c.PostFormAsync($"/v1/subscriptions/{Id(sub)}", ("items[0][id]", item), ("items[0][price]", a),
            ("proration_behavior", "none"))).OkAsync();
        Assert.Equal(a, (string)down["items"]!["data"]![0]!["price"]!["id"]!);
        Assert.Empty((await (await _c.GetAsync($"/v1/invoiceitems?customer={cus}&pending=true")).OkAsync())["data"]!.AsArray());
        await Advance(clock, T(2026, 5, 1) - T(2026, 4, 11) + Hour);
        Assert.Equal(1000, (long)(await Invoices(Id(sub)))[^1]["amount_paid"]!);
    }

    [Fact]
    public async Task Cancel_at_period_end_ends_it_at_the_boundary_without_an_invoice()
    {
        var price = await Price(1000);
        var start = T(2026, 4, 1);
        var (clock, cus, _) = await Customer(start);
        var sub = await (await _c.PostFormAsync("/v1/subscriptions", ("customer", cus), ("items[0][price]", price))).OkAsync();
        var set = await (await _c.PostFormAsync($"/v1/subscriptions/{Id(sub)}", ("cancel_at_period_end", "true"))).OkAsync();
        Assert.True((bool)set["cancel_at_period_end"]!);
        Assert.Equal(T(2026, 5, 1), (long)set["cancel_at"]!);
        await Advance(clock, 40 * Day);
        var ended = await Sub(Id(sub));
        Assert.Equal("canceled", (string)ended["status"]!);
        Assert.Equal(T(2026, 5, 1), (long)ended["ended_at"]!);
        Assert.Single(await Invoices(Id(sub)));
        Assert.Single(await Events("customer.subscription.deleted"));
    }

    [Fact]
    public async Task Cancel_now_with_proration_credits_the_balance_and_the_next_invoice_consumes_it()
    {
        var price = await Price(3000);
        var start = T(2026, 4, 1);
        var (clock, cus, _) = await Customer(start);
        var sub = await (await _c.PostFormAsync("/v1/subscriptions", ("customer", cus), ("items[0][price]", price))).OkAsync();
        await Advance(clock, 20 * Day); // 10 of 30 days left: credit 1000
        var canceled = await (await _c.DeleteAsync($"/v1/subscriptions/{Id(sub)}?prorate=true&invoice_now=true")).OkAsync();
        Assert.Equal("canceled", (string)canceled["status"]!);
        var final = (await Invoices(Id(sub)))[^1];
        Assert.Equal(-1000, (long)final["total"]!);
        Assert.Equal(0, (long)final["amount_due"]!);
        Assert.Equal("paid", (string)final["status"]!);
        Assert.Equal(-1000, (long)final["ending_balance"]!);
        Assert.Equal(-1000, (long)(await (await _c.GetAsync($"/v1/customers/{cus}")).OkAsync())["balance"]!);

        var again = await (await _c.PostFormAsync("/v1/subscriptions?expand[]=latest_invoice", ("customer", cus), ("items[0][price]", price))).OkAsync();
        var first = again["latest_invoice"]!;
        Assert.Equal(3000, (long)first["total"]!);
        Assert.Equal(-1000, (long)first["starting_balance"]!);
        Assert.Equal(2000, (long)first["amount_paid"]!);
        Assert.Equal(0, (long)(await (await _c.GetAsync($"/v1/customers/{cus}")).OkAsync())["balance"]!);
    }

    [Fact]
    public async Task A_renewal_on_a_card_that_needs_authentication_stops_in_requires_action()
    {
        var price = await Price(1000);
        var start = T(2026, 4, 1);
        var (clock, cus, pm) = await Customer(start);
        var sub = await (await _c.PostFormAsync("/v1/subscriptions", ("customer", cus), ("items[0][price]", price))).OkAsync();
        var threeDs = await (await _c.PostFormAsync("/v1/payment_methods/pm_card_authenticationRequired/attach", ("customer", cus))).OkAsync();
        await (await _c.PostFormAsync($"/v1/subscriptions/{Id(sub)}", ("default_payment_method", Id(threeDs)))).OkAsync();
        await Advance(clock, 30 * Day + Hour);
        Assert.Equal("past_due", (string)(await Sub(Id(sub)))["status"]!);
        var action = Assert.Single(await Events("invoice.payment_action_required"));
        var inv = (await Invoices(Id(sub)))[1];
        Assert.Equal(Id(inv), (string)action["data"]!["object"]!["id"]!);
        var withSecret = await (await _c.GetAsync($"/v1/invoices/{Id(inv)}?expand[]=confirmation_secret")).OkAsync();
        var secret = (string)withSecret["confirmation_secret"]!["client_secret"]!;
        var piId = secret[..secret.IndexOf("_secret_", StringComparison.Ordinal)];
        Assert.Equal("requires_action", (string)(await (await _c.GetAsync($"/v1/payment_intents/{piId}")).OkAsync())["status"]!);
        await (await _c.PostFormAsync($"/_mock/payment_intents/{piId}/authenticate", ("outcome", "complete"))).OkAsync();
        Assert.Equal("paid", (string)(await (await _c.GetAsync($"/v1/invoices/{Id(inv)}")).OkAsync())["status"]!);
        Assert.Equal("active", (string)(await Sub(Id(sub)))["status"]!);
        _ = pm;
    }

    [Fact]
    public async Task First_payment_behaviours_incomplete_expiry_and_error_if_incomplete()
    {
        var price = await Price(1000);
        var start = T(2026, 4, 1);
        var (clock, cus, _) = await Customer(start, "pm_card_chargeCustomerFail");
        var incomplete = await (await _c.PostFormAsync("/v1/subscriptions", ("customer", cus), ("items[0][price]", price))).OkAsync();
        Assert.Equal("incomplete", (string)incomplete["status"]!);
        var refused = await (await _c.PostFormAsync("/v1/subscriptions", ("customer", cus), ("items[0][price]", price),
            ("payment_behavior", "error_if_incomplete"))).ErrorAsync(402);
        Assert.Equal("card_declined", (string)refused["code"]!);
        Assert.Single((await (await _c.GetAsync($"/v1/subscriptions?customer={cus}&status=all")).OkAsync())["data"]!.AsArray());

        var pending = await (await _c.PostFormAsync("/v1/subscriptions?expand[]=latest_invoice.confirmation_secret", ("customer", cus),
            ("items[0][price]", price), ("payment_behavior", "default_incomplete"))).OkAsync();
        Assert.Equal("incomplete", (string)pending["status"]!);
        Assert.StartsWith("pi_", (string)pending["latest_invoice"]!["confirmation_secret"]!["client_secret"]!);

        await Advance(clock, 23 * Hour);
        var expired = await Sub(Id(incomplete));
        Assert.Equal("incomplete_expired", (string)expired["status"]!);
        Assert.Equal("void", (string)(await Invoices(Id(incomplete)))[0]["status"]!);
        Assert.DoesNotContain((await (await _c.GetAsync($"/v1/subscriptions?customer={cus}")).OkAsync())["data"]!.AsArray(),
            s => (string)s!["id"]! == Id(incomplete) && (string)s!["status"]! == "incomplete");
    }

    [Fact]
    public async Task Bad_input_is_a_stripe_error_and_creates_nothing()
    {
        var price = await Price(1000);
        var oneTime = Id(await (await _c.PostFormAsync("/v1/prices", ("product_data[name]", "x"), ("currency", "usd"), ("unit_amount", "5"))).OkAsync());
        var (_, cus, _) = await Customer(T(2026, 4, 1));
        var e1 = await (await _c.PostFormAsync("/v1/subscriptions", ("customer", cus))).ErrorAsync(400);
        Assert.Equal("items", (string)e1["param"]!);
        var e2 = await (await _c.PostFormAsync("/v1/subscriptions", ("customer", cus), ("items[0][price]", oneTime))).ErrorAsync(400);
        Assert.Equal("items[0][price]", (string)e2["param"]!);
        var e3 = await (await _c.PostFormAsync("/v1/subscriptions", ("customer", cus), ("items[0][price]", price), ("trial_period_days", "731"))).ErrorAsync(400);
        Assert.Equal("trial_period_days", (string)e3["param"]!);
        var e4 = await (await _c.PostFormAsync("/v1/subscriptions", ("customer", cus), ("items[0][price]", price), ("bogus", "1"))).ErrorAsync(400);
        Assert.Equal("parameter_unknown", (string)e4["code"]!);
        Assert.Empty((await (await _c.GetAsync($"/v1/subscriptions?status=all")).OkAsync())["data"]!.AsArray());
        var paid = (await (await _c.PostFormAsync("/v1/subscriptions?expand[]=latest_invoice", ("customer", cus), ("items[0][price]", price))).OkAsync())["latest_invoice"]!;
        var again = await (await _c.PostFormAsync($"/v1/invoices/{(string)paid["id"]!}/pay")).ErrorAsync(400);
        Assert.Equal("invoice_already_paid", (string)again["code"]!);
    }

    [Fact]
    public async Task Older_versions_see_the_period_on_the_subscription_and_paid_payment_intent_subscription_on_the_invoice()
    {
        var price = await Price(1200);
        var (_, cus, _) = await Customer(T(2026, 4, 1));
        var sub = await (await _c.PostFormAsync("/v1/subscriptions", ("customer", cus), ("items[0][price]", price))).OkAsync();
        Assert.False(sub.ContainsKey("current_period_end"));
        var old = _app.Client("sk_test_billing");
        old.DefaultRequestHeaders.Add("Stripe-Version", "2023-10-16");
        var oldSub = await (await old.GetAsync($"/v1/subscriptions/{Id(sub)}?expand[]=latest_invoice")).OkAsync();
        Assert.Equal(T(2026, 5, 1), (long)oldSub["current_period_end"]!);
        Assert.Equal(T(2026, 4, 1), (long)oldSub["current_period_start"]!);
        var inv = oldSub["latest_invoice"]!;
        Assert.True((bool)inv["paid"]!);
        Assert.Equal(Id(sub), (string)inv["subscription"]!);
        Assert.StartsWith("pi_", (string)inv["payment_intent"]!);
        Assert.StartsWith("ch_", (string)inv["charge"]!);
        var line = inv["lines"]!["data"]![0]!;
        Assert.Equal("subscription", (string)line["type"]!);
        Assert.Equal(price, (string)line["price"]!["id"]!);
        var current = await (await _c.GetAsync($"/v1/invoices/{(string)inv["id"]!}")).OkAsync();
        Assert.False(current.ContainsKey("paid"));
        Assert.False(current.ContainsKey("subscription"));
    }

    [Fact]
    public async Task The_preview_echoes_the_proration_date_and_prorates_at_it()
    {
        var a = await Price(1000);
        var b = await Price(3000);
        var (_, cus, _) = await Customer(T(2026, 4, 1));
        var sub = await (await _c.PostFormAsync("/v1/subscriptions", ("customer", cus), ("items[0][price]", a))).OkAsync();
        var item = (string)sub["items"]!["data"]![0]!["id"]!;
        var at = T(2026, 4, 11) + 12 * Hour; // f = 0.65: −650 / +1950
        var preview = await (await _c.PostFormAsync("/v1/invoices/create_preview", ("subscription", Id(sub)),
            ("subscription_details[items][0][id]", item), ("subscription_details[items][0][price]", b),
            ("subscription_details[proration_date]", at.ToString()))).OkAsync();
        Assert.Equal(at, (long)preview["parent"]!["subscription_details"]!["subscription_proration_date"]!);
        Assert.Equal([-650L, 1950L, 3000L], preview["lines"]!["data"]!.AsArray().Select(l => (long)l!["amount"]!).Order());
        Assert.StartsWith("upcoming_in_", (string)preview["id"]!);
        // Nothing was stored or announced.
        Assert.Empty((await (await _c.GetAsync($"/v1/invoiceitems?customer={cus}")).OkAsync())["data"]!.AsArray());
        Assert.Single(await Invoices(Id(sub)));
    }

    [Fact]
    public async Task Deleting_a_test_clock_cancels_its_customers_subscriptions_and_the_merchant_clock_bills_other_customers()
    {
        var price = await Price(700, "week");
        var (clock, cus, _) = await Customer(T(2026, 4, 1));
        var onClock = await (await _c.PostFormAsync("/v1/subscriptions", ("customer", cus), ("items[0][price]", price))).OkAsync();
        var plain = await (await _c.PostFormAsync("/v1/customers", ("email", "plain@example.com"))).OkAsync();
        await (await _c.PostFormAsync("/v1/payment_methods/pm_card_visa/attach", ("customer", Id(plain)))).OkAsync();
        var pm = (await (await _c.GetAsync($"/v1/customers/{Id(plain)}/payment_methods")).OkAsync())["data"]![0]!;
        var weekly = await (await _c.PostFormAsync("/v1/subscriptions", ("customer", Id(plain)), ("items[0][price]", price),
            ("default_payment_method", (string)pm["id"]!))).OkAsync();
        Assert.Equal(TestApp.StartTime, (long)weekly["created"]!);
        await (await _c.PostFormAsync("/_mock/merchant_clock/advance", ("seconds", (7 * Day + Hour).ToString()))).OkAsync();
        Assert.Equal(2, (await Invoices(Id(weekly))).Count(i => (string)i["status"]! == "paid"));
        Assert.Single(await Invoices(Id(onClock)));

        await (await _c.DeleteAsync($"/v1/test_helpers/test_clocks/{Id(clock)}")).OkAsync();
        var ended = await Sub(Id(onClock));
        Assert.Equal("canceled", (string)ended["status"]!);
        Assert.Equal(T(2026, 4, 1), (long)ended["canceled_at"]!);
    }

    [Fact]
    public async Task Items_and_invoice_items_endpoints_and_updates_announce_only_real_changes()
    {
        var price = await Price(1000);
        var start = T(2026, 4, 1);
        var (clock, cus, _) = await Customer(start);
        var sub = await (await _c.PostFormAsync("/v1/subscriptions", ("customer", cus), ("items[0][price]", price), ("metadata[plan]", "a"))).OkAsync();
        var item = (string)sub["items"]!["data"]![0]!["id"]!;
        var before = (await Events("customer.subscription.updated")).Count;
        await (await _c.PostFormAsync($"/v1/subscriptions/{Id(sub)}", ("items[0][id]", item), ("items[0][quantity]", "1"))).OkAsync();
        Assert.Equal(before, (await Events("customer.subscription.updated")).Count);
        await (await _c.PostFormAsync($"/v1/subscriptions/{Id(sub)}", ("metadata[plan]", "b"))).OkAsync();
        var updated = (await Events("customer.subscription.updated")).Last();
        Assert.Equal("a", (string)updated["data"]!["previous_attributes"]!["metadata"]!["plan"]!);

        var listed = await (await _c.GetAsync($"/v1/subscription_items?subscription={Id(sub)}")).OkAsync();
        Assert.Equal(item, (string)listed["data"]![0]!["id"]!);
        await Advance(clock, 15 * Day); // half of April's 30 days left
        var three = await (await _c.PostFormAsync($"/v1/subscription_items/{item}", ("quantity", "3"))).OkAsync();
        Assert.Equal(3, (long)three["quantity"]!);
        Assert.Equal(T(2026, 5, 1), (long)three["current_period_end"]!);
        var prorations = (await (await _c.GetAsync($"/v1/invoiceitems?customer={cus}&pending=true")).OkAsync())["data"]!.AsArray();
        Assert.Equal([-500L, 1500L], prorations.Select(i => (long)i!["amount"]!).Order());

        var oneOff = await (await _c.PostFormAsync("/v1/invoiceitems", ("customer", cus), ("amount", "250"), ("currency", "usd"), ("description", "Setup fee"))).OkAsync();
        var gone = await (await _c.DeleteAsync($"/v1/invoiceitems/{Id(oneOff)}")).OkAsync();
        Assert.True((bool)gone["deleted"]!);
        await (await _c.GetAsync($"/v1/invoiceitems/{Id(oneOff)}")).ErrorAsync(404);
        var kept = await (await _c.PostFormAsync("/v1/invoiceitems", ("customer", cus), ("amount", "250"), ("currency", "usd"), ("description", "Setup fee"))).OkAsync();
        await Advance(clock, 16 * Day + Hour);
        var renewal = (await Invoices(Id(sub)))[^1];
        Assert.Equal(-500 + 1500 + 250 + 3000, (long)renewal["amount_paid"]!);
        Assert.Equal(Id(renewal), (string)(await (await _c.GetAsync($"/v1/invoiceitems/{Id(kept)}")).OkAsync())["invoice"]!);
        var refused = await (await _c.DeleteAsync($"/v1/invoiceitems/{Id(kept)}")).ErrorAsync(400);
        Assert.Equal("id", (string)refused["param"]!);
    }
}
