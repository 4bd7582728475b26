using System.Collections;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using MockProcessor.Scenarios;
using MockProcessor.Server.Hosting;
using MockProcessor.Server.Time;

namespace MockProcessor.Cli.Tests.Scenarios;

public class RunnerTests
{
    private static async Task<ScenarioResult> Run(string yaml, long seed = 42)
    {
        var (scenarios, errors) = ScenarioLoader.LoadFile("t.yaml", yaml);
        Assert.Empty(errors);
        return Assert.Single(await ScenarioRunner.RunAsync(scenarios, new RunOptions { Seed = seed }));
    }

    [Fact]
    public async Task A_failed_expectation_reports_the_step_the_expected_and_actual_values_and_the_last_response()
    {
        var r = await Run("""
            steps:
              - request: POST /v1/customers
                params: {email: a@example.com}
                save: {c: $.id}
              - name: wrong email
                request: GET /v1/customers/${c}
                expect:
                  body: {email: b@example.com, object: customer, name: {exists: true}}
              - request: GET /v1/customers
            """);
        Assert.Equal(Outcome.Failed, r.Outcome);
        Assert.Equal(1, r.StepsPassed);
        var f = r.Failure!;
        Assert.Equal((2, "wrong email", 5), (f.Step, f.Title, f.Line));
        Assert.Equal(
            [new Mismatch("body email", "\"b@example.com\"", "\"a@example.com\""), new Mismatch("body name", "exists true", "null")],
            f.Mismatches);
        Assert.StartsWith("GET /v1/customers/cus_", f.LastResponse);
        Assert.Contains("\"email\": \"a@example.com\"", f.LastResponse);
    }

    [Fact]
    public async Task An_unexpected_error_status_fails_a_step_without_expectations()
    {
        var r = await Run("steps:\n  - request: GET /v1/customers/cus_missing\n");
        Assert.Equal("2xx", r.Failure!.Mismatches.Single().Expected);
        Assert.Equal("404", r.Failure.Mismatches.Single().Actual);
    }

    [Fact]
    public async Task Signatures_made_with_another_secret_are_reported_invalid()
    {
        var yaml = """
            merchants:
              shop:
                webhooks: [{name: hooks, events: [customer.created]}]
            steps:
              - request: POST /_mock/webhook_endpoints/${webhooks.hooks.id}/faults
                params: {wrong_secret: true}
              - request: POST /v1/customers
              - webhooks: {count: 1, signatures: SIG}
            """;
        Assert.Equal(Outcome.Passed, (await Run(yaml.Replace("SIG", "invalid"))).Outcome);
        var failed = await Run(yaml.Replace("SIG", "valid"));
        Assert.Equal("webhooks signatures", failed.Failure!.Mismatches.Single().What);
        Assert.Contains("#1 customer.created", failed.Failure.Mismatches.Single().Actual);
    }

    [Fact]
    public async Task The_seed_decides_the_ids()
    {
        const string yaml = "steps:\n  - request: POST /v1/customers\n    expect: {body: {id: ID}}\n";
        var a = await Run(yaml.Replace("ID", "x"), seed: 1);
        var b = await Run(yaml.Replace("ID", "x"), seed: 2);
        Assert.NotEqual(a.Failure!.Mismatches.Single().Actual, b.Failure!.Mismatches.Single().Actual);
        var again = await Run(yaml.Replace("ID", JsonNode.Parse(a.Failure.Mismatches.Single().Actual)!.ToString()), seed: 1);
        Assert.Equal(Outcome.Passed, again.Outcome);
    }

    [Fact]
    public async Task Until_polls_a_request_and_fails_with_its_checks_after_the_timeout()
    {
        var ok = await Run("""
            steps:
              - request: POST /v1/customers
                save: {c: $.id}
              - request: GET /v1/customers/${c}
                until: {body: {object: customer}}
                expect: {body: {id: "${c}"}}
            """);
        Assert.Equal(Outcome.Passed, ok.Outcome);
        var started = DateTime.UtcNow;
        var never = await Run("""
            steps:
              - request: GET /v1/customers
                until: {body: {data: {length: 1}}}
                timeout: 0.5
            """);
        Assert.True(DateTime.UtcNow - started >= TimeSpan.FromSeconds(0.5));
        var m = never.Failure!.Mismatches.Single();
        Assert.Equal(("until body data", "length 1", "[]"), (m.What, m.Expected, m.Actual));
    }

