using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using MockProcessor.Domain.Accounts;
using MockProcessor.Domain.Common;
using MockProcessor.Domain.PaymentIntents;
using MockProcessor.Domain.Webhooks;
using MockProcessor.Server.Idempotency;
using MockProcessor.Server.Webhooks;

namespace MockProcessor.Server.Storage;

/// <summary>
/// All state, in memory, partitioned by merchant account; the SQLite file (when there is one) is its
/// durable copy, written through <see cref="WriteLog"/> and read back once at start-up. Reads and writes
/// of one account happen under that account's lock, inside a <see cref="Tx"/>.
/// </summary>
public sealed class ObjectStore : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, AccountState> _accounts = new(StringComparer.Ordinal);
    // Hash of an auto-provisioned merchant's implicit secret key (ApiKey.ImplicitHash) → merchant id; never the suffix itself.
    private readonly ConcurrentDictionary<string, string> _accountByImplicitKey = new(StringComparer.Ordinal);
    // Connected account id → its tree's state (the platform's): docs/connect.md.
    private readonly ConcurrentDictionary<string, AccountState> _connected = new(StringComparer.Ordinal);
    // Key hash (ApiKey.Hash) → (merchant, api_key record id) for keys with a record (generated, rolled, revoked, restricted).
    private readonly ConcurrentDictionary<string, (string Account, string Record)> _keys = new(StringComparer.Ordinal);
    // PaymentIntent id → account id, for intents in requires_action only. The 3-D Secure page has no API key,
    // so it finds the merchant from the id: O(1) for the intents it serves, and small however many payments exist.
    private readonly ConcurrentDictionary<string, string> _awaitingAction = new(StringComparer.Ordinal);
    private readonly Lock _provisionGate = new();
    private readonly WriteLog? _log;
    private long _seq;

    private readonly JsonSerializerOptions _persistOptions;
    private readonly IReadOnlyDictionary<string, Type> _types;

    public ObjectStore(IReadOnlyDictionary<string, Type> persistedTypes, SqliteConnection? connection, Microsoft.Extensions.Logging.ILogger log,
        Time.TimerRegistry? timers = null)
    {
        Timers = timers;
        _types = persistedTypes;
        _persistOptions = PersistenceFormat.Options(persistedTypes);
        // The HMAC key of idempotency fingerprints: the database's own (meta table), or this process's for --in-memory.
        FingerprintKey = connection is null ? System.Security.Cryptography.RandomNumberGenerator.GetBytes(32) : Database.FingerprintKey(connection);
        if (connection is not null)
        {
            Load(connection);
            _log = new WriteLog(connection, Serialize, log);
        }
    }

    public bool Durable => _log is not null;

    /// <summary>The key idempotency fingerprints are HMACs under (docs/architecture.md, Secrets at rest).</summary>
    internal byte[] FingerprintKey { get; }

    /// <summary>Pending webhook deliveries by due time (ids only), fed by every commit and by <see cref="Load"/>.</summary>
    public WebhookDueQueue DueQueue { get; } = new();
    public Time.TimerRegistry? Timers { get; }
    public long Commits => _log?.Commits ?? 0;

    /// <summary>The auto-provisioned merchant whose implicit keys have <paramref name="suffix"/>, found by the hash of its secret key.</summary>
    public AccountState? FindAccountByKeySuffix(string suffix) =>
        _accountByImplicitKey.TryGetValue(Auth.ApiKey.ImplicitHash(suffix), out var id) ? _accounts.GetValueOrDefault(id) : null;

    /// <summary>The tree state holding account <paramref name="id"/>: a merchant's own, or its platform's for a connected account.</summary>
    public AccountState? FindAccount(string id) => _accounts.GetValueOrDefault(id) ?? _connected.GetValueOrDefault(id);

    /// <summary>Every account tree (each merchant once).</summary>
    public IEnumerable<AccountState> Accounts => _accounts.Values;

    /// <summary>The merchant and api_key record of a key that has a record; null for implicit (suffix) keys and unknown ones.</summary>
    public (AccountState State, string Record)? FindKeyRecord(string key) =>
        _keys.TryGetValue(Auth.ApiKey.Hash(key), out var k) && _accounts.GetValueOrDefault(k.Account) is { } state ? (state, k.Record) : null;

    /// <summary>Keeps the key and Connect indexes current; called for every stored object version (commit and load).</summary>
    internal void Index(AccountState state, StripeObject obj)
    {
        switch (obj)
        {
            case ApiKeyRecord key: _keys[key.Hash] = (key.AccountId, key.Id); break;
            case Account { Platform: not null } a when a.Id != state.AccountId: _connected[a.Id] = state; break;
        }
    }

    /// <summary>Registers a merchant created outside a key (onboarding): its state, committed by the caller.</summary>
    public AccountState AddMerchant(string accountId) => _accounts.GetOrAdd(accountId, id => new AccountState(id));

    /// <summary>Drops a merchant whose creation failed before anything was committed.</summary>
    public void ForgetEmptyMerchant(string accountId)
    {
        if (_accounts.TryGetValue(accountId, out var state) && state.Objects.Count == 0) _accounts.TryRemove(accountId, out _);
    }

    /// <summary>
    /// The merchant owning a PaymentIntent, for callers without a key (the 3-D Secure page). Intents awaiting
    /// authentication are indexed; any other id (an error page: already completed, unknown) costs a scan of the accounts.
    /// </summary>
    public AccountState? FindAccountOfPaymentIntent(string id)
    {
        if (_awaitingAction.TryGetValue(id, out var accountId)) return FindAccount(accountId);
        foreach (var state in _accounts.Values)
            lock (state.Gate)
                if (state.Objects.TryGetValue(id, out var e) && e.Obj is PaymentIntent) return state;
        return null;
    }

    /// <summary>Keeps the requires_action index current; called for every stored PaymentIntent version (commit and load).</summary>
    internal void Track(PaymentIntent pi)
    {
        if (pi.Status is PaymentIntentStatus.RequiresAction) _awaitingAction[pi.Id] = pi.AccountId;
        else _awaitingAction.TryRemove(pi.Id, out _);
    }

    /// <summary>Returns the merchant for a key suffix, creating it (durably) when <paramref name="create"/> is set and it is new.</summary>
    public async Task<AccountState?> GetOrProvisionAsync(string suffix, Func<Account> create)
    {
        var existing = FindAccountByKeySuffix(suffix);
        if (existing is not null) return existing;
        Task durable;
        AccountState state;
        lock (_provisionGate)
        {
            existing = FindAccountByKeySuffix(suffix);
            if (existing is not null) return existing;
            var account = create();
            state = new AccountState(account.Id);
            _accounts[account.Id] = state;
            lock (state.Gate)
            {
                var tx = Begin(state);
                tx.Put(account);
                durable = tx.Commit();
            }
            _accountByImplicitKey[Auth.ApiKey.ImplicitHash(suffix)] = account.Id;
        }
        await durable;
        return state;
    }

    /// <summary>Starts a unit of work; the caller must hold <see cref="AccountState.Gate"/>.</summary>
    public Tx Begin(AccountState account) => new(this, account);

    /// <summary>Starts a unit of work on <paramref name="account"/>'s tree acting as <paramref name="acting"/>.</summary>
    public Tx Begin(AccountState account, string acting) => new(this, account, acting);

    internal long NextSeq() => Interlocked.Increment(ref _seq);

    internal Task Persist(IReadOnlyList<Row> rows) => _log is null ? Task.CompletedTask : _log.Append(rows);

    private byte[] Serialize(StripeObject o) => JsonSerializer.SerializeToUtf8Bytes(o, o.GetType(), _persistOptions);

    private void Load(SqliteConnection conn)
    {
        long rows = 0;
        // Account rows first: a connected account's objects go into its platform's tree, whatever row order
        // compaction left (docs/connect.md).
        var platformOf = new Dictionary<string, string>(StringComparer.Ordinal);
        using (var cmd = conn.CreateCommand())
        {
            cmd.CommandText = "SELECT data FROM objects WHERE type = 'account' ORDER BY rowid";
            using var r = cmd.ExecuteReader();
            while (r.Read())
                if (JsonSerializer.Deserialize((byte[])r.GetValue(0), typeof(Account), _persistOptions) is Account { Platform: { } p } a)
                    platformOf[a.Id] = p;
        }
        using (var cmd = conn.CreateCommand())
        {
            cmd.CommandText = "SELECT type, data, seq FROM objects ORDER BY rowid";
            using var r = cmd.ExecuteReader();
            while (r.Read())
            {
                rows++;
                var type = r.GetString(0);
                if (!_types.TryGetValue(type, out var clr))
                    throw new InvalidOperationException($"The database holds objects of type '{type}' that this build does not know.");
                var obj = (StripeObject)JsonSerializer.Deserialize((byte[])r.GetValue(1), clr, _persistOptions)!;
                var seq = r.GetInt64(2);
                _seq = Math.Max(_seq, seq);
                var root = platformOf.GetValueOrDefault(obj.AccountId) ?? obj.AccountId;
                var state = _accounts.GetOrAdd(root, id => new AccountState(id));
                state.Apply(obj, seq, replaying: true);
                if (obj is PaymentIntent pi) Track(pi);
                if (obj is Account { ImplicitKeyHash: { } hash } a) _accountByImplicitKey[hash] = a.Id;
                Index(state, obj);
            }
        }
        foreach (var state in _accounts.Values) state.FinishReplay();
        // Time-driven work of the previous run is due again (or later) on the merchants' clocks.
        if (Timers is not null)
            foreach (var state in _accounts.Values)
                foreach (var id in state.AllIds())
                {
                    Func<string, StripeObject?> get = x => state.Objects.TryGetValue(x, out var o) ? o.Obj : null;
                    if (state.Objects.TryGetValue(id, out var e) && Timers.DueAt(e.Obj, get) is { } at)
                        state.ScheduleTimer(id, at, Time.TimerScope.TestClockOf(e.Obj, get));
                }
        // Pending deliveries of the previous run (including one cut short by kill -9) are due again: at-least-once.
        foreach (var state in _accounts.Values)
        {
            foreach (var key in state.Lists.Where(kv => kv.Key.Type == "webhook_delivery").SelectMany(kv => kv.Value.NewestFirst()))
                if (state.Objects.TryGetValue(key.Id, out var e) && e.Obj is WebhookDelivery { IsPending: true, NextAttemptAt: { } due })
                    DueQueue.Push(due, state.AccountId, key.Id);
        }
        var live = _accounts.Values.Sum(a => (long)a.Objects.Count);
        if (rows > 2 * live + 10_000)
        {
            // Every version is a row; once most rows are superseded, keep only the latest of each object. By account too:
            // caller-chosen ids (products) may repeat across merchants.
            Database.Exec(conn, "DELETE FROM objects WHERE rowid NOT IN (SELECT MAX(rowid) FROM objects GROUP BY account, id); VACUUM;");
        }
        using (var cmd = conn.CreateCommand())
        {
            cmd.CommandText = "SELECT account, key, fingerprint, status, body, request_id, created FROM idempotency ORDER BY rowid";
            using var r = cmd.ExecuteReader();
            while (r.Read())
            {
                var state = _accounts.GetOrAdd(r.GetString(0), id => new AccountState(id));
                state.Idempotency[r.GetString(1)] = new IdempotencyRecord(
                    r.GetString(2), r.GetInt32(3), (byte[])r.GetValue(4), r.GetString(5), r.GetInt64(6));
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_log is not null) await _log.DisposeAsync();
    }
}
