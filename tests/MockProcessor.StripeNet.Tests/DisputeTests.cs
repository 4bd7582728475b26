namespace MockProcessor.StripeNet.Tests;

/// <summary>
/// Disputes: each dispute test card to won / lost / accepted with the ledger adding up at every step, evidence
/// staging, inquiries, multiple disputes, the emulator's /_mock/disputes control, and a dispute lost after its due date
/// on the merchant clock. Counterpart of disputes.test.mjs (and the dispute case of time.test.mjs).
/// </summary>
public sealed class DisputeTests(EmulatorTarget target) : StripeTest(target)
{
    private const long Fee = 1500; // $15 dispute fee, classic US pricing

    private static long ChargeNet(long amount) => amount - (long)Math.Round(amount * 0.029) - 30;

    /// <summary>Stripe opens the dispute "shortly after" the charge: poll for it.</summary>
    private async Task<List<Dispute>> DisputesOfAsync(PaymentIntent pi, int count = 1)
    {
        for (var i = 0; ; i++)
        {
            var list = await Client.V1.Disputes.ListAsync(new DisputeListOptions { PaymentIntent = pi.Id, Limit = 10 });
            if (list.Data.Count >= count) return list.Data;
            if (i > 100) throw new InvalidOperationException($"no dispute for {pi.Id}");
            await Task.Delay(200);
        }
    }

    [EmulatorTheory(EmulatorTarget.FreshAccount)]
    [InlineData("pm_card_createDispute", "fraudulent")]
    [InlineData("pm_card_createDisputeProductNotReceived", "product_not_received")]
    [InlineData("pm_card_createComplianceDispute", "noncompliant")]
    [InlineData("pm_card_createCe3EligibleDispute", "fraudulent")]
    public async Task A_chargeback_withdraws_amount_and_fee_and_winning_evidence_reinstates_both(string card, string reason)
    {
        var pi = await PayAsync(10000, card);
        pi.Status.Should().Be("succeeded");
        var d = (await DisputesOfAsync(pi)).Single();
        d.Object.Should().Be("dispute");
        d.Status.Should().Be("needs_response");
        d.Reason.Should().Be(reason);
        d.Amount.Should().Be(10000);
        d.ChargeId.Should().Be(pi.LatestChargeId);
        d.PaymentMethodDetails.Card.CaseType.Should().Be("chargeback");
        var w = d.BalanceTransactions.Single();
        w.Amount.Should().Be(-10000);
        w.Fee.Should().Be(Fee);
        w.Net.Should().Be(-10000 - Fee);
        w.ReportingCategory.Should().Be("dispute");
        w.FeeDetails[0].Description.Should().Be("Dispute fee");
        (await BalanceMatchesNetsAsync()).Should().Be(ChargeNet(10000) - 10000 - Fee);
        (await Client.V1.Charges.GetAsync(pi.LatestChargeId)).Disputed.Should().BeTrue();

        var won = await Client.V1.Disputes.UpdateAsync(d.Id, new DisputeUpdateOptions { Evidence = new DisputeEvidenceOptions { UncategorizedText = "winning_evidence" } });
        won.Status.Should().Be("won");
        var r = won.BalanceTransactions.Single(t => t.ReportingCategory == "dispute_reversal");
        r.Amount.Should().Be(10000);
        r.Net.Should().Be(10000 + Fee);
        (await BalanceMatchesNetsAsync()).Should().Be(ChargeNet(10000));
    }

    [EmulatorFact(EmulatorTarget.FreshAccount)]
    public async Task Losing_evidence_loses_and_the_money_stays_withdrawn()
    {
        var pi = await PayAsync(5000, "pm_card_createDispute");
        var d = (await DisputesOfAsync(pi)).Single();
        var lost = await Client.V1.Disputes.UpdateAsync(d.Id, new DisputeUpdateOptions { Evidence = new DisputeEvidenceOptions { UncategorizedText = "losing_evidence" } });
        lost.Status.Should().Be("lost");
        lost.BalanceTransactions.Should().ContainSingle();
        (await BalanceMatchesNetsAsync()).Should().Be(ChargeNet(5000) - 5000 - Fee);
    }

    [Fact]
    public async Task Close_accepts_the_dispute_and_refunding_a_disputed_charge_is_refused()
    {
        var pi = await PayAsync(3000, "pm_card_createDisputeProductNotReceived");
        var d = (await DisputesOfAsync(pi)).Single();
        await ExpectStripeErrorAsync(() => Client.V1.Refunds.CreateAsync(new RefundCreateOptions { PaymentIntent = pi.Id }),
            HttpStatusCode.BadRequest, "invalid_request_error", "charge_disputed");
        var closed = await Client.V1.Disputes.CloseAsync(d.Id);
        closed.Status.Should().Be("lost");
        if (!EmulatorTarget.IsRealStripe) (await BalanceMatchesNetsAsync()).Should().Be(ChargeNet(3000) - 3000 - Fee);
    }

