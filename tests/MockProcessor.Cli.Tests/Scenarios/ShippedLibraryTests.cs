using MockProcessor.Scenarios;

namespace MockProcessor.Cli.Tests.Scenarios;

/// <summary>The shipped scenarios/ library: every file valid, every scenario passing, and one seed gives identical reports.</summary>
public class ShippedLibraryTests
{
    private static List<Scenario> LoadLibrary(string folder = "scenarios", int atLeast = 25)
    {
        var root = ScenarioLoaderTests.FindRepo();
        var (files, _) = ScenarioLoader.Discover([folder], root);
        Assert.True(files.Count >= atLeast, $"{folder} has {files.Count} files");
        var scenarios = new List<Scenario>();
        foreach (var f in files)
        {
            var (loaded, errors) = ScenarioLoader.LoadFile(f, File.ReadAllText(Path.Combine(root, f)));
            Assert.Empty(errors);
            scenarios.AddRange(loaded);
        }
        return scenarios;
    }

    [Fact]
    public async Task Every_shipped_scenario_passes_and_two_runs_with_one_seed_give_identical_reports()
    {
        var scenarios = LoadLibrary();
        var first = await ScenarioRunner.RunAsync(scenarios, new RunOptions { Seed = 42 });
        var failures = first.Where(r => r.Outcome != Outcome.Passed).Select(r => $"{r.Scenario.File} {r.Scenario.Name}: {Reports.Summary(r.Failure!)}");
        Assert.Empty(failures);
        var second = await ScenarioRunner.RunAsync(scenarios, new RunOptions { Seed = 42, Parallel = 3 });
        Assert.Equal(Reports.JUnit(first), Reports.JUnit(second));
        Assert.Equal(Reports.Json(first, 42), Reports.Json(second, 42));
    }

    /// <summary>Scenarios written only from docs/scenarios.md by someone who never read the runner (tests/scenarios-from-docs/README.md).</summary>
    [Fact]
    public async Task Every_scenario_written_only_from_the_docs_passes()
    {
        var results = await ScenarioRunner.RunAsync(LoadLibrary("tests/scenarios-from-docs", atLeast: 12), new RunOptions { Seed = 42 });
        Assert.Empty(results.Where(r => r.Outcome != Outcome.Passed).Select(r => $"{r.Scenario.File} {r.Scenario.Name}: {Reports.Summary(r.Failure!)}"));
    }
}
