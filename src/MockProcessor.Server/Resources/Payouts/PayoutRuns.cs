using MockProcessor.Domain.Accounts;
using MockProcessor.Domain.Balance;
using MockProcessor.Domain.Payouts;
using MockProcessor.Server.Events;
using MockProcessor.Server.Wire;

namespace MockProcessor.Server.Resources.Payouts;

/// <summary>Applies payout decisions to the unit of work, and runs the automatic payouts of a merchant.</summary>
public static class PayoutRuns
{
    /// <summary>Stores the payout and its transactions; every event carries the payout (updates with their previous values).</summary>
    public static void Apply(ApiContext c, PayoutChange change, Payout? before = null)
    {
        c.Tx.Put(change.Payout);
        foreach (var t in change.Transactions) c.Tx.Put(t);
        var previous = before is null ? null : c.Render.PreviousAttributes(before, change.Payout);
        foreach (var type in change.Events)
            c.Emit(type, change.Payout, type == Domain.Events.EventTypes.PayoutUpdated ? previous : null);
    }

    /// <summary>
    /// The automatic payout of one currency now; null when there was nothing positive to pay out, or when the bank
    /// account is errored (a payout to it failed): scheduled payouts wait until the bank details change.
    /// </summary>
    public static Payout? RunCurrency(ApiContext c, string currency)
    {
        var bank = BankAccountOf(c);
        if (bank.Errored) return null;
        var change = PayoutRules.Sweep(PayoutLedger.Unswept(c.Tx, currency), currency, c.Account.Id, bank, c.Now, c.Ids);
        if (change is null) return null;
        Apply(c, change);
        return change.Payout;
    }

    /// <summary>
    /// Runs every currency's automatic payout now (the control API's "run payouts"), currencies in ordinal order: those
    /// with unswept transactions (only they can make a payout), from the index rather than the merchant's whole history.
    /// </summary>
    public static List<Payout> RunAll(ApiContext c)
    {
        var currencies = PayoutLedger.UnsweptCurrencies(c.Tx).ToList();
        var made = new List<Payout>();
        foreach (var currency in currencies)
            if (RunCurrency(c, currency) is { } p) made.Add(p);
        return made;
    }

    /// <summary>
    /// Stores a merchant's new payout schedule and/or bank account (the control API; Connect's account settings should
    /// come through here too). A change takes effect from now, never at a past run day, and re-queues the unswept
    /// transactions for the new schedule (queued entries for other times go stale); new bank details also resume
    /// scheduled payouts after a failure (docs/payouts.md).
    /// </summary>
    public static Account ChangeSettings(ApiContext c, Account account, PayoutSchedule schedule, BankAccount? bank)
    {
        if (schedule == account.PayoutSchedule && bank == account.BankAccount) return account;
        var updated = account with { PayoutSchedule = schedule with { EffectiveFrom = c.Now }, BankAccount = bank };
        c.Tx.Put(updated);
        foreach (var currency in PayoutLedger.UnsweptCurrencies(c.Tx).ToList())
            foreach (var t in PayoutLedger.Unswept(c.Tx, currency))
                c.Tx.ScheduleTimer(t);
        return updated;
    }

    /// <summary>The merchant's bank account, created as Stripe's succeeding test account the first time a payout needs one.</summary>
    public static BankAccount BankAccountOf(ApiContext c)
    {
        var account = c.Tx.Get<Account>(c.Account.Id) ?? c.Account;
        if (account.BankAccount is { } bank) return bank;
        bank = TestBankAccounts.Create(c.Ids.Next("ba"), TestBankAccounts.Succeeds);
        c.Tx.Put(account with { BankAccount = bank });
        return bank;
    }
}
