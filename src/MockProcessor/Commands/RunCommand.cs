using System.Text.RegularExpressions;
using MockProcessor.Scenarios;
using Spectre.Console;
using static MockProcessor.CommandLine;

namespace MockProcessor.Commands;

public sealed class RunSettings
{
    public List<string> Paths { get; } = [];
    public string? Filter { get; set; }
    public long Seed { get; set; } = 42;
    public string? JUnit { get; set; }
    public string? Json { get; set; }
    public bool FailFast { get; set; }
    public string? BaseUrl { get; set; }
    public int Parallel { get; set; } = Math.Max(2, Environment.ProcessorCount * 2);
    public bool? Progress { get; set; }
}

/// <summary>
/// <c>mockprocessor run [PATHS...]</c>: validates and runs scenario files (docs/scenarios.md). Exit 0 when every
/// scenario passed, 1 when one failed, 2 when a file is invalid or nothing matched (then nothing runs).
/// </summary>
public static class RunCommand
{
    public static readonly Command<RunSettings> Spec = new(
        "run", "run scenario files or folders (default: ./scenarios), each in its own in-process emulator",
        [
            new("filter", false, "run only scenarios whose name, file or tag contains this text (* = any run of characters)", (s, v) => s.Filter = v),
            new("seed", false, "seed of scenarios that set none (default 42); one seed gives identical reports", (s, v) => s.Seed = Long(v)),
            new("junit", false, "write a JUnit XML report to this file", (s, v) => s.JUnit = v),
            new("json", false, "write a JSON report to this file ('-' = stdout; the console report then goes to stderr)", (s, v) => s.Json = v),
            new("fail-fast", true, "start no more scenarios after the first failure", (s, v) => s.FailFast = Bool(v)),
            new("base-url", false, "run against this running emulator instead (each scenario gets merchants of its own)", (s, v) => s.BaseUrl = ClientSettings.AbsoluteHttp(v, "base-url")),
            new("parallel", false, "scenarios at once (default: 2 x cores)", (s, v) => s.Parallel = Int(v, "parallel", 1, 256)),
            new("progress", false, "true|false: live progress display (default: when the console is a terminal and CI is unset)", (s, v) => s.Progress = Bool(v)),
        ],
        RunAsync,
        argument: ("paths...", (s, v) => s.Paths.Add(v)), manyArguments: true);

