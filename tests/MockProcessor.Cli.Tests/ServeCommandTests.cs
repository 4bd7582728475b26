using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace MockProcessor.Cli.Tests;

public class ServeCommandTests
{
    [Fact]
    public async Task A_port_in_use_is_one_line_naming_the_port_and_the_flag_and_a_non_zero_exit()
    {
        using var occupied = new TcpListener(IPAddress.Loopback, 0);
        occupied.Start();
        var port = ((IPEndPoint)occupied.LocalEndpoint).Port;

        var (exit, output) = await Serve("--port", port.ToString(), "--in-memory");
        Assert.NotEqual(0, exit);
        var line = Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains($"port {port}", line);
        Assert.Contains("--port", line);
        Assert.DoesNotContain("   at ", output);
    }

    [Fact]
    public async Task A_replica_whose_webhook_lease_would_not_outlast_an_attempt_refuses_to_start()
    {
        // Refused before any connection is made: the database need not exist.
        var (exit, output) = await Serve("--replica", "--db", "postgres://nobody@127.0.0.1:1/none", "--webhook-lease", "20", "--webhook-timeout", "10");
        Assert.Equal(2, exit);
        var line = Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("--webhook-lease (20 s)", line);
        Assert.Contains("--webhook-timeout (10 s)", line);
    }

    /// <summary>Runs the real executable's <c>serve</c> as a process (what a user sees on the terminal is the point) until it exits.</summary>
    private static async Task<(int Exit, string Output)> Serve(params string[] args)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "mockprocessor.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { dll, "serve" }.Concat(args)) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try { await process.WaitForExitAsync(timeout.Token); }
        catch (OperationCanceledException) { process.Kill(entireProcessTree: true); throw; }
        return (process.ExitCode, (await stdout + await stderr).Trim());
    }
}
