using MockProcessor.Domain.Accounts;
using MockProcessor.Domain.Balance;
using MockProcessor.Domain.Common;
using MockProcessor.Domain.Payouts;
using MockProcessor.Server.Time;
using MockProcessor.Server.Wire;

namespace MockProcessor.Server.Resources.Payouts;

/// <summary>
/// The automatic payout run, as time-driven work of the money waiting for it: an unswept balance transaction is
/// due at its merchant's first scheduled run once it is available. Firing runs that currency's payout, which
/// sweeps (and so un-schedules) everything else due then. docs/payouts.md.
/// </summary>
public sealed class AutomaticPayoutTimer : IObjectTimer
{
    public string ObjectType => "balance_transaction";

    public long? DueAt(StripeObject obj, Func<string, StripeObject?> get) =>
        obj is BalanceTransaction { AutomaticPayoutId: null } t && get(t.AccountId) is Account a
            ? PayoutRules.SweepDueAt(t, a.PayoutSchedule)
            : null;

    // Its due time comes from the account's schedule (manual: none), which the merchant may change: start-up finds it
    // again from the account and the day the money becomes available, without reading the transaction.
    public string? WaitKey(StripeObject obj) =>
        obj is BalanceTransaction { AutomaticPayoutId: null } t
            ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{t.AccountId} {t.AvailableOn}")
            : null;

    public long? DueAtKey(string key, Func<string, StripeObject?> get)
    {
        var space = key.IndexOf(' ', StringComparison.Ordinal);
        return space > 0 && long.TryParse(key.AsSpan(space + 1), System.Globalization.NumberStyles.AllowLeadingSign,
                   System.Globalization.CultureInfo.InvariantCulture, out var availableOn)
               && get(key[..space]) is Account a
            ? PayoutRules.SweepDueAt(availableOn, a.PayoutSchedule)
            : null;
    }

    public void Fire(ApiContext c, StripeObject obj) => PayoutRuns.RunCurrency(c, ((BalanceTransaction)obj).Currency);
}

/// <summary>A payout's own later transitions: in transit after the cancel window, then paid or failed at arrival.</summary>
public sealed class PayoutTimer : IObjectTimer
{
    public string ObjectType => "payout";

    public long? DueAt(StripeObject obj, Func<string, StripeObject?> get) =>
        obj is Payout p ? PayoutRules.NextTransitionAt(p) : null;

    public void Fire(ApiContext c, StripeObject obj)
    {
        var payout = (Payout)obj;
        var account = c.Tx.Get<Account>(c.Account.Id) ?? c.Account;
        // A payout fails when the account it went to is one of Stripe's failing test accounts; that account is then
        // errored, which stops scheduled payouts until the merchant sets new bank details.
        var bank = account.BankAccount is { } b && b.Id == payout.Destination ? b : null;
        var change = PayoutRules.Advance(payout, bank?.FailureCode, c.Now, c.Ids);
        PayoutRuns.Apply(c, change, payout);
        if (change.Payout.Status is PayoutStatus.Failed && bank is { Errored: false })
            c.Tx.Put(account with { BankAccount = bank with { Errored = true } });
    }
}
