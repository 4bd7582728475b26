using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace MockProcessor.Scenarios;

public enum Outcome { Passed, Failed, Skipped }

/// <summary>
/// Why a scenario failed: the step (0 = set-up), its line, the failed checks or the error, and the last response — or,
/// for a failed events:/webhooks: step, <see cref="Recorded"/>: the events or deliveries it read, one a line.
/// </summary>
public sealed record StepFailure(int Step, string Title, int Line, IReadOnlyList<Mismatch> Mismatches, string? Error, string? LastResponse, string? Recorded = null);

public sealed record ScenarioResult(Scenario Scenario, long Seed, Outcome Outcome, int StepsPassed, StepFailure? Failure, TimeSpan Duration);

/// <summary>An answer from the emulator. Status 0: no answer at all (the connection was dropped).</summary>
public sealed record Reply(string Method, string Path, int Status, string Body, JsonNode? Json, Dictionary<string, string> Headers);

/// <summary>Thrown by a step that cannot go on; becomes the scenario's failure.</summary>
public sealed class StepException(string message, IReadOnlyList<Mismatch>? mismatches = null, string? shown = null) : Exception(message)
{
    public IReadOnlyList<Mismatch> Mismatches { get; } = mismatches ?? [];

    /// <summary>What the failure shows instead of the last response (an events: or webhooks: step's recordings).</summary>
    public string? Shown { get; } = shown;
}

/// <summary>
/// Runs one scenario against one emulator: set-up (merchants, their clocks, webhook endpoints, network rules, faults),
/// then the steps in order, stopping at the first that fails. The step kinds are in <see cref="ScenarioSteps"/>.
/// </summary>
public sealed partial class ScenarioExecutor(Scenario scenario, IEmulator emulator, RecordingReceiver? receiver, long seed)
{
    private const int MaxShownBody = 4000;
    private readonly Variables _vars = new(scenario.Row) { Deferred = { "now" } };
    private readonly Dictionary<string, (MerchantSpec Spec, string Key)> _merchants = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (EndpointSpec Spec, ReceiverSlot? Slot, string Secret)> _endpoints = new(StringComparer.Ordinal);
    private Reply? _last;

    public static async Task<ScenarioResult> RunAsync(Scenario scenario, Func<Task<IEmulator>> start, RecordingReceiver? receiver, long seed, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew(); // the console's timing column only; never in the JUnit or JSON reports
        await using var emulator = await start();
        var executor = new ScenarioExecutor(scenario, emulator, receiver, seed);
        var (outcome, passed, failure) = await executor.RunAsync(ct);
        foreach (var (_, slot, _) in executor._endpoints.Values)
            if (slot is not null) receiver!.Release(slot);
        return new ScenarioResult(scenario, seed, outcome, passed, failure, clock.Elapsed);
    }

