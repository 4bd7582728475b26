using MockProcessor.Domain.CardNetwork;

namespace MockProcessor.Domain.Charges;

// charge.outcome: what the network and Radar said about the attempt (§13's outcome table).
public sealed record ChargeOutcome(
    NetworkStatus NetworkStatus,
    OutcomeType Type,
    string? Reason,
    RiskLevel RiskLevel,
    int RiskScore,
    string SellerMessage)
{
    public string? AdviceCode { get; init; }
    public string? NetworkAdviceCode { get; init; }
    public string? NetworkDeclineCode { get; init; }
    // Radar rule id for blocks ("block_if_high_risk"); null otherwise.
    public string? Rule { get; init; }
}
