using MockProcessor.Domain.Balance;
using MockProcessor.Domain.Charges;
using MockProcessor.Domain.PaymentIntents;
using MockProcessor.Domain.Refunds;
using static MockProcessor.Domain.Tests.Support.Fixtures;

namespace MockProcessor.Domain.Tests.Refunds;

public class CreateRefundTests
{
    private static readonly CreateRefund Full = new(null, null, null);
    private static CreateRefund Of(long amount) => new(amount, RefundReason.RequestedByCustomer, null);

    private static Charge Paid(string alias = "pm_card_visa", long amount = 10_000) => Pay(alias, NewIds(), amount).Charge!;

    [Fact]
    public void Full_refund_by_default_marks_the_charge_refunded()
    {
        var change = Ok(RefundRules.Create(Paid(), [], Full, Account, Now, NewIds()));
        Assert.Equal((10_000L, RefundStatus.Succeeded), (change.Refund.Amount, change.Refund.Status));
        Assert.Equal((10_000L, true), (change.Charge.AmountRefunded, change.Charge.Refunded));
        var txn = change.BalanceTransaction!;
        Assert.Equal((-10_000L, 0L, -10_000L, BalanceTransactionType.Refund), (txn.Amount, txn.Fee, txn.Net, txn.Type));
        Assert.Equal((change.Refund.Id, Now), (txn.Source, txn.AvailableOn));
        Assert.Equal(txn.Id, change.Refund.BalanceTransaction);
        Assert.Equal(["refund.created", "charge.refunded"], change.Events);
    }

    [Theory]
    [InlineData(new long[] { 2_500 }, 2_500, false)]
    [InlineData(new long[] { 2_500, 2_500, 5_000 }, 10_000, true)]
    [InlineData(new long[] { 1, 9_998, 1 }, 10_000, true)]
    [InlineData(new long[] { 3_000, 3_000 }, 6_000, false)]
    public void Partial_refunds_add_up(long[] amounts, long totalRefunded, bool fullyRefunded)
    {
        var charge = Paid();
        var refunds = new List<Refund>();
        var ids = NewIds();
        foreach (var amount in amounts)
        {
            var change = Ok(RefundRules.Create(charge, refunds, Of(amount), Account, Now, ids));
            refunds.Add(change.Refund);
            charge = change.Charge;
        }
        Assert.Equal((totalRefunded, fullyRefunded), (charge.AmountRefunded, charge.Refunded));
        Assert.Equal(10_000 - totalRefunded, charge.Refundable);
    }

    [Fact]
    public void Refund_larger_than_the_charge_is_rejected()
    {
        var error = Err(RefundRules.Create(Paid(), [], Of(10_001), Account, Now, NewIds()));
        Assert.Equal(("amount_too_large", "amount"), (error.Code, error.Param));
        Assert.Equal("Refund amount ($100.01) is greater than charge amount ($100.00)", error.Message);
    }

    [Fact]
    public void Refund_larger_than_remaining_amount_is_rejected()
    {
        var charge = Paid();
        var first = Ok(RefundRules.Create(charge, [], Of(7_000), Account, Now, NewIds()));
        var error = Err(RefundRules.Create(first.Charge, [first.Refund], Of(3_001), Account, Now, NewIds()));
        Assert.Equal("Refund amount ($30.01) is greater than unrefunded amount on charge ($30.00)", error.Message);
    }

