using System.Net;
using System.Text.Json.Nodes;

namespace MockProcessor.Server.Tests.Resources.Billing;

/// <summary>The customer portal (docs/portal.md): configurations, sessions, and the page's actions through the API's code.</summary>
public class PortalTests : IAsyncLifetime
{
    private readonly TestApp _app = new();
    private HttpClient _c = null!;
    private HttpClient _browser = null!;
    private string _product = null!, _basic = null!, _pro = null!;

    public async Task InitializeAsync()
    {
        _c = _app.Client("sk_test_portal_tests");
        _browser = _app.Client("");
        _product = Id(await (await _c.PostFormAsync("/v1/products", ("name", "Plan"))).OkAsync());
        _basic = await Price(1000);
        _pro = await Price(3000);
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private static string Id(JsonNode? o) => (string)o!["id"]!;

    private async Task<string> Price(long amount) => Id(await (await _c.PostFormAsync("/v1/prices", ("product", _product), ("currency", "usd"),
        ("unit_amount", amount.ToString()), ("recurring[interval]", "month"))).OkAsync());

    /// <summary>A customer paying <see cref="_basic"/> monthly with a Visa as its invoice default; answers the customer and subscription.</summary>
    private async Task<(string Customer, JsonObject Sub)> Subscriber(bool subscriptionDefault = false)
    {
        var cus = Id(await (await _c.PostFormAsync("/v1/customers", ("email", "pat@example.com"))).OkAsync());
        var pm = Id(await (await _c.PostFormAsync("/v1/payment_methods/pm_card_visa/attach", ("customer", cus))).OkAsync());
        await (await _c.PostFormAsync($"/v1/customers/{cus}", ("invoice_settings[default_payment_method]", pm))).OkAsync();
        var form = new List<(string, string)> { ("customer", cus), ("items[0][price]", _basic) };
        if (subscriptionDefault) form.Add(("default_payment_method", pm));
        var sub = await (await _c.PostFormAsync("/v1/subscriptions", [.. form])).OkAsync();
        Assert.Equal("active", (string)sub["status"]!);
        return (cus, sub);
    }

    private Task<JsonObject> Configuration(string mode = "at_period_end", string cancelProration = "none", bool update = true, bool paymentMethod = true) =>
        _c.PostFormAsync("/v1/billing_portal/configurations",
            ("features[invoice_history][enabled]", "true"),
            ("features[payment_method_update][enabled]", paymentMethod ? "true" : "false"),
            ("features[subscription_cancel][enabled]", "true"), ("features[subscription_cancel][mode]", mode),
            ("features[subscription_cancel][proration_behavior]", cancelProration),
            ("features[subscription_update][enabled]", update ? "true" : "false"),
            ("features[subscription_update][default_allowed_updates][]", "price"),
            ("features[subscription_update][products][0][product]", _product),
            ("features[subscription_update][products][0][prices][0]", _basic),
            ("features[subscription_update][products][0][prices][1]", _pro),
            ("default_return_url", "https://shop.example/account")).ContinueWith(t => t.Result.OkAsync()).Unwrap();

    private async Task<JsonObject> Session(string customer, string? configuration, params (string, string)[] more)
    {
        var form = new List<(string, string)> { ("customer", customer) };
        if (configuration is not null) form.Add(("configuration", configuration));
        form.AddRange(more);
        return await (await _c.PostFormAsync("/v1/billing_portal/sessions", [.. form])).OkAsync();
    }

    private static string PagePath(JsonObject session) => new Uri((string)session["url"]!).PathAndQuery;

    private async Task<List<string>> EventTypes(int limit = 20) =>
        (await (await _c.GetAsync($"/v1/events?limit={limit}")).OkAsync())["data"]!.AsArray().Select(e => (string)e!["type"]!).ToList();

    private async Task<string> Page(string path, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var res = await _browser.GetAsync(path);
        Assert.Equal(expected, res.StatusCode);
        return await res.Content.ReadAsStringAsync();
    }

    [Fact]
    public async Task The_first_configuration_is_the_default_and_the_list_filters_by_default_and_active()
    {
        var first = await Configuration();
        var second = await Configuration(update: false);
        Assert.True((bool)first["is_default"]!);
        Assert.False((bool)second["is_default"]!);
        Assert.StartsWith("bpc_", Id(first));
        Assert.Equal("at_period_end", (string)first["features"]!["subscription_cancel"]!["mode"]!);
        Assert.Equal(_pro, (string)first["features"]!["subscription_update"]!["products"]![0]!["prices"]![1]!);

        var defaults = (await (await _c.GetAsync("/v1/billing_portal/configurations?is_default=true")).OkAsync())["data"]!.AsArray();
        Assert.Equal([Id(first)], defaults.Select(Id));
        var updated = await (await _c.PostFormAsync($"/v1/billing_portal/configurations/{Id(second)}", ("active", "false"),
            ("business_profile[headline]", "Manage your plan"), ("metadata[team]", "growth"))).OkAsync();
        Assert.False((bool)updated["active"]!);
        Assert.Equal("Manage your plan", (string)updated["business_profile"]!["headline"]!);
        var inactive = (await (await _c.GetAsync("/v1/billing_portal/configurations?active=false")).OkAsync())["data"]!.AsArray();
        Assert.Equal([Id(second)], inactive.Select(Id));
        Assert.Equal(Id(first), Id(await (await _c.GetAsync($"/v1/billing_portal/configurations/{Id(first)}")).OkAsync()));

        var events = (await (await _c.GetAsync("/v1/events?type=billing_portal.configuration.updated")).OkAsync())["data"]!.AsArray();
        var ev = Assert.Single(events);
        Assert.True((bool)ev!["data"]!["previous_attributes"]!["active"]!);
        Assert.Equal(2, (await EventTypes()).Count(t => t == "billing_portal.configuration.created"));

        // Sending the same values again changes nothing and announces nothing.
        var same = await (await _c.PostFormAsync($"/v1/billing_portal/configurations/{Id(first)}",
            ("features[subscription_update][products][0][product]", _product), ("features[subscription_update][products][0][prices][0]", _basic),
            ("features[subscription_update][products][0][prices][1]", _pro))).OkAsync();
        Assert.Equal((long)first["updated"]!, (long)same["updated"]!);
        Assert.Single((await (await _c.GetAsync("/v1/events?type=billing_portal.configuration.updated")).OkAsync())["data"]!.AsArray());

        // The default stays active.
        var refused = await (await _c.PostFormAsync($"/v1/billing_portal/configurations/{Id(first)}", ("active", "false"))).ErrorAsync(400);
        Assert.Equal("active", (string)refused["param"]!);
    }

    [Fact]
    public async Task Bad_configurations_are_refused_with_the_parameter_named_and_nothing_kept()
    {
        var missing = await (await _c.PostFormAsync("/v1/billing_portal/configurations", ("default_return_url", "https://a.example"))).ErrorAsync(400);
        Assert.Equal("features", (string)missing["param"]!);
        var noProducts = await (await _c.PostFormAsync("/v1/billing_portal/configurations", ("features[subscription_update][enabled]", "true"),
            ("features[subscription_update][default_allowed_updates][]", "price"))).ErrorAsync(400);
        Assert.Equal("features[subscription_update][products]", (string)noProducts["param"]!);
        var other = Id(await (await _c.PostFormAsync("/v1/products", ("name", "Other"))).OkAsync());
        var wrongProduct = await (await _c.PostFormAsync("/v1/billing_portal/configurations", ("features[subscription_update][enabled]", "true"),
            ("features[subscription_update][products][0][product]", other), ("features[subscription_update][products][0][prices][]", _basic))).ErrorAsync(400);
        Assert.Equal("features[subscription_update][products][0][prices]", (string)wrongProduct["param"]!);
        var mode = await (await _c.PostFormAsync("/v1/billing_portal/configurations", ("features[subscription_cancel][enabled]", "true"),
            ("features[subscription_cancel][mode]", "whenever"))).ErrorAsync(400);
        Assert.Equal("features[subscription_cancel][mode]", (string)mode["param"]!);
        var url = await (await _c.PostFormAsync("/v1/billing_portal/configurations", ("features[invoice_history][enabled]", "true"),
            ("default_return_url", "not a url"))).ErrorAsync(400);
        Assert.Equal("url_invalid", (string)url["code"]!);
        var noEnabled = await (await _c.PostFormAsync("/v1/billing_portal/configurations", ("features[customer_update][allowed_updates][]", "email"))).ErrorAsync(400);
        Assert.Equal("features[customer_update][enabled]", (string)noEnabled["param"]!);
        Assert.Empty((await (await _c.GetAsync("/v1/billing_portal/configurations")).OkAsync())["data"]!.AsArray());
        Assert.DoesNotContain("billing_portal.configuration.created", await EventTypes());
    }

    [Fact]
    public async Task A_session_without_configuration_makes_the_default_and_carries_a_short_lived_url()
    {
        var (cus, _) = await Subscriber();
        var session = await Session(cus, null, ("return_url", "https://shop.example/back"), ("locale", "fr"));
        Assert.StartsWith("bps_", Id(session));
        Assert.Equal("billing_portal.session", (string)session["object"]!);
        Assert.Equal(cus, (string)session["customer"]!);
        Assert.Equal("https://shop.example/back", (string)session["return_url"]!);
        Assert.Equal("fr", (string)session["locale"]!);
        Assert.Null(session["flow"]);
        Assert.StartsWith($"http://localhost/billing_portal/session/{Id(session)}/test_", (string)session["url"]!);
        var config = await (await _c.GetAsync($"/v1/billing_portal/configurations/{(string)session["configuration"]!}")).OkAsync();
        Assert.True((bool)config["is_default"]!);
        Assert.Equal("at_period_end", (string)config["features"]!["subscription_cancel"]!["mode"]!);
        Assert.False((bool)config["features"]!["subscription_update"]!["enabled"]!);
        var types = await EventTypes(3);
        Assert.Equal(["billing_portal.session.created", "billing_portal.configuration.created"], types.Take(2));

        // A second session reuses the default; expand gives the configuration whole.
        var again = await (await _c.PostFormAsync("/v1/billing_portal/sessions", ("customer", cus), ("expand[]", "configuration"))).OkAsync();
        Assert.Equal(Id(config), Id(again["configuration"]));

        // The link: wrong token 404; unvisited it works 5 minutes; from the first visit, an hour.
        var path = PagePath(session);
        await Page(path[..^4] + "zzzz", HttpStatusCode.NotFound);
        await Page(path);
        await (await _c.PostFormAsync("/_mock/clock/advance", ("seconds", "3000"))).OkAsync();
        await Page(path);
        await Page(PagePath(again), HttpStatusCode.Gone);
        await (await _c.PostFormAsync("/_mock/clock/advance", ("seconds", "700"))).OkAsync();
        Assert.Contains("expired", await Page(path, HttpStatusCode.Gone));
    }

    [Fact]
    public async Task Bad_sessions_are_refused()
    {
        var (cus, sub) = await Subscriber();
        var config = await Configuration(paymentMethod: false);
        Assert.Equal("customer", (string)(await (await _c.PostFormAsync("/v1/billing_portal/sessions")).ErrorAsync(400))["param"]!);
        Assert.Equal("customer", (string)(await (await _c.PostFormAsync("/v1/billing_portal/sessions", ("customer", "cus_nope"))).ErrorAsync(404))["param"]!);
        Assert.Equal("on_behalf_of", (string)(await (await _c.PostFormAsync("/v1/billing_portal/sessions", ("customer", cus),
            ("on_behalf_of", "acct_x"))).ErrorAsync(400))["param"]!);
        var (other, _) = await Subscriber();
        var foreign = await (await _c.PostFormAsync("/v1/billing_portal/sessions", ("customer", other), ("flow_data[type]", "subscription_cancel"),
            ("flow_data[subscription_cancel][subscription]", Id(sub)))).ErrorAsync(400);
        Assert.Equal("flow_data[subscription_cancel][subscription]", (string)foreign["param"]!);
        var disabled = await (await _c.PostFormAsync("/v1/billing_portal/sessions", ("customer", cus), ("configuration", Id(config)),
            ("flow_data[type]", "payment_method_update"))).ErrorAsync(400);
        Assert.Equal("flow_data[type]", (string)disabled["param"]!);
        Assert.DoesNotContain("billing_portal.session.created", await EventTypes());
    }

    [Fact]
    public async Task Cancel_at_period_end_on_the_page_runs_the_subscription_update_with_its_event()
    {
        var (cus, sub) = await Subscriber();
        var config = await Configuration();
        var session = await Session(cus, Id(config));
        var path = PagePath(session);
        var html = await Page(path);
        Assert.Contains($"id=\"cancel-{Id(sub)}\"", html);
        Assert.Contains("$10.00 per month", html);
        Assert.Contains($"id=\"switch-{_pro}\"", html);
        Assert.Contains("id=\"invoices\"", html);
        Assert.Contains("https://shop.example/account", html);

        // A cross-site post is refused and changes nothing.
        var req = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = new FormUrlEncodedContent([new("action", "cancel"), new("subscription", Id(sub))]),
        };
        req.Headers.Add("Origin", "https://evil.example");
        Assert.Equal(HttpStatusCode.Forbidden, (await _browser.SendAsync(req)).StatusCode);

        var res = await _browser.PostFormAsync(path, ("action", "cancel"), ("subscription", Id(sub)));
        Assert.Equal(HttpStatusCode.SeeOther, res.StatusCode);
        Assert.EndsWith("?done=cancel_at_period_end", res.Headers.Location!.ToString());
        var after = await (await _c.GetAsync($"/v1/subscriptions/{Id(sub)}")).OkAsync();
        Assert.True((bool)after["cancel_at_period_end"]!);
        Assert.Equal("active", (string)after["status"]!);
        var ev = (await (await _c.GetAsync("/v1/events?type=customer.subscription.updated&limit=1")).OkAsync())["data"]![0]!;
        Assert.False((bool)ev["data"]!["previous_attributes"]!["cancel_at_period_end"]!);
        var page = await Page(res.Headers.Location!.ToString());
        Assert.Contains("Cancels on", page);
        Assert.Contains($"id=\"renew-{Id(sub)}\"", page);

        // Renew undoes it.
        await _browser.PostFormAsync(path, ("action", "renew"), ("subscription", Id(sub)));
        Assert.False((bool)(await (await _c.GetAsync($"/v1/subscriptions/{Id(sub)}")).OkAsync())["cancel_at_period_end"]!);
    }

