using System.Text.Json;
using MockProcessor.Domain.Accounts;
using MockProcessor.Domain.Common;
using MockProcessor.Server.Idempotency;

namespace MockProcessor.Server.Storage;

/// <summary>Replica mode's side of the store (docs/deploy.md, <see cref="ReplicaCoordinator"/>).</summary>
public sealed partial class ObjectStore
{
    /// <summary>
    /// In replica mode, opens the call's transaction on <paramref name="state"/>'s tree: queues behind this process's
    /// other calls on the tree, takes the tree's row lock in the database, and catches the tree up on what other replicas
    /// committed. The caller runs its unit of work under <see cref="AccountState.Gate"/> and disposes the scope (a
    /// rollback if nothing was committed) before awaiting its commit task. Null (nothing to do) for one process.
    /// </summary>
    public async Task<IDisposable?> EnterAsync(AccountState state)
    {
        if (Replica is null) return null;
        await state.ReplicaGate.WaitAsync();
        TreeSession? session = null;
        try
        {
            session = await Replica.LockAsync(state.AccountId, Volatile.Read(ref state.ReplicaVersion));
            lock (state.Gate)
            {
                CatchUp(state, session.CaughtUp, session.Version);
                state.Session = session;
            }
            return new Scope(state);
        }
        catch
        {
            session?.Dispose();
            state.ReplicaGate.Release();
            throw;
        }
    }

    private sealed class Scope(AccountState state) : IDisposable
    {
        private bool _disposed;
        public void Dispose()
        {
            if (_disposed) return;
            _disposed = true;
            TreeSession? session;
            try
            {
                lock (state.Gate)
                {
                    // Fault rules a call changed without committing anything else (a rule consumed by an injected error,
                    // created or deleted through /_mock/faults) are committed on their own.
                    if (state.FaultRulesChanged && state.Session is { Done: false } open)
                        state.ReplicaVersion = open.Commit([], null, FaultRulesBytes(state));
                }
            }
            finally
            {
                lock (state.Gate)
                {
                    session = state.Session;
                    state.Session = null;
                }
                session?.Dispose();
                state.ReplicaGate.Release();
            }
        }
    }

    /// <summary>
    /// Called by <see cref="Tx.Commit"/> in replica mode under the tree's lock, before anything is applied: makes sure the
    /// commit has the tree's row lock. A call inside <see cref="EnterAsync"/> has it (a second commit of that call takes it
    /// again); work outside one (a path not routed through a session) takes it only if no call of this process is on the
    /// tree, and is refused if another replica wrote the tree since this replica read it: its decisions were made on an
    /// older state, so it must not commit.
    /// </summary>
    internal void EnsureSession(AccountState state)
    {
        if (state.Session is { Done: false }) return;
        var ownsGate = state.Session is not null; // a session that already committed: this call still holds ReplicaGate
        if (!ownsGate && !state.ReplicaGate.Wait(0))
            throw new ReplicaConflictException(state.AccountId);
        TreeSession? fresh = null;
        try
        {
            fresh = Replica!.Lock(state.AccountId, state.ReplicaVersion);
            if (fresh.Version != state.ReplicaVersion) throw new ReplicaConflictException(state.AccountId);
            if (ownsGate)
            {
                state.Session!.Dispose();
                state.Session = fresh;
            }
            else
            {
                // Committed and released by Persist's caller below: a one-commit session of its own.
                state.Session = fresh;
                state.SessionOneShot = true;
            }
            fresh = null;
        }
        finally
        {
            fresh?.Dispose();
            if (fresh is not null && !ownsGate) state.ReplicaGate.Release();
        }
    }

    /// <summary>After <see cref="Persist"/>: closes a one-commit session that <see cref="EnsureSession"/> opened.</summary>
    internal void EndOneShot(AccountState state)
    {
        if (!state.SessionOneShot) return;
        state.SessionOneShot = false;
        var session = state.Session;
        state.Session = null;
        session?.Dispose();
        state.ReplicaGate.Release();
    }

