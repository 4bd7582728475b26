using System.Text.Json.Nodes;
using MockProcessor.Domain.Common;
using MockProcessor.Domain.Errors;
using MockProcessor.Domain.Faults;
using MockProcessor.Server.Wire;

namespace MockProcessor.Server.Control;

/// <summary>
/// HTTP fault rules under <c>/_mock/faults</c> (docs/faults.md). Like the webhook control routes they run
/// through <see cref="StripeApi"/>: the merchant's secret key, form parameters with unknown-parameter checks,
/// Stripe's error envelope, the merchant's lock. Rules live in the merchant's memory (<c>AccountState.FaultRules</c>),
/// not in the unit of work, so every handler validates all its input before it changes anything. In replica mode the
/// call's commit also writes them to the tree's <c>fault_rules</c> row, which other replicas catch up (docs/deploy.md).
/// </summary>
public static class FaultControlEndpoints
{
    private const string ObjectName = "mock.fault_rule";
    private const int MaxRules = 100;

    public static IEnumerable<ApiRoute> Routes() =>
    [
        new("POST", "/_mock/faults", ObjectName, Create)
            { Params = "count delay_ms kind method path percentage retry_after seed should_retry" },
        new("GET", "/_mock/faults", "list:" + ObjectName, List) { Params = "" },
        new("DELETE", "/_mock/faults", "mock.fault_rules_cleared", Clear) { Params = "" },
        new("GET", "/_mock/faults/{id}", ObjectName, Retrieve) { Params = "" },
        new("DELETE", "/_mock/faults/{id}", ObjectName, Delete) { Params = "" },
    ];

    private static ApiResult Create(ApiContext c)
    {
        var p = c.P;
        var method = p.String("method")?.ToUpperInvariant() ?? "*";
        if (method is not ("*" or "GET" or "POST" or "DELETE"))
            throw Invalid("method", $"Invalid method: {method}. Use GET, POST, DELETE or * (any).");
        var path = p.RequiredString("path", 500);
        if (!path.StartsWith('/') && path != "*")
            throw Invalid("path", "path must start with '/' (e.g. /v1/payment_intents or /v1/payment_intents*).");
        var kind = p.Enum<FaultKind>("kind") ?? throw Missing("kind");
        var count = p.Long("count", 1, 1_000_000);
        var percentage = (int?)p.Long("percentage", 1, 100);
        var seed = p.Long("seed") ?? 0;
        var delayMs = (int?)p.Long("delay_ms", 0, 300_000);
        var shouldRetry = p.Bool("should_retry");
        var retryAfter = (int?)p.Long("retry_after", 0, 86_400);
        p.EnsureAllConsumed(); // before anything changes: rules are not staged in the unit of work

        if (kind == FaultKind.Delay && delayMs is null)
            throw Missing("delay_ms");
        if (kind != FaultKind.Delay && delayMs is not null)
            throw Invalid("delay_ms", "delay_ms is only used with kind=delay.");
        var answers = FaultRule.AnswersWithError(kind);
        if (!answers && shouldRetry is not null)
            throw Invalid("should_retry", $"should_retry needs a kind that answers with an error status; {kind.ToWire()} sends none.");
        if (!answers && retryAfter is not null)
            throw Invalid("retry_after", $"retry_after needs a kind that answers with an error status; {kind.ToWire()} sends none.");

        var state = c.Tx.Account;
        if (state.FaultRules.Length >= MaxRules)
            throw new StripeException(new StripeError(400, StripeError.InvalidRequest, null,
                $"A merchant can have at most {MaxRules} fault rules; delete some first (DELETE /_mock/faults)."), beforeExecution: true);
        // Neither count nor percentage: "the next request". A percentage alone fires until the rule is deleted.
        if (count is null && percentage is null) count = 1;
        var rule = new FaultRule
        {
            Id = c.Ids.Next("fault"), Created = c.Now, Method = method, Path = path, Kind = kind,
            Count = count, Remaining = count, Percentage = percentage, Seed = seed, RandomState = (ulong)seed,
            DelayMs = delayMs, RetryAfter = retryAfter,
            // SDKs retry any 5xx anyway; saying so explicitly is what Stripe does for transient failures. A 429
            // carries no header unless asked, so by default the SDK surfaces a rate-limit error (Stripe's default).
            ShouldRetry = shouldRetry ?? (kind is FaultKind.RateLimit || !answers ? null : true),
        };
        state.SetFaultRules([.. state.FaultRules, rule]);
        return Render(rule);
    }

    /// <summary>Every rule, spent ones included, in creation order — the order they are evaluated in.</summary>
    private static ApiResult List(ApiContext c)
    {
        var data = new JsonArray();
        foreach (var rule in c.Tx.Account.FaultRules) data.Add(Render(rule));
        return new JsonObject { ["object"] = "list", ["data"] = data, ["has_more"] = false, ["url"] = "/_mock/faults" };
    }

    private static ApiResult Retrieve(ApiContext c) => Render(Find(c, c.Route("id")));

    private static ApiResult Delete(ApiContext c)
    {
        var rule = Find(c, c.Route("id"));
        c.P.EnsureAllConsumed();
        var state = c.Tx.Account;
        state.SetFaultRules([.. state.FaultRules.Where(r => r.Id != rule.Id)]);
        return new JsonObject { ["id"] = rule.Id, ["object"] = ObjectName, ["deleted"] = true };
    }

    private static ApiResult Clear(ApiContext c)
    {
        c.P.EnsureAllConsumed();
        var state = c.Tx.Account;
        var deleted = state.FaultRules.Length;
        state.SetFaultRules([]);
        return new JsonObject { ["object"] = "mock.fault_rules_cleared", ["deleted"] = deleted };
    }

    private static FaultRule Find(ApiContext c, string id) =>
        c.Tx.Account.FaultRules.FirstOrDefault(r => r.Id == id)
        ?? throw new StripeException(StripeError.ResourceMissing("fault rule", id));

    private static StripeException Missing(string param) => new(StripeError.ParameterMissing(param), beforeExecution: true);

    private static StripeException Invalid(string param, string message) =>
        new(StripeError.InvalidValue(param, message), beforeExecution: true);

    public static JsonObject Render(FaultRule r) => new()
    {
        ["id"] = r.Id,
        ["object"] = ObjectName,
        ["created"] = r.Created,
        ["method"] = r.Method,
        ["path"] = r.Path,
        ["kind"] = r.Kind.ToWire(),
        ["count"] = r.Count,
        ["remaining"] = r.Remaining,
        ["percentage"] = r.Percentage,
        ["seed"] = r.Seed,
        ["delay_ms"] = r.DelayMs,
        ["should_retry"] = r.ShouldRetry,
        ["retry_after"] = r.RetryAfter,
        ["matched"] = r.Matched,
        ["fired"] = r.Fired,
    };
}