    [Fact]
    public async Task Cancel_immediately_with_prorations_cancels_now_and_credits_the_unused_time()
    {
        var (cus, sub) = await Subscriber();
        var config = await Configuration(mode: "immediately", cancelProration: "create_prorations");
        await (await _c.PostFormAsync("/_mock/clock/advance", ("seconds", (15 * 86400).ToString()))).OkAsync();
        var path = PagePath(await Session(cus, Id(config)));
        Assert.Contains("Cancel plan now", await Page(path));
        var res = await _browser.PostFormAsync(path, ("action", "cancel"), ("subscription", Id(sub)));
        Assert.Equal(HttpStatusCode.SeeOther, res.StatusCode);
        var after = await (await _c.GetAsync($"/v1/subscriptions/{Id(sub)}")).OkAsync();
        Assert.Equal("canceled", (string)after["status"]!);
        Assert.Contains("customer.subscription.deleted", await EventTypes(5));
        var items = (await (await _c.GetAsync($"/v1/invoiceitems?customer={cus}")).OkAsync())["data"]!.AsArray();
        Assert.Contains(items, i => (long)i!["amount"]! < 0);
        // The canceled subscription is no longer offered.
        Assert.DoesNotContain($"sub-{Id(sub)}", await Page(path));
    }

    [Fact]
    public async Task Switching_plan_uses_the_configured_prices_and_proration_and_disabled_features_are_refused()
    {
        var (cus, sub) = await Subscriber();
        var config = await Configuration();
        var path = PagePath(await Session(cus, Id(config)));
        var notOffered = await Price(5000);
        Assert.Equal(HttpStatusCode.BadRequest, (await _browser.PostFormAsync(path, ("action", "switch"), ("subscription", Id(sub)), ("price", notOffered))).StatusCode);
        var res = await _browser.PostFormAsync(path, ("action", "switch"), ("subscription", Id(sub)), ("price", _pro));
        Assert.Equal(HttpStatusCode.SeeOther, res.StatusCode);
        var after = await (await _c.GetAsync($"/v1/subscriptions/{Id(sub)}")).OkAsync();
        Assert.Equal(_pro, (string)after["items"]!["data"]![0]!["price"]!["id"]!);
        // proration_behavior none (the configuration's default): no proration items.
        Assert.Empty((await (await _c.GetAsync($"/v1/invoiceitems?customer={cus}")).OkAsync())["data"]!.AsArray());
        Assert.Contains("$30.00 per month", await Page(path));

        // A configuration without plan switching or card updates shows neither and refuses their posts.
        var limited = await Configuration(update: false, paymentMethod: false);
        var limitedPath = PagePath(await Session(cus, Id(limited)));
        var html = await Page(limitedPath);
        Assert.DoesNotContain("switch-", html);
        Assert.DoesNotContain("save-card", html);
        Assert.Equal(HttpStatusCode.Forbidden, (await _browser.PostFormAsync(limitedPath, ("action", "switch"), ("subscription", Id(sub)), ("price", _basic))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await _browser.PostFormAsync(limitedPath, ("action", "payment_method"), ("number", "4242424242424242"),
            ("expiry", "12 / 34"))).StatusCode);
        Assert.Equal(_pro, (string)(await (await _c.GetAsync($"/v1/subscriptions/{Id(sub)}")).OkAsync())["items"]!["data"]![0]!["price"]!["id"]!);
    }

