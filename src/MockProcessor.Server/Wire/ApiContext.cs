using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using System.Text.Json.Nodes;
using MockProcessor.Domain.Accounts;
using MockProcessor.Domain.Common;
using MockProcessor.Domain.Errors;
using MockProcessor.Domain.Events;
using MockProcessor.Domain.Ids;
using MockProcessor.Domain.Webhooks;
using MockProcessor.Server.Storage;
using Events = MockProcessor.Server.Events;

namespace MockProcessor.Server.Wire;

/// <summary>Everything one Stripe API call's handler may use. Handlers run synchronously under the account's lock.</summary>
public sealed class ApiContext
{
    public required Params P { get; init; }
    public required ExpandNode Expand { get; init; }
    public required Tx Tx { get; init; }
    public required RenderContext Render { get; init; }
    public required Account Account { get; init; }
    public required long Now { get; init; }
    public required IdGenerator Ids { get; init; }
    /// <summary>
    /// The API request this call serves; null for work the emulator does on its own (time-driven) and for a
    /// customer's action outside the API (the 3-D Secure page), as Stripe's events show.
    /// </summary>
    public required string? RequestId { get; init; }
    public required string? IdempotencyKey { get; init; }
    /// <summary>The version events are rendered in: the merchant's pinned default (see Account).</summary>
    public required string EventApiVersion { get; init; }
    /// <summary>The caller's API version (its Stripe-Version, else the account's default): what the forms' version gates read.</summary>
    public Versions.ApiVersion Version { get; init; } = Versions.ApiVersions.Latest;
    public required bool Publishable { get; init; }
    public required RouteValueDictionary RouteValues { get; init; }
    public required IServiceProvider Services { get; init; }
    public string? ClientIp { get; init; }
    /// <summary><c>scheme://host</c> the caller reached the emulator at: the base of the emulator's own pages (3-D Secure).</summary>
    public string? BaseUrl { get; init; }

    /// <summary>
    /// This call's context acting as another account of the tree (docs/connect.md): same unit of work (one commit),
    /// objects read and created, events emitted as <paramref name="account"/>.
    /// </summary>
    public ApiContext As(Account account)
    {
        if (account.Id == Account.Id) return this;
        var tx = Tx.As(account.Id);
        return Copy(P, ExpandNode.None, tx, new RenderContext(tx, Render.Renderers, Publishable, Now), account,
            account.DefaultApiVersion ?? EventApiVersion);
    }

    /// <summary>
    /// This call's context at another time: billing work of a test-clock customer runs at the clock's time, so the
    /// objects and events it makes carry that time (docs/billing.md). Same unit of work, parameters and ids.
    /// </summary>
    public ApiContext AtTime(long now) =>
        now == Now ? this : Copy(P, Expand, Tx, new RenderContext(Tx, Render.Renderers, Publishable, now), Account, EventApiVersion, now);

    /// <summary>This call's context reading its parameters from <paramref name="p"/> (a nested hash handed to a shared handler).</summary>
    public ApiContext WithParams(Params p) => Copy(p, Expand, Tx, Render, Account, EventApiVersion);

    private ApiContext Copy(Params p, ExpandNode expand, Tx tx, RenderContext render, Account account, string eventApiVersion, long? now = null) => new()
    {
        P = p, Expand = expand, Tx = tx, Render = render, Account = account, Now = now ?? Now, Ids = Ids, RequestId = RequestId,
        IdempotencyKey = IdempotencyKey, EventApiVersion = eventApiVersion, Version = Version, Publishable = Publishable, RouteValues = RouteValues,
        Services = Services, ClientIp = ClientIp, BaseUrl = BaseUrl,
    };

    public string Route(string name) => RouteValues[name] as string ?? throw new InvalidOperationException($"No route value {name}.");

    public T Service<T>() where T : notnull => (T)Services.GetService(typeof(T))!;

    /// <summary>Renders an object as the response, with the call's expansions.</summary>
    public JsonObject Respond(StripeObject obj) => Render.Render(obj, Expand);

    /// <summary>Loads an object of this account or fails with Stripe's 404.</summary>
    public T Load<T>(string id, string objectName, string param = "id") where T : StripeObject =>
        Tx.Get<T>(id) ?? throw new StripeException(StripeError.ResourceMissing(objectName, id, param));

    /// <summary>
    /// The end of every update endpoint: an unchanged object is answered as it is (no event, as Stripe sends
    /// none); a changed one is stored and announced with <paramref name="eventType"/>, whose
    /// <c>previous_attributes</c> are found by comparing the two renderings.
    /// </summary>
    public JsonObject Update<T>(T before, T after, string eventType) where T : StripeObject
    {
        Change(before, after, eventType);
        return Respond(after);
    }

    /// <summary>
    /// Stores a changed object and announces it with <paramref name="eventType"/> and its <c>previous_attributes</c>;
    /// nothing when unchanged. For changes an endpoint makes besides its answer (a customer's default source).
    /// </summary>
    public void Change<T>(T before, T after, string eventType) where T : StripeObject
    {
        if (after == before) return;
        Tx.Put(after);
        EmitChange(eventType, before, after);
    }