    [Fact]
    public void Csv_answers_read_as_rows_of_text()
    {
        var rows = Csv.Rows("id,net,description\ntxn_1,96.80,\"Order, \"\"17\"\"\"\ntxn_2,-3.00,\n");
        Assert.Equal(2, rows.Count);
        Assert.Equal(("txn_1", "96.80", "Order, \"17\""), ((string)rows[0]!["id"]!, (string)rows[0]!["net"]!, (string)rows[0]!["description"]!));
        Assert.Equal(("txn_2", "-3.00", ""), ((string)rows[1]!["id"]!, (string)rows[1]!["net"]!, (string)rows[1]!["description"]!));
        Assert.Null(Matchers.Check("net", true, rows[0]!["net"], JsonNode.Parse("{\"gt\": 96, \"lt\": 97}")));
        Assert.NotNull(Matchers.Check("net", true, rows[0]!["net"], JsonValue.Create(96.8)));

        var multiline = Csv.Rows("id,description,net\r\ntxn_3,\"two\r\nlines\"\r\ntxn_4\r\n");
        Assert.Equal(("txn_3", "two\r\nlines", ""), ((string)multiline[0]!["id"]!, (string)multiline[0]!["description"]!, (string)multiline[0]!["net"]!));
        Assert.Equal(("txn_4", ""), ((string)multiline[1]!["id"]!, (string)multiline[1]!["description"]!));
        Assert.Empty(Csv.Rows("id,net\n"));
        Assert.Empty(Csv.Rows(""));
    }

    [Fact]
    public async Task Fail_fast_skips_the_scenarios_not_yet_started()
    {
        var (bad, _) = ScenarioLoader.LoadFile("a.yaml", "steps:\n  - request: GET /v1/nope\n");
        var (good, _) = ScenarioLoader.LoadFile("b.yaml", "steps:\n  - request: GET /v1/customers\n");
        var results = await ScenarioRunner.RunAsync([.. bad, .. good, .. good], new RunOptions { FailFast = true, Parallel = 1 });
        Assert.Equal([Outcome.Failed, Outcome.Skipped, Outcome.Skipped], results.Select(r => r.Outcome));
        Assert.Contains("<skipped message=\"not run (--fail-fast)\" />", Reports.JUnit(results));
    }

    [Fact]
    public async Task Against_a_running_emulator_each_scenario_gets_merchants_of_its_own()
    {
        await using var app = MockProcessorApp.Build(
            new MockProcessorOptions { InMemory = true, Port = 0, Clock = ClockMode.Manual, LogLevel = "None", WebhookAutoDispatch = false },
            b => b.Logging.ClearProviders());
        await app.StartAsync();
        var (scenarios, errors) = ScenarioLoader.LoadFile("t.yaml", """
            parameters: [{n: 1}, {n: 2}, {n: 3}]
            merchants:
              shop:
                key: sk_test_same
                webhooks: [{name: hooks, events: [customer.created]}]
            steps:
              - request: POST /v1/customers
                params: {email: "c${n}@example.com"}
              - request: GET /v1/customers
                expect: {body: {data: {length: 1}, "data[0].email": "c${n}@example.com"}}
              - webhooks: {count: 1, signatures: valid, first: {data.object.email: "c${n}@example.com"}}
              - request: GET /_mock/merchant_clock
                expect: {body: {account: "${merchants.shop.id}"}}
            """);
        Assert.Empty(errors);
        var results = await ScenarioRunner.RunAsync(scenarios, new RunOptions { BaseUrl = app.Urls.First() });
        Assert.All(results, r => Assert.True(r.Outcome == Outcome.Passed, r.Failure is null ? "" : Reports.Describe(r.Failure)));
    }

    [Fact]
    public async Task The_run_command_exits_0_1_or_2_and_writes_its_reports()
    {
        var dir = Directory.CreateTempSubdirectory("scenarios").FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, "ok.yaml"), "steps:\n  - request: GET /v1/customers\n");
            File.WriteAllText(Path.Combine(dir, "fails.yaml"), "steps:\n  - request: GET /v1/customers\n    expect: {status: 201}\n");
            File.WriteAllText(Path.Combine(dir, "invalid.yml"), "steps: []\n");
            var json = Path.Combine(dir, "report.json");
            Assert.Equal(0, await Run(Path.Combine(dir, "ok.yaml"), "--json", json, "--progress", "false"));
            Assert.Equal("passed", JsonNode.Parse(File.ReadAllText(json))!["scenarios"]![0]!["result"]!.GetValue<string>());
            Assert.Equal(1, await Run(Path.Combine(dir, "ok.yaml"), Path.Combine(dir, "fails.yaml"), "--progress", "false"));
            Assert.Equal(0, await Run(dir + "/ok.yaml", dir + "/fails.yaml", "--filter", "OK", "--progress", "false"));
            Assert.Equal(2, await Run(dir, "--progress", "false"));
            Assert.Equal(2, await Run(Path.Combine(dir, "missing.yaml")));
        }
        finally { Directory.Delete(dir, recursive: true); }

        static Task<int> Run(params string[] args)
        {
            var parsed = CommandLine.Parse(Program.Commands, ["run", .. args], new Hashtable());
            Assert.Null(parsed.Error);
            return parsed.Command!.RunAsync(parsed.Settings!, CancellationToken.None);
        }
    }
}