    [Fact]
    public async Task Updating_the_card_attaches_it_and_makes_it_the_default_of_the_customer_and_its_subscriptions()
    {
        var (cus, sub) = await Subscriber(subscriptionDefault: true);
        var path = PagePath(await Session(cus, Id(await Configuration())));
        // A card the API refuses keeps nothing.
        var bad = await _browser.PostFormAsync(path, ("action", "payment_method"), ("number", "4242424242424241"), ("expiry", "12 / 34"), ("cvc", "123"));
        Assert.Equal(HttpStatusCode.PaymentRequired, bad.StatusCode);
        Assert.Contains("id=\"error\"", await bad.Content.ReadAsStringAsync());
        Assert.Single((await (await _c.GetAsync($"/v1/payment_methods?customer={cus}")).OkAsync())["data"]!.AsArray());

        var res = await _browser.PostFormAsync(path, ("action", "payment_method"), ("number", "5555 5555 5555 4444"), ("expiry", "12 / 34"), ("cvc", "123"),
            ("name", "Pat"));
        Assert.Equal(HttpStatusCode.SeeOther, res.StatusCode);
        var customer = await (await _c.GetAsync($"/v1/customers/{cus}")).OkAsync();
        var pm = (string)customer["invoice_settings"]!["default_payment_method"]!;
        var card = await (await _c.GetAsync($"/v1/payment_methods/{pm}")).OkAsync();
        Assert.Equal("4444", (string)card["card"]!["last4"]!);
        Assert.Equal(cus, (string)card["customer"]!);
        Assert.Equal(pm, (string)(await (await _c.GetAsync($"/v1/subscriptions/{Id(sub)}")).OkAsync())["default_payment_method"]!);
        var types = await EventTypes(3);
        Assert.Equal(["customer.subscription.updated", "customer.updated", "payment_method.attached"], types);
        Assert.Contains("•••• 4444", await Page(res.Headers.Location!.ToString()));
    }

