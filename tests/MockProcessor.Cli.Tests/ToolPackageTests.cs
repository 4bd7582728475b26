using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace MockProcessor.Cli.Tests;

/// <summary>
/// The executable as a .NET tool, as the README installs it: packed into a folder, installed into a tool path from that
/// folder, run (<c>--version</c>, <c>serve</c>), uninstalled. Packs the build this test runs from (<c>--no-build</c>).
/// </summary>
public class ToolPackageTests
{
    [Fact]
    public async Task The_tool_packs_installs_runs_and_uninstalls()
    {
        var work = Directory.CreateTempSubdirectory("mockprocessor-tool-");
        try
        {
            var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Debug{Path.DirectorySeparatorChar}") ? "Debug" : "Release";
            var packages = Path.Combine(work.FullName, "packages");
            var tools = Path.Combine(work.FullName, "tools");
            var (packed, packOut) = await Processes.RunAsync("dotnet", ["pack", Path.Combine(Repository.Root, "src", "MockProcessor"), "-c", configuration, "--no-build", "-o", packages, "-nologo"]);
            Assert.True(packed == 0, packOut);
            var package = Assert.Single(Directory.GetFiles(packages, "MockProcessor.*.nupkg"));
            var version = Path.GetFileNameWithoutExtension(package)["MockProcessor.".Length..];

            var (installed, installOut) = await Processes.RunAsync("dotnet", ["tool", "install", "MockProcessor", "--tool-path", tools, "--add-source", packages, "--version", version]);
            Assert.True(installed == 0, installOut);
            var exe = Path.Combine(tools, OperatingSystem.IsWindows() ? "mockprocessor.exe" : "mockprocessor");
            Assert.True(File.Exists(exe), installOut);

            var (code, printed) = await Processes.RunAsync(exe, ["--version"]);
            Assert.Equal(0, code);
            Assert.Equal($"mockprocessor {version} (default Stripe API version {Server.Hosting.MockProcessorOptions.DefaultApiVersion})", printed.Trim());

            var port = FreePort();
            var start = new ProcessStartInfo(exe) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in new[] { "serve", "--port", port.ToString(), "--in-memory" }) start.ArgumentList.Add(a);
            using (var serve = Process.Start(start)!)
            {
                try
                {
                    using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
                    http.DefaultRequestHeaders.Add("Authorization", "Bearer sk_test_tool");
                    HttpStatusCode? status = null;
                    for (var i = 0; i < 200 && status is null; i++)
                    {
                        try { status = (await http.GetAsync("/v1/balance")).StatusCode; }
                        catch (HttpRequestException) { await Task.Delay(100); }
                    }
                    Assert.Equal(HttpStatusCode.OK, status);
                }
                finally
                {
                    serve.Kill(entireProcessTree: true);
                    await serve.WaitForExitAsync();
                }
            }

            var (removed, removeOut) = await Processes.RunAsync("dotnet", ["tool", "uninstall", "MockProcessor", "--tool-path", tools]);
            Assert.True(removed == 0, removeOut);
            Assert.False(File.Exists(exe));
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }


    private static int FreePort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        var port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }
}
