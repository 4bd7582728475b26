using System.Text.Json;
using System.Text.Json.Nodes;

namespace MockProcessor.Server.Tests.Wire;

/// <summary>
/// Typed SDKs (Stripe.net deserializes with System.Text.Json) fail on the whole response when a field they model as
/// non-nullable arrives as null. This walks real responses alongside Stripe's OpenAPI spec
/// (the schemas of spec3.2020-08-27.json, vendored in StripeReference/) and reports every null where the spec says the field is never null.
/// Fields newer than that spec are not checked by it.
/// </summary>
public class SpecNullabilityTests : IAsyncLifetime
{
    private readonly TestApp _app = new();
    private static readonly Lazy<JsonObject> Schemas = new(LoadSchemas);

    public Task InitializeAsync() => Task.CompletedTask;
    public async Task DisposeAsync() => await _app.DisposeAsync();

    private static JsonObject LoadSchemas()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "StripeReference", "spec3.2020-08-27.schemas.json");
        using var stream = File.OpenRead(path);
        return JsonNode.Parse(stream)!["components"]!["schemas"]!.AsObject();
    }

    private static JsonObject? Resolve(JsonNode? schema)
    {
        if (schema is not JsonObject s) return null;
        if (s["$ref"] is JsonValue r) return Schemas.Value[((string)r!).Split('/')[^1]]?.AsObject();
        return s;
    }

    private static void Walk(JsonNode? value, JsonObject? schema, string path, List<string> problems)
    {
        schema = Resolve(schema);
        if (schema is null || value is null) return;
        if (schema["anyOf"] is JsonArray options)
        {
            // Expandable fields are "string or object": follow the object branch when the value is an object.
            var objectBranch = options.Select(Resolve).FirstOrDefault(o => o?["properties"] is not null);
            if (value is JsonObject && objectBranch is not null) Walk(value, objectBranch, path, problems);
            return;
        }
        switch (value)
        {
            case JsonObject obj when schema["properties"] is JsonObject props:
                foreach (var (key, child) in obj)
                {
                    if (props[key] is not JsonObject prop) continue;
                    if (child is null && prop["nullable"] is null)
                        problems.Add($"{path}.{key} is null, but Stripe's spec never makes it null");
                    else Walk(child, prop, $"{path}.{key}", problems);
                }
                break;
            case JsonArray arr when schema["items"] is JsonNode items:
                for (var i = 0; i < arr.Count; i++) Walk(arr[i], Resolve(items), $"{path}[{i}]", problems);
                break;
        }
    }

    private static void Check(JsonObject body, string schemaName, List<string> problems) =>
        Walk(body, Schemas.Value[schemaName]!.AsObject(), schemaName, problems);

    [Fact]
    public async Task Rendered_objects_have_no_null_where_the_spec_forbids_it()
    {
        var c = _app.Client("sk_test_spec");
        var problems = new List<string>();
        var cus = await (await c.PostFormAsync("/v1/customers", ("email", "a@b.com"), ("address[city]", "X"))).OkAsync();
        Check(cus, "customer", problems);
        var pm = await (await c.PostFormAsync("/v1/payment_methods/pm_card_visa/attach", ("customer", (string)cus["id"]!))).OkAsync();
        Check(pm, "payment_method", problems);
        var pi = await (await c.PostFormAsync("/v1/payment_intents", ("amount", "2000"), ("currency", "usd"), ("confirm", "true"),
            ("payment_method", "pm_card_visa"), ("allowed_payment_method_types[]", "card"), ("expand[]", "latest_charge.balance_transaction"))).OkAsync();
        Check(pi, "payment_intent", problems);
        var manual = await (await c.PostFormAsync("/v1/payment_intents", ("amount", "2000"), ("currency", "usd"), ("confirm", "true"),
            ("payment_method", "pm_card_visa"), ("allowed_payment_method_types[]", "card"), ("capture_method", "manual"), ("expand[]", "latest_charge"))).OkAsync();
        Check(manual, "payment_intent", problems);
        var declined = await (await c.PostFormAsync("/v1/payment_intents", ("amount", "2000"), ("currency", "usd"), ("confirm", "true"),
            ("payment_method", "pm_card_radarBlock"), ("allowed_payment_method_types[]", "card"))).ErrorAsync(402);
        Check(declined["payment_intent"]!.AsObject(), "payment_intent", problems);
        Check(await (await c.PostFormAsync("/v1/refunds", ("payment_intent", (string)pi["id"]!), ("amount", "100"))).OkAsync(), "refund", problems);
        Check(await (await c.PostFormAsync("/v1/charges", ("amount", "3000"), ("currency", "usd"), ("source", "tok_visa"))).OkAsync(), "charge", problems);
        Check(await (await c.PostFormAsync("/v1/tokens", ("card[number]", "4242424242424242"), ("card[exp_month]", "1"), ("card[exp_year]", "2031"))).OkAsync(), "token", problems);
        Check(await (await c.GetAsync("/v1/balance")).OkAsync(), "balance", problems);
        // Disputes: a chargeback (with its balance transaction embedded), an inquiry, and one won with evidence.
        foreach (var card in new[] { "pm_card_createDispute", "pm_card_createDisputeInquiry", "pm_card_createDisputeProductNotReceived" })
            await (await c.PostFormAsync("/v1/payment_intents", ("amount", "2000"), ("currency", "usd"), ("confirm", "true"),
                ("payment_method", card), ("allowed_payment_method_types[]", "card"))).OkAsync();
        var disputes = (await (await c.GetAsync("/v1/disputes?limit=100")).OkAsync())["data"]!.AsArray();
        Assert.Equal(3, disputes.Count);
        Check(await (await c.PostFormAsync($"/v1/disputes/{disputes[0]!["id"]}", ("evidence[uncategorized_text]", "winning_evidence"))).OkAsync(), "dispute", problems);
        foreach (var d in (await (await c.GetAsync("/v1/disputes?limit=100")).OkAsync())["data"]!.AsArray())
            Check(d!.AsObject(), "dispute", problems);
        // Payouts: a manual one, canceled (failure_balance_transaction set), and a failed automatic one.
        await (await c.PostFormAsync("/v1/charges", ("amount", "9000"), ("currency", "usd"), ("source", "tok_bypassPending"))).OkAsync();
        var po = await (await c.PostFormAsync("/v1/payouts", ("amount", "500"), ("currency", "usd"))).OkAsync();
        Check(po, "payout", problems);
        Check(await (await c.PostFormAsync($"/v1/payouts/{po["id"]}/cancel")).OkAsync(), "payout", problems);
        await (await c.PostFormAsync("/_mock/payouts/settings", ("bank_account[account_number]", "000111111113"))).OkAsync();
        await (await c.PostFormAsync("/_mock/merchant_clock/advance", ("seconds", "400000"))).OkAsync();
        foreach (var (url, schema) in new[] { ("/v1/payouts", "payout"), ("/v1/charges", "charge"), ("/v1/refunds", "refund"), ("/v1/balance_transactions", "balance_transaction"), ("/v1/events", "event") })
            foreach (var item in (await (await c.GetAsync(url + "?limit=100")).OkAsync())["data"]!.AsArray())
                Check(item!.AsObject(), schema, problems);
        await ConnectObjects(problems);
        Assert.True(problems.Count == 0, string.Join("\n", problems.Distinct()));
    }

    // Connect: accounts, a destination and a direct charge with application fees, refunded with reversal.
    private async Task ConnectObjects(List<string> problems)
    {
        var p = _app.Client("sk_test_spec_platform");
        var acct = (string)(await (await p.PostFormAsync("/v1/accounts", ("type", "express"), ("email", "s@example.com"))).OkAsync())["id"]!;
        var c = _app.Client("sk_test_spec_platform");
        c.DefaultRequestHeaders.Add("Stripe-Account", acct);
        Check(await (await p.GetAsync($"/v1/accounts/{acct}")).OkAsync(), "account", problems);
        Check(await (await p.GetAsync("/v1/account")).OkAsync(), "account", problems);
        var dest = await (await p.PostFormAsync("/v1/payment_intents", ("amount", "5000"), ("currency", "usd"), ("confirm", "true"),
            ("payment_method", "pm_card_visa"), ("allowed_payment_method_types[]", "card"), ("transfer_data[destination]", acct),
            ("application_fee_amount", "500"), ("on_behalf_of", acct), ("expand[]", "latest_charge"))).OkAsync();
        Check(dest, "payment_intent", problems);
        Check(await (await p.PostFormAsync("/v1/refunds", ("payment_intent", (string)dest["id"]!), ("amount", "1000"),
            ("reverse_transfer", "true"), ("refund_application_fee", "true"))).OkAsync(), "refund", problems);
        var direct = await (await c.PostFormAsync("/v1/payment_intents", ("amount", "3000"), ("currency", "usd"), ("confirm", "true"),
            ("payment_method", "pm_card_visa"), ("allowed_payment_method_types[]", "card"), ("application_fee_amount", "300"))).OkAsync();
        Check(direct, "payment_intent", problems);
        await (await c.PostFormAsync("/v1/refunds", ("payment_intent", (string)direct["id"]!), ("refund_application_fee", "true"))).OkAsync();
        foreach (var (client, url, schema) in new[]
                 {
                     (p, "/v1/application_fees", "application_fee"), (p, "/v1/transfers", "transfer"), (p, "/v1/balance_transactions", "balance_transaction"),
                     (p, "/v1/events", "event"), (c, "/v1/charges", "charge"), (c, "/v1/balance_transactions", "balance_transaction"), (c, "/v1/events", "event"),
                 })
            foreach (var item in (await (await client.GetAsync(url + "?limit=100")).OkAsync())["data"]!.AsArray())
                Check(item!.AsObject(), schema, problems);
    }
}
