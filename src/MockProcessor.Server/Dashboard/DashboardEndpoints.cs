using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using MockProcessor.Domain.Accounts;
using MockProcessor.Server.Hosting;
using MockProcessor.Server.Storage;
using MockProcessor.Server.Time;
using MockProcessor.Server.Wire;

namespace MockProcessor.Server.Dashboard;

/// <summary>
/// <c>/dashboard</c> (docs/dashboard.md): pages rendered on the server from Razor components
/// (<see cref="RazorComponentResult{TComponent}"/> from minimal-API handlers), signed in by a merchant's secret key.
/// Pages read the merchant's state under its lock; every button posts to <c>/dashboard/act</c>, which runs the same
/// API or control route a test would call (<see cref="DashboardActions"/>) as the signed-in merchant.
/// </summary>
public static class DashboardEndpoints
{
    public const string Root = "/dashboard";

    public static void Map(WebApplication app)
    {
        app.MapGet(Root, SignInPage);
        app.MapPost(Root + "/sign-in", SignIn);
        app.MapPost(Root + "/sign-out", SignOut);
        app.MapPost(Root + "/act", DashboardActions.Act);
        Page(app, "/payments", (v, q) => new RazorComponentResult<Pages.Payments>(new { Model = DashboardViews.Payments(v, q) }));
        Page(app, "/payments/{id}", (v, q) => DashboardViews.Payment(v, q["id"]) is { } m
            ? new RazorComponentResult<Pages.PaymentDetail>(new { Model = m }) : NotFound(v, "payment"));
        Page(app, "/events", (v, q) => new RazorComponentResult<Pages.Events>(new { Model = DashboardViews.Events(v, q) }));
        Page(app, "/webhooks", (v, q) => new RazorComponentResult<Pages.Webhooks>(new { Model = DashboardViews.Webhooks(v) }));
        Page(app, "/disputes", (v, q) => new RazorComponentResult<Pages.Disputes>(new { Model = DashboardViews.Disputes(v) }));
        Page(app, "/network", (v, q) => new RazorComponentResult<Pages.Network>(new { Model = DashboardViews.Network(v) }));
        Page(app, "/clock", (v, q) => new RazorComponentResult<Pages.Clock>(new { Model = DashboardViews.Clock(v) }));
        Page(app, "/balance", (v, q) => new RazorComponentResult<Pages.Balance>(new { Model = DashboardViews.Balance(v) }));
        Page(app, "/customers", (v, q) => new RazorComponentResult<Pages.Customers>(new { Model = DashboardViews.Customers(v) }));
        Page(app, "/billing", (v, q) => new RazorComponentResult<Pages.Billing>(new { Model = DashboardViews.Billing(v, q) }));
        Page(app, "/reconciliation", (v, q) => new RazorComponentResult<Pages.Reconciliation>(new { Model = DashboardViews.Reconciliation(v, null) }));
        app.MapPost(Root + "/reconciliation", Reconcile);
        app.MapGet(Root + "/files/{id}", DownloadFile);
    }

