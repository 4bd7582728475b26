using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using MockProcessor.Server.Control;
using MockProcessor.Server.Resources;
using MockProcessor.Server.Wire;

namespace MockProcessor.Server.Tests.Isolation;

/// <summary>
/// Walks every route of the emulator — Stripe's (Registry) and the control API's (ControlRoutes), so new routes are
/// covered without editing this test — with a caller that must not see a set of objects: a second merchant against a
/// platform's objects and its connected account's, the connected account (platform key + Stripe-Account) against the
/// platform's, and the platform without Stripe-Account against its connected account's. Each answer must be exactly
/// what a made-up id of the same kind gets (so nothing reveals that the object exists), lists and searches must never
/// show the objects, no event may reach the wrong account, and nothing of the owners may change.
/// </summary>
public class TenantIsolationTests : IAsyncLifetime
{
    private readonly TestApp _app = new();
    public Task InitializeAsync() => Task.CompletedTask;
    public async Task DisposeAsync() => await _app.DisposeAsync();

    private static string Id(JsonObject o) => (string)o["id"]!;

    // Report types are Stripe's public catalogue, the same for every merchant: nothing of anyone's to hide.
    private static readonly List<ApiRoute> AllRoutes = Registry.Routes().Concat(ControlRoutes.All())
        .Where(r => !r.Pattern.StartsWith("/v1/reporting/report_types/", StringComparison.Ordinal)).ToList();

    private HttpClient Acting(string key, string account)
    {
        var client = _app.Client(key);
        client.DefaultRequestHeaders.Add("Stripe-Account", account);
        return client;
    }

