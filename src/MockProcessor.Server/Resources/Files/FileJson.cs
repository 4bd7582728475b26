using System.Text.Json.Nodes;
using MockProcessor.Domain.Files;
using MockProcessor.Server.Wire;

namespace MockProcessor.Server.Resources.Files;

/// <summary>StripeFile → Stripe's <c>file</c> (fixtures3.current.json). File links are not emulated: <c>links</c> is an empty list.</summary>
public static class FileJson
{
    public static JsonObject Render(StripeFile f, RenderContext ctx, ExpandNode expand) => new()
    {
        ["id"] = f.Id,
        ["object"] = "file",
        ["created"] = f.Created,
        ["expires_at"] = f.ExpiresAt,
        ["filename"] = f.Filename,
        ["links"] = new JsonObject
        {
            ["object"] = "list", ["data"] = new JsonArray(), ["has_more"] = false, ["url"] = $"/v1/file_links?file={f.Id}",
        },
        ["purpose"] = f.Purpose,
        ["size"] = f.Size,
        ["title"] = f.Title,
        ["type"] = f.Type,
        ["url"] = f.Url,
    };
}
