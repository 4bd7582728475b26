// What it would cost the writer to keep indexes in SQLite beside the append-only version rows, the design question of
// docs/storage.md ("Next: the index on disk"). Each mode writes N version rows as the emulator's writer does (one
// prepared statement bound through SQLite's own API, commits of 4,096 rows, WAL, synchronous=NORMAL, no automatic
// checkpoint) into a fresh file, plus, per row:
//   versions  nothing else (the store today)
//   list      one key in a type list ordered by (created, seq): appended at the right edge of its B-tree
//   secondary one key under one of 5,000 owners (a customer's PaymentIntents): inserted all over its B-tree
//   current   the id's current position, keyed by the id (random text): inserted all over its B-tree
//   all       current + list + secondary
//   segments  nothing at commit; every 100,000 rows (--segment) the ids seen since the last flush are written, sorted, as
//             one immutable table id → (position, seq): the flush of the layered design
// and reports µs a row and the bytes written a row (database + WAL). For "all" it then times three reads.
//
//   dotnet run -c Release --project tests/benchmarks/IndexCostBench -- [--rows 1000000] [--modes versions,list,secondary,current,all]
//        [--cache-kb 2000] [--batch 4096] [--segment 100000] [--dir /tmp/indexcost]
using System.Diagnostics;
using Microsoft.Data.Sqlite;
using SQLitePCL;
using static SQLitePCL.raw;

var flags = args.Select((a, i) => (a, i)).Where(x => x.a.StartsWith("--")).ToDictionary(x => x.a[2..], x => args.ElementAtOrDefault(x.i + 1) ?? "");
var rows = int.Parse(flags.GetValueOrDefault("rows", "1000000"));
var cacheKb = int.Parse(flags.GetValueOrDefault("cache-kb", "2000")); // SQLite's default page cache
var dir = flags.GetValueOrDefault("dir", Path.Combine(Path.GetTempPath(), "indexcost"));
Directory.CreateDirectory(dir);
const int Owners = 5_000;
var segmentRows = int.Parse(flags.GetValueOrDefault("segment", "100000"));
var batch = int.Parse(flags.GetValueOrDefault("batch", "4096")); // rows a commit (a clock advance commits parts of 4,096 objects)

