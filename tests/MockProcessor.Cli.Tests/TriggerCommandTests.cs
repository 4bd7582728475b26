using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using MockProcessor.Commands;

namespace MockProcessor.Cli.Tests;

public class TriggerCommandTests
{
    public static TheoryData<string> SupportedTypes() => new(TriggerCommand.SupportedEvents);

    private static async Task<(int Code, string Output, string Errors)> TriggerAsync(TestEmulator emulator, string type, string key = "sk_test_trigger")
    {
        var output = new StringWriter();
        var errors = new StringWriter();
        var settings = new TriggerSettings { EventType = type, ApiKey = key };
        var code = await TriggerCommand.RunAsync(settings, emulator.Client(), output, errors, CancellationToken.None);
        return (code, output.ToString(), errors.ToString());
    }

    private static async Task<JsonArray> EventsAsync(TestEmulator emulator, string key)
    {
        var client = emulator.Client();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        var list = JsonNode.Parse(await client.GetStringAsync("/v1/events?limit=100"))!;
        return list["data"]!.AsArray();
    }

    [Theory]
    [MemberData(nameof(SupportedTypes))]
    public async Task Each_supported_type_fires_its_event_and_prints_it(string type)
    {
        await using var emulator = new TestEmulator();
        var (code, output, errors) = await TriggerAsync(emulator, type);

        Assert.True(code == 0, errors + output);
        var fired = (await EventsAsync(emulator, "sk_test_trigger")).Where(e => e!["type"]!.GetValue<string>() == type).ToList();
        // One event of the type, except where making the fixture's object fires it too: a new subscription is updated once
        // its first invoice is paid, before the fixture updates it (the newest is the fixture's own).
        var evt = type == "customer.subscription.updated" ? Assert.IsType<JsonObject>(fired.First()) : Assert.Single(fired);
        if (type == "customer.subscription.updated") Assert.Equal(2, fired.Count);
        // The printed ids are the emulator's: the event, and the object it is about.
        Assert.Contains($"{evt!["id"]}  {type}", output);
        Assert.Contains(evt["data"]!["object"]!["id"]!.GetValue<string>(), output);
    }

    [Fact]
    public async Task Checkout_session_completed_pays_the_session_and_prints_its_payment()
    {
        await using var emulator = new TestEmulator();
        var (code, output, errors) = await TriggerAsync(emulator, "checkout.session.completed");

        Assert.True(code == 0, errors + output);
        Assert.Matches(@"POST /v1/checkout/sessions -> checkout\.session cs_test_\w+", output);
        Assert.Matches(@"POST /_mock/checkout/sessions/cs_test_\w+/complete -> checkout\.session cs_test_\w+, payment_intent pi_\w+", output);
        // The session's payment is part of the run: its events are printed before the session's completion.
        var printed = output[output.IndexOf("Events:", StringComparison.Ordinal)..];
        Assert.True(printed.IndexOf("payment_intent.succeeded", StringComparison.Ordinal) is var paid and >= 0 &&
            paid < printed.IndexOf("checkout.session.completed", StringComparison.Ordinal), output);
        var completed = (await EventsAsync(emulator, "sk_test_trigger")).Single(e => e!["type"]!.GetValue<string>() == "checkout.session.completed")!;
        Assert.Equal("complete", completed["data"]!["object"]!["status"]!.GetValue<string>());
        Assert.Equal("paid", completed["data"]!["object"]!["payment_status"]!.GetValue<string>());
    }

    [Fact]
    public async Task Setup_failed_is_a_decline_as_intended_on_the_setup_intent()
    {
        await using var emulator = new TestEmulator();
        var (code, output, errors) = await TriggerAsync(emulator, "setup_intent.setup_failed");

        Assert.True(code == 0, errors + output);
        Assert.Matches(@"POST /v1/setup_intents -> declined as intended \(\w+\): setup_intent seti_\w+", output);
        var failed = (await EventsAsync(emulator, "sk_test_trigger")).Single(e => e!["type"]!.GetValue<string>() == "setup_intent.setup_failed")!;
        Assert.Equal("requires_payment_method", failed["data"]!["object"]!["status"]!.GetValue<string>());
        Assert.Contains("setup_intent.created", output);
    }

    [Fact]
    public async Task A_payout_follows_a_refund_of_a_pending_charge()
    {
        // The refund is debited at once while the charge's funds are still pending: available goes negative.
        await using var emulator = new TestEmulator();
        Assert.Equal(0, (await TriggerAsync(emulator, "charge.refunded")).Code);
        var (code, output, errors) = await TriggerAsync(emulator, "payout.created");

        Assert.True(code == 0, errors + output);
        Assert.Contains("payout.created", output);
    }

