using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace MockProcessor.Server.Docs;

/// <summary>
/// Serves the hand-written <c>openapi.yaml</c> (the API as implemented; a test keeps it in step with the
/// routes) at <c>/openapi.yaml</c>, and Swagger UI over it at <c>/swagger</c>.
/// </summary>
public static class OpenApiEndpoints
{
    public static void Map(WebApplication app)
    {
        app.MapGet("/openapi.yaml", () =>
        {
            var path = Locate();
            return path is null
                ? Results.NotFound()
                : Results.File(path, "application/yaml");
        });
        app.UseSwaggerUI(o =>
        {
            o.RoutePrefix = "swagger";
            o.SwaggerEndpoint("/openapi.yaml", "MockProcessor");
            o.DocumentTitle = "MockProcessor API";
        });
    }

    /// <summary>Next to the executable when published; the repository root when run from source.</summary>
    public static string? Locate()
    {
        var candidates = new[] { Path.Combine(AppContext.BaseDirectory, "openapi.yaml") };
        foreach (var c in candidates)
            if (File.Exists(c)) return c;
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null)
        {
            var p = Path.Combine(dir.FullName, "openapi.yaml");
            if (File.Exists(p) && File.Exists(Path.Combine(dir.FullName, "MockProcessor.sln"))) return p;
            dir = dir.Parent;
        }
        return null;
    }
}
