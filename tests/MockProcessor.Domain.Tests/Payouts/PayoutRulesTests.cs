using MockProcessor.Domain.Balance;
using MockProcessor.Domain.Ids;
using MockProcessor.Domain.Payouts;

namespace MockProcessor.Domain.Tests.Payouts;

public class PayoutRulesTests
{
    private const long Now = 1_800_057_600; // 2027-01-16 00:00 UTC
    private static readonly BankAccount Bank = TestBankAccounts.Create("ba_test", TestBankAccounts.Succeeds);

    private static int _n;

    private static BalanceTransaction Txn(long amount, long fee = 0, long availableOn = Now, string currency = "usd",
        BalanceTransactionType type = BalanceTransactionType.Charge, string? payout = null) => new()
    {
        Id = "txn_" + Interlocked.Increment(ref _n), AccountId = "acct_1", Created = availableOn - 100, Amount = amount, Fee = fee,
        Currency = currency, Type = type, ReportingCategory = ReportingCategory.Charge, AvailableOn = availableOn, AutomaticPayoutId = payout,
    };

    [Fact]
    public void A_sweep_takes_every_available_unswept_transaction_of_its_currency_and_pays_out_their_net()
    {
        var charge = Txn(10_000, 320);
        var refund = Txn(-1_000);
        var later = Txn(5_000, 175, availableOn: Now + 1);
        var eur = Txn(2_000, currency: "eur");
        var done = Txn(7_000, payout: "po_old");
        var change = PayoutRules.Sweep([charge, refund, later, eur, done], "usd", "acct_1", Bank, Now, new IdGenerator(1))!;

        Assert.Equal(9_680 - 1_000, change.Payout.Amount);
        Assert.True(change.Payout.Automatic);
        Assert.Equal(Now + 86_400, change.Payout.ArrivalDate);
        var own = change.Transactions[0];
        Assert.Equal((BalanceTransactionType.Payout, -change.Payout.Amount, change.Payout.Id), (own.Type, own.Amount, own.AutomaticPayoutId));
        Assert.Null(PayoutRules.SettledBy(own));
        var swept = change.Transactions.Skip(1).ToList();
        Assert.Equal([charge.Id, refund.Id], swept.Select(t => t.Id));
        Assert.All(swept, t => Assert.Equal(change.Payout.Id, PayoutRules.SettledBy(t)));
        Assert.Equal(change.Payout.Amount, swept.Sum(t => t.Net));
    }

    [Fact]
    public void Nothing_is_swept_when_the_available_funds_do_not_add_up_to_a_positive_amount()
    {
        Assert.Null(PayoutRules.Sweep([Txn(-500), Txn(400)], "usd", "acct_1", Bank, Now, new IdGenerator(1)));
        Assert.Null(PayoutRules.Sweep([Txn(1_000, availableOn: Now + 60)], "usd", "acct_1", Bank, Now, new IdGenerator(1)));
    }

    [Fact]
    public void A_manual_payout_is_limited_to_the_available_balance_and_cancelable_only_while_pending()
    {
        var ids = new IdGenerator(2);
        var cmd = new CreatePayout(5_000, "usd", null, null, Common.Metadata.Empty);
        Assert.Equal("balance_insufficient", PayoutRules.CreateManual(cmd, 4_999, "acct_1", Bank, Now, ids).Error!.Code);
        var made = PayoutRules.CreateManual(cmd, 5_000, "acct_1", Bank, Now, ids).Value;
        // A negative available balance (a refund of a still-pending charge) is named as it is, not as $0.00.
        Assert.Contains("available balance of -$0.88", PayoutRules.CreateManual(cmd, -88, "acct_1", Bank, Now, ids).Error!.Message);
        Assert.Equal((PayoutStatus.Pending, PayoutReconciliationStatus.NotApplicable), (made.Payout.Status, made.Payout.ReconciliationStatus));
        Assert.Null(made.Transactions.Single().AutomaticPayoutId);

        var canceled = PayoutRules.Cancel(made.Payout, Now + 10, ids).Value;
        var back = canceled.Transactions.Single();
        Assert.Equal((BalanceTransactionType.PayoutCancel, ReportingCategory.PayoutReversal, 5_000L), (back.Type, back.ReportingCategory, back.Amount));
        Assert.True(PayoutRules.Cancel(canceled.Payout, Now + 20, ids).IsError);

        var inTransit = PayoutRules.Advance(made.Payout, null, made.Payout.InTransitAt, ids).Payout;
        Assert.Equal(PayoutStatus.InTransit, inTransit.Status);
        Assert.True(PayoutRules.Cancel(inTransit, Now + 7_200, ids).IsError);
    }

    [Fact]
    public void At_arrival_a_payout_to_a_failing_account_fails_and_returns_its_amount()
    {
        var ids = new IdGenerator(3);
        var change = PayoutRules.Sweep([Txn(3_000)], "usd", "acct_1", Bank, Now, ids)!;
        var failed = PayoutRules.Advance(change.Payout with { Status = PayoutStatus.InTransit }, PayoutFailureCode.AccountClosed, change.Payout.ArrivalDate, ids);
        Assert.Equal((PayoutStatus.Failed, PayoutFailureCode.AccountClosed, PayoutReconciliationStatus.Completed),
            (failed.Payout.Status, failed.Payout.FailureCode, failed.Payout.ReconciliationStatus));
        var back = failed.Transactions.Single();
        Assert.Equal((BalanceTransactionType.PayoutFailure, 3_000L, (string?)null), (back.Type, back.Amount, back.AutomaticPayoutId));
        Assert.Equal(["payout.updated", "payout.failed", "payout.reconciliation_completed"], failed.Events);
    }

    [Fact]
    public void Late_settlement_moves_available_on_only_before_the_transaction_is_paid_out()
    {
        var t = Txn(1_000);
        var late = DiscrepancyRules.LateSettlement(t, 2, Now, new IdGenerator(4)).Value;
        Assert.Equal(Now + 2 * 86_400, late.Transaction.AvailableOn);
        Assert.Equal((t.AvailableOn, late.Transaction.AvailableOn), (late.Discrepancy.AvailableOnBefore, late.Discrepancy.AvailableOnAfter));
        Assert.True(DiscrepancyRules.LateSettlement(t with { AutomaticPayoutId = "po_1" }, 1, Now, new IdGenerator(4)).IsError);
    }
}