    private static async Task<int> RunAsync(RunSettings settings, CancellationToken ct)
    {
        var jsonToStdout = settings.Json == "-";
        var redirected = jsonToStdout ? Console.IsErrorRedirected : Console.IsOutputRedirected;
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(jsonToStdout ? Console.Error : Console.Out),
            // A log file or a CI console gets plain text: no colour codes, no wrapping at 80 columns.
            Ansi = redirected ? AnsiSupport.No : AnsiSupport.Detect,
            ColorSystem = redirected ? ColorSystemSupport.NoColors : ColorSystemSupport.Detect,
        });
        if (redirected) console.Profile.Width = 200;
        var cwd = Directory.GetCurrentDirectory();
        var (files, missing) = ScenarioLoader.Discover(settings.Paths.Count > 0 ? settings.Paths : ["scenarios"], cwd);
        foreach (var m in missing) console.WriteLine($"No such file or folder: {m}");
        if (missing.Count > 0) return 2;

        var scenarios = new List<Scenario>();
        var errors = new List<ScenarioError>();
        foreach (var file in files)
        {
            var (loaded, found) = ScenarioLoader.LoadFile(file, await File.ReadAllTextAsync(Path.Combine(cwd, file), ct));
            scenarios.AddRange(loaded);
            errors.AddRange(found);
        }
        if (errors.Count > 0)
        {
            foreach (var e in errors) console.Profile.Out.Writer.WriteLine(e.ToString());
            console.Profile.Out.Writer.WriteLine($"{errors.Count} error(s) in scenario files; nothing was run.");
            return 2;
        }
        if (settings.Filter is { } filter) scenarios = scenarios.Where(s => Matches(filter, s)).ToList();
        if (scenarios.Count == 0)
        {
            console.Profile.Out.Writer.WriteLine(files.Count == 0 ? "No scenario files (*.yaml, *.yml) found." : "No scenario matches the filter.");
            return 2;
        }

        var options = new RunOptions { Seed = settings.Seed, BaseUrl = settings.BaseUrl, Parallel = settings.Parallel, FailFast = settings.FailFast };
        var interactive = settings.Progress ?? (console.Profile.Capabilities.Interactive && !redirected
            && Environment.GetEnvironmentVariable("CI") is null && !jsonToStdout);
        var results = interactive
            ? await RunWithProgress(console, scenarios, options, ct)
            : await ScenarioRunner.RunAsync(scenarios, options, finished: r => Line(console, r), ct: ct);

        PrintFailures(console, results);
        PrintSummary(console, results);
        if (settings.JUnit is { } junit) await File.WriteAllTextAsync(junit, Reports.JUnit(results), ct);
        if (settings.Json is { } json)
        {
            var text = Reports.Json(results, settings.Seed);
            if (jsonToStdout) await Console.Out.WriteAsync(text);
            else await File.WriteAllTextAsync(json, text, ct);
        }
        return results.All(r => r.Outcome == Outcome.Passed) ? 0 : 1;
    }

    private static bool Matches(string filter, Scenario s)
    {
        var pattern = "^.*" + Regex.Escape(filter).Replace("\\*", ".*") + ".*$";
        return new[] { s.Name, s.File }.Concat(s.Tags).Any(t => Regex.IsMatch(t, pattern, RegexOptions.IgnoreCase));
    }

    private static async Task<List<ScenarioResult>> RunWithProgress(IAnsiConsole console, List<Scenario> scenarios, RunOptions options, CancellationToken ct)
    {
        List<ScenarioResult> results = [];
        await console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new SpinnerColumn())
            .StartAsync(async ctx =>
            {
                var task = ctx.AddTask($"{scenarios.Count} scenarios", maxValue: scenarios.Count);
                int passed = 0, failed = 0;
                results = await ScenarioRunner.RunAsync(scenarios, options, finished: r =>
                {
                    if (r.Outcome == Outcome.Passed) Interlocked.Increment(ref passed);
                    if (r.Outcome == Outcome.Failed) Interlocked.Increment(ref failed);
                    task.Description = $"{scenarios.Count} scenarios: [green]{passed} passed[/]" + (failed > 0 ? $", [red]{failed} failed[/]" : "");
                    task.Increment(1);
                }, ct: ct);
            });
        return results;
    }

    private static void Line(IAnsiConsole console, ScenarioResult r)
    {
        var mark = r.Outcome switch { Outcome.Passed => "[green]PASS[/]", Outcome.Failed => "[red]FAIL[/]", _ => "[grey]SKIP[/]" };
        lock (console) console.MarkupLine($"{mark} {Markup.Escape(r.Scenario.File)} {Markup.Escape(r.Scenario.Name)} [grey]({r.Duration.TotalMilliseconds:0} ms)[/]");
    }

    private static void PrintFailures(IAnsiConsole console, List<ScenarioResult> results)
    {
        foreach (var r in results.Where(r => r.Failure is not null))
        {
            console.WriteLine();
            console.MarkupLine($"[red]FAILED[/] {Markup.Escape(r.Scenario.File)}: {Markup.Escape(r.Scenario.Name)} (seed {r.Seed})");
            console.Profile.Out.Writer.WriteLine(Reports.Describe(r.Failure!));
        }
    }

    private static void PrintSummary(IAnsiConsole console, List<ScenarioResult> results)
    {
        var table = new Table().Border(TableBorder.Rounded)
            .AddColumn("File").AddColumn("Scenario").AddColumn(new TableColumn("Steps").RightAligned())
            .AddColumn("Result").AddColumn(new TableColumn("ms").RightAligned());
        foreach (var r in results)
            table.AddRow(Markup.Escape(r.Scenario.File), Markup.Escape(r.Scenario.Name), $"{r.StepsPassed}/{r.Scenario.Steps.Count}",
                r.Outcome switch { Outcome.Passed => "[green]passed[/]", Outcome.Failed => "[red]failed[/]", _ => "[grey]skipped[/]" },
                r.Duration.TotalMilliseconds.ToString("0"));
        console.WriteLine();
        console.Write(table);
        var passed = results.Count(r => r.Outcome == Outcome.Passed);
        var failed = results.Count(r => r.Outcome == Outcome.Failed);
        var skipped = results.Count(r => r.Outcome == Outcome.Skipped);
        console.MarkupLine($"{results.Count} scenarios: [green]{passed} passed[/], {(failed > 0 ? "[red]" : "")}{failed} failed{(failed > 0 ? "[/]" : "")}" +
            (skipped > 0 ? $", {skipped} skipped" : ""));
    }
}
