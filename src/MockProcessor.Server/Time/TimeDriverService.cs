using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MockProcessor.Domain.Accounts;
using MockProcessor.Server.Storage;

namespace MockProcessor.Server.Time;

/// <summary>
/// Fires due time-driven work for merchants whose clocks run on their own (realtime), once a second and right
/// after the emulator's clock is advanced. Merchant clock advances fire their work themselves, synchronously.
/// </summary>
public sealed class TimeDriverService(ObjectStore store, Webhooks.WebhookDueQueue due, MerchantClock clock, TimeDriver driver, ILogger<TimeDriverService> log)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try { await TickAsync(); }
                catch (Exception ex) { log.LogError(ex, "Time-driven work failed; will retry on the next tick"); }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { }
    }

    /// <summary>
    /// One tick. In replica mode a tick is skipped while any replica advances the shared process clock: that advance fires
    /// (and counts) what its move made due.
    /// </summary>
    private async Task TickAsync()
    {
        if (store.Replica is null)
        {
            await RunAllDueAsync();
            return;
        }
        await using var lease = await store.Replica.TryTickAsync();
        if (lease is not null) await RunAllDueAsync(tick: true);
    }

    /// <summary>
    /// Runs every merchant's work that is due on its clock now; waits until it is durable. <paramref name="tick"/>: the
    /// periodic tick of replica mode, which leaves trees another replica is writing to that replica
    /// (<see cref="ObjectStore.CatchUpAll"/>); an advance catches up every tree.
    /// </summary>
    public async Task<int> RunAllDueAsync(bool tick = false)
    {
        var fired = 0;
        var commits = new List<Task>();
        // Replica mode (docs/deploy.md): learn the trees other replicas changed, and fire a tree's due work only under its
        // row lock, after catching up: a replica racing for the same item waits, catches up, finds it done and fires nothing.
        store.CatchUpAll(leaveMoving: tick);
        foreach (var state in store.Accounts)
        {
            if (store.Replica is not null)
            {
                bool isDue;
                lock (state.Gate) isDue = state.Timers.TryPeek(out _, out var peeked) && peeked.Due <= clock.Now(state);
                if (!isDue) continue;
                Task durable = Task.CompletedTask;
                using (await store.EnterAsync(state))
                lock (state.Gate)
                {
                    var now = clock.Now(state);
                    if (!state.Timers.TryPeek(out _, out var key) || key.Due > now) continue;
                    var tx = store.Begin(state);
                    var account = tx.Get<Account>(state.AccountId)!;
                    fired += driver.RunDue(state, tx, account, now);
                    durable = tx.Commit();
                }
                commits.Add(durable);
                continue;
            }
            lock (state.Gate)
            {
                var now = clock.Now(state);
                if (!state.Timers.TryPeek(out _, out var key) || key.Due > now) continue;
                var tx = store.Begin(state);
                var account = tx.Get<Account>(state.AccountId)!;
                fired += driver.RunDue(state, tx, account, now);
                commits.Add(tx.Commit());
            }
        }
        await Task.WhenAll(commits);
        if (fired > 0) due.Wake();
        return fired;
    }
}
