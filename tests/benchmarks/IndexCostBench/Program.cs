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
//             one immutable table id → (position, seq), with a Bloom filter of its ids (10 bits an id, 7 probes) stored
//             beside it: the flush of the layered design. With --fanout F (size-tiered merging), once F segments of one
//             tier exist they are merged, in id order, into one segment of the next tier (the newest entry of an id
//             kept) and dropped, with their filters: what the background merge would do, timed apart from the fill
// and reports µs a row and the bytes written a row (database + WAL). For "all" it then times three reads; for
// "segments" it reopens the file, times loading the catalogue and the Bloom filters (what a start-up would read), and
// times id → position through the segments, newest first, for ids present and for ids absent.
//
//   dotnet run -c Release --project tests/benchmarks/IndexCostBench -- [--rows 1000000] [--modes versions,list,secondary,current,all]
//        [--cache-kb 2000] [--batch 4096] [--segment 100000] [--fanout 0] [--dir /tmp/indexcost]
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
var fanout = int.Parse(flags.GetValueOrDefault("fanout", "0")); // 0: segments are never merged
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
    // The catalogue: each segment's tier (0: flushed, t: merged from segments of tier t - 1), the newest position it
    // holds (lookups go newest first) and its Bloom filter.
    Exec("CREATE TABLE blooms(segment INTEGER PRIMARY KEY, tier INTEGER NOT NULL, newest INTEGER NOT NULL, bits BLOB NOT NULL)");
    var db = conn.Handle!;
    var insert = Prepare(db, "INSERT INTO objects(id, account, type, created, seq, data, head) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    var current = Prepare(db, "INSERT OR REPLACE INTO current(id, position, seq) VALUES(?1, ?2, ?3)");
    var key = Prepare(db, "INSERT INTO keys(list, created, seq, id) VALUES(?1, ?2, ?3, ?4)");
    var (list, secondary, byId, segments) = (mode is "list" or "all", mode is "secondary" or "all", mode is "current" or "all", mode == "segments");
    var recent = new List<(string Id, long Position, long Seq)>();
    var flushed = 0;
    var tiers = new List<List<int>>(); // per tier, its segments oldest first
    var merging = new Stopwatch();
    long merged = 0, merges = 0;

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
    Console.WriteLine($"| {mode} | {(clock.Elapsed - merging.Elapsed).TotalMicroseconds / rows:F1} | {written / rows:N0} |");
    if (merges > 0)
        Console.WriteLine($"merging (fan-out {fanout}): {merges} merges rewrote {merged:N0} ids in {merging.Elapsed.TotalSeconds:F1} s " +
            $"({merging.Elapsed.TotalMicroseconds / merged:F1} µs an id, {(double)merged / rows:F2} rewrites an id); segments by tier: " +
            string.Join(", ", tiers.Select((t, i) => $"{i}: {t.Count}")));

    // One segment: the recent ids sorted, inserted in key order into a fresh table (its pages written once, in order).
    void Flush()
    {
        recent.Sort((a, b) => string.CompareOrdinal(a.Id, b.Id));
        WriteSegment(0, recent);
        recent.Clear();
        if (fanout > 1) Merge(0);
    }

    int WriteSegment(int tier, List<(string Id, long Position, long Seq)> sorted)
    {
        var n = flushed++;
        Exec($"CREATE TABLE segment_{n}(id TEXT PRIMARY KEY, position INTEGER NOT NULL, seq INTEGER NOT NULL) WITHOUT ROWID");
        var add = Prepare(db, $"INSERT INTO segment_{n}(id, position, seq) VALUES(?1, ?2, ?3)");
        var bloom = new Bloom(sorted.Count);
        long newest = 0;
        foreach (var (id, at, s) in sorted)
        {
            Bind(add, 1, id); sqlite3_bind_int64(add, 2, at); sqlite3_bind_int64(add, 3, s);
            Step(add);
            bloom.Add(id);
            newest = Math.Max(newest, at);
        }
        sqlite3_finalize(add);
        var keep = Prepare(db, "INSERT INTO blooms(segment, tier, newest, bits) VALUES(?1, ?2, ?3, ?4)");
        sqlite3_bind_int64(keep, 1, n); sqlite3_bind_int64(keep, 2, tier); sqlite3_bind_int64(keep, 3, newest); sqlite3_bind_blob(keep, 4, bloom.Bytes);
        Step(keep);
        sqlite3_finalize(keep);
        while (tiers.Count <= tier) tiers.Add([]);
        tiers[tier].Add(n);
        return n;
    }

    // Size-tiered: F segments of a tier become one of the next, which may in turn complete that tier.
    void Merge(int tier)
    {
        if (tiers[tier].Count < fanout) return;
        merging.Start();
        var inputs = tiers[tier].ToList();
        tiers[tier].Clear();
        // A k-way merge of the inputs' rows in id order; on an id in several, the newest position wins.
        var readers = inputs.Select(n => Prepare(db, $"SELECT id, position, seq FROM segment_{n} ORDER BY id")).ToList();
        var heads = new PriorityQueue<(int Reader, string Id, long Position, long Seq), (string, long)>(
            Comparer<(string Id, long Negated)>.Create((a, b) => string.CompareOrdinal(a.Id, b.Id) is var c && c != 0 ? c : a.Negated.CompareTo(b.Negated)));
        void Next(int r)
        {
            if (sqlite3_step(readers[r]) != SQLITE_ROW) return;
            var id = sqlite3_column_text(readers[r], 0).utf8_to_string();
            var at = sqlite3_column_int64(readers[r], 1);
            heads.Enqueue((r, id, at, sqlite3_column_int64(readers[r], 2)), (id, -at));
        }
        for (var r = 0; r < readers.Count; r++) Next(r);
        var output = new List<(string Id, long Position, long Seq)>();
        while (heads.TryDequeue(out var e, out _))
        {
            if (output.Count == 0 || output[^1].Id != e.Id) output.Add((e.Id, e.Position, e.Seq));
            Next(e.Reader);
        }
        foreach (var r in readers) sqlite3_finalize(r);
        foreach (var n in inputs) { Exec($"DROP TABLE segment_{n}"); Exec($"DELETE FROM blooms WHERE segment = {n}"); }
        WriteSegment(tier + 1, output);
        merged += output.Count;
        merges++;
        merging.Stop();
        Merge(tier + 1);
    }

    if (segments)
    {
        Exec("PRAGMA wal_checkpoint(TRUNCATE)");
        foreach (var s in new[] { insert, current, key }) sqlite3_finalize(s);
        conn.Close();
        // A start-up: the catalogue (the segment tables) and each segment's Bloom filter, nothing per id.
        clock.Restart();
        using var reopened = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        reopened.Open();
        var rdb = reopened.Handle!;
        var filters = new List<(Bloom Bloom, sqlite3_stmt Find)>();
        var load = Prepare(rdb, "SELECT segment, bits FROM blooms ORDER BY newest");
        while (sqlite3_step(load) == SQLITE_ROW)
        {
            var n = sqlite3_column_int64(load, 0);
            filters.Add((new Bloom(sqlite3_column_blob(load, 1).ToArray()), Prepare(rdb, $"SELECT position FROM segment_{n} WHERE id = ?1")));
        }
        sqlite3_finalize(load);
        filters.Reverse(); // newest first
        var loadMs = clock.Elapsed.TotalMilliseconds;
        var bloomBytes = filters.Sum(f => (long)f.Bloom.Bytes.Length);
        const int reads = 100_000;
        long probes = 0, found = 0;
        long Lookup(string id)
        {
            foreach (var (bloom, find) in filters)
            {
                if (!bloom.MayContain(id)) continue;
                probes++;
                Bind(find, 1, id);
                var hit = sqlite3_step(find) == SQLITE_ROW ? sqlite3_column_int64(find, 0) : 0;
                sqlite3_reset(find);
                if (hit != 0) return hit;
            }
            return 0;
        }
        clock.Restart();
        for (var i = 0; i < reads; i++) if (Lookup(sample[random.Next(sample.Count)]) != 0) found++;
        var hitUs = clock.Elapsed.TotalMicroseconds / reads;
        var hitProbes = probes; probes = 0;
        clock.Restart();
        for (var i = 0; i < reads; i++) if (Lookup(RandomId(random, "pi_")) != 0) found++;
        var missUs = clock.Elapsed.TotalMicroseconds / reads;
        Console.WriteLine($"segments: {filters.Count} of up to {segmentRows:N0} ids; start-up (open, catalogue, Bloom filters) {loadMs:F0} ms, " +
            $"filters {bloomBytes / 1048576.0:F1} MB; id → position: present {hitUs:F1} µs ({(double)hitProbes / reads:F2} tables read a lookup), " +
            $"absent {missUs:F1} µs ({(double)probes / reads:F3} tables read a lookup); {found:N0} found of {reads:N0} present");
        foreach (var (_, find) in filters) sqlite3_finalize(find);
        reopened.Close();
        foreach (var f in Directory.GetFiles(dir, mode + ".db*")) File.Delete(f);
        continue;
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

/// <summary>A Bloom filter over ids: 10 bits an id and 7 probes (about 1 % false positives), probes by double hashing.</summary>
sealed class Bloom
{
    private const int Probes = 7;
    public byte[] Bytes { get; }
    public Bloom(int count) => Bytes = new byte[Math.Max(8, count * 10 / 8)];
    public Bloom(byte[] bytes) => Bytes = bytes;

    public void Add(string id)
    {
        var (h1, h2, bits) = Hashes(id);
        for (var i = 0; i < Probes; i++) { var b = (h1 + (ulong)i * h2) % bits; Bytes[b >> 3] |= (byte)(1 << (int)(b & 7)); }
    }

    public bool MayContain(string id)
    {
        var (h1, h2, bits) = Hashes(id);
        for (var i = 0; i < Probes; i++) { var b = (h1 + (ulong)i * h2) % bits; if ((Bytes[b >> 3] & (1 << (int)(b & 7))) == 0) return false; }
        return true;
    }

    private (ulong, ulong, ulong) Hashes(string id)
    {
        ulong h = 14695981039346656037UL; // FNV-1a over the id's characters, then two mixes of it
        foreach (var c in id) { h ^= c; h *= 1099511628211UL; }
        ulong Mix(ulong x) { x ^= x >> 33; x *= 0xff51afd7ed558ccdUL; x ^= x >> 33; x *= 0xc4ceb9fe1a85ec53UL; return x ^ (x >> 33); }
        return (Mix(h), Mix(h ^ 0x9e3779b97f4a7c15UL) | 1, (ulong)Bytes.Length * 8);
    }
}
