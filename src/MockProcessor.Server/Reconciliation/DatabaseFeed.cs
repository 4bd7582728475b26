using System.Text.Json;
using Microsoft.Data.Sqlite;
using MockProcessor.Domain.Balance;
using MockProcessor.Domain.Charges;
using MockProcessor.Domain.Common;
using MockProcessor.Domain.Disputes;
using MockProcessor.Domain.Reconciliation;

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
            // The stored hash of the implicit secret key (docs/connect.md, Secrets at rest); KeySuffix in a file not yet migrated.
            if (doc.RootElement.TryGetProperty("ImplicitKeyHash", out var h) && h.GetString() == hash ||
                doc.RootElement.TryGetProperty("KeySuffix", out var k) && k.GetString() == suffix)
                found = doc.RootElement.GetProperty("Id").GetString();
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

    // Persisted records are System.Text.Json's default shape: PascalCase names, enums as numbers (Storage/ObjectStore).
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
            if (reader.ValueTextEquals("Amount"u8)) { if (!reader.Read()) return false; amount = reader.GetInt64(); }
            else if (reader.ValueTextEquals("AmountCaptured"u8)) { if (!reader.Read()) return false; captured = reader.GetInt64(); }
            else if (reader.ValueTextEquals("AmountRefunded"u8)) { if (!reader.Read()) return false; refunded = reader.GetInt64(); }
            else if (reader.ValueTextEquals("Captured"u8)) { if (!reader.Read()) return false; isCaptured = reader.GetBoolean(); }
            else if (reader.ValueTextEquals("Status"u8)) { if (!reader.Read()) return false; status = (ChargeStatus)reader.GetInt32(); }
            else if (reader.ValueTextEquals("Currency"u8)) { if (!reader.Read()) return false; currency = strings.Of(reader.ValueSpan); }
            else if (reader.ValueTextEquals("PaymentIntent"u8))
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
            if (reader.ValueTextEquals("Charge"u8)) { reader.Read(); charge = reader.GetString()!; }
            else if (reader.ValueTextEquals("Status"u8)) { reader.Read(); status = (DisputeStatus)reader.GetInt32(); }
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
            if (reader.ValueTextEquals("Amount"u8)) { reader.Read(); amount = reader.GetInt64(); }
            else if (reader.ValueTextEquals("Fee"u8)) { reader.Read(); fee = reader.GetInt64(); }
            else if (reader.ValueTextEquals("Currency"u8)) { reader.Read(); currency = strings.Of(reader.ValueSpan); }
            else if (reader.ValueTextEquals("ReportingCategory"u8)) { reader.Read(); category = (ReportingCategory)reader.GetInt32(); }
            else if (reader.ValueTextEquals("Source"u8)) { reader.Read(); if (reader.TokenType == JsonTokenType.String) IdKey.TryFrom(reader.ValueSpan, out source); }
            else if (reader.ValueTextEquals("AutomaticPayoutId"u8))
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
        var status = 0;
        var reader = new Utf8JsonReader(json);
        reader.Read();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("Id"u8)) { reader.Read(); id = reader.GetString()!; }
            else if (reader.ValueTextEquals("Amount"u8)) { reader.Read(); amount = reader.GetInt64(); }
            else if (reader.ValueTextEquals("Currency"u8)) { reader.Read(); currency = reader.GetString()!; }
            else if (reader.ValueTextEquals("ArrivalDate"u8)) { reader.Read(); arrival = reader.GetInt64(); }
            else if (reader.ValueTextEquals("Automatic"u8)) { reader.Read(); automatic = reader.GetBoolean(); }
            else if (reader.ValueTextEquals("Status"u8)) { reader.Read(); status = reader.GetInt32(); }
            else if (reader.ValueTextEquals("BalanceTransaction"u8)) { reader.Read(); own = reader.GetString() ?? ""; }
            else { reader.Read(); reader.Skip(); }
        }
        return new PayoutFacts(id, amount, currency, arrival, automatic, ReportLedgerStatus(status), own);
    }

    // Payout statuses by their stored number (Domain/Payouts/Payout.cs: Pending, InTransit, Paid, Failed, Canceled).
    private static string ReportLedgerStatus(int n) => n switch
    {
        0 => "pending", 1 => "in_transit", 2 => "paid", 3 => "failed", 4 => "canceled", _ => "unknown",
    };
}
