using System.Data;
using MockProcessor.Domain.Common;
using Npgsql;
using NpgsqlTypes;

namespace MockProcessor.Server.Storage;

/// <summary>
/// Replica mode (<c>serve --replica --db postgres://...</c>, docs/deploy.md): several emulator processes on one PostgreSQL
/// database, any of them serving any merchant. The database is the lock and the source of truth; each replica's memory is
/// a cache validated per call. A call on a tree runs in one <see cref="TreeSession"/>: a transaction holding
/// <c>SELECT version FROM trees ... FOR UPDATE</c>, which first catches the tree up on what other replicas committed
/// (rows with a higher <c>tree_version</c>), then runs, writes its rows with <c>version + 1</c>, and commits before the
/// answer. Group commit is not used for calls in this mode: the row lock must cover read, decide and write.
/// </summary>
public sealed class ReplicaCoordinator : IDisposable
{
    /// <summary>The advisory lock of merchant provisioning by key (two replicas seeing one new key create one merchant).</summary>
    private const long ProvisionLock = 0x4D6F636B50726F64;

    private readonly NpgsqlDataSource _source;
    private readonly Time.VirtualClock _clock;
    /// <summary>The <c>clock</c> row of this replica's <c>--clock</c> mode (replicas of one database should share one).</summary>
    private readonly string _mode;

