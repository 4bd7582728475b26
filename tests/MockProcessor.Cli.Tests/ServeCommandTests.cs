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

        // The real executable as a process: what a user sees on the terminal is the point.
        var dll = Path.Combine(AppContext.BaseDirectory, "mockprocessor.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { dll, "serve", "--port", port.ToString(), "--in-memory" }) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try { await process.WaitForExitAsync(timeout.Token); }
        catch (OperationCanceledException) { process.Kill(entireProcessTree: true); throw; }

        var output = (await stdout + await stderr).Trim();
        Assert.NotEqual(0, process.ExitCode);
        var line = Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains($"port {port}", line);
        Assert.Contains("--port", line);
        Assert.DoesNotContain("   at ", output);
    }
}
