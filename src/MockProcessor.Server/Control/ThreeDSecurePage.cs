using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using MockProcessor.Domain.Common;
using MockProcessor.Domain.PaymentIntents;
using MockProcessor.Domain.PaymentMethods;
using MockProcessor.Server.Resources.PaymentIntents;
using MockProcessor.Server.Storage;
using MockProcessor.Server.Wire;

namespace MockProcessor.Server.Control;

/// <summary>
/// The page <c>next_action</c> sends the customer to (docs/three-d-secure.md). It stands in for the issuer's
/// challenge: <c>GET /_mock/3ds/{id}?client_secret=...</c> shows the payment with two buttons, whose form
/// <c>POST /_mock/3ds/{id}</c> (<c>client_secret</c>, <c>outcome=complete|fail</c>) runs the outcome and sends the
/// browser back to the PaymentIntent's <c>return_url</c> the way Stripe does. No API key: like Stripe's hosted
/// page, the client secret is the credential, and a wrong one looks exactly like an unknown PaymentIntent.
/// </summary>
public static class ThreeDSecurePage
{
    /// <summary>Set (<c>1</c>) by Stripe.js when it shows the page in its modal (docs/stripe-js.md).</summary>
    public const string EmbeddedField = "embedded";

    public static void Map(WebApplication app)
    {
        app.MapGet(ThreeDSecureFlow.PagePath + "{id}", Show);
        app.MapPost(ThreeDSecureFlow.PagePath + "{id}", Submit);
    }

    private static IResult Show(string id, HttpContext http, ObjectStore store)
    {
        var secret = http.Request.Query["client_secret"].ToString();
        if (store.FindTreeOf(id, "payment_intent", PaymentIntentEndpoints.AwaitingAction) is not { } state) return NotFound();
        PaymentIntent? pi;
        PaymentMethod? pm = null;
        lock (state.Gate)
        {
            // The intent may be a connected account's (a direct charge): its page is reached by id, without a key.
            var tx = store.Begin(state);
            pi = tx.GetInTree<PaymentIntent>(id);
            if (pi?.PaymentMethod is { } pmId) pm = tx.GetInTree<PaymentMethod>(pmId);
        }
        if (pi is null || !SecretMatches(pi, secret)) return NotFound();
        if (pi.Status is not PaymentIntentStatus.RequiresAction) return NotAwaiting(pi);
        return Html(200, ThreeDSecureHtml.Challenge(pi, pm, embedded: http.Request.Query[EmbeddedField] == "1"));
    }

    private static async Task<IResult> Submit(string id, HttpContext http, ObjectStore store, StripeApi api, ILoggerFactory logs)
    {
        IFormCollection? form;
        try { form = http.Request.HasFormContentType ? await http.Request.ReadFormAsync(http.RequestAborted) : null; }
        catch (Exception ex) when (ex is InvalidDataException or IOException or FormatException)
        {
            return Html(400, ThreeDSecureHtml.Error("Unreadable form", "The request body is not a valid form."));
        }
        string Field(string name) => form?[name].ToString() is { Length: > 0 } v ? v : http.Request.Query[name].ToString();
        var secret = Field("client_secret");
        var outcome = Field("outcome");
        if (outcome is not ("complete" or "fail"))
            return Html(400, ThreeDSecureHtml.Error("Unknown outcome",
                $"outcome must be \"complete\" or \"fail\", not \"{outcome}\"."));
        if (store.FindTreeOf(id, "payment_intent", PaymentIntentEndpoints.AwaitingAction) is not { } state) return NotFound();
        string? owner;
        lock (state.Gate) owner = store.Begin(state).GetInTree<PaymentIntent>(id)?.AccountId;
        if (owner is null) return NotFound();

        // The whole check-and-change runs under the merchant's lock, so two clicks cannot both authenticate.
        var result = await api.RunAsCustomer(http, state, c =>
        {
            var pi = c.Tx.Get<PaymentIntent>(id);
            if (pi is null || !SecretMatches(pi, secret)) return (Page: NotFound(), Log: (string?)null);
            if (pi.Status is not PaymentIntentStatus.RequiresAction) return (Page: NotAwaiting(pi), Log: null);
            var change = ThreeDSecureFlow.Authenticate(c, pi, succeeded: outcome == "complete");
            var after = change.PaymentIntent;
            // "failed" covers a failed challenge and a decline after a completed one: either way the payment
            // did not go through and the PaymentIntent wants a new payment method.
            var redirectStatus = outcome == "complete" && change.Error is null ? "succeeded" : "failed";
            // Shown inside Stripe.js's modal (embedded=1), the page never leaves for the return_url: Stripe.js closes
            // the modal and answers the page's promise instead, as Stripe's in-page challenge does.
            var page = after.ReturnUrl is { } returnUrl && Field(EmbeddedField) != "1"
                ? Respond(303, null, ReturnTo(returnUrl, after, redirectStatus))
                : Html(200, ThreeDSecureHtml.Result(after, redirectStatus, change.Error?.Message ?? after.LastPaymentError?.Message));
            return (Page: page, Log: $"{outcome} -> {after.Status.ToWire()}");
        }, owner);
        if (result.Log is { } line)
            logs.CreateLogger(typeof(ThreeDSecurePage)).LogInformation("3-D Secure {PaymentIntent}: {Outcome} ({AccountId})", id, line, state.AccountId);
        return result.Page;
    }

