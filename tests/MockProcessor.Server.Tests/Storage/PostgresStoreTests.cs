using System.Collections.Immutable;
using System.Text.Json;
using MockProcessor.Domain.Common;
using MockProcessor.Domain.Customers;
using MockProcessor.Server.Storage;
using Npgsql;

namespace MockProcessor.Server.Tests.Storage;

/// <summary>
/// A test that needs a PostgreSQL server: skipped, with the reason, unless <c>MOCKPROCESSOR_TEST_POSTGRES</c> names one
/// (tests/run-all.sh starts one with tests/postgres/start.sh when PostgreSQL is installed).
/// </summary>
public sealed class PostgresFactAttribute : FactAttribute
{
    public PostgresFactAttribute()
    {
        if (PostgresTestDatabase.Server is null)
            Skip = "MOCKPROCESSOR_TEST_POSTGRES is not set: no PostgreSQL to test against (tests/postgres/start.sh starts one; tests/run-all.sh does when PostgreSQL is installed)";
    }
}

/// <summary>A fresh, empty database on the test server for one test, dropped at the end.</summary>
public sealed class PostgresTestDatabase : IDisposable
{
    public static readonly string? Server = Environment.GetEnvironmentVariable("MOCKPROCESSOR_TEST_POSTGRES") is { Length: > 0 } s ? s : null;

    private readonly string _admin;
    private readonly string _name = "mp_test_" + Guid.NewGuid().ToString("N")[..16];

    public PostgresTestDatabase()
    {
        _admin = PostgresStore.ConnectionString(Server!) ?? throw new InvalidOperationException($"MOCKPROCESSOR_TEST_POSTGRES={Server} is not a PostgreSQL URL.");
        Admin($"CREATE DATABASE {_name}");
        ConnectionString = new NpgsqlConnectionStringBuilder(_admin) { Database = _name }.ConnectionString;
        // What a user passes to --db: a URL naming the same database.
        var b = new NpgsqlConnectionStringBuilder(_admin);
        Url = $"postgres://{b.Username}@{b.Host}:{b.Port}/{_name}";
    }

    public string ConnectionString { get; }
    public string Url { get; }

    public T Scalar<T>(string sql, params object[] args)
    {
        using var conn = new NpgsqlConnection(ConnectionString);
        conn.Open();
        using var cmd = new NpgsqlCommand(sql, conn);
        foreach (var a in args) cmd.Parameters.Add(new NpgsqlParameter { Value = a });
        return (T)cmd.ExecuteScalar()!;
    }

    public void Execute(string sql)
    {
        using var conn = new NpgsqlConnection(ConnectionString);
        conn.Open();
        using var cmd = new NpgsqlCommand(sql, conn);
        cmd.ExecuteNonQuery();
    }

    private void Admin(string sql)
    {
        using var conn = new NpgsqlConnection(_admin);
        conn.Open();
        using var cmd = new NpgsqlCommand(sql, conn);
        cmd.ExecuteNonQuery();
    }

    public void Dispose()
    {
        NpgsqlConnection.ClearAllPools();
        Admin($"DROP DATABASE IF EXISTS {_name} WITH (FORCE)");
    }
}

/// <summary>The durable-store contract on PostgreSQL, and the same bytes as SQLite for the same objects.</summary>
public class PostgresStoreTests
{
    private static readonly JsonSerializerOptions Format = PersistenceFormat.Options(MockProcessor.Server.Resources.Registry.PersistedTypes);

    private static readonly RowSerializer Rows = new(Format);

    /// <summary>The persisted format, except that serialising customer <paramref name="id"/> throws.</summary>
    private static RowSerializer FailingOn(string id)
    {
        var options = PersistenceFormat.Options(MockProcessor.Server.Resources.Registry.PersistedTypes);
        options.Converters.Insert(0, new Boom(id));
        return new RowSerializer(options);
    }

    private sealed class Boom(string id) : System.Text.Json.Serialization.JsonConverter<Customer>
    {
        public override Customer Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => throw new NotSupportedException();

        public override void Write(Utf8JsonWriter writer, Customer value, JsonSerializerOptions options)
        {
            if (value.Id == id) throw new InvalidOperationException("boom");
            JsonSerializer.Serialize(writer, value, Format);
        }
    }

    private static Customer Customer(string id, string account, string name, long created = 1_800_000_000) => new()
    {
        Id = id, AccountId = account, Created = created, Name = name, Email = $"{name}@example.com",
        Metadata = ImmutableSortedDictionary<string, string>.Empty.Add("k", name), PreferredLocales = ["en", "fr"],
    };

    private static IdempotencyRow Idem(string key, long created) =>
        new("acct_a", key, "f-" + key, 200, [1, 2, 3, (byte)key.Length], "req_" + key, created);

