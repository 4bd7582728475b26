using System.Diagnostics;

namespace MockProcessor.Cli.Tests;

/// <summary>The checkout these tests run from.</summary>
public static class Repository
{
    public static string Root { get; } = Find();

    private static string Find()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "MockProcessor.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("MockProcessor.sln not found above " + AppContext.BaseDirectory);
    }
}

public class RepositoryTests
{
    [Theory]
    // The README's run command keeps the database in the working directory, and report files beside it.
    [InlineData("mockprocessor.db.files/file_abc")]
    [InlineData("mockprocessor.db")]
    [InlineData("somewhere/other.db.files/file_abc")]
    public async Task What_a_run_writes_into_the_checkout_is_ignored_by_git(string path)
    {
        if (!Directory.Exists(Path.Combine(Repository.Root, ".git")) && !File.Exists(Path.Combine(Repository.Root, ".git")))
            return; // an exported tree without git: nothing to check
        var start = new ProcessStartInfo("git") { WorkingDirectory = Repository.Root, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "check-ignore", "--no-index", "-q", path }) start.ArgumentList.Add(a);
        using var git = Process.Start(start)!;
        await git.WaitForExitAsync();
        Assert.True(git.ExitCode == 0, $"git check-ignore {path}: exit {git.ExitCode} {await git.StandardError.ReadToEndAsync()}");
    }
}