    [Fact]
    public async Task A_flow_opens_on_its_action_and_can_redirect_after_completion()
    {
        var (cus, sub) = await Subscriber();
        var config = await Configuration();
        var session = await Session(cus, Id(config), ("flow_data[type]", "subscription_cancel"),
            ("flow_data[subscription_cancel][subscription]", Id(sub)),
            ("flow_data[after_completion][type]", "redirect"), ("flow_data[after_completion][redirect][return_url]", "https://shop.example/bye"));
        Assert.Equal("subscription_cancel", (string)session["flow"]!["type"]!);
        Assert.Equal(Id(sub), (string)session["flow"]!["subscription_cancel"]!["subscription"]!);
        Assert.Equal("https://shop.example/bye", (string)session["flow"]!["after_completion"]!["redirect"]!["return_url"]!);
        Assert.Null(session["flow"]!["subscription_update"]);
        var html = await Page(PagePath(session));
        Assert.Contains($"cancel-{Id(sub)}", html);
        Assert.DoesNotContain("id=\"invoices\"", html);
        Assert.DoesNotContain("switch-", html);
        Assert.DoesNotContain("save-card", html);
        var res = await _browser.PostFormAsync(PagePath(session), ("action", "cancel"), ("subscription", Id(sub)));
        Assert.Equal(HttpStatusCode.SeeOther, res.StatusCode);
        Assert.Equal("https://shop.example/bye", res.Headers.Location!.ToString());
        Assert.True((bool)(await (await _c.GetAsync($"/v1/subscriptions/{Id(sub)}")).OkAsync())["cancel_at_period_end"]!);
    }
}
