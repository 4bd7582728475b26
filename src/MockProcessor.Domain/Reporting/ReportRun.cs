using MockProcessor.Domain.Common;

namespace MockProcessor.Domain.Reporting;

public enum ReportRunStatus { Pending, Succeeded, Failed }

/// <summary>What a report run was asked for (<c>parameters[...]</c>); absent ones are null.</summary>
public sealed record ReportParameters
{
    public long? IntervalStart { get; init; }
    public long? IntervalEnd { get; init; }
    public string? Payout { get; init; }
    public string? Currency { get; init; }
    public string? ReportingCategory { get; init; }
    public string? Timezone { get; init; }
    /// <summary>The columns asked for, in the asked order; null means the type's defaults.</summary>
    public IReadOnlyList<string>? Columns { get; init; }
}

/// <summary>
/// Stripe's <c>reporting.report_run</c> (<c>frr_</c>). Created pending; the report runner (docs/reports.md) writes
/// the result file and moves it to succeeded (or failed) with its event.
/// </summary>
public sealed record ReportRun : StripeObject
{
    public override string ObjectType => "reporting.report_run";
    public required string ReportType { get; init; }
    public required ReportParameters Parameters { get; init; }
    public required ReportRunStatus Status { get; init; }
    /// <summary>The id the result file gets, reserved at creation so ids stay a function of the seed and the calls.</summary>
    public required string ResultFileId { get; init; }
    /// <summary>
    /// Seeds the ids of the run's completion (its event and webhook deliveries), reserved at creation like
    /// <see cref="ResultFileId"/>: the background run ends at no predictable point among other calls.
    /// </summary>
    public long CompletionSeed { get; init; }
    /// <summary>The base URL the run was requested at; the result file's <c>url</c> is built on it.</summary>
    public string? BaseUrl { get; init; }
    public bool HasResult => Status == ReportRunStatus.Succeeded;
    public long? SucceededAt { get; init; }
    public string? Error { get; init; }
}
