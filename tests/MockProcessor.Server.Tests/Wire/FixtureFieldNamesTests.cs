using System.Text.Json.Nodes;

namespace MockProcessor.Server.Tests.Wire;

/// <summary>
/// Event payloads of the payment flows, field by field (nested too), against Stripe's example objects at the
/// current API version (fixtures3.current.json, vendored in StripeReference/). Every difference must be one listed here
/// with its reason, so a renamed, misspelt or forgotten field fails.
/// </summary>
public class FixtureFieldNamesTests : IAsyncLifetime
{
    private readonly TestApp _app = new();
    public Task InitializeAsync() => Task.CompletedTask;
    public async Task DisposeAsync() => await _app.DisposeAsync();

    // Real, documented fields that the fixtures' example objects happen to leave out.
    private static readonly HashSet<string> ExtraAllowed =
    [
        "charge.outcome.risk_level", "charge.outcome.risk_score", "charge.outcome.rule",
        "payment_intent.automatic_payment_methods.allow_redirects", "payment_intent.payment_method_options.card",
        // Added by 2026-07-29.dahlia and always present since 2026-08-26.dahlia (stripe-node 23 types); the fixture predates it.
        "payment_intent.allowed_payment_method_types",
        "refund.destination_details.card.reference", "refund.destination_details.card.reference_status",
        "refund.destination_details.card.reference_type",
        // Present on events that record a change (*.updated, charge.dispute.closed); the fixture's event has none.
        "event.data.previous_attributes",
        // The fixture's last_payment_error is a stub ({"type": ...}); these are the error object's documented fields.
        "payment_intent.last_payment_error.advice_code", "payment_intent.last_payment_error.charge",
        "payment_intent.last_payment_error.code", "payment_intent.last_payment_error.decline_code",
        "payment_intent.last_payment_error.doc_url", "payment_intent.last_payment_error.message",
        "payment_intent.last_payment_error.param", "payment_intent.last_payment_error.payment_method",
    ];

    // Fields we deliberately do not render.
    private static readonly HashSet<string> MissingAllowed =
    [
        "charge.refunds",                      // not included by default since API 2022-11-15
        "payment_intent.managed_payments",     // Stripe-managed payments are not emulated
        "account.settings.bacs_debit_payments", // Bacs Direct Debit (UK) is not emulated (AccountJson)
    ];

