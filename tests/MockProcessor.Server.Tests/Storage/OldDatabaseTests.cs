using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using MockProcessor.Domain.Reconciliation;
using MockProcessor.Server.Reconciliation;
using MockProcessor.Server.Storage;

namespace MockProcessor.Server.Tests.Storage;

/// <summary>
/// A database written by an earlier build opens with this one and reads back exactly. Fixtures/schema-v2.db was made by
/// the schema v2 build (FixtureV2Generator in the history); schema-v2.answers.json holds what that build answered to a
/// GET of each object and list. The v3 migration (docs/architecture.md, Persisted format) rewrites the rows at start-up.
/// </summary>
public sealed class OldDatabaseTests : IDisposable
{
    private const string Key = "sk_test_fixtureV2merchant0001";
    private readonly TempSqliteDb _file = new("v2", copyOf: Path.Combine(AppContext.BaseDirectory, "Storage", "Fixtures", "schema-v2.db"));
    private string _db => _file.Path;

    public void Dispose() => _file.Dispose();

    private static JsonObject Answers() =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Storage", "Fixtures", "schema-v2.answers.json")))!.AsObject();

    private string Scalar(string sql) => _file.Scalar(sql);

    private static async Task AssertAnswersAsV2Did(TestApp app)
    {
        var client = app.Client(Key);
        var answers = Answers();
        Assert.True(answers.Count > 30, $"only {answers.Count} answers in the fixture");
        foreach (var (path, expected) in answers)
        {
            var actual = await (await client.GetAsync(path)).OkAsync();
            Assert.True(JsonNode.DeepEquals(expected, actual), $"GET {path} answers differently from the v2 build:\n{actual.ToJsonString()}\nexpected\n{expected!.ToJsonString()}");
        }
    }

    [Fact]
    public async Task A_schema_v2_file_is_migrated_and_every_object_and_list_answers_as_the_v2_build_did()
    {
        Assert.Equal("2", Scalar("SELECT value FROM meta WHERE key = 'schema_version'"));
        Assert.NotEqual("0", Scalar("""SELECT count(*) FROM objects WHERE instr(CAST(data AS TEXT), '"AmountCaptured":')"""));

        await using (var app = new TestApp(o => { o.InMemory = false; o.Database = _db; o.StrictKeys = true; }))
            await AssertAnswersAsV2Did(app);

        Assert.Equal(Database.SchemaVersion.ToString(System.Globalization.CultureInfo.InvariantCulture),
            Scalar("SELECT value FROM meta WHERE key = 'schema_version'"));
        // Every version was rewritten: snake_case names, enums by name, metadata keys as the user gave them.
        Assert.Equal("0", Scalar("""SELECT count(*) FROM objects WHERE NOT instr(CAST(data AS TEXT), '"id":') OR instr(CAST(data AS TEXT), '"Id":')"""));
        Assert.Equal("0", Scalar("""SELECT count(*) FROM objects WHERE type = 'charge' AND NOT instr(CAST(data AS TEXT), '"status":"succeeded"')"""));
        Assert.Equal("1", Scalar("""SELECT count(*) FROM objects WHERE type = 'dispute' AND instr(CAST(data AS TEXT), '"status":"needs_response"')"""));
        Assert.Equal("1", Scalar("""SELECT count(*) FROM objects WHERE type = 'customer' AND instr(CAST(data AS TEXT), '"metadata":{"OrderRef":"A-1","snake_key":"b"}')"""));
        Assert.NotEqual("0", Scalar("""SELECT count(*) FROM objects WHERE type = 'event' AND instr(CAST(data AS TEXT), '"snapshot":{"type":"customer","data":{"object_type":"customer"')"""));

        // The rewritten file reads back the same (no migration this time), and keeps working.
        await using (var app = new TestApp(o => { o.InMemory = false; o.Database = _db; o.StrictKeys = true; o.Seed = 3; }))
        {
            await AssertAnswersAsV2Did(app);
            var client = app.Client(Key);
            var customer = (string)Answers()["/v1/customers"]!["data"]![0]!["id"]!;
            var pi = await (await client.PostFormAsync("/v1/payment_intents", ("amount", "700"), ("currency", "usd"), ("customer", customer),
                ("payment_method", "pm_card_visa"), ("confirm", "true"), ("allowed_payment_method_types[]", "card"))).OkAsync();
            Assert.Equal("succeeded", (string)pi["status"]!);
        }
    }

