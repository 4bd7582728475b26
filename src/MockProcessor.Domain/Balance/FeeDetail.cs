namespace MockProcessor.Domain.Balance;

public enum FeeType { StripeFee, ApplicationFee, Tax }

// One line of balance_transaction.fee_details.
public sealed record FeeDetail(long Amount, string Currency, string Description, FeeType Type)
{
    public string? Application { get; init; }
}