    public ReplicaCoordinator(string connectionString, bool seeded, Time.VirtualClock clock)
    {
        _clock = clock;
        _mode = clock.Mode.ToString().ToLowerInvariant();
        // A call is two batches of the same few statements on a pooled connection: prepared once per physical
        // connection (auto-prepare) instead of parsed and planned on every call, and the connection returned to the pool
        // without the DISCARD ALL that would drop those statements. Nothing here leaves session state behind: sessions
        // end with COMMIT or ROLLBACK, advisory session locks are released before the connection is returned.
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (builder.MaxAutoPrepare == 0) // unless --db set it (…?Max Auto Prepare=N)
        {
            builder.MaxAutoPrepare = 64;
            builder.AutoPrepareMinUsages = 2;
        }
        builder.NoResetOnClose = true;
        _source = NpgsqlDataSource.Create(builder.ConnectionString);
        using var conn = _source.OpenConnection();
        using var tx = conn.BeginTransaction();
        Exec(conn, tx, $"SELECT pg_advisory_xact_lock({PostgresStore.MigrationLock})");
        // Replica columns on the shared tables: each call's rows carry the tree and the tree version they committed
        // (null for rows a single process wrote through group commit, which every replica reads at start-up).
        Exec(conn, tx, """
            CREATE TABLE IF NOT EXISTS trees (account text PRIMARY KEY, version bigint NOT NULL);
            CREATE TABLE IF NOT EXISTS replicas (number serial PRIMARY KEY, started timestamptz NOT NULL DEFAULT now(), host text);
            ALTER TABLE objects ADD COLUMN IF NOT EXISTS tree text;
            ALTER TABLE objects ADD COLUMN IF NOT EXISTS tree_version bigint;
            CREATE INDEX IF NOT EXISTS objects_tree ON objects(tree, tree_version);
            ALTER TABLE idempotency ADD COLUMN IF NOT EXISTS tree_version bigint;
            CREATE TABLE IF NOT EXISTS clock (mode text PRIMARY KEY, origin_ms bigint NOT NULL, advanced bigint NOT NULL);
            CREATE TABLE IF NOT EXISTS fault_rules (account text PRIMARY KEY, rules bytea NOT NULL, tree_version bigint NOT NULL);
            CREATE TABLE IF NOT EXISTS file_contents (id text PRIMARY KEY, data bytea NOT NULL);
            CREATE TABLE IF NOT EXISTS webhook_due (
                account      text   NOT NULL, -- the tree
                delivery_id  text   NOT NULL,
                due_at       bigint NOT NULL, -- the delivery's next_attempt_at, on its merchant's virtual clock
                leased_until timestamptz,     -- real time; null or past: free to claim
                leased_by    integer,         -- the claiming replica's number
                PRIMARY KEY (account, delivery_id)
            );
            """);
        // The process clock, shared (docs/deploy.md): the first replica of a --clock mode sets its origin; every replica
        // then takes the origin and the advance from the row.
        using (var batch = new NpgsqlBatch(conn, tx))
        {
            var insert = new NpgsqlBatchCommand("INSERT INTO clock(mode, origin_ms, advanced) VALUES($1, $2, 0) ON CONFLICT DO NOTHING");
            insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = _mode });
            insert.Parameters.Add(new NpgsqlParameter<long> { TypedValue = clock.State.OriginMs });
            batch.BatchCommands.Add(insert);
            batch.BatchCommands.Add(ClockCommand());
            using var r = batch.ExecuteReader();
            do { if (r.FieldCount == 2 && r.Read()) clock.Share(r.GetInt64(0), r.GetInt64(1)); } while (r.NextResult());
        }
        // Idempotency keys unique in the database: a key stored again after expiry replaces its record, as in memory.
        if (Scalar(conn, tx, "SELECT to_regclass('idempotency_key')::text") is null or DBNull)
            Exec(conn, tx, """
                DELETE FROM idempotency a USING idempotency b WHERE a.account = b.account AND a.key = b.key AND a.position < b.position;
                CREATE UNIQUE INDEX idempotency_key ON idempotency(account, key);
                """);
        using (var cmd = new NpgsqlCommand("INSERT INTO replicas(host) VALUES($1) RETURNING number", conn, tx))
        {
            cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = Environment.MachineName });
            Number = (int)cmd.ExecuteScalar()!;
        }
        tx.Commit();
        Seeded = seeded;
    }

    /// <summary>This replica's number (from the <c>replicas</c> table, 1 for the first replica ever started on the database).</summary>
    public int Number { get; }

    /// <summary>Ids follow the seed's sequence, unprefixed: meaningful with one replica only (docs/deploy.md).</summary>
    public bool Seeded { get; }

    /// <summary>
    /// Opens the call's transaction, takes the tree's row lock (creating the row for a new tree) and reads what other
    /// replicas committed to the tree after <paramref name="since"/> (the version this replica's memory reflects), all in
    /// one round trip: the reads run after the lock is granted, so they see every commit up to the locked version, and
    /// nothing newer can be committed while the lock is held. The caller then applies them (<see cref="ObjectStore.CatchUp"/>).
    /// </summary>
    internal async Task<TreeSession> LockAsync(string tree, long since)
    {
        var conn = await _source.OpenConnectionAsync();
        try
        {
            await using var batch = new NpgsqlBatch(conn);
            // BEGIN and, in TreeSession.Commit, COMMIT travel inside the batches instead of as round trips of their own.
            batch.BatchCommands.Add(new NpgsqlBatchCommand("BEGIN"));
            var insert = new NpgsqlBatchCommand("INSERT INTO trees(account, version) VALUES($1, 0) ON CONFLICT DO NOTHING");
            insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = tree });
            batch.BatchCommands.Add(insert);
            var select = new NpgsqlBatchCommand("SELECT version FROM trees WHERE account = $1 FOR UPDATE");
            select.Parameters.Add(new NpgsqlParameter<string> { TypedValue = tree });
            batch.BatchCommands.Add(select);
            // The shared process clock rides in the same round trip, read after the lock is granted (a statement of its
            // own: a fresh snapshot under READ COMMITTED), so the call sees every advance committed before it got the tree.
            batch.BatchCommands.Add(ClockCommand());
            // No upper bound needed: nothing newer than the locked version can be committed while the lock is held.
            batch.BatchCommands.Add(SinceCommand(ObjectsSince, tree, since, long.MaxValue));
            batch.BatchCommands.Add(SinceCommand(IdempotencySince, tree, since, long.MaxValue));
            batch.BatchCommands.Add(SinceCommand(FaultRulesSince, tree, since, long.MaxValue));
            await using var r = await batch.ExecuteReaderAsync();
            if (!await r.ReadAsync()) throw new InvalidOperationException($"No trees row for {tree}.");
            var version = r.GetInt64(0);
            await r.NextResultAsync();
            if (await r.ReadAsync()) _clock.Share(r.GetInt64(0), r.GetInt64(1));
            await r.NextResultAsync();
            var (objects, idempotency, faultRules) = await ReadRows(r, tree);
            return new TreeSession(conn, tree, version, new CaughtUp(since, objects, idempotency, faultRules));
        }
        catch
        {
            await conn.DisposeAsync();
            throw;
        }
    }

    /// <summary>The synchronous <see cref="LockAsync"/>, for a commit made outside a session (see <see cref="ObjectStore"/>).</summary>
    internal TreeSession Lock(string tree, long since) => LockAsync(tree, since).GetAwaiter().GetResult();

    /// <summary>
    /// The committed version of every tree, read without locks (to find trees another replica created or changed), and
    /// the shared clock in the same round trip.
    /// </summary>
    internal Dictionary<string, long> Versions()
    {
        using var conn = _source.OpenConnection();
        using var batch = new NpgsqlBatch(conn);
        batch.BatchCommands.Add(new NpgsqlBatchCommand("SELECT account, version FROM trees"));
        batch.BatchCommands.Add(ClockCommand());
        using var r = batch.ExecuteReader();
        var all = new Dictionary<string, long>(StringComparer.Ordinal);
        while (r.Read()) all[r.GetString(0)] = r.GetInt64(1);
        if (r.NextResult() && r.Read()) _clock.Share(r.GetInt64(0), r.GetInt64(1));
        return all;
    }

    /// <summary>Brings this process's clock up to the shared one (<c>GET /_mock/clock</c>).</summary>
    public async Task SyncClockAsync()
    {
        await using var conn = await _source.OpenConnectionAsync();
        await using var batch = new NpgsqlBatch(conn);
        batch.BatchCommands.Add(ClockCommand());
        await using var r = await batch.ExecuteReaderAsync();
        if (await r.ReadAsync()) _clock.Share(r.GetInt64(0), r.GetInt64(1));
    }

    /// <summary>Reads this replica's <c>clock</c> row (origin, advance): a statement of the batches that bring the shared clock along.</summary>
    private NpgsqlBatchCommand ClockCommand()
    {
        var cmd = new NpgsqlBatchCommand("SELECT origin_ms, advanced FROM clock WHERE mode = $1");
        cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = _mode });
        return cmd;
    }

    /// <summary>The session-level advisory lock that an advance of the process clock holds exclusively and a time driver's tick shared.</summary>
    private const long ClockLock = 0x4D6F636B50726F65;

    /// <summary>
    /// Advances the shared process clock by <paramref name="seconds"/>: waits for running ticks of any replica's time
    /// driver, commits the new advance (every replica's next call sees it), and keeps ticks out until the returned lease
    /// is disposed, so the due work the advance fires (the caller runs it meanwhile) is counted by the advance alone.
    /// The caller validated <paramref name="seconds"/> against the clock it read through <see cref="SyncClockAsync"/>.
    /// </summary>
    public async Task<IAsyncDisposable> AdvanceClockAsync(long seconds)
    {
        var conn = await _source.OpenConnectionAsync();
        try
        {
            await using (var cmd = new NpgsqlCommand($"SELECT pg_advisory_lock({ClockLock})", conn)) await cmd.ExecuteNonQueryAsync();
            await using (var cmd = new NpgsqlCommand("UPDATE clock SET advanced = advanced + $2 WHERE mode = $1 RETURNING origin_ms, advanced", conn))
            {
                cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = _mode });
                cmd.Parameters.Add(new NpgsqlParameter<long> { TypedValue = seconds });
                await using var r = await cmd.ExecuteReaderAsync();
                if (await r.ReadAsync()) _clock.Share(r.GetInt64(0), r.GetInt64(1));
            }
            return new AdvisoryLease(conn, $"SELECT pg_advisory_unlock({ClockLock})");
        }
        catch
        {
            await conn.DisposeAsync();
            throw;
        }
    }

    /// <summary>A time driver tick's shared hold on the clock lock; null (skip this tick) while an advance runs.</summary>
    internal async Task<IAsyncDisposable?> TryTickAsync()
    {
        var conn = await _source.OpenConnectionAsync();
        try
        {
            await using var cmd = new NpgsqlCommand($"SELECT pg_try_advisory_lock_shared({ClockLock})", conn);
            if (await cmd.ExecuteScalarAsync() is true) return new AdvisoryLease(conn, $"SELECT pg_advisory_unlock_shared({ClockLock})");
        }
        catch
        {
            await conn.DisposeAsync();
            throw;
        }
        await conn.DisposeAsync();
        return null;
    }

    private sealed class AdvisoryLease(NpgsqlConnection conn, string unlock) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            try
            {
                await using var cmd = new NpgsqlCommand(unlock, conn);
                await cmd.ExecuteNonQueryAsync();
            }
            finally { await conn.DisposeAsync(); }
        }
    }

    /// <summary>Stores the contents of file <paramref name="id"/> for every replica (FileStorage.Publish, before the file object is committed).</summary>
    internal void PutFile(string id, byte[] data)
    {
        using var conn = _source.OpenConnection();
        using var cmd = new NpgsqlCommand("INSERT INTO file_contents(id, data) VALUES($1, $2) ON CONFLICT (id) DO UPDATE SET data = excluded.data", conn);
        cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = id });
        cmd.Parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = data });
        cmd.ExecuteNonQuery();
    }

    /// <summary>The contents of file <paramref name="id"/> as some replica published them, or null.</summary>
    internal byte[]? GetFile(string id)
    {
        using var conn = _source.OpenConnection();
        using var cmd = new NpgsqlCommand("SELECT data FROM file_contents WHERE id = $1", conn);
        cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = id });
        return cmd.ExecuteScalar() as byte[];
    }

    /// <summary>The committed version of one tree (0 for a tree not in the table), read without locks.</summary>
    internal long VersionOf(string tree)
    {
        using var conn = _source.OpenConnection();
        using var cmd = new NpgsqlCommand("SELECT version FROM trees WHERE account = $1", conn);
        cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = tree });
        return cmd.ExecuteScalar() is long v ? v : 0;
    }

    // A tree's rows committed in versions ($2, $3].
    private const string ObjectsSince =
        "SELECT position, type, data, seq FROM objects WHERE tree = $1 AND tree_version > $2 AND tree_version <= $3 ORDER BY tree_version, position";
    private const string IdempotencySince =
        "SELECT key, fingerprint, status, body, request_id, created FROM idempotency WHERE account = $1 AND tree_version > $2 AND tree_version <= $3 ORDER BY position";
    // At most one row per tree: the rules as of the newest commit that changed them.
    private const string FaultRulesSince =
        "SELECT rules FROM fault_rules WHERE account = $1 AND tree_version > $2 AND tree_version <= $3";

    private static NpgsqlBatchCommand SinceCommand(string sql, string tree, long since, long upTo)
    {
        var cmd = new NpgsqlBatchCommand(sql);
        cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = tree });
        cmd.Parameters.Add(new NpgsqlParameter<long> { TypedValue = since });
        cmd.Parameters.Add(new NpgsqlParameter<long> { TypedValue = upTo });
        return cmd;
    }

    /// <summary>Reads the result sets of <see cref="ObjectsSince"/>, <see cref="IdempotencySince"/> and <see cref="FaultRulesSince"/>, the reader on the first.</summary>
    private static async Task<(List<StoredVersion>, List<IdempotencyRow>, byte[]?)> ReadRows(NpgsqlDataReader r, string tree)
    {
        var objects = new List<StoredVersion>();
        while (await r.ReadAsync()) objects.Add(new StoredVersion(r.GetInt64(0), r.GetString(1), (byte[])r.GetValue(2), r.GetInt64(3)));
        await r.NextResultAsync();
        var idempotency = new List<IdempotencyRow>();
        while (await r.ReadAsync())
            idempotency.Add(new IdempotencyRow(tree, r.GetString(0), r.GetString(1), r.GetInt32(2), (byte[])r.GetValue(3), r.GetString(4), r.GetInt64(5)));
        await r.NextResultAsync();
        byte[]? rules = null;
        while (await r.ReadAsync()) rules = (byte[])r.GetValue(0);
        return (objects, idempotency, rules);
    }

    /// <summary>
    /// The object versions, idempotency records and (when they changed) fault rules of <paramref name="tree"/> committed after <paramref name="since"/>, in
    /// commit order, read without the tree's lock (callers that hold it got them from <see cref="LockAsync"/>). A read
    /// without the lock may also see commits made after <paramref name="upTo"/>; those are left for the next catch-up.
    /// </summary>
    internal (List<StoredVersion> Objects, List<IdempotencyRow> Idempotency, byte[]? FaultRules) ReadSince(string tree, long since, long upTo)
    {
        using var conn = _source.OpenConnection();
        using var batch = new NpgsqlBatch(conn);
        // One snapshot for both reads, and the version bound applied in SQL: rows of later commits are not returned.
        batch.BatchCommands.Add(new NpgsqlBatchCommand("BEGIN ISOLATION LEVEL REPEATABLE READ"));
        batch.BatchCommands.Add(SinceCommand(ObjectsSince, tree, since, upTo));
        batch.BatchCommands.Add(SinceCommand(IdempotencySince, tree, since, upTo));
        batch.BatchCommands.Add(SinceCommand(FaultRulesSince, tree, since, upTo));
        batch.BatchCommands.Add(new NpgsqlBatchCommand("COMMIT"));
        using var r = batch.ExecuteReader();
        return ReadRows(r, tree).GetAwaiter().GetResult();
    }

    /// <summary>Serialises provisioning of the merchant of one implicit key across replicas (a transaction-level advisory lock).</summary>
    internal async Task<IAsyncDisposable> ProvisionLockAsync(string key)
    {
        var conn = await _source.OpenConnectionAsync();
        var tx = await conn.BeginTransactionAsync();
        await using (var cmd = new NpgsqlCommand("SELECT pg_advisory_xact_lock($1, hashtext($2))", conn, tx))
        {
            cmd.Parameters.Add(new NpgsqlParameter<int> { TypedValue = (int)(ProvisionLock & 0x7FFFFFFF) });
            cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = key });
            await cmd.ExecuteNonQueryAsync();
        }
        return new Releaser(conn, tx);
    }

    private sealed class Releaser(NpgsqlConnection conn, NpgsqlTransaction tx) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            try { await tx.CommitAsync(); }
            finally { await conn.DisposeAsync(); }
        }
    }

    /// <summary>Per tree with rows in <c>webhook_due</c>: the earliest due time of a row free to claim, and of a row leased now (either null).</summary>
    internal async Task<List<(string Account, long? FreeDue, long? LeasedDue)>> WebhookDueSummaryAsync(CancellationToken ct)
    {
        await using var conn = await _source.OpenConnectionAsync(ct);
        await using var cmd = new NpgsqlCommand("""
            SELECT account,
                   min(due_at) FILTER (WHERE leased_until IS NULL OR leased_until <= clock_timestamp()),
                   min(due_at) FILTER (WHERE leased_until > clock_timestamp())
            FROM webhook_due GROUP BY account
            """, conn);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var all = new List<(string, long?, long?)>();
        while (await r.ReadAsync(ct))
            all.Add((r.GetString(0), r.IsDBNull(1) ? null : r.GetInt64(1), r.IsDBNull(2) ? null : r.GetInt64(2)));
        return all;
    }

    /// <summary>
    /// Claims up to <paramref name="limit"/> deliveries due by their merchant's clock (<paramref name="nows"/>, one per tree of
    /// <paramref name="trees"/>, computed by the caller after catching up) and not leased, earliest due first: each claimed row
    /// is leased to this replica until <paramref name="lease"/> from now (database time). Rows another transaction is claiming
    /// are skipped (<c>FOR UPDATE SKIP LOCKED</c>), so two replicas claiming at once never claim the same row.
    /// </summary>
    internal async Task<List<Webhooks.DueEntry>> ClaimWebhooksAsync(string[] trees, long[] nows, int limit, TimeSpan lease, CancellationToken ct)
    {
        await using var conn = await _source.OpenConnectionAsync(ct);
        await using var cmd = new NpgsqlCommand("""
            WITH c AS (
                SELECT w.account, w.delivery_id FROM webhook_due w
                JOIN unnest($1::text[], $2::bigint[]) AS n(account, now) ON w.account = n.account
                WHERE w.due_at <= n.now AND (w.leased_until IS NULL OR w.leased_until <= clock_timestamp())
                ORDER BY w.due_at LIMIT $3
                FOR UPDATE OF w SKIP LOCKED)
            UPDATE webhook_due w SET leased_until = clock_timestamp() + $4 * interval '1 millisecond', leased_by = $5
            FROM c WHERE w.account = c.account AND w.delivery_id = c.delivery_id
            RETURNING w.account, w.delivery_id, w.due_at
            """, conn);
        cmd.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = trees });
        cmd.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = nows });
        cmd.Parameters.Add(new NpgsqlParameter<int> { TypedValue = limit });
        cmd.Parameters.Add(new NpgsqlParameter<double> { TypedValue = lease.TotalMilliseconds });
        cmd.Parameters.Add(new NpgsqlParameter<int> { TypedValue = Number });
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var claimed = new List<Webhooks.DueEntry>();
        while (await r.ReadAsync(ct)) claimed.Add(new Webhooks.DueEntry(r.GetInt64(2), r.GetString(0), r.GetString(1)));
        claimed.Sort((x, y) => x.Due.CompareTo(y.Due));
        return claimed;
    }

    /// <summary>
    /// Gives up this replica's lease of a claimed delivery that it did not attempt: <paramref name="forget"/> deletes the
    /// row (the delivery is no longer pending, or cannot be sent), otherwise it is freed for the next claim. Only a row
    /// still leased by this replica at the claimed due time is touched (any commit of the delivery has already reset it).
    /// </summary>
    internal async Task UnclaimWebhookAsync(Webhooks.DueEntry entry, bool forget)
    {
        await using var conn = await _source.OpenConnectionAsync();
        await using var cmd = new NpgsqlCommand(forget
            ? "DELETE FROM webhook_due WHERE account = $1 AND delivery_id = $2 AND leased_by = $3 AND due_at = $4"
            : "UPDATE webhook_due SET leased_until = NULL, leased_by = NULL WHERE account = $1 AND delivery_id = $2 AND leased_by = $3 AND due_at = $4", conn);
        cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = entry.AccountId });
        cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = entry.DeliveryId });
        cmd.Parameters.Add(new NpgsqlParameter<int> { TypedValue = Number });
        cmd.Parameters.Add(new NpgsqlParameter<long> { TypedValue = entry.Due });
        await cmd.ExecuteNonQueryAsync();
    }

    /// <summary>
    /// At start-up: a row for every pending delivery this replica loaded that has none (deliveries written before the
    /// table existed, or by a single process on the same database). Existing rows, and their leases, are kept.
    /// </summary>
    internal async Task BackfillWebhooksAsync(IReadOnlyList<Webhooks.DueEntry> pending, CancellationToken ct)
    {
        if (pending.Count == 0) return;
        await using var conn = await _source.OpenConnectionAsync(ct);
        await using var cmd = new NpgsqlCommand("""
            INSERT INTO webhook_due(account, delivery_id, due_at) SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[])
            ON CONFLICT DO NOTHING
            """, conn);
        cmd.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = pending.Select(e => e.AccountId).ToArray() });
        cmd.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = pending.Select(e => e.DeliveryId).ToArray() });
        cmd.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = pending.Select(e => e.Due).ToArray() });
        await cmd.ExecuteNonQueryAsync(ct);
    }

    public void Dispose() => _source.Dispose();

    private static void Exec(NpgsqlConnection conn, NpgsqlTransaction tx, string sql)
    {
        using var cmd = new NpgsqlCommand(sql, conn, tx);
        cmd.ExecuteNonQuery();
    }

    private static object? Scalar(NpgsqlConnection conn, NpgsqlTransaction tx, string sql)
    {
        using var cmd = new NpgsqlCommand(sql, conn, tx);
        return cmd.ExecuteScalar();
    }
}

