using System.Text.RegularExpressions;
using MockProcessor.Scenarios;

namespace MockProcessor.Cli.Tests.Scenarios;

/// <summary>
/// docs/scenarios.md is what scenario authors read instead of the code: its complete examples must run and pass,
/// and every fragment must be valid where it is meant to go (a step list, an expect, a body, a save).
/// </summary>
public class DocExamplesTests
{
    private static List<string> Blocks() =>
        Regex.Matches(File.ReadAllText(Path.Combine(ScenarioLoaderTests.FindRepo(), "docs", "scenarios.md")), "```yaml\n(.*?)```", RegexOptions.Singleline)
            .Select(m => m.Groups[1].Value).ToList();

    private static string Indent(string text, int spaces) =>
        string.Join("\n", text.TrimEnd().Split('\n').Select(l => new string(' ', spaces) + l)) + "\n";

    /// <summary>A fragment placed in the smallest file that gives it its documented meaning.</summary>
    private static string AsFile(string block)
    {
        var first = block.TrimStart().Split('\n')[0];
        var hooks = "merchants:\n  shop:\n    webhooks: [{name: hooks}]\n";
        if (Regex.IsMatch(block, "^steps:", RegexOptions.Multiline)) return block;
        if (first.StartsWith("merchants:", StringComparison.Ordinal)) return block + "steps: [{flush: true}]\n";
        if (first.StartsWith("- ", StringComparison.Ordinal)) return hooks + "steps:\n" + Indent(block, 2);
        if (first.StartsWith("expect:", StringComparison.Ordinal) || first.StartsWith("save:", StringComparison.Ordinal))
            return "steps:\n  - request: GET /v1/customers\n" + Indent(block, 4);
        if (first.StartsWith("body:", StringComparison.Ordinal)) return "steps:\n  - request: GET /v1/customers\n    expect:\n" + Indent(block, 6);
        throw new InvalidOperationException("An example the test does not know how to place: " + first);
    }

    [Fact]
    public void Every_yaml_example_in_the_reference_is_valid()
    {
        var blocks = Blocks();
        Assert.True(blocks.Count >= 10, $"{blocks.Count} examples");
        foreach (var block in blocks)
        {
            var (_, errors) = ScenarioLoader.LoadFile("docs/scenarios.md", AsFile(block));
            Assert.True(errors.Count == 0, block + "\n" + string.Join("\n", errors));
        }
    }

    [Fact]
    public async Task The_complete_examples_in_the_reference_run_and_pass()
    {
        var complete = Blocks().Where(b => Regex.IsMatch(b, "^steps:", RegexOptions.Multiline)).ToList();
        Assert.True(complete.Count >= 2);
        var scenarios = complete.SelectMany(b => ScenarioLoader.LoadFile("docs/scenarios.md", b).Scenarios).ToList();
        var results = await ScenarioRunner.RunAsync(scenarios, new RunOptions());
        Assert.All(results, r => Assert.True(r.Outcome == Outcome.Passed, r.Scenario.Name + ": " + (r.Failure is null ? "" : Reports.Describe(r.Failure))));
    }
}
