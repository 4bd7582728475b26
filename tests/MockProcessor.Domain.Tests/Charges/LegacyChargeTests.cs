using MockProcessor.Domain.Charges;
using MockProcessor.Domain.Refunds;
using static MockProcessor.Domain.Tests.Support.Fixtures;

namespace MockProcessor.Domain.Tests.Charges;

public class LegacyChargeTests
{
    private static ChargeChange Create(string alias, long amount = 10_000, bool capture = true)
    {
        var ids = NewIds();
        var card = Card(alias);
        return ChargeRules.Create(new ChargeRequest(Account, amount, "usd"), PaymentMethodFor(card, ids), card, capture, "US", Now, ids);
    }

    [Fact]
    public void Approved_charge_is_captured_with_the_card_fee()
    {
        var change = Create("pm_card_visa");
        Assert.Null(change.Error);
        Assert.Equal((ChargeStatus.Succeeded, true, true, 10_000L), (change.Charge.Status, change.Charge.Paid, change.Charge.Captured, change.Charge.AmountCaptured));
        Assert.Equal((320L, 9_680L), (change.BalanceTransaction!.Fee, change.BalanceTransaction.Net));
        Assert.Null(change.Charge.PaymentIntent);
        Assert.Equal(["charge.succeeded"], change.Events);
    }

    [Fact]
    public void Declined_charge_is_failed_and_the_error_names_it()
    {
        var change = Create("pm_card_visa_chargeDeclinedInsufficientFunds");
        Assert.Equal((ChargeStatus.Failed, false, "card_declined"), (change.Charge.Status, change.Charge.Paid, change.Charge.FailureCode));
        Assert.Null(change.BalanceTransaction);
        Assert.Equal((402, "insufficient_funds", change.Charge.Id), (change.Error!.Status, change.Error.DeclineCode, change.Error.ChargeId));
        Assert.Equal(["charge.failed"], change.Events);
    }

    [Fact]
    public void Card_that_requires_authentication_is_declined()
    {
        var change = Create("pm_card_threeDSecure2Required");
        Assert.Equal("authentication_required", change.Error!.DeclineCode);
    }

    [Fact]
    public void Partial_capture_books_the_captured_amount_and_releases_the_rest()
    {
        var held = Create("pm_card_visa", capture: false).Charge;
        Assert.False(held.Captured);
        Assert.Equal(Now + ChargeRules.AuthorizationValiditySeconds, held.CaptureBefore);

        var change = Ok(ChargeRules.Capture(held, 6_000, "US", Now, NewIds()));
        Assert.Equal((6_000L, 4_000L, false), (change.Charge.AmountCaptured, change.Charge.AmountRefunded, change.Charge.Refunded));
        Assert.Equal(6_000L, change.BalanceTransaction!.Amount);
        Assert.Equal((4_000L, RefundDestinationType.Reversal), (change.Refund!.Amount, change.Refund.DestinationType));
        Assert.Equal(["charge.captured"], change.Events);

        Assert.Equal("charge_already_captured", Err(ChargeRules.Capture(change.Charge, null, "US", Now, NewIds())).Code);
        Assert.Equal("amount_too_large", Err(ChargeRules.Capture(held, 10_001, "US", Now, NewIds())).Code);
        Assert.Equal("charge_expired_for_capture", Err(ChargeRules.Capture(held, null, "US", held.CaptureBefore!.Value + 1, NewIds())).Code);
    }
}