    /// <summary>
    /// Where Stripe sends the customer after a redirect-based authentication: the merchant's return_url with
    /// <c>payment_intent</c>, <c>payment_intent_client_secret</c> and <c>redirect_status</c> added to its query
    /// (keeping any query and fragment it already has).
    /// </summary>
    internal static string ReturnTo(string returnUrl, PaymentIntent pi, string redirectStatus)
    {
        var hash = returnUrl.IndexOf('#');
        var (url, fragment) = hash < 0 ? (returnUrl, "") : (returnUrl[..hash], returnUrl[hash..]);
        var separator = !url.Contains('?') ? "?" : url.EndsWith('?') || url.EndsWith('&') ? "" : "&";
        return $"{url}{separator}payment_intent={Uri.EscapeDataString(pi.Id)}" +
               $"&payment_intent_client_secret={Uri.EscapeDataString(pi.ClientSecret)}&redirect_status={redirectStatus}{fragment}";
    }

    // Fixed-time comparison: the secret is the page's only credential.
    private static bool SecretMatches(PaymentIntent pi, string secret) =>
        secret.Length > 0 && System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(
            System.Text.Encoding.UTF8.GetBytes(secret), System.Text.Encoding.UTF8.GetBytes(pi.ClientSecret));

    private static IResult NotFound() => Html(404, ThreeDSecureHtml.Error("No such payment",
        "There is no PaymentIntent awaiting authentication with this id and client_secret."));

    private static IResult NotAwaiting(PaymentIntent pi) => Html(400, ThreeDSecureHtml.Error("Not awaiting authentication",
        $"PaymentIntent {pi.Id} has status {pi.Status.ToWire()}; only a PaymentIntent with status requires_action can be authenticated."));

    private static IResult Html(int status, string html) => Respond(status, html, null);

    // A page or a 303 See Other (the browser follows a form POST's redirect with a GET, as a return_url
    // expects); never cached, since each answer reflects the PaymentIntent at that moment.
    internal static IResult Respond(int status, string? html, string? location) => new PageResult(status, html, location);

    private sealed class PageResult(int status, string? html, string? location) : IResult
    {
        public async Task ExecuteAsync(HttpContext http)
        {
            http.Response.StatusCode = status;
            http.Response.Headers.CacheControl = "no-store";
            if (location is not null) http.Response.Headers.Location = location;
            if (html is null) return;
            var bytes = System.Text.Encoding.UTF8.GetBytes(html);
            http.Response.ContentType = "text/html; charset=utf-8";
            http.Response.ContentLength = bytes.Length;
            await http.Response.Body.WriteAsync(bytes, http.RequestAborted);
        }
    }
}
