using System.Text.Json.Nodes;
using MockProcessor.Domain.Common;
using MockProcessor.Domain.Errors;
using MockProcessor.Domain.Webhooks;
using MockProcessor.Server.Wire;

namespace MockProcessor.Server.Resources.WebhookEndpoints;

/// <summary><c>/v1/webhook_endpoints</c>: Stripe's endpoint CRUD. Deliveries are made by <c>Webhooks/WebhookDispatcher</c>.</summary>
public static class WebhookEndpointEndpoints
{
    /// <summary>Stripe allows 16 endpoints per account (STRIPE_BEHAVIOR.md §19.3).</summary>
    public const int MaxEndpoints = 16;

    public static IEnumerable<ApiRoute> Routes() =>
    [
        new("POST", "/v1/webhook_endpoints", "webhook_endpoint", Create)
            { Params = "api_version connect description enabled_events metadata url" },
        new("GET", "/v1/webhook_endpoints", "list:webhook_endpoint", List) { Params = "created ending_before limit starting_after" },
        new("GET", "/v1/webhook_endpoints/{id}", "webhook_endpoint", Retrieve) { Params = "" },
        new("POST", "/v1/webhook_endpoints/{id}", "webhook_endpoint", Update)
            { Params = "description disabled enabled_events metadata url" },
        new("DELETE", "/v1/webhook_endpoints/{id}", "webhook_endpoint", Delete) { Params = "" },
    ];

    internal static ApiResult Create(ApiContext c)
    {
        var p = c.P;
        var url = ReadUrl(p.RequiredString("url", 2048));
        var events = WebhookRules.ValidateEnabledEvents(p.StringList("enabled_events")).OrThrow();
        var metadata = p.Metadata(Metadata.Empty);
        var endpoint = new WebhookEndpoint
        {
            Id = c.Ids.Next("we"),
            AccountId = c.Account.Id,
            Created = c.Now,
            Url = url,
            EnabledEvents = events,
            // Stripe's dashboard format: whsec_ + 32 base62 characters.
            Secret = "whsec_" + c.Ids.Chars(32),
            Description = p.String("description", 5000),
            Metadata = metadata,
            ApiVersion = p.String("api_version", 100) is { } v ? Wire.Versions.ApiVersions.Parse(v, out _, "api_version").Name : null,
            Connect = p.Bool("connect") ?? false,
        };
        if (c.Tx.NewestFirst<WebhookEndpoint>("webhook_endpoint").Count(e => !e.Deleted) >= MaxEndpoints)
            throw new StripeException(StripeError.InvalidValue("url",
                $"You have reached the maximum of {MaxEndpoints} test webhook endpoints."));
        c.Tx.Put(endpoint);
        var body = c.Respond(endpoint);
        // The only time the signing secret is shown, as in Stripe.
        body["secret"] = endpoint.Secret;
        return body;
    }

    internal static string ReadUrl(string raw)
    {
        if (!Uri.TryCreate(raw, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            throw new StripeException(StripeError.InvalidValue("url", $"Invalid URL: {raw}. URLs must begin with http:// or https://."));
        // Deviation: Stripe requires https in live mode only; test mode, which this emulates, accepts http.
        return raw;
    }

    private static WebhookEndpoint LoadLive(ApiContext c, string id)
    {
        var e = c.Load<WebhookEndpoint>(id, "webhook_endpoint");
        return e.Deleted ? throw new StripeException(StripeError.ResourceMissing("webhook_endpoint", id)) : e;
    }

    private static ApiResult Retrieve(ApiContext c) => c.Respond(LoadLive(c, c.Route("id")));

    private static ApiResult Update(ApiContext c)
    {
        var p = c.P;
        var before = LoadLive(c, c.Route("id"));
        var after = before;
        if (p.String("url", 2048) is { } url) after = after with { Url = ReadUrl(url) };
        if (p.Has("enabled_events"))
            after = after with { EnabledEvents = WebhookRules.ValidateEnabledEvents(p.StringList("enabled_events")).OrThrow() };
        else p.Accept("enabled_events");
        after = after with { Metadata = p.Metadata(before.Metadata) };
        if (p.StringPatch("description", 5000) is { IsSet: true } description) after = after with { Description = description.Value };
        if (p.Bool("disabled") is { } disabled) after = after with { Disabled = disabled };
        if (after == before) return c.Respond(before);
        c.Tx.Put(after);
        if (!after.Active) CancelPending(c, after.Id);
        return c.Respond(after);
    }

    private static ApiResult Delete(ApiContext c)
    {
        var endpoint = LoadLive(c, c.Route("id"));
        c.Tx.Put(endpoint with { Deleted = true });
        CancelPending(c, endpoint.Id);
        return WebhookEndpointJson.Deleted(endpoint.Id);
    }

    /// <summary>
    /// A disabled or deleted endpoint gets no further attempts (Stripe stops retrying), so its pending deliveries
    /// end now and their events' pending_webhooks drop at once.
    /// </summary>
    private static void CancelPending(ApiContext c, string endpointId)
    {
        foreach (var d in c.Tx.Find(Webhooks.WebhookIndexes.PendingByEndpoint, endpointId).ToList())
            c.Tx.Put(WebhookRules.Cancel(d));
    }

    private static ApiResult List(ApiContext c)
    {
        var lp = ListParams.Read(c.P);
        var (page, more) = Lists.Page(c.Tx.NewestFirst<WebhookEndpoint>("webhook_endpoint"), lp, e => !e.Deleted, "webhook_endpoint");
        return Lists.Render(page, more, "/v1/webhook_endpoints", c.Render, c.Expand);
    }
}
