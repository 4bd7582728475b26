using Microsoft.Data.Sqlite;

namespace MockProcessor.Server.Storage;

/// <summary>
/// The SQLite file: WAL journal, schema created or migrated at start-up, and a refusal to open a file
/// written by a newer MockProcessor. See docs/architecture.md for why the tables are this simple.
/// </summary>
public static class Database
{
    public const int SchemaVersion = 1;

    private static readonly string[] Migrations =
    [
        // v1. Both tables are append-only logs: every committed version of an object is a new row, written in
        // commit order, and loading replays them in rowid order so the last version wins. Appending keeps the
        // group-committing writer fast (no random-key B-tree updates); start-up compaction drops old versions.
        """
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
        """,
    ];

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

    private static void Migrate(SqliteConnection conn)
    {
        Exec(conn, "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);");
        using var read = conn.CreateCommand();
        read.CommandText = "SELECT value FROM meta WHERE key = 'schema_version'";
        var current = read.ExecuteScalar() is string s ? int.Parse(s, System.Globalization.CultureInfo.InvariantCulture) : 0;
        if (current > SchemaVersion)
            throw new InvalidOperationException(
                $"The database was written by a newer MockProcessor (schema {current}; this build knows {SchemaVersion}). Use a newer build or another --db file.");
        for (var v = current; v < SchemaVersion; v++)
        {
            using var tx = conn.BeginTransaction();
            Exec(conn, Migrations[v], tx);
            Exec(conn, $"INSERT INTO meta(key, value) VALUES('schema_version', '{v + 1}') ON CONFLICT(key) DO UPDATE SET value = excluded.value;", tx);
            tx.Commit();
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
