
namespace MockProcessor.Server.Tests.Control;

/// <summary>GET /_mock/stats: what the emulator holds and what the runtime did (README, "What is emulated so far").</summary>
public class StatsEndpointTests : IAsyncLifetime
{
    private readonly TestApp _app = new();
    public Task InitializeAsync() => Task.CompletedTask;
    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task Counts_objects_by_type_and_reports_the_collector_the_thread_pool_and_the_jit()
    {
        var c = _app.Client("sk_test_stats_counts");
        var before = await (await c.GetAsync("/_mock/stats")).OkAsync();
        var customersBefore = (long?)before["objects"]!["customer"] ?? 0;
        for (var i = 0; i < 3; i++) await (await c.PostFormAsync("/v1/customers", ("email", $"stats{i}@example.com"))).OkAsync();

        var after = await (await c.GetAsync("/_mock/stats?gc=true")).OkAsync();
        Assert.Equal("mock.stats", (string)after["object"]!);
        Assert.Equal(customersBefore + 3, (long)after["objects"]!["customer"]!);
        Assert.True((long)after["managed_heap_bytes"]! > 0);
        Assert.True((long)after["gc"]!["allocated_bytes"]! >= (long)before["gc"]!["allocated_bytes"]!);
        Assert.True((int)after["thread_pool"]!["threads"]! >= 1);
        Assert.True((long)after["thread_pool"]!["completed_items"]! >= (long)before["thread_pool"]!["completed_items"]!);
        // Serving requests has compiled methods by now, taking some time; the count only grows.
        Assert.True((long)before["jit"]!["compiled_methods"]! > 0);
        Assert.True((long)after["jit"]!["compiled_methods"]! >= (long)before["jit"]!["compiled_methods"]!);
        Assert.True((long)after["jit"]!["compilation_ms"]! > 0);
    }
}