/// <summary>What a replica read of a tree's commits after version <see cref="Since"/> (see <see cref="ReplicaCoordinator.LockAsync"/>).</summary>
internal sealed record CaughtUp(long Since, List<StoredVersion> Objects, List<IdempotencyRow> Idempotency, byte[]? FaultRules);

/// <summary>
/// One call's transaction on a tree in replica mode, holding the tree's row lock from <see cref="ReplicaCoordinator.LockAsync"/>
/// until <see cref="Commit"/> or disposal (a rollback). The rows of the call's commits are written by <see cref="Commit"/>
/// together with <c>version = version + 1</c>. The transaction is opened and closed by <c>BEGIN</c> and <c>COMMIT</c>
/// statements inside the batches (no <see cref="NpgsqlTransaction"/>), so a call costs two round trips: lock and read,
/// then write and commit.
/// </summary>
internal sealed class TreeSession(NpgsqlConnection conn, string tree, long version, CaughtUp caughtUp) : IDisposable
{
    public string Tree => tree;
    /// <summary>The tree's committed version when the lock was taken.</summary>
    public long Version => version;
    /// <summary>The tree's commits read with the lock (after the version this replica reflected then).</summary>
    public CaughtUp CaughtUp => caughtUp;
    public bool Done { get; private set; }

