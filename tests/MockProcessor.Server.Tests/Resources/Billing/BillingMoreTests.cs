using System.Net;
using System.Text.Json.Nodes;

namespace MockProcessor.Server.Tests.Resources.Billing;

/// <summary>
/// Billing beyond renewals (docs/billing.md): hosted pages of subscription invoices, pause and resume,
/// <c>invoice.upcoming</c>, <c>invoice_payment</c> objects and the old upcoming-invoice endpoint.
/// </summary>
public class BillingMoreTests : IAsyncLifetime
{
    private const long Day = 86_400, Hour = 3600;
    private readonly TestApp _app = new();
    private HttpClient _c = null!;
    private HttpClient _browser = null!;

    public Task InitializeAsync()
    {
        _c = _app.Client("sk_test_billing_more");
        _browser = _app.Client("");
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private static long T(int y, int m, int d) => new DateTimeOffset(y, m, d, 0, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds();
    private static string Id(JsonObject o) => (string)o["id"]!;

    private static async Task<string> Price(HttpClient c, long amount, string interval = "month")
    {
        var product = await (await c.PostFormAsync("/v1/products", ("name", "Plan " + amount))).OkAsync();
        var price = await (await c.PostFormAsync("/v1/prices", ("product", Id(product)), ("currency", "usd"), ("unit_amount", amount.ToString()),
            ("recurring[interval]", interval))).OkAsync();
        return Id(price);
    }

    /// <summary>A customer on a new clock at <paramref name="start"/>, with <paramref name="card"/> as its invoice default (none when null).</summary>
    private static async Task<(JsonObject Clock, string Customer)> Customer(HttpClient c, long start, string? card = "pm_card_visa")
    {
        var clock = await c.CreateTestClockAsync(start);
        var cus = Id(await (await c.PostFormAsync("/v1/customers", ("email", "m@example.com"), ("test_clock", Id(clock)))).OkAsync());
        if (card is not null) await DefaultCard(c, cus, card);
        return (clock, cus);
    }

    private static async Task DefaultCard(HttpClient c, string cus, string card)
    {
        var pm = await (await c.PostFormAsync($"/v1/payment_methods/{card}/attach", ("customer", cus))).OkAsync();
        await (await c.PostFormAsync($"/v1/customers/{cus}", ("invoice_settings[default_payment_method]", Id(pm)))).OkAsync();
    }

    private async Task<JsonObject> Sub(string id) => await (await _c.GetAsync($"/v1/subscriptions/{id}")).OkAsync();

    private static async Task<List<JsonObject>> Invoices(HttpClient c, string sub) =>
        (await (await c.GetAsync($"/v1/invoices?subscription={sub}&limit=100")).OkAsync())["data"]!.AsArray()
            .Select(i => i!.AsObject()).Reverse().ToList();

    // ---------------------------------------------------------------- hosted pages of subscription invoices

    [Fact]
    public async Task A_past_due_renewal_is_paid_on_its_hosted_page_and_the_subscription_goes_active()
    {
        var price = await Price(_c, 1000);
        var start = T(2026, 4, 1);
        var (clock, cus) = await Customer(_c, start);
        var sub = await (await _c.PostFormAsync("/v1/subscriptions", ("customer", cus), ("items[0][price]", price))).OkAsync();
        var first = (await Invoices(_c, Id(sub)))[0];
        Assert.StartsWith($"http://localhost/invoice/pay/{Id(first)}/tok_", (string)first["hosted_invoice_url"]!);

        await DefaultCard(_c, cus, "pm_card_chargeCustomerFail");
        await _c.AdvanceTestClockAsync(clock, T(2026, 5, 1) - start + Hour);
        Assert.Equal("past_due", (string)(await Sub(Id(sub)))["status"]!);
        var renewal = (await Invoices(_c, Id(sub)))[1];
        Assert.Equal("open", (string)renewal["status"]!);
        var url = new Uri((string)renewal["hosted_invoice_url"]!);
        Assert.NotEqual(new Uri((string)first["hosted_invoice_url"]!).Segments[^1], url.Segments[^1]);

        var wrong = await _browser.GetAsync(url.AbsolutePath[..^4] + "abcd");
        Assert.Equal(HttpStatusCode.NotFound, wrong.StatusCode);
        var page = await _browser.GetAsync(url.AbsolutePath);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("Amount due $10.00", await page.Content.ReadAsStringAsync());

        var paid = await _browser.PostFormAsync(url.AbsolutePath, ("number", "4242 4242 4242 4242"), ("expiry", "12 / 34"), ("cvc", "123"), ("name", "Mo"));
        Assert.Equal(HttpStatusCode.SeeOther, paid.StatusCode);
        var after = await (await _c.GetAsync($"/v1/invoices/{Id(renewal)}")).OkAsync();
        Assert.Equal(("paid", 1000L), ((string)after["status"]!, (long)after["amount_paid"]!));
        Assert.Equal("active", (string)(await Sub(Id(sub)))["status"]!);
        Assert.Contains("Paid $10.00", await (await _browser.GetAsync(url.AbsolutePath)).Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_same_seed_gives_the_same_invoice_ids_and_hosted_urls()
    {
        async Task<List<(string Id, string? Url)>> Run()
        {
            await using var app = new TestApp();
            var c = app.Client("sk_test_same_seed");
            var price = await Price(c, 700);
            var start = T(2026, 4, 1);
            var (clock, cus) = await Customer(c, start);
            var sub = await (await c.PostFormAsync("/v1/subscriptions", ("customer", cus), ("items[0][price]", price))).OkAsync();
            await c.AdvanceTestClockAsync(clock, T(2026, 6, 1) - start + Hour);
            return (await Invoices(c, Id(sub))).Select(i => (Id(i), (string?)i["hosted_invoice_url"])).ToList();
        }
        var one = await Run();
        var two = await Run();
        Assert.Equal(3, one.Count);
        Assert.All(one, i => Assert.NotNull(i.Url));
        Assert.Equal(one, two);
        Assert.Equal(3, one.Select(i => i.Url).Distinct().Count());
    }

    // ---------------------------------------------------------------- pause and resume

    private async Task<List<string>> EventTypes(string prefix) =>
        (await (await _c.GetAsync("/v1/events?limit=100")).OkAsync())["data"]!.AsArray()
            .Select(e => (string)e!["type"]!).Where(t => t.StartsWith(prefix, StringComparison.Ordinal)).Reverse().ToList();

    [Fact]
    public async Task A_trial_ending_without_a_payment_method_pauses_and_resume_bills_a_new_period_from_now()
    {
        var price = await Price(_c, 2000);
        var start = T(2026, 4, 1);
        var (clock, cus) = await Customer(_c, start, card: null);
        var sub = await (await _c.PostFormAsync("/v1/subscriptions", ("customer", cus), ("items[0][price]", price), ("trial_period_days", "7"),
            ("trial_settings[end_behavior][missing_payment_method]", "pause"))).OkAsync();
        Assert.Equal("pause", (string)sub["trial_settings"]!["end_behavior"]!["missing_payment_method"]!);
        await _c.AdvanceTestClockAsync(clock, 8 * Day);
        var paused = await Sub(Id(sub));
        Assert.Equal("paused", (string)paused["status"]!);
        Assert.Equal(("trial_end_without_payment_method", start + 7 * Day),
            ((string)paused["status_details"]!["paused"]!["subscription"]!["type"]!, (long)paused["status_details"]!["paused"]!["transitioned_at"]!));
        Assert.Single(await Invoices(_c, Id(sub))); // only the $0 trial invoice
        Assert.Contains("customer.subscription.paused", await EventTypes("customer.subscription."));
        await _c.AdvanceTestClockAsync(clock, 40 * Day); // a paused subscription does not renew
        Assert.Single(await Invoices(_c, Id(sub)));

        await DefaultCard(_c, cus, "pm_card_visa");
        var resumeAt = start + 48 * Day;
        var resumed = await (await _c.PostFormAsync($"/v1/subscriptions/{Id(sub)}/resume", ("billing_cycle_anchor[type]", "now"))).OkAsync();
        Assert.Equal(("active", resumeAt), ((string)resumed["status"]!, (long)resumed["billing_cycle_anchor"]!));
        Assert.Null(resumed["status_details"]);
        Assert.Equal(resumeAt, (long)resumed["items"]!["data"]![0]!["current_period_start"]!);
        var invoices = await Invoices(_c, Id(sub));
        Assert.Equal(2, invoices.Count);
        Assert.Equal(("paid", 2000L), ((string)invoices[1]["status"]!, (long)invoices[1]["amount_paid"]!));
        Assert.Equal(Id(invoices[1]), (string)resumed["latest_invoice"]!);
        var types = await EventTypes("customer.subscription.");
        Assert.Equal("customer.subscription.resumed", types[^1]);

        var again = await (await _c.PostFormAsync($"/v1/subscriptions/{Id(sub)}/resume")).ErrorAsync(400);
        Assert.Equal("id", (string)again["param"]!);
    }

    [Fact]
    public async Task A_trial_ending_without_a_payment_method_cancels_when_asked_and_bills_when_a_card_is_there()
    {
        var price = await Price(_c, 2000);
        var start = T(2026, 4, 1);
        var (clock, cus) = await Customer(_c, start, card: null);
        var canceled = await (await _c.PostFormAsync("/v1/subscriptions", ("customer", cus), ("items[0][price]", price), ("trial_period_days", "3"),
            ("trial_settings[end_behavior][missing_payment_method]", "cancel"))).OkAsync();
        var (clock2, cus2) = await Customer(_c, start);
        var billed = await (await _c.PostFormAsync("/v1/subscriptions", ("customer", cus2), ("items[0][price]", price), ("trial_period_days", "3"),
            ("trial_settings[end_behavior][missing_payment_method]", "cancel"))).OkAsync();
        await _c.AdvanceTestClockAsync(clock, 4 * Day);
        await _c.AdvanceTestClockAsync(clock2, 4 * Day);
        var after = await Sub(Id(canceled));
        Assert.Equal(("canceled", start + 3 * Day), ((string)after["status"]!, (long)after["ended_at"]!));
        Assert.Single(await Invoices(_c, Id(canceled)));
        Assert.Equal("active", (string)(await Sub(Id(billed)))["status"]!);
        Assert.Equal(2, (await Invoices(_c, Id(billed))).Count);

        var bad = await (await _c.PostFormAsync("/v1/subscriptions", ("customer", cus), ("items[0][price]", price),
            ("trial_settings[end_behavior][missing_payment_method]", "later"))).ErrorAsync(400);
        Assert.Equal("trial_settings[end_behavior][missing_payment_method]", (string)bad["param"]!);
    }

    [Fact]
    public async Task Pause_collection_keeps_drafts_voids_or_marks_uncollectible_and_resumes_at_its_time()
    {
        var price = await Price(_c, 1000);
        var start = T(2026, 4, 1);
        var (clock, cus) = await Customer(_c, start);
        var sub = await (await _c.PostFormAsync("/v1/subscriptions", ("customer", cus), ("items[0][price]", price))).OkAsync();
        var paused = await (await _c.PostFormAsync($"/v1/subscriptions/{Id(sub)}", ("pause_collection[behavior]", "keep_as_draft"))).OkAsync();
        Assert.Equal(("keep_as_draft", "active"), ((string)paused["pause_collection"]!["behavior"]!, (string)paused["status"]!));
        Assert.Null(paused["pause_collection"]!["resumes_at"]);

        await _c.AdvanceTestClockAsync(clock, T(2026, 5, 1) - start + 2 * Hour);
        var may = (await Invoices(_c, Id(sub)))[1];
        Assert.Equal(("draft", false), ((string)may["status"]!, (bool)may["auto_advance"]!));

        await (await _c.PostFormAsync($"/v1/subscriptions/{Id(sub)}", ("pause_collection[behavior]", "void"))).OkAsync();
        await _c.AdvanceTestClockAsync(clock, T(2026, 6, 1) - T(2026, 5, 1));
        Assert.Equal("void", (string)(await Invoices(_c, Id(sub)))[2]["status"]!);

        var resumesAt = T(2026, 6, 20);
        await (await _c.PostFormAsync($"/v1/subscriptions/{Id(sub)}", ("pause_collection[behavior]", "mark_uncollectible"),
            ("pause_collection[resumes_at]", resumesAt.ToString()))).OkAsync();
        await _c.AdvanceTestClockAsync(clock, resumesAt - T(2026, 6, 1) + Day);
        Assert.Null((await Sub(Id(sub)))["pause_collection"]);
        await _c.AdvanceTestClockAsync(clock, T(2026, 7, 1) - resumesAt);
        var july = (await Invoices(_c, Id(sub)))[3];
        Assert.Equal(("paid", "active"), ((string)july["status"]!, (string)(await Sub(Id(sub)))["status"]!));

        var sub2 = await (await _c.PostFormAsync("/v1/subscriptions", ("customer", cus), ("items[0][price]", price),
            ("trial_period_days", "1"))).OkAsync();
        await (await _c.PostFormAsync($"/v1/subscriptions/{Id(sub2)}", ("pause_collection[behavior]", "mark_uncollectible"))).OkAsync();
        await _c.AdvanceTestClockAsync(clock, Day + 2 * Hour);
        Assert.Equal("uncollectible", (string)(await Invoices(_c, Id(sub2)))[1]["status"]!);
        var cleared = await (await _c.PostFormAsync($"/v1/subscriptions/{Id(sub2)}", ("pause_collection", ""))).OkAsync();
        Assert.Null(cleared["pause_collection"]);

        var missing = await (await _c.PostFormAsync($"/v1/subscriptions/{Id(sub)}", ("pause_collection[resumes_at]", "4102444800"))).ErrorAsync(400);
        Assert.Equal("pause_collection[behavior]", (string)missing["param"]!);
        var past = await (await _c.PostFormAsync($"/v1/subscriptions/{Id(sub)}", ("pause_collection[behavior]", "void"), ("pause_collection[resumes_at]", start.ToString()))).ErrorAsync(400);
        Assert.Equal("pause_collection[resumes_at]", (string)past["param"]!);
    }

    [Fact]
    public async Task Resume_with_an_unchanged_anchor_prorates_the_rest_of_the_period_and_the_renewal_bills_it()
    {
        var price = await Price(_c, 3000);
        var start = T(2026, 4, 1);
        var (clock, cus) = await Customer(_c, start, card: null);
        var sub = await (await _c.PostFormAsync("/v1/subscriptions", ("customer", cus), ("items[0][price]", price), ("trial_end", T(2026, 4, 11).ToString()),
            ("trial_settings[end_behavior][missing_payment_method]", "pause"))).OkAsync();
        await _c.AdvanceTestClockAsync(clock, T(2026, 5, 21) - start); // paused on Apr 11; the anchor's period is May 11 – Jun 11
        Assert.Equal("paused", (string)(await Sub(Id(sub)))["status"]!);
        await DefaultCard(_c, cus, "pm_card_visa");
        var resumed = await (await _c.PostFormAsync($"/v1/subscriptions/{Id(sub)}/resume", ("billing_cycle_anchor", "unchanged"))).OkAsync();
        Assert.Equal("active", (string)resumed["status"]!);
        Assert.Equal((T(2026, 5, 11), T(2026, 6, 11)),
            ((long)resumed["items"]!["data"]![0]!["current_period_start"]!, (long)resumed["items"]!["data"]![0]!["current_period_end"]!));
        var pending = (await (await _c.GetAsync($"/v1/invoiceitems?customer={cus}&pending=true")).OkAsync())["data"]!.AsArray();
        // 21 of 31 days left: round(3000 × 21/31) = 2032.
        Assert.Equal(2032L, (long)Assert.Single(pending)!["amount"]!);
        Assert.Single(await Invoices(_c, Id(sub)));
        await _c.AdvanceTestClockAsync(clock, T(2026, 6, 11) - T(2026, 5, 21) + 2 * Hour);
        var june = (await Invoices(_c, Id(sub)))[1];
        Assert.Equal(("paid", 5032L), ((string)june["status"]!, (long)june["total"]!));
    }

    // ---------------------------------------------------------------- invoice.upcoming

    private async Task<List<JsonObject>> AllEvents(HttpClient c)
    {
        var all = new List<JsonObject>();
        string? after = null;
        while (true)
        {
            var page = await (await c.GetAsync("/v1/events?limit=100" + (after is null ? "" : "&starting_after=" + after))).OkAsync();
            var data = page["data"]!.AsArray().Select(e => e!.AsObject()).ToList();
            all.AddRange(data);
            if (!(bool)page["has_more"]! || data.Count == 0) break;
            after = Id(data[^1]);
        }
        all.Reverse();
        return all;
    }

    [Fact]
    public async Task Invoice_upcoming_goes_out_seven_days_before_each_renewal_in_order_over_a_year_advanced_at_once()
    {
        var price = await Price(_c, 1800);
        var start = T(2026, 1, 31);
        var (clock, cus) = await Customer(_c, start);
        var sub = await (await _c.PostFormAsync("/v1/subscriptions", ("customer", cus), ("items[0][price]", price))).OkAsync();
        await (await _c.PostFormAsync("/v1/invoiceitems", ("customer", cus), ("amount", "250"), ("currency", "usd"), ("description", "Setup"))).OkAsync();
        await _c.AdvanceTestClockAsync(clock, T(2027, 1, 31) - start + 2 * Hour);

        var events = (await AllEvents(_c)).Where(e => ((string)e["type"]!).StartsWith("invoice.", StringComparison.Ordinal)).ToList();
        var upcoming = events.Where(e => (string)e["type"]! == "invoice.upcoming").ToList();
        Assert.Equal(12, upcoming.Count);
        long Renewal(int k) => new DateTimeOffset(2026, 1, 31, 0, 0, 0, TimeSpan.Zero).AddMonths(k).ToUnixTimeSeconds();
        Assert.Equal(Enumerable.Range(1, 12).Select(k => Renewal(k) - 7 * Day), upcoming.Select(e => (long)e["created"]!));
        // Each one comes before its renewal's invoice.created, and after the previous renewal's.
        var types = events.Select(e => (string)e["type"]!).Where(t => t is "invoice.upcoming" or "invoice.created").Skip(1).ToList();
        Assert.Equal(Enumerable.Repeat(new[] { "invoice.upcoming", "invoice.created" }, 12).SelectMany(x => x), types);

        var first = upcoming[0]["data"]!["object"]!.AsObject();
        Assert.False(first.ContainsKey("id"));
        Assert.Equal(("invoice", "upcoming", "draft"), ((string)first["object"]!, (string)first["billing_reason"]!, (string)first["status"]!));
        Assert.Equal(2050L, (long)first["amount_due"]!); // the pending item, then the next period
        Assert.Equal(Id(sub), (string)first["parent"]!["subscription_details"]!["subscription"]!);
        var lines = first["lines"]!["data"]!.AsArray();
        Assert.Equal(("Setup", Renewal(1), Renewal(2)),
            ((string)lines[0]!["description"]!, (long)lines[1]!["period"]!["start"]!, (long)lines[1]!["period"]!["end"]!));
        Assert.Equal(Renewal(1) + Hour, (long)first["next_payment_attempt"]!);
        Assert.Equal(2050L, (long)(await Invoices(_c, Id(sub)))[1]["total"]!);
    }

    [Fact]
    public async Task Upcoming_days_are_a_setting_zero_disables_them_and_send_invoice_subscriptions_get_none()
    {
        var settings = await (await _c.GetAsync("/_mock/billing/settings")).OkAsync();
        Assert.Equal(7L, (long)settings["upcoming_days"]!);
        var price = await Price(_c, 900);
        var start = T(2026, 4, 1);
        var (clock, cus) = await Customer(_c, start);
        var auto = await (await _c.PostFormAsync("/v1/subscriptions", ("customer", cus), ("items[0][price]", price))).OkAsync();
        var sent = await (await _c.PostFormAsync("/v1/subscriptions", ("customer", cus), ("items[0][price]", price),
            ("collection_method", "send_invoice"), ("days_until_due", "10"))).OkAsync();
        var set = await (await _c.PostFormAsync("/_mock/billing/settings", ("upcoming_days", "3"))).OkAsync();
        Assert.Equal((3L, "cancel"), ((long)set["upcoming_days"]!, (string)set["after_final_failure"]!));
        await _c.AdvanceTestClockAsync(clock, T(2026, 5, 1) - start);
        var upcoming = (await AllEvents(_c)).Where(e => (string)e["type"]! == "invoice.upcoming").ToList();
        var one = Assert.Single(upcoming);
        Assert.Equal((T(2026, 5, 1) - 3 * Day, Id(auto)),
            ((long)one["created"]!, (string)one["data"]!["object"]!["parent"]!["subscription_details"]!["subscription"]!));
        Assert.Equal("send_invoice", (string)(await Sub(Id(sent)))["collection_method"]!);

        await (await _c.PostFormAsync("/_mock/billing/settings", ("upcoming_days", "0"))).OkAsync();
        await _c.AdvanceTestClockAsync(clock, T(2026, 6, 2) - T(2026, 5, 1));
        Assert.Single(await AllEvents(_c), e => (string)e["type"]! == "invoice.upcoming");
        Assert.Equal(3, (await Invoices(_c, Id(auto))).Count); // renewals go on

        var bad = await (await _c.PostFormAsync("/_mock/billing/settings", ("upcoming_days", "-1"))).ErrorAsync(400);
        Assert.Equal("upcoming_days", (string)bad["param"]!);
    }

    // ---------------------------------------------------------------- invoice_payment objects

    [Fact]
    public async Task Each_attempt_has_an_invoice_payment_paid_with_its_invoice_and_listed_by_invoice_payment_intent_and_status()
    {
        var price = await Price(_c, 1600);
        var start = T(2026, 4, 1);
        var (clock, cus) = await Customer(_c, start);
        var sub = await (await _c.PostFormAsync("/v1/subscriptions", ("customer", cus), ("items[0][price]", price))).OkAsync();
        var first = (string)sub["latest_invoice"]!;
        var list = await (await _c.GetAsync($"/v1/invoice_payments?invoice={first}")).OkAsync();
        var paid = Assert.Single(list["data"]!.AsArray())!.AsObject();
        Assert.StartsWith("inpay_", Id(paid));
        Assert.Equal(("paid", 1600L, 1600L, true, first), ((string)paid["status"]!, (long)paid["amount_paid"]!, (long)paid["amount_requested"]!,
            (bool)paid["is_default"]!, (string)paid["invoice"]!));
        var pi = (string)paid["payment"]!["payment_intent"]!;
        Assert.Equal("payment_intent", (string)paid["payment"]!["type"]!);
        Assert.NotNull(paid["status_transitions"]!["paid_at"]);
        var retrieved = await (await _c.GetAsync($"/v1/invoice_payments/{Id(paid)}?expand[]=payment.payment_intent")).OkAsync();
        Assert.Equal(("succeeded", 1600L), ((string)retrieved["payment"]!["payment_intent"]!["status"]!, (long)retrieved["payment"]!["payment_intent"]!["amount"]!));
        var events = (await AllEvents(_c)).Where(e => (string)e["type"]! == "invoice_payment.paid").ToList();
        Assert.Equal(Id(paid), (string)Assert.Single(events)["data"]!["object"]!["id"]!);
        var inv = await (await _c.GetAsync($"/v1/invoices/{first}?expand[]=payments")).OkAsync();
        Assert.Equal(Id(paid), (string)inv["payments"]!["data"]![0]!["id"]!);
        Assert.False((await (await _c.GetAsync($"/v1/invoices/{first}")).OkAsync()).ContainsKey("payments"));

        await DefaultCard(_c, cus, "pm_card_chargeCustomerFail");
        await _c.AdvanceTestClockAsync(clock, T(2026, 5, 1) - start + 2 * Hour);
        var renewal = Id((await Invoices(_c, Id(sub)))[1]);
        var open = await (await _c.GetAsync("/v1/invoice_payments?status=open")).OkAsync();
        var pending = Assert.Single(open["data"]!.AsArray())!.AsObject();
        Assert.Equal((renewal, 1600L), ((string)pending["invoice"]!, (long)pending["amount_requested"]!));
        Assert.Null(pending["amount_paid"]);
        var byPi = await (await _c.GetAsync($"/v1/invoice_payments?payment[type]=payment_intent&payment[payment_intent]={pi}")).OkAsync();
        Assert.Equal(Id(paid), (string)Assert.Single(byPi["data"]!.AsArray())!["id"]!);
        var none = await (await _c.GetAsync("/v1/invoice_payments?status=canceled")).OkAsync();
        Assert.Empty(none["data"]!.AsArray());
        var missingType = await (await _c.GetAsync($"/v1/invoice_payments?payment[payment_intent]={pi}")).ErrorAsync(400);
        Assert.Equal("payment[type]", (string)missingType["param"]!);
        await (await _c.GetAsync("/v1/invoice_payments/inpay_nope")).ErrorAsync(404);
    }

    // ---------------------------------------------------------------- GET /v1/invoices/upcoming at old versions

    [Fact]
    public async Task The_upcoming_invoice_endpoints_answer_before_basil_with_the_preview_and_are_gone_after()
    {
        var price = await Price(_c, 1100);
        var start = T(2026, 4, 1);
        var (_, cus) = await Customer(_c, start);
        var sub = await (await _c.PostFormAsync("/v1/subscriptions", ("customer", cus), ("items[0][price]", price))).OkAsync();
        await (await _c.PostFormAsync("/v1/invoiceitems", ("customer", cus), ("amount", "400"), ("currency", "usd"), ("description", "Extra"))).OkAsync();
        var old = _app.Client("sk_test_billing_more");
        old.DefaultRequestHeaders.Add("Stripe-Version", "2024-06-20");
        var upcoming = await (await old.GetAsync($"/v1/invoices/upcoming?customer={cus}&subscription={Id(sub)}")).OkAsync();
        Assert.Equal(("upcoming", 1500L, Id(sub)), ((string)upcoming["billing_reason"]!, (long)upcoming["amount_due"]!, (string)upcoming["subscription"]!));
        Assert.Equal(T(2026, 5, 1), (long)upcoming["lines"]!["data"]![1]!["period"]!["start"]!);
        var lines = await (await old.GetAsync($"/v1/invoices/upcoming/lines?customer={cus}&subscription={Id(sub)}&limit=1")).OkAsync();
        Assert.Equal(("Extra", true), ((string)lines["data"]![0]!["description"]!, (bool)lines["has_more"]!));
        var upgrade = await Price(_c, 3100);
        var proposed = await (await old.GetAsync($"/v1/invoices/upcoming?customer={cus}&subscription={Id(sub)}" +
            $"&subscription_items[0][id]={(string)sub["items"]!["data"]![0]!["id"]!}&subscription_items[0][price]={upgrade}&subscription_proration_behavior=none")).OkAsync();
        Assert.Equal(3500L, (long)proposed["amount_due"]!);
        var bad = await (await old.GetAsync($"/v1/invoices/upcoming?customer={cus}&subscription={Id(sub)}&subscription_items[0][id]=si_nope")).ErrorAsync(404);
        Assert.Equal("subscription_items[0][id]", (string)bad["param"]!);

        var gone = await (await _c.GetAsync($"/v1/invoices/upcoming?customer={cus}")).ErrorAsync(404);
        Assert.Equal(("resource_missing", "id"), ((string)gone["code"]!, (string)gone["param"]!));
        await (await _c.GetAsync($"/v1/invoices/upcoming/lines?customer={cus}")).ErrorAsync(404);
    }
}