    private static List<Row> History() =>
    [
        new ObjectRow(Customer("cus_1", "acct_a", "one"), 1),
        new ObjectRow(Customer("cus_2", "acct_a", "two"), 2),
        Idem("k1", 100),
        new ObjectRow(Customer("cus_1", "acct_a", "one again"), 3),
        Idem("k2", 200),
        new ObjectRow(Customer("cus_1", "acct_b", "other tree"), 4),
    ];

    [PostgresFact]
    public void Written_rows_read_back_exactly_after_reopening()
    {
        using var db = new PostgresTestDatabase();
        byte[] key;
        using (var store = new PostgresStore(db.ConnectionString))
        {
            key = store.FingerprintKey;
            store.Write(History(), Rows);
            store.Write([new ObjectRow(Customer("cus_3", "acct_a", "three"), 5)], Rows);
        }
        using (var store = new PostgresStore(db.ConnectionString))
        {
            Assert.Equal(key, store.FingerprintKey);
            var all = store.ReadObjects().ToList();
            Assert.Equal([1L, 2, 3, 4, 5], all.Select(v => v.Seq));
            Assert.True(all.Zip(all.Skip(1)).All(p => p.First.Position < p.Second.Position), "positions follow commit order");
            Assert.Equal(Rows.ToArray(Customer("cus_1", "acct_a", "one again")), all[2].Data);
            Assert.Equal(["customer"], all.Select(v => v.Type).Distinct());
            var back = (Customer)JsonSerializer.Deserialize(all[4].Data, typeof(Customer), Format)!;
            Assert.Equal(("cus_3", "acct_a", "three", "three@example.com", "three"), (back.Id, back.AccountId, back.Name, back.Email, back.Metadata["k"]));
            Assert.Equal(["en", "fr"], back.PreferredLocales);
            Assert.Empty(store.ReadObjects("account"));

            // Newest first, the filter sees every head and refused versions are skipped.
            var heads = new List<StoredHead>();
            var newest = store.ReadObjectsNewestFirst(h => { heads.Add(h); return h.Id != "cus_2"; }).ToList();
            Assert.Equal([5L, 4, 3, 1], newest.Select(v => v.Seq));
            Assert.Equal(["cus_3", "cus_1", "cus_1", "cus_2", "cus_1"], heads.Select(h => h.Id));
            Assert.Equal("acct_b", heads[1].Account);

            var idem = store.ReadIdempotency().ToList();
            Assert.Equal([Idem("k1", 100).Key, "k2"], idem.Select(i => i.Key));
            Assert.Equal(Idem("k2", 200).Body, idem[1].Body);
            Assert.Equal(Idem("k2", 200) with { Body = idem[1].Body }, idem[1]);

            // Compaction deletes exactly the named positions; a purge drops idempotency records older than its time.
            store.Write([new CompactionStep([all[0].Position]), new IdempotencyPurge(150, "acct_a")], Rows);
        }
        using (var store = new PostgresStore(db.ConnectionString))
        {
            Assert.Equal([2L, 3, 4, 5], store.ReadObjects().Select(v => v.Seq));
            Assert.Equal(["k2"], store.ReadIdempotency().Select(i => i.Key));
        }
    }

    [PostgresFact]
    public void A_failed_batch_writes_nothing()
    {
        using var db = new PostgresTestDatabase();
        using var store = new PostgresStore(db.ConnectionString);
        store.Write([new ObjectRow(Customer("cus_1", "acct_a", "kept"), 1)], Rows);
        // The serializer fails on the batch's second object: the first must not be committed either.
        Assert.Throws<InvalidOperationException>(() => store.Write(
            [new ObjectRow(Customer("cus_2", "acct_a", "lost"), 2), Idem("k", 1), new ObjectRow(Customer("cus_3", "acct_a", "boom"), 3)],
            FailingOn("cus_3")));
        Assert.Equal([1L], store.ReadObjects().Select(v => v.Seq));
        Assert.Empty(store.ReadIdempotency());
        store.Write([new ObjectRow(Customer("cus_4", "acct_a", "after"), 4)], Rows);
        Assert.Equal([1L, 4], store.ReadObjects().Select(v => v.Seq));
    }

    [PostgresFact]
    public void A_lost_connection_fails_one_batch_and_the_next_reconnects()
    {
        using var db = new PostgresTestDatabase();
        using var store = new PostgresStore(db.ConnectionString);
        store.Write([new ObjectRow(Customer("cus_1", "acct_a", "before"), 1)], Rows);
        Assert.True(db.Scalar<bool>("SELECT bool_and(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"));
        Assert.ThrowsAny<Exception>(() => store.Write([new ObjectRow(Customer("cus_2", "acct_a", "lost"), 2)], Rows));
        store.Write([new ObjectRow(Customer("cus_3", "acct_a", "after"), 3)], Rows);
        Assert.Equal([1L, 3], store.ReadObjects().Select(v => v.Seq));
    }

