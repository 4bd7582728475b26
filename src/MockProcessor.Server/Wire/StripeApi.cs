using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using MockProcessor.Domain.Accounts;
using MockProcessor.Domain.Errors;
using MockProcessor.Domain.Ids;
using MockProcessor.Server.Auth;
using MockProcessor.Server.Hosting;
using MockProcessor.Server.Idempotency;
using MockProcessor.Server.Storage;
using MockProcessor.Server.Time;
using MockProcessor.Server.Wire.Versions;

namespace MockProcessor.Server.Wire;

/// <summary>
/// A /v1 (or /_mock) endpoint: method, path, the object type it answers with (for expand checks), its handler, and
/// <see cref="Params"/>: the top-level parameters it takes besides <c>expand</c>, so that an unknown one is refused
/// before anything executes, as Stripe refuses it (docs/architecture.md, One request).
/// </summary>
public sealed record ApiRoute(string Method, string Pattern, string ResponseType, ApiHandler Handler, bool AllowPublishable = false)
{
    private static readonly HashSet<string> Always = ["expand", "key"];

    /// <summary>
    /// Space-separated top-level parameter names; null when the route declares none (checked only after it ran). A route
    /// open to publishable keys also takes what Stripe.js adds to every call (<see cref="StripeJsParameters"/>).
    /// </summary>
    public string? Params
    {
        get => Accepts is null ? null : string.Join(' ', Accepts.Where(k => !Always.Contains(k) && !(AllowPublishable && StripeJsParameters.TopLevel.Contains(k))).Order(StringComparer.Ordinal));
        init => Accepts = value is null ? null : new HashSet<string>(
            [.. value.Split(' ', StringSplitOptions.RemoveEmptyEntries), .. Always, .. AllowPublishable ? StripeJsParameters.TopLevel : (IEnumerable<string>)[]], StringComparer.Ordinal);
    }

    /// <summary>The declared parameters plus those every route takes; null when undeclared.</summary>
    public IReadOnlySet<string>? Accepts { get; private init; }
}

