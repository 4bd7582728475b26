using MockProcessor.Domain.PaymentIntents;
using MockProcessor.Domain.Refunds;
using static MockProcessor.Domain.Tests.Support.Fixtures;

namespace MockProcessor.Domain.Tests.PaymentIntents;

public class CapturePaymentIntentTests
{
    [Fact]
    public void Full_capture_books_the_whole_amount()
    {
        var ids = NewIds();
        var held = Pay("pm_card_visa", ids, amount: 10_000, capture: CaptureMethod.Manual);
        var change = Ok(PaymentIntentRules.Capture(held.PaymentIntent, held.Charge!, null, Now + 60, ids));
        Assert.Equal(PaymentIntentStatus.Succeeded, change.PaymentIntent.Status);
        Assert.Equal((10_000L, 0L), (change.PaymentIntent.AmountReceived, change.PaymentIntent.AmountCapturable));
        Assert.Equal((true, 10_000L, 0L, false), (change.Charge!.Captured, change.Charge.AmountCaptured, change.Charge.AmountRefunded, change.Charge.Refunded));
        Assert.Equal((10_000L, 320L), (change.BalanceTransaction!.Amount, change.BalanceTransaction.Fee));
        Assert.Null(change.Refund);
        Assert.Equal(["charge.captured", "payment_intent.succeeded"], change.Events);
    }

    [Fact]
    public void Partial_capture_releases_the_remainder_as_a_refund_without_marking_the_charge_refunded()
    {
        var ids = NewIds();
        var held = Pay("pm_card_visa", ids, amount: 10_000, capture: CaptureMethod.Manual);
        var change = Ok(PaymentIntentRules.Capture(held.PaymentIntent, held.Charge!, 6_000, Now + 60, ids));
        var charge = change.Charge!;
        Assert.Equal(6_000, change.PaymentIntent.AmountReceived);
        Assert.Equal((6_000L, 4_000L, false), (charge.AmountCaptured, charge.AmountRefunded, charge.Refunded));
        Assert.Equal(6_000, charge.Refundable);
        Assert.Equal(6_000, change.BalanceTransaction!.Amount);
        Assert.Equal(Fees(6_000), change.BalanceTransaction.Fee);
        Assert.Equal((4_000L, RefundStatus.Succeeded, RefundDestinationType.Reversal), (change.Refund!.Amount, change.Refund.Status, change.Refund.DestinationType));
        Assert.Null(change.Refund.BalanceTransaction);
    }

    private static long Fees(long amount) => MockProcessor.Domain.Balance.Fees.CardProcessing(amount, "usd", "US").Total;

    [Fact]
    public void Capturing_more_than_capturable_is_refused()
    {
        var ids = NewIds();
        var held = Pay("pm_card_visa", ids, amount: 1_000, capture: CaptureMethod.Manual);
        var error = Err(PaymentIntentRules.Capture(held.PaymentIntent, held.Charge!, 1_001, Now, ids));
        Assert.Equal(("amount_too_large", "amount_to_capture"), (error.Code, error.Param));
    }

    [Fact]
    public void Capturing_after_the_authorization_expired_is_refused()
    {
        var ids = NewIds();
        var held = Pay("pm_card_visa", ids, capture: CaptureMethod.Manual);
        var error = Err(PaymentIntentRules.Capture(held.PaymentIntent, held.Charge!, null, Now + 8 * 86_400, ids));
        Assert.Equal("charge_expired_for_capture", error.Code);
    }

    [Fact]
    public void Cancel_releases_an_uncaptured_charge()
    {
        var ids = NewIds();
        var held = Pay("pm_card_visa", ids, capture: CaptureMethod.Manual);
        var change = Ok(PaymentIntentRules.Cancel(held.PaymentIntent, held.Charge, CancellationReason.RequestedByCustomer, Now + 10, ids));
        Assert.Equal(PaymentIntentStatus.Canceled, change.PaymentIntent.Status);
        Assert.Equal((Now + 10, (CancellationReason?)CancellationReason.RequestedByCustomer), (change.PaymentIntent.CanceledAt, change.PaymentIntent.CancellationReason));
        Assert.Equal(0, change.PaymentIntent.AmountCapturable);
        Assert.Equal((2_000L, true), (change.Charge!.AmountRefunded, change.Charge.Refunded));
        Assert.Equal(2_000, change.Refund!.Amount);
        Assert.Null(change.BalanceTransaction);
        Assert.Equal(["charge.refunded", "payment_intent.canceled"], change.Events);
    }

    [Fact]
    public void Cancel_refuses_a_reason_only_stripe_may_set()
    {
        var ids = NewIds();
        var error = Err(PaymentIntentRules.Cancel(NewIntent(ids), null, CancellationReason.Automatic, Now, ids));
        Assert.Equal("cancellation_reason", error.Param);
    }

    [Fact]
    public void Expired_authorization_cancels_automatically()
    {
        var ids = NewIds();
        var held = Pay("pm_card_visa", ids, capture: CaptureMethod.Manual);
        var change = Ok(PaymentIntentRules.ExpireAuthorization(held.PaymentIntent, held.Charge!, Now + 7 * 86_400, ids));
        Assert.Equal(CancellationReason.Automatic, change.PaymentIntent.CancellationReason);
        Assert.Equal(RefundReason.ExpiredUncapturedCharge, change.Refund!.Reason);
        Assert.Equal(["charge.expired", "payment_intent.canceled"], change.Events);
    }
}
