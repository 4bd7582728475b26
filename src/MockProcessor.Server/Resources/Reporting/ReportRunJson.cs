using System.Text.Json.Nodes;
using MockProcessor.Domain.Common;
using MockProcessor.Domain.Files;
using MockProcessor.Domain.Reporting;
using MockProcessor.Server.Wire;

namespace MockProcessor.Server.Resources.Reporting;

/// <summary>ReportRun → Stripe's <c>reporting.report_run</c>; <c>result</c> is the file object, embedded as Stripe does.</summary>
public static class ReportRunJson
{
    public static JsonObject Render(ReportRun r, RenderContext ctx, ExpandNode expand)
    {
        var p = r.Parameters;
        var parameters = new JsonObject();
        if (p.Columns is { } cols) parameters["columns"] = new JsonArray(cols.Select(c => (JsonNode)c).ToArray());
        if (p.Currency is { } cur) parameters["currency"] = cur;
        if (p.IntervalEnd is { } end) parameters["interval_end"] = end;
        if (p.IntervalStart is { } start) parameters["interval_start"] = start;
        if (p.Payout is { } payout) parameters["payout"] = payout;
        if (p.ReportingCategory is { } cat) parameters["reporting_category"] = cat;
        if (p.Timezone is { } tz) parameters["timezone"] = tz;
        var result = r.HasResult && ctx.Tx.Get<StripeFile>(r.ResultFileId) is { } file ? ctx.Render(file) : null;
        return new JsonObject
        {
            ["id"] = r.Id,
            ["object"] = "reporting.report_run",
            ["created"] = r.Created,
            ["error"] = r.Error,
            ["livemode"] = false,
            ["parameters"] = parameters,
            ["report_type"] = r.ReportType,
            ["result"] = result,
            ["status"] = r.Status.ToWire(),
            ["succeeded_at"] = r.SucceededAt,
        };
    }
}
