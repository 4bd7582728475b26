using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using MockProcessor.Server.Dashboard;
using MockProcessor.Server.Hosting;
using MockProcessor.Server.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace MockProcessor.Server.Tests.Dashboard;

/// <summary>
/// The dashboard over HTTP (docs/dashboard.md): sign-in, what each page shows, what its buttons do, and that a
/// merchant's session shows nothing of another merchant on any page. The browser tests
/// (tests/compat/browser/dashboard.test.mjs) drive the same pages in Chromium.
/// </summary>
public class DashboardTests : IAsyncLifetime
{
    private readonly TestApp _app = new();
    public Task InitializeAsync() => Task.CompletedTask;
    public async Task DisposeAsync() => await _app.DisposeAsync();

    /// <summary>A browser without redirects followed: the session cookie is carried by hand.</summary>
    private sealed class Browser(HttpClient http)
    {
        public string? Cookie { get; private set; }

        public async Task<HttpResponseMessage> SignIn(params (string, string)[] fields)
        {
            var r = await Post("/dashboard/sign-in", fields);
            if (r.Headers.TryGetValues("Set-Cookie", out var set))
                Cookie = set.Select(c => c.Split(';')[0]).FirstOrDefault(c => c.StartsWith(DashboardSessions.CookieName + "="));
            return r;
        }

        public async Task<HttpResponseMessage> Get(string path)
        {
            var req = new HttpRequestMessage(HttpMethod.Get, path);
            if (Cookie is not null) req.Headers.Add("Cookie", Cookie);
            return await http.SendAsync(req);
        }

        public async Task<string> Page(string path)
        {
            var r = await Get(path);
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            Assert.StartsWith("text/html", r.Content.Headers.ContentType?.ToString());
            return WebUtility.HtmlDecode(await r.Content.ReadAsStringAsync());
        }

        public async Task<HttpResponseMessage> Post(string path, (string, string)[] fields, string? origin = null)
        {
            var req = new HttpRequestMessage(HttpMethod.Post, path)
            {
                Content = new FormUrlEncodedContent(fields.Select(f => new KeyValuePair<string, string>(f.Item1, f.Item2))),
            };
            if (Cookie is not null) req.Headers.Add("Cookie", Cookie);
            if (origin is not null) req.Headers.Add("Origin", origin);
            return await http.SendAsync(req);
        }

        /// <summary>Presses a button (<c>/dashboard/act</c>) and returns the outcome the page would show.</summary>
        public async Task<(string? Notice, string? Error)> Act(string op, string back, params (string, string)[] fields)
        {
            var r = await Post("/dashboard/act", [("op", op), ("back", back), .. fields]);
            Assert.Equal(HttpStatusCode.Redirect, r.StatusCode);
            var location = r.Headers.Location!.OriginalString;
            var query = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(location.Contains('?') ? location[location.IndexOf('?')..] : "");
            return (query.TryGetValue("notice", out var n) ? n.ToString() : null, query.TryGetValue("error", out var e) ? e.ToString() : null);
        }
    }

    private Browser NewBrowser() => new(_app.Client(""));

    private async Task<Browser> SignedIn(string key)
    {
        await (await _app.Client(key).GetAsync("/v1/balance")).OkAsync(); // the merchant exists once its key was used
        var browser = NewBrowser();
        var r = await browser.SignIn(("key", key));
        Assert.Equal(HttpStatusCode.Redirect, r.StatusCode);
        Assert.Equal("/dashboard/payments", r.Headers.Location!.OriginalString);
        Assert.NotNull(browser.Cookie);
        return browser;
    }

    private static string Id(JsonObject o) => (string)o["id"]!;

    private static async Task<JsonObject> Declined(HttpClient api, string pm = "pm_card_chargeDeclinedInsufficientFunds", long amount = 2000)
    {
        var r = await api.PostFormAsync("/v1/payment_intents", ("amount", amount.ToString()), ("currency", "usd"), ("confirm", "true"),
            ("payment_method", pm), ("allowed_payment_method_types[]", "card"));
        return (await r.ErrorAsync(402))["payment_intent"]!.AsObject();
    }