    /// <summary>
    /// The books uploaded on the Reconciliation page (a CSV or JSON file, or pasted text) reconciled by
    /// <c>POST /_mock/reconciliation</c> as the signed-in merchant, its <c>table</c> rendering (what
    /// <c>mockprocessor reconcile</c> prints) shown in the page.
    /// </summary>
    private static async Task<IResult> Reconcile(HttpContext http, ObjectStore store, DashboardSessions sessions, StripeApi api,
        MerchantClock clock, Resources.PaymentMethods.TestCards testCards)
    {
        var form = await DashboardActions.ReadForm(http);
        if (form is null || !DashboardActions.SameOrigin(http)) return Results.BadRequest();
        if (Session(http, store, sessions) is not { } state) return Results.Redirect(Root);
        var orders = form.Files["orders_file"] is { Length: > 0 } file
            ? await new StreamReader(file.OpenReadStream()).ReadToEndAsync(http.RequestAborted)
            : form["orders"].ToString();
        var fields = new List<KeyValuePair<string, string>> { new("orders", orders), new("format", "table") };
        foreach (var name in new[] { "from", "to", "threshold", "settlement_days" })
            if (form[name].ToString().Trim() is { Length: > 0 } value) fields.Add(new(name, value));
        var body = await new FormUrlEncodedContent(fields).ReadAsStringAsync(http.RequestAborted);
        var route = DashboardActions.Route("POST", "/_mock/reconciliation");
        var account = form["account"].ToString() is { Length: > 0 } a ? a : null;
        var answer = await api.Invoke(http, route, state, FormReader.Parse(null, body), account);
        var query = new Query(http);
        lock (state.Gate)
        {
            var view = DashboardView.Open(store, state, clock, testCards, account, Root + "/reconciliation", query);
            if (view is null) return Results.Redirect(Root + "/reconciliation");
            var report = answer.Status < 300 ? System.Text.Encoding.UTF8.GetString(answer.File?.Bytes ?? answer.Body) : null;
            var model = DashboardViews.Reconciliation(view, new ReconciliationRun(form["from"], form["to"], report, answer.Error));
            return new RazorComponentResult<Pages.Reconciliation>(new { Model = model }) { StatusCode = answer.Status < 300 ? 200 : 400 };
        }
    }

    /// <summary>A report run's file, through <c>GET /v1/files/{id}/contents</c> as the signed-in merchant.</summary>
    private static async Task<IResult> DownloadFile(string id, HttpContext http, ObjectStore store, DashboardSessions sessions, StripeApi api)
    {
        if (Session(http, store, sessions) is not { } state) return Results.Redirect(Root);
        http.Request.RouteValues = new RouteValueDictionary { ["id"] = id };
        var route = DashboardActions.Route("GET", Resources.Files.FileEndpoints.ContentsPath);
        var answer = await api.Invoke(http, route, state, FormReader.Parse(null, ""), new Query(http)["account"]);
        if (answer.Status >= 300 || answer.File is not { } file) return Results.NotFound();
        return file.Path is not null
            ? Results.File(file.Path, file.ContentType, file.DownloadName ?? id)
            : Results.File(file.Bytes ?? [], file.ContentType, file.DownloadName ?? id);
    }

    /// <summary>The pages, in the navigation's order.</summary>
    public static readonly IReadOnlyList<(string Path, string Title)> Navigation =
    [
        ("/payments", "Payments"), ("/events", "Events"), ("/webhooks", "Webhooks"), ("/disputes", "Disputes"),
        ("/network", "Network"), ("/clock", "Clock"), ("/balance", "Balance and payouts"), ("/reconciliation", "Reconciliation"),
        ("/customers", "Customers"), ("/billing", "Subscriptions and invoices"),
    ];

    /// <summary>
    /// Maps a page: resolves the session (else back to sign-in), the account shown (the merchant or, with
    /// <c>?account=</c>, one of its connected accounts), then builds the view under the merchant's lock.
    /// </summary>
    private static void Page(WebApplication app, string path, Func<DashboardView, Query, IResult> build) =>
        app.MapGet(Root + path, (HttpContext http, ObjectStore store, DashboardSessions sessions, MerchantClock clock,
            Resources.PaymentMethods.TestCards testCards) =>
        {
            if (Session(http, store, sessions) is not { } state) return Results.Redirect(Root);
            var query = new Query(http);
            store.Refresh(state); // replica mode: what other replicas committed to this merchant (docs/deploy.md)
            lock (state.Gate)
            {
                var view = DashboardView.Open(store, state, clock, testCards, query["account"], Here(http), query);
                if (view is null) return Results.Redirect(Root + path.Replace("/{id}", ""));
                return build(view, query);
            }
        });

    /// <summary>This page's address without the last button's outcome: where a button on it comes back to.</summary>
    private static string Here(HttpContext http)
    {
        var kept = http.Request.Query.Where(kv => kv.Key is not ("notice" or "error"))
            .SelectMany(kv => kv.Value.Select(v => Uri.EscapeDataString(kv.Key) + "=" + Uri.EscapeDataString(v ?? "")));
        var query = string.Join("&", kept);
        return http.Request.Path.Value + (query.Length > 0 ? "?" + query : "");
    }

