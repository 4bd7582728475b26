using Microsoft.AspNetCore.Http;

namespace MockProcessor.Server.Wire;

/// <summary>
/// Cross-origin access to <c>/v1</c>, as api.stripe.com answers a browser (docs/stripe-js.md): every response allows
/// the calling origin, and a preflight <c>OPTIONS</c> is answered 204 with the methods and the request headers it asked
/// for, so a shop served from its own origin (localhost:3000) can call the emulator from Stripe.js. The Origin is
/// reflected rather than answered with <c>*</c> because the answer also allows credentials, which browsers refuse
/// together with <c>*</c>. Only the browser's reading of the answer changes: the key rules still apply to each call.
/// </summary>
public static class BrowserAccess
{
    public const string AllowedMethods = "GET, HEAD, PUT, PATCH, POST, DELETE";
    public const string DefaultAllowedHeaders = "Authorization, Content-Type, Stripe-Version, Stripe-Account, Idempotency-Key";
    public const string ExposedHeaders = "Request-Id, Stripe-Version, Idempotency-Key, Original-Request, Idempotent-Replayed, Stripe-Should-Retry";

    public static Task Handle(HttpContext http, Func<Task> next)
    {
        if (!http.Request.Path.StartsWithSegments("/v1")) return next();
        var headers = http.Response.Headers;
        var origin = http.Request.Headers.Origin.ToString();
        headers.AccessControlAllowOrigin = origin.Length > 0 ? origin : "*";
        if (origin.Length > 0)
        {
            headers.AccessControlAllowCredentials = "true";
            headers.Vary = "Origin";
        }
        headers.AccessControlExposeHeaders = ExposedHeaders;
        if (!HttpMethods.IsOptions(http.Request.Method)) return next();
        // A preflight: nothing executes, whatever the path; the real request that follows is checked as usual.
        headers.AccessControlAllowMethods = AllowedMethods;
        var asked = http.Request.Headers.AccessControlRequestHeaders.ToString();
        headers.AccessControlAllowHeaders = asked.Length > 0 ? asked : DefaultAllowedHeaders;
        headers.AccessControlMaxAge = "300";
        http.Response.StatusCode = StatusCodes.Status204NoContent;
        return Task.CompletedTask;
    }
}
