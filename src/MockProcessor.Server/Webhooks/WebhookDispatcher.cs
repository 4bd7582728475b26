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

    /// <summary>
    /// Starts an attempt for each due entry in due-time order (from the due-queue, or in replica mode claimed from the
    /// database), waiting for a free slot; entries are handed on in batches per merchant (<see cref="Enlist"/>).
    /// </summary>
    private async Task<int> StartDue(CancellationToken ct)
    {
        // One starter at a time keeps the start order equal to the due order (the loop and a flush may both call this).
        await _startGate.WaitAsync(ct);
        var batch = new List<Started>();
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
                    var size = Math.Max(1, _options.WebhookConcurrency);
                    var claimed = await _store.Replica.ClaimWebhooksAsync(due.Select(t => t.Tree).ToArray(), due.Select(t => t.Now).ToArray(), size, Lease, ct);
                    foreach (var entry in claimed)
                        if (await Enlist(entry, batch, ct)) started++;
                    Launch(batch);
                    if (claimed.Count < size) return started;
                }
            }
            while (_due.TryPopDue(_merchantClock.Now, out var entry))
                if (await Enlist(entry, batch, ct)) started++;
            return started;
        }
        finally
        {
            Launch(batch);
            _startGate.Release();
        }
    }

    private bool _backfilled;

    /// <summary>An entry with a slot, in flight until <see cref="Done"/> completes (its attempt recorded, or given up).</summary>
    private sealed record Started(DueEntry Entry, TaskCompletionSource Done);

    /// <summary>
    /// Takes a slot for <paramref name="entry"/> and adds it to <paramref name="batch"/>; false if it is already in flight.
    /// The batch is launched when it is full, and before waiting for a slot (its entries hold slots of their own).
    /// </summary>
    private async Task<bool> Enlist(DueEntry entry, List<Started> batch, CancellationToken ct)
    {
        if (!_slots.Wait(0))
        {
            Launch(batch);
            await _slots.WaitAsync(ct);
        }
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_inFlight.TryAdd(entry.DeliveryId, done.Task))
        {
            // Already being attempted; that attempt reschedules it if it fails.
            _slots.Release();
            return false;
        }
        batch.Add(new Started(entry, done));
        if (batch.Count >= BatchSize) Launch(batch);
        return true;
    }

    /// <summary>At most this many attempts are prepared under one hold of a merchant's lock (each renders an event).</summary>
    private const int BatchSize = 8;

    /// <summary>Starts the batch's attempts, one <see cref="RunBatch"/> per merchant, and empties the list.</summary>
    private void Launch(List<Started> batch)
    {
        if (batch.Count == 0) return;
        foreach (var group in batch.GroupBy(s => s.Entry.AccountId, StringComparer.Ordinal))
            // Tracked in _inFlight (awaited by FlushAsync and at shutdown), so not fire-and-forget.
            _ = RunBatch(group.Key, group.ToList());
        batch.Clear();
    }

    /// <summary>Releases an entry's slot and marks it done (recorded, or not attempted).</summary>
    private void Finish(Started s)
    {
        _inFlight.TryRemove(s.Entry.DeliveryId, out _);
        _slots.Release();
        s.Done.TrySetResult();
    }

    private sealed record Prepared(Started Started, WebhookDelivery Delivery, string Url, byte[] Body, AttemptPlan Plan, long AttemptedAt);

    /// <summary>
    /// One merchant's entries: prepared under one hold of its lock (an event's body rendered once for all its endpoints
    /// at one version), then each sent on its own; each result is recorded by the merchant's <see cref="Recorder"/>.
    /// </summary>
    private async Task RunBatch(string accountId, List<Started> batch)
    {
        var toSend = new List<Prepared>(batch.Count);
        var handedOn = 0;
        try
        {
            await Task.Yield(); // the starter goes on popping while this batch is prepared
            var state = _store.FindAccount(accountId);
            if (state is null) return;
            var unclaims = new List<(DueEntry Entry, Unclaim How)>();
            var work = new BatchWork(_store, state);
            using (await _store.EnterAsync(state))
            lock (state.Gate)
            {
                foreach (var s in batch)
                {
                    var unclaim = Unclaim.None;
                    if (Prepare(work, s, ref unclaim) is { } p) toSend.Add(p);
                    if (unclaim is not Unclaim.None) unclaims.Add((s.Entry, unclaim));
                }
                work.Commit();
            }
            await Task.WhenAll(work.Durable);
            // Replica mode: a claimed delivery not attempted (and not committed) gives its lease up at once.
            if (_store.Replica is not null)
                foreach (var (entry, how) in unclaims) await _store.Replica.UnclaimWebhookAsync(entry, forget: how is Unclaim.Forget);
            var recorder = _recorders.GetValue(state, st => new Recorder(this, st));
            foreach (var p in toSend)
            {
                handedOn++;
                _ = SendAsync(p, recorder); // finishes p's entry itself
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested) { }
        catch (Exception ex) { _log.LogError(ex, "Webhook attempts for {AccountId} failed unexpectedly", accountId); }
        finally
        {
            // Entries not handed on to a send are done here (not attempted, or the preparation failed).
            var sent = toSend.Take(handedOn).Select(p => p.Started).ToHashSet();
            foreach (var s in batch)
                if (!sent.Contains(s)) Finish(s);
        }
    }

    /// <summary>Sends one prepared attempt (and a duplicate if a fault asks for one), then hands the result to the recorder.</summary>
    private async Task SendAsync(Prepared p, Recorder recorder)
    {
        try
        {
            var timeout = TimeSpan.FromSeconds(Math.Max(1, _options.WebhookTimeoutSeconds));
            var first = await _transport.SendAsync(p.Url, p.Body, WebhookSignature.Header(p.Plan.Secrets, p.Plan.Timestamp, p.Body), timeout, _stopping);
            var attempt = ToAttempt(first, p.AttemptedAt, p.Plan.Timestamp, p.Plan.Faults);
            WebhookAttempt? duplicate = null;
            if (p.Plan.Duplicate && attempt.Succeeded)
            {
                var t = _clock.WallUnixNow();
                var second = await _transport.SendAsync(p.Url, p.Body, WebhookSignature.Header(p.Plan.Secrets, t, p.Body), timeout, _stopping);
                duplicate = ToAttempt(second, _merchantClock.Now(recorder.State), t, [WebhookFaultNames.Duplicate]);
            }
            // Cut short by shutdown: not recorded, so the delivery stays pending and is sent again after restart.
            if (_stopping.IsCancellationRequested) Finish(p.Started);
            else recorder.Add(new Result(p, attempt, duplicate));
        }
        catch (Exception ex)
        {
            if (ex is not OperationCanceledException || !_stopping.IsCancellationRequested)
                _log.LogError(ex, "Webhook attempt for {DeliveryId} failed unexpectedly", p.Started.Entry.DeliveryId);
            Finish(p.Started);
        }
    }

    private sealed record Result(Prepared Prepared, WebhookAttempt Attempt, WebhookAttempt? Duplicate);

    // By the tree's state object, not its id: a reset replaces the state, and its recorder goes with it.
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<AccountState, Recorder> _recorders = new();

    /// <summary>
    /// Records one merchant's attempt results in batches: the results that finished while the previous batch was being
    /// committed go in one unit of work (one hold of the lock, one commit through the group commit). An entry is done
    /// once its result is durable.
    /// </summary>
    private sealed class Recorder(WebhookDispatcher dispatcher, AccountState state)
    {
        private readonly ConcurrentQueue<Result> _queue = new();
        private int _draining;
        public AccountState State => state;

        public void Add(Result r)
        {
            _queue.Enqueue(r);
            if (Interlocked.CompareExchange(ref _draining, 1, 0) == 0) _ = DrainAsync();
        }

        private async Task DrainAsync()
        {
            while (true)
            {
                var batch = new List<Result>();
                while (_queue.TryDequeue(out var r)) batch.Add(r);
                if (batch.Count == 0)
                {
                    Volatile.Write(ref _draining, 0);
                    // A result queued after the last look and before the flag went down starts no drain of its own.
                    if (_queue.IsEmpty || Interlocked.CompareExchange(ref _draining, 1, 0) != 0) return;
                    continue;
                }
                try { await dispatcher.RecordAsync(state, batch); }
                catch (Exception ex) { dispatcher._log.LogError(ex, "Recording {Count} webhook attempts failed; they stay pending", batch.Count); }
                finally
                {
                    foreach (var r in batch) dispatcher.Finish(r.Prepared.Started);
                }
            }
        }
    }

    /// <summary>Records a batch of results in one unit of work on the merchant; each delivery only if its prepared attempt is still the current one.</summary>
    private async Task RecordAsync(AccountState state, List<Result> batch)
    {
        Task durable = Task.CompletedTask;
        var recorded = new List<Result>(batch.Count);
        using (await _store.EnterAsync(state))
        lock (state.Gate)
        {
            var tx = _store.Begin(state);
            var now = _merchantClock.Now(state);
            foreach (var r in batch)
            {
                var d = tx.Get<WebhookDelivery>(r.Prepared.Started.Entry.DeliveryId);
                // Only the attempt that was prepared may record its result.
                if (d is null || !d.IsPending || d.AttemptCount != r.Prepared.Delivery.AttemptCount) continue;
                d = WebhookRules.ApplyAttempt(d, r.Attempt, now, _schedule);
                if (r.Duplicate is not null) d = WebhookRules.LogExtra(d, r.Duplicate);
                tx.Put(d);
                recorded.Add(r);
            }
            if (tx.HasChanges) durable = tx.Commit();
        }
        await durable;
        foreach (var r in recorded)
        {
            var (p, attempt, duplicate) = (r.Prepared, r.Attempt, r.Duplicate);
            _telemetry.Delivery(attempt.Succeeded ? "succeeded" : "failed", p.Delivery.AttemptCount + 1);
            if (duplicate is not null) _telemetry.Delivery(duplicate.Succeeded ? "duplicate_succeeded" : "duplicate_failed", p.Delivery.AttemptCount + 1);
            _log.LogInformation("Webhook {EventType} {EventId} -> {EndpointId}: {Status}{Error} in {DurationMs} ms (attempt {Attempt}, {DeliveryStatus})",
                p.Delivery.EventType, p.Delivery.EventId, p.Delivery.EndpointId, attempt.Status, attempt.Error is null ? "" : " " + attempt.Error,
                attempt.DurationMs, p.Delivery.AttemptCount + 1, attempt.Succeeded ? "succeeded" : "will retry or fail");
        }
    }

    /// <summary>A batch's preparation on one merchant, under its lock: the unit of work, the commits made, the bodies rendered.</summary>
    private sealed class BatchWork(ObjectStore store, AccountState state)
    {
        public readonly AccountState State = state;
        public Tx Tx = store.Begin(state);
        public readonly List<Task> Durable = [];
        // Once per event and version for all the batch's endpoints.
        public readonly Dictionary<(string EventId, string Version), byte[]> Bodies = [];

        /// <summary>Commits what is staged (a body renders <c>pending_webhooks</c> from committed deliveries) and goes on in a new unit of work.</summary>
        public void Commit()
        {
            if (!Tx.HasChanges) return;
            Durable.Add(Tx.Commit());
            Tx = store.Begin(State);
        }
    }

    /// <summary>
    /// Under the account's lock, in the batch's unit of work: checks the entry is current, applies faults that need no
    /// request (staged), renders the body (once per event and version for the batch).
    /// </summary>
    private Prepared? Prepare(BatchWork work, Started s, ref Unclaim unclaim)
    {
        var (tx, state, bodies) = (work.Tx, work.State, work.Bodies);
        var entry = s.Entry;
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
            _telemetry.Delivery(plan.Drop ? "dropped" : "failed", d.AttemptCount + 1);
            return null;
        }
        // In the endpoint's pinned version, else the merchant's (the event's): docs/api-versions.md.
        var version = endpoint.ApiVersion;
        if (version is null || !bodies.TryGetValue((d.EventId, version), out var body))
        {
            var ev = tx.GetInTree<Event>(d.EventId); // a connect endpoint delivers its connected accounts' events
            if (ev is null)
            {
                unclaim = Unclaim.Forget;
                return null;
            }
            version ??= ev.ApiVersion;
            if (!bodies.TryGetValue((d.EventId, version), out body))
            {
                // A delivery canceled or dropped earlier in the batch is no longer pending for the body's count.
                work.Commit();
                tx = work.Tx;
                bodies[(d.EventId, version)] = body = WireJson.Bytes(Resources.Events.EventJson.RenderAt(ev, new RenderContext(tx, _renderers, publishable: false, now), version));
            }
        }
        return new Prepared(s, d, endpoint.Url, body, plan, now);
    }

    /// <summary>Replica mode: what to do with the lease of a claimed delivery that <see cref="Prepare"/> neither attempts nor commits.</summary>
    private enum Unclaim { None, Release, Forget }

    private static WebhookAttempt ToAttempt(SendResult r, long attemptedAt, long wallTime, IReadOnlyList<string> faults) => new()
    {
        AttemptedAt = attemptedAt, WallTime = wallTime, Status = r.Status, Error = r.Error, DurationMs = r.DurationMs,
        ResponseBody = r.ResponseBody, Faults = faults,
    };
}
