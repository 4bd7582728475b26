using System.Collections.Immutable;
using MockProcessor.Domain.Common;

namespace MockProcessor.Domain.Payouts;

public enum PayoutStatus { Pending, InTransit, Paid, Failed, Canceled }

public enum PayoutReconciliationStatus { NotApplicable, InProgress, Completed }

/// <summary>
/// Money leaving the merchant's Stripe balance for its bank account (<c>po_</c>). Automatic payouts are made by
/// the schedule and itemized (each balance transaction they swept carries their id, see
/// <see cref="Balance.BalanceTransaction.AutomaticPayoutId"/>); manual ones are for an amount the merchant chose
/// and are not itemized. State machine and money movements: <see cref="PayoutRules"/>; docs/payouts.md.
/// </summary>
public sealed record Payout : StripeObject
{
    public override string ObjectType => "payout";
    public required long Amount { get; init; }
    public required string Currency { get; init; }
    public required long ArrivalDate { get; init; }
    public required bool Automatic { get; init; }
    public required PayoutStatus Status { get; init; }
    /// <summary>The <c>payout</c> balance transaction that took the amount out of the balance.</summary>
    public required string BalanceTransaction { get; init; }
    /// <summary>The <c>payout_failure</c> or <c>payout_cancel</c> transaction that put it back.</summary>
    public string? FailureBalanceTransaction { get; init; }
    public PayoutFailureCode? FailureCode { get; init; }
    public string? FailureMessage { get; init; }
    public required string Destination { get; init; }
    public string? Description { get; init; }
    public string? StatementDescriptor { get; init; }
    public PayoutReconciliationStatus ReconciliationStatus { get; init; }
    public ImmutableSortedDictionary<string, string> Metadata { get; init; } = Common.Metadata.Empty;
    public string Method => "standard";
    public string Type => "bank_account";
    public string SourceType => "card";

    /// <summary>When the payout leaves <c>pending</c> for <c>in_transit</c> (the end of the window to cancel it).</summary>
    public long InTransitAt => Created + PayoutRules.PendingSeconds;
}
