namespace MockProcessor.Domain.Common;

/// <summary>Bounds on the instants a clock (the emulator's, a merchant's, a test clock) may be set to.</summary>
public static class Timestamps
{
    /// <summary>
    /// 9998-01-01T00:00:00Z. .NET dates end with 9999: a clock stops a year and more short of that, so everything computed
    /// from "now" (payout arrival dates, dispute deadlines, a test clock's two-year advance limit) stays representable.
    /// </summary>
    public const long Latest = 253_339_228_800;

    public const string LatestText = "9998-01-01T00:00:00Z";
}
