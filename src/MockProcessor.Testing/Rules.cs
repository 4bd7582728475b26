using System.Text.Json.Nodes;

namespace MockProcessor.Testing;

/// <summary>The card network's scripted answer (docs/network-rules.md).</summary>
public enum NetworkOutcome { Decline, Block, Timeout, Require3ds, Approve }

/// <summary>Conditions a network rule matches on; absent ones match anything.</summary>
public sealed record NetworkRuleMatch
{
    public long? Amount { get; init; }
    public long? AmountGte { get; init; }
    public long? AmountLte { get; init; }
    public string? Currency { get; init; }
    public string? Brand { get; init; }
    public string? Country { get; init; }
    public string? Last4 { get; init; }
    public string? Customer { get; init; }
    public int? Attempt { get; init; }
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }
}

/// <summary>A rule to append: <c>POST /_mock/network_rules</c>.</summary>
public sealed record NetworkRuleSpec(NetworkOutcome Outcome)
{
    public NetworkRuleMatch? Match { get; init; }
    public string? DeclineCode { get; init; }
    public string? ErrorCode { get; init; }
    public string? Message { get; init; }
    public int? SettleAfterSeconds { get; init; }
    /// <summary><c>succeed</c> or <c>decline</c>, for <see cref="NetworkOutcome.Timeout"/>.</summary>
    public string? SettleOutcome { get; init; }
    /// <summary>Only the next N attempts it decides; null: forever.</summary>
    public int? Remaining { get; init; }
}

/// <summary>A rule as the emulator holds it, with its counters; <see cref="Raw"/> is the whole answer.</summary>
public sealed record NetworkRule(string Id, string Outcome, long Fired, long? Remaining, bool Active, JsonObject Raw)
{
    internal static NetworkRule From(JsonObject j) =>
        new((string)j["id"]!, (string)j["outcome"]!, (long?)j["fired"] ?? 0, (long?)j["remaining"], (bool?)j["active"] ?? true, j);
}

/// <summary>One merchant's network rules: thin typed calls over <c>/_mock/network_rules</c>.</summary>
public sealed class NetworkRules
{
    private readonly ControlApi _api;
    private readonly string _key;
    internal NetworkRules(ControlApi api, string key) => (_api, _key) = (api, key);

    public async Task<NetworkRule> AddAsync(NetworkRuleSpec spec, CancellationToken ct = default)
    {
        var m = spec.Match ?? new NetworkRuleMatch();
        var form = new Form()
            .Add("outcome", spec.Outcome switch
            {
                NetworkOutcome.Decline => "decline", NetworkOutcome.Block => "block", NetworkOutcome.Timeout => "timeout",
                NetworkOutcome.Require3ds => "require_3ds", NetworkOutcome.Approve => "approve",
                _ => throw new ArgumentOutOfRangeException(nameof(spec)),
            })
            .Add("match[amount]", m.Amount).Add("match[amount_gte]", m.AmountGte).Add("match[amount_lte]", m.AmountLte)
            .Add("match[currency]", m.Currency).Add("match[brand]", m.Brand).Add("match[country]", m.Country)
            .Add("match[last4]", m.Last4).Add("match[customer]", m.Customer).Add("match[attempt]", m.Attempt)
            .Add("decline_code", spec.DeclineCode).Add("error_code", spec.ErrorCode).Add("message", spec.Message)
            .Add("settle_after_seconds", spec.SettleAfterSeconds).Add("settle_outcome", spec.SettleOutcome).Add("remaining", spec.Remaining);
        foreach (var (k, v) in m.Metadata ?? new Dictionary<string, string>()) form.Add($"match[metadata][{k}]", v);
        return NetworkRule.From(await _api.PostAsync("/_mock/network_rules", _key, form, ct));
    }

    /// <summary>The rules in evaluation order.</summary>
    public async Task<IReadOnlyList<NetworkRule>> ListAsync(CancellationToken ct = default) =>
        (await _api.GetAsync("/_mock/network_rules", _key, ct))["data"]!.AsArray().Select(r => NetworkRule.From(r!.AsObject())).ToList();

