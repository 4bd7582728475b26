using System.Text.Json.Nodes;

namespace MockProcessor.Scenarios;

/// <summary>
/// One runnable scenario: a file, or one row of a file's <c>parameters</c> table. Plain records: YAML is one way to
/// build them (<see cref="ScenarioLoader"/>); tests can build them in code. Steps keep their validated content as
/// JSON, because <c>${...}</c> substitution happens while the scenario runs.
/// </summary>
public sealed record Scenario
{
    public required string File { get; init; }
    public required string Name { get; init; }
    public string? Description { get; init; }
    public IReadOnlyList<string> Tags { get; init; } = [];
    public long? Seed { get; init; }
    public long? StartTime { get; init; }
    public string WebhookRetry { get; init; } = "stripe";
    public required IReadOnlyList<MerchantSpec> Merchants { get; init; }
    public required IReadOnlyList<Step> Steps { get; init; }
    /// <summary>The parameters row this instance runs with (its columns are variables), or null.</summary>
    public JsonObject? Row { get; init; }
    public int? RowIndex { get; init; }

    public IEnumerable<EndpointSpec> Endpoints => Merchants.SelectMany(m => m.Webhooks);
}

public sealed record MerchantSpec(
    string Name, string? Key, long? StartTime, bool Frozen, IReadOnlyList<EndpointSpec> Webhooks,
    IReadOnlyList<JsonObject> NetworkRules, IReadOnlyList<JsonObject> Faults);

/// <summary>A webhook endpoint created at set-up: pointing at the runner's recording receiver, or at <see cref="Url"/>.</summary>
public sealed record EndpointSpec(string Name, string Merchant, IReadOnlyList<string> Events, string? Url, int Status, string? ApiVersion, bool Connect = false)
{
    public bool Recording => Url is null;
}

/// <summary>A step: its kind (the key that names it), where it is, and its content.</summary>
public sealed record Step(int Index, int Line, string Kind, JsonObject Spec)
{
    public static readonly string[] Kinds = ["request", "advance", "advance_to", "flush", "receiver", "events", "webhooks"];

    public string? Name => Spec["name"]?.GetValue<string>();
    public string? As => Spec["as"]?.GetValue<string>();

    /// <summary>How reports name the step: its name, else what it does.</summary>
    public string Title => Name ?? Kind switch
    {
        "request" => Spec["request"]!.GetValue<string>(),
        "advance" => $"advance {Spec["advance"]!.ToJsonString().Trim('"')}",
        "advance_to" => $"advance_to {Spec["advance_to"]!.ToJsonString().Trim('"')}",
        "receiver" => $"receiver {Spec["receiver"]!["name"]} answers {Spec["receiver"]!["status"]}",
        _ => Kind,
    };
}