    [Fact]
    public async Task Sign_in_needs_a_known_merchants_secret_key_and_never_provisions_one()
    {
        var api = _app.Client("sk_test_dash_known");
        await (await api.GetAsync("/v1/customers")).OkAsync();
        var store = _app.Services.GetRequiredService<ObjectStore>();
        var merchants = store.Accounts.Count();

        var browser = NewBrowser();
        Assert.Equal("/dashboard", (await browser.Get("/dashboard/payments")).Headers.Location!.OriginalString);
        foreach (var key in new[] { "sk_test_dash_unseen", "pk_test_dash_known", "sk_live_dash_known", "nonsense" })
        {
            var r = await browser.SignIn(("key", key));
            Assert.Equal(HttpStatusCode.Redirect, r.StatusCode);
            Assert.StartsWith("/dashboard?error=", r.Headers.Location!.OriginalString);
            Assert.Null(browser.Cookie);
        }
        Assert.Equal(merchants, store.Accounts.Count());
        // Open mode is off: the sign-in page lists no merchant.
        Assert.DoesNotContain("acct_", await browser.Page("/dashboard"));

        var signedIn = await SignedIn("sk_test_dash_known");
        Assert.Contains("<h1>Payments</h1>", await signedIn.Page("/dashboard/payments"));
        Assert.Equal(HttpStatusCode.Redirect, (await signedIn.Post("/dashboard/sign-out", [])).StatusCode);
        Assert.Equal("/dashboard", (await signedIn.Get("/dashboard/payments")).Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task A_generated_secret_key_signs_in_until_it_is_revoked()
    {
        var api = _app.Client("sk_test_dash_gen");
        var key = await (await api.PostFormAsync("/_mock/keys", ("type", "secret"))).OkAsync();
        var secret = (string)key["secret"]!;
        await SignedIn(secret);
        await (await api.PostAsync($"/_mock/keys/{Id(key)}/revoke", null)).OkAsync();
        var r = await NewBrowser().SignIn(("key", secret));
        Assert.StartsWith("/dashboard?error=", r.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task A_declined_payment_is_found_by_filter_and_its_page_names_the_decline_code_and_the_test_card()
    {
        var api = _app.Client("sk_test_dash_pay");
        var declined = await Declined(api);
        var ok = await (await api.PostFormAsync("/v1/payment_intents", ("amount", "1500"), ("currency", "usd"), ("confirm", "true"),
            ("payment_method", "pm_card_visa"), ("allowed_payment_method_types[]", "card"))).OkAsync();
        var browser = await SignedIn("sk_test_dash_pay");

        var all = await browser.Page("/dashboard/payments");
        Assert.Contains(Id(declined), all);
        Assert.Contains(Id(ok), all);
        var byStatus = await browser.Page("/dashboard/payments?status=requires_payment_method");
        Assert.Contains(Id(declined), byStatus);
        Assert.DoesNotContain(Id(ok), byStatus);
        var byCard = await browser.Page("/dashboard/payments?card=insufficient");
        Assert.Contains(Id(declined), byCard);
        Assert.DoesNotContain(Id(ok), byCard);
        var byAmount = await browser.Page("/dashboard/payments?min=15&max=15.00");
        Assert.Contains(Id(ok), byAmount);
        Assert.DoesNotContain(Id(declined), byAmount);

        var detail = await browser.Page("/dashboard/payments/" + Id(declined));
        Assert.Contains("insufficient_funds", detail);
        Assert.Contains("(test card •••• 9995)", detail);
        Assert.Contains("payment_intent.payment_failed", detail);
        Assert.Contains("$20.00", detail);
        Assert.DoesNotContain("4000000000009995", detail);
        Assert.Equal(HttpStatusCode.NotFound, (await browser.Get("/dashboard/payments/pi_doesnotexist")).StatusCode);
    }

    [Fact]
    public async Task Older_payments_continue_where_the_page_ended_with_the_filters_kept()
    {
        var api = _app.Client("sk_test_dash_pages");
        var ids = new List<string>();
        for (var i = 0; i < DashboardViews.PageSize + 5; i++)
            ids.Add(Id(await (await api.PostFormAsync("/v1/payment_intents", ("amount", (1000 + i).ToString()), ("currency", "usd"),
                ("allowed_payment_method_types[]", "card"))).OkAsync()));
        ids.Reverse(); // newest first, as listed
        var browser = await SignedIn("sk_test_dash_pages");
        static List<string> Listed(string html) => Regex.Matches(html, "<td><a href=\"/dashboard/payments/(pi_[A-Za-z0-9]+)\"").Select(m => m.Groups[1].Value).ToList();

        var first = await browser.Page("/dashboard/payments?status=requires_payment_method");
        Assert.Equal(ids.Take(DashboardViews.PageSize), Listed(first));
        var older = Regex.Match(first, "href=\"(/dashboard/payments\\?[^\"]+)\">Older payments").Groups[1].Value;
        Assert.Contains("status=requires_payment_method", older);
        var second = await browser.Page(older);
        Assert.Equal(ids.Skip(DashboardViews.PageSize), Listed(second));
        Assert.DoesNotContain("Older payments", second);
    }

    [Fact]
    public async Task Buttons_run_the_control_api_as_the_signed_in_merchant()
    {
        var api = _app.Client("sk_test_dash_act");
        var browser = await SignedIn("sk_test_dash_act");

        // A rule added on the Network page declines the next API payment.
        var (notice, error) = await browser.Act("rule_add", "/dashboard/network", ("outcome", "decline"), ("decline_code", "do_not_honor"), ("remaining", "1"));
        Assert.Equal("Rule added.", notice);
        Assert.Null(error);
        var declined = await Declined(api, "pm_card_visa");
        Assert.Equal("do_not_honor", (string)declined["last_payment_error"]!["decline_code"]!);
        Assert.Contains("do_not_honor", await browser.Page("/dashboard/network"));

        // A refused call comes back as Stripe's message, and nothing changes.
        (notice, error) = await browser.Act("rule_add", "/dashboard/network", ("outcome", "explode"));
        Assert.Null(notice);
        Assert.Contains("outcome", error);
        Assert.Single((await (await api.GetAsync("/_mock/network_rules")).OkAsync())["data"]!.AsArray());

        // The clock advances a day.
        var before = (long)(await (await api.GetAsync("/_mock/merchant_clock")).OkAsync())["now"]!;
        (notice, _) = await browser.Act("clock_advance", "/dashboard/clock", ("seconds", "86400"));
        Assert.Equal("Clock advanced.", notice);
        Assert.Equal(before + 86_400, (long)(await (await api.GetAsync("/_mock/merchant_clock")).OkAsync())["now"]!);

        // A dispute is won with a button; the balance gets the disputed amount back.
        var charge = await (await api.PostFormAsync("/v1/charges", ("amount", "3000"), ("currency", "usd"), ("source", "tok_createDispute"))).OkAsync();
        var dispute = (await (await api.GetAsync("/v1/disputes")).OkAsync())["data"]![0]!.AsObject();
        Assert.Contains(Id(dispute), await browser.Page("/dashboard/disputes"));
        // Dispute transactions are available at once (docs/disputes.md): the withdrawal took amount + fee.
        var availableBefore = (long)(await (await api.GetAsync("/v1/balance")).OkAsync())["available"]![0]!["amount"]!;
        (notice, error) = await browser.Act("dispute_evidence", "/dashboard/disputes", ("id", Id(dispute)),
            ("evidence[uncategorized_text]", "winning_evidence"), ("submit", "true"));
        Assert.Equal("Evidence submitted.", notice);
        Assert.Null(error);
        Assert.Equal("won", (string)(await (await api.GetAsync("/v1/disputes/" + Id(dispute))).OkAsync())["status"]!);
        var availableAfter = (long)(await (await api.GetAsync("/v1/balance")).OkAsync())["available"]![0]!["amount"]!;
        Assert.Equal(availableBefore + 3000 + 1500, availableAfter);
        Assert.Matches($"(?s){Id(charge)}.*?won", await browser.Page("/dashboard/disputes"));

        // Another site cannot press the buttons.
        var crossSite = await browser.Post("/dashboard/act", [("op", "clock_advance"), ("back", "/dashboard/clock"), ("seconds", "3600")],
            origin: "https://evil.example");
        Assert.Equal(HttpStatusCode.BadRequest, crossSite.StatusCode);
        Assert.Equal(before + 86_400, (long)(await (await api.GetAsync("/_mock/merchant_clock")).OkAsync())["now"]!);
    }

    [Fact]
    public async Task A_failed_webhook_delivery_is_resent_from_the_page_and_shows_success()
    {
        var api = _app.Client("sk_test_dash_hook");
        var browser = await SignedIn("sk_test_dash_hook");
        await (await api.PostFormAsync("/v1/webhook_endpoints", ("url", "https://hooks.example.com/dash"), ("enabled_events[]", "customer.created"))).OkAsync();
        _app.Receiver.Respond = _ => 500;
        var customer = await (await api.PostFormAsync("/v1/customers", ("email", "hook@example.com"))).OkAsync();
        await (await api.PostAsync("/_mock/webhooks/flush", null)).OkAsync();
        var events = await browser.Page("/dashboard/events?type=customer.created");
        var eventId = Regex.Match(events, "evt_[A-Za-z0-9]+").Value;
        Assert.Contains("500", events);
        Assert.Contains("0 %", await browser.Page("/dashboard/webhooks"));

        _app.Receiver.Respond = _ => 200;
        var endpoint = Regex.Match(await browser.Page("/dashboard/webhooks"), "we_[A-Za-z0-9]+").Value;
        var (notice, error) = await browser.Act("resend", "/dashboard/webhooks", ("event", eventId), ("endpoint", endpoint));
        Assert.Null(error);
        Assert.Equal("Delivery resent.", notice);
        await (await api.PostAsync("/_mock/webhooks/flush", null)).OkAsync();
        var after = await browser.Page("/dashboard/events?type=customer.created");
        Assert.Matches("data-status=\"succeeded\"", after);
        Assert.Contains(Id(customer), after);
    }

    [Fact]
    public async Task A_second_merchant_sees_nothing_of_the_first_on_any_page()
    {
        var a = _app.Client("sk_test_dash_owner");
        var declined = await Declined(a);
        var customer = await (await a.PostFormAsync("/v1/customers", ("email", "owner@example.com"), ("name", "Owner Person"))).OkAsync();
        await (await a.PostFormAsync("/v1/payment_methods/pm_card_visa/attach", ("customer", Id(customer)))).OkAsync();
        await (await a.PostFormAsync("/v1/charges", ("amount", "3000"), ("currency", "usd"), ("source", "tok_createDispute"))).OkAsync();
        var endpoint = await (await a.PostFormAsync("/v1/webhook_endpoints", ("url", "https://owner.example.com/hook"), ("enabled_events[]", "*"))).OkAsync();
        var rule = await (await a.PostFormAsync("/_mock/network_rules", ("match[currency]", "jpy"), ("outcome", "approve"))).OkAsync();
        var connected = await (await a.PostFormAsync("/v1/accounts", ("type", "custom"), ("country", "US"))).OkAsync();
        await (await a.PostFormAsync("/v1/webhook_endpoints/" + Id(endpoint), ("description", "owner's"))).OkAsync();
        var dispute = (await (await a.GetAsync("/v1/disputes")).OkAsync())["data"]![0]!.AsObject();
        var product = await (await a.PostFormAsync("/v1/products", ("name", "Owner plan"))).OkAsync();
        var price = await (await a.PostFormAsync("/v1/prices", ("product", Id(product)), ("currency", "usd"), ("unit_amount", "700"),
            ("recurring[interval]", "month"))).OkAsync();
        var card = (string)(await (await a.GetAsync($"/v1/customers/{Id(customer)}/payment_methods")).OkAsync())["data"]![0]!["id"]!;
        var sub = await (await a.PostFormAsync("/v1/subscriptions", ("customer", Id(customer)), ("items[0][price]", Id(price)),
            ("default_payment_method", card))).OkAsync();
        var secrets = new[] { Id(declined), Id(customer), "owner@example.com", "Owner Person", "owner.example.com", Id(rule), Id(connected), Id(dispute),
            Id(endpoint), Id(sub), (string)sub["latest_invoice"]! };

        await (await _app.Client("sk_test_dash_other").GetAsync("/v1/customers")).OkAsync();
        var owner = await SignedIn("sk_test_dash_owner");
        var other = await SignedIn("sk_test_dash_other");

        // The owner's pages show its objects (so the absence below means something) ...
        var ownerText = string.Concat(await Task.WhenAll(DashboardEndpoints.Navigation.Select(n => owner.Page("/dashboard" + n.Path))));
        foreach (var s in secrets.Where(s => s != Id(connected))) Assert.Contains(s, ownerText);
        Assert.Contains(Id(connected), await owner.Page("/dashboard/payments"));
        // ... and no page of the other merchant's, nor any of the owner's ids or accounts reached through it, shows one.
        foreach (var (path, _) in DashboardEndpoints.Navigation)
        {
            var page = await other.Page("/dashboard" + path);
            foreach (var s in secrets) Assert.DoesNotContain(s, page);
        }
        Assert.Equal(HttpStatusCode.NotFound, (await other.Get("/dashboard/payments/" + Id(declined))).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await other.Get("/dashboard/payments?account=" + Id(connected))).StatusCode);

        // Buttons cannot reach the owner's objects either.
        var (_, error) = await other.Act("dispute_accept", "/dashboard/disputes", ("id", Id(dispute)));
        Assert.Contains("No such dispute", error);
        (_, error) = await other.Act("rule_remove", "/dashboard/network", ("id", Id(rule)));
        Assert.NotNull(error);
        (_, error) = await other.Act("clock_advance", "/dashboard/clock", ("account", Id(connected)), ("seconds", "60"));
        Assert.NotNull(error);
        Assert.Equal("needs_response", (string)(await (await a.GetAsync("/v1/disputes/" + Id(dispute))).OkAsync())["status"]!);
        Assert.Single((await (await a.GetAsync("/_mock/network_rules")).OkAsync())["data"]!.AsArray());
    }

    [Fact]
    public async Task Books_uploaded_on_the_reconciliation_page_are_reconciled_and_report_files_download_for_their_merchant_only()
    {
        var api = _app.Client("sk_test_dash_books");
        var a = await (await api.PostFormAsync("/v1/payment_intents", ("amount", "2000"), ("currency", "usd"), ("confirm", "true"),
            ("payment_method", "pm_card_visa"), ("allowed_payment_method_types[]", "card"))).OkAsync();
        var b = await (await api.PostFormAsync("/v1/payment_intents", ("amount", "3000"), ("currency", "usd"), ("confirm", "true"),
            ("payment_method", "pm_card_visa"), ("allowed_payment_method_types[]", "card"))).OkAsync();
        await (await api.PostFormAsync("/v1/refunds", ("payment_intent", Id(b)))).OkAsync();
        var browser = await SignedIn("sk_test_dash_books");
        var day = DateTimeOffset.FromUnixTimeSeconds(TestApp.StartTime).ToString("yyyy-MM-dd");

        async Task<HttpResponseMessage> Upload(string books)
        {
            var content = new MultipartFormDataContent
            {
                { new StringContent(day), "from" }, { new StringContent(day), "to" },
                { new ByteArrayContent(System.Text.Encoding.UTF8.GetBytes(books)), "orders_file", "books.csv" },
            };
            var req = new HttpRequestMessage(HttpMethod.Post, "/dashboard/reconciliation") { Content = content };
            req.Headers.Add("Cookie", browser.Cookie);
            return await _app.Client("").SendAsync(req);
        }

        var ok = await Upload($"order_id,payment_intent,amount,currency,status\n1,{Id(a)},20.00,usd,paid\n2,{Id(b)},3000,usd,paid\n");
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        var report = Regex.Match(WebUtility.HtmlDecode(await ok.Content.ReadAsStringAsync()), "(?s)<pre data-testid=\"reconciliation-report\">(.*?)</pre>").Groups[1].Value;
        Assert.Contains("status_mismatch", report);
        Assert.Contains("refunded", report);
        var bad = await Upload("order_id,amount\n1,5\n");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("could not be read", WebUtility.HtmlDecode(await bad.Content.ReadAsStringAsync()));

        var run = await Resources.Reporting.ReportKit.RunAsync(api, ("report_type", "balance.summary.1"),
            ("parameters[interval_start]", (TestApp.StartTime - TestApp.StartTime % 86_400).ToString()),
            ("parameters[interval_end]", TestApp.StartTime.ToString()));
        var fileId = (string)run["result"]!["id"]!;
        Assert.Contains(fileId, await browser.Page("/dashboard/reconciliation"));
        var file = await browser.Get("/dashboard/files/" + fileId);
        Assert.Equal(HttpStatusCode.OK, file.StatusCode);
        Assert.Equal(await Resources.Reporting.ReportKit.DownloadAsync(api, run), await file.Content.ReadAsStringAsync());
        await (await _app.Client("sk_test_dash_nobooks").GetAsync("/v1/balance")).OkAsync();
        var other = await SignedIn("sk_test_dash_nobooks");
        Assert.Equal(HttpStatusCode.NotFound, (await other.Get("/dashboard/files/" + fileId)).StatusCode);
    }

    [Fact]
    public async Task Subscriptions_and_their_invoices_show_on_the_billing_and_customer_pages()
    {
        var api = _app.Client("sk_test_dash_billing");
        var product = await (await api.PostFormAsync("/v1/products", ("name", "Plan"))).OkAsync();
        var price = await (await api.PostFormAsync("/v1/prices", ("product", Id(product)), ("currency", "usd"), ("unit_amount", "1900"),
            ("recurring[interval]", "month"))).OkAsync();
        var customer = await (await api.PostFormAsync("/v1/customers", ("email", "sub@example.com"))).OkAsync();
        var pm = await (await api.PostFormAsync("/v1/payment_methods/pm_card_visa/attach", ("customer", Id(customer)))).OkAsync();
        await (await api.PostFormAsync("/v1/customers/" + Id(customer), ("invoice_settings[default_payment_method]", Id(pm)))).OkAsync();
        var sub = await (await api.PostFormAsync("/v1/subscriptions", ("customer", Id(customer)), ("items[0][price]", Id(price)))).OkAsync();
        var invoice = await (await api.GetAsync("/v1/invoices/" + (string)sub["latest_invoice"]!)).OkAsync();
        var browser = await SignedIn("sk_test_dash_billing");

        var billing = await browser.Page("/dashboard/billing");
        Assert.Matches($"(?s)data-subscription=\"{Id(sub)}\".*?>active<.*?1 × \\$19\\.00 / month", billing);
        Assert.Matches($"(?s)data-invoice=\"{Id(invoice)}\".*?subscription_create.*?>paid<.*?\\$19\\.00", billing);
        Assert.DoesNotContain($"data-subscription=\"{Id(sub)}\"", await browser.Page("/dashboard/billing?status=canceled"));
        Assert.Contains($"data-subscription=\"{Id(sub)}\"", await browser.Page("/dashboard/billing?status=active"));
        Assert.Contains(Id(sub), await browser.Page("/dashboard/customers"));
        var intents = (await (await api.GetAsync("/v1/payment_intents?customer=" + Id(customer))).OkAsync())["data"]!.AsArray();
        var payment = await browser.Page("/dashboard/payments/" + (string)Assert.Single(intents)!["id"]!);
        Assert.Contains($"{Id(invoice)}</a> of subscription {Id(sub)}", payment);
    }

    [Fact]
    public async Task A_payout_run_from_the_balance_page_lists_the_transactions_it_settled()
    {
        var api = _app.Client("sk_test_dash_payout");
        var charge = await (await api.PostFormAsync("/v1/charges", ("amount", "5000"), ("currency", "usd"), ("source", "tok_bypassPending"))).OkAsync();
        var browser = await SignedIn("sk_test_dash_payout");
        var (notice, error) = await browser.Act("payouts_run", "/dashboard/balance");
        Assert.Null(error);
        Assert.Equal("Payouts run.", notice);
        var payout = (await (await api.GetAsync("/v1/payouts")).OkAsync())["data"]!.AsArray().Single()!;
        var settled = (await (await api.GetAsync($"/v1/balance_transactions?payout={(string)payout["id"]!}")).OkAsync())["data"]!.AsArray();
        Assert.Contains(settled, t => (string)t!["id"]! == (string)charge["balance_transaction"]!);
        var page = await browser.Page("/dashboard/balance");
        var listed = Regex.Match(page, $"(?s)<details data-payout=\"{(string)payout["id"]!}\">(.*?)</details>").Groups[1].Value;
        foreach (var t in settled) Assert.Contains((string)t!["id"]!, listed);
        Assert.Contains(Id(charge), listed);
    }

    [Fact]
    public async Task Open_mode_lists_merchants_and_is_refused_off_loopback()
    {
        await using var open = new TestApp(o => o.DashboardOpen = true);
        await (await open.Client("sk_test_dash_listed").GetAsync("/v1/customers")).OkAsync();
        var merchant = open.Services.GetRequiredService<ObjectStore>().Accounts.Single().AccountId;
        var browser = new Browser(open.Client(""));
        Assert.Contains(merchant, WebUtility.HtmlDecode(await (await browser.Get("/dashboard")).Content.ReadAsStringAsync()));
        var r = await browser.SignIn(("merchant", merchant));
        Assert.Equal("/dashboard/payments", r.Headers.Location!.OriginalString);

        var refused = Assert.Throws<ArgumentException>(() => MockProcessorApp.Build(new MockProcessorOptions { DashboardOpen = true, Host = "0.0.0.0", InMemory = true }));
        Assert.Contains("loopback", refused.Message);
    }
}
