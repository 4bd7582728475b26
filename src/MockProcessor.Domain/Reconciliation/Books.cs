using System.Globalization;
using System.Text.Json;
using CsvHelper;
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
        var orders = first == '[' ? ReadJson(stream) : ReadCsv(stream);
        foreach (var o in orders) yield return o;
    }

    /// <summary>
    /// Comma-separated, RFC 4180 quoting (quoted fields may hold commas, doubled quotes and line breaks), a header row,
    /// blank lines skipped. Malformed quoting is an error, not a guess.
    /// </summary>
    private static readonly CsvReaderOptions CsvOptions = CsvReaderOptions.Default with
    {
        Separator = ',', HasHeader = true, MalformedData = CsvMalformedDataHandling.Throw, TrackLineNumbers = true, DetectSeparatorHint = false,
    };

    /// <summary>
    /// The books as CSV, read by CsvHelper. Errors name the line (of the text, counting the header and the lines inside
    /// quoted fields) and, for a bad value, its column: <c>line 3, column 4 (amount): 'ten' is not an amount.</c>
    /// </summary>
    public static IEnumerable<BookOrder> ReadCsv(TextReader reader) => ReadCsv(() => CsvReader.Create(reader, CsvOptions, leaveOpen: true));

    /// <summary>The books as UTF-8 CSV bytes (a byte order mark is honoured), read without transcoding.</summary>
    public static IEnumerable<BookOrder> ReadCsv(Stream stream) => ReadCsv(() => CsvReader.Create(stream, CsvOptions, leaveOpen: true));

    private static IEnumerable<BookOrder> ReadCsv(Func<CsvReader> open)
    {
        using var csv = open();
        int[] index; // field position of each known column, -1 when absent
        string[] names;
        try
        {
            names = csv.Headers.ToArray();
        }
        catch (CsvFormatException ex)
        {
            throw Malformed(ex);
        }
        var header = names.Select(f => Aliases.GetValueOrDefault(f.Trim(), f.Trim())).ToArray();
        if (header.Length == 0) yield break; // no header, no orders
        foreach (var required in new[] { "order_id", "amount", "currency", "status" })
            if (!header.Contains(required)) throw new FormatException($"The orders CSV has no '{required}' column.");
        if (!header.Contains("payment_intent") && !header.Contains("charge"))
            throw new FormatException("The orders CSV needs a 'payment_intent' or a 'charge' column.");
        index = Columns.Select(c => Array.IndexOf(header, c)).ToArray();
        while (true)
        {
            try
            {
                if (!csv.Read()) yield break;
            }
            catch (CsvFormatException ex)
            {
                throw Malformed(ex);
            }
            var line = csv.LineNumber;
            var fields = new string?[Columns.Length];
            for (var k = 0; k < Columns.Length; k++)
                if (index[k] >= 0 && index[k] < csv.FieldCount) fields[k] = csv.GetString(index[k]);
            yield return Order(k => fields[k], k => k >= 0 && index[k] >= 0 ? $"line {line}, column {index[k] + 1} ({names[index[k]].Trim()})" : $"line {line}");
        }
    }

    /// <summary>CsvHelper's own message names the record, its line and what is wrong with the quoting.</summary>
    private static FormatException Malformed(CsvFormatException ex) => new(ex.Message, ex);

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
            yield return Order(k => row[k], k => k >= 0 ? $"order {n}, {Columns[k]}" : $"order {n}");
        }
    }

    private static readonly string[] Columns = ["order_id", "payment_intent", "charge", "amount", "currency", "status", "refunded_amount"];

    /// <summary>One order from its fields (by <see cref="Columns"/> position); <paramref name="where"/> names a field for errors.</summary>
    private static BookOrder Order(Func<int, string?> field, Func<int, string> where)
    {
        string? Get(string k) => field(Array.IndexOf(Columns, k)) is { } v && (v = v.Trim()).Length > 0 ? v : null;
        string At(string k) => where(Array.IndexOf(Columns, k));
        var id = Get("order_id") ?? throw new FormatException($"{At("order_id")}: order_id is empty.");
        var currency = (Get("currency") ?? throw new FormatException($"{At("currency")}: currency is empty.")).ToLowerInvariant();
        var statusWord = Get("status") ?? throw new FormatException($"{At("status")}: status is empty.");
        var status = PaymentStates.OfBooks(statusWord) ?? throw new FormatException($"{At("status")}: unknown status '{statusWord}'.");
        var amount = Amount(Get("amount") ?? throw new FormatException($"{At("amount")}: amount is empty."), currency, At("amount"));
        var refunded = Get("refunded_amount") is { } r ? Amount(r, currency, At("refunded_amount")) : (long?)null;
        var pi = Get("payment_intent");
        var charge = Get("charge");
        if (pi is null && charge is null) throw new FormatException($"{where(-1)}: neither payment_intent nor charge is given.");
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
}
