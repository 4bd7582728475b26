using MockProcessor.Server.Resources;
using YamlDotNet.RepresentationModel;

namespace MockProcessor.Server.Tests.Docs;

/// <summary>
/// Keeps the hand-written <c>openapi.yaml</c> and the application in step: the app serves the repository's
/// file unchanged, the document's /v1 operations are exactly <see cref="Registry.Routes"/>, and Swagger UI is up.
/// </summary>
public class OpenApiDocumentTests : IAsyncLifetime
{
    private static readonly string[] HttpMethods = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];
    private readonly TestApp _app = new();
    public Task InitializeAsync() => Task.CompletedTask;
    public async Task DisposeAsync() => await _app.DisposeAsync();

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "MockProcessor.sln"))) return dir.FullName;
        throw new InvalidOperationException($"No MockProcessor.sln above {AppContext.BaseDirectory}.");
    }

    private static string DocumentPath => Path.Combine(RepoRoot(), "openapi.yaml");

    [Fact]
    public async Task Served_document_is_the_repository_file_byte_for_byte()
    {
        var expected = await File.ReadAllBytesAsync(DocumentPath);
        Assert.NotEmpty(expected);
        var res = await _app.Client("").GetAsync("/openapi.yaml");
        Assert.Equal(200, (int)res.StatusCode);
        var served = await res.Content.ReadAsByteArrayAsync();
        Assert.True(expected.AsSpan().SequenceEqual(served),
            $"GET /openapi.yaml served {served.Length} bytes that differ from {DocumentPath} ({expected.Length} bytes).");
    }

    [Fact]
    public void Document_v1_operations_are_exactly_the_registry_routes()
    {
        var documented = V1Operations(LoadDocument());
        var implemented = Registry.Routes().Select(r => $"{r.Method.ToUpperInvariant()} {r.Pattern}").ToHashSet(StringComparer.Ordinal);

        var missing = implemented.Except(documented).Order(StringComparer.Ordinal).ToList();
        var extra = documented.Except(implemented).Order(StringComparer.Ordinal).ToList();
        Assert.True(missing.Count == 0 && extra.Count == 0,
            "openapi.yaml and Registry.Routes() disagree." +
            (missing.Count > 0 ? "\n  Routes missing from openapi.yaml:\n    " + string.Join("\n    ", missing) : "") +
            (extra.Count > 0 ? "\n  Operations in openapi.yaml with no route:\n    " + string.Join("\n    ", extra) : ""));
    }

    [Fact]
    public void Document_is_openapi_3_0_with_the_emulator_endpoints()
    {
        var root = LoadDocument();
        Assert.Equal("3.0.3", ((YamlScalarNode)root.Children[new YamlScalarNode("openapi")]).Value);
        var paths = (YamlMappingNode)root.Children[new YamlScalarNode("paths")];
        var keys = paths.Children.Keys.Select(k => ((YamlScalarNode)k).Value).ToHashSet();
        Assert.Contains("/healthz", keys);
        Assert.Contains("/_mock/clock", keys);
        Assert.Contains("/_mock/clock/advance", keys);
    }

    [Fact]
    public async Task Swagger_ui_answers()
    {
        var res = await _app.Client("").GetAsync("/swagger/index.html");
        Assert.Equal(200, (int)res.StatusCode);
    }

    private static YamlMappingNode LoadDocument()
    {
        using var reader = new StreamReader(DocumentPath);
        var stream = new YamlStream();
        stream.Load(reader);
        Assert.NotEmpty(stream.Documents);
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }

    /// <summary>"METHOD /v1/path" for every operation under a /v1 path (path-level keys such as <c>parameters</c> are skipped).</summary>
    private static HashSet<string> V1Operations(YamlMappingNode root)
    {
        var paths = (YamlMappingNode)root.Children[new YamlScalarNode("paths")];
        var ops = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (key, value) in paths.Children)
        {
            var path = ((YamlScalarNode)key).Value!;
            if (!path.StartsWith("/v1/", StringComparison.Ordinal)) continue;
            foreach (var opKey in ((YamlMappingNode)value).Children.Keys)
            {
                var method = ((YamlScalarNode)opKey).Value!;
                if (HttpMethods.Contains(method)) Assert.True(ops.Add($"{method.ToUpperInvariant()} {path}"), $"duplicate {method} {path}");
            }
        }
        return ops;
    }
}
