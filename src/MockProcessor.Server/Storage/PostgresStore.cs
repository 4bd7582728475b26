using System.Data.Common;
using MockProcessor.Domain.Common;
using Npgsql;
using NpgsqlTypes;

namespace MockProcessor.Server.Storage;

/// <summary>
/// The durable store on a PostgreSQL server (docs/deploy.md), for shared deployments: the tables and persisted format of
/// <see cref="SqliteStore"/> (object versions appended to <c>objects</c> in commit order, <c>idempotency</c>, <c>meta</c>
/// with the fingerprint key), JSON bytes in <c>bytea</c>. Schema creation and migrations run at start-up in one transaction
/// under a transaction-level advisory lock, so replicas starting together against an empty database migrate it once.
/// Each group-commit batch is one transaction sent as one Npgsql batch (a multi-row insert per run of rows) plus the commit.
/// </summary>
public sealed class PostgresStore : SqlStore
{
    /// <summary>The advisory lock key of schema migrations (any constant no other user of the database takes: "MockProc").</summary>
    public const long MigrationLock = 0x4D6F636B50726F63;

    private readonly NpgsqlConnection _conn;
    private NpgsqlBatch? _batch;

    public PostgresStore(string connectionString)
    {
        _conn = new NpgsqlConnection(connectionString);
        _conn.Open();
        FingerprintKey = Migrate(_conn);
    }

