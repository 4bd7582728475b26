using MockProcessor.Domain.Balance;
using MockProcessor.Domain.PaymentIntents;
using MockProcessor.Domain.Refunds;
using static MockProcessor.Domain.Tests.Support.Fixtures;

namespace MockProcessor.Domain.Tests.Balance;

public class LedgerInvariantTests
{
    // A day of business: charges in two currencies (one bypassing pending), a partial capture, partial and
    // full refunds, a refund that fails later. At every moment available + pending equals Σ net.
    [Theory]
    [InlineData(0)]
    [InlineData(86_400)]
    [InlineData(3 * 86_400)]
    public void Available_plus_pending_equals_the_sum_of_nets(long elapsed)
    {
        var ids = NewIds();
        var txns = new List<BalanceTransaction>();

        var a = Pay("pm_card_visa", ids, amount: 10_000);
        txns.Add(a.BalanceTransaction!);
        var r1 = Ok(RefundRules.Create(a.Charge!, [], new CreateRefund(2_500, null, null), Account, Now, ids));
        txns.Add(r1.BalanceTransaction!);

        var b = Pay("pm_card_bypassPending", ids, amount: 5_000);
        txns.Add(b.BalanceTransaction!);
        txns.Add(Ok(RefundRules.Create(b.Charge!, [], new CreateRefund(null, null, null), Account, Now, ids)).BalanceTransaction!);

        var c = Pay("pm_card_visa", ids, amount: 7_770, currency: "eur");
        txns.Add(c.BalanceTransaction!);

        var held = Pay("pm_card_visa", ids, amount: 9_999, capture: CaptureMethod.Manual);
        txns.Add(Ok(PaymentIntentRules.Capture(held.PaymentIntent, held.Charge!, 4_321, Now, ids)).BalanceTransaction!);

        var d = Pay("pm_card_refundFail", ids, amount: 3_000);
        txns.Add(d.BalanceTransaction!);
        var r2 = Ok(RefundRules.Create(d.Charge!, [], new CreateRefund(null, null, null), Account, Now, ids));
        txns.Add(r2.BalanceTransaction!);
        txns.Add(Ok(RefundRules.Settle(r2.Refund, r2.Charge, Account, Now + 60, ids)).BalanceTransaction!);

        Assert.All(txns, t => Assert.Equal(t.Amount - t.Fee, t.Net));
        var summary = BalanceRules.Summarize(txns, Now + elapsed);
        foreach (var currency in txns.Select(t => t.Currency).Distinct())
        {
            var available = summary.Available.Single(f => f.Currency == currency).Amount;
            var pending = summary.Pending.Single(f => f.Currency == currency).Amount;
            Assert.Equal(txns.Where(t => t.Currency == currency).Sum(t => t.Net), available + pending);
        }
        Assert.Equal(["eur", "usd"], summary.Available.Select(f => f.Currency));
    }

    [Fact]
    public void Charge_funds_move_from_pending_to_available_at_available_on()
    {
        var charge = Pay("pm_card_visa", NewIds(), amount: 10_000).BalanceTransaction!;
        var before = BalanceRules.Summarize([charge], charge.AvailableOn - 1);
        var after = BalanceRules.Summarize([charge], charge.AvailableOn);
        Assert.Equal((0L, 9_680L), (before.Available[0].Amount, before.Pending[0].Amount));
        Assert.Equal((9_680L, 0L), (after.Available[0].Amount, after.Pending[0].Amount));
    }
}