    public async Task DeleteAsync(string id, CancellationToken ct = default) =>
        await _api.DeleteAsync($"/_mock/network_rules/{Uri.EscapeDataString(id)}", _key, ct);

    /// <summary>Removes every rule; answers how many there were.</summary>
    public async Task<long> ClearAsync(CancellationToken ct = default) =>
        (long)(await _api.DeleteAsync("/_mock/network_rules", _key, ct))["deleted"]!;
}

/// <summary>What a fault rule makes the emulator do to a matching request (docs/faults.md).</summary>
public enum FaultKind { ApiError, RateLimit, ServiceUnavailable, Delay, Disconnect, ApplyThenFail, ApplyThenDisconnect }

/// <summary>A fault rule to add: <c>POST /_mock/faults</c>. <see cref="Path"/> is exact or a glob (<c>/v1/payment_intents*</c>).</summary>
public sealed record FaultSpec(string Path, FaultKind Kind)
{
    /// <summary><c>GET</c>, <c>POST</c>, <c>DELETE</c> or null for any.</summary>
    public string? Method { get; init; }
    public int? Count { get; init; }
    public int? Percentage { get; init; }
    public long? Seed { get; init; }
    public int? DelayMs { get; init; }
    public bool? ShouldRetry { get; init; }
    public int? RetryAfter { get; init; }
}

/// <summary>A fault rule with its counters (<c>matched</c>: requests that drew, <c>fired</c>: injections).</summary>
public sealed record FaultRule(string Id, string Path, string Kind, long Matched, long Fired, long? Remaining, JsonObject Raw)
{
    internal static FaultRule From(JsonObject j) =>
        new((string)j["id"]!, (string)j["path"]!, (string)j["kind"]!, (long?)j["matched"] ?? 0, (long?)j["fired"] ?? 0, (long?)j["remaining"], j);
}

/// <summary>One merchant's HTTP fault rules: thin typed calls over <c>/_mock/faults</c>. Only /v1 requests are faulted.</summary>
public sealed class Faults
{
    private readonly ControlApi _api;
    private readonly string _key;
    internal Faults(ControlApi api, string key) => (_api, _key) = (api, key);

    public async Task<FaultRule> AddAsync(FaultSpec spec, CancellationToken ct = default)
    {
        var form = new Form()
            .Add("path", spec.Path)
            .Add("kind", spec.Kind switch
            {
                FaultKind.ApiError => "api_error", FaultKind.RateLimit => "rate_limit", FaultKind.ServiceUnavailable => "service_unavailable",
                FaultKind.Delay => "delay", FaultKind.Disconnect => "disconnect", FaultKind.ApplyThenFail => "apply_then_fail",
                FaultKind.ApplyThenDisconnect => "apply_then_disconnect",
                _ => throw new ArgumentOutOfRangeException(nameof(spec)),
            })
            .Add("method", spec.Method).Add("count", spec.Count).Add("percentage", spec.Percentage).Add("seed", spec.Seed)
            .Add("delay_ms", spec.DelayMs).Add("should_retry", spec.ShouldRetry).Add("retry_after", spec.RetryAfter);
        return FaultRule.From(await _api.PostAsync("/_mock/faults", _key, form, ct));
    }

    public async Task<IReadOnlyList<FaultRule>> ListAsync(CancellationToken ct = default) =>
        (await _api.GetAsync("/_mock/faults", _key, ct))["data"]!.AsArray().Select(r => FaultRule.From(r!.AsObject())).ToList();

    public async Task<FaultRule> GetAsync(string id, CancellationToken ct = default) =>
        FaultRule.From(await _api.GetAsync($"/_mock/faults/{Uri.EscapeDataString(id)}", _key, ct));

    public async Task<long> ClearAsync(CancellationToken ct = default) =>
        (long)(await _api.DeleteAsync("/_mock/faults", _key, ct))["deleted"]!;
}
