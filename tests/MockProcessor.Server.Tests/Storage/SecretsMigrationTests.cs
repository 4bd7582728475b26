using System.Collections.Immutable;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using MockProcessor.Domain.Accounts;
using MockProcessor.Server.Storage;
using MockProcessor.Server.Wire;

namespace MockProcessor.Server.Tests.Storage;

/// <summary>
/// Schema v2 (docs/architecture.md, Secrets at rest): a file written before it holds key strings, key suffixes and
/// canonical request texts; opening it hashes them in place, leaves no plain copy in the file, and everything keeps working.
/// </summary>
public class SecretsMigrationTests
{
    private const string Suffix = "LegacySuffixAbcdefgh1234";
    private const string OnboardedSk = "sk_test_0nb0ardedSecretKeyXy12";
    private const string OnboardedPk = "pk_test_0nb0ardedPublishKeyXy34";
    private const string Card = "4000056655665556";
    private const string ReplayBody = $"name=Migrated&metadata[note]={Card}";

    [Fact]
    public async Task A_schema_1_file_is_migrated_to_hashes_and_keeps_working()
    {
        using var temp = new TempSqliteDb("migrate");
        var db = temp.Path;
        var storedBody = Encoding.UTF8.GetBytes("""{"id":"cus_legacy","object":"customer"}""");
        WriteSchema1File(db, storedBody);
        Assert.Contains(Card, Encoding.Latin1.GetString(await File.ReadAllBytesAsync(db))); // the scan below can fail

        await using (var app = new TestApp(o => { o.InMemory = false; o.Database = db; o.StrictKeys = true; }))
        {
            var legacy = app.Client("sk_test_" + Suffix);
            Assert.Equal("acct_legacy000000001", (string)(await (await legacy.GetAsync("/v1/account")).OkAsync())["id"]!);
            // The stored result replays for the same request, and a different one with the key is a mismatch.
            var replay = await legacy.PostRawAsync("/v1/customers", ReplayBody, "legacy-key");
            Assert.Equal(storedBody, await replay.Content.ReadAsByteArrayAsync());
            Assert.Equal("true", replay.Headers.GetValues("Idempotent-Replayed").Single());
            Assert.Equal("idempotency_error", (string)(await (await legacy.PostRawAsync("/v1/customers", "name=Other", "legacy-key")).ErrorAsync(400))["type"]!);
            // The implicit secret key's record (a rolled implicit key) still covers it; the publishable one stays implicit.
            var keys = (await (await legacy.GetAsync("/_mock/keys")).OkAsync())["data"]!.AsArray();
            Assert.Equal(["key_legacyimplicit", "key_implicit_publishable"], keys.Select(k => (string)k!["id"]!));
            Assert.All(keys, k => Assert.Equal("_****1234", ((string)k!["secret"]!)[7..]));
            Assert.True((bool)keys[0]!["implicit"]! is false); // a record, not the implicit view

            Assert.Equal("acct_onboarded000001", (string)(await (await app.Client(OnboardedSk).GetAsync("/v1/account")).OkAsync())["id"]!);
            var shown = await (await app.Client("").GetAsync("/_mock/merchants/acct_onboarded000001")).OkAsync();
            Assert.Equal("sk_test_****Xy12", (string)shown["secret_key"]!);
            Assert.Equal(OnboardedPk, (string)shown["publishable_key"]!); // publishable keys are public: shown in full, as Stripe does
            var implicitShown = await (await app.Client("").GetAsync("/_mock/merchants/acct_legacy000000001")).OkAsync();
            Assert.True((bool)implicitShown["auto_provisioned"]!);
            Assert.Equal("pk_test_****1234", (string)implicitShown["publishable_key"]!);
        }

        foreach (var file in new[] { db, db + "-wal" }.Where(File.Exists))
        {
            var bytes = Encoding.Latin1.GetString(await File.ReadAllBytesAsync(file));
            foreach (var secret in new[] { Suffix, OnboardedSk, Card, "name=Migrated" })
                Assert.False(bytes.Contains(secret, StringComparison.Ordinal), $"{file} still contains '{secret}'");
        }
        using var conn = new SqliteConnection($"Data Source={db};Mode=ReadOnly;Pooling=False");
        conn.Open();
        using var cmd = conn.CreateCommand();
        cmd.CommandText = "SELECT value FROM meta WHERE key = 'schema_version'";
        Assert.Equal(Database.SchemaVersion.ToString(System.Globalization.CultureInfo.InvariantCulture), (string)cmd.ExecuteScalar()!);
        // No old property left, under its v2 name or its v3 one (case-sensitive: an api_key's "kind" is stored as "secret").
        cmd.CommandText = """
            SELECT count(*) FROM objects WHERE instr(CAST(data AS TEXT), 'KeySuffix') OR instr(CAST(data AS TEXT), 'key_suffix')
                OR instr(CAST(data AS TEXT), '"Secret"') OR instr(CAST(data AS TEXT), '"secret":')
            """;
        Assert.Equal(0L, (long)cmd.ExecuteScalar()!);
    }

