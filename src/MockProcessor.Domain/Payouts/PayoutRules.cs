using MockProcessor.Domain.Balance;
using MockProcessor.Domain.Common;
using MockProcessor.Domain.Errors;
using MockProcessor.Domain.Events;
using MockProcessor.Domain.Ids;
using MockProcessor.Domain.Money;

namespace MockProcessor.Domain.Payouts;

public sealed record CreatePayout(long Amount, string Currency, string? Description, string? StatementDescriptor,
    System.Collections.Immutable.ImmutableSortedDictionary<string, string> Metadata);

/// <summary>
/// What a payout decision changed: the payout, the balance transactions to store (new ones, and swept ones now
/// carrying the payout's id), and the events, in order, each about the payout.
/// </summary>
public sealed record PayoutChange(Payout Payout, IReadOnlyList<BalanceTransaction> Transactions, IReadOnlyList<string> Events);

/// <summary>
/// Payouts: the automatic sweep, manual payouts, cancel, and the later transitions (in transit, paid or failed,
/// reconciled). State machine: pending → in_transit → paid | failed; pending → canceled (manual payouts only).
/// See docs/payouts.md.
/// </summary>
public static class PayoutRules
{
    /// <summary>How long a payout stays <c>pending</c> (cancelable) before it is in transit. Our choice: Stripe says "until submitted to the bank".</summary>
    public const long PendingSeconds = 3_600;
    public const string AutomaticDescription = "STRIPE PAYOUT";

    /// <summary>Standard payouts arrive at 00:00 UTC of the next day. Deviation: Stripe counts business days.</summary>
    public static long ArrivalDate(long created) => BalanceRules.StartOfUtcDay(created) + BalanceRules.SecondsPerDay;

    /// <summary>
    /// A transaction the next automatic payout of its currency takes: available by then and not yet swept. This
    /// includes negative ones (refunds, dispute withdrawals, manual payouts) and returned funds (payout failures).
    /// </summary>
    public static bool IsSweepable(BalanceTransaction t, long now) => t.AutomaticPayoutId is null && t.AvailableOn <= now;

    /// <summary>
    /// The one rule for "what payout X settled" (the <c>payout</c> filter of the list, the payout reconciliation
    /// reports): the transactions it swept, not its own <c>payout</c> transaction. Their nets sum to its amount.
    /// Null when the transaction is not (yet) part of any automatic payout. Needs nothing but the transaction, so a
    /// report can group a million rows by it in one pass.
    /// </summary>
    public static string? SettledBy(BalanceTransaction t) =>
        t.AutomaticPayoutId is { } po && !(t.Type is BalanceTransactionType.Payout && t.Source == po) ? po : null;

    /// <summary>When the transaction will be swept on <paramref name="schedule"/> (its first run day once available), or null.</summary>
    public static long? SweepDueAt(BalanceTransaction t, PayoutSchedule schedule) =>
        t.AutomaticPayoutId is null ? SweepDueAt(t.AvailableOn, schedule) : null;

    /// <summary>The first run of <paramref name="schedule"/> that may sweep money available from <paramref name="availableOn"/>; null for manual payouts.</summary>
    public static long? SweepDueAt(long availableOn, PayoutSchedule schedule) =>
        schedule.NextRunAtOrAfter(Math.Max(availableOn, schedule.EffectiveFrom));

    /// <summary>
    /// The automatic payout of one currency at a run: everything sweepable, if it adds up to a positive amount.
    /// Otherwise nothing is swept and the (negative) balance waits for later funds.
    /// </summary>
    public static PayoutChange? Sweep(IEnumerable<BalanceTransaction> currencyTransactions, string currency,
        string accountId, BankAccount destination, long now, IdGenerator ids)
    {
        var swept = currencyTransactions.Where(t => t.Currency == currency && IsSweepable(t, now)).ToList();
        var amount = swept.Sum(t => t.Net);
        if (amount <= 0) return null;
        var payoutId = ids.Next("po");
        var txn = PayoutTransaction(payoutId, accountId, -amount, currency, BalanceTransactionType.Payout, now, ids, AutomaticDescription)
            with { AutomaticPayoutId = payoutId };
        var payout = new Payout
        {
            Id = payoutId, AccountId = accountId, Created = now, Amount = amount, Currency = currency,
            ArrivalDate = ArrivalDate(now), Automatic = true, Status = PayoutStatus.Pending,
            BalanceTransaction = txn.Id, Destination = destination.Id, Description = AutomaticDescription,
            ReconciliationStatus = PayoutReconciliationStatus.InProgress,
        };
        var tagged = swept.Select(t => t with { AutomaticPayoutId = payoutId });
        return new(payout, [txn, .. tagged], [EventTypes.PayoutCreated]);
    }

