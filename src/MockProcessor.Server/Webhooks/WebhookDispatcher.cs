using System.Collections.Concurrent;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MockProcessor.Domain.Events;
using MockProcessor.Domain.Webhooks;
using MockProcessor.Server.Hosting;
using MockProcessor.Server.Storage;
using MockProcessor.Server.Time;
using MockProcessor.Server.Wire;

namespace MockProcessor.Server.Webhooks;

/// <summary>
/// Sends due webhook deliveries (docs/webhooks.md "Dispatcher"). Woken by commits of pending deliveries, by clock
/// advances and every 250 ms; sends with bounded concurrency and a per-request timeout; records each attempt in a
/// normal unit of work on the merchant, so the log is durable and a delivery cut short by a crash is sent again.
/// The API never waits for it: handlers only write delivery rows.
/// </summary>
public sealed class WebhookDispatcher : BackgroundService
{
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(250);
    private readonly ObjectStore _store;
    private readonly VirtualClock _clock;
    private readonly MerchantClock _merchantClock;
    private readonly Renderers _renderers;
    private readonly WebhookTransport _transport;
    private readonly MockProcessorOptions _options;
    private readonly ILogger<WebhookDispatcher> _log;
    private readonly RetrySchedule _schedule;
    private readonly SemaphoreSlim _slots;
    private readonly SemaphoreSlim _startGate = new(1, 1);
    // At most WebhookConcurrency entries: one per attempt in flight, keyed by delivery id so one is never sent twice at once.
    private readonly ConcurrentDictionary<string, Task> _inFlight = new(StringComparer.Ordinal);
    private CancellationToken _stopping = CancellationToken.None;

    private readonly WebhookDueQueue _due;
    private readonly Telemetry _telemetry;

    public WebhookDispatcher(ObjectStore store, WebhookDueQueue due, VirtualClock clock, MerchantClock merchantClock, Renderers renderers, WebhookTransport transport,
        MockProcessorOptions options, Telemetry telemetry, ILogger<WebhookDispatcher> log)
    {
        _due = due;
        _telemetry = telemetry;
        (_store, _clock, _merchantClock, _renderers, _transport, _options, _log) = (store, clock, merchantClock, renderers, transport, options, log);
        _schedule = RetrySchedule.Named(options.WebhookRetry)
            ?? throw new ArgumentException($"Unknown webhook retry schedule '{options.WebhookRetry}' (stripe|fast).");
        _slots = new SemaphoreSlim(Math.Max(1, options.WebhookConcurrency));
        _clock.Advanced += _due.Wake;
    }

    public RetrySchedule Schedule => _schedule;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _stopping = stoppingToken;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                // Replica mode claims from the database: a failed pass (the database restarting) is logged and retried.
                try { if (_options.WebhookAutoDispatch) await StartDue(stoppingToken); }
                catch (Exception ex) when (ex is not OperationCanceledException) { _log.LogError(ex, "Webhook dispatch pass failed; will retry"); }
                await _due.WaitAsync(Tick, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { }
        // Let attempts in flight finish (they see the cancellation and leave their deliveries pending).
        await Task.WhenAll(_inFlight.Values.ToArray());
    }

    public override void Dispose()
    {
        _clock.Advanced -= _due.Wake;
        base.Dispose();
    }

    /// <summary>
    /// Sends everything due now and waits for it, repeating while attempts make more work due (a duplicate, a
    /// zero delay); later retries stay scheduled. Returns the number of attempts started.
    /// </summary>
    public async Task<int> FlushAsync(CancellationToken ct)
    {
        if (_store.Replica is not null) return await FlushReplicatedAsync(ct);
        var started = 0;
        for (var round = 0; round < 1000; round++)
        {
            started += await StartDue(ct);
            var running = _inFlight.Values.ToArray();
            if (running.Length == 0 && !_due.HasDue(_merchantClock.Now)) break;
            await Task.WhenAll(running);
        }
        return started;
    }

    /// <summary>
    /// Replica mode: <see cref="FlushAsync"/> over every replica's deliveries. Claims and sends what is due and free in
    /// <c>webhook_due</c>, waits for its attempts, and while deliveries due now are leased by another replica (an attempt
    /// in flight there, or a killed replica's lease), waits for them to be recorded or for their lease to run out (then
    /// claims them), for at most one lease length.
    /// </summary>
    private async Task<int> FlushReplicatedAsync(CancellationToken ct)
    {
        var started = 0;
        var deadline = DateTime.UtcNow + Lease + TimeSpan.FromSeconds(1);
        while (true)
        {
            started += await StartDue(ct);
            var running = _inFlight.Values.ToArray();
            if (running.Length > 0)
            {
                await Task.WhenAll(running);
                continue;
            }
            var (free, leased) = await DueNowAsync(ct);
            if (free && DateTime.UtcNow <= deadline) continue;
            if (!leased || DateTime.UtcNow > deadline) return started;
            await Task.Delay(50, ct);
        }
    }

