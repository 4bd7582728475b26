using System.Text;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MockProcessor.Domain.Accounts;
using MockProcessor.Domain.Balance;
using MockProcessor.Domain.Events;
using MockProcessor.Domain.Files;
using MockProcessor.Domain.Reporting;
using MockProcessor.Server.Resources.Files;
using MockProcessor.Server.Storage;
using MockProcessor.Server.Time;

namespace MockProcessor.Server.Resources.Reporting;

/// <summary>
/// Runs pending report runs in the background (docs/reports.md): selects the rows under the merchant's lock,
/// streams the CSV to file storage outside it, then stores the file, the succeeded run and its event in one unit
/// of work. Runs still pending at start-up (cut short by a restart) run again.
/// </summary>
public sealed class ReportRunner(ObjectStore store, Webhooks.WebhookDueQueue due, MerchantClock clock, TimeDriver driver, FileStorage files, ILogger<ReportRunner> log)
    : BackgroundService
{
    private readonly Channel<(string Account, string Run)> _queue = Channel.CreateUnbounded<(string, string)>();

    /// <summary>Transactions selected per hold of the merchant's lock (tests set it small to cross chunk boundaries).</summary>
    internal int SelectChunk { get; set; } = 50_000;

    public void Enqueue(string accountId, string runId) => _queue.Writer.TryWrite((accountId, runId));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        foreach (var state in store.Accounts)
            lock (state.Gate)
                foreach (var owner in state.Lists.Keys.Where(k => k.Type == "reporting.report_run").Select(k => k.Owner).ToList())
                    foreach (var run in store.Begin(state, owner).NewestFirst<ReportRun>("reporting.report_run"))
                        if (run.Status == ReportRunStatus.Pending) Enqueue(owner, run.Id);
        try
        {
            await foreach (var (account, run) in _queue.Reader.ReadAllAsync(stoppingToken))
            {
                try { await RunAsync(account, run); }
                catch (Exception ex) { log.LogError(ex, "Report run {RunId} could not be completed", run); }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { }
    }

    /// <summary>Runs one report to its end (succeeded or failed) and waits until that is durable.</summary>
    public async Task RunAsync(string accountId, string runId)
    {
        var state = store.FindAccount(accountId);
        if (state is null) return;
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var cpu = Environment.CpuUsage.TotalTime;
        ReportRun run;
        ReportType type;
        lock (state.Gate)
        {
            // A connected account's run lives in its platform's state; the unit of work acts as the run's own account.
            var pending = store.Begin(state, accountId).Get<ReportRun>(runId);
            if (pending is not { Status: ReportRunStatus.Pending } || ReportTypes.Find(pending.ReportType) is not { } found) return;
            run = pending;
            type = found;
        }
        // The selection takes the merchant's lock a chunk of transactions at a time, so other calls of the merchant
        // wait at most one chunk. Transactions of the report's interval are all older than the run (interval_end is
        // at most the run's creation), so what lands between chunks cannot belong to it.
        List<ReportRow>? rows = type.Kind == ReportKind.BalanceSummary ? null : [];
        List<BalanceTransaction>? all = type.Kind == ReportKind.BalanceSummary ? [] : null;
        var chunk = new List<BalanceTransaction>(SelectChunk);
        for (var position = 0; position >= 0;)
        {
            chunk.Clear();
            lock (state.Gate)
            {
                var tx = store.Begin(state, accountId);
                position = tx.OldestFirstChunk("balance_transaction", position, SelectChunk, chunk);
                if (all is not null) all.AddRange(chunk);
                else ReportSource.Select(tx, type, run.Parameters, chunk, rows!);
            }
        }

        var selected = System.Diagnostics.Stopwatch.GetElapsedTime(started);
        string? error = null;
        long size = 0;
        try
        {
            var columns = ReportWriter.ColumnsOf(type, run.Parameters);
            ReportEndpoints.TryTimeZone(run.Parameters.Timezone ?? "Etc/UTC", out var tz);
            await using (var stream = files.Create(run.ResultFileId))
            {
                await using var writer = new StreamWriter(stream, new UTF8Encoding(false), 1 << 16);
                if (all is not null) ReportWriter.WriteBalanceSummary(writer, columns, all, run.Parameters);
                else ReportWriter.WriteItemized(writer, columns, rows!, tz);
                await writer.FlushAsync();
                size = stream.Length;
            }
            files.Publish(run.ResultFileId);
            log.LogInformation("Report run {RunId} ({ReportType}): {Rows} rows selected in {SelectMs} ms, {Bytes} bytes written in {WriteMs} ms, process CPU {CpuMs} ms",
                runId, type.Id, rows?.Count ?? all?.Count ?? 0, (long)selected.TotalMilliseconds, size,
                (long)(System.Diagnostics.Stopwatch.GetElapsedTime(started) - selected).TotalMilliseconds,
                (long)(Environment.CpuUsage.TotalTime - cpu).TotalMilliseconds);
        }
        catch (Exception ex)
        {
            // A full disk or a bug: the run fails visibly (status failed, reporting.report_run.failed) instead of
            // staying pending for ever.
            log.LogError(ex, "Report run {RunId}: writing the result failed", runId);
            files.Discard(run.ResultFileId);
            error = ex is IOException ? "The report could not be written: " + ex.Message : "The report could not be generated (internal error).";
        }
        rows = null;
        all = null;

        Task durable;
        // Replica mode (docs/deploy.md): the result commits in a session of its own on the tree (its row lock, the copy
        // caught up), after this process's calls on it, like the webhook dispatcher's; outside one, a commit is refused
        // whenever a call is on the tree or another replica wrote it, and the run stayed pending for good.
        using (await store.EnterAsync(state))
        lock (state.Gate)
        {
            var tx = store.Begin(state, accountId);
            if (tx.Get<ReportRun>(runId) is not { Status: ReportRunStatus.Pending } current) return;
            var account = tx.Get<Account>(accountId)!;
            var now = clock.Now(state);
            var c = driver.SystemContext(tx, account, now, new Domain.Ids.IdGenerator(current.CompletionSeed));
            if (error is null)
            {
                tx.Put(new StripeFile
                {
                    Id = current.ResultFileId, AccountId = account.Id, Created = now, Purpose = StripeFile.FinanceReportRun,
                    Filename = $"{current.Id}.csv", Title = $"{type.Id} ({current.Id})", Type = "csv", Size = size,
                    Url = FileEndpoints.ContentsUrl(current.BaseUrl, current.ResultFileId),
                });
                var done = current with { Status = ReportRunStatus.Succeeded, SucceededAt = now };
                tx.Put(done);
                c.Emit(EventTypes.ReportRunSucceeded, done);
            }
            else
            {
                var failed = current with { Status = ReportRunStatus.Failed, Error = error };
                tx.Put(failed);
                c.Emit(EventTypes.ReportRunFailed, failed);
            }
            durable = tx.Commit();
        }
        await durable;
        due.Wake();
    }
}