    /// <summary>
    /// The Npgsql connection string that <c>--db</c> names when it is a PostgreSQL URL (<c>postgres://user[:password]@host[:port]/db[?key=value...]</c>,
    /// or <c>postgresql://</c>) or an Npgsql connection string (<c>Host=...;Database=...</c>); null when it names a SQLite file.
    /// </summary>
    public static string? ConnectionString(string db)
    {
        var builder = new NpgsqlConnectionStringBuilder();
        if (db.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase) || db.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase))
        {
            if (!Uri.TryCreate(db, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host))
                throw new ArgumentException($"--db {Redacted(db)} is not a PostgreSQL URL (postgres://user@host:port/database).");
            var user = uri.UserInfo.Split(':', 2);
            if (user[0].Length > 0) builder.Username = Uri.UnescapeDataString(user[0]);
            if (user.Length > 1) builder.Password = Uri.UnescapeDataString(user[1]);
            builder.Host = uri.Host.Trim('[', ']');
            if (uri.Port > 0) builder.Port = uri.Port;
            var database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/'));
            if (database.Length > 0) builder.Database = database;
            foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
            {
                var kv = pair.Split('=', 2);
                try { builder[Uri.UnescapeDataString(kv[0])] = kv.Length > 1 ? Uri.UnescapeDataString(kv[1]) : ""; }
                catch (ArgumentException ex) { throw new ArgumentException($"--db: {ex.Message}", ex); }
            }
        }
        else if (db.Contains('=') && (db.Contains("Host=", StringComparison.OrdinalIgnoreCase) || db.Contains("Server=", StringComparison.OrdinalIgnoreCase)))
        {
            try { builder.ConnectionString = db; }
            catch (ArgumentException ex) { throw new ArgumentException($"--db is not an Npgsql connection string: {ex.Message}", ex); }
        }
        else return null;
        if (string.IsNullOrEmpty(builder.ApplicationName)) builder.ApplicationName = "mockprocessor";
        return builder.ConnectionString;
    }

    /// <summary><paramref name="db"/> without a password, for messages.</summary>
    private static string Redacted(string db) => System.Text.RegularExpressions.Regex.Replace(db, "(://[^:/@]*:)[^@]*@", "$1***@");

    /// <summary>
    /// Creates or migrates the schema and returns the fingerprint key, in one transaction holding the migration lock: a
    /// second replica starting at the same moment waits, then finds the schema current and reads the same key.
    /// </summary>
    private static byte[] Migrate(NpgsqlConnection conn)
    {
        using var tx = conn.BeginTransaction();
        Exec(conn, tx, $"SELECT pg_advisory_xact_lock({MigrationLock})");
        Exec(conn, tx, "CREATE TABLE IF NOT EXISTS meta (key text PRIMARY KEY, value text NOT NULL)");
        var current = Scalar(conn, tx, "SELECT value FROM meta WHERE key = 'schema_version'") is string s
            ? int.Parse(s, System.Globalization.CultureInfo.InvariantCulture) : 0;
        Database.RefuseNewer(current, "--db");
        if (current == 0)
        {
            // PostgreSQL support starts at schema v3 (the explicit persisted format): a new database is created current.
            // position is commit order (one writer per database; docs/deploy.md says what replicas change).
            Exec(conn, tx, """
                CREATE TABLE objects (
                    position bigserial PRIMARY KEY,
                    id       text   NOT NULL,
                    account  text   NOT NULL,
                    type     text   NOT NULL,
                    created  bigint NOT NULL,
                    seq      bigint NOT NULL,
                    data     bytea  NOT NULL,
                    head     text,
                    refs     text
                );
                CREATE INDEX objects_type ON objects(type);
                CREATE TABLE idempotency (
                    position    bigserial PRIMARY KEY,
                    account     text    NOT NULL,
                    key         text    NOT NULL,
                    fingerprint text    NOT NULL,
                    status      integer NOT NULL,
                    body        bytea   NOT NULL, -- Brotli-compressed response bytes
                    request_id  text    NOT NULL,
                    created     bigint  NOT NULL
                );
                CREATE INDEX idempotency_created ON idempotency(created);
                """);
            using var put = new NpgsqlCommand("INSERT INTO meta(key, value) VALUES(@k, @v)", conn, tx);
            put.Parameters.AddWithValue("k", Database.FingerprintKeyName);
            put.Parameters.AddWithValue("v", Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)));
            put.ExecuteNonQuery();
            Exec(conn, tx, $"INSERT INTO meta(key, value) VALUES('schema_version', '{Database.SchemaVersion}')");
        }
        else if (current is 3 or 4 or 5 or 6)
        {
            // v7 adds each row's head and refs (Storage/RowHead); older rows have neither and are decoded at start-up.
            Exec(conn, tx, "ALTER TABLE objects ADD COLUMN IF NOT EXISTS head text, ADD COLUMN IF NOT EXISTS refs text");
            // v4 adds event snapshots by reference, which only the SQLite store writes: a v3 database is a v4 one. v5 stores
            // events' previous attributes as JSON and reads v4's strings: a v4 database is a v5 one. v6 adds an event's
            // previous version and references to earlier batches' versions: a v5 database is a v6 one.
            Exec(conn, tx, $"UPDATE meta SET value = '{Database.SchemaVersion}' WHERE key = 'schema_version'");
        }
        else if (current < Database.SchemaVersion)
        {
            // Future format migrations (SchemaV2Rows-style row rewrites) go here, shared with SQLite's, under the same lock.
            throw new InvalidOperationException($"The PostgreSQL database has schema {current}, older than any PostgreSQL schema this build migrates.");
        }
        var key = Scalar(conn, tx, $"SELECT value FROM meta WHERE key = '{Database.FingerprintKeyName}'") as string
            ?? throw new InvalidOperationException("The database has no idempotency fingerprint key.");
        tx.Commit();
        return Convert.FromBase64String(key);
    }

    protected override DbConnection Connection => _conn;

    protected override string PositionColumn => "position";

    // A server restart or a terminated backend breaks the connection: the batch in flight fails (its requests answer 500),
    // the next one reconnects instead of failing every write until the emulator restarts.
    protected override void Reconnect()
    {
        if (_conn.FullState is System.Data.ConnectionState.Open) return;
        _conn.Close();
        _conn.Open();
    }

    protected override void Begin(DbTransaction tx)
    {
        _batch?.Dispose(); // a failed batch's
        _batch = new NpgsqlBatch(_conn, (NpgsqlTransaction)tx);
    }

    // Each run of rows becomes one statement over arrays (unnest keeps the arrays' order, so positions follow commit order);
    // the whole batch is one round trip, the commit a second.
    protected override void InsertObjects(IReadOnlyList<ObjectRow> versions)
    {
        var n = versions.Count;
        string[] ids = new string[n], accounts = new string[n], types = new string[n];
        long[] created = new long[n], seqs = new long[n];
        var data = new byte[n][];
        var heads = new string?[n];
        var refs = new string?[n];
        for (var i = 0; i < n; i++)
        {
            var (o, seq) = (versions[i].Object, versions[i].Seq); // positions come from the bigserial
            ids[i] = o.Id; accounts[i] = o.AccountId; types[i] = o.ObjectType; created[i] = o.Created; seqs[i] = seq;
            data[i] = Bytes(versions[i], out var referred);
            heads[i] = HeadOf(versions[i]);
            refs[i] = referred is null ? null : RowHead.Refs(referred);
        }
        var cmd = new NpgsqlBatchCommand("""
            INSERT INTO objects(id, account, type, created, seq, data, head, refs)
            SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bigint[], $6::bytea[], $7::text[], $8::text[])
            """);
        cmd.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = ids });
        cmd.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = accounts });
        cmd.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = types });
        cmd.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = created });
        cmd.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = seqs });
        cmd.Parameters.Add(new NpgsqlParameter<byte[][]> { TypedValue = data, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bytea });
        cmd.Parameters.Add(new NpgsqlParameter<string?[]> { TypedValue = heads, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        cmd.Parameters.Add(new NpgsqlParameter<string?[]> { TypedValue = refs, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        _batch!.BatchCommands.Add(cmd);
    }

    protected override void InsertIdempotency(IReadOnlyList<IdempotencyRow> records)
    {
        var cmd = new NpgsqlBatchCommand("""
            INSERT INTO idempotency(account, key, fingerprint, status, body, request_id, created)
            SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::integer[], $5::bytea[], $6::text[], $7::bigint[])
            """);
        cmd.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = records.Select(r => r.Account).ToArray() });
        cmd.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = records.Select(r => r.Key).ToArray() });
        cmd.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = records.Select(r => r.Fingerprint).ToArray() });
        cmd.Parameters.Add(new NpgsqlParameter<int[]> { TypedValue = records.Select(r => r.Status).ToArray() });
        cmd.Parameters.Add(new NpgsqlParameter<byte[][]> { TypedValue = records.Select(r => r.Body).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bytea });
        cmd.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = records.Select(r => r.RequestId).ToArray() });
        cmd.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = records.Select(r => r.Created).ToArray() });
        _batch!.BatchCommands.Add(cmd);
    }

    protected override void PurgeIdempotency(long olderThan, string account)
    {
        var cmd = new NpgsqlBatchCommand("DELETE FROM idempotency WHERE created < $1 AND account = $2");
        cmd.Parameters.Add(new NpgsqlParameter<long> { TypedValue = olderThan });
        cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = account });
        _batch!.BatchCommands.Add(cmd);
    }

    protected override void DeleteVersions(IReadOnlyList<long> positions)
    {
        var cmd = new NpgsqlBatchCommand("DELETE FROM objects WHERE position = ANY($1)");
        cmd.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = positions.ToArray() });
        _batch!.BatchCommands.Add(cmd);
    }

    protected override void End()
    {
        using var batch = _batch!;
        _batch = null;
        if (batch.BatchCommands.Count > 0) batch.ExecuteNonQuery();
    }

    /// <summary>
    /// Nothing to do: the table is append-only but for compaction's deletes and idempotency purges, whose dead rows
    /// PostgreSQL's autovacuum reclaims on its own (as SQLite reuses freed pages); there is no WAL of ours to checkpoint.
    /// </summary>
    public override Task MaintainAsync(CancellationToken stop) => Task.CompletedTask;

    public override void Dispose()
    {
        _batch?.Dispose();
        _conn.Dispose();
    }

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
