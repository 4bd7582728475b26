using Microsoft.AspNetCore.Routing;
using MockProcessor.Domain.Accounts;
using MockProcessor.Domain.Common;
using MockProcessor.Domain.Ids;
using MockProcessor.Server.Storage;
using MockProcessor.Server.Wire;

namespace MockProcessor.Server.Time;

/// <summary>
/// Runs a merchant's due time-driven work in due-time order, each piece at its own due time, so that jumping
/// the clock 30 days ahead gives the same result as living through them. Work done by one timer that makes
/// other work due inside the window (an expiry that opens a later deadline) runs in the same pass.
/// The caller holds the merchant's lock and owns the unit of work.
/// </summary>
public sealed class TimeDriver(TimerRegistry timers, IdGenerator ids, Renderers renderers, IServiceProvider services, Hosting.Telemetry telemetry,
    Hosting.MockProcessorOptions options)
{
    /// <summary>
    /// Fires every timer of <paramref name="testClock"/>'s queue (null: the merchant's) due at or before
    /// <paramref name="upTo"/>; returns how many fired. Work that the firing makes due goes to its own object's
    /// queue, so a test clock's pass never runs the merchant's work, nor the reverse.
    /// </summary>
    public int RunDue(AccountState state, Tx tx, Account account, long upTo, string? testClock = null)
    {
        var fired = 0;
        var queue = state.TimerQueue(testClock);
        while (queue is not null && queue.TryPeek(out var ordinal, out var key) && key.Due <= upTo)
        {
            queue.Dequeue();
            var id = state.TimerId(ordinal);
            var obj = tx.GetInTree<StripeObject>(id);
            var next = obj is null ? null : timers.Next(obj, x => tx.GetInTree<StripeObject>(x));
            // Entries go stale when an object changes (captured, settled, ...): fire only if it is still due then.
            if (obj is null || next is not { } due || due.Due != key.Due) continue;
            var mark = tx.PutCount;
            // A connected account's work runs as that account (its events are its own): docs/connect.md.
            var owner = obj.AccountId == account.Id ? account : tx.GetInTree<Account>(obj.AccountId)!;
            due.Timer.Fire(SystemContext(tx.As(owner.Id), owner, key.Due), obj);
            telemetry.TimerFired(due.Timer.GetType().Name);
            fired++;
            foreach (var changed in tx.PutSince(mark)) tx.ScheduleTimer(changed); // the list is reused by the next PutSince
            // A long pass (a year of renewals) commits as it goes: one huge write would hold all of it in memory at once.
            if (options.AdvanceCommitObjects > 0 && tx.StagedCount >= options.AdvanceCommitObjects) tx.CommitPart();
        }
        // After a burst of that size the heap is mostly free space between what stayed (docs/time.md).
        if (options.CompactHeapAfterParts > 0 && tx.PartsCommitted >= options.CompactHeapAfterParts) tx.CompactHeapWhenDurable();
        return fired;
    }

    /// <summary>
    /// A context for work the emulator does by itself: no request, no parameters, events with request null. Ids come
    /// from the emulator's generator unless the work brings its own (<see cref="Domain.Ids.IdGenerator.NextSeed"/>).
    /// </summary>
    public ApiContext SystemContext(Tx tx, Account account, long now, Domain.Ids.IdGenerator? ownIds = null) => new()
    {
        P = Params.Empty, Expand = ExpandNode.None, Tx = tx,
        Render = new RenderContext(tx, renderers, publishable: false, now),
        Account = account, Now = now, Ids = ownIds ?? ids, RequestId = null, IdempotencyKey = null,
        EventApiVersion = account.DefaultApiVersion ?? Hosting.MockProcessorOptions.DefaultApiVersion,
        Version = Wire.Versions.ApiVersions.Stored(account.DefaultApiVersion),
        Publishable = false, RouteValues = new RouteValueDictionary(), Services = services,
    };
}
