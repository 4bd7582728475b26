using MockProcessor.Domain.Balance;
using MockProcessor.Domain.Charges;
using MockProcessor.Domain.PaymentIntents;
using static MockProcessor.Domain.Tests.Support.Fixtures;

namespace MockProcessor.Domain.Tests.PaymentIntents;

public class ConfirmPaymentIntentTests
{
    [Fact]
    public void Automatic_payment_methods_need_a_return_url_unless_redirects_are_off()
    {
        var ids = NewIds();
        var card = Card("pm_card_visa");
        var pm = PaymentMethodFor(card, ids);
        var automatic = Ok(PaymentIntentRules.Create(new CreatePaymentIntent(2000, "usd"), Account, Now, ids)).PaymentIntent;
        var err = Err(PaymentIntentRules.Confirm(automatic, pm, card, new ConfirmOptions(), Now, ids));
        Assert.Equal("return_url", err.Param);
        Assert.Equal(automatic.Id, err.PaymentIntentId);
        Assert.Equal(PaymentIntentStatus.Succeeded,
            Ok(PaymentIntentRules.Confirm(automatic, pm, card, new ConfirmOptions { ReturnUrl = "https://example.com/done" }, Now, ids)).PaymentIntent.Status);
        var noRedirects = Ok(PaymentIntentRules.Create(new CreatePaymentIntent(2000, "usd") { AllowRedirects = "never" }, Account, Now, ids)).PaymentIntent;
        Assert.Equal(PaymentIntentStatus.Succeeded, Ok(PaymentIntentRules.Confirm(noRedirects, pm, card, new ConfirmOptions(), Now, ids)).PaymentIntent.Status);
    }

    [Fact]
    public void Create_without_payment_method_requires_one_and_emits_created()
    {
        var change = Ok(PaymentIntentRules.Create(new CreatePaymentIntent(2000, "usd"), Account, Now, NewIds()));
        Assert.Equal(PaymentIntentStatus.RequiresPaymentMethod, change.PaymentIntent.Status);
        Assert.Equal(["payment_intent.created"], change.Events);
        Assert.StartsWith(change.PaymentIntent.Id + "_secret_", change.PaymentIntent.ClientSecret);
        Assert.Equal(new AutomaticPaymentMethods(true, null), change.PaymentIntent.AutomaticPaymentMethods);
    }

    [Fact]
    public void Create_refuses_an_amount_below_the_minimum() =>
        Assert.Equal("amount_too_small", Err(PaymentIntentRules.Create(new CreatePaymentIntent(49, "usd"), Account, Now, NewIds())).Code);

    [Fact]
    public void Approved_automatic_capture_succeeds_with_a_captured_charge_and_fee()
    {
        var change = Pay("pm_card_visa", NewIds(), amount: 10_000);
        var (pi, charge, txn) = (change.PaymentIntent, change.Charge!, change.BalanceTransaction!);
        Assert.Equal(PaymentIntentStatus.Succeeded, pi.Status);
        Assert.Equal(10_000, pi.AmountReceived);
        Assert.Equal(charge.Id, pi.LatestCharge);
        Assert.Null(change.Error);
        Assert.Equal((ChargeStatus.Succeeded, true, true, 10_000L), (charge.Status, charge.Paid, charge.Captured, charge.AmountCaptured));
        Assert.Equal(txn.Id, charge.BalanceTransaction);
        Assert.Equal((10_000L, 320L, 9_680L, charge.Id), (txn.Amount, txn.Fee, txn.Net, txn.Source));
        Assert.Equal(BalanceTransactionType.Charge, txn.Type);
        Assert.Equal(["charge.succeeded", "payment_intent.succeeded"], change.Events);
    }

