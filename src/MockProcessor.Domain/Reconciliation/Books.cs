using System.Globalization;
using System.Text;
using System.Text.Json;
using MockProcessor.Domain.Money;

namespace MockProcessor.Domain.Reconciliation;

/// <summary>
/// Reads the merchant's books: CSV with a header row (any column order) or a JSON array of objects. Columns:
/// <c>order_id</c>, <c>payment_intent</c> and/or <c>charge</c>, <c>amount</c> (minor units, or a decimal in major
/// units such as <c>10.50</c>), <c>currency</c>, <c>status</c>, optional <c>refunded_amount</c>. Streams: one order
/// at a time. A malformed line is a <see cref="FormatException"/> naming it.
/// </summary>
public static class Books
{
    private static readonly Dictionary<string, string> Aliases = new(StringComparer.OrdinalIgnoreCase)
    {
        ["order_id"] = "order_id", ["order"] = "order_id", ["id"] = "order_id",
        ["payment_intent"] = "payment_intent", ["payment_intent_id"] = "payment_intent",
        ["charge"] = "charge", ["charge_id"] = "charge",
        ["amount"] = "amount", ["currency"] = "currency", ["status"] = "status",
        ["refunded_amount"] = "refunded_amount", ["amount_refunded"] = "refunded_amount", ["refunded"] = "refunded_amount",
    };

    public static IEnumerable<BookOrder> Read(string path)
    {
        using var stream = File.OpenRead(path);
        var first = stream.ReadByte();
        while (first is ' ' or '\t' or '\r' or '\n' or 0xEF or 0xBB or 0xBF) first = stream.ReadByte();
        stream.Position = 0;
        var orders = first == '[' ? ReadJson(stream) : ReadCsv(new StreamReader(stream, Encoding.UTF8, true, 1 << 16));
        foreach (var o in orders) yield return o;
    }

    public static IEnumerable<BookOrder> ReadCsv(TextReader reader)
    {
        string[]? header = null;
        var line = 0;
        foreach (var fields in CsvRows(reader))
        {
            line++;
            if (header is null)
            {
                header = fields.Select(f => Aliases.GetValueOrDefault(f.Trim(), f.Trim())).ToArray();
                foreach (var required in new[] { "order_id", "amount", "currency", "status" })
                    if (!header.Contains(required)) throw new FormatException($"The orders CSV has no '{required}' column.");
                if (!header.Contains("payment_intent") && !header.Contains("charge"))
                    throw new FormatException("The orders CSV needs a 'payment_intent' or a 'charge' column.");
                continue;
            }
            if (fields.Length == 1 && fields[0].Length == 0) continue;
            var row = new Dictionary<string, string>(StringComparer.Ordinal);
            for (var i = 0; i < header.Length && i < fields.Length; i++) row[header[i]] = fields[i];
            yield return Order(row, $"line {line}");
        }
    }

    public static IEnumerable<BookOrder> ReadJson(Stream stream)
    {
        using var doc = JsonDocument.Parse(stream);
        if (doc.RootElement.ValueKind != JsonValueKind.Array) throw new FormatException("The orders JSON must be an array of objects.");
        var n = 0;
        foreach (var el in doc.RootElement.EnumerateArray())
        {
            n++;
            if (el.ValueKind != JsonValueKind.Object) throw new FormatException($"Order {n} is not an object.");
            var row = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var p in el.EnumerateObject())
                if (Aliases.TryGetValue(p.Name, out var name) && p.Value.ValueKind is not JsonValueKind.Null)
                    row[name] = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText();
            yield return Order(row, $"order {n}");
        }
    }

    private static BookOrder Order(Dictionary<string, string> row, string where)
    {
        string? Get(string k) => row.TryGetValue(k, out var v) && v.Trim().Length > 0 ? v.Trim() : null;
        var id = Get("order_id") ?? throw new FormatException($"{where}: order_id is empty.");
        var currency = (Get("currency") ?? throw new FormatException($"{where}: currency is empty.")).ToLowerInvariant();
        var statusWord = Get("status") ?? throw new FormatException($"{where}: status is empty.");
        var status = PaymentStates.OfBooks(statusWord) ?? throw new FormatException($"{where}: unknown status '{statusWord}'.");
        var amount = Amount(Get("amount") ?? throw new FormatException($"{where}: amount is empty."), currency, where);
        var refunded = Get("refunded_amount") is { } r ? Amount(r, currency, where) : (long?)null;
        var pi = Get("payment_intent");
        var charge = Get("charge");
        if (pi is null && charge is null) throw new FormatException($"{where}: neither payment_intent nor charge is given.");
        return new BookOrder(id, pi, charge, amount, currency, status, refunded);
    }

    /// <summary>An integer is minor units; a decimal (<c>10.50</c>) is major units of the currency.</summary>
    public static long Amount(string text, string currency, string where)
    {
        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var minor)) return minor;
        if (decimal.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var major))
        {
            var scaled = major * (decimal)Math.Pow(10, Currencies.Exponent(currency));
            if (scaled == decimal.Truncate(scaled)) return (long)scaled;
        }
        throw new FormatException($"{where}: '{text}' is not an amount.");
    }

    /// <summary>RFC 4180 records: quoted fields may hold commas, doubled quotes and line breaks.</summary>
    public static IEnumerable<string[]> CsvRows(TextReader r)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        var any = false;
        int c;
        while ((c = r.Read()) >= 0)
        {
            any = true;
            var ch = (char)c;
            if (quoted)
            {
                if (ch == '"')
                {
                    if (r.Peek() == '"') { r.Read(); field.Append('"'); }
                    else quoted = false;
                }
                else field.Append(ch);
                continue;
            }
            switch (ch)
            {
                case '"': quoted = true; break;
                case ',': fields.Add(field.ToString()); field.Clear(); break;
                case '\r': break;
                case '\n':
                    fields.Add(field.ToString());
                    field.Clear();
                    yield return fields.ToArray();
                    fields.Clear();
                    any = false;
                    break;
                default: field.Append(ch); break;
            }
        }
        if (any)
        {
            fields.Add(field.ToString());
            yield return fields.ToArray();
        }
    }
}
