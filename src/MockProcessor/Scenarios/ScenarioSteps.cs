using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace MockProcessor.Scenarios;

/// <summary>The step kinds (docs/scenarios.md "Steps"). Each yields a result document that <c>save:</c> reads.</summary>
public sealed partial class ScenarioExecutor
{
    private static readonly int[] DefaultRetryOn = [0, 409, 429, 500, 502, 503, 504];

    private async Task RunStepAsync(Step step, CancellationToken ct)
    {
        if (step.Spec.ToJsonString().Contains("${now", StringComparison.Ordinal))
            _vars.Set("now", (await CallOk("GET", "/_mock/merchant_clock", null, KeyOf(step), ct))["now"]);
        JsonNode? document = step.Kind switch
        {
            "request" => await RequestAsync(step, ct),
            "advance" => await AdvanceAsync(step, new JsonObject { ["seconds"] = Seconds(Substitution.Node(step.Spec["advance"], _vars)) }, ct),
            "advance_to" => await AdvanceAsync(step, new JsonObject { ["to"] = Substitution.Node(step.Spec["advance_to"], _vars) }, ct),
            "flush" => await FlushAsync(ct),
            "receiver" => SetReceiver(step),
            "events" => await EventsAsync(step, ct),
            "webhooks" => await WebhooksAsync(step, ct),
            _ => throw new InvalidOperationException($"unknown step kind {step.Kind}"),
        };
        if (step.Spec["save"] is JsonObject save) Save(save, document);
    }

    private void Save(JsonObject save, JsonNode? document)
    {
        foreach (var (name, pathNode) in save)
        {
            var path = pathNode!.GetValue<string>();
            if (path.StartsWith("header:", StringComparison.Ordinal))
            {
                var header = path["header:".Length..].Trim();
                if (_last is null || !_last.Headers.TryGetValue(header, out var value))
                    throw new StepException($"save {name}: the response has no header {header}");
                _vars.Set(name, JsonValue.Create(value));
                continue;
            }
            var (found, v) = JsonPath.Select(document, path);
            if (!found) throw new StepException($"save {name}: nothing at {path} in the step's result");
            _vars.Set(name, v);
        }
    }

    private async Task<JsonNode?> RequestAsync(Step step, CancellationToken ct)
    {
        var spec = step.Spec;
        var line = Substitution.Text(spec["request"]!.GetValue<string>(), _vars);
        var space = line.IndexOf(' ');
        var (method, path) = (line[..space], line[(space + 1)..]);
        var form = FormEncoder.Encode(Substitution.Node(spec["params"], _vars) as JsonObject);
        var query = FormEncoder.Encode(Substitution.Node(spec["query"], _vars) as JsonObject);
        var headers = (Substitution.Node(spec["headers"], _vars) as JsonObject ?? [])
            .Select(h => KeyValuePair.Create(h.Key, Substitution.Plain(h.Value))).ToList();
        var key = spec["key"] is { } k ? Substitution.Text(k.GetValue<string>(), _vars) : KeyOf(step);

        var retry = spec["retry"] as JsonObject;
        var maxRetries = retry is null ? 0 : (int?)retry["max"]?.GetValue<long>() ?? 2;
        var retryOn = retry?["on"]?.AsArray().Select(x => (int)x!.GetValue<long>()).ToArray() ?? DefaultRetryOn;
        // Like the SDKs: a POST that may be retried carries an Idempotency-Key, generated when none is given.
        if (retry is not null && method == "POST" && !headers.Any(h => h.Key.Equals("Idempotency-Key", StringComparison.OrdinalIgnoreCase)))
            headers.Add(KeyValuePair.Create("Idempotency-Key", $"scenario-{seed}-{scenario.RowIndex ?? 0}-{step.Index}"));

        var until = spec["until"] as JsonObject;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(spec["timeout"] is { } t ? double.Parse(t.ToJsonString(), CultureInfo.InvariantCulture) : 10);
        while (true)
        {
            Reply reply;
            var attempts = 0;
            while (true)
            {
                reply = await SendAsync(method, path, form, query, headers, key, ct);
                attempts++;
                var shouldRetry = retryOn.Contains(reply.Status) && !(reply.Headers.TryGetValue("Stripe-Should-Retry", out var h) && h == "false");
                if (!shouldRetry || attempts > maxRetries) break;
            }
            // until: poll (real time, 100 ms apart) while its checks fail, then the expect checks judge the last answer.
            if (until is not null && Mismatches(until, reply, attempts) is { Count: > 0 } waiting)
            {
                if (DateTime.UtcNow >= deadline)
                    throw new StepException("until did not hold before the timeout", [.. waiting.Select(m => m with { What = "until " + m.What })]);
                await Task.Delay(100, ct);
                continue;
            }
            CheckReply(spec["expect"] as JsonObject, reply, attempts);
            return reply.Json;
        }
    }