    /// <summary>POST /v1/payouts: an amount the merchant chose, out of the available balance of its currency.</summary>
    public static Outcome<PayoutChange> CreateManual(CreatePayout cmd, long available, string accountId,
        BankAccount destination, long now, IdGenerator ids)
    {
        if (cmd.Amount <= 0) return StripeError.AmountNotPositive();
        var precision = Currencies.ValidatePrecision(cmd.Amount, cmd.Currency);
        if (precision.IsError) return precision.Error!;
        if (cmd.Amount > available)
            return StripeError.BalanceInsufficient(Currencies.Format(cmd.Amount, cmd.Currency), Currencies.Format(available, cmd.Currency));
        var payoutId = ids.Next("po");
        var txn = PayoutTransaction(payoutId, accountId, -cmd.Amount, cmd.Currency, BalanceTransactionType.Payout, now, ids, cmd.Description);
        var payout = new Payout
        {
            Id = payoutId, AccountId = accountId, Created = now, Amount = cmd.Amount, Currency = cmd.Currency,
            ArrivalDate = ArrivalDate(now), Automatic = false, Status = PayoutStatus.Pending,
            BalanceTransaction = txn.Id, Destination = destination.Id, Description = cmd.Description,
            StatementDescriptor = cmd.StatementDescriptor, Metadata = cmd.Metadata,
            ReconciliationStatus = PayoutReconciliationStatus.NotApplicable,
        };
        return new PayoutChange(payout, [txn], [EventTypes.PayoutCreated]);
    }

    /// <summary>
    /// Stripe cancels only pending payouts, and not automatic ones (their contents are fixed by the schedule);
    /// the amount returns to the balance as a <c>payout_cancel</c> transaction.
    /// </summary>
    public static Outcome<PayoutChange> Cancel(Payout payout, long now, IdGenerator ids)
    {
        if (payout.Automatic) return StripeError.PayoutNotCancelable(payout.Id, "automatic payouts cannot be canceled");
        if (payout.Status is not PayoutStatus.Pending)
            return StripeError.PayoutNotCancelable(payout.Id, $"it has a status of {payout.Status.ToWire()}; only pending payouts can be canceled");
        var txn = PayoutTransaction(payout.Id, payout.AccountId, payout.Amount, payout.Currency, BalanceTransactionType.PayoutCancel, now, ids,
            $"Cancellation of payout {payout.Id}");
        var canceled = payout with { Status = PayoutStatus.Canceled, FailureBalanceTransaction = txn.Id };
        return new PayoutChange(canceled, [txn], [EventTypes.PayoutUpdated, EventTypes.PayoutCanceled]);
    }

    /// <summary>When the payout next changes by itself: in transit after the cancel window, paid or failed at arrival.</summary>
    public static long? NextTransitionAt(Payout p) => p.Status switch
    {
        PayoutStatus.Pending => Math.Min(p.InTransitAt, p.ArrivalDate),
        PayoutStatus.InTransit => p.ArrivalDate,
        _ => null,
    };

    /// <summary>
    /// The payout's due transition at <paramref name="now"/>. At arrival it is paid, or, when the destination is one
    /// of Stripe's failing test accounts (<paramref name="failure"/>), failed with the amount returned by a
    /// <c>payout_failure</c> transaction. An automatic payout's contents are then final: reconciliation completes.
    /// </summary>
    public static PayoutChange Advance(Payout p, PayoutFailureCode? failure, long now, IdGenerator ids)
    {
        if (p.Status is PayoutStatus.Pending && now < p.ArrivalDate)
            return new(p with { Status = PayoutStatus.InTransit }, [], [EventTypes.PayoutUpdated]);
        if (p.Status is not (PayoutStatus.Pending or PayoutStatus.InTransit))
            throw new ArgumentException($"Payout {p.Id} ({p.Status}) has no later transition.", nameof(p));
        var reconciled = p.Automatic ? PayoutReconciliationStatus.Completed : p.ReconciliationStatus;
        var tail = p.Automatic ? new[] { EventTypes.PayoutReconciliationCompleted } : [];
        if (failure is not { } code)
            return new(p with { Status = PayoutStatus.Paid, ReconciliationStatus = reconciled }, [],
                [EventTypes.PayoutUpdated, EventTypes.PayoutPaid, .. tail]);
        var txn = PayoutTransaction(p.Id, p.AccountId, p.Amount, p.Currency, BalanceTransactionType.PayoutFailure, now, ids,
            $"Payout failure for {p.Id}");
        var failed = p with
        {
            Status = PayoutStatus.Failed, FailureCode = code, FailureMessage = TestBankAccounts.Message(code),
            FailureBalanceTransaction = txn.Id, ReconciliationStatus = reconciled,
        };
        return new(failed, [txn], [EventTypes.PayoutUpdated, EventTypes.PayoutFailed, .. tail]);
    }

    // Money leaving (payout) or coming back (payout_cancel, payout_failure): no fee, available at once, so the
    // available balance drops the moment a payout is made (which is what balance_insufficient checks against).
    private static BalanceTransaction PayoutTransaction(string payoutId, string accountId, long amount, string currency,
        BalanceTransactionType type, long now, IdGenerator ids, string? description) => new()
    {
        Id = ids.Next("txn"), AccountId = accountId, Created = now, Amount = amount, Currency = currency, Fee = 0,
        Type = type, ReportingCategory = type is BalanceTransactionType.Payout ? ReportingCategory.Payout : ReportingCategory.PayoutReversal,
        Source = payoutId, Description = description, AvailableOn = now,
    };
}