    [Fact]
    public void Manual_capture_holds_the_amount()
    {
        var change = Pay("pm_card_visa", NewIds(), capture: CaptureMethod.Manual);
        Assert.Equal(PaymentIntentStatus.RequiresCapture, change.PaymentIntent.Status);
        Assert.Equal(2000, change.PaymentIntent.AmountCapturable);
        Assert.Equal(0, change.PaymentIntent.AmountReceived);
        Assert.False(change.Charge!.Captured);
        Assert.True(change.Charge.Paid);
        Assert.Null(change.BalanceTransaction);
        Assert.Equal(Now + 7 * 86_400, change.Charge.CaptureBefore);
        Assert.Equal(["charge.succeeded", "payment_intent.amount_capturable_updated"], change.Events);
    }

    [Fact]
    public void Decline_stores_a_failed_charge_and_returns_a_402_naming_it()
    {
        var change = Pay("pm_card_visa_chargeDeclinedInsufficientFunds", NewIds());
        var (pi, charge, error) = (change.PaymentIntent, change.Charge!, change.Error!);
        Assert.Equal(PaymentIntentStatus.RequiresPaymentMethod, pi.Status);
        Assert.Null(pi.PaymentMethod);
        Assert.Equal(charge.Id, pi.LatestCharge);
        Assert.Equal((ChargeStatus.Failed, false, "card_declined"), (charge.Status, charge.Paid, charge.FailureCode));
        Assert.Null(charge.BalanceTransaction);
        Assert.Null(change.BalanceTransaction);
        Assert.Equal((402, "card_error", "card_declined", "insufficient_funds"), (error.Status, error.Type, error.Code, error.DeclineCode));
        Assert.Equal((charge.Id, pi.Id, charge.PaymentMethod), (error.ChargeId, error.PaymentIntentId, error.PaymentMethodId));
        Assert.Equal("insufficient_funds", pi.LastPaymentError!.DeclineCode);
        Assert.Equal(charge.PaymentMethod, pi.LastPaymentError.PaymentMethodId);
        Assert.Equal(["charge.failed", "payment_intent.payment_failed"], change.Events);
    }

    [Fact]
    public void Radar_block_marks_the_charge_fraudulent()
    {
        var change = Pay("pm_card_radarBlock", NewIds());
        Assert.Equal("fraudulent", change.Charge!.FraudStripeReport);
        Assert.Equal("fraudulent", change.Error!.DeclineCode);
        Assert.Equal("blocked", change.Charge.Outcome!.Type.ToString().ToLowerInvariant());
    }

    [Fact]
    public void Decline_then_success_on_one_intent_makes_two_charges_and_the_second_is_latest()
    {
        var ids = NewIds();
        var pi = NewIntent(ids);
        var declinedCard = Card("pm_card_visa_chargeDeclined");
        var first = Ok(PaymentIntentRules.Confirm(pi, PaymentMethodFor(declinedCard, ids), declinedCard, new ConfirmOptions(), Now, ids));
        Assert.NotNull(first.Error);

        var visa = Card("pm_card_visa");
        var second = Ok(PaymentIntentRules.Confirm(first.PaymentIntent, PaymentMethodFor(visa, ids), visa, new ConfirmOptions(), Now + 5, ids));
        Assert.Null(second.Error);
        Assert.NotEqual(first.Charge!.Id, second.Charge!.Id);
        Assert.Equal(second.Charge.Id, second.PaymentIntent.LatestCharge);
        Assert.Equal(PaymentIntentStatus.Succeeded, second.PaymentIntent.Status);
        Assert.Null(second.PaymentIntent.LastPaymentError);
    }