    private static JsonObject Fixtures()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "StripeReference", "fixtures3.current.json");
        return JsonNode.Parse(File.ReadAllText(path))!["resources"]!.AsObject();
    }

    private static void Compare(JsonNode? ours, JsonNode? theirs, string path, List<string> problems)
    {
        // Metadata keys are the user's; an event's data.object is checked against its own object type instead.
        if (ours is not JsonObject o || theirs is not JsonObject t || path.EndsWith(".metadata", StringComparison.Ordinal) || path == "event.data.object") return;
        foreach (var (key, value) in o)
        {
            var p = $"{path}.{key}";
            if (!t.ContainsKey(key)) { if (!ExtraAllowed.Contains(p)) problems.Add($"extra field {p}"); }
            else Compare(value, t[key], p, problems);
        }
        foreach (var (key, _) in t)
            if (!o.ContainsKey(key) && !MissingAllowed.Contains($"{path}.{key}")) problems.Add($"missing field {path}.{key}");
    }

    [Fact]
    public async Task Payment_flow_event_payloads_have_the_current_field_names()
    {
        var c = _app.Client("sk_test_fixture_fields");
        var cus = (string)(await (await c.PostFormAsync("/v1/customers", ("email", "f@example.com"))).OkAsync())["id"]!;
        var pi = await (await c.PostFormAsync("/v1/payment_intents", ("amount", "2000"), ("currency", "usd"), ("customer", cus),
            ("confirm", "true"), ("payment_method", "pm_card_visa"), ("allowed_payment_method_types[]", "card"))).OkAsync();
        await (await c.PostFormAsync("/v1/payment_intents", ("amount", "2000"), ("currency", "usd"), ("confirm", "true"),
            ("payment_method", "pm_card_chargeDeclined"), ("allowed_payment_method_types[]", "card"))).ErrorAsync(402);
        await (await c.PostFormAsync("/v1/refunds", ("payment_intent", (string)pi["id"]!), ("amount", "500"))).OkAsync();
        // A dispute card: charge.dispute.created / funds_withdrawn carry the dispute; then a win (funds_reinstated, closed).
        var disputed = await (await c.PostFormAsync("/v1/payment_intents", ("amount", "2000"), ("currency", "usd"), ("confirm", "true"),
            ("payment_method", "pm_card_createDispute"), ("allowed_payment_method_types[]", "card"))).OkAsync();
        var dispute = (await (await c.GetAsync($"/v1/disputes?payment_intent={disputed["id"]}")).OkAsync())["data"]![0]!;
        await (await c.PostFormAsync($"/v1/disputes/{dispute["id"]}", ("evidence[uncategorized_text]", "winning_evidence"))).OkAsync();
        // A payout (manual, then paid at its arrival date).
        await (await c.PostFormAsync("/v1/charges", ("amount", "3000"), ("currency", "usd"), ("source", "tok_bypassPending"))).OkAsync();
        await (await c.PostFormAsync("/v1/payouts", ("amount", "1000"), ("currency", "usd"))).OkAsync();
        await (await c.PostFormAsync("/_mock/merchant_clock/advance", ("seconds", "90000"))).OkAsync();

        var fixtures = Fixtures();
        var problems = new List<string>();
        var types = new HashSet<string>();
        var events = (await (await c.GetAsync("/v1/events?limit=100")).OkAsync())["data"]!.AsArray();
        Compare(events[0], fixtures["event"], "event", problems);
        foreach (var ev in events)
        {
            var obj = ev!["data"]!["object"]!.AsObject();
            var type = (string)obj["object"]!;
            types.Add(type);
            Compare(obj, fixtures[type], type, problems);
        }
        Assert.Superset(new HashSet<string> { "customer", "payment_intent", "charge", "refund", "dispute", "payout" }, types);
        Assert.True(problems.Count == 0, string.Join("\n", problems.Distinct()));
    }

    [Fact]
    public async Task Connect_objects_have_the_current_field_names()
    {
        var p = _app.Client("sk_test_fixture_connect");
        var acct = (string)(await (await p.PostFormAsync("/v1/accounts", ("type", "express"),
            ("capabilities[card_payments][requested]", "true"), ("capabilities[transfers][requested]", "true"))).OkAsync())["id"]!;
        var pi = await (await p.PostFormAsync("/v1/payment_intents", ("amount", "5000"), ("currency", "usd"), ("confirm", "true"),
            ("payment_method", "pm_card_visa"), ("allowed_payment_method_types[]", "card"), ("transfer_data[destination]", acct),
            ("application_fee_amount", "500"))).OkAsync();
        await (await p.PostFormAsync("/v1/refunds", ("payment_intent", (string)pi["id"]!), ("amount", "1000"),
            ("reverse_transfer", "true"), ("refund_application_fee", "true"))).OkAsync();
        var fee = (await (await p.GetAsync("/v1/application_fees")).OkAsync())["data"]![0]!;
        var transfer = (await (await p.GetAsync("/v1/transfers")).OkAsync())["data"]![0]!;

        var fixtures = Fixtures();
        var problems = new List<string>();
        Compare(await (await p.GetAsync($"/v1/accounts/{acct}")).OkAsync(), fixtures["account"], "account", problems);
        Compare(await (await p.GetAsync("/v1/account")).OkAsync(), fixtures["account"], "account", problems);
        Compare(fee, fixtures["application_fee"], "application_fee", problems);
        Compare(transfer, fixtures["transfer"], "transfer", problems);
        Compare(fee["refunds"]!["data"]![0], fixtures["fee_refund"], "fee_refund", problems);
        Compare(transfer["reversals"]!["data"]![0], fixtures["transfer_reversal"], "transfer_reversal", problems);
        Assert.True(problems.Count == 0, string.Join("\n", problems.Distinct()));
    }
}
