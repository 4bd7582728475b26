using System.Text.Json;
using Microsoft.Data.Sqlite;
using MockProcessor.Domain.Balance;
using MockProcessor.Domain.Charges;
using MockProcessor.Domain.Common;
using MockProcessor.Domain.Disputes;
using MockProcessor.Domain.Payouts;
using MockProcessor.Domain.Reconciliation;
using MockProcessor.Server.Storage;

namespace MockProcessor.Server.Reconciliation;

/// <summary>
/// The processor's side of a reconciliation read straight from a database file (<c>reconcile --db</c>): the rows of
/// one merchant streamed in log order (a later version of an object replaces the earlier), each scanned for the
/// few fields the reconciliation needs without building the record. Memory stays O(charges), whatever the number
/// of balance transactions; the file may belong to a running emulator (read-only, WAL).
/// </summary>
public static class DatabaseFeed
{
    public static SqliteConnection OpenReadOnly(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"No database at {path}.");
        var conn = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly }.ToString());
        conn.Open();
        using var cmd = conn.CreateCommand();
        cmd.CommandText = "PRAGMA query_only=ON; PRAGMA cache_size=-16000;";
        cmd.ExecuteNonQuery();
        // Rows are read in the explicit format (Storage/PersistenceFormat, schema 3); a read-only reader cannot migrate.
        cmd.CommandText = "SELECT value FROM meta WHERE key = 'schema_version'";
        var version = cmd.ExecuteScalar() is string s ? int.Parse(s, System.Globalization.CultureInfo.InvariantCulture) : 0;
        if (version != Storage.Database.SchemaVersion)
        {
            conn.Dispose();
            throw new InvalidOperationException(version < Storage.Database.SchemaVersion
                ? $"The database at {path} is in an older format (schema {version}); start this build's emulator on it once (mockprocessor serve --db) to migrate it, then reconcile."
                : $"The database at {path} was written by a newer MockProcessor (schema {version}; this build knows {Storage.Database.SchemaVersion}).");
        }
        return conn;
    }

    /// <summary>The merchant whose secret key is <c>sk_test_&lt;suffix&gt;</c>, from the stored accounts; null if none.</summary>
    public static string? AccountOfKeySuffix(SqliteConnection conn, string suffix)
    {
        using var cmd = conn.CreateCommand();
        cmd.CommandText = "SELECT data FROM objects WHERE type = 'account' ORDER BY rowid";
        using var r = cmd.ExecuteReader();
        string? found = null;
        var hash = Auth.ApiKey.ImplicitHash(suffix);
        while (r.Read())
        {
            using var doc = JsonDocument.Parse((byte[])r.GetValue(0));
            // The stored hash of the implicit secret key (docs/connect.md, Secrets at rest).
            if (doc.RootElement.TryGetProperty("implicit_key_hash"u8, out var h) && h.GetString() == hash)
                found = doc.RootElement.GetProperty("id"u8).GetString();
        }
        return found;
    }

    // A charge's fields the reconciliation needs come first in its JSON (the card details, outcome and billing
    // details follow), so only this much of each charge row is copied out of SQLite; a longer head falls back to
    // the whole row.
    private const int ChargeHead = 640;

    /// <summary>Streams the merchant's charges, disputes, balance transactions and payouts into <paramref name="r"/>; returns the rows read.</summary>
    public static long Feed(SqliteConnection conn, string accountId, Reconciler r)
    {
        using var cmd = conn.CreateCommand();
        // Types as numbers and ids as bytes: nothing per row is allocated but what the reconciler keeps.
        cmd.CommandText = $"""
            SELECT CASE type WHEN 'charge' THEN 1 WHEN 'balance_transaction' THEN 2 WHEN 'dispute' THEN 3 ELSE 4 END,
                   CAST(id AS BLOB), created, CASE type WHEN 'charge' THEN substr(data, 1, {ChargeHead}) ELSE data END, rowid
            FROM objects WHERE account = $a AND type IN ('charge', 'dispute', 'balance_transaction', 'payout') ORDER BY rowid
            """;
        cmd.Parameters.AddWithValue("$a", accountId);
        using var rows = cmd.ExecuteReader();
        long n = 0;
        var strings = new Strings();
        while (rows.Read())
        {
            n++;
            // GetValue copies the blob into a new array; Microsoft.Data.Sqlite's GetBytes on an expression column
            // crashed here (native), so the copy is the price.
            var blob = (byte[])rows.GetValue(3);
            var length = blob.Length;
            var json = blob.AsSpan();
            switch (rows.GetInt32(0))
            {
                case 1:
                    if (!IdKey.TryFrom((byte[])rows.GetValue(1), out var id)) break;
                    if (!Charge(r, strings, id, rows.GetInt64(2), json, isFinal: length < ChargeHead))
                        Charge(r, strings, id, rows.GetInt64(2), Whole(conn, rows.GetInt64(4)), isFinal: true);
                    break;
                case 2: Transaction(r, strings, json, () => System.Text.Encoding.UTF8.GetString((byte[])rows.GetValue(1))); break;
                case 3: var (chargeId, status) = Dispute(json); r.SetDispute(chargeId, PaymentStates.DisputeCounts(status)); break;
                default: r.AddPayout(Payout(json)); break;
            }
        }
        return n;
    }

    /// <summary>Reuses the string of a value seen before (currencies): a million rows share a handful.</summary>
    private sealed class Strings
    {
        private readonly List<(byte[] Utf8, string Value)> _seen = [];

        public string Of(ReadOnlySpan<byte> utf8)
        {
            foreach (var (bytes, value) in _seen)
                if (utf8.SequenceEqual(bytes)) return value;
            var s = System.Text.Encoding.UTF8.GetString(utf8);
            if (_seen.Count < 64) _seen.Add((utf8.ToArray(), s));
            return s;
        }
    }

    private static byte[] Whole(SqliteConnection conn, long rowid)
    {
        using var cmd = conn.CreateCommand();
        cmd.CommandText = "SELECT data FROM objects WHERE rowid = $r";
        cmd.Parameters.AddWithValue("$r", rowid);
        return (byte[])cmd.ExecuteScalar()!;
    }

    // Persisted records are in the explicit format (Storage/PersistenceFormat): snake_case names, enums as snake_case names.
    // False when the head was cut before the last needed field (the caller then reads the whole row).
    private static bool Charge(Reconciler r, Strings strings, in IdKey id, long created, ReadOnlySpan<byte> json, bool isFinal)
    {
        string currency = "";
        IdKey pi = default;
        long amount = 0, captured = 0, refunded = 0;
        var isCaptured = false;
        var status = ChargeStatus.Succeeded;
        var reader = new Utf8JsonReader(json, isFinal, default);
        var done = false;
        if (!reader.Read()) return false;
        while (!done)
        {
            if (!reader.Read()) return false;
            if (reader.TokenType != JsonTokenType.PropertyName) break;
            if (reader.ValueTextEquals("amount"u8)) { if (!reader.Read()) return false; amount = reader.GetInt64(); }
            else if (reader.ValueTextEquals("amount_captured"u8)) { if (!reader.Read()) return false; captured = reader.GetInt64(); }
            else if (reader.ValueTextEquals("amount_refunded"u8)) { if (!reader.Read()) return false; refunded = reader.GetInt64(); }
            else if (reader.ValueTextEquals("captured"u8)) { if (!reader.Read()) return false; isCaptured = reader.GetBoolean(); }
            else if (reader.ValueTextEquals("status"u8)) { if (!reader.Read()) return false; status = Stored<ChargeStatus>(ref reader); }
            else if (reader.ValueTextEquals("currency"u8)) { if (!reader.Read()) return false; currency = strings.Of(reader.ValueSpan); }
            else if (reader.ValueTextEquals("payment_intent"u8))
            {
                if (!reader.Read()) return false;
                if (reader.TokenType == JsonTokenType.String) IdKey.TryFrom(reader.ValueSpan, out pi);
                done = true; // the last field needed; the rest of the charge is not read
            }
            else if (!reader.Read() || !reader.TrySkip()) return false;
        }
        r.AddCharge(id, pi, created, isCaptured ? captured : amount, currency, refunded,
            PaymentStates.OfCharge(status.ToWire(), isCaptured, captured, refunded));
        return true;
    }

    private static (string Charge, string Status) Dispute(ReadOnlySpan<byte> json)
    {
        string charge = "";
        var status = DisputeStatus.NeedsResponse;
        var reader = new Utf8JsonReader(json);
        reader.Read();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("charge"u8)) { reader.Read(); charge = reader.GetString()!; }
            else if (reader.ValueTextEquals("status"u8)) { reader.Read(); status = Stored<DisputeStatus>(ref reader); }
            else { reader.Read(); reader.Skip(); }
        }
        return (charge, status.ToWire());
    }

    private static void Transaction(Reconciler r, Strings strings, ReadOnlySpan<byte> json, Func<string> id)
    {
        string currency = "";
        IdKey payout = default, source = default;
        long amount = 0, fee = 0;
        var category = ReportingCategory.Charge;
        var reader = new Utf8JsonReader(json);
        reader.Read();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("amount"u8)) { reader.Read(); amount = reader.GetInt64(); }
            else if (reader.ValueTextEquals("fee"u8)) { reader.Read(); fee = reader.GetInt64(); }
            else if (reader.ValueTextEquals("currency"u8)) { reader.Read(); currency = strings.Of(reader.ValueSpan); }
            else if (reader.ValueTextEquals("reporting_category"u8)) { reader.Read(); category = Stored<ReportingCategory>(ref reader); }
            else if (reader.ValueTextEquals("source"u8)) { reader.Read(); if (reader.TokenType == JsonTokenType.String) IdKey.TryFrom(reader.ValueSpan, out source); }
            else if (reader.ValueTextEquals("automatic_payout_id"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.String) IdKey.TryFrom(reader.ValueSpan, out payout);
                break; // the last field needed
            }
            else { reader.Read(); reader.Skip(); }
        }
        if (payout.IsEmpty) { r.CountUnsettled(); return; }
        var wire = category.ToWire();
        r.AddSettled(payout, wire, amount, fee, currency, category == ReportingCategory.Payout ? id() : null, source);
    }

    private static PayoutFacts Payout(ReadOnlySpan<byte> json)
    {
        string id = "", currency = "", own = "";
        long amount = 0, arrival = 0;
        var automatic = false;
        PayoutStatus? status = null;
        var reader = new Utf8JsonReader(json);
        reader.Read();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("id"u8)) { reader.Read(); id = reader.GetString()!; }
            else if (reader.ValueTextEquals("amount"u8)) { reader.Read(); amount = reader.GetInt64(); }
            else if (reader.ValueTextEquals("currency"u8)) { reader.Read(); currency = reader.GetString()!; }
            else if (reader.ValueTextEquals("arrival_date"u8)) { reader.Read(); arrival = reader.GetInt64(); }
            else if (reader.ValueTextEquals("automatic"u8)) { reader.Read(); automatic = reader.GetBoolean(); }
            else if (reader.ValueTextEquals("status"u8)) { reader.Read(); status = Stored<PayoutStatus>(ref reader); }
            else if (reader.ValueTextEquals("balance_transaction"u8)) { reader.Read(); own = reader.GetString() ?? ""; }
            else { reader.Read(); reader.Skip(); }
        }
        return new PayoutFacts(id, amount, currency, arrival, automatic, ReportLedgerStatus(status), own);
    }

    // A payout's ledger status is its stored one (pending, in_transit, paid, failed, canceled).
    private static string ReportLedgerStatus(PayoutStatus? status) => status is { } s ? PersistenceFormat.EnumName(s) : "unknown";

    /// <summary>The enum member stored as the current string token; an unknown name is a file this build cannot read.</summary>
    private static T Stored<T>(ref Utf8JsonReader reader) where T : struct, Enum =>
        PersistenceFormat.ParseEnum<T>(reader.ValueSpan)
        ?? throw new InvalidOperationException($"Unknown stored {typeof(T).Name} '{reader.GetString()}'.");
}
