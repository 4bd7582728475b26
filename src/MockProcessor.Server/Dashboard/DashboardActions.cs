using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using MockProcessor.Server.Control;
using MockProcessor.Server.Storage;
using MockProcessor.Server.Wire;

namespace MockProcessor.Server.Dashboard;

/// <summary>
/// The dashboard's buttons. Each form posts <c>op</c> (one of <see cref="Operations"/>), the object's <c>id</c>,
/// the page to return to (<c>back</c>) and the route's own parameters under their API names; the route runs as the
/// signed-in merchant through <see cref="StripeApi.Invoke"/>, exactly as the same call from a test would, and the
/// browser is sent back to the page with the outcome in words.
/// </summary>
public static class DashboardActions
{
    /// <summary>What a button may do: the API and control routes the dashboard calls, by name.</summary>
    public static readonly IReadOnlyDictionary<string, (string Method, string Pattern, string Done)> Operations =
        new Dictionary<string, (string, string, string)>(StringComparer.Ordinal)
        {
            ["resend"] = ("POST", "/_mock/webhooks/deliveries/resend", "Delivery resent"),
            ["endpoint_faults"] = ("POST", "/_mock/webhook_endpoints/{id}/faults", "Endpoint faults set"),
            ["endpoint_faults_clear"] = ("DELETE", "/_mock/webhook_endpoints/{id}/faults", "Endpoint faults cleared"),
            ["dispute_evidence"] = ("POST", "/v1/disputes/{id}", "Evidence submitted"),
            ["dispute_accept"] = ("POST", "/v1/disputes/{id}/close", "Dispute accepted"),
            ["dispute_decide"] = ("POST", "/_mock/disputes/{id}/decide", "Dispute decided"),
            ["rule_add"] = ("POST", "/_mock/network_rules", "Rule added"),
            ["rule_remove"] = ("DELETE", "/_mock/network_rules/{id}", "Rule removed"),
            ["clock_advance"] = ("POST", "/_mock/merchant_clock/advance", "Clock advanced"),
            ["payouts_run"] = ("POST", "/_mock/payouts/run", "Payouts run"),
        };

    /// <summary>Fields of a button's form that are the dashboard's, not the route's.</summary>
    private static readonly HashSet<string> OwnFields = new(StringComparer.Ordinal) { "op", "id", "back", "account" };

    private static readonly Lazy<Dictionary<(string, string), ApiRoute>> Routes = new(() =>
        Resources.Registry.Routes().Concat(ControlRoutes.All()).ToDictionary(r => (r.Method, r.Pattern)));

    public static ApiRoute Route(string method, string pattern) => Routes.Value[(method, pattern)];

    public static async Task<IResult> Act(HttpContext http, ObjectStore store, DashboardSessions sessions, StripeApi api)
    {
        var form = await ReadForm(http);
        if (form is null || !SameOrigin(http)) return Results.BadRequest();
        if (DashboardEndpoints.Session(http, store, sessions) is not { } state) return Results.Redirect(DashboardEndpoints.Root);
        var back = form["back"].ToString();
        if (!back.StartsWith(DashboardEndpoints.Root + "/", StringComparison.Ordinal) || back.StartsWith("//", StringComparison.Ordinal))
            back = DashboardEndpoints.Root + "/payments";
        if (!Operations.TryGetValue(form["op"].ToString(), out var op)) return Back(back, null, "Unknown action.");
        var route = Route(op.Method, op.Pattern);
        var body = new StringBuilder();
        foreach (var (name, values) in form)
        {
            if (OwnFields.Contains(name)) continue;
            foreach (var value in values)
                if (!string.IsNullOrWhiteSpace(value))
                    body.Append(body.Length > 0 ? "&" : "").Append(Uri.EscapeDataString(name)).Append('=').Append(Uri.EscapeDataString(value!.Trim()));
        }
        http.Request.RouteValues = new RouteValueDictionary { ["id"] = form["id"].ToString() };
        var acting = form["account"].ToString() is { Length: > 0 } a ? a : null;
        var answer = await api.Invoke(http, route, state, FormReader.Parse(null, body.ToString()), acting);
        return answer.Status < 300 ? Back(back, op.Done + ".", null) : Back(back, null, answer.Error);
    }

    private static IResult Back(string back, string? notice, string? error)
    {
        // The page shows the outcome once; an earlier outcome in the address is replaced.
        var path = back.Split('?')[0];
        var query = back.Contains('?') ? back[(back.IndexOf('?') + 1)..] : "";
        var kept = query.Split('&', StringSplitOptions.RemoveEmptyEntries).Where(p => !p.StartsWith("notice=") && !p.StartsWith("error="));
        var outcome = notice is not null ? "notice=" + Uri.EscapeDataString(notice) : "error=" + Uri.EscapeDataString(error ?? "The call failed.");
        return Results.Redirect(path + "?" + string.Join("&", kept.Append(outcome)));
    }

    public static async Task<IFormCollection?> ReadForm(HttpContext http)
    {
        try { return http.Request.HasFormContentType ? await http.Request.ReadFormAsync(http.RequestAborted) : null; }
        catch (Exception ex) when (ex is InvalidDataException or IOException or FormatException) { return null; }
    }

    /// <summary>
    /// A dashboard form may only be posted by the dashboard's own pages: the session cookie is SameSite=Strict, and a
    /// browser's <c>Origin</c> (when it sends one) must be this emulator's.
    /// </summary>
    public static bool SameOrigin(HttpContext http)
    {
        var origin = http.Request.Headers.Origin.ToString();
        return origin.Length == 0 ||
               Uri.TryCreate(origin, UriKind.Absolute, out var o) && o.Authority.Equals(http.Request.Host.Value, StringComparison.OrdinalIgnoreCase);
    }
}
