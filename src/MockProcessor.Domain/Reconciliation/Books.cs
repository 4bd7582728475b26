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

    /// <summary>The books from a seekable <paramref name="stream"/>: a JSON array, or CSV otherwise (told by the first byte).</summary>
    public static IEnumerable<BookOrder> Read(Stream stream)
    {
        var first = stream.ReadByte();
        while (first is ' ' or '\t' or '\r' or '\n' or 0xEF or 0xBB or 0xBF) first = stream.ReadByte();
        stream.Position = 0;
        var orders = first == '[' ? ReadJson(stream) : ReadCsv(new StreamReader(stream, Encoding.UTF8, true, 1 << 16));
        foreach (var o in orders) yield return o;
    }

    public static IEnumerable<BookOrder> ReadCsv(TextReader reader)
    {
        int[]? index = null; // field position of each known column, -1 when absent
        var line = 0;
        foreach (var fields in CsvRows(reader))
        {
            line++;
            if (index is null)
            {
                var header = fields.Select(f => Aliases.GetValueOrDefault(f.Trim(), f.Trim())).ToArray();
                foreach (var required in new[] { "order_id", "amount", "currency", "status" })
                    if (!header.Contains(required)) throw new FormatException($"The orders CSV has no '{required}' column.");
                if (!header.Contains("payment_intent") && !header.Contains("charge"))
                    throw new FormatException("The orders CSV needs a 'payment_intent' or a 'charge' column.");
                index = Columns.Select(c => Array.IndexOf(header, c)).ToArray();
                continue;
            }
            if (fields.Length == 1 && fields[0].Length == 0) continue;
            var at = index;
            yield return Order(k => at[k] >= 0 && at[k] < fields.Length ? fields[at[k]] : null, $"line {line}");
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
            var row = new string?[Columns.Length];
            foreach (var p in el.EnumerateObject())
                if (Aliases.TryGetValue(p.Name, out var name) && p.Value.ValueKind is not JsonValueKind.Null)
                    row[Array.IndexOf(Columns, name)] = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText();
            yield return Order(k => row[k], $"order {n}");
        }
    }

    private static readonly string[] Columns = ["order_id", "payment_intent", "charge", "amount", "currency", "status", "refunded_amount"];

    private static BookOrder Order(Func<int, string?> field, string where)
    {
        string? Get(string k) => field(Array.IndexOf(Columns, k)) is { } v && (v = v.Trim()).Length > 0 ? v : null;
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
        string? line;
        while ((line = r.ReadLine()) is not null)
        {
            if (!line.Contains('"')) { yield return line.Split(','); continue; }
            yield return Quoted(line, r);
        }
    }

    // A record with quotes, which may continue on the following lines.
    private static string[] Quoted(string first, TextReader r)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        var line = first;
        while (true)
        {
            for (var i = 0; i < line.Length; i++)
            {
                var ch = line[i];
                if (quoted)
                {
                    if (ch != '"') field.Append(ch);
                    else if (i + 1 < line.Length && line[i + 1] == '"') { field.Append('"'); i++; }
                    else quoted = false;
                }
                else if (ch == '"') quoted = true;
                else if (ch == ',') { fields.Add(field.ToString()); field.Clear(); }
                else if (ch != '\r') field.Append(ch);
            }
            if (!quoted) break;
            var next = r.ReadLine();
            if (next is null) break;
            field.Append('\n');
            line = next;
        }
        fields.Add(field.ToString());
        return fields.ToArray();
    }
}