    [Fact]
    public async Task An_inquiry_moves_no_money_and_closes_as_warning_closed()
    {
        var pi = await PayAsync(10000, "pm_card_createDisputeInquiry");
        var d = (await DisputesOfAsync(pi)).Single();
        d.Status.Should().Be("warning_needs_response");
        d.BalanceTransactions.Should().BeEmpty();
        if (!EmulatorTarget.IsRealStripe) (await BalanceMatchesNetsAsync()).Should().Be(ChargeNet(10000));
        var closed = await Client.V1.Disputes.CloseAsync(d.Id);
        closed.Status.Should().Be("warning_closed");
        if (!EmulatorTarget.IsRealStripe) (await BalanceMatchesNetsAsync()).Should().Be(ChargeNet(10000));
    }

    [EmulatorFact(EmulatorTarget.FreshAccount)]
    public async Task The_multiple_disputes_card_is_disputed_more_than_once()
    {
        var pi = await PayAsync(10000, "pm_card_createMultipleDisputes");
        var disputes = await DisputesOfAsync(pi, 2);
        disputes.Should().HaveCountGreaterThanOrEqualTo(2);
        (await BalanceMatchesNetsAsync()).Should().Be(ChargeNet(10000) - disputes.Count * (10000 + Fee));
    }

    [Fact]
    public async Task Evidence_can_be_staged_then_submitted_for_review()
    {
        var pi = await PayAsync(10000, "pm_card_createDispute");
        var d = (await DisputesOfAsync(pi)).Single();
        var staged = await Client.V1.Disputes.UpdateAsync(d.Id, new DisputeUpdateOptions
        {
            Evidence = new DisputeEvidenceOptions { CustomerName = "Jo" }, Submit = false, Metadata = new() { ["k"] = "v" },
        });
        staged.Status.Should().Be("needs_response");
        staged.Evidence.CustomerName.Should().Be("Jo");
        staged.Metadata["k"].Should().Be("v");
        var review = await Client.V1.Disputes.UpdateAsync(d.Id, new DisputeUpdateOptions { Submit = true });
        review.Status.Should().Be("under_review");
        review.EvidenceDetails.SubmissionCount.Should().Be(1);
    }

    [EmulatorFact]
    public async Task The_control_api_opens_and_decides_a_dispute_on_any_charge()
    {
        var pi = await PayAsync(4000);
        var opened = await Merchant.PostControlAsync("/_mock/disputes", ("charge", pi.LatestChargeId), ("reason", "duplicate"));
        var id = opened["id"]!.GetValue<string>();
        var d = await Client.V1.Disputes.GetAsync(id);
        d.Reason.Should().Be("duplicate");
        d.Status.Should().Be("needs_response");
        d.Amount.Should().Be(4000);
        d.ChargeId.Should().Be(pi.LatestChargeId);
        await Merchant.PostControlAsync($"/_mock/disputes/{id}/decide", ("outcome", "won"));
        (await Client.V1.Disputes.GetAsync(id)).Status.Should().Be("won");
        (await BalanceMatchesNetsAsync()).Should().Be(ChargeNet(4000));
        var types = (await Client.V1.Events.ListAsync(new EventListOptions { Type = "charge.dispute.*" })).Data.Select(e => e.Type).ToList();
        types.Should().Contain(["charge.dispute.created", "charge.dispute.closed"]);
        (await Client.V1.Events.ListAsync(new EventListOptions { Type = "charge.dispute.created" })).Data.Single().Data.Object
            .Should().BeOfType<Dispute>().Which.Id.Should().Be(id);
    }

    [EmulatorFact]
    public async Task An_unanswered_dispute_is_lost_after_its_due_date_on_the_merchant_clock()
    {
        var pi = await PayAsync(5000, "pm_card_createDispute");
        var d = (await DisputesOfAsync(pi)).Single();
        d.Status.Should().Be("needs_response");
        await BalanceMatchesNetsAsync();
        var now = await Merchant.NowAsync();
        var dueBy = ((DateTimeOffset)d.EvidenceDetails.DueBy!.Value).ToUnixTimeSeconds();
        await Merchant.AdvanceClockAsync(dueBy - now + 1);
        (await Client.V1.Disputes.GetAsync(d.Id)).Status.Should().Be("lost");
        await BalanceMatchesNetsAsync();
        (await Client.V1.Events.ListAsync(new EventListOptions { Type = "charge.dispute.closed" })).Data.Should().ContainSingle();
    }
}
