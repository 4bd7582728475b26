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
        while (r.Read())
        {
            using var doc = JsonDocument.Parse((byte[])r.GetValue(0));
            if (doc.RootElement.TryGetProperty("KeySuffix", out var k) && k.GetString() == suffix)
                found = doc.RootElement.GetProperty("Id").GetString();
        }
        return found;
    }

    /// <summary>Streams the merchant's charges, disputes, balance transactions and payouts into <paramref name="r"/>; returns the rows read.</summary>
    public static long Feed(SqliteConnection conn, string accountId, Reconciler r)
    {
        using var cmd = conn.CreateCommand();
        cmd.CommandText = "SELECT type, data FROM objects WHERE account = $a AND type IN ('charge', 'dispute', 'balance_transaction', 'payout') ORDER BY rowid";
        cmd.Parameters.AddWithValue("$a", accountId);
        using var rows = cmd.ExecuteReader();
        long n = 0;
        var buffer = new byte[64 * 1024];
        while (rows.Read())
        {
            n++;
            var length = (int)rows.GetBytes(1, 0, null, 0, 0);
            if (length > buffer.Length) buffer = new byte[Math.Max(length, buffer.Length * 2)];
            rows.GetBytes(1, 0, buffer, 0, length);
            var json = buffer.AsSpan(0, length);
            switch (rows.GetString(0))
            {
                case "charge": r.AddCharge(Charge(json)); break;
                case "dispute": var (charge, status) = Dispute(json); r.SetDispute(charge, PaymentStates.DisputeCounts(status)); break;
                case "balance_transaction": r.AddTransaction(Transaction(json)); break;
                case "payout": r.AddPayout(Payout(json)); break;
            }
        }
        return n;
    }

    // Persisted records are System.Text.Json's default shape: PascalCase names, enums as numbers (Storage/ObjectStore).
    private static ChargeFacts Charge(ReadOnlySpan<byte> json)
    {
        string id = "", currency = "";
        string? pi = null;
        long created = 0, amount = 0, captured = 0, refunded = 0;
        var isCaptured = false;
        var status = ChargeStatus.Succeeded;
        var reader = new Utf8JsonReader(json);
        reader.Read();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("Id"u8)) { reader.Read(); id = reader.GetString()!; }
            else if (reader.ValueTextEquals("Created"u8)) { reader.Read(); created = reader.GetInt64(); }
            else if (reader.ValueTextEquals("Amount"u8)) { reader.Read(); amount = reader.GetInt64(); }
            else if (reader.ValueTextEquals("AmountCaptured"u8)) { reader.Read(); captured = reader.GetInt64(); }
            else if (reader.ValueTextEquals("AmountRefunded"u8)) { reader.Read(); refunded = reader.GetInt64(); }
            else if (reader.ValueTextEquals("Captured"u8)) { reader.Read(); isCaptured = reader.GetBoolean(); }
            else if (reader.ValueTextEquals("Status"u8)) { reader.Read(); status = (ChargeStatus)reader.GetInt32(); }
            else if (reader.ValueTextEquals("Currency"u8)) { reader.Read(); currency = reader.GetString()!; }
            else if (reader.ValueTextEquals("PaymentIntent"u8)) { reader.Read(); pi = reader.TokenType == JsonTokenType.Null ? null : reader.GetString(); }
            else { reader.Read(); reader.Skip(); }
        }
        return new ChargeFacts(id, pi, created, isCaptured ? captured : amount, currency, refunded,
            PaymentStates.OfCharge(status.ToWire(), isCaptured, captured, refunded));
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

    private static TransactionFacts Transaction(ReadOnlySpan<byte> json)
    {
        string id = "", currency = "";
        string? payout = null;
        long amount = 0, fee = 0;
        var category = ReportingCategory.Charge;
        var reader = new Utf8JsonReader(json);
        reader.Read();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("Id"u8)) { reader.Read(); id = reader.GetString()!; }
            else if (reader.ValueTextEquals("Amount"u8)) { reader.Read(); amount = reader.GetInt64(); }
            else if (reader.ValueTextEquals("Fee"u8)) { reader.Read(); fee = reader.GetInt64(); }
            else if (reader.ValueTextEquals("Currency"u8)) { reader.Read(); currency = reader.GetString()!; }
            else if (reader.ValueTextEquals("ReportingCategory"u8)) { reader.Read(); category = (ReportingCategory)reader.GetInt32(); }
            else if (reader.ValueTextEquals("AutomaticPayoutId"u8)) { reader.Read(); payout = reader.TokenType == JsonTokenType.Null ? null : reader.GetString(); }
            else { reader.Read(); reader.Skip(); }
        }
        return new TransactionFacts(id, category.ToWire(), amount, fee, currency, payout);
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
