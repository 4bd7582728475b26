using System.Text.Json.Nodes;
using MockProcessor.Domain.Balance;
using MockProcessor.Domain.Common;
using MockProcessor.Domain.Errors;
using MockProcessor.Domain.Money;
using MockProcessor.Domain.Reporting;
using MockProcessor.Server.Resources.Files;
using MockProcessor.Server.Wire;

namespace MockProcessor.Server.Resources.Reporting;

/// <summary>
/// Stripe's Reporting API (§21): the report type catalogue and report runs. A run is stored pending and handed to
/// the <see cref="ReportRunner"/>, which writes its CSV and marks it succeeded (docs/reports.md).
/// </summary>
public static class ReportEndpoints
{
    public static IEnumerable<ApiRoute> Routes() =>
    [
        new("GET", "/v1/reporting/report_types", "list:reporting.report_type", ListTypes) { Params = "" },
        new("GET", "/v1/reporting/report_types/{id}", "reporting.report_type", RetrieveType) { Params = "" },
        new("POST", "/v1/reporting/report_runs", "reporting.report_run", CreateRun) { Params = "parameters report_type" },
        new("GET", "/v1/reporting/report_runs", "list:reporting.report_run", ListRuns)
            { Params = "created ending_before limit starting_after" },
        new("GET", "/v1/reporting/report_runs/{id}", "reporting.report_run", RetrieveRun) { Params = "" },
    ];

    private static ApiResult ListTypes(ApiContext c)
    {
        var (start, end) = ReportSource.DataAvailable(c.Tx, c.Account, c.Now);
        var data = new JsonArray(ReportTypes.All.Select(t => (JsonNode)ReportTypeJson.Render(t, start, end)).ToArray());
        return new JsonObject { ["object"] = "list", ["data"] = data, ["has_more"] = false, ["url"] = "/v1/reporting/report_types" };
    }

    private static ApiResult RetrieveType(ApiContext c)
    {
        var id = c.Route("id");
        var type = ReportTypes.Find(id) ?? throw new StripeException(StripeError.ResourceMissing("report type", id));
        var (start, end) = ReportSource.DataAvailable(c.Tx, c.Account, c.Now);
        return ReportTypeJson.Render(type, start, end);
    }

    private static ApiResult RetrieveRun(ApiContext c) => c.Respond(c.Load<ReportRun>(c.Route("id"), "reporting.report_run"));

    private static ApiResult ListRuns(ApiContext c)
    {
        var lp = ListParams.Read(c.P);
        var (page, more) = Lists.Page(c.Tx.NewestFirst<ReportRun>("reporting.report_run"), lp, null, "reporting.report_run");
        return Lists.Render(page, more, "/v1/reporting/report_runs", c.Render, c.Expand);
    }

    private static ApiResult CreateRun(ApiContext c)
    {
        var typeId = c.P.RequiredString("report_type");
        var type = ReportTypes.Find(typeId)
            ?? throw Invalid("report_type", $"Invalid report_type: {typeId} is not a report type you can run. See GET /v1/reporting/report_types.");
        var parameters = ReadParameters(c, type);
        var run = new ReportRun
        {
            Id = c.Ids.Next("frr"), AccountId = c.Account.Id, Created = c.Now, ReportType = type.Id, Parameters = parameters,
            Status = ReportRunStatus.Pending, ResultFileId = c.Ids.Next("file"), BaseUrl = c.BaseUrl,
            CompletionSeed = c.Ids.NextSeed(),
        };
        c.Tx.Put(run);
        // The runner takes the merchant's lock before reading the run, so it sees it once this call has committed.
        c.Service<ReportRunner>().Enqueue(c.Account.Id, run.Id);
        return c.Respond(run);
    }

    private static ReportParameters ReadParameters(ApiContext c, ReportType type)
    {
        var p = c.P.Object("parameters");
        var payout = p?.String("payout");
        var start = p?.Long("interval_start", 0);
        var end = p?.Long("interval_end", 0);
        var currency = p?.String("currency")?.ToLowerInvariant();
        var category = p?.Enum("reporting_category", WireEnum.AllWire<ReportingCategory>().ToArray());
        var timezone = p?.String("timezone");
        var columns = p?.StringList("columns");
        p?.Accept("connected_account");
        if (p?.Has("connected_account") == true)
            throw Invalid("parameters[connected_account]", "parameters[connected_account] is not supported: the emulator's report runs cover the acting account's own balance only.");

        if (payout is not null)
        {
            if (type.Kind != ReportKind.PayoutReconciliationItemized)
                throw Invalid("parameters[payout]", $"parameters[payout] is not supported by {type.Id}.");
            if (!ReportLedger.PayoutExists(c.Tx, payout)) throw new StripeException(StripeError.ResourceMissing("payout", payout, "parameters[payout]"));
        }
        else
        {
            if (start is null) throw Bad(StripeError.ParameterMissing("parameters[interval_start]"));
            if (end is null) throw Bad(StripeError.ParameterMissing("parameters[interval_end]"));
        }
        if (start is { } s && end is { } e)
        {
            if (e <= s) throw Invalid("parameters[interval_end]", "parameters[interval_end] must be after parameters[interval_start].");
            var (from, through) = ReportSource.DataAvailable(c.Tx, c.Account, c.Now);
            if (s < from)
                throw Invalid("parameters[interval_start]",
                    $"Data for the report type {type.Id} is only available from {Format(from)} (interval_start {s}).");
            if (e > through)
                throw Invalid("parameters[interval_end]",
                    $"Data for the report type {type.Id} is only available through {Format(through)}; interval_end ({e}) is later.");
        }
        if (currency is not null && !Currencies.IsSupported(currency))
            throw Invalid("parameters[currency]", $"Invalid currency: {currency}.");
        if (timezone is not null && !TryTimeZone(timezone, out _))
            throw Invalid("parameters[timezone]", $"Invalid timezone: {timezone}. Use an IANA time zone name such as Etc/UTC or America/New_York.");
        if (columns is not null)
        {
            if (columns.Count == 0) throw Invalid("parameters[columns]", "parameters[columns] must name at least one column.");
            foreach (var col in columns)
                if (!type.HasColumn(col))
                    throw Invalid("parameters[columns]", $"Invalid column '{col}' for {type.Id}. Valid columns: {string.Join(", ", type.Columns)}.");
        }
        return new ReportParameters
        {
            IntervalStart = start, IntervalEnd = end, Payout = payout, Currency = currency, ReportingCategory = category,
            Timezone = timezone, Columns = columns,
        };
    }

    public static bool TryTimeZone(string id, out TimeZoneInfo tz)
    {
        tz = TimeZoneInfo.Utc;
        if (id is "Etc/UTC" or "UTC") return true;
        try { tz = TimeZoneInfo.FindSystemTimeZoneById(id); return true; }
        catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException) { return false; }
    }

    private static string Format(long unix) => DateTimeOffset.FromUnixTimeSeconds(unix).ToString("yyyy-MM-dd HH:mm:ss 'UTC'", System.Globalization.CultureInfo.InvariantCulture);

    private static StripeException Invalid(string param, string message) => Bad(StripeError.InvalidValue(param, message));

    private static StripeException Bad(StripeError e) => new(e, beforeExecution: true);
}