    [PostgresFact]
    public void The_persisted_format_is_the_same_bytes_as_SQLite()
    {
        using var db = new PostgresTestDatabase();
        using var temp = new TempSqliteDb("pg-format");
        var file = temp.Path;
        List<StoredVersion> sqlite, postgres;
        List<IdempotencyRow> sqliteIdem, postgresIdem;
        using (var store = new SqliteStore(file))
        {
            store.Write(History(), Rows);
            sqlite = store.ReadObjects().ToList();
            sqliteIdem = store.ReadIdempotency().ToList();
        }
        using (var store = new PostgresStore(db.ConnectionString))
        {
            store.Write(History(), Rows);
            postgres = store.ReadObjects().ToList();
            postgresIdem = store.ReadIdempotency().ToList();
        }
        Assert.Equal(sqlite.Count, postgres.Count);
        for (var i = 0; i < sqlite.Count; i++)
        {
            Assert.Equal(sqlite[i].Type, postgres[i].Type);
            Assert.Equal(sqlite[i].Seq, postgres[i].Seq);
            Assert.Equal(sqlite[i].Data, postgres[i].Data);
        }
        Assert.Equal(sqliteIdem.Select(i => (i.Account, i.Key, i.Fingerprint, i.Status, i.RequestId, i.Created)),
            postgresIdem.Select(i => (i.Account, i.Key, i.Fingerprint, i.Status, i.RequestId, i.Created)));
        Assert.Equal(sqliteIdem.Select(i => Convert.ToHexString(i.Body)), postgresIdem.Select(i => Convert.ToHexString(i.Body)));
    }

    [PostgresFact]
    public async Task Stores_opening_an_empty_database_at_once_migrate_it_once()
    {
        using var db = new PostgresTestDatabase();
        const int Replicas = 4;
        using var start = new Barrier(Replicas);
        var opened = await Task.WhenAll(Enumerable.Range(0, Replicas).Select(_ => Task.Run(() =>
        {
            start.SignalAndWait();
            return new PostgresStore(db.ConnectionString);
        })));
        try
        {
            // One key for all (a second migration would have made another one, or failed on the meta row).
            Assert.Single(opened.Select(s => Convert.ToHexString(s.FingerprintKey)).Distinct());
            Assert.Equal(2L, db.Scalar<long>("SELECT COUNT(*) FROM meta"));
            Assert.Equal(Database.SchemaVersion.ToString(System.Globalization.CultureInfo.InvariantCulture),
                db.Scalar<string>("SELECT value FROM meta WHERE key = 'schema_version'"));
            // Every store writes to the one schema.
            for (var i = 0; i < Replicas; i++) opened[i].Write([new ObjectRow(Customer($"cus_{i}", "acct_a", "r"), i + 1)], Rows);
            Assert.Equal(Replicas, opened[0].ReadObjects().Count());
        }
        finally
        {
            foreach (var s in opened) s.Dispose();
        }
    }

    [PostgresFact]
    public void A_database_of_a_newer_schema_is_refused()
    {
        using var db = new PostgresTestDatabase();
        new PostgresStore(db.ConnectionString).Dispose();
        db.Scalar<object>($"UPDATE meta SET value = '{Database.SchemaVersion + 1}' WHERE key = 'schema_version'");
        var ex = Assert.Throws<InvalidOperationException>(() => new PostgresStore(db.ConnectionString));
        Assert.Contains("newer MockProcessor", ex.Message);
    }

    [Theory]
    [InlineData("postgres://alice:s%40cret@db.example:6543/pay?sslmode=disable", "db.example", 6543, "pay", "alice", "s@cret")]
    [InlineData("postgresql://bob@127.0.0.1/mp", "127.0.0.1", 5432, "mp", "bob", null)]
    [InlineData("Host=h;Port=7000;Database=d;Username=u", "h", 7000, "d", "u", null)]
    public void Db_names_a_PostgreSQL_server_by_URL_or_connection_string(string db, string host, int port, string database, string user, string? password)
    {
        var b = new NpgsqlConnectionStringBuilder(PostgresStore.ConnectionString(db));
        Assert.Equal((host, port, database, user, password), (b.Host, b.Port, b.Database, b.Username, b.Password));
    }

    [Theory]
    [InlineData("./mockprocessor.db")]
    [InlineData("/var/lib/mp/data.db")]
    public void A_file_path_names_a_SQLite_file(string db) => Assert.Null(PostgresStore.ConnectionString(db));
}