    private async Task<(Outcome, int, StepFailure?)> RunAsync(CancellationToken ct)
    {
        try { await SetUpAsync(ct); }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return (Outcome.Failed, 0, new StepFailure(0, "set-up", 1, (ex as StepException)?.Mismatches ?? [], ex.Message, Shown(_last)));
        }
        var passed = 0;
        foreach (var step in scenario.Steps)
        {
            ct.ThrowIfCancellationRequested();
            try
            {
                await RunStepAsync(step, ct);
                passed++;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // Any failure inside a step is that step's failure (with its line), not a crash of the run.
                var mismatches = (ex as StepException)?.Mismatches ?? [];
                var recorded = (ex as StepException)?.Shown;
                return (Outcome.Failed, passed, new StepFailure(step.Index, step.Title, step.Line, mismatches,
                    mismatches.Count > 0 ? null : ex.Message, recorded is null ? Shown(_last) : null, recorded));
            }
        }
        return (Outcome.Passed, passed, null);
    }

    private async Task SetUpAsync(CancellationToken ct)
    {
        var merchantsVar = new JsonObject();
        var hooksVar = new JsonObject();
        _vars.Set("scenario", new JsonObject { ["name"] = scenario.Name, ["seed"] = seed, ["row"] = scenario.RowIndex });
        foreach (var m in scenario.Merchants)
        {
            var key = emulator.KeyFor(scenario, m);
            _merchants[m.Name] = (m, key);
            var clock = await CallOk("GET", "/_mock/merchant_clock", null, key, ct);
            var suffix = key["sk_test_".Length..];
            merchantsVar[m.Name] = new JsonObject
            {
                ["id"] = clock["account"]!.GetValue<string>(), ["key"] = key, ["publishable_key"] = "pk_test_" + suffix,
            };
            _vars.Set("merchants", merchantsVar);
            if (m.StartTime is { } start && start > clock["now"]!.GetValue<long>())
                await CallOk("POST", "/_mock/merchant_clock/advance", new JsonObject { ["to"] = start }, key, ct);
            if (m.Frozen) await CallOk("POST", "/_mock/merchant_clock/freeze", null, key, ct);
            // Endpoints before faults: a fault rule on /v1/* must not break the runner's own set-up.
            foreach (var e in m.Webhooks)
            {
                ReceiverSlot? slot = null;
                var url = e.Url;
                if (e.Recording)
                {
                    (url, slot) = receiver!.NewSlot();
                    slot.Status = e.Status;
                }
                var form = new JsonObject { ["url"] = url, ["enabled_events"] = new JsonArray(e.Events.Select(x => (JsonNode)x!).ToArray()) };
                if (e.ApiVersion is not null) form["api_version"] = e.ApiVersion;
                if (e.Connect) form["connect"] = true;
                var created = await CallOk("POST", "/v1/webhook_endpoints", form, key, ct);
                var secret = created["secret"]?.GetValue<string>() ?? "";
                if (slot is not null) slot.Secret = secret;
                _endpoints[e.Name] = (e, slot, secret);
                hooksVar[e.Name] = new JsonObject { ["id"] = created["id"]!.GetValue<string>(), ["secret"] = secret, ["url"] = url };
                _vars.Set("webhooks", hooksVar);
            }
            foreach (var rule in m.NetworkRules)
                await CallOk("POST", "/_mock/network_rules", Substitution.Node(rule, _vars)!.AsObject(), key, ct);
            foreach (var fault in m.Faults)
                await CallOk("POST", "/_mock/faults", Substitution.Node(fault, _vars)!.AsObject(), key, ct);
        }
        _vars.Set("merchants", merchantsVar);
        _vars.Set("webhooks", hooksVar);
    }

    private string MerchantOf(Step step) => step.As ?? scenario.Merchants[0].Name;

    private string KeyOf(Step step) => _merchants[MerchantOf(step)].Key;

    private async Task<JsonObject> CallOk(string method, string path, JsonObject? form, string? key, CancellationToken ct)
    {
        var reply = await SendAsync(method, path, FormEncoder.Encode(form), [], [], key, ct);
        if (reply.Status is < 200 or >= 300 || reply.Json is not JsonObject o)
            throw new StepException($"{method} {path} answered {reply.Status}: {Cut(reply.Body, 500)}");
        return o;
    }

    /// <summary>One HTTP request as an SDK sends it: form pairs in the body (POST) or the query string (GET, DELETE).</summary>
    private async Task<Reply> SendAsync(string method, string path, List<KeyValuePair<string, string>> form,
        List<KeyValuePair<string, string>> query, IEnumerable<KeyValuePair<string, string>> headers, string? key, CancellationToken ct)
    {
        var inQuery = method == "POST" ? query : [.. form, .. query];
        var url = path.TrimStart('/');
        if (inQuery.Count > 0) url += (url.Contains('?') ? "&" : "?") + FormEncoder.Text(inQuery);
        using var request = new HttpRequestMessage(new HttpMethod(method), url);
        if (method == "POST")
            request.Content = new StringContent(FormEncoder.Text(form), Encoding.UTF8, "application/x-www-form-urlencoded");
        if (!string.IsNullOrEmpty(key)) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        foreach (var (name, value) in headers) request.Headers.TryAddWithoutValidation(name, value);
        Reply reply;
        try
        {
            using var response = await emulator.Http.SendAsync(request, ct);
            var body = await response.Content.ReadAsStringAsync(ct);
            JsonNode? json = null;
            // A CSV answer (report files) reads as a list of rows, each an object of header → text.
            if (response.Content.Headers.ContentType?.MediaType == "text/csv") json = Csv.Rows(body);
            else
                try { json = body.Length > 0 ? JsonNode.Parse(body) : null; }
                catch (System.Text.Json.JsonException) { /* not JSON: checks on it fail with the text shown */ }
            var hs = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var h in response.Headers.Concat(response.Content.Headers)) hs[h.Key] = string.Join(", ", h.Value);
            reply = new Reply(method, path, (int)response.StatusCode, body, json, hs);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException || (ex is TaskCanceledException && !ct.IsCancellationRequested))
        {
            // A dropped connection (the disconnect faults): no status, no body.
            reply = new Reply(method, path, 0, $"(no response: {ex.GetBaseException().Message})", null, []);
        }
        _last = reply;
        return reply;
    }

    private static string? Shown(Reply? r) => r is null ? null : $"{r.Method} {r.Path} → {r.Status}\n{Cut(r.Body, MaxShownBody)}";

    private static string Cut(string s, int max) => s.Length > max ? s[..max] + $"… ({s.Length} characters)" : s;
}