    [Fact]
    public void Three_d_secure_on_session_requires_action_without_a_charge_then_succeeds_after_authentication()
    {
        var ids = NewIds();
        var card = Card("pm_card_threeDSecure2Required");
        var pm = PaymentMethodFor(card, ids);
        var pending = Ok(PaymentIntentRules.Confirm(NewIntent(ids), pm, card, new ConfirmOptions { ReturnUrl = "https://shop.example/done" }, Now, ids));
        Assert.Equal(PaymentIntentStatus.RequiresAction, pending.PaymentIntent.Status);
        Assert.Equal(new NextAction(NextActionType.RedirectToUrl, "https://shop.example/done"), pending.PaymentIntent.NextAction);
        Assert.Null(pending.Charge);
        Assert.Equal(["payment_intent.requires_action"], pending.Events);

        var done = Ok(PaymentIntentRules.Authenticate(pending.PaymentIntent, pm, card, succeeded: true, Now + 30, ids));
        Assert.Equal(PaymentIntentStatus.Succeeded, done.PaymentIntent.Status);
        Assert.Equal(ThreeDSecureResult.Authenticated, done.Charge!.PaymentMethodDetails!.ThreeDSecure!.Result);
        Assert.Null(done.PaymentIntent.NextAction);
    }

    [Fact]
    public void Failed_authentication_returns_to_requires_payment_method_without_a_charge()
    {
        var ids = NewIds();
        var card = Card("pm_card_authenticationRequired");
        var pm = PaymentMethodFor(card, ids);
        var pending = Ok(PaymentIntentRules.Confirm(NewIntent(ids), pm, card, new ConfirmOptions(), Now, ids));
        Assert.Equal(NextActionType.UseStripeSdk, pending.PaymentIntent.NextAction!.Type);
        var failed = Ok(PaymentIntentRules.Authenticate(pending.PaymentIntent, pm, card, succeeded: false, Now, ids));
        Assert.Equal(PaymentIntentStatus.RequiresPaymentMethod, failed.PaymentIntent.Status);
        Assert.Equal("payment_intent_authentication_failure", failed.PaymentIntent.LastPaymentError!.Code);
        Assert.Null(failed.Charge);
        Assert.Equal(["payment_intent.payment_failed"], failed.Events);
    }

    [Fact]
    public void Off_session_payment_with_a_3ds_card_fails_authentication_required()
    {
        var change = Pay("pm_card_authenticationRequired", NewIds(), options: new ConfirmOptions { OffSession = true });
        Assert.Equal(PaymentIntentStatus.RequiresPaymentMethod, change.PaymentIntent.Status);
        Assert.Equal(("authentication_required", "authentication_required"), (change.Error!.Code, change.Error.DeclineCode));
        Assert.Equal(ChargeStatus.Failed, change.Charge!.Status);
    }

    [Fact]
    public void Confirm_without_a_payment_method_is_refused()
    {
        var ids = NewIds();
        var error = Err(PaymentIntentRules.Confirm(NewIntent(ids), null, null, new ConfirmOptions(), Now, ids));
        Assert.Equal("payment_intent_unexpected_state", error.Code);
    }

    [Fact]
    public void Confirming_a_succeeded_intent_is_unexpected_state()
    {
        var ids = NewIds();
        var done = Pay("pm_card_visa", ids);
        var card = Card("pm_card_visa");
        var error = Err(PaymentIntentRules.Confirm(done.PaymentIntent, PaymentMethodFor(card, ids), card, new ConfirmOptions(), Now, ids));
        Assert.Equal("payment_intent_unexpected_state", error.Code);
    }

    [Fact]
    public void Bypass_pending_card_funds_are_available_immediately()
    {
        var change = Pay("pm_card_bypassPending", NewIds());
        Assert.Equal(Now, change.BalanceTransaction!.AvailableOn);
    }

    [Fact]
    public void Updating_the_amount_of_a_succeeded_intent_is_refused_but_metadata_is_not()
    {
        var done = Pay("pm_card_visa", NewIds()).PaymentIntent;
        Assert.Equal("payment_intent_unexpected_state", Err(PaymentIntentRules.Update(done, new UpdatePaymentIntent { Amount = 5000 })).Code);
        var updated = Ok(PaymentIntentRules.Update(done, new UpdatePaymentIntent { Description = "order 42" }));
        Assert.Equal("order 42", updated.PaymentIntent.Description);
        Assert.Empty(updated.Events);
    }
}
