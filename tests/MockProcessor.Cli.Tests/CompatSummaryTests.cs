using System.Diagnostics;

namespace MockProcessor.Cli.Tests;

/// <summary>tests/run-all.sh prints the node suite's summary; the TAP detail goes to the results directory.</summary>
public class CompatSummaryTests
{
    [Fact]
    public async Task The_node_suite_prints_its_summary_and_the_failing_tests_and_keeps_the_detail_in_files()
    {
        if (!OnPath("node") || !OnPath("bash")) return; // the node suite cannot run here either
        var dir = Directory.CreateTempSubdirectory("compat-summary-");
        try
        {
            var file = Path.Combine(dir.FullName, "sample.test.mjs");
            await File.WriteAllTextAsync(file, """
                import test from 'node:test';
                import assert from 'node:assert';
                for (let i = 0; i < 50; i++) test(`passes ${i}`, () => assert.equal(1, 1));
                test('fails on purpose', () => assert.equal(1, 2));
                """);
            var results = Path.Combine(dir.FullName, "results");
            var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Repository.Root };
            foreach (var a in new[] { "tests/compat/run-summarized.sh", results, file }) start.ArgumentList.Add(a);
            // A URL: run.mjs starts no emulator (the sample needs none).
            start.Environment["MOCKPROCESSOR_URL"] = "http://127.0.0.1:9";
            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            var output = await stdout;

            Assert.True(process.ExitCode != 0, output + await stderr);
            var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.True(lines.Length < 45, output); // not one line per test
            Assert.Contains("# pass 50", lines);
            Assert.Contains("# fail 1", lines);
            Assert.Equal("# fail 1", lines.Single(l => l.StartsWith("# fail", StringComparison.Ordinal)));
            Assert.Contains(lines, l => l.StartsWith("not ok 51 - fails on purpose", StringComparison.Ordinal));
            Assert.Contains("1 == 2", output);
            Assert.DoesNotContain("ok 1 - passes 0", output);

            Assert.Contains("ok 1 - passes 0", await File.ReadAllTextAsync(Path.Combine(results, "compat.tap")));
            Assert.Contains("passes 49", await File.ReadAllTextAsync(Path.Combine(results, "compat.txt")));
        }
        finally { dir.Delete(recursive: true); }
    }

    [Fact]
    public void Run_all_runs_the_node_suite_through_the_summary()
    {
        var script = File.ReadAllText(Path.Combine(Repository.Root, "tests", "run-all.sh"));
        Assert.Contains("bash tests/compat/run-summarized.sh tests/results", script);
        Assert.DoesNotContain("\nnode tests/compat/run.mjs", script);
    }

    private static bool OnPath(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Any(d => d.Length > 0 && File.Exists(Path.Combine(d, tool)));
}