    [Fact]
    public async Task Every_fixture_works_after_every_other_on_one_merchant()
    {
        // Forwards then backwards on one merchant: each fixture runs after each other has changed its state
        // (negative balances, an errored bank account, a clock moved past payout arrival dates, open disputes).
        await using var emulator = new TestEmulator();
        var types = TriggerCommand.SupportedEvents.Order(StringComparer.Ordinal).ToList();
        foreach (var type in types.Concat(Enumerable.Reverse(types)))
        {
            var (code, output, errors) = await TriggerAsync(emulator, type, "sk_test_one_merchant");
            Assert.True(code == 0, $"{type}: {errors}{output}");
        }
    }

    [Fact]
    public async Task Every_fixture_works_for_an_onboarded_euro_merchant_with_a_frozen_clock()
    {
        await using var emulator = new TestEmulator();
        var client = emulator.Client();
        var merchant = JsonNode.Parse(await (await client.PostAsync("/_mock/merchants", new FormUrlEncodedContent(
            [new("name", "Frozen GmbH"), new("country", "DE"), new("default_currency", "eur")]))).Content.ReadAsStringAsync())!;
        var key = merchant["secret_key"]!.GetValue<string>();
        var freeze = new HttpRequestMessage(HttpMethod.Post, "/_mock/merchant_clock/freeze");
        freeze.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        Assert.True((await client.SendAsync(freeze)).IsSuccessStatusCode);

        foreach (var type in TriggerCommand.SupportedEvents.Order(StringComparer.Ordinal))
        {
            var (code, output, errors) = await TriggerAsync(emulator, type, key);
            Assert.True(code == 0, $"{type}: {errors}{output}");
        }
    }

    [Fact]
    public async Task The_help_and_the_readme_list_exactly_the_supported_types()
    {
        var help = Program.Commands.Single(c => c.Name == "trigger").Usage;
        foreach (var type in TriggerCommand.SupportedEvents) Assert.Contains("\n  " + type, help);

        var readme = File.ReadAllText(Path.Combine(Repository.Root, "README.md"));
        var paragraph = readme[readme.IndexOf("Supported trigger event types:", StringComparison.Ordinal)..];
        paragraph = paragraph[..paragraph.IndexOf('(')]; // the list ends where the explanation starts
        var listed = System.Text.RegularExpressions.Regex.Matches(paragraph, @"`([a-z_.]+)`").Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(TriggerCommand.SupportedEvents.Order(StringComparer.Ordinal), listed.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Payment_succeeded_prints_the_intent_its_charge_and_all_three_events()
    {
        await using var emulator = new TestEmulator();
        var (code, output, _) = await TriggerAsync(emulator, "payment_intent.succeeded");

        Assert.Equal(0, code);
        Assert.Matches(@"POST /v1/payment_intents -> payment_intent pi_\w+, charge ch_\w+", output);
        foreach (var t in new[] { "payment_intent.created", "charge.succeeded", "payment_intent.succeeded" })
            Assert.Matches($@"evt_\w+  {t.Replace(".", @"\.")}", output);
    }

    [Fact]
    public async Task A_decline_is_the_expected_outcome_of_payment_failed()
    {
        await using var emulator = new TestEmulator();
        var (code, output, _) = await TriggerAsync(emulator, "payment_intent.payment_failed");

        Assert.Equal(0, code);
        Assert.Contains("declined as intended", output);
        Assert.Contains("charge.failed", output);
    }

    [Fact]
    public async Task Events_of_earlier_calls_by_the_same_merchant_are_not_reported()
    {
        await using var emulator = new TestEmulator();
        await TriggerAsync(emulator, "customer.created");
        var (_, output, _) = await TriggerAsync(emulator, "payment_method.attached");

        Assert.Single(output.Split('\n'), l => l.Contains("customer.created"));
    }

    [Fact]
    public async Task An_unknown_type_lists_the_supported_ones_and_exits_2()
    {
        await using var emulator = new TestEmulator();
        var (code, output, errors) = await TriggerAsync(emulator, "issuing_card.created");

        Assert.Equal(2, code);
        Assert.Contains("Unsupported event type 'issuing_card.created'", errors);
        Assert.Contains("refund.created", errors);
        Assert.Equal("", output);
        Assert.Empty(await EventsAsync(emulator, "sk_test_trigger"));
    }

    [Fact]
    public async Task The_emulators_error_message_is_printed_and_exits_1()
    {
        // With strict keys an unseen key is refused with Stripe's 401 and its message.
        await using var emulator = new TestEmulator(o => o.StrictKeys = true);
        var (code, _, errors) = await TriggerAsync(emulator, "customer.created", "sk_test_unseen");

        Assert.Equal(1, code);
        Assert.Contains("The emulator answered 401: ", errors);
        Assert.Contains("API key", errors, StringComparison.OrdinalIgnoreCase);
    }
}
