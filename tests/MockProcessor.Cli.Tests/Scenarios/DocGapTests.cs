using MockProcessor.Scenarios;

namespace MockProcessor.Cli.Tests.Scenarios;

/// <summary>
/// The gaps an engineer writing scenarios only from docs/scenarios.md found (tests/scenarios-from-docs/README.md):
/// each runner change they led to.
/// </summary>
public class DocGapTests
{
    private static async Task<List<ScenarioResult>> RunAll(string yaml)
    {
        var (scenarios, errors) = ScenarioLoader.LoadFile("t.yaml", yaml);
        Assert.Empty(errors);
        return await ScenarioRunner.RunAsync(scenarios, new RunOptions { Seed = 42 });
    }

    private static async Task<ScenarioResult> Run(string yaml) => Assert.Single(await RunAll(yaml));

    [Fact]
    public async Task A_parameters_cell_can_be_a_matcher_and_absent_tells_a_missing_field_from_null()
    {
        // On success the answer has no error at all; on a decline error.decline_code is present.
        var results = await RunAll("""
            parameters:
              - {card: pm_card_visa, http: 200, decline: {absent: true}}
              - {card: pm_card_visa_chargeDeclinedInsufficientFunds, http: 402, decline: insufficient_funds}
            steps:
              - request: POST /v1/payment_intents
                params: {amount: 1500, currency: usd, payment_method: "${card}", allowed_payment_method_types: [card], confirm: true}
                expect:
                  status: ${http}
                  body: {error.decline_code: "${decline}"}
            """);
        Assert.All(results, r => Assert.Equal(Outcome.Passed, r.Outcome));

        // absent: true fails on a present field, even one that is null; exists: false would accept the null.
        var r = await Run("""
            steps:
              - request: POST /v1/customers
                expect: {body: {description: {absent: true}}}
            """);
        Assert.Equal(new Mismatch("body description", "absent true", "null"), r.Failure!.Mismatches.Single());
        var nullOk = await Run("""
            steps:
              - request: POST /v1/customers
                expect: {body: {description: {exists: false}, nothing_here: {absent: true}}}
            """);
        Assert.Equal(Outcome.Passed, nullOk.Outcome);
    }

    [Fact]
    public async Task An_events_step_reads_a_connected_accounts_events_with_account()
    {
        const string yaml = """
            merchants:
              platform: {}
            steps:
              - request: POST /v1/accounts
                params: {type: express, country: US}
                save: {acct: $.id}
              - request: POST /v1/payment_intents
                headers: {Stripe-Account: "${acct}"}
                params: {amount: 1000, currency: usd, payment_method: pm_card_visa, allowed_payment_method_types: [card], confirm: true}
                save: {pi: $.id}
              - events: {account: "${acct}", type: "payment_intent.*", types: [payment_intent.created, payment_intent.succeeded], last: {account: "${acct}", data.object.id: "${pi}"}}
              - events: {type: "payment_intent.*", count: COUNT}
            """;
        Assert.Equal(Outcome.Passed, (await Run(yaml.Replace("COUNT", "0"))).Outcome);
        var failed = await Run(yaml.Replace("COUNT", "2"));
        Assert.Equal(4, failed.Failure!.Step); // the platform's own log has none of them
        Assert.StartsWith("events of platform (", failed.Failure.Recorded);
    }

    [Fact]
    public async Task A_failed_events_step_shows_the_events_it_read_not_an_internal_call()
    {
        var r = await Run("""
            steps:
              - request: POST /v1/customers
                save: {c: $.id}
              - events: {types: [customer.updated]}
            """);
        Assert.Null(r.Failure!.LastResponse);
        var shown = r.Failure.Recorded!;
        Assert.StartsWith("events of default (1, oldest first):", shown);
        Assert.Matches(@"1\. evt_\S+ customer\.created cus_", shown);
        Assert.DoesNotContain("/v1/events", shown);
    }

    [Fact]
    public async Task A_failed_webhooks_step_shows_what_the_receiver_recorded()
    {
        var r = await Run("""
            merchants:
              shop:
                webhooks: [{name: hooks, events: [customer.created], status: 503}]
            steps:
              - request: POST /v1/customers
              - webhooks: {accepted: true, count: 1}
            """);
        Assert.Null(r.Failure!.LastResponse);
        var shown = r.Failure.Recorded!;
        Assert.StartsWith("deliveries recorded by hooks (1, arrival order):", shown);
        Assert.Matches(@"#1 evt_\S+ customer\.created cus_\S+ → answered 503, signature valid", shown);
        Assert.DoesNotContain("flush", shown);
    }

    [Fact]
    public async Task The_unknown_variable_error_lists_now_among_the_known_ones()
    {
        var r = await Run("""
            steps:
              - request: GET /v1/customers/${nwo}
            """);
        Assert.Contains("no variable 'nwo'", r.Failure!.Error);
        Assert.Matches(@"known: .*\bnow\b", r.Failure.Error);
    }

    [Fact]
    public void File_paths_are_shown_as_given_absolute_stays_absolute()
    {
        var dir = Directory.CreateTempSubdirectory("scen-paths-");
        try
        {
            Directory.CreateDirectory(Path.Combine(dir.FullName, "sub"));
            File.WriteAllText(Path.Combine(dir.FullName, "sub", "a.yaml"), "steps: []");
            var (relative, _) = ScenarioLoader.Discover(["sub"], dir.FullName);
            Assert.Equal(["sub/a.yaml"], relative);
            var elsewhere = Directory.CreateTempSubdirectory("scen-cwd-");
            var (absolute, _) = ScenarioLoader.Discover([Path.Combine(dir.FullName, "sub")], elsewhere.FullName);
            Assert.Equal([Path.Combine(dir.FullName, "sub", "a.yaml").Replace('\\', '/')], absolute);
            var (file, _) = ScenarioLoader.Discover([Path.Combine(dir.FullName, "sub", "a.yaml")], elsewhere.FullName);
            Assert.Equal(absolute, file);
            elsewhere.Delete(true);
        }
        finally { dir.Delete(true); }
    }
}
