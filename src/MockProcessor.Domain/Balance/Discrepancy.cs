using MockProcessor.Domain.Common;
using MockProcessor.Domain.Errors;
using MockProcessor.Domain.Ids;

namespace MockProcessor.Domain.Balance;

public enum DiscrepancyKind { LateSettlement, FeeAdjustment }

/// <summary>
/// A difference injected on purpose so a merchant's reconciliation can be tested against a known answer
/// (docs/payouts.md "Discrepancies on demand"). Emulator tooling, not a Stripe object: kept so a harness can list
/// what was injected. <see cref="BalanceTransaction"/> is the transaction delayed or booked.
/// </summary>
public sealed record Discrepancy : StripeObject
{
    public override string ObjectType => "mock.discrepancy";
    public required DiscrepancyKind Kind { get; init; }
    public required string BalanceTransaction { get; init; }
    public string? Charge { get; init; }
    /// <summary>late_settlement: the available_on before and after.</summary>
    public long? AvailableOnBefore { get; init; }
    public long? AvailableOnAfter { get; init; }
    /// <summary>fee_adjustment: the signed amount booked.</summary>
    public long? Amount { get; init; }
}

public sealed record DiscrepancyChange(Discrepancy Discrepancy, BalanceTransaction Transaction);

public static class DiscrepancyRules
{
    /// <summary>
    /// Settles a transaction later than booked: its available_on moves <paramref name="days"/> later, so the next
    /// automatic payout leaves it for a later one. Only before it is paid out (a swept transaction is history).
    /// </summary>
    public static Outcome<DiscrepancyChange> LateSettlement(BalanceTransaction t, int days, long now, IdGenerator ids)
    {
        if (t.AutomaticPayoutId is { } po) return StripeError.BalanceTransactionAlreadyPaidOut(t.Id, po);
        var delayed = t with { AvailableOn = checked(t.AvailableOn + days * BalanceRules.SecondsPerDay) };
        var d = new Discrepancy
        {
            Id = ids.Next("disc"), AccountId = t.AccountId, Created = now, Kind = DiscrepancyKind.LateSettlement,
            BalanceTransaction = t.Id, Charge = t.Type is BalanceTransactionType.Charge ? t.Source : null,
            AvailableOnBefore = t.AvailableOn, AvailableOnAfter = delayed.AvailableOn,
        };
        return new DiscrepancyChange(d, delayed);
    }

    /// <summary>
    /// A fee correction against a charge: an <c>adjustment</c> transaction (negative charges the merchant), with
    /// reporting_category <c>fee</c> or <c>other_adjustment</c>, available at once.
    /// </summary>
    public static DiscrepancyChange FeeAdjustment(string chargeId, string currency, long amount, ReportingCategory category,
        string accountId, long now, IdGenerator ids)
    {
        if (amount == 0) throw new ArgumentOutOfRangeException(nameof(amount), "A fee adjustment moves money.");
        if (category is not (ReportingCategory.Fee or ReportingCategory.OtherAdjustment))
            throw new ArgumentOutOfRangeException(nameof(category), category, "Fee adjustments are fee or other_adjustment.");
        var t = new BalanceTransaction
        {
            Id = ids.Next("txn"), AccountId = accountId, Created = now, Amount = amount, Currency = currency, Fee = 0,
            Type = BalanceTransactionType.Adjustment, ReportingCategory = category, Source = chargeId,
            Description = $"Fee adjustment for charge {chargeId}", AvailableOn = now,
        };
        var d = new Discrepancy
        {
            Id = ids.Next("disc"), AccountId = accountId, Created = now, Kind = DiscrepancyKind.FeeAdjustment,
            BalanceTransaction = t.Id, Charge = chargeId, Amount = amount,
        };
        return new DiscrepancyChange(d, t);
    }
}
