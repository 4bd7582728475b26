namespace MockProcessor.Domain.Reconciliation;

public enum DiscrepancyKind
{
    /// <summary>The processor has a successful payment that no order in the books refers to.</summary>
    MissingInBooks,
    /// <summary>An order refers to a payment the processor does not have.</summary>
    MissingAtProcessor,
    AmountMismatch,
    CurrencyMismatch,
    RefundMismatch,
    StatusMismatch,
    /// <summary>Two orders refer to the same payment.</summary>
    DuplicateInBooks,
    /// <summary>captures − refunds − fees − disputes + other ≠ the payout's amount.</summary>
    PayoutMismatch,
}

public sealed record Discrepancy(
    DiscrepancyKind Kind, string? OrderId, string? ChargeId, string? PayoutId, string? Currency,
    string? Books, string? Processor, long? Difference, string Note);

/// <summary>One automatic payout: what it settled, by kind, and whether that adds up to its amount. Deductions are positive.</summary>
public sealed record PayoutSummary(
    string PayoutId, string Currency, long ArrivalDate, string Status, int Transactions,
    long Captures, long Refunds, long Fees, long Disputes, long Other, long ExpectedNet, long PayoutAmount)
{
    public bool Matches => ExpectedNet == PayoutAmount;
}

public sealed record CurrencyTotal(string Currency, long Books, long Processor);

public sealed record ReconciliationResult(
    long From, long To, long Threshold, int Orders, int Matched, int WithinThreshold, int ProcessorCharges,
    IReadOnlyList<CurrencyTotal> Totals, IReadOnlyList<Discrepancy> Discrepancies, IReadOnlyList<PayoutSummary> Payouts)
{
    public bool Clean => Discrepancies.Count == 0;

    public IReadOnlyDictionary<DiscrepancyKind, int> CountsByKind =>
        Discrepancies.GroupBy(d => d.Kind).ToDictionary(g => g.Key, g => g.Count());
}