    private TimeSpan Lease => TimeSpan.FromSeconds(Math.Max(1, _options.WebhookLeaseSeconds));

    /// <summary>Replica mode: the merchants' current times for the trees with rows in <c>webhook_due</c>, each tree caught up first (its clock may have moved).</summary>
    private async Task<List<(string Tree, long Now, long? FreeDue, long? LeasedDue)>> DueTreesAsync(CancellationToken ct)
    {
        var summary = await _store.Replica!.WebhookDueSummaryAsync(ct);
        var trees = new List<(string, long, long?, long?)>();
        if (summary.Count == 0) return trees;
        _store.CatchUpAll();
        foreach (var (tree, freeDue, leasedDue) in summary)
            if (_store.FindAccount(tree) is { } state) trees.Add((tree, _merchantClock.Now(state), freeDue, leasedDue));
        return trees;
    }

    /// <summary>Replica mode: whether deliveries are due now that are free to claim, and that are leased.</summary>
    private async Task<(bool Free, bool Leased)> DueNowAsync(CancellationToken ct)
    {
        var trees = await DueTreesAsync(ct);
        return (trees.Any(t => t.FreeDue <= t.Now), trees.Any(t => t.LeasedDue <= t.Now));
    }

    /// <summary>Starts an attempt for each due entry in due-time order (from the due-queue, or in replica mode claimed from the database), waiting for a free slot.</summary>
    private async Task<int> StartDue(CancellationToken ct)
    {
        // One starter at a time keeps the start order equal to the due order (the loop and a flush may both call this).
        await _startGate.WaitAsync(ct);
        try
        {
            var started = 0;
            if (_store.Replica is not null)
            {
                if (!_backfilled)
                {
                    // Start-up: the pending deliveries this replica loaded get a row if they have none; nothing is sent blindly.
                    await _store.Replica.BackfillWebhooksAsync(_due.DrainAll(), ct);
                    _backfilled = true;
                }
                while (true)
                {
                    var due = (await DueTreesAsync(ct)).Where(t => t.FreeDue <= t.Now).ToList();
                    if (due.Count == 0) return started;
                    var batch = Math.Max(1, _options.WebhookConcurrency);
                    var claimed = await _store.Replica.ClaimWebhooksAsync(due.Select(t => t.Tree).ToArray(), due.Select(t => t.Now).ToArray(), batch, Lease, ct);
                    foreach (var entry in claimed)
                        if (await TryStart(entry, ct)) started++;
                    if (claimed.Count < batch) return started;
                }
            }
            while (_due.TryPopDue(_merchantClock.Now, out var entry))
                if (await TryStart(entry, ct)) started++;
            return started;
        }
        finally { _startGate.Release(); }
    }

    private bool _backfilled;

