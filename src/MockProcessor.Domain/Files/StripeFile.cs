using MockProcessor.Domain.Common;

namespace MockProcessor.Domain.Files;

/// <summary>
/// Stripe's <c>file</c> object. Only its description is stored here; the bytes live in the server's file storage
/// (docs/reports.md), because a report's contents can be hundreds of megabytes and objects are kept in memory.
/// </summary>
public sealed record StripeFile : StripeObject
{
    public override string ObjectType => "file";
    public required string Purpose { get; init; }
    public string? Filename { get; init; }
    public string? Title { get; init; }
    /// <summary>The file's format as Stripe names it (csv, pdf, png...).</summary>
    public string? Type { get; init; }
    public required long Size { get; init; }
    public long? ExpiresAt { get; init; }
    /// <summary>
    /// Where the contents download from: the emulator's base URL as the creating call reached it, plus
    /// <c>/v1/files/{id}/contents</c>. Deviation: Stripe's files host is a different host (files.stripe.com).
    /// </summary>
    public string? Url { get; init; }

    public const string FinanceReportRun = "finance_report_run";
}
