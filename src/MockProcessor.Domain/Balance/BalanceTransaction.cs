using MockProcessor.Domain.Common;

namespace MockProcessor.Domain.Balance;

// balance_transaction.type values the emulator books (Stripe's enum is longer; add members as needed).
public enum BalanceTransactionType
{
    Charge, Refund, RefundFailure, Adjustment, Payout, PayoutCancel, PayoutFailure, PaymentFailureRefund, StripeFee,
    // Connect (docs/connect.md)
    ApplicationFee, ApplicationFeeRefund, Transfer, TransferRefund, Payment, PaymentRefund,
}

public enum ReportingCategory
{
    Charge, ChargeFailure, Refund, RefundFailure, PartialCaptureReversal, Dispute, DisputeReversal, Payout,
    PayoutReversal, Fee, OtherAdjustment,
    // Connect (docs/connect.md)
    PlatformEarning, PlatformEarningRefund, Transfer, TransferReversal,
}

public enum BalanceTransactionStatus { Pending, Available }

// One movement of money in the merchant's balance. Its money is immutable once booked: corrections are new
// transactions (refund, refund_failure, ...), never edits. Two bookkeeping fields change by replacement:
// AutomaticPayoutId, set once when an automatic payout sweeps it, and AvailableOn, moved later only by an
// injected "late settlement" discrepancy before it is swept (docs/payouts.md). `status` is not stored because
// it is a pure function of available_on and the clock; storing it would go stale the moment time moves.
public sealed record BalanceTransaction : StripeObject
{
    public override string ObjectType => "balance_transaction";
    public required long Amount { get; init; }            // gross, signed
    public required string Currency { get; init; }
    public long Fee { get; init; }
    public IReadOnlyList<FeeDetail> FeeDetails { get; init; } = [];
    public long Net => checked(Amount - Fee);
    public required BalanceTransactionType Type { get; init; }
    public required ReportingCategory ReportingCategory { get; init; }
    public string? Source { get; init; }
    public string? Description { get; init; }
    public required long AvailableOn { get; init; }
    /// <summary>
    /// The automatic payout that swept this transaction (Stripe's <c>automatic_payout_id</c> report column and the
    /// <c>payout</c> filter of the list), null until one does. An automatic payout's own <c>payout</c> transaction
    /// carries its payout's id too, so no later payout sweeps it; it is not itself part of what the payout settled.
    /// </summary>
    public string? AutomaticPayoutId { get; init; }
    // Deviation: always null; we never convert currencies (see Fees).
    public decimal? ExchangeRate => null;
    public string BalanceType => "payments";

    public BalanceTransactionStatus StatusAt(long now) =>
        BalanceRules.IsAvailable(AvailableOn, now) ? BalanceTransactionStatus.Available : BalanceTransactionStatus.Pending;
}
