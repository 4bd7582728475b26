using System.Collections.Immutable;
using System.Text.Json.Nodes;
using MockProcessor.Domain.CardNetwork;
using MockProcessor.Domain.Charges;
using MockProcessor.Domain.Common;
using MockProcessor.Domain.Errors;
using MockProcessor.Server.Resources.Shared;
using MockProcessor.Server.Wire;

namespace MockProcessor.Server.Control;

/// <summary>
/// Beyond Stripe: script the card network's answers for this merchant (docs/network-rules.md). Rules are kept in
/// order on the merchant's Account; the first active match decides an attempt before the test card does.
/// Same pipeline and merchant-key auth as the other control routes.
/// </summary>
public static class NetworkRuleControlEndpoints
{
    private static readonly string[] Outcomes = ["decline", "block", "timeout", "require_3ds", "approve"];

    public static IEnumerable<ApiRoute> Routes() =>
    [
        new("POST", "/_mock/network_rules", "mock.network_rule", Create)
            { Params = "decline_code error_code match message outcome remaining settle_after_seconds settle_outcome" },
        new("GET", "/_mock/network_rules", "list:mock.network_rule", List) { Params = "" },
        new("DELETE", "/_mock/network_rules", "mock.network_rules", DeleteAll) { Params = "" },
        new("DELETE", "/_mock/network_rules/{id}", "mock.network_rule", Delete) { Params = "" },
        new("GET", "/_mock/charges/{id}/network", "mock.charge_network", ChargeNetwork) { Params = "" },
    ];

    private static ApiResult Create(ApiContext c)
    {
        var p = c.P;
        var match = ReadMatch(p.Object("match"));
        var kind = p.Enum("outcome", Outcomes) ?? throw Missing("outcome");
        var declineCode = p.String("decline_code", 100);
        var errorCode = p.String("error_code", 100);
        var message = p.String("message", 500);
        var settleAfter = p.Long("settle_after_seconds", min: 0, max: 90L * 24 * 3600);
        var settleOutcome = p.Enum("settle_outcome", "succeed", "decline");
        var remaining = p.Long("remaining", min: 1, max: int.MaxValue);

        var outcome = new NetworkRuleOutcome(kind switch
        {
            "decline" => NetworkRuleOutcomeKind.Decline,
            "block" => NetworkRuleOutcomeKind.Block,
            "timeout" => NetworkRuleOutcomeKind.Timeout,
            "require_3ds" => NetworkRuleOutcomeKind.RequireThreeDSecure,
            _ => NetworkRuleOutcomeKind.Approve,
        })
        {
            DeclineCode = declineCode, ErrorCode = errorCode, Message = message,
            SettleAfterSeconds = settleAfter ?? 60, SettleSucceeds = settleOutcome is null or "succeed",
        };
        // A decline's details only mean something where a decline can happen: say so rather than ignore them.
        var declines = kind == "decline" || (kind == "timeout" && settleOutcome == "decline");
        if (!declines && (declineCode ?? errorCode ?? message) is not null)
            throw Invalid(declineCode is not null ? "decline_code" : errorCode is not null ? "error_code" : "message",
                "Only outcome=decline, or outcome=timeout with settle_outcome=decline, takes decline details.");
        if (kind != "timeout" && (settleAfter is not null || settleOutcome is not null))
            throw Invalid(settleAfter is not null ? "settle_after_seconds" : "settle_outcome", "Only outcome=timeout settles later.");

        var rule = new NetworkRule
        {
            Id = c.Ids.Next("rule"), Created = c.Now, Match = match, Outcome = outcome, Remaining = (int?)remaining,
        };
        NetworkRuleBook.Save(c, NetworkRuleBook.Rules(c).Add(rule));
        return Render(rule);
    }

    private static NetworkRuleMatch ReadMatch(Params? m)
    {
        if (m is null) return new NetworkRuleMatch();
        return new NetworkRuleMatch
        {
            Amount = m.Long("amount", min: 0), AmountGte = m.Long("amount_gte", min: 0), AmountLte = m.Long("amount_lte", min: 0),
            Currency = m.String("currency", 3)?.ToLowerInvariant(), Brand = m.String("brand", 40)?.ToLowerInvariant(),
            Last4 = m.String("last4", 4), Country = m.String("country", 2)?.ToUpperInvariant(), Customer = m.String("customer", 100),
            Metadata = m.StringMap("metadata", out _)?.ToImmutableSortedDictionary(StringComparer.Ordinal)
                ?? ImmutableSortedDictionary<string, string>.Empty,
            Attempt = (int?)m.Long("attempt", min: 1, max: 1000),
        };
    }