/// <summary>
/// The Stripe request pipeline, once for every resource: Request-Id, API key and merchant, form decoding,
/// expand validation, idempotency, the handler under the merchant's lock in one unit of work, the
/// Stripe error envelope, and the durable commit before the answer.
/// </summary>
public sealed partial class StripeApi(
    ObjectStore store, IdGenerator ids, RequestIds requestIds, VirtualClock clock, MerchantClock merchantClock, Renderers renderers, IdempotencyCache idempotency,
    MockProcessorOptions options, IServiceProvider services, Telemetry telemetry, RateLimiter rateLimiter, ILogger<StripeApi> log)
{
    private static readonly UTF8Encoding StrictUtf8 = new(false, true);

    public async Task Handle(HttpContext http, ApiRoute route)
    {
        var started = Stopwatch.GetTimestamp();
        var requestId = requestIds.Next();
        http.Response.Headers["Request-Id"] = requestId;
        var status = 500;
        string? accountId = null;
        bool? replayed = null;
        // A child of ASP.NET Core's request span when traces are exported (--otlp-endpoint); null otherwise.
        using var activity = telemetry.Source.HasListeners() ? telemetry.Source.StartActivity(route.Method + " " + route.Pattern) : null;
        IDisposable? scope = null; // replica mode: the call's transaction on the tree (ObjectStore.EnterAsync)
        try
        {
            var form = await ReadForm(http);
            var (account, state, caller, entered) = await Authenticate(http, form, route.AllowPublishable);
            scope = entered;
            accountId = account.Id;
            activity?.SetTag("mockprocessor.account", accountId);
            var publishable = caller.Kind is KeyKind.Publishable;
            if (publishable && !route.AllowPublishable) throw new StripeException(StripeError.SecretKeyRequired());
            if (caller.Record is { Kind: KeyKind.Restricted } restricted &&
                KeyRules.CheckPermission(restricted, ResourceOf(route.Pattern), route.Method != "GET", caller.MerchantId) is { } denied)
                throw new StripeException(denied);
            // The caller's version (docs/api-versions.md): its header, validated, else the account's pinned default.
            var requested = http.Request.Headers["Stripe-Version"].ToString();
            // Stripe.js sends the version it was created with (Stripe(pk, {apiVersion})) as a parameter instead.
            if (requested.Length == 0 && route.AllowPublishable && form[StripeJsParameters.Version] is FormString { Value: var v }) requested = v;
            string? notice = null;
            var version = requested.Length > 0
                ? ApiVersions.Parse(requested, out notice)
                : ApiVersions.Stored(account.DefaultApiVersion ?? options.ApiVersion);
            if (notice is not null) http.Response.Headers["Stripe-Notice"] = notice;
            var idemKey = http.Request.Method == "POST" ? http.Request.Headers["Idempotency-Key"].ToString() : "";
            if (idemKey.Length > 255) throw new StripeException(StripeError.IdempotencyKeyTooLong(), beforeExecution: true);
            if (idemKey.Length > 0) http.Response.Headers["Idempotency-Key"] = idemKey;
            // Keys are per acting account: the platform and a connected account it acts as may reuse one.
            var storedKey = idemKey.Length > 0 && account.Id != state.AccountId ? account.Id + ":" + idemKey : idemKey;
            http.Response.Headers["Stripe-Version"] = version.Name;

            // --rate-limit (docs/rate-limits.md): a request over the acting account's limit ends here, before anything
            // executes or is stored (so a retry with the same Idempotency-Key runs for real), and before fault rules count it.
            if (rateLimiter.Enabled && rateLimiter.Admit(account.Id, route) is { } refused)
            {
                status = refused.Error.Status;
                await RateLimiter.Write(http, refused, requestId);
                return;
            }
            // Scripted HTTP faults (docs/faults.md): error kinds end the request here, before anything executes.
            // Replica mode (docs/deploy.md): the rules are the tree's shared state, decided on in the call's session (opened
            // by Authenticate); a fault that acts before execution commits its consumption now (a delay waits unlocked).
            var fault = HttpFaults.Decide(state, route, http);
            if (scope is not null && fault is { AfterCommit: false })
            {
                scope.Dispose();
                scope = null;
            }
            if (fault is not null && await HttpFaults.BeforeExecution(http, fault, requestId, accountId, log) is { } faulted)
            {
                status = faulted;
                return;
            }
            // Unknown parameters first, before any handler can act on the rest (a confirm that would charge a card).
            if (route.Accepts is { } accepts && form.Items.FirstOrDefault(kv => !accepts.Contains(kv.Key)) is { Key: { } unknown })
                throw new StripeException(StripeError.ParameterUnknown(unknown), beforeExecution: true);
            ApiChanges.CheckRequest(route.Method, route.Pattern, form, version);
            var p = new Params(form, declared: options.VerifyParameterDeclarations ? route.Accepts : null);
            p.Accept("key");
            if (route.AllowPublishable) StripeJsParameters.AcceptTopLevel(p);
            var expand = ExpandNode.Parse(p.StringList("expand"), route.ResponseType);

            Response response;
            Task durable;
            // Replica mode (docs/deploy.md): the session Authenticate opened (the tree's row lock, this replica's copy caught
            // up), or a new one after a delay fault waited unlocked; the key and the acting account are then checked again
            // on the tree as it stands now (revoked or expired through another replica meanwhile).
            var reopened = scope is null && store.Replica is not null;
            scope ??= await store.EnterAsync(state);
            using (scope)
            lock (state.Gate)
            {
                if (reopened) account = CheckKey(state, caller).Acting;
                var now = merchantClock.Now(state);
                if (storedKey.Length > 0 && idempotency.Find(state, storedKey, now) is { } prior)
                {
                    if (!idempotency.Matches(prior, Canonical(route, http, form)))
                        throw new StripeException(StripeError.IdempotencyMismatch(idemKey));
                    response = new Response(prior.Status, idempotency.Body(prior), Replayed: true, prior.RequestId);
                    durable = prior.Durable;
                }
                else
                {
                    (response, durable) = Execute(http, route, state, account, p, expand, now, requestId, idemKey, storedKey, version, publishable, form);
                }
            }
            if (storedKey.Length > 0) replayed = response.Replayed;
            if (!durable.IsCompleted)
            {
                using var commit = telemetry.Source.StartActivity("group commit");
                await durable;
            }
            status = response.Status;
            // apply_then_*: the work (and its idempotent result) is durable; only the answer is lost.
            if (fault is { AfterCommit: true })
            {
                status = await HttpFaults.AfterCommit(http, fault, requestId, accountId, log);
                return;
            }
            await Write(http, response);
        }
        catch (StripeException ex)
        {
            status = ex.Error.Status;
            await WriteError(http, ex.Error, requestId);
        }
        catch (FormException ex)
        {
            status = 400;
            await WriteError(http, StripeError.MalformedRequest(ex.Message), requestId);
        }
        catch (Exception ex) when (ClientWentAway(http, ex))
        {
            // Not a defect: the client hung up (or sent less body than it announced). Nothing is answered.
            status = ex is BadHttpRequestException bad ? bad.StatusCode : ClientClosedRequest;
            LogClientWentAway(log, http.Request.Method, route.Pattern, requestId, ex.GetType().Name, ex.Message);
        }
        catch (Exception ex)
        {
            log.LogError(ex, "Unhandled error in {Method} {Path} ({RequestId})", http.Request.Method, http.Request.Path.Value, requestId);
            status = 500;
            if (!http.Response.HasStarted)
            {
                http.Response.Headers["Stripe-Should-Retry"] = "false";
                await WriteError(http, StripeError.Internal(requestId), requestId);
            }
        }
        finally
        {
            scope?.Dispose(); // a call that ended before its unit of work (a 400): commits consumed fault rules, releases the lock
            var elapsed = Stopwatch.GetElapsedTime(started);
            telemetry.Request(route.Pattern, route.Method, status, elapsed.TotalSeconds, replayed);
            if (activity is not null)
            {
                activity.SetTag("mockprocessor.request_id", requestId);
                activity.SetTag("http.route", route.Pattern);
                activity.SetTag("http.response.status_code", status);
                if (status >= 500) activity.SetStatus(ActivityStatusCode.Error);
            }
            // The one line per request (docs/observability.md): the route template, never the path (ids) or the query
            // string (keys, client secrets); the acting account, never the key.
            LogRequest(log, route.Method, route.Pattern, status, elapsed.TotalMilliseconds, requestId, accountId ?? "", replayed is true);
        }
    }

    /// <summary>nginx's "client closed request": the status recorded (never sent) when the client left before the answer.</summary>
    public const int ClientClosedRequest = 499;

    /// <summary>
    /// A client that hangs up mid-request: its token is cancelled (the read or write then throws
    /// <see cref="OperationCanceledException"/>, <c>ConnectionResetException</c> or an <see cref="IOException"/>), or
    /// Kestrel found the body shorter than its Content-Length (<see cref="BadHttpRequestException"/>).
    /// </summary>
    private static bool ClientWentAway(HttpContext http, Exception ex) =>
        http.RequestAborted.IsCancellationRequested || ex is BadHttpRequestException;

    [LoggerMessage(EventId = 1, Level = LogLevel.Information,
        Message = "{Method} {Route} -> {Status} in {DurationMs:0.###} ms ({RequestId}, {AccountId}, replayed {IdempotencyReplayed})")]
    private static partial void LogRequest(ILogger log, string method, string route, int status, double durationMs, string requestId,
        string accountId, bool idempotencyReplayed);

    [LoggerMessage(EventId = 2, Level = LogLevel.Debug,
        Message = "{Method} {Route} ({RequestId}): the client went away before the answer ({Exception}: {Reason})")]
    private static partial void LogClientWentAway(ILogger log, string method, string route, string requestId, string exception, string reason);

    private (Response, Task) Execute(HttpContext http, ApiRoute route, AccountState state, Account account, Params p,
        ExpandNode expand, long now, string requestId, string idemKey, string storedKey, ApiVersion version, bool publishable, FormObject form)
    {
        var tx = store.Begin(state, account.Id);
        // Stripe pins an account's API version at its first request; later events render in it.
        var pinned = account.DefaultApiVersion is null;
        if (pinned)
        {
            account = account with { DefaultApiVersion = version.Name };
            tx.Put(account);
        }
        var render = new RenderContext(tx, renderers, publishable, now);
        var ctx = NewContext(http, tx, render, account, p, expand, now, requestId, idemKey.Length > 0 ? idemKey : null, publishable, version);
        Response response;
        try
        {
            var result = route.Handler(ctx);
            p.EnsureAllConsumed();
            response = result.Error is { } err
                ? new Response(err.Status, AtVersion(ErrorJson.Render(err, requestId, render), version, render), false, requestId)
                : result.File is { } file
                    ? new Response(200, [], false, requestId) { File = file }
                    : result.Stream is { } stream
                        ? new Response(200, [], false, requestId) { Stream = stream }
                        : new Response(200, AtVersion(result.Body!, version, render), false, requestId);
        }
        catch (StripeException ex) when (!ex.BeforeExecution)
        {
            // The call executed and failed: nothing it staged is kept, but the answer is its idempotent result.
            tx = store.Begin(state, account.Id);
            if (pinned) tx.Put(account);
            var errorRender = new RenderContext(tx, renderers, publishable, now);
            response = new Response(ex.Error.Status, AtVersion(ErrorJson.Render(ex.Error, requestId, errorRender), version, errorRender), false, requestId);
        }
        if (storedKey.Length > 0)
            idempotency.Store(state, tx, storedKey, Canonical(route, http, form), response.Status, response.Body, requestId, now);
        var durable = tx.Commit();
        if (storedKey.Length > 0) idempotency.MarkDurable(state, storedKey, durable);
        return (response, durable);
    }

    /// <summary>The answer's bytes in the caller's version: the canonical object with the older versions' shapes applied.</summary>
    private static byte[] AtVersion(System.Text.Json.Nodes.JsonObject body, ApiVersion version, RenderContext render)
    {
        ApiChanges.Render(body, version, render);
        return WireJson.Bytes(body);
    }

    private ApiContext NewContext(HttpContext http, Tx tx, RenderContext render, Account account, Params p, ExpandNode expand,
        long now, string? requestId, string? idemKey, bool publishable, ApiVersion? version = null) => new()
    {
        P = p, Expand = expand, Tx = tx, Render = render, Account = account, Now = now, Ids = ids,
        RequestId = requestId, IdempotencyKey = idemKey,
        EventApiVersion = account.DefaultApiVersion ?? options.ApiVersion, Publishable = publishable,
        Version = version ?? ApiVersions.Stored(account.DefaultApiVersion ?? options.ApiVersion),
        RouteValues = http.Request.RouteValues, Services = services,
        ClientIp = http.Connection.RemoteIpAddress?.ToString(),
        BaseUrl = BaseUrlOf(http),
    };

    /// <summary>Where the caller reached us, e.g. <c>http://127.0.0.1:12111</c>: links to the emulator's own pages use it.</summary>
    public static string BaseUrlOf(HttpContext http) => $"{http.Request.Scheme}://{http.Request.Host}{http.Request.PathBase}";

    /// <summary>
    /// Runs a change a customer makes outside the API (the 3-D Secure page posts without a key) in the same
    /// unit of work as a /v1 call: under the merchant's lock, committed and durable before this returns. A
    /// <see cref="StripeException"/> from <paramref name="work"/> discards its changes and propagates. Its
    /// events carry no request id, as Stripe's events for customer actions do.
    /// </summary>
    public async Task<T> RunAsCustomer<T>(HttpContext http, AccountState state, Func<ApiContext, T> work, string? actingAccountId = null)
    {
        T result;
        Task durable;
        using (await store.EnterAsync(state))
        lock (state.Gate)
        {
            var now = merchantClock.Now(state);
            var acting = actingAccountId ?? state.AccountId;
            var tx = store.Begin(state, acting);
            var account = tx.Get<Account>(acting)!;
            var ctx = NewContext(http, tx, new RenderContext(tx, renderers, false, now), account, new Params(new FormObject()), ExpandNode.None,
                now, requestId: null, idemKey: null, publishable: false);
            result = work(ctx);
            durable = tx.Commit();
        }
        await durable;
        return result;
    }

    /// <summary>
    /// Runs <paramref name="route"/> for the merchant of <paramref name="state"/> as its own dashboard would (docs/dashboard.md):
    /// the route's declared parameters, handler, unit of work and events exactly as through <see cref="Handle"/>, but
    /// authenticated by the dashboard's session instead of a key, with no idempotency key and no scripted HTTP fault.
    /// Answers the status, the body (or file) and, when the call failed, Stripe's error message; durable on return.
    /// </summary>
    public async Task<Invoked> Invoke(HttpContext http, ApiRoute route, AccountState state, FormObject form,
        string? actingAccountId = null)
    {
        var started = Stopwatch.GetTimestamp();
        var requestId = requestIds.Next();
        var status = 500;
        try
        {
            if (route.Accepts is { } accepts && form.Items.FirstOrDefault(kv => !accepts.Contains(kv.Key)) is { Key: { } unknown })
                throw new StripeException(StripeError.ParameterUnknown(unknown), beforeExecution: true);
            Account account;
            Response response;
            Task durable;
            using (await store.EnterAsync(state))
            lock (state.Gate)
            {
                var tx = store.Begin(state);
                account = tx.Get<Account>(state.AccountId)!;
                if (actingAccountId is not null && actingAccountId != account.Id)
                    account = tx.GetInTree<Account>(actingAccountId) is { Deleted: false } c && c.Platform == account.Id
                        ? c
                        : throw new StripeException(StripeError.InvalidValue("account",
                            $"{actingAccountId} is not this merchant or one of its connected accounts."), beforeExecution: true);
                var version = ApiVersions.Stored(account.DefaultApiVersion ?? options.ApiVersion);
                var p = new Params(form, declared: options.VerifyParameterDeclarations ? route.Accepts : null);
                (response, durable) = Execute(http, route, state, account, p, ExpandNode.None, merchantClock.Now(state), requestId,
                    "", "", version, false, form);
            }
            await durable;
            status = response.Status;
            if (status < 300) return new Invoked(status, null, response.Body, response.File);
            var error = System.Text.Json.Nodes.JsonNode.Parse(response.Body)?["error"]?["message"]?.GetValue<string>();
            return new Invoked(status, error ?? "the call failed", response.Body, null);
        }
        catch (StripeException ex)
        {
            status = ex.Error.Status;
            return new Invoked(status, ex.Error.Message, [], null);
        }
        catch (FormException ex)
        {
            status = 400;
            return new Invoked(status, ex.Message, [], null);
        }
        finally
        {
            var elapsed = Stopwatch.GetElapsedTime(started);
            telemetry.Request(route.Pattern, route.Method, status, elapsed.TotalSeconds, null);
            LogRequest(log, route.Method, route.Pattern, status, elapsed.TotalMilliseconds, requestId, state.AccountId, false);
        }
    }

    /// <summary>
    /// The merchant whose secret key <paramref name="raw"/> is (its own or a generated one, unrevoked and unexpired), or
    /// null: for the dashboard's sign-in, which never provisions a merchant for an unseen key.
    /// </summary>
    public AccountState? MerchantOfSecretKey(string raw)
    {
        var key = ApiKey.Parse(raw);
        if (key.IsError || key.Value.Kind is not KeyKind.Secret) return null;
        store.Refresh(); // replica mode: keys and revocations made through other replicas (sign-in is rare)
        if (store.Lookup(KeyLookups.ByHash, ApiKey.Hash(raw)) is { } found)
        {
            lock (found.State.Gate)
            {
                var record = store.Begin(found.State).Get<ApiKeyRecord>(found.Id);
                if (record is null || record.Revoked || record.IsExpired(merchantClock.Now(found.State))) return null;
            }
            return found.State;
        }
        return store.Lookup(KeyLookups.ByImplicitKey, ApiKey.ImplicitHash(key.Value.Suffix))?.State;
    }

    /// <summary>
    /// A call of the emulator's operator rather than of a merchant (docs/connect.md, Onboarding): no key, Stripe's form
    /// decoding and error envelope, and the answer only once its writes are durable.
    /// </summary>
    public async Task HandleOperator(HttpContext http, Func<Params, HttpContext, Task<JsonObject>> work)
    {
        var requestId = requestIds.Next();
        http.Response.Headers["Request-Id"] = requestId;
        try
        {
            var form = await ReadForm(http);
            var body = await work(new Params(form), http);
            await Write(http, new Response(200, WireJson.Bytes(body), false, requestId));
        }
        catch (StripeException ex) { await WriteError(http, ex.Error, requestId); }
        catch (FormException ex) { await WriteError(http, StripeError.MalformedRequest(ex.Message), requestId); }
    }

    /// <summary>
    /// Creates a merchant (onboarding): <paramref name="account"/> and whatever <paramref name="work"/> adds (keys, a
    /// webhook endpoint) in one unit of work, after every parameter of <paramref name="p"/> was read; durable on return.
    /// Nothing remains of a failed call.
    /// </summary>
    public async Task<T> CreateMerchant<T>(HttpContext http, Account account, Params p, Func<ApiContext, T> work)
    {
        var state = store.AddMerchant(account.Id);
        T result;
        Task durable;
        try
        {
            using (await store.EnterAsync(state))
            lock (state.Gate)
            {
                var tx = store.Begin(state);
                tx.Put(account);
                var now = merchantClock.Now(state);
                var ctx = NewContext(http, tx, new RenderContext(tx, renderers, false, now), account, p, ExpandNode.None, now,
                    requestId: null, idemKey: null, publishable: false);
                result = work(ctx);
                p.EnsureAllConsumed();
                durable = tx.Commit();
            }
        }
        catch
        {
            store.ForgetEmptyMerchant(account.Id);
            throw;
        }
        await durable;
        return result;
    }

    private static string Canonical(ApiRoute route, HttpContext http, FormObject form) =>
        $"{route.Method} {http.Request.Path}\n{form.Canonical()}";

    private async Task<FormObject> ReadForm(HttpContext http)
    {
        var body = "";
        if (http.Request.Method == "POST")
        {
            if (http.Request.ContentLength > options.MaxBodyBytes)
                throw new StripeException(StripeError.BodyTooLarge(options.MaxBodyBytes), beforeExecution: true);
            using var ms = new MemoryStream();
            var buffer = new byte[8192];
            int n;
            while ((n = await http.Request.Body.ReadAsync(buffer, http.RequestAborted)) > 0)
            {
                if (ms.Length + n > options.MaxBodyBytes)
                    throw new StripeException(StripeError.BodyTooLarge(options.MaxBodyBytes), beforeExecution: true);
                ms.Write(buffer, 0, n);
            }
            if (ms.Length > 0)
            {
                var contentType = http.Request.ContentType ?? "";
                if (contentType.Length > 0 && !contentType.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase))
                    throw new StripeException(StripeError.MalformedRequest(
                        "request bodies must be application/x-www-form-urlencoded, as in Stripe's v1 API"), beforeExecution: true);
                try { body = StrictUtf8.GetString(ms.GetBuffer(), 0, (int)ms.Length); }
                catch (DecoderFallbackException) { throw new FormException("the body is not valid UTF-8"); }
            }
        }
        return FormReader.Parse(http.Request.QueryString.Value, body);
    }

    /// <summary>What <see cref="Invoke"/> answers: the status, Stripe's error message when it failed, the body or file.</summary>
    public sealed record Invoked(int Status, string? Error, byte[] Body, FileAnswer? File);

    /// <summary>Who is calling: the key's kind, its record (null for implicit suffix keys), the merchant owning it.</summary>
    /// <remarks>
    /// <see cref="Raw"/> (for the error messages), <see cref="RecordId"/> and <see cref="Connected"/> (the Stripe-Account
    /// asked for, or empty) are what <see cref="CheckKey"/> checks; the key is never printed.
    /// </remarks>
    private sealed record Caller(KeyKind Kind, ApiKeyRecord? Record, string MerchantId, string Raw, string? RecordId, string Connected)
    {
        public override string ToString() => $"Caller {{ Kind = {Kind}, MerchantId = {MerchantId} }}";
    }

    /// <summary>
    /// The key's merchant, its record and the acting account on <paramref name="state"/> as it stands (under its lock):
    /// a revoked key is an unknown key, an expired one answers api_key_expired, and a Stripe-Account must be one of the
    /// merchant's connected accounts (docs/connect.md).
    /// </summary>
    private (Account Merchant, Account Acting, ApiKeyRecord? Record) CheckKey(AccountState state, Caller caller)
    {
        lock (state.Gate)
        {
            var tx = store.Begin(state);
            var merchant = tx.Get<Account>(state.AccountId)!;
            ApiKeyRecord? record = null;
            if (caller.RecordId is not null)
            {
                record = tx.Get<ApiKeyRecord>(caller.RecordId)!;
                if (record.Revoked) throw new StripeException(StripeError.InvalidApiKey(caller.Raw));
                if (record.IsExpired(merchantClock.Now(state))) throw new StripeException(StripeError.ApiKeyExpired(caller.Raw));
            }
            var acting = merchant;
            if (caller.Connected.Length > 0 && caller.Connected != merchant.Id)
                acting = tx.GetInTree<Account>(caller.Connected) is { Deleted: false } c && c.Platform == merchant.Id
                    ? c
                    : throw new StripeException(StripeError.AccountInvalid(caller.Raw, caller.Connected));
            return (merchant, acting, record);
        }
    }

    /// <summary>
    /// The key's merchant and the acting account (docs/connect.md): the merchant, or with <c>Stripe-Account</c> one of
    /// its connected accounts. Revoked keys are unknown keys; expired ones answer api_key_expired.
    /// </summary>
    /// <remarks>
    /// In replica mode the call's session on the tree is opened here (its row lock taken and this replica's copy caught
    /// up) and returned for the call to go on with, so the key is checked on the tree as the database has it, and a call
    /// never spins on the tree's lock while another call of the tree commits (docs/deploy.md).
    /// </remarks>
    private async Task<(Account Acting, AccountState, Caller, IDisposable? Scope)> Authenticate(HttpContext http, FormObject form, bool stripeJsSurface)
    {
        var raw = ApiKey.FromAuthorizationHeader(http.Request.Headers.Authorization.ToString());
        // stripe.js sends its publishable key as a `key` parameter instead of a header.
        if (raw is null && form["key"] is FormString { Value: var k } && k.StartsWith("pk_", StringComparison.Ordinal)) raw = k;
        if (string.IsNullOrEmpty(raw)) throw new StripeException(StripeError.NoApiKey());
        var key = ApiKey.Parse(raw);
        if (key.IsError) throw new StripeException(key.Error!);
        var suffix = key.Value.Suffix;
        AccountState? state;
        string? recordId = null;
        var hash = ApiKey.Hash(raw);
        var implicitHash = ApiKey.ImplicitHash(suffix);
        // Replica mode: a key this replica's memory does not know may have been made through another replica: only then
        // are the other replicas' changes read (not for every implicit key, which no record files).
        var found = FindKey(hash, implicitHash);
        if (found is null && store.Replica is not null)
        {
            store.Refresh();
            found = FindKey(hash, implicitHash);
        }
        if (found is { } f)
            (state, recordId) = f;
        else
            state = options.StrictKeys
                ? null
                : await store.GetOrProvisionAsync(KeyLookups.ByImplicitKey, implicitHash, () =>
                {
                    var id = ids.Next("acct", 16);
                    return ApiKey.WithImplicitKeys(new Account { Id = id, AccountId = id, Created = clock.UnixNow() }, suffix);
                });
        if (state is null) throw new StripeException(StripeError.InvalidApiKey(raw));
        var connected = http.Request.Headers["Stripe-Account"].ToString();
        // Stripe.js names the connected account (Stripe(pk, {stripeAccount})) as a parameter instead of the header.
        if (connected.Length == 0 && stripeJsSurface && form[StripeJsParameters.Account] is FormString { Value: var a }) connected = a;
        // Replica mode: checked under the call's row lock, on the tree caught up with what other replicas committed (a key
        // revoked or expired, a connected account created through another replica).
        var scope = await store.EnterAsync(state);
        try
        {
            var presented = new Caller(key.Value.Kind, null, state.AccountId, raw, recordId, connected);
            var (merchant, acting, record) = CheckKey(state, presented);
            return (acting, state, presented with { Kind = record?.Kind ?? key.Value.Kind, Record = record, MerchantId = merchant.Id }, scope);
        }
        catch
        {
            scope?.Dispose();
            throw;
        }
    }

    /// <summary>The tree of a presented key in this process's memory and its record's id (null for an implicit key).</summary>
    private (AccountState State, string? RecordId)? FindKey(string hash, string implicitHash)
    {
        if (store.Lookup(KeyLookups.ByHash, hash) is { } byRecord) return (byRecord.State, byRecord.Id);
        if (store.Lookup(KeyLookups.ByImplicitKey, implicitHash) is { } byAccount) return (byAccount.State, null);
        return null;
    }

    /// <summary>The resource a route acts on, as restricted-key permissions name it: <c>/v1/payment_intents/{id}</c> → payment_intents.</summary>
    internal static string ResourceOf(string pattern)
    {
        var parts = pattern.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var i = parts.Length > 2 && parts[1] == "test_helpers" ? 2 : 1;
        return i < parts.Length ? parts[i] : parts[0];
    }

    private sealed record Response(int Status, byte[] Body, bool Replayed, string OriginalRequestId)
    {
        public FileAnswer? File { get; init; }
        public Func<HttpContext, Task>? Stream { get; init; }
    }

    private static async Task Write(HttpContext http, Response r)
    {
        http.Response.StatusCode = r.Status;
        if (r.Stream is { } stream)
        {
            await stream(http);
            return;
        }
        if (r.File is { } file)
        {
            // Streamed from disk outside the merchant's lock: a report may be hundreds of megabytes.
            http.Response.ContentType = file.ContentType;
            if (file.DownloadName is not null)
                http.Response.Headers.ContentDisposition = $"attachment; filename=\"{file.DownloadName}\"";
            if (file.Path is not null) await http.Response.SendFileAsync(file.Path, http.RequestAborted);
            else await http.Response.Body.WriteAsync(file.Bytes ?? [], http.RequestAborted);
            return;
        }
        http.Response.ContentType = "application/json";
        if (r.Replayed)
        {
            http.Response.Headers["Idempotent-Replayed"] = "true";
            http.Response.Headers["Original-Request"] = r.OriginalRequestId;
        }
        http.Response.ContentLength = r.Body.Length;
        await http.Response.Body.WriteAsync(r.Body);
    }

    public static async Task WriteError(HttpContext http, StripeError error, string requestId)
    {
        if (http.Response.HasStarted) return;
        http.Response.StatusCode = error.Status;
        http.Response.ContentType = "application/json";
        var bytes = WireJson.Bytes(ErrorJson.Render(error, requestId, null));
        http.Response.ContentLength = bytes.Length;
        await http.Response.Body.WriteAsync(bytes);
    }
}
