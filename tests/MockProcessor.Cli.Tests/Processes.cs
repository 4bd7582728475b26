using System.Diagnostics;

namespace MockProcessor.Cli.Tests;

/// <summary>Runs a command (the dotnet CLI, the installed tool) to its end and returns its exit code and all its output.</summary>
internal static class Processes
{
    public static async Task<(int Code, string Output)> RunAsync(string file, string[] args, string? directory = null, int timeoutMinutes = 8)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (directory is not null) start.WorkingDirectory = directory;
        foreach (var a in args) start.ArgumentList.Add(a);
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        using var p = Process.Start(start)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(timeoutMinutes));
        await p.WaitForExitAsync(timeout.Token);
        return (p.ExitCode, await stdout + await stderr);
    }
}
