using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using MockProcessor.Server.Auth;

namespace MockProcessor.Server.Storage;

/// <summary>
/// The SQLite file: WAL journal, schema created or migrated at start-up, and a refusal to open a file
/// written by a newer MockProcessor. See docs/architecture.md for why the tables are this simple.
/// </summary>
public static class Database
{
    public const int SchemaVersion = 7;

    /// <summary>The meta row holding the per-database HMAC key of idempotency fingerprints (docs/architecture.md, Secrets at rest).</summary>
    public const string FingerprintKeyName = "idempotency_fingerprint_key";

    private static readonly Action<SqliteConnection, SqliteTransaction>[] Migrations =
    [
        // v1. Both tables are append-only logs: every committed version of an object is a new row, written in
        // commit order, and loading replays them in rowid order so the last version wins. Appending keeps the
        // group-committing writer fast (no random-key B-tree updates); start-up compaction drops old versions.
        (conn, tx) => Exec(conn, """
        CREATE TABLE objects (
            id      TEXT NOT NULL,
            account TEXT NOT NULL,
            type    TEXT NOT NULL,
            created INTEGER NOT NULL,
            seq     INTEGER NOT NULL,
            data    BLOB NOT NULL
        );
        CREATE TABLE idempotency (
            account     TEXT NOT NULL,
            key         TEXT NOT NULL,
            fingerprint TEXT NOT NULL,
            status      INTEGER NOT NULL,
            body        BLOB NOT NULL, -- Brotli-compressed response bytes
            request_id  TEXT NOT NULL,
            created     INTEGER NOT NULL
        );
        CREATE INDEX idempotency_created ON idempotency(created);
        """, tx),
        // v2. No secrets at rest: idempotency fingerprints become HMACs under a per-database key, API keys and
        // auto-provisioned key suffixes become hashes (every stored version, events' snapshots included).
        HashSecrets,
        // v3. The explicit persisted format (Storage/PersistenceFormat): every stored version rewritten from the records'
        // default JSON (C# names, enums as numbers) to snake_case names and enums as names.
        ToExplicitFormat,
        // v4. An event's snapshot may be stored as a reference to the version row it announced ({"type", "row"}) instead
        // of a copy (docs/storage.md, "Event snapshots by reference"). v3 rows are valid v4 rows: nothing is rewritten;
        // the version only keeps an older build, which cannot read references, from opening a v4 file.
        (_, _) => { },
        // v5. An event's previous attributes are stored as JSON ("previous_attributes": {...}) instead of a string of it
        // ("previous_attributes_json"). The reader takes both, so v4 rows stay as they are (Storage/PersistenceFormat).
        (_, _) => { },
        // v6. An event may keep the object's version before the change ("previous": {"type", "row" or "data"}) and find its
        // previous attributes from it when rendered, and a snapshot may refer to a version an earlier batch wrote
        // (docs/storage.md). v5 rows are valid v6 rows; the version keeps a v5 build, which would drop "previous", out.
        (_, _) => { },
        // v7. Each version row may carry its head (what start-up needs without decoding it: Storage/RowHead) and the
        // positions its data refers to (refs). Older rows have neither and are decoded at start-up as before
        // (docs/storage.md, "Start-up from row heads"); nothing is rewritten.
        AddHeadColumns,
    ];

    private static void AddHeadColumns(SqliteConnection conn, SqliteTransaction tx)
    {
        using var columns = conn.CreateCommand();
        columns.Transaction = tx;
        columns.CommandText = "SELECT name FROM pragma_table_info('objects')";
        var have = new HashSet<string>(StringComparer.Ordinal);
        using (var r = columns.ExecuteReader())
            while (r.Read()) have.Add(r.GetString(0));
        // A file whose version was set back by hand (tests of older formats) may have them already.
        if (!have.Contains("head")) Exec(conn, "ALTER TABLE objects ADD COLUMN head TEXT;", tx);
        if (!have.Contains("refs")) Exec(conn, "ALTER TABLE objects ADD COLUMN refs TEXT;", tx);
    }

