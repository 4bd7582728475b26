namespace MockProcessor.Domain.Reconciliation;

/// <summary>A payment as the merchant's books record it (one line of orders.csv / one object of orders.json).</summary>
public sealed record BookOrder(
    string OrderId, string? PaymentIntent, string? Charge, long Amount, string Currency, PaymentState Status, long? RefundedAmount);

/// <summary>Where a payment stands; the books' status words and the processor's charge both map onto it.</summary>
public enum PaymentState { Pending, Paid, PartiallyRefunded, Refunded, Disputed, Failed, Canceled }

/// <summary>What the reconciliation needs of one charge at the processor.</summary>
public readonly record struct ChargeFacts(
    string Id, string? PaymentIntent, long Created, long Amount, string Currency, long AmountRefunded, PaymentState State);

/// <summary>What the reconciliation needs of one balance transaction: its money and the automatic payout that swept it.</summary>
public readonly record struct TransactionFacts(
    string Id, string Category, long Amount, long Fee, string Currency, string? PayoutId);

/// <summary>What the reconciliation needs of one payout.</summary>
public sealed record PayoutFacts(
    string Id, long Amount, string Currency, long ArrivalDate, bool Automatic, string Status, string? BalanceTransaction);

public static class PaymentStates
{
    /// <summary>The processor's view of a charge: failed, not captured, disputed (while open or lost), refunded, paid.</summary>
    public static PaymentState OfCharge(string chargeStatus, bool captured, long amountCaptured, long amountRefunded, bool disputeCounts = false) =>
        chargeStatus switch
        {
            "failed" => PaymentState.Failed,
            "pending" => PaymentState.Pending,
            _ when !captured && amountRefunded > 0 => PaymentState.Canceled,
            _ when !captured => PaymentState.Pending,
            _ when disputeCounts => PaymentState.Disputed,
            _ when amountRefunded > 0 && amountRefunded >= amountCaptured => PaymentState.Refunded,
            _ when amountRefunded > 0 => PaymentState.PartiallyRefunded,
            _ => PaymentState.Paid,
        };

    /// <summary>A dispute takes the money while it is open (needs_response, under_review, ...) or lost.</summary>
    public static bool DisputeCounts(string disputeStatus) => disputeStatus is not ("won" or "warning_closed" or "prevented");

    /// <summary>The merchant's status word → state; null when the word is not understood.</summary>
    public static PaymentState? OfBooks(string word) => word.Trim().ToLowerInvariant() switch
    {
        "paid" or "succeeded" or "captured" or "complete" or "completed" or "settled" => PaymentState.Paid,
        "refunded" => PaymentState.Refunded,
        "partially_refunded" or "partial_refund" => PaymentState.PartiallyRefunded,
        "disputed" or "chargeback" => PaymentState.Disputed,
        "failed" or "declined" => PaymentState.Failed,
        "canceled" or "cancelled" or "voided" => PaymentState.Canceled,
        "pending" or "authorized" => PaymentState.Pending,
        _ => null,
    };

    public static string Wire(this PaymentState s) => s switch
    {
        PaymentState.PartiallyRefunded => "partially_refunded",
        _ => s.ToString().ToLowerInvariant(),
    };
}
