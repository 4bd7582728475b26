using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using MockProcessor.Domain.Common;
using MockProcessor.Domain.Errors;
using MockProcessor.Domain.Faults;
using MockProcessor.Server.Storage;

namespace MockProcessor.Server.Wire;

/// <summary>
/// The HTTP fault hook of <see cref="StripeApi.Handle"/> (docs/faults.md). <see cref="Decide"/> runs once the
/// key has identified the merchant; error kinds answer before anything executes (no state change, no stored
/// idempotent result, so a retry with the same key runs for real); <c>apply_then_*</c> kinds act after the
/// durable commit, replacing the real answer, which stays stored for an idempotent retry to replay.
/// </summary>
internal static class HttpFaults
{
    /// <summary>The fired rule for this request, or null. A merchant without rules pays one length check.</summary>
    public static FaultRule? Decide(AccountState state, ApiRoute route, HttpContext http)
    {
        if (state.FaultRules.Length == 0) return null;
        // Only Stripe's API is faulted: the control API itself (/_mock) must stay reachable to clear a `*` rule.
        if (!route.Pattern.StartsWith("/v1/", StringComparison.Ordinal)) return null;
        var method = http.Request.Method;
        var path = http.Request.Path.Value ?? "";
        // Under the merchant's lock: counters and draws advance one request at a time, so a seeded rule fires
        // on the same requests in every run that sends them in the same order. In replica mode the caller also holds the
        // tree's row lock, and the updated counters are committed with the call (shared by all replicas).
        lock (state.Gate)
        {
            var (rules, fired) = FaultRules.Decide(state.FaultRules, method, path);
            state.SetFaultRules(rules);
            return fired;
        }
    }

    /// <summary>
    /// Applies a fault that acts before execution. Returns the status to log when the request ends here
    /// (0 for an aborted connection), or null when it goes on (a delay, or an <c>apply_then_*</c> rule).
    /// </summary>
    public static async Task<int?> BeforeExecution(HttpContext http, FaultRule rule, string requestId, string accountId, ILogger log)
    {
        if (rule.AfterCommit) return null;
        Log(log, rule, http, requestId, accountId);
        switch (rule.Kind)
        {
            case FaultKind.Delay:
                try { await Task.Delay(rule.DelayMs ?? 0, http.RequestAborted); }
                catch (OperationCanceledException) { return 0; } // the client gave up while we waited
                return null;
            case FaultKind.Disconnect:
                http.Abort();
                return 0;
            default:
                var error = rule.Kind switch
                {
                    FaultKind.RateLimit => StripeError.InjectedRateLimit(rule.Id),
                    FaultKind.ServiceUnavailable => StripeError.InjectedUnavailable(rule.Id),
                    _ => StripeError.InjectedApiError(rule.Id),
                };
                await WriteError(http, rule, error, requestId);
                return error.Status;
        }
    }

    /// <summary>Replaces the committed request's answer: a 500 or an aborted connection. Returns the status to log.</summary>
    public static async Task<int> AfterCommit(HttpContext http, FaultRule rule, string requestId, string accountId, ILogger log)
    {
        Log(log, rule, http, requestId, accountId);
        if (rule.Kind == FaultKind.ApplyThenDisconnect)
        {
            http.Abort();
            return 0;
        }
        var error = StripeError.InjectedLostResponse(rule.Id);
        await WriteError(http, rule, error, requestId);
        return error.Status;
    }

    private static Task WriteError(HttpContext http, FaultRule rule, StripeError error, string requestId)
    {
        if (rule.ShouldRetry is { } retry) http.Response.Headers["Stripe-Should-Retry"] = retry ? "true" : "false";
        if (rule.RetryAfter is { } seconds) http.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return StripeApi.WriteError(http, error, requestId);
    }

    private static void Log(ILogger log, FaultRule rule, HttpContext http, string requestId, string accountId) =>
        log.LogInformation("Fault {FaultId} ({Kind}) injected into {Method} {Path} ({RequestId}, {AccountId}), fired {Fired} time(s)",
            rule.Id, rule.Kind.ToWire(), http.Request.Method, http.Request.Path.Value, requestId, accountId, rule.Fired);
}
