using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using MockProcessor.Server.Control;
using MockProcessor.Server.Resources;
using MockProcessor.Server.Wire;

namespace MockProcessor.Server.Tests.Isolation;

/// <summary>
/// Walks every route of the emulator — Stripe's (Registry) and the control API's (ControlRoutes), so new routes are
/// covered without editing this test — with a second merchant's key against the first merchant's objects. The
/// answer must be exactly what a made-up id of the same kind gets (so nothing reveals that the object exists),
/// lists and searches must never show the first merchant's objects, and nothing of the first merchant may change.
/// </summary>
public class TenantIsolationTests : IAsyncLifetime
{
    private readonly TestApp _app = new();
    public Task InitializeAsync() => Task.CompletedTask;
    public async Task DisposeAsync() => await _app.DisposeAsync();

    private static string Id(JsonObject o) => (string)o["id"]!;

    [Fact]
    public async Task Another_merchant_can_neither_see_nor_touch_anything()
    {
        var a = _app.Client("sk_test_isolation_a");
        var b = _app.Client("sk_test_isolation_b");

        // Merchant A: one of everything.
        var cus = await (await a.PostFormAsync("/v1/customers", ("email", "a@example.com"), ("name", "Alice"))).OkAsync();
        var pm = await (await a.PostFormAsync("/v1/payment_methods/pm_card_visa/attach", ("customer", Id(cus)))).OkAsync();
        var pi = await (await a.PostFormAsync("/v1/payment_intents", ("amount", "2000"), ("currency", "usd"), ("customer", Id(cus)),
            ("confirm", "true"), ("payment_method", Id(pm)), ("payment_method_types[]", "card"), ("capture_method", "manual"))).OkAsync();
        var disputed = await (await a.PostFormAsync("/v1/charges", ("amount", "3000"), ("currency", "usd"), ("source", "tok_createDispute"))).OkAsync();
        var paid = await (await a.PostFormAsync("/v1/charges", ("amount", "4000"), ("currency", "usd"), ("source", "tok_visa"))).OkAsync();
        var re = await (await a.PostFormAsync("/v1/refunds", ("charge", Id(paid)), ("amount", "100"))).OkAsync();
        var dp = (await (await a.GetAsync("/v1/disputes")).OkAsync())["data"]![0]!.AsObject();
        var tok = await (await a.PostFormAsync("/v1/tokens", ("card[number]", "4242424242424242"), ("card[exp_month]", "1"), ("card[exp_year]", "2031"))).OkAsync();
        var we = await (await a.PostFormAsync("/v1/webhook_endpoints", ("url", "http://127.0.0.1:9/hook"), ("enabled_events[]", "*"))).OkAsync();
        var clock = await (await a.PostFormAsync("/v1/test_helpers/test_clocks", ("frozen_time", TestApp.StartTime.ToString()))).OkAsync();
        var fault = await (await a.PostFormAsync("/_mock/faults", ("path", "/v1/nothing"), ("kind", "api_error"))).OkAsync();
        var rule = await (await a.PostFormAsync("/_mock/network_rules", ("match[currency]", "jpy"), ("outcome", "approve"))).OkAsync();
        var connected = await (await a.PostFormAsync("/v1/accounts", ("type", "express"), ("email", "c@example.com"))).OkAsync();
        var key = await (await a.PostFormAsync("/_mock/keys", ("type", "restricted"), ("permissions[customers]", "read"))).OkAsync();
        var evt = (await (await a.GetAsync("/v1/events?limit=1")).OkAsync())["data"]![0]!.AsObject();
        var txn = (await (await a.GetAsync("/v1/balance_transactions?limit=1")).OkAsync())["data"]![0]!.AsObject();

        var ids = new Dictionary<string, string>
        {
            ["customers"] = Id(cus), ["payment_methods"] = Id(pm), ["payment_intents"] = Id(pi), ["charges"] = Id(paid),
            ["refunds"] = Id(re), ["disputes"] = Id(dp), ["events"] = Id(evt), ["tokens"] = Id(tok), ["webhook_endpoints"] = Id(we),
            ["balance_transactions"] = Id(txn), ["test_clocks"] = Id(clock), ["faults"] = Id(fault), ["network_rules"] = Id(rule),
            ["accounts"] = Id(connected), ["keys"] = Id(key),
        };
        var allOfA = ids.Values.Append(Id(disputed)).ToList();

        async Task<JsonObject> Snapshot()
        {
            var s = new JsonObject();
            foreach (var (kind, id) in ids.Where(kv => kv.Key is not ("faults" or "network_rules")))
            {
                var path = kind switch
                {
                    "test_clocks" => $"/v1/test_helpers/test_clocks/{id}", "keys" => $"/_mock/keys/{id}", _ => $"/v1/{kind}/{id}",
                };
                s[kind] = JsonNode.Parse(await (await a.GetAsync(path)).Content.ReadAsStringAsync());
            }
            return s;
        }
        var before = await Snapshot();

        var routes = Registry.Routes().Concat(ControlRoutes.All()).ToList();
        var withIds = routes.Where(r => r.Pattern.Contains('{')).ToList();
        Assert.True(withIds.Count >= 40, $"only {withIds.Count} routes with ids were walked");

        // The comparison can fail: merchant A itself is told more about its objects than about unknown ids.
        var ownGets = 0;
        foreach (var route in withIds.Where(r => r.Method == "GET"))
        {
            var own = await Send(a, "GET", Fill(route.Pattern, ids, fake: false));
            var unknown = await Send(a, "GET", Fill(route.Pattern, ids, fake: true));
            if (own.Status != unknown.Status) ownGets++;
        }
        Assert.True(ownGets >= 10, $"the owner saw a difference on only {ownGets} GET routes");

        var problems = new List<string>();
        foreach (var route in withIds)
        {
            var onReal = await Send(b, route.Method, Fill(route.Pattern, ids, fake: false));
            var onFake = await Send(b, route.Method, Fill(route.Pattern, ids, fake: true));
            var normalisedReal = Normalise(onReal.Body, ids.Values.Select(v => (v, Fake(v))));
            var normalisedFake = Normalise(onFake.Body, []);
            if (onReal.Status != onFake.Status || normalisedReal != normalisedFake)
                problems.Add($"{route.Method} {route.Pattern}: {onReal.Status} {normalisedReal} vs unknown id {onFake.Status} {normalisedFake}");
        }
        foreach (var route in routes.Where(r => r.Method == "GET" && !r.Pattern.Contains('{')))
        {
            var query = route.ResponseType.StartsWith("search:") ? "?query=" + Uri.EscapeDataString("created>0") : "?limit=100";
            var res = await Send(b, "GET", route.Pattern + query);
            foreach (var id in allOfA.Where(id => res.Body.Contains(id)))
                problems.Add($"GET {route.Pattern} shows merchant A's {id}");
        }
        Assert.True(problems.Count == 0, string.Join("\n", problems));
        Assert.Equal(before.ToJsonString(), (await Snapshot()).ToJsonString());
    }

    private static string Fake(string real) => real[..(real.IndexOf('_') + 1)] + "doesnotexist00000000000000";

    /// <summary>The route with merchant A's ids (or unknown ids of the same kinds) in place of its parameters.</summary>
    private static string Fill(string pattern, Dictionary<string, string> ids, bool fake) =>
        Regex.Replace(pattern, @"/(\w+)/\{id\}", m => $"/{m.Groups[1].Value}/{Pick(ids[m.Groups[1].Value], fake)}")
            .Replace("{pm}", Pick(ids["payment_methods"], fake));

    private static string Pick(string id, bool fake) => fake ? Fake(id) : id;

    private async Task<(int Status, string Body)> Send(HttpClient client, string method, string url)
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
