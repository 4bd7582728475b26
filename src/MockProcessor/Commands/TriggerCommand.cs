using System.Text.Json.Nodes;

namespace MockProcessor.Commands;

public sealed class TriggerSettings : ClientSettings
{
    public string? EventType { get; set; }
}

/// <summary>
/// <c>mockprocessor trigger &lt;event-type&gt;</c>, after <c>stripe trigger</c>: makes the API calls that fire an event
/// on a running emulator, prints what they created and the events that resulted. Only public API calls, so what
/// it shows is what any integration would see.
/// </summary>
public static class TriggerCommand
{

    // Card-only intents: with automatic payment methods, confirming needs a return_url (Stripe since 2023-08-16).
    private static readonly (string, string)[] Intent = [("amount", "2000"), ("currency", "usd"), ("allowed_payment_method_types[]", "card")];
    private static readonly (string, string)[] Visa = [.. Intent, ("payment_method", "pm_card_visa"), ("confirm", "true")];
    private static readonly (string, string)[] Customer = [("description", "(created by mockprocessor trigger)")];
    // Card-only, as for intents: a SetupIntent with automatic payment methods needs a return_url to confirm.
    private static readonly (string, string)[] CardSetup = [("allowed_payment_method_types[]", "card"), ("usage", "off_session")];

    /// <summary>Event type → the calls that fire it; stripe-cli's fixtures, reduced to what the emulator has.</summary>
    private static readonly Dictionary<string, Func<Fixture, Task>> Fixtures = new(StringComparer.Ordinal)
    {
        ["payment_intent.created"] = f => f.PostAsync("/v1/payment_intents", Intent),
        ["payment_intent.succeeded"] = f => f.PostAsync("/v1/payment_intents", Visa),
        ["payment_intent.payment_failed"] = DeclinedAsync,
        ["payment_intent.canceled"] = async f =>
        {
            var pi = await f.PostAsync("/v1/payment_intents", Intent);
            await f.PostAsync($"/v1/payment_intents/{Id(pi)}/cancel");
        },
        ["payment_intent.amount_capturable_updated"] = AuthorizedAsync,
        ["charge.succeeded"] = f => f.PostAsync("/v1/payment_intents", Visa),
        ["charge.failed"] = DeclinedAsync,
        ["charge.captured"] = async f => await f.PostAsync($"/v1/payment_intents/{Id(await AuthorizedAsync(f))}/capture"),
        ["charge.refunded"] = RefundedAsync,
        ["refund.created"] = RefundedAsync,
        ["customer.created"] = f => f.PostAsync("/v1/customers", Customer),
        ["customer.updated"] = async f =>
        {
            var customer = await f.PostAsync("/v1/customers", Customer);
            await f.PostAsync($"/v1/customers/{Id(customer)}", ("metadata[triggered]", "true"));
        },
        ["customer.deleted"] = async f => await f.DeleteAsync($"/v1/customers/{Id(await f.PostAsync("/v1/customers", Customer))}"),
        ["payout.created"] = ManualPayoutAsync,
        ["payout.updated"] = async f => await f.PostAsync($"/v1/payouts/{Id(await ManualPayoutAsync(f))}", ("metadata[triggered]", "true")),
        ["payout.canceled"] = async f => await f.PostAsync($"/v1/payouts/{Id(await ManualPayoutAsync(f))}/cancel"),
        ["payout.paid"] = async f => await ArrivedPayoutAsync(f),
        ["payout.failed"] = FailedPayoutAsync,
        ["charge.dispute.created"] = async f => await DisputedAsync(f),
        ["charge.dispute.closed"] = async f => await f.PostAsync($"/v1/disputes/{Id(await DisputedAsync(f))}/close"),
        ["checkout.session.completed"] = async f =>
            await f.PostAsync($"/_mock/checkout/sessions/{Id(await CheckoutSessionAsync(f))}/complete", ("payment_method", "pm_card_visa")),
        ["checkout.session.expired"] = async f => await f.PostAsync($"/v1/checkout/sessions/{Id(await CheckoutSessionAsync(f))}/expire"),
        ["setup_intent.created"] = f => f.PostAsync("/v1/setup_intents", CardSetup),
        ["setup_intent.succeeded"] = f => f.PostAsync("/v1/setup_intents", [.. CardSetup, ("payment_method", "pm_card_visa"), ("confirm", "true")]),
        // A card declined on saving: the SetupIntent goes back to requires_payment_method (docs/setup-intents.md).
        ["setup_intent.setup_failed"] = async f =>
            await f.PostAsync("/v1/setup_intents", [.. CardSetup, ("payment_method", "pm_card_chargeDeclined"), ("confirm", "true")], declineExpected: true),
        ["customer.subscription.created"] = async f => await SubscribedAsync(f),
        ["customer.subscription.updated"] = async f =>
            await f.PostAsync($"/v1/subscriptions/{Id(await SubscribedAsync(f))}", ("metadata[triggered]", "true")),
        ["customer.subscription.deleted"] = async f => await f.DeleteAsync($"/v1/subscriptions/{Id(await SubscribedAsync(f))}"),
        // The subscription's first invoice is created, finalized and paid by the card at once (docs/billing.md).
        ["invoice.created"] = async f => await SubscribedAsync(f),
        ["invoice.finalized"] = async f => await SubscribedAsync(f),
        ["invoice.paid"] = async f => await SubscribedAsync(f),
        ["invoice.payment_succeeded"] = async f => await SubscribedAsync(f),
        // A card that attaches but declines every charge: the first invoice fails, the subscription is incomplete.
        ["invoice.payment_failed"] = async f => await SubscribedAsync(f, "pm_card_chargeCustomerFail", ("payment_behavior", "allow_incomplete")),
        ["invoiceitem.created"] = async f => await f.PostAsync("/v1/invoiceitems",
            ("customer", Id(await f.PostAsync("/v1/customers", Customer))), ("amount", "500"), ("currency", "usd"),
            ("description", "(created by mockprocessor trigger)")),
        ["payment_method.attached"] = async f =>
        {
            var customer = await f.PostAsync("/v1/customers", Customer);
            // An alias makes a fresh pm_ each use, as on Stripe; attaching it fires the event.
            await f.PostAsync("/v1/payment_methods/pm_card_visa/attach", ("customer", Id(customer)));
        },
    };