Console.WriteLine($"{rows:N0} rows a mode, commits of {batch:N0}, page cache {cacheKb:N0} KB, {Environment.ProcessorCount} cores");
Console.WriteLine("| mode | µs a row | bytes written a row |");
Console.WriteLine("|---|---|---|");
foreach (var mode in flags.GetValueOrDefault("modes", "versions,list,secondary,current,all").Split(','))
{
    var path = Path.Combine(dir, mode + ".db");
    foreach (var f in Directory.GetFiles(dir, mode + ".db*")) File.Delete(f);
    using var conn = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
    conn.Open();
    void Exec(string sql) { using var c = conn.CreateCommand(); c.CommandText = sql; c.ExecuteNonQuery(); }
    Exec($"PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA wal_autocheckpoint=0; PRAGMA cache_size=-{cacheKb};");
    Exec("CREATE TABLE objects(id TEXT NOT NULL, account TEXT NOT NULL, type TEXT NOT NULL, created INTEGER NOT NULL, seq INTEGER NOT NULL, data BLOB NOT NULL, head TEXT)");
    Exec("CREATE TABLE current(id TEXT PRIMARY KEY, position INTEGER NOT NULL, seq INTEGER NOT NULL) WITHOUT ROWID");
    Exec("CREATE TABLE keys(list INTEGER, created INTEGER, seq INTEGER, id TEXT, PRIMARY KEY(list, created, seq)) WITHOUT ROWID");
    var db = conn.Handle!;
    var insert = Prepare(db, "INSERT INTO objects(id, account, type, created, seq, data, head) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    var current = Prepare(db, "INSERT OR REPLACE INTO current(id, position, seq) VALUES(?1, ?2, ?3)");
    var key = Prepare(db, "INSERT INTO keys(list, created, seq, id) VALUES(?1, ?2, ?3, ?4)");
    var (list, secondary, byId, segments) = (mode is "list" or "all", mode is "secondary" or "all", mode is "current" or "all", mode == "segments");
    var recent = new List<(string Id, long Position, long Seq)>();
    var flushed = 0;

    var random = new Random(16);
    var data = new byte[600]; // about an event's or a PaymentIntent's row
    random.NextBytes(data);
    var sample = new List<string>();
    var clock = Stopwatch.StartNew();
    Exec("BEGIN");
    for (var i = 0; i < rows; i++)
    {
        var id = RandomId(random, "pi_");
        if (i % 50 == 0) sample.Add(id);
        long created = 1_700_000_000 + i, seq = i + 1;
        Bind(insert, 1, id); Bind(insert, 2, "acct_1OaBcDeFgHiJkLmN"); Bind(insert, 3, "payment_intent");
        sqlite3_bind_int64(insert, 4, created); sqlite3_bind_int64(insert, 5, seq); sqlite3_bind_blob(insert, 6, data); Bind(insert, 7, "{\"status\":\"succeeded\"}");
        Step(insert);
        if (byId)
        {
            Bind(current, 1, id); sqlite3_bind_int64(current, 2, sqlite3_last_insert_rowid(db)); sqlite3_bind_int64(current, 3, seq);
            Step(current);
        }
        if (list) AddKey(key, 0, created, seq, id);
        if (secondary) AddKey(key, 1 + i % Owners, created, seq, id);
        if (segments) recent.Add((id, sqlite3_last_insert_rowid(db), seq));
        if (i % batch == batch - 1) { Exec("COMMIT"); Exec("BEGIN"); }
        if (segments && recent.Count >= segmentRows) Flush();
    }
    Exec("COMMIT");
    if (segments && recent.Count > 0) { Exec("BEGIN"); Flush(); Exec("COMMIT"); }
    var written = new FileInfo(path).Length + new FileInfo(path + "-wal").Length;
    Console.WriteLine($"| {mode} | {clock.Elapsed.TotalMicroseconds / rows:F1} | {written / rows:N0} |");

    // One segment: the recent ids sorted, inserted in key order into a fresh table (its pages written once, in order).
    void Flush()
    {
        recent.Sort((a, b) => string.CompareOrdinal(a.Id, b.Id));
        var table = $"segment_{flushed++}";
        Exec($"CREATE TABLE {table}(id TEXT PRIMARY KEY, position INTEGER NOT NULL, seq INTEGER NOT NULL) WITHOUT ROWID");
        var add = Prepare(db, $"INSERT INTO {table}(id, position, seq) VALUES(?1, ?2, ?3)");
        foreach (var (id, at, s) in recent)
        {
            Bind(add, 1, id); sqlite3_bind_int64(add, 2, at); sqlite3_bind_int64(add, 3, s);
            Step(add);
        }
        sqlite3_finalize(add);
        recent.Clear();
    }

    if (mode == "all")
    {
        Exec("PRAGMA wal_checkpoint(TRUNCATE)");
        var newest = Prepare(db, "SELECT id FROM keys WHERE list = ?1 ORDER BY created DESC, seq DESC LIMIT 10");
        var page = Prepare(db, "SELECT id FROM keys WHERE list = 0 AND (created, seq) < (?1, ?2) ORDER BY created DESC, seq DESC LIMIT 10");
        var position = Prepare(db, "SELECT position FROM current WHERE id = ?1");
        const int reads = 20_000;
        var found = 0L;
        clock.Restart();
        for (var i = 0; i < reads; i++) { sqlite3_bind_int64(newest, 1, 1 + random.Next(Owners)); found += Drain(newest); }
        var a = clock.Elapsed.TotalMicroseconds / reads;
        clock.Restart();
        for (var i = 0; i < reads; i++) { var at = random.Next(rows); sqlite3_bind_int64(page, 1, 1_700_000_000 + at); sqlite3_bind_int64(page, 2, at + 1); found += Drain(page); }
        var b = clock.Elapsed.TotalMicroseconds / reads;
        clock.Restart();
        for (var i = 0; i < reads; i++) { Bind(position, 1, sample[random.Next(sample.Count)]); found += Drain(position); }
        var c = clock.Elapsed.TotalMicroseconds / reads;
        Console.WriteLine($"reads after the fill ({found:N0} rows found): newest 10 under an owner {a:F1} µs, a page of 10 after a cursor {b:F1} µs, id → position {c:F1} µs");
        foreach (var s in new[] { newest, page, position }) sqlite3_finalize(s);
    }
    foreach (var s in new[] { insert, current, key }) sqlite3_finalize(s);
    conn.Close();
    foreach (var f in Directory.GetFiles(dir, mode + ".db*")) File.Delete(f);
}

static sqlite3_stmt Prepare(sqlite3 db, string sql)
{
    if (sqlite3_prepare_v2(db, sql, out var stmt) != SQLITE_OK) throw new InvalidOperationException(sqlite3_errmsg(db).utf8_to_string());
    return stmt;
}

static void Bind(sqlite3_stmt stmt, int index, string value) => sqlite3_bind_text(stmt, index, value);

static void Step(sqlite3_stmt stmt)
{
    var rc = sqlite3_step(stmt);
    sqlite3_reset(stmt);
    if (rc != SQLITE_DONE) throw new InvalidOperationException($"SQLite error {rc}");
}

static void AddKey(sqlite3_stmt key, long list, long created, long seq, string id)
{
    sqlite3_bind_int64(key, 1, list); sqlite3_bind_int64(key, 2, created); sqlite3_bind_int64(key, 3, seq); Bind(key, 4, id);
    Step(key);
}

static int Drain(sqlite3_stmt stmt)
{
    var n = 0;
    while (sqlite3_step(stmt) == SQLITE_ROW) n++;
    sqlite3_reset(stmt);
    return n;
}

static string RandomId(Random random, string prefix)
{
    const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    return string.Create(prefix.Length + 24, (random, prefix), static (span, s) =>
    {
        s.prefix.CopyTo(span);
        for (var i = s.prefix.Length; i < span.Length; i++) span[i] = Alphabet[s.random.Next(Alphabet.Length)];
    });
}
