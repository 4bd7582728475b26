namespace MockProcessor.Scenarios;

public sealed record RunOptions
{
    public long Seed { get; init; } = 42;
    public string? BaseUrl { get; init; }
    public int Parallel { get; init; } = Math.Max(2, Environment.ProcessorCount * 2);
    public bool FailFast { get; init; }
}

/// <summary>
/// Runs scenarios in parallel (each in its own in-process emulator, or against <see cref="RunOptions.BaseUrl"/> with
/// merchants of their own) and returns the results in the scenarios' order, whatever order they finished in.
/// </summary>
public static class ScenarioRunner
{
    public static async Task<List<ScenarioResult>> RunAsync(IReadOnlyList<Scenario> scenarios, RunOptions options,
        Action<Scenario>? started = null, Action<ScenarioResult>? finished = null, CancellationToken ct = default)
    {
        var results = new ScenarioResult?[scenarios.Count];
        await using var receiver = scenarios.Any(s => s.Endpoints.Any(e => e.Recording)) ? new RecordingReceiver() : null;
        if (receiver is not null) await receiver.StartAsync();
        using var remote = options.BaseUrl is { } url
            ? new HttpClient { BaseAddress = new Uri(url.TrimEnd('/') + "/"), Timeout = TimeSpan.FromSeconds(60) }
            : null;
        // Remote merchants must not collide with earlier runs against the same emulator: a nonce per run.
        var nonce = Convert.ToString(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() % 2_000_000_000L, 16) + Random.Shared.Next(0x1000).ToString("x3");
        var stop = false;
        await Parallel.ForEachAsync(Enumerable.Range(0, scenarios.Count),
            new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.Parallel), CancellationToken = ct },
            async (i, token) =>
            {
                var scenario = scenarios[i];
                var seed = scenario.Seed ?? options.Seed;
                ScenarioResult result;
                if (stop) result = new ScenarioResult(scenario, seed, Outcome.Skipped, 0, null, TimeSpan.Zero);
                else
                {
                    started?.Invoke(scenario);
                    Func<Task<IEmulator>> start = remote is null
                        ? async () => await InProcessEmulator.StartAsync(scenario, seed)
                        : () => Task.FromResult<IEmulator>(new RemoteEmulator(remote, nonce, i + 1));
                    try { result = await ScenarioExecutor.RunAsync(scenario, start, receiver, seed, token); }
                    catch (Exception ex) when (ex is not OperationCanceledException)
                    {
                        // A bug in the runner or the emulator: reported as this scenario's failure, the run goes on.
                        result = new ScenarioResult(scenario, seed, Outcome.Failed, 0,
                            new StepFailure(0, "runner", 1, [], $"{ex.GetType().Name}: {ex.Message}", null), TimeSpan.Zero);
                    }
                    if (result.Outcome == Outcome.Failed && options.FailFast) stop = true;
                }
                results[i] = result;
                finished?.Invoke(result);
            });
        return [.. results.Select(r => r!)];
    }
}