    private static IResult NotFound(DashboardView v, string what) =>
        new RazorComponentResult<Pages.Missing>(new { Chrome = v.Chrome, What = what }) { StatusCode = 404 };

    /// <summary>The signed-in merchant's partition, or null (no cookie, an ended session, a merchant gone).</summary>
    public static AccountState? Session(HttpContext http, ObjectStore store, DashboardSessions sessions) =>
        sessions.MerchantOf(http.Request.Cookies[DashboardSessions.CookieName]) is { } id ? store.FindAccount(id) : null;

    private static IResult SignInPage(HttpContext http, ObjectStore store, DashboardSessions sessions, MockProcessorOptions options)
    {
        if (Session(http, store, sessions) is not null) return Results.Redirect(Root + "/payments");
        if (OpenMode(http, options)) store.Refresh(); // replica mode: merchants made through other replicas too
        var merchants = OpenMode(http, options)
            ? store.Accounts.Select(a => a.AccountId).Order(StringComparer.Ordinal).ToList()
            : null;
        return new RazorComponentResult<Pages.SignIn>(new { Merchants = merchants, Error = http.Request.Query["error"].ToString() });
    }

    private static async Task<IResult> SignIn(HttpContext http, ObjectStore store, DashboardSessions sessions, StripeApi api,
        MockProcessorOptions options)
    {
        var form = await DashboardActions.ReadForm(http);
        if (form is null || !DashboardActions.SameOrigin(http)) return Results.BadRequest();
        AccountState? state = null;
        if (form["merchant"].ToString() is { Length: > 0 } merchant && OpenMode(http, options))
        {
            store.Refresh();
            state = store.Accounts.FirstOrDefault(a => a.AccountId == merchant);
        }
        else if (form["key"].ToString().Trim() is { Length: > 0 } key)
            state = api.MerchantOfSecretKey(key);
        if (state is null)
            return Results.Redirect(Root + "?error=" + Uri.EscapeDataString(
                "No merchant has that secret key (an unseen sk_test_ key makes a merchant at its first API call, not here)."));
        http.Response.Cookies.Append(DashboardSessions.CookieName, sessions.Start(state.AccountId), new CookieOptions
        {
            HttpOnly = true, SameSite = SameSiteMode.Strict, Path = Root, IsEssential = true, Secure = http.Request.IsHttps,
        });
        return Results.Redirect(Root + "/payments");
    }

    private static async Task<IResult> SignOut(HttpContext http, DashboardSessions sessions)
    {
        if (await DashboardActions.ReadForm(http) is null || !DashboardActions.SameOrigin(http)) return Results.BadRequest();
        sessions.End(http.Request.Cookies[DashboardSessions.CookieName]);
        http.Response.Cookies.Delete(DashboardSessions.CookieName, new CookieOptions { Path = Root });
        return Results.Redirect(Root);
    }

    /// <summary>
    /// <c>--dashboard-open</c>: the sign-in page lists every merchant, but only to a browser on this machine and only
    /// while the emulator listens on loopback (the flag is refused otherwise at start-up).
    /// </summary>
    private static bool OpenMode(HttpContext http, MockProcessorOptions options) =>
        options.DashboardOpen && (http.Connection.RemoteIpAddress is null || IPAddress.IsLoopback(http.Connection.RemoteIpAddress));
}

/// <summary>A page's query string, read leniently (a dashboard link never fails on a bad filter: it is ignored).</summary>
public sealed class Query(HttpContext http)
{
    public string? this[string name] =>
        http.Request.RouteValues.TryGetValue(name, out var route) && route is string r ? r
        : http.Request.Query[name].ToString() is { Length: > 0 } v ? v.Trim() : null;

    public long? Long(string name) => long.TryParse(this[name], out var v) ? v : null;
}