    [Fact]
    public async Task No_tenant_can_see_or_touch_another_ones_objects()
    {
        var a = _app.Client("sk_test_isolation_a");
        var b = _app.Client("sk_test_isolation_b");

        // Merchant A, a Connect platform: one of everything.
        var cus = await (await a.PostFormAsync("/v1/customers", ("email", "a@example.com"), ("name", "Alice"))).OkAsync();
        var pm = await (await a.PostFormAsync("/v1/payment_methods/pm_card_visa/attach", ("customer", Id(cus)))).OkAsync();
        var pi = await (await a.PostFormAsync("/v1/payment_intents", ("amount", "2000"), ("currency", "usd"), ("customer", Id(cus)),
            ("confirm", "true"), ("payment_method", Id(pm)), ("allowed_payment_method_types[]", "card"), ("capture_method", "manual"))).OkAsync();
        var disputed = await (await a.PostFormAsync("/v1/charges", ("amount", "3000"), ("currency", "usd"), ("source", "tok_createDispute"))).OkAsync();
        var paid = await (await a.PostFormAsync("/v1/charges", ("amount", "4000"), ("currency", "usd"), ("source", "tok_visa"))).OkAsync();
        var re = await (await a.PostFormAsync("/v1/refunds", ("charge", Id(paid)), ("amount", "100"))).OkAsync();
        var dp = (await (await a.GetAsync("/v1/disputes")).OkAsync())["data"]![0]!.AsObject();
        var tok = await (await a.PostFormAsync("/v1/tokens", ("card[number]", "4242424242424242"), ("card[exp_month]", "1"), ("card[exp_year]", "2031"))).OkAsync();
        var ctoken = await (await a.PostFormAsync("/v1/test_helpers/confirmation_tokens", ("payment_method", "pm_card_visa"))).OkAsync();
        var we = await (await a.PostFormAsync("/v1/webhook_endpoints", ("url", "http://127.0.0.1:9/hook"), ("enabled_events[]", "*"))).OkAsync();
        var clock = await (await a.PostFormAsync("/v1/test_helpers/test_clocks", ("frozen_time", TestApp.StartTime.ToString()))).OkAsync();
        var fault = await (await a.PostFormAsync("/_mock/faults", ("path", "/v1/nothing"), ("kind", "api_error"))).OkAsync();
        var rule = await (await a.PostFormAsync("/_mock/network_rules", ("match[currency]", "jpy"), ("outcome", "approve"))).OkAsync();
        await (await a.PostFormAsync("/v1/charges", ("amount", "5000"), ("currency", "usd"), ("source", "tok_bypassPending"))).OkAsync();
        var po = await (await a.PostFormAsync("/v1/payouts", ("amount", "100"), ("currency", "usd"))).OkAsync();
        var disc = await (await a.PostFormAsync("/_mock/discrepancies", ("kind", "fee_adjustment"), ("charge", Id(paid)), ("amount", "-25"))).OkAsync();
        var key = await (await a.PostFormAsync("/_mock/keys", ("type", "restricted"), ("permissions[customers]", "read"))).OkAsync();
        var connected = await (await a.PostFormAsync("/v1/accounts", ("type", "express"), ("email", "c@example.com"))).OkAsync();
        var acct = Id(connected);
        var destination = await (await a.PostFormAsync("/v1/payment_intents", ("amount", "5000"), ("currency", "usd"), ("confirm", "true"),
            ("payment_method", "pm_card_visa"), ("allowed_payment_method_types[]", "card"), ("transfer_data[destination]", acct),
            ("application_fee_amount", "500"))).OkAsync();
        await (await a.PostFormAsync("/v1/refunds", ("payment_intent", Id(destination)), ("amount", "1000"), ("reverse_transfer", "true"))).OkAsync();
        var transfer = (await (await a.GetAsync("/v1/transfers")).OkAsync())["data"]![0]!.AsObject();

        // Connected account C, through A's key: its own customer, direct charge (fee to A), refund, webhook endpoint, rule.
        var c = Acting("sk_test_isolation_a", acct);
        var cCus = await (await c.PostFormAsync("/v1/customers", ("email", "c-customer@example.com"))).OkAsync();
        var cPm = await (await c.PostFormAsync("/v1/payment_methods/pm_card_visa/attach", ("customer", Id(cCus)))).OkAsync();
        var cPi = await (await c.PostFormAsync("/v1/payment_intents", ("amount", "3000"), ("currency", "usd"), ("customer", Id(cCus)),
            ("confirm", "true"), ("payment_method", Id(cPm)), ("allowed_payment_method_types[]", "card"), ("application_fee_amount", "300"))).OkAsync();
        var cRe = await (await c.PostFormAsync("/v1/refunds", ("payment_intent", Id(cPi)), ("amount", "500"), ("refund_application_fee", "true"))).OkAsync();
        var cTok = await (await c.PostFormAsync("/v1/tokens", ("card[number]", "4242424242424242"), ("card[exp_month]", "1"), ("card[exp_year]", "2031"))).OkAsync();
        var cWe = await (await c.PostFormAsync("/v1/webhook_endpoints", ("url", "http://127.0.0.1:9/c-hook"), ("enabled_events[]", "*"))).OkAsync();
        var cRule = await (await c.PostFormAsync("/_mock/network_rules", ("match[currency]", "eur"), ("outcome", "approve"))).OkAsync();
        var prod = await (await a.PostFormAsync("/v1/products", ("name", "A's product"))).OkAsync();
        var seti = await (await a.PostFormAsync("/v1/setup_intents", ("customer", Id(cus)), ("allowed_payment_method_types[]", "card"))).OkAsync();
        var price = await (await a.PostFormAsync("/v1/prices", ("product", Id(prod)), ("currency", "usd"), ("unit_amount", "100"))).OkAsync();
        var session = await (await a.PostFormAsync("/v1/checkout/sessions", ("mode", "payment"), ("success_url", "https://a.example/done"),
            ("line_items[0][price]", Id(price)), ("line_items[0][quantity]", "1"))).OkAsync();
        var recurring = await (await a.PostFormAsync("/v1/prices", ("product", Id(prod)), ("currency", "usd"), ("unit_amount", "900"),
            ("recurring[interval]", "month"))).OkAsync();
        await (await a.PostFormAsync($"/v1/customers/{Id(cus)}", ("invoice_settings[default_payment_method]", Id(pm)))).OkAsync();
        var sub = await (await a.PostFormAsync("/v1/subscriptions", ("customer", Id(cus)), ("items[0][price]", Id(recurring)))).OkAsync();
        var ii = await (await a.PostFormAsync("/v1/invoiceitems", ("customer", Id(cus)), ("amount", "300"), ("currency", "usd"))).OkAsync();
        var inpay = (await (await a.GetAsync($"/v1/invoice_payments?invoice={(string)sub["latest_invoice"]!}")).OkAsync())["data"]![0]!.AsObject();
        var cbtxn = await (await a.PostFormAsync($"/v1/customers/{Id(cus)}/balance_transactions", ("amount", "-100"), ("currency", "usd"))).OkAsync();
        var coupon = await (await a.PostFormAsync("/v1/coupons", ("percent_off", "25"), ("duration", "forever"))).OkAsync();
        var promo = await (await a.PostFormAsync("/v1/promotion_codes", ("promotion[type]", "coupon"), ("promotion[coupon]", Id(coupon)))).OkAsync();
        var portalConfig = await (await a.PostFormAsync("/v1/billing_portal/configurations", ("features[invoice_history][enabled]", "true"))).OkAsync();
        var portalSession = await (await a.PostFormAsync("/v1/billing_portal/sessions", ("customer", Id(cus)))).OkAsync();
        var txr = await (await a.PostFormAsync("/v1/tax_rates", ("display_name", "VAT"), ("percentage", "20"), ("inclusive", "false"))).OkAsync();
        var plan = await (await a.PostFormAsync("/v1/plans", ("amount", "700"), ("currency", "usd"), ("interval", "month"), ("product", Id(prod)))).OkAsync();
        var txi = await (await a.PostFormAsync($"/v1/customers/{Id(cus)}/tax_ids", ("type", "eu_vat"), ("value", "DE123456789"))).OkAsync();
        var cn = await (await a.PostFormAsync("/v1/credit_notes", ("invoice", (string)sub["latest_invoice"]!), ("amount", "100"), ("credit_amount", "100"))).OkAsync();
        var fee = (await (await a.GetAsync($"/v1/application_fees?charge={(string)cPi["latest_charge"]!}")).OkAsync())["data"]![0]!.AsObject();
        var evt = (await (await a.GetAsync("/v1/events?limit=1")).OkAsync())["data"]![0]!.AsObject();
        var txn = (await (await a.GetAsync("/v1/balance_transactions?limit=1")).OkAsync())["data"]![0]!.AsObject();
        var cEvt = (await (await c.GetAsync("/v1/events?limit=1")).OkAsync())["data"]![0]!.AsObject();
        var cTxn = (await (await c.GetAsync("/v1/balance_transactions?limit=1")).OkAsync())["data"]![0]!.AsObject();
        await (await a.PostFormAsync("/_mock/clock/advance", ("seconds", "60"))).OkAsync();
        var frr = await (await a.PostFormAsync("/v1/reporting/report_runs", ("report_type", "balance.summary.1"),
            ("parameters[interval_start]", (TestApp.StartTime - 3600).ToString()), ("parameters[interval_end]", (TestApp.StartTime + 60).ToString()))).OkAsync();
        for (var i = 0; i < 400 && (string)frr["status"]! == "pending"; i++)
        {
            await Task.Delay(25);
            frr = await (await a.GetAsync($"/v1/reporting/report_runs/{Id(frr)}")).OkAsync();
        }
        var file = frr["result"]!.AsObject();

        var idsOfA = new Dictionary<string, string>
        {
            ["customers"] = Id(cus), ["payment_methods"] = Id(pm), ["payment_intents"] = Id(pi), ["charges"] = Id(paid),
            ["refunds"] = Id(re), ["disputes"] = Id(dp), ["events"] = Id(evt), ["tokens"] = Id(tok), ["confirmation_tokens"] = Id(ctoken), ["webhook_endpoints"] = Id(we),
            ["balance_transactions"] = Id(txn), ["test_clocks"] = Id(clock), ["faults"] = Id(fault), ["network_rules"] = Id(rule),
            ["accounts"] = acct, ["keys"] = Id(key), ["application_fees"] = Id(fee), ["transfers"] = Id(transfer), ["payouts"] = Id(po),
            ["report_runs"] = Id(frr), ["files"] = Id(file), ["products"] = Id(prod), ["prices"] = Id(price),
            ["setup_intents"] = Id(seti),
            ["sessions"] = Id(session),
            ["subscriptions"] = Id(sub), ["subscription_items"] = (string)sub["items"]!["data"]![0]!["id"]!,
            ["invoices"] = (string)sub["latest_invoice"]!, ["invoiceitems"] = Id(ii), ["invoice_payments"] = Id(inpay),
            ["customer_balance_transactions"] = Id(cbtxn),
            ["coupons"] = Id(coupon), ["promotion_codes"] = Id(promo),
            ["configurations"] = Id(portalConfig), ["tax_rates"] = Id(txr),
            ["credit_notes"] = Id(cn), ["tax_ids"] = Id(txi), ["plans"] = Id(plan),
        };
        var idsOfC = new Dictionary<string, string>
        {
            ["customers"] = Id(cCus), ["payment_methods"] = Id(cPm), ["payment_intents"] = Id(cPi), ["charges"] = (string)cPi["latest_charge"]!,
            ["refunds"] = Id(cRe), ["events"] = Id(cEvt), ["tokens"] = Id(cTok), ["webhook_endpoints"] = Id(cWe),
            ["balance_transactions"] = Id(cTxn), ["network_rules"] = Id(cRule),
        };
        var extraOfA = new[] { Id(disputed), Id(destination), (string)destination["latest_charge"]!, Id(disc), Id(portalSession) };
        var extraOfC = new[] { (string)transfer["destination_payment"]! };

        var beforeA = await Snapshot(a, idsOfA);
        var beforeC = await Snapshot(c, idsOfC);
        var eventsOfB = await EventIds(b);

        // The comparison can fail: an owner itself is told more about its objects than about unknown ids.
        Assert.True(await OwnerSeesMore(a, idsOfA) >= 10, "the platform saw a difference on too few GET routes");
        Assert.True(await OwnerSeesMore(c, idsOfC) >= 8, "the connected account saw a difference on too few GET routes");
        // Every route with an id is walked against the platform: a new kind of route fails here until it is given an object.
        var unwalked = AllRoutes.Where(r => r.Pattern.Contains('{')).Except(Walkable(idsOfA)).Select(r => $"{r.Method} {r.Pattern}").ToList();
        Assert.True(unwalked.Count == 0, "routes without an object of the platform to walk: " + string.Join(", ", unwalked));
        Assert.True(AllRoutes.Count(r => r.Pattern.Contains('{')) >= 45, "too few routes with ids were walked");

        var problems = new List<string>();
        await Walk("merchant B on the platform's objects", b, idsOfA, extraOfA, problems);
        await Walk("merchant B on the connected account's objects", b, idsOfC, extraOfC, problems);
        await Walk("the connected account on the platform's objects", c, idsOfA, extraOfA, problems);
        await Walk("the platform without Stripe-Account on its connected account's objects", a, idsOfC, extraOfC, problems);
        Assert.True(problems.Count == 0, string.Join("\n", problems));

        // Invoice search is per merchant: A finds its customer's invoice, B finds nothing of A's.
        var invoiceQuery = "/v1/invoices/search?query=" + Uri.EscapeDataString($"customer:'{Id(cus)}'");
        Assert.NotEmpty((await (await a.GetAsync(invoiceQuery)).OkAsync())["data"]!.AsArray());
        Assert.Empty((await (await b.GetAsync(invoiceQuery)).OkAsync())["data"]!.AsArray());

        // Merchant B cannot act as A's connected account; nothing of A and C changed; no event of theirs reached B.
        Assert.Equal(403, (int)(await Acting("sk_test_isolation_b", acct).GetAsync("/v1/customers")).StatusCode);
        Assert.Equal(beforeA.ToJsonString(), (await Snapshot(a, idsOfA)).ToJsonString());
        Assert.Equal(beforeC.ToJsonString(), (await Snapshot(c, idsOfC)).ToJsonString());
        Assert.Equal(eventsOfB, await EventIds(b));
        Assert.DoesNotContain(await EventIds(a), id => id == Id(cEvt));

        // The event feed (GET /_mock/events/stream): the platform's has its tree's events, the connected account's only its
        // own, merchant B's none of theirs.
        var ofA = await EventIds(a);
        var ofC = await EventIds(c);
        var feedOfA = await FeedIds(a);
        Assert.Contains(Id(evt), feedOfA);
        Assert.Contains(Id(cEvt), feedOfA);
        Assert.Equal(ofC.Order(), (await FeedIds(c)).Order());
        Assert.Equal(eventsOfB.Order(), (await FeedIds(b)).Order());
        Assert.DoesNotContain(await FeedIds(b), id => ofA.Contains(id) || ofC.Contains(id));
    }

