using MockProcessor.Domain.Common;

namespace MockProcessor.Domain.TestClocks;

public enum TestClockStatus { Ready, Advancing, InternalFailure }

/// <summary>
/// Stripe's test clock (STRIPE_BEHAVIOR.md §20.1): a simulated time that customers bound to it (and the objects
/// that belong to them) live on. The emulator keeps it as an offset from the merchant's clock, <see cref="Advanced"/>,
/// because everything is timestamped on the merchant's clock; see docs/time.md.
/// </summary>
public sealed record TestClock : StripeObject
{
    /// <summary>Stripe deletes a test clock this long after creating it (the docs' example: created + 7 days).</summary>
    public const long Lifetime = 7 * 86_400;

    public override string ObjectType => "test_helpers.test_clock";
    public required long FrozenTime { get; init; }
    public string? Name { get; init; }
    public TestClockStatus Status { get; init; } = TestClockStatus.Ready;
    public long DeletesAfter { get; init; }
    public bool Deleted { get; init; }

    /// <summary>
    /// Total seconds the clock has been advanced since creation. Its objects' time-driven work is due when
    /// merchant time + Advanced reaches it: a clock advanced by 8 days runs their work 8 days ahead of the merchant.
    /// </summary>
    public long Advanced { get; init; }
}
