using System.Text.Json.Nodes;
using MockProcessor.Domain.Reporting;

namespace MockProcessor.Server.Resources.Reporting;

/// <summary>ReportType → Stripe's <c>reporting.report_type</c>; its data window is the merchant's (docs/reports.md).</summary>
public static class ReportTypeJson
{
    public static JsonObject Render(ReportType t, long availableStart, long availableEnd) => new()
    {
        ["id"] = t.Id,
        ["object"] = "reporting.report_type",
        ["data_available_end"] = availableEnd,
        ["data_available_start"] = availableStart,
        ["default_columns"] = new JsonArray(t.DefaultColumns.Select(c => (JsonNode)c).ToArray()),
        ["livemode"] = false,
        ["name"] = t.Name,
        ["updated"] = availableEnd,
        ["version"] = t.Version,
    };
}
