using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace MockProcessor.Server.StripeJs;

/// <summary>
/// The emulator's own Stripe.js (docs/stripe-js.md): <c>GET /v3/</c> answers the script a page loads instead of
/// <c>https://js.stripe.com/v3/</c>, and <c>GET /v3/elements/frame.html</c> the page each Element mounts as an iframe,
/// which holds the card inputs and sends the card to <c>/v1</c> itself, so the merchant's page never sees it. Both are
/// our own code, embedded in this assembly, and load nothing from anywhere else.
/// </summary>
public static class StripeJsEndpoints
{
    public const string ScriptPath = "/v3/";
    public const string FramePath = "/v3/elements/frame.html";

    private static readonly byte[] Script = Load("stripe.js");
    private static readonly byte[] Frame = Load("frame.html");

    public static void Map(WebApplication app)
    {
        // One route answers both /v3 and /v3/ (routing ignores a trailing slash).
        app.MapGet(ScriptPath, (HttpContext http) => Send(http, Script, "text/javascript; charset=utf-8"));
        app.MapGet(FramePath, (HttpContext http) => Send(http, Frame, "text/html; charset=utf-8"));
    }

    private static Task Send(HttpContext http, byte[] bytes, string contentType)
    {
        http.Response.ContentType = contentType;
        // Served fresh on every load: the file changes with the emulator, and a stale copy would be hard to spot.
        http.Response.Headers.CacheControl = "no-cache";
        http.Response.Headers["X-Content-Type-Options"] = "nosniff";
        http.Response.ContentLength = bytes.Length;
        return http.Response.Body.WriteAsync(bytes, http.RequestAborted).AsTask();
    }

    private static byte[] Load(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("MockProcessor.Server.StripeJs." + name)
            ?? throw new InvalidOperationException($"Embedded resource StripeJs/{name} is missing.");
        using var ms = new MemoryStream();
        stream.CopyTo(ms);
        return ms.ToArray();
    }
}