    public static IReadOnlyCollection<string> SupportedEvents => Fixtures.Keys;

    // After Fixtures: static fields initialize in order, and the help lists the fixtures.
    public static readonly Command<TriggerSettings> Spec = new(
        "trigger", "create the objects that fire an event on a running emulator (like `stripe trigger`)",
        ClientSettings.Options<TriggerSettings>(), RunAsync,
        argument: ("event-type", (s, v) => s.EventType = v),
        validate: s => s.EventType is null ? "Which event? " + SupportedList : null,
        details: SupportedList);

    private static string SupportedList => "Supported event types:\n  " + string.Join("\n  ", Fixtures.Keys.Order(StringComparer.Ordinal));

    private const long PayoutAmount = 1000;

    // A manual payout of $10.00 out of funds that are available at once (bypassPending card). The merchant's available
    // balance may be anything, negative too (a refund of a still-pending charge is debited at once), so the payment
    // covers whatever is missing: amount − (2.9% + 30¢) ≥ PayoutAmount − available, plus a margin for rounding.
    private static async Task<JsonObject> ManualPayoutAsync(Fixture f)
    {
        var available = await f.AvailableAsync("usd");
        var missing = Math.Max(PayoutAmount - available, 0);
        var amount = Math.Max(2000, (long)Math.Ceiling((missing + 30) / 0.971) + 100);
        await f.PostAsync("/v1/payment_intents",
            ("amount", amount.ToString(System.Globalization.CultureInfo.InvariantCulture)), ("currency", "usd"),
            ("allowed_payment_method_types[]", "card"), ("payment_method", "pm_card_bypassPending"), ("confirm", "true"));
        return await f.PostAsync("/v1/payouts", ("amount", PayoutAmount.ToString(System.Globalization.CultureInfo.InvariantCulture)), ("currency", "usd"));
    }