    /// <summary>Starts an attempt for <paramref name="entry"/> once a slot is free; false if it is already in flight.</summary>
    private async Task<bool> TryStart(DueEntry entry, CancellationToken ct)
    {
        await _slots.WaitAsync(ct);
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_inFlight.TryAdd(entry.DeliveryId, done.Task))
        {
            // Already being attempted; that attempt reschedules it if it fails.
            _slots.Release();
            return false;
        }
        // Tracked in _inFlight (awaited by FlushAsync and at shutdown), so not fire-and-forget.
        _ = Run(entry, done);
        return true;
    }

    private async Task Run(DueEntry entry, TaskCompletionSource done)
    {
        try { await AttemptAsync(entry); }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested) { }
        catch (Exception ex) { _log.LogError(ex, "Webhook attempt for {DeliveryId} failed unexpectedly", entry.DeliveryId); }
        finally
        {
            _inFlight.TryRemove(entry.DeliveryId, out _);
            _slots.Release();
            done.SetResult();
        }
    }

    private sealed record Prepared(WebhookDelivery Delivery, string Url, byte[] Body, AttemptPlan Plan, long AttemptedAt);

    private async Task AttemptAsync(DueEntry entry)
    {
        var state = _store.FindAccount(entry.AccountId);
        if (state is null) return;
        Prepared? p;
        Task durable = Task.CompletedTask;
        var unclaim = Unclaim.None;
        using (await _store.EnterAsync(state))
            lock (state.Gate) p = Prepare(state, entry, ref durable, ref unclaim);
        await durable;
        // Replica mode: a claimed delivery not attempted (and not committed) gives its lease up at once.
        if (unclaim is not Unclaim.None && _store.Replica is not null) await _store.Replica.UnclaimWebhookAsync(entry, forget: unclaim is Unclaim.Forget);
        if (p is null) return;

        var timeout = TimeSpan.FromSeconds(Math.Max(1, _options.WebhookTimeoutSeconds));
        var first = await _transport.SendAsync(p.Url, p.Body, WebhookSignature.Header(p.Plan.Secrets, p.Plan.Timestamp, p.Body), timeout, _stopping);
        var attempt = ToAttempt(first, p.AttemptedAt, p.Plan.Timestamp, p.Plan.Faults);
        WebhookAttempt? duplicate = null;
        if (p.Plan.Duplicate && attempt.Succeeded)
        {
            var t = _clock.WallUnixNow();
            var second = await _transport.SendAsync(p.Url, p.Body, WebhookSignature.Header(p.Plan.Secrets, t, p.Body), timeout, _stopping);
            duplicate = ToAttempt(second, _merchantClock.Now(state), t, [WebhookFaultNames.Duplicate]);
        }
        _stopping.ThrowIfCancellationRequested();
        using (await _store.EnterAsync(state))
        lock (state.Gate)
        {
            var tx = _store.Begin(state);
            var d = tx.Get<WebhookDelivery>(entry.DeliveryId);
            // Only the attempt that was prepared may record its result.
            if (d is null || !d.IsPending || d.AttemptCount != p.Delivery.AttemptCount) return;
            d = WebhookRules.ApplyAttempt(d, attempt, _merchantClock.Now(state), _schedule);
            if (duplicate is not null) d = WebhookRules.LogExtra(d, duplicate);
            tx.Put(d);
            durable = tx.Commit();
        }
        await durable;
        _telemetry.Delivery(attempt.Succeeded ? "succeeded" : "failed", p.Delivery.AttemptCount + 1);
        if (duplicate is not null) _telemetry.Delivery(duplicate.Succeeded ? "duplicate_succeeded" : "duplicate_failed", p.Delivery.AttemptCount + 1);
        _log.LogInformation("Webhook {EventType} {EventId} -> {EndpointId}: {Status}{Error} in {DurationMs} ms (attempt {Attempt}, {DeliveryStatus})",
            p.Delivery.EventType, p.Delivery.EventId, p.Delivery.EndpointId, attempt.Status, attempt.Error is null ? "" : " " + attempt.Error,
            attempt.DurationMs, p.Delivery.AttemptCount + 1, attempt.Succeeded ? "succeeded" : "will retry or fail");
    }

    /// <summary>Under the account's lock: checks the entry is current, applies faults that need no request, renders the body.</summary>
    private Prepared? Prepare(AccountState state, DueEntry entry, ref Task durable, ref Unclaim unclaim)
    {
        var tx = _store.Begin(state);
        var d = tx.Get<WebhookDelivery>(entry.DeliveryId);
        // Stale entry: done or rescheduled.
        if (d is null || !d.IsPending || d.NextAttemptAt is null)
        {
            unclaim = Unclaim.Forget;
            return null;
        }
        if (d.NextAttemptAt != entry.Due)
        {
            unclaim = Unclaim.Release;
            return null;
        }
        var now = _merchantClock.Now(state);
        var endpoint = tx.Get<WebhookEndpoint>(d.EndpointId);
        if (endpoint is null || !endpoint.Active)
        {
            tx.Put(WebhookRules.Cancel(d));
            durable = tx.Commit();
            return null;
        }
        var plan = WebhookRules.Plan(endpoint, d, _clock.WallUnixNow(), now);
        if (plan.Drop || plan.FailWithoutSending)
        {
            var attempt = new WebhookAttempt
            {
                AttemptedAt = now, WallTime = plan.Timestamp, Faults = plan.Faults,
                Error = plan.Drop ? "not sent: the drop_types fault drops this event type" : "not sent: the fail_first fault fails this attempt",
            };
            tx.Put(plan.Drop ? WebhookRules.Drop(d, attempt) : WebhookRules.ApplyAttempt(d, attempt, now, _schedule));
            durable = tx.Commit();
            _telemetry.Delivery(plan.Drop ? "dropped" : "failed", d.AttemptCount + 1);
            return null;
        }
        var ev = tx.GetInTree<Event>(d.EventId); // a connect endpoint delivers its connected accounts' events
        if (ev is null)
        {
            unclaim = Unclaim.Forget;
            return null;
        }
        // In the endpoint's pinned version, else the merchant's (the event's): docs/api-versions.md.
        var json = Resources.Events.EventJson.RenderAt(ev, new RenderContext(tx, _renderers, publishable: false, now), endpoint.ApiVersion ?? ev.ApiVersion);
        return new Prepared(d, endpoint.Url, WireJson.Bytes(json), plan, now);
    }

    /// <summary>Replica mode: what to do with the lease of a claimed delivery that <see cref="Prepare"/> neither attempts nor commits.</summary>
    private enum Unclaim { None, Release, Forget }

    private static WebhookAttempt ToAttempt(SendResult r, long attemptedAt, long wallTime, IReadOnlyList<string> faults) => new()
    {
        AttemptedAt = attemptedAt, WallTime = wallTime, Status = r.Status, Error = r.Error, DurationMs = r.DurationMs,
        ResponseBody = r.ResponseBody, Faults = faults,
    };
}