    [Fact]
    public void A_file_from_a_newer_build_is_refused()
    {
        using var file = new TempSqliteDb("newer");
        var db = file.Path;
        Database.Open(db).Dispose();
        using (var conn = new SqliteConnection($"Data Source={db};Pooling=False"))
        {
            conn.Open();
            Database.Exec(conn, $"UPDATE meta SET value = '{Database.SchemaVersion + 1}' WHERE key = 'schema_version'");
        }
        var ex = Assert.Throws<InvalidOperationException>(() => Database.Open(db));
        Assert.Contains("newer MockProcessor", ex.Message);
    }

    /// <summary>A file as schema 1 wrote it: plain key strings and suffixes in the objects, the canonical request text as fingerprint.</summary>
    private static void WriteSchema1File(string path, byte[] storedBody)
    {
        using var conn = new SqliteConnection($"Data Source={path};Pooling=False");
        conn.Open();
        Database.Exec(conn, """
            PRAGMA journal_mode=WAL;
            CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
            INSERT INTO meta(key, value) VALUES('schema_version', '1');
            CREATE TABLE objects (id TEXT NOT NULL, account TEXT NOT NULL, type TEXT NOT NULL, created INTEGER NOT NULL, seq INTEGER NOT NULL, data BLOB NOT NULL);
            CREATE TABLE idempotency (account TEXT NOT NULL, key TEXT NOT NULL, fingerprint TEXT NOT NULL, status INTEGER NOT NULL, body BLOB NOT NULL, request_id TEXT NOT NULL, created INTEGER NOT NULL);
            CREATE INDEX idempotency_created ON idempotency(created);
            """);
        var created = TestApp.StartTime - 60;
        var seq = 0;
        void Insert(string type, string id, string account, JsonObject data)
        {
            using var cmd = conn.CreateCommand();
            cmd.CommandText = "INSERT INTO objects(id, account, type, created, seq, data) VALUES($id, $a, $t, $c, $s, $d)";
            cmd.Parameters.AddWithValue("$id", id);
            cmd.Parameters.AddWithValue("$a", account);
            cmd.Parameters.AddWithValue("$t", type);
            cmd.Parameters.AddWithValue("$c", created);
            cmd.Parameters.AddWithValue("$s", ++seq);
            cmd.Parameters.AddWithValue("$d", Encoding.UTF8.GetBytes(data.ToJsonString()));
            cmd.ExecuteNonQuery();
        }
        JsonObject Old(object record, Action<JsonObject> change)
        {
            var o = JsonSerializer.SerializeToNode(record, record.GetType())!.AsObject();
            foreach (var p in new[] { "ImplicitKeyHash", "ImplicitPublishableKeyHash", "ImplicitKeyHint", "Hash", "Shown", "Implicit" }) o.Remove(p);
            change(o);
            return o;
        }
        const string legacy = "acct_legacy000000001", onboarded = "acct_onboarded000001";
        Insert("account", legacy, legacy, Old(new Account { Id = legacy, AccountId = legacy, Created = created }, o => o["KeySuffix"] = Suffix));
        Insert("account", onboarded, onboarded, Old(new Account { Id = onboarded, AccountId = onboarded, Created = created }, o => o["KeySuffix"] = null));
        ApiKeyRecord Key(string id, string account, KeyKind kind) => new()
        {
            Id = id, AccountId = account, Created = created, Kind = kind, Hash = "", Shown = "", Permissions = ImmutableSortedDictionary<string, KeyAccess>.Empty,
        };
        Insert("api_key", "key_onboardedsk", onboarded, Old(Key("key_onboardedsk", onboarded, KeyKind.Secret), o => o["Secret"] = OnboardedSk));
        Insert("api_key", "key_onboardedpk", onboarded, Old(Key("key_onboardedpk", onboarded, KeyKind.Publishable), o => o["Secret"] = OnboardedPk));
        Insert("api_key", "key_legacyimplicit", legacy, Old(Key("key_legacyimplicit", legacy, KeyKind.Secret), o => o["Secret"] = "sk_test_" + Suffix));

        var canonical = $"POST /v1/customers\n{FormReader.Parse(null, ReplayBody).Canonical()}";
        using var idem = conn.CreateCommand();
        idem.CommandText = "INSERT INTO idempotency VALUES($a, 'legacy-key', $f, 200, $b, 'req_legacy', $c)";
        idem.Parameters.AddWithValue("$a", legacy);
        idem.Parameters.AddWithValue("$f", canonical);
        var buffer = new byte[System.IO.Compression.BrotliEncoder.GetMaxCompressedLength(storedBody.Length)];
        Assert.True(System.IO.Compression.BrotliEncoder.TryCompress(storedBody, buffer, out var written));
        idem.Parameters.AddWithValue("$b", buffer[..written]);
        idem.Parameters.AddWithValue("$c", TestApp.StartTime - 10);
        idem.ExecuteNonQuery();
    }
}