    private static async Task<List<string>> FeedIds(HttpClient client)
    {
        var body = await (await client.GetAsync("/_mock/events/stream?follow=false")).Content.ReadAsStringAsync();
        return body.Split('\n').Where(l => l.StartsWith("data: ", StringComparison.Ordinal))
            .Select(l => (string)JsonNode.Parse(l[6..])!["id"]!).ToList();
    }

    private static async Task<List<string>> EventIds(HttpClient client) =>
        (await (await client.GetAsync("/v1/events?limit=100")).OkAsync())["data"]!.AsArray().Select(e => (string)e!["id"]!).ToList();

    private static async Task<JsonObject> Snapshot(HttpClient owner, Dictionary<string, string> ids)
    {
        var s = new JsonObject();
        foreach (var (kind, id) in ids.Where(kv => kv.Key is not ("faults" or "network_rules")))
        {
            var path = kind switch
            {
                "test_clocks" => $"/v1/test_helpers/test_clocks/{id}", "keys" => $"/_mock/keys/{id}",
                "report_runs" => $"/v1/reporting/report_runs/{id}", "sessions" => $"/v1/checkout/sessions/{id}",
                "configurations" => $"/v1/billing_portal/configurations/{id}",
                "customer_balance_transactions" => $"/v1/customers/{ids["customers"]}/balance_transactions/{id}", _ => $"/v1/{kind}/{id}",
            };
            s[kind] = JsonNode.Parse(await (await owner.GetAsync(path)).Content.ReadAsStringAsync());
        }
        foreach (var list in new[] { "/v1/balance", "/v1/balance_transactions?limit=100", "/v1/events?limit=100" })
            s[list] = JsonNode.Parse(await (await owner.GetAsync(list)).Content.ReadAsStringAsync());
        return s;
    }

