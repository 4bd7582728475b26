namespace MockProcessor.StripeNet.Tests;

/// <summary>Refunds: full, partial, cumulative, over-refund, already refunded, by payment intent, list. Counterpart of refunds_balance.test.mjs (refunds).</summary>
public sealed class RefundTests(EmulatorTarget target) : StripeTest(target)
{
    [Fact]
    public async Task Full_refund_by_charge()
    {
        var pi = await PayAsync();
        var re = await Client.V1.Refunds.CreateAsync(new RefundCreateOptions { Charge = pi.LatestChargeId });
        re.Id.Should().StartWith("re_");
        re.Object.Should().Be("refund");
        re.Amount.Should().Be(2000, "amount defaults to what remains refundable");
        re.Currency.Should().Be("usd");
        re.ChargeId.Should().Be(pi.LatestChargeId);
        re.PaymentIntentId.Should().Be(pi.Id);
        re.Status.Should().Be("succeeded");
        re.BalanceTransactionId.Should().StartWith("txn_");
        var ch = await Client.V1.Charges.GetAsync(pi.LatestChargeId);
        ch.AmountRefunded.Should().Be(2000);
        ch.Refunded.Should().BeTrue();
    }

    [Fact]
    public async Task Two_partial_refunds_add_up()
    {
        var pi = await PayAsync(1000);
        var a = await Client.V1.Refunds.CreateAsync(new RefundCreateOptions { Charge = pi.LatestChargeId, Amount = 300, Reason = "requested_by_customer" });
        a.Amount.Should().Be(300);
        a.Reason.Should().Be("requested_by_customer");
        var ch = await Client.V1.Charges.GetAsync(pi.LatestChargeId);
        ch.AmountRefunded.Should().Be(300);
        ch.Refunded.Should().BeFalse();
        var b = await Client.V1.Refunds.CreateAsync(new RefundCreateOptions { Charge = pi.LatestChargeId, Amount = 700 });
        b.Id.Should().NotBe(a.Id);
        ch = await Client.V1.Charges.GetAsync(pi.LatestChargeId);
        ch.AmountRefunded.Should().Be(1000);
        ch.Refunded.Should().BeTrue();
    }

    [Fact]
    public async Task Over_refund_is_refused_and_refunds_nothing()
    {
        var pi = await PayAsync(1000);
        await Client.V1.Refunds.CreateAsync(new RefundCreateOptions { Charge = pi.LatestChargeId, Amount = 400 });
        await ExpectStripeErrorAsync(() => Client.V1.Refunds.CreateAsync(new RefundCreateOptions { Charge = pi.LatestChargeId, Amount = 700 }),
            HttpStatusCode.BadRequest, "invalid_request_error");
        await ExpectStripeErrorAsync(() => Client.V1.Refunds.CreateAsync(new RefundCreateOptions { Charge = pi.LatestChargeId, Amount = 5000 }),
            HttpStatusCode.BadRequest, "invalid_request_error");
        (await Client.V1.Charges.GetAsync(pi.LatestChargeId)).AmountRefunded.Should().Be(400);
    }

    [Fact]
    public async Task Refunding_a_refunded_charge_is_charge_already_refunded()
    {
        var pi = await PayAsync();
        await Client.V1.Refunds.CreateAsync(new RefundCreateOptions { Charge = pi.LatestChargeId });
        await ExpectStripeErrorAsync(() => Client.V1.Refunds.CreateAsync(new RefundCreateOptions { Charge = pi.LatestChargeId }),
            HttpStatusCode.BadRequest, "invalid_request_error", "charge_already_refunded");
        await ExpectStripeErrorAsync(() => Client.V1.Refunds.CreateAsync(new RefundCreateOptions { PaymentIntent = pi.Id, Amount = 100 }),
            HttpStatusCode.BadRequest, "invalid_request_error", "charge_already_refunded");
    }

    [Fact]
    public async Task Refund_by_payment_intent_refunds_its_latest_charge()
    {
        var pi = await PayAsync(1500);
        var re = await Client.V1.Refunds.CreateAsync(new RefundCreateOptions { PaymentIntent = pi.Id, Amount = 500 });
        re.ChargeId.Should().Be(pi.LatestChargeId);
        re.PaymentIntentId.Should().Be(pi.Id);
        re.Amount.Should().Be(500);
        (await Client.V1.Refunds.GetAsync(re.Id)).Id.Should().Be(re.Id);
        (await Client.V1.Charges.GetAsync(pi.LatestChargeId)).AmountRefunded.Should().Be(500);
    }

    [Fact]
    public async Task List_by_charge_newest_first()
    {
        var one = await PayAsync(1000);
        var two = await PayAsync(1000);
        var r1 = await Client.V1.Refunds.CreateAsync(new RefundCreateOptions { Charge = one.LatestChargeId, Amount = 100 });
        var r2 = await Client.V1.Refunds.CreateAsync(new RefundCreateOptions { Charge = one.LatestChargeId, Amount = 200 });
        var other = await Client.V1.Refunds.CreateAsync(new RefundCreateOptions { Charge = two.LatestChargeId, Amount = 300 });
        var list = await Client.V1.Refunds.ListAsync(new RefundListOptions { Charge = one.LatestChargeId });
        list.Object.Should().Be("list");
        list.Data.Select(r => r.Id).Should().Equal(r2.Id, r1.Id);
        var all = await AllAsync(Client.V1.Refunds.ListAutoPagingAsync(new RefundListOptions { Limit = 2 }));
        all.Select(r => r.Id).Take(3).Should().Equal(other.Id, r2.Id, r1.Id);
    }
}