    /// <summary>
    /// Announces a change from <paramref name="before"/> to <paramref name="after"/> (two versions of one object). When
    /// the type says the change certainly shows on the wire (<see cref="Renderers.ChangesVisibly"/>), the event keeps the
    /// old version and its <c>previous_attributes</c> are found when it is rendered, not now (a renewal's subscription
    /// carries its items with price and plan, and most events are never read; docs/storage.md). Otherwise they are
    /// compared now, and a change no rendered field shows is announced only when <paramref name="announceInvisible"/>.
    /// </summary>
    public void EmitChange(string type, StripeObject before, StripeObject after, bool announceInvisible = true)
    {
        if (Render.Renderers.ChangesVisibly(before, after))
        {
            Emit(type, after, previous: null, previousVersion: before);
            return;
        }
        var previous = Render.PreviousAttributes(before, after);
        if (previous is not null || announceInvisible) Emit(type, after, previous);
    }

    /// <summary>
    /// Records an event in the same unit of work as the change it describes. <c>data.object</c> is
    /// <paramref name="obj"/> as it is now; <paramref name="previous"/> carries the old values of the changed fields.
    /// </summary>
    public Event Emit(string type, StripeObject obj, JsonObject? previous = null) => Emit(type, obj, previous, previousVersion: null);

    private Event Emit(string type, StripeObject obj, JsonObject? previous, StripeObject? previousVersion)
    {
        var ev = new Event
        {
            Id = Ids.Next("evt"),
            AccountId = Account.Id,
            Created = Now,
            Type = type,
            ApiVersion = EventApiVersion,
            Snapshot = obj,
            PreviousAttributesJson = previous is null ? null : WireJson.String(previous),
            Previous = previousVersion,
            RequestId = RequestId,
            IdempotencyKey = IdempotencyKey,
            RelatedObjectId = obj.Id,
            ConnectedAccount = Account.Platform is null ? null : Account.Id,
        };
        Tx.Put(ev);
        QueueDeliveries(ev);
        return ev;
    }

    /// <summary>
    /// The outbox: one pending <see cref="WebhookDelivery"/> per enabled endpoint whose <c>enabled_events</c> match,
    /// in the event's own unit of work, so an event is never recorded without its deliveries (docs/webhooks.md).
    /// An account's own endpoints get its events; a connected account's events go to its platform's
    /// <c>connect=true</c> endpoints instead (docs/connect.md). The delivery belongs to the endpoint's owner.
    /// </summary>
    private void QueueDeliveries(Event ev)
    {
        // Only the event's own account (its endpoints) or, for a connected account's event, the platform (its connect
        // endpoints) can receive it. An account without endpoints costs two map lookups.
        var owner = ev.ConnectedAccount is null ? ev.AccountId : Account.Platform;
        if (owner is null || !Tx.InTree(owner)) return;
        var tx = Tx.As(owner);
        if (!tx.MayFind(Webhooks.WebhookIndexes.Active, "active")) return; // most events: no endpoint, nothing allocated
        foreach (var endpoint in tx.Find(Webhooks.WebhookIndexes.Active, "active").ToList())
        {
            if (!WebhookRules.Matches(endpoint, ev.Type)) continue;
            var receives = ev.ConnectedAccount is null
                ? endpoint.AccountId == ev.AccountId && !endpoint.Connect
                : endpoint.AccountId == Account.Platform && endpoint.Connect;
            if (receives) Tx.As(endpoint.AccountId).Put(WebhookRules.NewDelivery(Ids.Next("whd"), endpoint, ev.Id, ev.Type, Now));
        }
    }
}

/// <summary>
/// A handler's answer: a body, or an error that still commits what the call did (a declined payment keeps
/// its failed charge and events). Throwing a <see cref="StripeException"/> instead discards the call's work.
/// </summary>
public readonly struct ApiResult
{
    public JsonObject? Body { get; private init; }
    public StripeError? Error { get; private init; }
    /// <summary>A file to stream as the answer (file contents), sent after the lock is released.</summary>
    public FileAnswer? File { get; private init; }
    /// <summary>
    /// A streamed answer (the event feed's server-sent events), written after the lock is released and the call's own
    /// writes are durable. It sets its content type and may still throw a <see cref="StripeException"/> before it writes.
    /// </summary>
    public Func<HttpContext, Task>? Stream { get; private init; }

    public static implicit operator ApiResult(JsonObject body) => new() { Body = body };
    public static ApiResult SendFile(FileAnswer file) => new() { File = file };
    public static ApiResult SendStream(Func<HttpContext, Task> stream) => new() { Stream = stream };
    public static ApiResult Fail(StripeError error) => new() { Error = error };
}

public delegate ApiResult ApiHandler(ApiContext c);

/// <summary>A non-JSON answer: a file on disk (or bytes), its content type and the name offered for saving it.</summary>
public sealed record FileAnswer(string? Path, string ContentType, string? DownloadName, byte[]? Bytes = null);