    private static async Task<int> OwnerSeesMore(HttpClient owner, Dictionary<string, string> ids)
    {
        var n = 0;
        foreach (var route in Walkable(ids).Where(r => r.Method == "GET"))
        {
            var own = await Send(owner, "GET", Fill(route.Pattern, ids, fake: false));
            var unknown = await Send(owner, "GET", Fill(route.Pattern, ids, fake: true));
            if (own.Status != unknown.Status) n++;
        }
        return n;
    }

    /// <summary>The routes with ids whose every id kind is in <paramref name="ids"/>.</summary>
    private static IEnumerable<ApiRoute> Walkable(Dictionary<string, string> ids) =>
        AllRoutes.Where(r => r.Pattern.Contains('{') && Regex.Matches(r.Pattern, @"/(\w+)/\{id\}").All(m => ids.ContainsKey(m.Groups[1].Value))
            && (!r.Pattern.Contains("{pm}") || ids.ContainsKey("payment_methods"))
            && (!r.Pattern.Contains("{txn}") || ids.ContainsKey("customer_balance_transactions"))
            && (!r.Pattern.Contains("{txi}") || ids.ContainsKey("tax_ids")));

    private static async Task Walk(string who, HttpClient caller, Dictionary<string, string> ids, IEnumerable<string> extra, List<string> problems)
    {
        foreach (var route in Walkable(ids))
        {
            var onReal = await Send(caller, route.Method, Fill(route.Pattern, ids, fake: false));
            var onFake = await Send(caller, route.Method, Fill(route.Pattern, ids, fake: true));
            var normalisedReal = Normalise(onReal.Body, ids.Values.Select(v => (v, Fake(v))));
            var normalisedFake = Normalise(onFake.Body, []);
            if (onReal.Status != onFake.Status || normalisedReal != normalisedFake)
                problems.Add($"{who}: {route.Method} {route.Pattern}: {onReal.Status} {normalisedReal} vs unknown id {onFake.Status} {normalisedFake}");
        }
        var all = ids.Values.Concat(extra).ToList();
        foreach (var route in AllRoutes.Where(r => r.Method == "GET" && !r.Pattern.Contains('{')))
        {
            var query = route.ResponseType.StartsWith("search:") ? "?query=" + Uri.EscapeDataString("created>0") : "?limit=100";
            var res = await Send(caller, "GET", route.Pattern + query);
            var body = JsonNode.Parse(res.Body);
            foreach (var id in all.Where(id => Shows(body, id)))
                problems.Add($"{who}: GET {route.Pattern} shows {id}");
        }
    }

