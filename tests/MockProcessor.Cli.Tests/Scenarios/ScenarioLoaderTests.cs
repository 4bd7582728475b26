using System.Text.Json.Nodes;
using MockProcessor.Scenarios;

namespace MockProcessor.Cli.Tests.Scenarios;

public class ScenarioLoaderTests
{
    private static List<string> Errors(string yaml) => ScenarioLoader.LoadFile("t.yaml", yaml).Errors.Select(e => e.ToString()).ToList();

    [Fact]
    public void Schema_errors_name_the_file_line_column_and_path()
    {
        var errors = Errors("""
            steps:
              - request: POST /v1/customers
                expect:
                  status: [200]
              - request: GET /v1/customers
                parms: {a: 1}
              - events: {}
              - advance: 3 days
              - request: FETCH /v1/x
              - {}
              - request: GET /v1/customers
                expect: {status: ok}
            """);
        Assert.Equal(
        [
            "t.yaml:4:15: steps[0].expect.status: expected an integer or a string matching ^\\$\\{[^}]+\\}$ or a mapping, got a list",
            "t.yaml:6:5: steps[1]: unknown key 'parms' (allowed: name, as, save, request, params, query, headers, key, retry, until, timeout, expect)",
            "t.yaml:7:13: steps[2].events: must not be empty",
            "t.yaml:8:14: steps[3].advance: expected an integer or a string matching ^\\s*([0-9]+\\s*[wdhms]\\s*)+$ or a string matching ^\\$\\{[^}]+\\}$, got a string '3 days'",
            "t.yaml:9:14: steps[4].request: 'FETCH /v1/x' does not match ^(GET|POST|DELETE) /\\S*$",
            "t.yaml:10:5: steps[5]: needs exactly one of the keys request, advance, advance_to, flush, receiver, events, webhooks",
            "t.yaml:12:22: steps[6].expect.status: expected an integer or a string matching ^\\$\\{[^}]+\\}$ or a mapping, got a string 'ok'",
        ], errors);
    }

    [Fact]
    public void Yaml_syntax_errors_and_missing_steps_are_reported_with_their_position()
    {
        Assert.Equal(["t.yaml:3:4: YAML: While parsing a block collection, did not find expected '-' indicator."],
            Errors("steps:\n  - request: GET /v1/x\n   params: 1\n"));
        Assert.Equal(["t.yaml:1:1: missing required key 'steps'"], Errors("name: x\n"));
        Assert.Equal(["t.yaml:1:1: the file is empty"], Errors(""));
    }

    [Fact]
    public void Undeclared_merchants_and_receivers_are_reported_at_the_step()
    {
        var errors = Errors("""
            merchants:
              shop:
                webhooks: [{name: hooks}]
            steps:
              - as: other
                request: GET /v1/customers
              - webhooks: {receiver: hookz}
              - receiver: {name: nope, status: 500}
            """);
        Assert.Equal(
        [
            "t.yaml:5:9: merchant 'other' is not declared (merchants: shop)",
            "t.yaml:7:15: 'hookz' is not a recording receiver (declared: hooks)",
            "t.yaml:8:15: 'nope' is not a recording receiver (declared: hooks)",
        ], errors);
    }

    [Fact]
    public void A_parameters_table_makes_one_scenario_per_row()
    {
        var (scenarios, errors) = ScenarioLoader.LoadFile("t.yaml", """
            name: "Decline ${code}"
            parameters:
              - {code: lost_card, amount: 100}
              - {code: stolen_card, amount: 200}
            steps:
              - request: GET /v1/customers
            """);
        Assert.Empty(errors);
        Assert.Equal(["Decline lost_card", "Decline stolen_card"], scenarios.Select(s => s.Name));
        Assert.Equal([1, 2], scenarios.Select(s => s.RowIndex ?? 0));
        Assert.Equal(200, scenarios[1].Row!["amount"]!.GetValue<long>());
        var (unnamed, _) = ScenarioLoader.LoadFile("dir/plain.yaml", "parameters: [{card: x}]\nsteps: [{flush: true}]\n");
        Assert.Equal("plain [card=x]", unnamed.Single().Name);
    }

    [Fact]
    public void The_embedded_schema_is_the_documented_one()
    {
        var root = FindRepo();
        using var stream = typeof(YamlSchema).Assembly.GetManifestResourceStream("scenario.schema.json")!;
        var embedded = JsonNode.Parse(stream)!;
        var documented = JsonNode.Parse(File.ReadAllText(Path.Combine(root, "docs", "scenario.schema.json")))!;
        Assert.True(JsonNode.DeepEquals(embedded, documented));
    }

    [Fact]
    public void The_checker_refuses_a_schema_keyword_it_does_not_implement()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => new YamlSchema(JsonNode.Parse("""{"type":"object","oneOf":[]}""")!.AsObject()));
        Assert.Contains("oneOf", ex.Message);
    }

    public static string FindRepo()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "MockProcessor.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("repository root not found");
    }
}