    [Fact]
    public void Refunding_a_fully_refunded_charge_is_charge_already_refunded()
    {
        var first = Ok(RefundRules.Create(Paid(), [], Full, Account, Now, NewIds()));
        Assert.Equal("charge_already_refunded", Err(RefundRules.Create(first.Charge, [first.Refund], Full, Account, Now, NewIds())).Code);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-100)]
    public void Non_positive_amount_is_rejected(long amount) =>
        Assert.Equal("amount", Err(RefundRules.Create(Paid(), [], Of(amount), Account, Now, NewIds())).Param);

    [Fact]
    public void Refunding_an_uncaptured_charge_asks_to_cancel_the_payment_intent()
    {
        var held = Pay("pm_card_visa", NewIds(), capture: CaptureMethod.Manual).Charge!;
        var error = Err(RefundRules.Create(held, [], Full, Account, Now, NewIds()));
        Assert.StartsWith($"This uncaptured Charge was created by a PaymentIntent ({held.PaymentIntent})", error.Message);
    }

    [Fact]
    public void Refunding_a_failed_charge_is_rejected() =>
        Assert.Equal("charge", Err(RefundRules.Create(Paid("pm_card_visa_chargeDeclined"), [], Full, Account, Now, NewIds())).Param);

    [Fact]
    public void After_a_partial_capture_only_the_captured_amount_is_refundable()
    {
        var ids = NewIds();
        var held = Pay("pm_card_visa", ids, amount: 10_000, capture: CaptureMethod.Manual);
        var captured = Ok(PaymentIntentRules.Capture(held.PaymentIntent, held.Charge!, 6_000, Now, ids));
        var error = Err(RefundRules.Create(captured.Charge!, [captured.Refund!], Of(6_001), Account, Now, ids));
        Assert.Equal("amount_too_large", error.Code);
        var full = Ok(RefundRules.Create(captured.Charge!, [captured.Refund!], Full, Account, Now, ids));
        Assert.Equal(6_000, full.Refund.Amount);
        Assert.True(full.Charge.Refunded);
    }
}

public class SettleRefundTests
{
    [Fact]
    public void Pending_refund_card_settles_to_succeeded()
    {
        var ids = NewIds();
        var charge = Pay("pm_card_pendingRefund", ids).Charge!;
        var created = Ok(RefundRules.Create(charge, [], new CreateRefund(null, null, null), Account, Now, ids));
        Assert.Equal((RefundStatus.Pending, (RefundPendingReason?)RefundPendingReason.Processing), (created.Refund.Status, created.Refund.PendingReason));
        var settled = Ok(RefundRules.Settle(created.Refund, created.Charge, Account, Now + 60, ids));
        Assert.Equal(RefundStatus.Succeeded, settled.Refund.Status);
        Assert.Null(settled.BalanceTransaction);
        Assert.Equal(["refund.updated", "charge.refund.updated"], settled.Events);
        Assert.NotNull(Err(RefundRules.Settle(settled.Refund, settled.Charge, Account, Now + 120, ids)).Message);
    }

    [Fact]
    public void Refund_fail_card_fails_later_and_returns_the_money()
    {
        var ids = NewIds();
        var charge = Pay("pm_card_refundFail", ids).Charge!;
        var created = Ok(RefundRules.Create(charge, [], new CreateRefund(500, null, null), Account, Now, ids));
        Assert.Equal(RefundStatus.Succeeded, created.Refund.Status);
        var failed = Ok(RefundRules.Settle(created.Refund, created.Charge, Account, Now + 60, ids));
        Assert.Equal((RefundStatus.Failed, (RefundFailureReason?)RefundFailureReason.ExpiredOrCanceledCard), (failed.Refund.Status, failed.Refund.FailureReason));
        Assert.Equal((500L, BalanceTransactionType.RefundFailure), (failed.BalanceTransaction!.Amount, failed.BalanceTransaction.Type));
        Assert.Equal(0, failed.Charge.AmountRefunded);
        Assert.False(failed.Refund.ReducesRefundable);
    }

    [Fact]
    public void Ordinary_card_refunds_never_change() =>
        Assert.NotNull(Err(RefundRules.Settle(
            Ok(RefundRules.Create(Pay("pm_card_visa", NewIds()).Charge!, [], new CreateRefund(null, null, null), Account, Now, NewIds())).Refund,
            Pay("pm_card_visa", NewIds()).Charge!, Account, Now, NewIds())).Message);
}