    /// <summary>
    /// Applies what other replicas committed to <paramref name="state"/>'s tree up to version <paramref name="upTo"/>; under
    /// the tree's lock. <paramref name="read"/> is what the call's row lock came with (used when memory has not moved since
    /// it was read); otherwise the rows are read now.
    /// </summary>
    internal void CatchUp(AccountState state, CaughtUp? read, long upTo)
    {
        if (state.ReplicaVersion >= upTo) return;
        var (objects, idempotency, faultRules) = read is not null && read.Since == state.ReplicaVersion
            ? (read.Objects, read.Idempotency, read.FaultRules)
            : Replica!.ReadSince(state.AccountId, state.ReplicaVersion, upTo);
        if (faultRules is not null)
        {
            state.FaultRules = JsonSerializer.Deserialize<Domain.Faults.FaultRule[]>(faultRules) ?? [];
            state.FaultRulesChanged = false;
        }
        List<CommittedObject>? observed = null;
        var changed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var v in objects)
        {
            if (!Schema.PersistedTypes.TryGetValue(v.Type, out var type))
                throw new InvalidOperationException($"The database holds objects of type '{v.Type}' that this build does not know.");
            var obj = (StripeObject)JsonSerializer.Deserialize(v.Data, type, _persistOptions)!;
            var old = state.Find(obj.Id);
            for (var seen = Interlocked.Read(ref _seq); seen < v.Seq; seen = Interlocked.Read(ref _seq))
                if (Interlocked.CompareExchange(ref _seq, v.Seq, seen) == seen) break;
            state.Apply(obj, v.Seq);
            Applied(state, old, obj);
            if (Schema.Observed(obj.ObjectType)) (observed ??= []).Add(new CommittedObject(obj, v.Seq));
            changed.Add(obj.Id);
        }
        // Time-driven work from the caught-up state as a whole (an object's due time may depend on others of the same commit).
        Func<string, StripeObject?> get = state.Find;
        // An account's settings (its payout schedule) move the due times of its other objects, which a commit reschedules
        // in memory without writing them: after a changed account, every object's time-driven work is recomputed.
        if (changed.Any(id => get(id) is Account)) changed.UnionWith(state.AllIds());
        foreach (var id in changed)
            if (get(id) is { } obj && Timers?.DueAt(obj, get) is { } at) state.ScheduleTimer(id, at, Time.TimerScope.TestClockOf(obj, get));
        foreach (var r in idempotency)
            state.Idempotency.Add(r.Key, new IdempotencyRecord(r.Fingerprint, r.Status, r.Body, r.RequestId, r.Created));
        state.ReplicaVersion = upTo;
        if (observed is null) return;
        // Work done once per item (webhook deliveries) stays with the replica that committed it; followers (the event feed)
        // hear of every replica's commits.
        foreach (var o in Schema.Observers)
            if (!o.OncePerItem) o.Durable(state, observed);
    }

    /// <summary>
    /// Replica mode: the tree's fault rules as its <c>fault_rules</c> row holds them (plain JSON of the records: test set-up
    /// shared between replicas, not merchant data, so not in <see cref="PersistenceFormat"/>), and marks them written.
    /// </summary>
    internal static byte[] FaultRulesBytes(AccountState state)
    {
        state.FaultRulesChanged = false;
        return JsonSerializer.SerializeToUtf8Bytes(state.FaultRules);
    }

    /// <summary>The tree versions the previous <c>CatchUpAll(leaveMoving: true)</c> read.</summary>
    private Dictionary<string, long>? _tickVersions;

    /// <summary>
    /// Replica mode: catches up every tree another replica created or changed since this one last read it (a lookup that
    /// missed, e.g. the key of a merchant created through another replica).
    /// </summary>
    /// <param name="leaveMoving">
    /// The time driver's periodic tick: a tree whose version moved since the previous such tick, by commits this replica has
    /// not applied, is left alone. Another replica is writing it, so that replica has it current and its own tick fires the
    /// tree's due work; catching up here would only deserialise every one of its commits a second time (docs/deploy.md,
    /// "Two round trips a call"). The tree is caught up on the first tick it stands still (its writer stopped or died),
    /// and any call of this replica on it catches up in its session.
    /// </param>
    internal void CatchUpAll(bool leaveMoving = false)
    {
        if (Replica is null) return;
        var versions = Replica.Versions();
        var previous = leaveMoving ? _tickVersions : null;
        foreach (var (tree, version) in versions)
        {
            if (version == 0) continue; // created, nothing committed yet
            var state = _accounts.GetOrAdd(tree, id => new AccountState(id, Schema));
            if (state.ReplicaVersion >= version) continue;
            if (previous is not null && previous.TryGetValue(tree, out var before) && before != version) continue;
            lock (state.Gate) CatchUp(state, null, version);
        }
        if (leaveMoving) _tickVersions = versions;
    }

    /// <summary>
    /// Replica mode: brings every tree up to date with the database (<see cref="CatchUpAll"/>), for reads made outside a
    /// call's session (hosted pages, the merchant list); the caller must hold no tree's lock. Nothing for one process.
    /// </summary>
    public void Refresh() => CatchUpAll();

    /// <summary>Replica mode: brings <paramref name="state"/>'s tree up to date with the database (one query when it has not moved); the caller holds no tree lock.</summary>
    public void Refresh(AccountState state)
    {
        if (Replica is null) return;
        var version = Replica.VersionOf(state.AccountId);
        if (version > state.ReplicaVersion)
            lock (state.Gate) CatchUp(state, null, version);
    }

    /// <summary><see cref="Lookup"/>, and in replica mode, on a miss, again after catching up with the other replicas.</summary>
    public (AccountState State, string Id)? LookupFresh(LookupIndex index, string key)
    {
        if (Lookup(index, key) is { } found) return found;
        if (Replica is null) return null;
        CatchUpAll();
        return Lookup(index, key);
    }

    private async Task<AccountState> ProvisionReplicatedAsync(LookupIndex lookup, string key, Func<Account> create)
    {
        await using (await Replica!.ProvisionLockAsync(key))
        {
            CatchUpAll();
            if (Lookup(lookup, key) is { } raced) return raced.State;
            var account = create();
            var state = _accounts.GetOrAdd(account.Id, id => new AccountState(id, Schema));
            Task durable;
            using (await EnterAsync(state))
            {
                lock (state.Gate)
                {
                    var tx = Begin(state);
                    tx.Put(account);
                    durable = tx.Commit();
                }
            }
            await durable;
            return state;
        }
    }
}

/// <summary>Replica mode: a commit outside a call's session found the tree written by another replica meanwhile (retry the call).</summary>
public sealed class ReplicaConflictException(string tree)
    : InvalidOperationException($"Account tree {tree} was changed by another replica while this one worked on an older copy; retry.");