    [Fact]
    public async Task Reconcile_reads_the_migrated_file_and_refuses_one_not_yet_migrated()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => DatabaseFeed.OpenReadOnly(_db));
        Assert.Contains("older format (schema 2)", ex.Message);

        await using (new TestApp(o => { o.InMemory = false; o.Database = _db; })) { }
        var answers = Answers();
        using var conn = DatabaseFeed.OpenReadOnly(_db);
        var account = DatabaseFeed.AccountOfKeySuffix(conn, Key["sk_test_".Length..]);
        Assert.Equal((string)answers["/v1/account"]!["id"]!, account);
        var reconciler = new Reconciler(TestApp.StartTime - 3600, TestApp.StartTime + 3600);
        // Every stored version of the merchant's charges, balance transactions, disputes and payouts is read.
        Assert.Equal(long.Parse(Scalar($"SELECT count(*) FROM objects WHERE account = '{account}' AND type IN ('charge', 'dispute', 'balance_transaction', 'payout')"),
            System.Globalization.CultureInfo.InvariantCulture), DatabaseFeed.Feed(conn, account!, reconciler));
        // The merchant's books for its three charges: the file's amounts, refunds, charge and dispute statuses must match them.
        var charges = answers["/v1/charges?limit=100"]!["data"]!.AsArray().ToDictionary(c => (long)c!["amount"]!, c => c!);
        var result = reconciler.Reconcile([
            new BookOrder("ord_pi", (string)charges[2000]["payment_intent"]!, null, 2000, "usd", PaymentState.PartiallyRefunded, 500),
            new BookOrder("ord_funded", null, (string)charges[10000]["id"]!, 10000, "usd", PaymentState.Paid, 0),
            new BookOrder("ord_disputed", null, (string)charges[3000]["id"]!, 3000, "usd", PaymentState.Disputed, 0),
        ]);
        Assert.Equal((3, 3), (result.ProcessorCharges, result.Matched));
        Assert.Empty(result.Discrepancies);
    }

    [Fact]
    public void Migration_v3_rewrites_every_v2_row_as_the_v2_records_read_it()
    {
        // schema-v2.migrated-rows.json: the fixture's rows after the v2 records read them with their default JSON and the
        // v3 format wrote them back (made when v3 was). The frozen-shape rewrite must give exactly those, whatever the records become.
        var expected = JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Storage", "Fixtures", "schema-v2.migrated-rows.json")))!.AsArray();
        var n = 0;
        foreach (var stored in _file.Rows("SELECT rowid, type, data FROM objects ORDER BY rowid"))
        {
            var (rowid, type) = ((long)stored[0], (string)stored[1]);
            var row = expected[n++]!;
            Assert.Equal((long)row["rowid"]!, rowid);
            var rewritten = JsonNode.Parse(SchemaV2Rows.Rewrite(type, (byte[])stored[2]));
            Assert.True(JsonNode.DeepEquals(row["data"], rewritten), $"row {rowid} ({type}):\n{rewritten!.ToJsonString()}\nexpected\n{row["data"]!.ToJsonString()}");
        }
        Assert.Equal(expected.Count, n);
        Assert.Equal(35, n);
    }

    [Fact]
    public void Migration_v3_refuses_an_enum_number_schema_v2_never_wrote()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => SchemaV2Rows.Rewrite("payout",
            Encoding.UTF8.GetBytes("""{"Id":"po_1","AccountId":"acct_1","Created":1,"Status":9}""")));
        Assert.Contains("PayoutStatus", ex.Message);
        Assert.Equal("""{"id":"po_1","account_id":"acct_1","created":1,"status":"in_transit"}""",
            Encoding.UTF8.GetString(SchemaV2Rows.Rewrite("payout", Encoding.UTF8.GetBytes("""{"Id":"po_1","AccountId":"acct_1","Created":1,"Status":1}"""))));
    }

    [Fact]
    public void A_migration_that_fails_leaves_the_file_as_it_was()
    {
        _file.Exec("""INSERT INTO objects(id, account, type, created, seq, data) VALUES('x_1', 'acct_x', 'no_such_type', 0, 999, CAST('{}' AS BLOB))""");
        var before = Scalar("SELECT group_concat(CAST(data AS TEXT), '|') FROM (SELECT data FROM objects ORDER BY rowid)");
        var ex = Assert.Throws<InvalidOperationException>(() => Database.Open(_db));
        Assert.Contains("no_such_type", ex.Message);
        SqliteConnection.ClearAllPools();
        Assert.Equal("2", Scalar("SELECT value FROM meta WHERE key = 'schema_version'"));
        Assert.Equal(before, Scalar("SELECT group_concat(CAST(data AS TEXT), '|') FROM (SELECT data FROM objects ORDER BY rowid)"));
        Assert.Contains("\"AmountCaptured\"", before, StringComparison.Ordinal);
    }
}
