namespace MockProcessor.StripeNet.Tests;

/// <summary>Balance and balance transactions: fees, refunds booked negative, balance = Σ net, type filter, expanded source. Counterpart of refunds_balance.test.mjs (balance).</summary>
public sealed class BalanceTests(EmulatorTarget target) : StripeTest(target)
{
    [Fact]
    public async Task A_10000_cent_charge_pays_a_320_stripe_fee()
    {
        var pi = await PayAsync(10000);
        var ch = await Client.V1.Charges.GetAsync(pi.LatestChargeId);
        var txn = await Client.V1.BalanceTransactions.GetAsync(ch.BalanceTransactionId);
        txn.Object.Should().Be("balance_transaction");
        txn.Type.Should().Be("charge");
        txn.ReportingCategory.Should().Be("charge");
        txn.SourceId.Should().Be(ch.Id);
        txn.Amount.Should().Be(10000);
        txn.Currency.Should().Be("usd");
        txn.Fee.Should().Be(320);
        txn.Net.Should().Be(9680);
        txn.FeeDetails.Should().ContainSingle();
        txn.FeeDetails[0].Type.Should().Be("stripe_fee");
        txn.FeeDetails[0].Amount.Should().Be(320);
        txn.FeeDetails[0].Currency.Should().Be("usd");
        txn.Status.Should().BeOneOf("pending", "available");
        txn.AvailableOn.Should().BeOnOrAfter(txn.Created);
    }

    [Fact]
    public async Task The_source_expands_to_a_typed_charge()
    {
        var pi = await PayAsync(3000);
        var ch = await Client.V1.Charges.GetAsync(pi.LatestChargeId);
        var txn = await Client.V1.BalanceTransactions.GetAsync(ch.BalanceTransactionId, new BalanceTransactionGetOptions { Expand = ["source"] });
        txn.Source.Should().BeOfType<Charge>();
        ((Charge)txn.Source).Amount.Should().Be(3000);
        txn.SourceId.Should().Be(ch.Id);
    }

    [Fact]
    public async Task A_refund_is_booked_negative_without_a_fee()
    {
        var pi = await PayAsync(5000);
        var re = await Client.V1.Refunds.CreateAsync(new RefundCreateOptions { PaymentIntent = pi.Id, Amount = 1200 });
        var txn = await Client.V1.BalanceTransactions.GetAsync(re.BalanceTransactionId);
        txn.Type.Should().Be("refund");
        txn.ReportingCategory.Should().Be("refund");
        txn.SourceId.Should().Be(re.Id);
        txn.Amount.Should().Be(-1200);
        txn.Fee.Should().Be(0);
        txn.Net.Should().Be(-1200);
        txn.FeeDetails.Should().BeEmpty();
    }

    [EmulatorFact(EmulatorTarget.FreshAccount)]
    public async Task Balance_equals_the_sum_of_nets()
    {
        var empty = await Client.V1.Balance.GetAsync();
        empty.Object.Should().Be("balance");
        empty.Livemode.Should().BeFalse();
        empty.Available.Should().NotBeNull();
        empty.Pending.Should().NotBeNull();

        var a = await PayAsync(10000);
        await PayAsync(2000);
        await PayAsync(5000);
        await Client.V1.Refunds.CreateAsync(new RefundCreateOptions { PaymentIntent = a.Id, Amount = 4000 });
        await ExpectStripeErrorAsync(() => PayAsync(3000, "pm_card_chargeDeclined"), HttpStatusCode.PaymentRequired, "card_error", "card_declined");

        var txns = await AllAsync(Client.V1.BalanceTransactions.ListAutoPagingAsync(new BalanceTransactionListOptions { Limit = 3 }));
        txns.Should().HaveCount(4, "three charges and one refund; the decline books nothing");
        foreach (var t in txns)
        {
            t.Id.Should().StartWith("txn_");
            t.Net.Should().Be(t.Amount - t.Fee);
            t.Fee.Should().Be(t.FeeDetails.Sum(d => d.Amount));
        }
        var net = txns.Where(t => t.Currency == "usd").Sum(t => t.Net);
        net.Should().Be(10000 + 2000 + 5000 - 4000 - (320 + 88 + 175));
        var balance = await Client.V1.Balance.GetAsync();
        long Usd(IEnumerable<BalanceAmount> xs) => xs.Where(x => x.Currency == "usd").Sum(x => x.Amount);
        (Usd(balance.Available) + Usd(balance.Pending)).Should().Be(net);
        balance.Available.Concat(balance.Pending).Should().OnlyContain(e => e.SourceTypes != null);
    }

    [Fact]
    public async Task List_filtered_by_type()
    {
        var pi = await PayAsync(3000);
        var r1 = await Client.V1.Refunds.CreateAsync(new RefundCreateOptions { PaymentIntent = pi.Id, Amount = 1000 });
        var r2 = await Client.V1.Refunds.CreateAsync(new RefundCreateOptions { PaymentIntent = pi.Id, Amount = 500 });
        var refunds = await Client.V1.BalanceTransactions.ListAsync(new BalanceTransactionListOptions { Type = "refund" });
        refunds.Data.Select(t => t.SourceId).Take(2).Should().Equal(r2.Id, r1.Id);
        refunds.Data.Should().OnlyContain(t => t.Type == "refund");
        var charges = await Client.V1.BalanceTransactions.ListAsync(new BalanceTransactionListOptions { Type = "charge" });
        charges.Data.Select(t => t.SourceId).First().Should().Be(pi.LatestChargeId);
        charges.Data.Should().OnlyContain(t => t.Type == "charge");
    }
}