    public static SqliteConnection Open(string path)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
        var conn = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
        }.ToString());
        conn.Open();
        // WAL + synchronous=NORMAL: a committed transaction survives the process being killed (kill -9);
        // only an OS crash or power loss can lose the last commits. That is the durability an emulator needs.
        Exec(conn, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=5000;");
        Migrate(conn);
        return conn;
    }

    /// <summary>Refuses a database whose schema version <paramref name="current"/> is newer than this build's (any backend).</summary>
    public static void RefuseNewer(int current, string another)
    {
        if (current > SchemaVersion)
            throw new InvalidOperationException(
                $"The database was written by a newer MockProcessor (schema {current}; this build knows {SchemaVersion}). Use a newer build or another {another}.");
    }

    /// <summary>The durable store that <c>--db</c> names: a PostgreSQL server (a postgres:// URL or an Npgsql connection string) or a SQLite file.</summary>
    public static IDurableStore OpenStore(string db) =>
        PostgresStore.ConnectionString(db) is { } postgres ? new PostgresStore(postgres) : new SqliteStore(db);

    /// <summary>The per-database HMAC key of idempotency fingerprints (created by migration v2).</summary>
    public static byte[] FingerprintKey(SqliteConnection conn)
    {
        using var read = conn.CreateCommand();
        read.CommandText = $"SELECT value FROM meta WHERE key = '{FingerprintKeyName}'";
        return read.ExecuteScalar() is string s ? Convert.FromBase64String(s)
            : throw new InvalidOperationException("The database has no idempotency fingerprint key.");
    }

    private static void Migrate(SqliteConnection conn)
    {
        Exec(conn, "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);");
        using var read = conn.CreateCommand();
        read.CommandText = "SELECT value FROM meta WHERE key = 'schema_version'";
        var current = read.ExecuteScalar() is string s ? int.Parse(s, System.Globalization.CultureInfo.InvariantCulture) : 0;
        RefuseNewer(current, "--db file");
        var rewroteSecrets = current is > 0 and < 2;
        if (rewroteSecrets) Exec(conn, "PRAGMA secure_delete=ON;"); // overwritten plain text is zeroed, not left in free pages
        for (var v = current; v < SchemaVersion; v++)
        {
            using var tx = conn.BeginTransaction();
            Migrations[v](conn, tx);
            Exec(conn, $"INSERT INTO meta(key, value) VALUES('schema_version', '{v + 1}') ON CONFLICT(key) DO UPDATE SET value = excluded.value;", tx);
            tx.Commit();
        }
        if (rewroteSecrets)
        {
            // The old versions of the rewritten pages are still in the WAL and may be in free pages: rebuild the file
            // and empty the WAL, so no plain secret survives anywhere in it.
            Exec(conn, "VACUUM; PRAGMA wal_checkpoint(TRUNCATE); PRAGMA secure_delete=OFF;");
        }
    }

    /// <summary>
    /// Migration v2: creates the fingerprint key; replaces each idempotency fingerprint (the canonical request text,
    /// card numbers included) with its HMAC; replaces each stored API key string with its hash and shown form, and
    /// each auto-provisioned merchant's key suffix with the hash of its implicit secret key.
    /// </summary>
    private static void HashSecrets(SqliteConnection conn, SqliteTransaction tx)
    {
        var fingerprintKey = RandomNumberGenerator.GetBytes(32);
        using (var put = conn.CreateCommand())
        {
            put.Transaction = tx;
            put.CommandText = "INSERT INTO meta(key, value) VALUES($k, $v) ON CONFLICT(key) DO UPDATE SET value = excluded.value";
            put.Parameters.AddWithValue("$k", FingerprintKeyName);
            put.Parameters.AddWithValue("$v", Convert.ToBase64String(fingerprintKey));
            put.ExecuteNonQuery();
        }
        Rewrite(conn, tx, "SELECT rowid, fingerprint FROM idempotency", "UPDATE idempotency SET fingerprint = $v WHERE rowid = $id",
            r => Fingerprint(fingerprintKey, r.GetString(1)));

        // Which suffix each auto-provisioned merchant had: a key record of that suffix stands for an implicit key.
        var suffixOf = new Dictionary<string, string>(StringComparer.Ordinal);
        using (var cmd = conn.CreateCommand())
        {
            cmd.Transaction = tx;
            cmd.CommandText = "SELECT data FROM objects WHERE type = 'account'";
            using var r = cmd.ExecuteReader();
            while (r.Read())
                if (JsonNode.Parse((byte[])r.GetValue(0)) is JsonObject { } a && a["KeySuffix"]?.GetValue<string>() is { } suffix)
                    suffixOf[a["Id"]!.GetValue<string>()] = suffix;
        }
        var keySuffix = "\"KeySuffix\""u8.ToArray();
        var secret = "\"Secret\""u8.ToArray();
        Rewrite(conn, tx, "SELECT rowid, data, type FROM objects", "UPDATE objects SET data = $v WHERE rowid = $id", r =>
        {
            var data = (byte[])r.GetValue(1);
            if (data.AsSpan().IndexOf(keySuffix) < 0 && !(data.AsSpan().IndexOf(secret) >= 0 && data.AsSpan().IndexOf("api_key"u8) >= 0 || r.GetString(2) == "api_key"))
                return null;
            var node = JsonNode.Parse(data)!;
            return HashSecretsIn(node, r.GetString(2) == "api_key", suffixOf) ? Encoding.UTF8.GetBytes(node.ToJsonString()) : null;
        });
    }

    /// <summary>
    /// Migration v3: each stored object version (event snapshots inside) is rewritten from schema v2's JSON to the explicit
    /// format by <see cref="SchemaV2Rows"/>, from the v2 shapes frozen with it (not today's records), in rowid batches so
    /// memory stays bounded, within the migration's one transaction: a row it cannot read leaves the file as it was.
    /// </summary>
    private static void ToExplicitFormat(SqliteConnection conn, SqliteTransaction tx)
    {
        long last = 0;
        while (true)
        {
            var batch = new List<(long Id, byte[] Data)>();
            using (var cmd = conn.CreateCommand())
            {
                cmd.Transaction = tx;
                cmd.CommandText = "SELECT rowid, type, data FROM objects WHERE rowid > $last ORDER BY rowid LIMIT 10000";
                cmd.Parameters.AddWithValue("$last", last);
                using var r = cmd.ExecuteReader();
                while (r.Read()) batch.Add((r.GetInt64(0), SchemaV2Rows.Rewrite(r.GetString(1), (byte[])r.GetValue(2))));
            }
            if (batch.Count == 0) return;
            using var upd = conn.CreateCommand();
            upd.Transaction = tx;
            upd.CommandText = "UPDATE objects SET data = $v WHERE rowid = $id";
            var id = upd.Parameters.Add("$id", SqliteType.Integer);
            var value = upd.Parameters.Add("$v", SqliteType.Blob);
            foreach (var (rowid, data) in batch)
            {
                id.Value = rowid;
                value.Value = data;
                upd.ExecuteNonQuery();
            }
            last = batch[^1].Id;
        }
    }

    /// <summary>Rewrites, in place, the old-shape accounts and API key records anywhere in <paramref name="node"/> (events hold snapshots).</summary>
    private static bool HashSecretsIn(JsonNode? node, bool isKey, Dictionary<string, string> suffixOf)
    {
        var changed = false;
        switch (node)
        {
            case JsonObject o:
                if (isKey && o["Secret"]?.GetValue<string>() is { } full)
                {
                    o.Remove("Secret");
                    var owner = o["AccountId"]?.GetValue<string>();
                    var implicitKey = owner is not null && suffixOf.TryGetValue(owner, out var s) && full.Length > 8 && full[8..] == s;
                    o["Hash"] = ApiKey.Hash(full);
                    o["Shown"] = implicitKey ? Domain.Accounts.KeyRules.Redact(full) : ApiKey.Shown(full);
                    if (implicitKey) o["Implicit"] = true;
                    changed = true;
                }
                if (o.TryGetPropertyValue("KeySuffix", out var suffixNode))
                {
                    o.Remove("KeySuffix"); // null on onboarded and connected accounts: dropped too
                    if (suffixNode is JsonValue v && v.GetValueKind() == System.Text.Json.JsonValueKind.String)
                    {
                        var suffix = v.GetValue<string>();
                        o["ImplicitKeyHash"] = ApiKey.ImplicitHash(suffix);
                        o["ImplicitPublishableKeyHash"] = ApiKey.Hash(Domain.Accounts.KeyRules.Prefix(Domain.Accounts.KeyKind.Publishable) + suffix);
                        o["ImplicitKeyHint"] = Domain.Accounts.KeyRules.Hint(suffix);
                    }
                    changed = true;
                }
                // An event's snapshot: {"type": "api_key", "data": {...}}.
                var snapshotOfKey = o["type"] is JsonValue t && t.GetValueKind() == System.Text.Json.JsonValueKind.String && t.GetValue<string>() == "api_key";
                foreach (var (name, child) in o.ToList())
                    changed |= HashSecretsIn(child, snapshotOfKey && name == "data", suffixOf);
                break;
            case JsonArray a:
                foreach (var child in a) changed |= HashSecretsIn(child, false, suffixOf);
                break;
        }
        return changed;
    }

    /// <summary>An idempotency fingerprint: HMAC-SHA256 of the canonical request under the database's key, hex.</summary>
    public static string Fingerprint(byte[] key, string canonical) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(canonical)));

    private static void Rewrite(SqliteConnection conn, SqliteTransaction tx, string select, string update, Func<SqliteDataReader, object?> map)
    {
        var changes = new List<(long Id, object Value)>();
        using (var cmd = conn.CreateCommand())
        {
            cmd.Transaction = tx;
            cmd.CommandText = select;
            using var r = cmd.ExecuteReader();
            while (r.Read())
                if (map(r) is { } v) changes.Add((r.GetInt64(0), v));
        }
        using var upd = conn.CreateCommand();
        upd.Transaction = tx;
        upd.CommandText = update;
        var id = upd.Parameters.Add("$id", SqliteType.Integer);
        var value = upd.Parameters.Add("$v", SqliteType.Blob);
        foreach (var (rowid, v) in changes)
        {
            id.Value = rowid;
            value.SqliteType = v is string ? SqliteType.Text : SqliteType.Blob;
            value.Value = v;
            upd.ExecuteNonQuery();
        }
    }

    public static void Exec(SqliteConnection conn, string sql, SqliteTransaction? tx = null)
    {
        using var cmd = conn.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }
}
