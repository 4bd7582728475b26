using System.Text.Json.Nodes;

namespace MockProcessor.Scenarios;

/// <summary>
/// The <c>webhooks:</c> step: what the recording receiver got. It first asks the emulator to send what is due
/// (<c>POST /_mock/webhooks/flush</c>); against a remote emulator that sends on its own it then re-checks until the
/// expectations hold or <c>timeout</c> seconds pass (the wait for deliveries).
/// </summary>
public sealed partial class ScenarioExecutor
{
    private async Task<JsonNode?> WebhooksAsync(Step step, CancellationToken ct)
    {
        var spec = Substitution.Node(step.Spec["webhooks"], _vars)!.AsObject();
        var name = spec["receiver"]?.GetValue<string>() ?? _endpoints.Values.Single(e => e.Spec.Recording).Spec.Name;
        var endpoint = _endpoints[name];
        var timeout = TimeSpan.FromSeconds((spec["timeout"] is { } t ? double.Parse(t.ToJsonString(), System.Globalization.CultureInfo.InvariantCulture) : (double?)null) ?? (emulator.InProcess ? 0 : 10));
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            await FlushAsync(ct);
            var (failed, document) = await CheckDeliveriesAsync(spec, endpoint.Slot!, endpoint.Secret, _merchants[endpoint.Spec.Merchant].Key, ct);
            if (failed.Count == 0) return document;
            if (DateTime.UtcNow >= deadline) throw new StepException("expectations failed", failed, DeliveriesShown(name, endpoint.Slot!, endpoint.Secret));
            await Task.Delay(100, ct);
        }
    }

    /// <summary>A failed webhooks: step shows everything the receiver recorded (before selection), one delivery a line.</summary>
    private static string DeliveriesShown(string name, ReceiverSlot slot, string secret)
    {
        var received = slot.Snapshot();
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var lines = received.Take(MaxListed).Select(r =>
            $"  #{r.Sequence} {r.EventId} {r.Type} {r.Event["data"]?["object"]?["id"]} → answered {r.Answered}, signature {(r.SignatureValid(secret, now) ? "valid" : "invalid")}");
        var more = received.Count > MaxListed ? $"\n  … {received.Count - MaxListed} more" : "";
        return $"deliveries recorded by {name} ({received.Count}, arrival order):" + (received.Count == 0 ? " none" : "\n" + string.Join("\n", lines)) + more;
    }

    private async Task<(List<Mismatch>, JsonNode)> CheckDeliveriesAsync(JsonObject spec, ReceiverSlot slot, string secret, string key, CancellationToken ct)
    {
        var received = slot.Snapshot();
        if (spec["type"]?.GetValue<string>() is { } type) received = received.Where(r => Glob(type, r.Type)).ToList();
        if (spec["accepted"]?.GetValue<bool>() is { } accepted) received = received.Where(r => r.Accepted == accepted).ToList();
        var failed = new List<Mismatch>();
        CheckList("webhooks", received.Select(r => r.Type).ToList(), spec, failed);
        CheckEnds("webhooks", received.Select(r => r.Event).ToList(), spec, failed);

        if (spec["duplicates"] is { } dups)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            var duplicates = received.Count(r => !seen.Add(r.EventId));
            if (Matchers.Check("webhooks duplicates", true, JsonValue.Create(duplicates), dups) is { } m) failed.Add(m);
        }
        if (spec["distinct_types"] is not null || spec["out_of_order"] is not null)
        {
            // Creation order is the order of the merchant's event log, which is what a consumer sorting by event recovers.
            var order = (await AllEventsAsync(key, ct)).Select((e, i) => (Id: e["id"]!.GetValue<string>(), i)).ToDictionary(x => x.Id, x => x.i);
            var firsts = received.DistinctBy(r => r.EventId).ToList();
            var positions = firsts.Select(r => order.GetValueOrDefault(r.EventId, int.MaxValue)).ToList();
            if (spec["distinct_types"] is JsonArray want)
            {
                var sorted = firsts.OrderBy(r => order.GetValueOrDefault(r.EventId, int.MaxValue)).Select(r => r.Type).ToList();
                var expected = want.Select(Substitution.Plain).ToList();
                if (!expected.SequenceEqual(sorted)) failed.Add(new Mismatch("webhooks distinct_types", Show(expected), Show(sorted)));
            }
            if (spec["out_of_order"]?.GetValue<bool>() is { } outOfOrder)
            {
                var actual = positions.Zip(positions.Skip(1)).Any(p => p.First > p.Second);
                if (actual != outOfOrder)
                    failed.Add(new Mismatch("webhooks out_of_order", outOfOrder ? "arrival order differs from event order" : "arrival in event order",
                        $"arrival order {Show(firsts.Select(r => r.Type).ToList())}"));
            }
        }
        if (spec["signatures"]?.GetValue<string>() is { } signatures)
        {
            var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds(); // the receiver's own clock, as an SDK checks t
            var wantValid = signatures == "valid";
            var wrong = received.Where(r => r.SignatureValid(secret, now) != wantValid).Select(r => $"#{r.Sequence} {r.Type}").ToList();
            if (received.Count == 0) failed.Add(new Mismatch("webhooks signatures", $"{signatures} signatures", "no deliveries"));
            else if (wrong.Count > 0) failed.Add(new Mismatch("webhooks signatures", $"every signature {signatures}", $"not {signatures}: {string.Join(", ", wrong)}"));
        }
        var document = new JsonObject
        {
            ["count"] = received.Count,
            ["data"] = new JsonArray(received.Select(r => (JsonNode)r.Event.DeepClone()).ToArray()),
            ["answered"] = new JsonArray(received.Select(r => (JsonNode)r.Answered).ToArray()),
        };
        return (failed, document);
    }
}