    private static ApiResult List(ApiContext c) => new JsonObject
    {
        ["object"] = "list",
        ["url"] = "/_mock/network_rules",
        ["has_more"] = false,
        ["data"] = new JsonArray(NetworkRuleBook.Rules(c).Select(r => (JsonNode)Render(r)).ToArray()),
    };

    private static ApiResult Delete(ApiContext c)
    {
        var id = c.Route("id");
        var rules = NetworkRuleBook.Rules(c);
        var index = rules.FindIndex(r => r.Id == id);
        if (index < 0) throw new StripeException(StripeError.ResourceMissing("network_rule", id));
        NetworkRuleBook.Save(c, rules.RemoveAt(index));
        return new JsonObject { ["id"] = id, ["object"] = "mock.network_rule", ["deleted"] = true };
    }

    private static ApiResult DeleteAll(ApiContext c)
    {
        var count = NetworkRuleBook.Rules(c).Count;
        NetworkRuleBook.Save(c, []);
        return new JsonObject { ["object"] = "mock.network_rules", ["deleted"] = count };
    }

    // Which rule decided a charge, and a pending charge's awaited answer: emulator state Stripe's JSON has no place for.
    private static ApiResult ChargeNetwork(ApiContext c)
    {
        var charge = c.Load<Charge>(c.Route("id"), "charge");
        return new JsonObject
        {
            ["object"] = "mock.charge_network",
            ["charge"] = charge.Id,
            ["status"] = charge.Status.ToWire(),
            ["network_rule"] = charge.NetworkRule,
            ["pending_settlement"] = charge.PendingSettlement is not { } s ? null : new JsonObject
            {
                ["settle_at"] = s.DueAt,
                ["outcome"] = s.Succeeds ? "succeed" : "decline",
                ["decline_code"] = s.Failure?.DeclineCode,
            },
        };
    }

    private static JsonObject Render(NetworkRule r)
    {
        var m = r.Match;
        var match = new JsonObject();
        void Add(string key, JsonNode? value) { if (value is not null) match[key] = value; }
        Add("amount", m.Amount); Add("amount_gte", m.AmountGte); Add("amount_lte", m.AmountLte); Add("currency", m.Currency);
        Add("brand", m.Brand); Add("last4", m.Last4); Add("country", m.Country); Add("customer", m.Customer); Add("attempt", m.Attempt);
        if (!m.Metadata.IsEmpty) match["metadata"] = new JsonObject(m.Metadata.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value)));
        var o = r.Outcome;
        return new JsonObject
        {
            ["id"] = r.Id,
            ["object"] = "mock.network_rule",
            ["created"] = r.Created,
            ["match"] = match,
            ["outcome"] = o.Kind switch
            {
                NetworkRuleOutcomeKind.Decline => "decline", NetworkRuleOutcomeKind.Block => "block",
                NetworkRuleOutcomeKind.Timeout => "timeout", NetworkRuleOutcomeKind.RequireThreeDSecure => "require_3ds",
                _ => "approve",
            },
            ["decline_code"] = o.DeclineCode,
            ["error_code"] = o.ErrorCode,
            ["message"] = o.Message,
            ["settle_after_seconds"] = o.Kind is NetworkRuleOutcomeKind.Timeout ? o.SettleAfterSeconds : null,
            ["settle_outcome"] = o.Kind is NetworkRuleOutcomeKind.Timeout ? (o.SettleSucceeds ? "succeed" : "decline") : null,
            ["remaining"] = r.Remaining,
            ["active"] = r.Active,
            ["fired"] = r.Fired,
        };
    }

    private static StripeException Missing(string param) => new(StripeError.ParameterMissing(param), beforeExecution: true);
    private static StripeException Invalid(string param, string message) => new(StripeError.InvalidValue(param, message), beforeExecution: true);
}