    /// <summary>
    /// Whether the answer contains the object itself (a list entry, search hit, expansion or event payload with that
    /// id). A bare id as a reference is Stripe's shape across accounts (a direct charge's <c>application_fee</c>, a
    /// <c>py_</c> payment's <c>source_transfer</c>, a fee's <c>charge</c>) and reveals no field of the object.
    /// </summary>
    private static bool Shows(JsonNode? node, string id) => node switch
    {
        JsonObject o => o["id"] is JsonValue v && v.TryGetValue<string>(out var s) && s == id || o.Any(kv => Shows(kv.Value, id)),
        JsonArray a => a.Any(x => Shows(x, id)),
        _ => false,
    };

    private static string Fake(string real) => real[..(real.IndexOf('_') + 1)] + "doesnotexist00000000000000";

    /// <summary>The route with the owner's ids (or unknown ids of the same kinds) in place of its parameters.</summary>
    private static string Fill(string pattern, Dictionary<string, string> ids, bool fake) =>
        Regex.Replace(pattern, @"/(\w+)/\{id\}", m => $"/{m.Groups[1].Value}/{Pick(ids[m.Groups[1].Value], fake)}")
            .Replace("{pm}", Pick(ids["payment_methods"], fake))
            .Replace("{txn}", ids.TryGetValue("customer_balance_transactions", out var txn) ? Pick(txn, fake) : "{txn}")
            .Replace("{txi}", ids.TryGetValue("tax_ids", out var txi) ? Pick(txi, fake) : "{txi}");

    private static string Pick(string id, bool fake) => fake ? Fake(id) : id;

    private static async Task<(int Status, string Body)> Send(HttpClient client, string method, string url)
    {
        var req = new HttpRequestMessage(new HttpMethod(method), url);
        if (method == "POST") req.Content = new FormUrlEncodedContent([]);
        var res = await client.SendAsync(req);
        return ((int)res.StatusCode, await res.Content.ReadAsStringAsync());
    }

    // Request ids differ per call; an id echoed back from the URL is the caller's own input.
    private static string Normalise(string body, IEnumerable<(string Real, string Fake)> swaps)
    {
        foreach (var (real, fake) in swaps) body = body.Replace(real, fake);
        return Regex.Replace(body, "req_[A-Za-z0-9]{14}", "req_X");
    }
}
