using System.Diagnostics;

namespace MockProcessor.Cli.Tests;

/// <summary>
/// No container engine runs here, so the Dockerfile's build stage is replayed outside one: its COPY lines (honouring
/// .dockerignore's bin/obj/node_modules) into an empty folder, its RUN commands there, then the published executable is run.
/// A file the Dockerfile forgets to copy, or a publish that breaks, fails this test.
/// </summary>
public class DockerfileTests
{
    [Fact]
    public async Task The_build_stage_restores_publishes_and_the_result_runs()
    {
        var lines = File.ReadAllLines(Path.Combine(Repository.Root, "Dockerfile"));
        var build = lines.SkipWhile(l => !l.StartsWith("FROM ", StringComparison.Ordinal)).Skip(1)
            .TakeWhile(l => !l.StartsWith("FROM ", StringComparison.Ordinal)).Select(l => l.Trim()).ToList();
        Assert.Contains("WORKDIR /src", build);
        var work = Directory.CreateTempSubdirectory("mockprocessor-docker-");
        try
        {
            var src = Path.Combine(work.FullName, "src-root");
            var output = Path.Combine(work.FullName, "out");
            Directory.CreateDirectory(src);
            var ran = 0;
            foreach (var line in build)
            {
                if (line.StartsWith("COPY ", StringComparison.Ordinal))
                {
                    // Docker's rules: a file goes into a destination ending in '/' (or one of several sources) under its
                    // own name, else to the destination path; a directory's contents go into the destination.
                    var parts = line[5..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    var dest = Path.Combine(src, parts[^1]);
                    var intoDirectory = parts[^1].EndsWith('/') || parts.Length > 2;
                    foreach (var from in parts[..^1])
                    {
                        var source = Path.Combine(Repository.Root, from);
                        if (File.Exists(source)) Copy(source, intoDirectory ? Path.Combine(dest, Path.GetFileName(source)) : dest);
                        else
                        {
                            Assert.True(Directory.Exists(source), $"The Dockerfile copies {from}, which does not exist");
                            CopyContents(source, dest);
                        }
                    }
                }
                else if (line.StartsWith("RUN dotnet ", StringComparison.Ordinal))
                {
                    var args = line[11..].Replace("/out", output).Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    var (code, text) = await Processes.RunAsync("dotnet", args, src);
                    Assert.True(code == 0, $"{line}\n{text}");
                    ran++;
                }
            }
            Assert.Equal(2, ran); // restore and publish
            var (versionCode, version) = await Processes.RunAsync("dotnet", [Path.Combine(output, "mockprocessor.dll"), "--version"], output);
            Assert.Equal(0, versionCode);
            Assert.StartsWith("mockprocessor ", version.Trim());
            Assert.True(File.Exists(Path.Combine(output, "openapi.yaml")));
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    private static readonly string[] Ignored = ["bin", "obj", "node_modules", "TestResults"];

    private static void Copy(string from, string to)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(to)!);
        File.Copy(from, to, overwrite: true);
    }

    private static void CopyContents(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var rel = Path.GetRelativePath(from, file);
            if (rel.Split(Path.DirectorySeparatorChar).Any(Ignored.Contains) || rel.EndsWith(".db", StringComparison.Ordinal)) continue;
            Copy(file, Path.Combine(to, rel));
        }
    }
}
