using System.Text;
using MockProcessor.Domain.Errors;
using MockProcessor.Domain.Reconciliation;
using MockProcessor.Server.Reconciliation;
using MockProcessor.Server.Wire;

namespace MockProcessor.Server.Control;

/// <summary>
/// <c>POST /_mock/reconciliation</c>: reconciles the merchant's books (the <c>orders</c> parameter, CSV or JSON text)
/// against its data in the emulator for <c>[from, to)</c> (docs/reports.md). <c>format=json</c> (default) answers the
/// result as JSON; <c>csv</c>, <c>html</c> and <c>table</c> answer that rendering as the body.
/// </summary>
public static class ReconciliationControlEndpoints
{
    public static IEnumerable<ApiRoute> Routes() =>
    [
        new("POST", "/_mock/reconciliation", "mock.reconciliation", Reconcile)
            { Params = "format from orders settlement_days threshold to" },
    ];

    private static ApiResult Reconcile(ApiContext c)
    {
        var from = Period.Parse(c.P.RequiredString("from"), isEnd: false) ?? throw Bad("from", "from must be Unix seconds or a date (YYYY-MM-DD).");
        var to = Period.Parse(c.P.RequiredString("to"), isEnd: true) ?? throw Bad("to", "to must be Unix seconds or a date (YYYY-MM-DD); a date includes that day.");
        if (to <= from) throw Bad("to", "to must be after from.");
        var threshold = c.P.Long("threshold", 0) ?? Reconciler.DefaultThreshold;
        var format = c.P.Enum("format", ReconciliationOutput.Formats) ?? "json";
        var settlementDays = (int?)c.P.Long("settlement_days", 0, 30);
        var ordersText = c.P.RequiredString("orders", maxLength: 1 << 20);

        List<BookOrder> orders;
        try
        {
            var trimmed = ordersText.TrimStart();
            orders = trimmed.StartsWith('[')
                ? Books.ReadJson(new MemoryStream(Encoding.UTF8.GetBytes(trimmed))).ToList()
                : Books.ReadCsv(new StringReader(ordersText)).ToList();
        }
        catch (Exception ex) when (ex is FormatException or System.Text.Json.JsonException)
        {
            throw Bad("orders", $"The orders could not be read: {ex.Message}");
        }

        var reconciler = new Reconciler(from, to, threshold, settlementDays);
        ProcessorFeed.Feed(c.Tx, reconciler);
        var result = reconciler.Reconcile(orders);
        var body = new MemoryStream();
        using (var text = new StreamWriter(body, new UTF8Encoding(false), 1 << 16, leaveOpen: true))
            ReconciliationOutput.Write(result, format, text);
        var type = format switch
        {
            "json" => "application/json", "csv" => "text/csv; charset=utf-8", "html" => "text/html; charset=utf-8", _ => "text/plain; charset=utf-8",
        };
        return ApiResult.SendFile(new FileAnswer(null, type, null, body.ToArray()));
    }

    private static StripeException Bad(string param, string message) => new(StripeError.InvalidValue(param, message), beforeExecution: true);
}