    /// <summary>expect: status (default: any 2xx, or any error status when error: is given), body, error, headers, attempts.</summary>
    private void CheckReply(JsonObject? expect, Reply reply, int attempts)
    {
        var failed = Mismatches(expect, reply, attempts);
        if (failed.Count > 0) throw new StepException("expectations failed", failed);
    }

    private List<Mismatch> Mismatches(JsonObject? expect, Reply reply, int attempts)
    {
        var failed = new List<Mismatch>();
        var status = Substitution.Node(expect?["status"], _vars);
        if (status is not null) Add(Matchers.Check("status", true, JsonValue.Create(reply.Status), status));
        else if (expect?["error"] is not null)
        {
            if (reply.Status is < 400 and > 0) failed.Add(new Mismatch("status", "an error status (4xx/5xx)", reply.Status.ToString(CultureInfo.InvariantCulture)));
        }
        else if (reply.Status is < 200 or >= 300) failed.Add(new Mismatch("status", "2xx", reply.Status.ToString(CultureInfo.InvariantCulture)));
        if (Substitution.Node(expect?["body"], _vars) is JsonObject body)
            foreach (var (path, expected) in body) Add(CheckPath("body", reply.Json, path, expected));
        if (Substitution.Node(expect?["error"], _vars) is JsonObject error)
            foreach (var (field, expected) in error) Add(CheckPath("error", reply.Json, "error." + field, expected));
        if (Substitution.Node(expect?["headers"], _vars) is JsonObject headers)
            foreach (var (name, expected) in headers)
            {
                var found = reply.Headers.TryGetValue(name, out var value);
                Add(Matchers.Check($"header {name}", found, found ? JsonValue.Create(value) : null, expected));
            }
        if (expect?["attempts"] is { } n) Add(Matchers.Check("attempts", true, JsonValue.Create(attempts), n));
        return failed;

        void Add(Mismatch? m) { if (m is not null) failed.Add(m); }
    }

    private static Mismatch? CheckPath(string where, JsonNode? doc, string path, JsonNode? expected)
    {
        (bool, JsonNode?) selected;
        try { selected = JsonPath.Select(doc, path); }
        catch (FormatException ex) { return new Mismatch($"{where} {path}", "a valid path", ex.Message); }
        return Matchers.Check($"{where} {path}", selected.Item1, selected.Item2, expected);
    }

    private async Task<JsonNode?> AdvanceAsync(Step step, JsonObject form, CancellationToken ct)
    {
        var reply = await SendAsync("POST", "/_mock/merchant_clock/advance", FormEncoder.Encode(form), [], [], KeyOf(step), ct);
        CheckReply(step.Spec["expect"] as JsonObject, reply, 1);
        return reply.Json;
    }

    private static readonly Regex DurationPart = new(@"([0-9]+)\s*([wdhms])", RegexOptions.Compiled);

