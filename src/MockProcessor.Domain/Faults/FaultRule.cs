namespace MockProcessor.Domain.Faults;

/// <summary>What an HTTP fault rule does to a request it fires on (wire names: snake_case of the member).</summary>
public enum FaultKind
{
    /// <summary>500 <c>api_error</c>; nothing executes.</summary>
    ApiError,
    /// <summary>429 <c>code=rate_limit</c> (type <c>invalid_request_error</c>, as Stripe sends it); nothing executes.</summary>
    RateLimit,
    /// <summary>503 <c>api_error</c>; nothing executes.</summary>
    ServiceUnavailable,
    /// <summary>Waits <see cref="FaultRule.DelayMs"/>, then the request proceeds normally.</summary>
    Delay,
    /// <summary>The connection is aborted without an answer; nothing executes.</summary>
    Disconnect,
    /// <summary>The request executes and commits; the client gets a 500 instead of the answer (a lost response).</summary>
    ApplyThenFail,
    /// <summary>The request executes and commits; the connection is then aborted without an answer.</summary>
    ApplyThenDisconnect,
}

/// <summary>
/// One scripted HTTP fault of a merchant: requests matching <see cref="Method"/> and <see cref="Path"/> get
/// <see cref="Kind"/>, for the next <see cref="Count"/> of them and/or a seeded <see cref="Percentage"/>.
/// Immutable: <see cref="FaultRules.Decide"/> returns the updated rule with its counters and random state.
/// Not a <c>StripeObject</c>: rules are test scaffolding held in memory, not merchant data.
/// </summary>
public sealed record FaultRule
{
    public required string Id { get; init; }
    public required long Created { get; init; }
    /// <summary>Upper-case HTTP method, or <c>*</c> for any.</summary>
    public required string Method { get; init; }
    /// <summary>Exact path, or a glob where <c>*</c> matches any run of characters (slashes included).</summary>
    public required string Path { get; init; }
    public required FaultKind Kind { get; init; }
    /// <summary>How many times the rule may fire in all; null = unlimited (a pure percentage rule).</summary>
    public long? Count { get; init; }
    /// <summary>Firings left; null = unlimited. A rule at 0 is spent and matches nothing.</summary>
    public long? Remaining { get; init; }
    /// <summary>1..100: the chance that a matching request fires; null = every matching request.</summary>
    public int? Percentage { get; init; }
    public long Seed { get; init; }
    /// <summary>SplitMix64 state, starting at <see cref="Seed"/>: one draw per matching request.</summary>
    public ulong RandomState { get; init; }
    public int? DelayMs { get; init; }
    /// <summary>The <c>Stripe-Should-Retry</c> header; null = not sent.</summary>
    public bool? ShouldRetry { get; init; }
    /// <summary>The <c>Retry-After</c> header in seconds; null = not sent.</summary>
    public int? RetryAfter { get; init; }
    /// <summary>Requests that matched method and path while the rule was live (each one drew a number).</summary>
    public long Matched { get; init; }
    public long Fired { get; init; }

    public bool Spent => Remaining == 0;

    /// <summary>Kinds that answer with an error status of their own (so <c>Stripe-Should-Retry</c> and <c>Retry-After</c> apply).</summary>
    public static bool AnswersWithError(FaultKind kind) =>
        kind is FaultKind.ApiError or FaultKind.RateLimit or FaultKind.ServiceUnavailable or FaultKind.ApplyThenFail;

    /// <summary>Kinds whose request executes and commits before the fault (the response is what gets lost).</summary>
    public bool AfterCommit => Kind is FaultKind.ApplyThenFail or FaultKind.ApplyThenDisconnect;
}

/// <summary>The pure decision: which rule, if any, fires on a request. No I/O, no clock, no shared randomness.</summary>
public static class FaultRules
{
    /// <summary>
    /// Evaluates the rules in creation order; the first live rule that matches and whose draw says yes fires,
    /// and later rules are not consulted (they draw nothing). A matching percentage rule whose draw says no
    /// passes the request on to the next rule. Returns the rules with updated counters (the same array when
    /// nothing matched) and the fired rule as it is after firing.
    /// </summary>
    public static (FaultRule[] Rules, FaultRule? Fired) Decide(FaultRule[] rules, string method, string path)
    {
        FaultRule[]? updated = null;
        for (var i = 0; i < rules.Length; i++)
        {
            var rule = rules[i];
            if (rule.Spent || !Matches(rule, method, path)) continue;
            var state = rule.RandomState;
            var fires = rule.Percentage is not { } pct || (int)(Next(ref state) % 100) < pct;
            var next = rule with
            {
                RandomState = state,
                Matched = rule.Matched + 1,
                Fired = rule.Fired + (fires ? 1 : 0),
                Remaining = fires && rule.Remaining is { } left ? left - 1 : rule.Remaining,
            };
            updated ??= (FaultRule[])rules.Clone();
            updated[i] = next;
            if (fires) return (updated, next);
        }
        return (updated ?? rules, null);
    }

    public static bool Matches(FaultRule rule, string method, string path) =>
        (rule.Method == "*" || string.Equals(rule.Method, method, StringComparison.OrdinalIgnoreCase))
        && GlobMatches(rule.Path, path);

    /// <summary>
    /// <c>*</c> matches any run of characters, slashes included (so <c>/v1/payment_intents*</c> covers
    /// <c>/v1/payment_intents/pi_1/confirm</c>); everything else is literal and case-sensitive, as URL paths are.
    /// </summary>
    public static bool GlobMatches(string pattern, string path)
    {
        // Greedy with one backtrack point: linear enough for the short patterns tests write.
        int p = 0, s = 0, star = -1, mark = 0;
        while (s < path.Length)
        {
            if (p < pattern.Length && pattern[p] == '*') { star = p++; mark = s; }
            else if (p < pattern.Length && pattern[p] == path[s]) { p++; s++; }
            else if (star >= 0) { p = star + 1; s = ++mark; }
            else return false;
        }
        while (p < pattern.Length && pattern[p] == '*') p++;
        return p == pattern.Length;
    }

    // SplitMix64, as IdGenerator: the sequence of draws depends only on the seed, so a run repeats exactly.
    private static ulong Next(ref ulong state)
    {
        var z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