    // payout.paid and payout.failed happen when the merchant's clock reaches the payout's arrival date (and after its
    // 1-hour cancel window): advance the merchant clock past both (docs/payouts.md). A frozen clock moves too.
    private static async Task<JsonObject> ArrivedPayoutAsync(Fixture f)
    {
        var payout = await ManualPayoutAsync(f);
        var created = payout["created"]!.GetValue<long>();
        var arrival = payout["arrival_date"]!.GetValue<long>();
        var to = Math.Max(arrival, created + 3600) + 60;
        await f.PostAsync("/_mock/merchant_clock/advance", ("to", to.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        return payout;
    }

    // Payouts to Stripe's test account 000111111116 fail (no_account). The fixture points the merchant's payouts at it,
    // and afterwards at the succeeding test account 000123456789 (a failed payout leaves the account errored, which
    // would stop scheduled payouts), so later fixtures and the merchant's own payouts work.
    private static async Task FailedPayoutAsync(Fixture f)
    {
        await f.PostAsync("/_mock/payouts/settings", ("bank_account[account_number]", "000111111116"));
        try { await ArrivedPayoutAsync(f); }
        finally { await f.PostAsync("/_mock/payouts/settings", ("bank_account[account_number]", "000123456789")); }
    }

    // Stripe's dispute test card: the payment succeeds and is disputed at once (a chargeback, needs_response).
    private static async Task<JsonObject> DisputedAsync(Fixture f)
    {
        var pi = await f.PostAsync("/v1/payment_intents", [.. Intent, ("payment_method", "pm_card_createDispute"), ("confirm", "true")]);
        var charge = pi["latest_charge"]!.GetValue<string>();
        var disputes = await f.GetAsync($"/v1/disputes?charge={charge}");
        return disputes["data"]!.AsArray().Single()!.AsObject();
    }

    // A $20.00 hosted Checkout Session in payment mode, its line item priced inline (no catalogue objects needed).
    private static Task<JsonObject> CheckoutSessionAsync(Fixture f) => f.PostAsync("/v1/checkout/sessions",
        ("mode", "payment"), ("success_url", "https://example.com/success?session={CHECKOUT_SESSION_ID}"),
        ("line_items[0][price_data][currency]", "usd"), ("line_items[0][price_data][unit_amount]", "2000"),
        ("line_items[0][price_data][product_data][name]", "T-shirt (created by mockprocessor trigger)"), ("line_items[0][quantity]", "1"));

    // A customer with a saved card as its invoice default, subscribed to a new $15.00 monthly price: the subscription and
    // its first invoice (created, finalized and paid at once by the card).
    private static async Task<JsonObject> SubscribedAsync(Fixture f, string card = "pm_card_visa", params (string, string)[] extra)
    {
        var customer = await f.PostAsync("/v1/customers", Customer);
        var pm = await f.PostAsync($"/v1/payment_methods/{card}/attach", ("customer", Id(customer)));
        await f.PostAsync($"/v1/customers/{Id(customer)}", ("invoice_settings[default_payment_method]", Id(pm)));
        var price = await f.PostAsync("/v1/prices", ("currency", "usd"), ("unit_amount", "1500"), ("recurring[interval]", "month"),
            ("product_data[name]", "Plan (created by mockprocessor trigger)"));
        return await f.PostAsync("/v1/subscriptions", [("customer", Id(customer)), ("items[0][price]", Id(price)), .. extra]);
    }

    private static Task<JsonObject> AuthorizedAsync(Fixture f) => f.PostAsync("/v1/payment_intents", [.. Visa, ("capture_method", "manual")]);

    private static async Task DeclinedAsync(Fixture f) =>
        await f.PostAsync("/v1/payment_intents", [.. Intent, ("payment_method", "pm_card_chargeDeclined"), ("confirm", "true")], declineExpected: true);

    private static async Task RefundedAsync(Fixture f) =>
        await f.PostAsync("/v1/refunds", ("payment_intent", Id(await f.PostAsync("/v1/payment_intents", Visa))));

    private static string Id(JsonObject o) => o["id"]!.GetValue<string>();

    private static async Task<int> RunAsync(TriggerSettings settings, CancellationToken ct)
    {
        using var http = settings.CreateHttpClient();
        return await RunAsync(settings, http, Console.Out, Console.Error, ct);
    }

    /// <summary>Runs against <paramref name="http"/> (its BaseAddress is the emulator); tests pass a TestServer client.</summary>
    public static async Task<int> RunAsync(TriggerSettings settings, HttpClient http, TextWriter output, TextWriter errors, CancellationToken ct)
    {
        var type = settings.EventType ?? "";
        if (!Fixtures.TryGetValue(type, out var fixture))
        {
            await errors.WriteLineAsync($"Unsupported event type '{type}'. {SupportedList}");
            return 2;
        }
        var api = new EmulatorClient(http, settings.ApiKey);
        var f = new Fixture(api, output, ct);
        try
        {
            var since = await ClockNowAsync(api, ct);
            await output.WriteLineAsync($"Running fixture for: {type}");
            await fixture(f);
            var events = await EventsAsync(api, since, f.Ids, ct);
            await output.WriteLineAsync(events.Count == 0 ? "No events recorded." : "Events:");
            foreach (var (id, eventType) in events) await output.WriteLineAsync($"  {id}  {eventType}");
            if (events.All(e => e.Type != type))
            {
                await errors.WriteLineAsync($"The calls succeeded but no {type} event was recorded.");
                return 1;
            }
            await output.WriteLineAsync("Trigger succeeded!");
            return 0;
        }
        catch (Exception ex) when (ClientSettings.IsCallFailure(ex))
        {
            await errors.WriteLineAsync(ClientSettings.Explain(ex, http.BaseAddress?.ToString() ?? ""));
            return 1;
        }
    }

    /// <summary>The emulator's clock (virtual, maybe far from ours): the lower bound of the events to read back.</summary>
    private static async Task<long?> ClockNowAsync(EmulatorClient api, CancellationToken ct)
    {
        try { return (await api.GetAsync("/_mock/clock", ct))["now"]?.GetValue<long>(); }
        catch (EmulatorException) { return null; }
    }

    /// <summary>
    /// Events since <paramref name="since"/> about the objects this run touched, oldest first. Filtering by object
    /// keeps out whatever else the same merchant did in the same second.
    /// </summary>
    private static async Task<List<(string Id, string Type)>> EventsAsync(EmulatorClient api, long? since, IReadOnlySet<string> ids, CancellationToken ct)
    {
        var found = new List<(string, string)>();
        string? after = null;
        for (var page = 0; page < 10; page++)
        {
            var query = "/v1/events?limit=100" + (since is { } s ? $"&created[gte]={s}" : "") + (after is null ? "" : $"&starting_after={after}");
            var list = await api.GetAsync(query, ct);
            var data = list["data"]!.AsArray();
            foreach (var e in data)
                if (e?["data"]?["object"]?["id"]?.GetValue<string>() is { } objectId && ids.Contains(objectId))
                    found.Add((e["id"]!.GetValue<string>(), e["type"]!.GetValue<string>()));
            if (list["has_more"]?.GetValue<bool>() != true || data.Count == 0) break;
            after = data[^1]!["id"]!.GetValue<string>();
        }
        found.Reverse();
        return found;
    }

    /// <summary>One trigger run: makes the calls, prints each object, remembers the ids its events will be about.</summary>
    private sealed class Fixture(EmulatorClient api, TextWriter output, CancellationToken ct)
    {
        public HashSet<string> Ids { get; } = new(StringComparer.Ordinal);

        public Task<JsonObject> PostAsync(string path, params (string, string)[] form) => PostAsync(path, form, declineExpected: false);

        public async Task<JsonObject> PostAsync(string path, (string, string)[] form, bool declineExpected)
        {
            try
            {
                var o = await api.PostAsync(path, form, ct);
                await RecordAsync("POST", path, o);
                return o;
            }
            // A decline is the point of some fixtures: Stripe answers 402 but has stored the intent (a PaymentIntent
            // and its failed charge, or a SetupIntent), and names them in the error.
            catch (EmulatorException ex) when (declineExpected && ex.Status == 402 && ex.Error is { } error)
            {
                var kind = error["setup_intent"] is null ? "payment_intent" : "setup_intent";
                var intent = error[kind] is JsonObject full ? full : null;
                var intentId = intent?["id"]?.GetValue<string>() ?? (error[kind] as JsonValue)?.GetValue<string>();
                var chargeId = error["charge"]?.GetValue<string>();
                foreach (var id in new[] { intentId, chargeId }) if (id is not null) Ids.Add(id);
                await output.WriteLineAsync($"  POST {path} -> declined as intended ({error["decline_code"] ?? error["code"]}): " +
                    $"{kind} {intentId}{(chargeId is null ? "" : $", charge {chargeId}")}");
                return intent ?? new JsonObject { ["id"] = intentId };
            }
        }

        /// <summary>A GET whose answer (an object, or each object of a list) the run's events may be about.</summary>
        public async Task<JsonObject> GetAsync(string path)
        {
            var o = await api.GetAsync(path, ct);
            if (o["object"]?.GetValue<string>() == "list")
                foreach (var item in o["data"]!.AsArray())
                    if (item is JsonObject x) await RecordAsync("GET", path, x);
            return o;
        }

        /// <summary>The merchant's available balance in <paramref name="currency"/> (0 when it has none).</summary>
        public async Task<long> AvailableAsync(string currency)
        {
            var balance = await api.GetAsync("/v1/balance", ct);
            return balance["available"]?.AsArray()
                .Where(b => b?["currency"]?.GetValue<string>() == currency)
                .Sum(b => b!["amount"]!.GetValue<long>()) ?? 0;
        }

        public async Task<JsonObject> DeleteAsync(string path)
        {
            var o = await api.DeleteAsync(path, ct);
            await RecordAsync("DELETE", path, o);
            return o;
        }

        private async Task RecordAsync(string method, string path, JsonObject o)
        {
            var id = o["id"]?.GetValue<string>();
            if (id is not null) Ids.Add(id);
            var line = $"  {method} {path} -> {o["object"]} {id}";
            // A confirmed intent creates a charge; its events are about the charge.
            if (o["latest_charge"] is JsonValue charge && charge.GetValue<string>() is { } chargeId)
            {
                Ids.Add(chargeId);
                line += $", charge {chargeId}";
            }
            // A completed Checkout Session made a PaymentIntent (and its charge): their events belong to the run too.
            if (o["object"]?.GetValue<string>() == "checkout.session" && o["payment_intent"] is JsonValue paid && paid.GetValue<string>() is { } piId)
            {
                Ids.Add(piId);
                line += $", payment_intent {piId}";
            }
            // A subscription's first invoice is made with it: its events belong to the run too.
            if (o["object"]?.GetValue<string>() == "subscription" && o["latest_invoice"] is JsonValue invoice && invoice.GetValue<string>() is { } invoiceId)
            {
                Ids.Add(invoiceId);
                line += $", invoice {invoiceId}";
            }
            if (o["deleted"]?.GetValue<bool>() == true) line += " (deleted)";
            await output.WriteLineAsync(line);
        }
    }
}