    /// <summary>
    /// Writes the rows, the tree's fault rules when they changed (<paramref name="faultRules"/>, else null) and the new
    /// version, and commits; returns the new version. <paramref name="serialize"/> may be null when no row is an object version.
    /// </summary>
    public long Commit(IReadOnlyList<Row> rows, RowSerializer? serialize, byte[]? faultRules = null)
    {
        var next = version + 1;
        using var batch = new NpgsqlBatch(conn);
        var objects = rows.OfType<ObjectRow>().ToList();
        if (objects.Count > 0)
        {
            var cmd = new NpgsqlBatchCommand("""
                INSERT INTO objects(id, account, type, created, seq, data, tree, tree_version)
                SELECT i, a, t, c, s, d, $7, $8 FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bigint[], $6::bytea[]) AS u(i, a, t, c, s, d)
                """);
            cmd.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = objects.Select(o => o.Object.Id).ToArray() });
            cmd.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = objects.Select(o => o.Object.AccountId).ToArray() });
            cmd.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = objects.Select(o => o.Object.ObjectType).ToArray() });
            cmd.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = objects.Select(o => o.Object.Created).ToArray() });
            cmd.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = objects.Select(o => o.Seq).ToArray() });
            cmd.Parameters.Add(new NpgsqlParameter<byte[][]> { TypedValue = objects.Select(o => serialize!.ToArray(o.Object)).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bytea });
            cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = tree });
            cmd.Parameters.Add(new NpgsqlParameter<long> { TypedValue = next });
            batch.BatchCommands.Add(cmd);
        }
        foreach (var row in rows)
        {
            switch (row)
            {
                case IdempotencyPurge purge:
                {
                    var cmd = new NpgsqlBatchCommand("DELETE FROM idempotency WHERE account = $1 AND created < $2");
                    cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = tree });
                    cmd.Parameters.Add(new NpgsqlParameter<long> { TypedValue = purge.OlderThan });
                    batch.BatchCommands.Add(cmd);
                    break;
                }
                case IdempotencyRow r:
                {
                    // Unique (account, key): the tree's row lock already serialises racing calls (the loser catches up and
                    // replays); a record stored again for an expired key replaces the old one.
                    var cmd = new NpgsqlBatchCommand("""
                        INSERT INTO idempotency(account, key, fingerprint, status, body, request_id, created, tree_version)
                        VALUES($1, $2, $3, $4, $5, $6, $7, $8)
                        ON CONFLICT (account, key) DO UPDATE SET fingerprint = excluded.fingerprint, status = excluded.status,
                            body = excluded.body, request_id = excluded.request_id, created = excluded.created, tree_version = excluded.tree_version
                        """);
                    cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = r.Account });
                    cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = r.Key });
                    cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = r.Fingerprint });
                    cmd.Parameters.Add(new NpgsqlParameter<int> { TypedValue = r.Status });
                    cmd.Parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = r.Body });
                    cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = r.RequestId });
                    cmd.Parameters.Add(new NpgsqlParameter<long> { TypedValue = r.Created });
                    cmd.Parameters.Add(new NpgsqlParameter<long> { TypedValue = next });
                    batch.BatchCommands.Add(cmd);
                    break;
                }
            }
        }
        if (faultRules is not null)
        {
            var cmd = new NpgsqlBatchCommand("""
                INSERT INTO fault_rules(account, rules, tree_version) VALUES($1, $2, $3)
                ON CONFLICT (account) DO UPDATE SET rules = excluded.rules, tree_version = excluded.tree_version
                """);
            cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = tree });
            cmd.Parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = faultRules });
            cmd.Parameters.Add(new NpgsqlParameter<long> { TypedValue = next });
            batch.BatchCommands.Add(cmd);
        }
        WebhookDueRows(batch, objects);
        var bump = new NpgsqlBatchCommand("UPDATE trees SET version = $2 WHERE account = $1");
        bump.Parameters.Add(new NpgsqlParameter<string> { TypedValue = tree });
        bump.Parameters.Add(new NpgsqlParameter<long> { TypedValue = next });
        batch.BatchCommands.Add(bump);
        batch.BatchCommands.Add(new NpgsqlBatchCommand("COMMIT"));
        batch.ExecuteNonQuery();
        Done = true;
        version = next;
        return next;
    }

    /// <summary>
    /// The <c>webhook_due</c> rows of the commit's deliveries (docs/deploy.md "Webhook deliveries"): a pending delivery's row
    /// holds its due time and is free to claim (a reschedule, an attempt recorded, ends its lease); a delivery no longer
    /// pending has none. Written in the commit's transaction, so the table never disagrees with the committed deliveries.
    /// </summary>
    private void WebhookDueRows(NpgsqlBatch batch, List<ObjectRow> objects)
    {
        Dictionary<string, Domain.Webhooks.WebhookDelivery>? last = null;
        foreach (var o in objects)
            if (o.Object is Domain.Webhooks.WebhookDelivery d) (last ??= new(StringComparer.Ordinal))[d.Id] = d;
        if (last is null) return;
        var pending = last.Values.Where(d => d is { IsPending: true, NextAttemptAt: not null }).ToList();
        var done = last.Values.Where(d => d is not { IsPending: true, NextAttemptAt: not null }).Select(d => d.Id).ToArray();
        if (pending.Count > 0)
        {
            var cmd = new NpgsqlBatchCommand("""
                INSERT INTO webhook_due(account, delivery_id, due_at) SELECT $1, i, d FROM unnest($2::text[], $3::bigint[]) AS u(i, d)
                ON CONFLICT (account, delivery_id) DO UPDATE SET due_at = excluded.due_at, leased_until = NULL, leased_by = NULL
                """);
            cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = tree });
            cmd.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = pending.Select(d => d.Id).ToArray() });
            cmd.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = pending.Select(d => d.NextAttemptAt!.Value).ToArray() });
            batch.BatchCommands.Add(cmd);
        }
        if (done.Length > 0)
        {
            var cmd = new NpgsqlBatchCommand("DELETE FROM webhook_due WHERE account = $1 AND delivery_id = ANY($2)");
            cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = tree });
            cmd.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = done });
            batch.BatchCommands.Add(cmd);
        }
    }

    public void Dispose()
    {
        if (!Done)
        {
            Done = true;
            try
            {
                using var rollback = new NpgsqlCommand("ROLLBACK", conn);
                rollback.ExecuteNonQuery();
            }
            catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException) { /* the connection is gone: so is the lock */ }
        }
        conn.Dispose();
    }
}
