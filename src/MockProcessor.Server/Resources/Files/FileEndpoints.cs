using MockProcessor.Domain.Errors;
using MockProcessor.Domain.Files;
using MockProcessor.Server.Storage;
using MockProcessor.Server.Wire;

namespace MockProcessor.Server.Resources.Files;

/// <summary>
/// Files made by the emulator (report results): retrieve, list, and the contents download at the object's
/// <c>url</c>. Deviation: uploads (<c>POST /v1/files</c>, Stripe's files host) are not emulated.
/// </summary>
public static class FileEndpoints
{
    public const string ContentsPath = "/v1/files/{id}/contents";

    public static IEnumerable<ApiRoute> Routes() =>
    [
        new("GET", "/v1/files", "list:file", List) { Params = "created ending_before limit purpose starting_after" },
        new("GET", "/v1/files/{id}", "file", Retrieve) { Params = "" },
        new("GET", ContentsPath, "file_contents", Contents) { Params = "" },
    ];

    public static string ContentsUrl(string? baseUrl, string fileId) => $"{baseUrl}/v1/files/{fileId}/contents";

    private static ApiResult Retrieve(ApiContext c) => c.Respond(c.Load<StripeFile>(c.Route("id"), "file"));

    private static ApiResult List(ApiContext c)
    {
        var lp = ListParams.Read(c.P);
        var purpose = c.P.String("purpose");
        var (page, more) = Lists.Page(c.Tx.NewestFirst<StripeFile>("file"), lp, f => purpose is null || f.Purpose == purpose, "file");
        return Lists.Render(page, more, "/v1/files", c.Render, c.Expand);
    }

    private static ApiResult Contents(ApiContext c)
    {
        var file = c.Load<StripeFile>(c.Route("id"), "file");
        var path = c.Service<FileStorage>().Find(file.Id)
            ?? throw new StripeException(StripeError.ResourceMissing("file", file.Id));
        var type = file.Type switch { "csv" => "text/csv; charset=utf-8", "json" => "application/json", _ => "application/octet-stream" };
        return ApiResult.SendFile(new FileAnswer(path, type, file.Filename));
    }
}