    /// <summary>Seconds from an integer or a duration such as "7d", "1h 30m", "90s", "2w".</summary>
    public static long Seconds(JsonNode? value)
    {
        if (value is JsonValue v && v.TryGetValue<long>(out var n)) return n;
        var text = Substitution.Plain(value).Trim();
        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out n)) return n;
        var matches = DurationPart.Matches(text);
        if (matches.Count == 0 || DurationPart.Replace(text, "").Trim().Length > 0)
            throw new StepException($"'{text}' is not a duration (seconds, or e.g. 7d, 1h 30m, 90s)");
        return matches.Sum(m => long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) * m.Groups[2].Value switch
        {
            "w" => 604800, "d" => 86400, "h" => 3600, "m" => 60, _ => 1,
        });
    }

    private async Task<JsonNode?> FlushAsync(CancellationToken ct)
    {
        var reply = await SendAsync("POST", "/_mock/webhooks/flush", [], [], [], null, ct);
        if (reply.Status != 200) throw new StepException($"POST /_mock/webhooks/flush answered {reply.Status}");
        return reply.Json;
    }

    private JsonNode? SetReceiver(Step step)
    {
        var r = step.Spec["receiver"]!;
        var name = r["name"]!.GetValue<string>();
        _endpoints[name].Slot!.Status = (int)r["status"]!.GetValue<long>();
        return new JsonObject { ["name"] = name, ["status"] = _endpoints[name].Slot!.Status };
    }

    /// <summary>The merchant's events (or, with <paramref name="account"/>, a connected account's), oldest first (GET /v1/events, every page).</summary>
    private async Task<List<JsonObject>> AllEventsAsync(string key, CancellationToken ct, string? account = null)
    {
        var all = new List<JsonObject>();
        string? after = null;
        List<KeyValuePair<string, string>> headers = account is null ? [] : [KeyValuePair.Create("Stripe-Account", account)];
        while (true)
        {
            var query = new JsonObject { ["limit"] = 100 };
            if (after is not null) query["starting_after"] = after;
            var reply = await SendAsync("GET", "/v1/events", FormEncoder.Encode(query), [], headers, key, ct);
            if (reply.Status != 200 || reply.Json is not JsonObject page)
                throw new StepException($"GET /v1/events{(account is null ? "" : $" (Stripe-Account: {account})")} answered {reply.Status}: {reply.Body}");
            var data = page["data"]!.AsArray().Select(e => e!.AsObject()).ToList();
            all.AddRange(data);
            if (page["has_more"]?.GetValue<bool>() != true || data.Count == 0) break;
            after = data[^1]["id"]!.GetValue<string>();
        }
        all.Reverse();
        return all;
    }

    private async Task<JsonNode?> EventsAsync(Step step, CancellationToken ct)
    {
        var spec = Substitution.Node(step.Spec["events"], _vars)!.AsObject();
        var account = spec["account"] is { } a ? Substitution.Plain(a) : null;
        var all = await AllEventsAsync(KeyOf(step), ct, account);
        var events = all;
        if (spec["type"]?.GetValue<string>() is { } type) events = events.Where(e => Glob(type, e["type"]!.GetValue<string>())).ToList();
        if (spec["object"] is { } obj)
        {
            var id = Substitution.Plain(obj);
            events = events.Where(e => e["data"]?["object"]?["id"]?.GetValue<string>() == id).ToList();
        }
        var failed = new List<Mismatch>();
        CheckList("events", events.Select(e => e["type"]!.GetValue<string>()).ToList(), spec, failed);
        CheckEnds("events", events, spec, failed);
        if (failed.Count > 0) throw new StepException("expectations failed", failed, EventsShown(all, account ?? MerchantOf(step)));
        return new JsonObject { ["count"] = events.Count, ["data"] = new JsonArray(events.Select(e => (JsonNode)e.DeepClone()).ToArray()) };
    }

    /// <summary>types (exactly, in order), contains (in this order, others between allowed), count.</summary>
    private static void CheckList(string what, List<string> types, JsonObject spec, List<Mismatch> failed)
    {
        if (spec["types"] is JsonArray exact)
        {
            var want = exact.Select(Substitution.Plain).ToList();
            if (!want.SequenceEqual(types)) failed.Add(new Mismatch($"{what} types", Show(want), Show(types)));
        }
        if (spec["contains"] is JsonArray contains)
        {
            var want = contains.Select(Substitution.Plain).ToList();
            var i = 0;
            foreach (var t in types) if (i < want.Count && t == want[i]) i++;
            if (i < want.Count) failed.Add(new Mismatch($"{what} contains (in order)", Show(want), Show(types)));
        }
        if (spec["count"] is { } count && Matchers.Check($"{what} count", true, JsonValue.Create(types.Count), count) is { } m) failed.Add(m);
    }

    private static void CheckEnds(string what, List<JsonObject> items, JsonObject spec, List<Mismatch> failed)
    {
        foreach (var end in new[] { "first", "last" })
        {
            if (spec[end] is not JsonObject paths) continue;
            if (items.Count == 0) { failed.Add(new Mismatch($"{what} {end}", "at least one", "none")); continue; }
            var item = end == "first" ? items[0] : items[^1];
            foreach (var (path, expected) in paths)
                if (CheckPath($"{what} {end}", item, path, expected) is { } m) failed.Add(m);
        }
    }

    private const int MaxListed = 50;

    /// <summary>A failed events: step shows the whole log it read (before selection), one event a line.</summary>
    private static string EventsShown(List<JsonObject> events, string whose)
    {
        var lines = events.Take(MaxListed).Select((e, i) =>
            $"  {i + 1}. {e["id"]} {e["type"]} {e["data"]?["object"]?["id"]}{(e["account"] is { } acct ? $" (account {acct})" : "")}");
        var more = events.Count > MaxListed ? $"\n  … {events.Count - MaxListed} more" : "";
        return $"events of {whose} ({events.Count}, oldest first):" + (events.Count == 0 ? " none" : "\n" + string.Join("\n", lines)) + more;
    }

    private static string Show(List<string> list) => "[" + string.Join(", ", list) + "]";

    /// <summary>An event type pattern: exact, or with * for any run of characters (charge.* , *.succeeded).</summary>
    public static bool Glob(string pattern, string value) =>
        pattern == value || (pattern.Contains('*') && Regex.IsMatch(value, "^" + Regex.Escape(pattern).Replace("\\*", ".*") + "$"));
}
