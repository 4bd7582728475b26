using MockProcessor.Domain.Balance;
using MockProcessor.Domain.CardNetwork;
using MockProcessor.Domain.Charges;
using MockProcessor.Domain.Disputes;
using MockProcessor.Domain.Ids;
using MockProcessor.Domain.PaymentIntents;
using MockProcessor.Domain.Refunds;
using static MockProcessor.Domain.Tests.Support.Fixtures;

namespace MockProcessor.Domain.Tests.Disputes;

public class DisputeRulesTests
{
    // A paid charge and the ledger it booked, so every step can check the balance invariant.
    private sealed class World
    {
        public readonly IdGenerator Ids = NewIds();
        public readonly List<BalanceTransaction> Ledger = [];
        public Charge Charge = null!;

        public World(string alias, long amount = 10_000, CaptureMethod capture = CaptureMethod.Automatic)
        {
            var paid = Pay(alias, Ids, amount, capture: capture);
            Charge = paid.Charge!;
            if (paid.BalanceTransaction is { } t) Ledger.Add(t);
        }

        public DisputeChange Apply(DisputeChange change)
        {
            if (change.Transaction is { } t) Ledger.Add(t);
            if (change.Charge is { } c) Charge = c;
            AssertLedger();
            return change;
        }

        // available + pending == Σ net, checked both before and after the charge's funds become available.
        public void AssertLedger()
        {
            foreach (var at in new[] { Now, Now + 30 * BalanceRules.SecondsPerDay })
            {
                var s = BalanceRules.Summarize(Ledger, at);
                var total = s.Available.Sum(f => f.Amount) + s.Pending.Sum(f => f.Amount);
                Assert.Equal(Ledger.Sum(t => t.Net), total);
            }
        }

        public long Net => Ledger.Sum(t => t.Net);
    }

    private static readonly TestCardDispute Fraud = new("fraudulent", "needs_response", false, 1, []);

    [Fact]
    public void Dispute_card_opens_a_chargeback_that_withdraws_amount_and_fee_at_once()
    {
        var w = new World("pm_card_createDispute");
        var netBefore = w.Net;
        var change = w.Apply(Assert.Single(DisputeRules.ForTestCard(null, w.Charge, Now, w.Ids)));
        var d = change.Dispute;
        Assert.Equal((DisputeStatus.NeedsResponse, "fraudulent", 10_000L), (d.Status, d.Reason, d.Amount));
        Assert.Equal((DisputeCaseType.Chargeback, "10.4"), (d.Card.CaseType, d.Card.NetworkReasonCode));
        Assert.Equal(["charge.dispute.created", "charge.dispute.funds_withdrawn"], change.Events);
        var txn = change.Transaction!;
        Assert.Equal((-10_000L, 1500L, -11_500L), (txn.Amount, txn.Fee, txn.Net));
        Assert.Equal((BalanceTransactionType.Adjustment, ReportingCategory.Dispute, d.Id, Now), (txn.Type, txn.ReportingCategory, txn.Source, txn.AvailableOn));
        Assert.Equal("Dispute fee", Assert.Single(txn.FeeDetails).Description);
        Assert.Equal([txn.Id], d.BalanceTransactions);
        Assert.Equal((true, d.Id, true), (w.Charge.Disputed, w.Charge.Dispute, w.Charge.RefundBlockedByDispute));
        Assert.Equal(netBefore - 11_500, w.Net);
        Assert.Equal(DisputeRules.DueBy(Now), d.DueBy);
        Assert.True(d.DueBy > Now + 7 * BalanceRules.SecondsPerDay - BalanceRules.SecondsPerDay);
    }

    [Fact]
    public void Winning_evidence_returns_amount_and_fee_and_closes_won()
    {
        var w = new World("pm_card_createDispute");
        var netBefore = w.Net;
        var d = w.Apply(DisputeRules.ForTestCard(null, w.Charge, Now, w.Ids)[0]).Dispute;
        var won = w.Apply(Ok(DisputeRules.Update(d, w.Charge, new Dictionary<string, string> { ["uncategorized_text"] = "winning_evidence" }, true, Now + 60, w.Ids)));
        Assert.Equal(DisputeStatus.Won, won.Dispute.Status);
        Assert.Equal(["charge.dispute.funds_reinstated", "charge.dispute.closed"], won.Events);
        Assert.Equal((10_000L, -1500L, 11_500L, ReportingCategory.DisputeReversal),
            (won.Transaction!.Amount, won.Transaction.Fee, won.Transaction.Net, won.Transaction.ReportingCategory));
        Assert.Equal(2, won.Dispute.BalanceTransactions.Count);
        Assert.Equal((true, 1, false), (won.Dispute.EvidenceDetails.HasEvidence, won.Dispute.EvidenceDetails.SubmissionCount, won.Dispute.EvidenceDetails.PastDue));
        Assert.Equal(netBefore, w.Net);
        Assert.NotNull(Err(DisputeRules.Update(won.Dispute, w.Charge, null, true, Now, w.Ids)).Message);
    }

    [Fact]
    public void Losing_evidence_and_accepting_keep_the_money_withdrawn()
    {
        var w = new World("pm_card_createDisputeProductNotReceived");
        var netBefore = w.Net;
        var d = w.Apply(DisputeRules.ForTestCard(null, w.Charge, Now, w.Ids)[0]).Dispute;
        Assert.Equal(("product_not_received", "13.1"), (d.Reason, d.Card.NetworkReasonCode));
        var lost = w.Apply(Ok(DisputeRules.Update(d, w.Charge, new Dictionary<string, string> { ["uncategorized_text"] = "losing_evidence" }, true, Now, w.Ids)));
        Assert.Equal((DisputeStatus.Lost, null), (lost.Dispute.Status, lost.Transaction));
        Assert.Equal(["charge.dispute.closed"], lost.Events);
        Assert.Equal(netBefore - 11_500, w.Net);

        var accepted = w.Apply(Ok(DisputeRules.Close(d)));
        Assert.Equal(DisputeStatus.Lost, accepted.Dispute.Status);
        Err(DisputeRules.Close(accepted.Dispute));
    }

    [Fact]
    public void Other_evidence_is_staged_or_submitted_for_review()
    {
        var w = new World("pm_card_createDispute");
        var d = w.Apply(DisputeRules.ForTestCard(null, w.Charge, Now, w.Ids)[0]).Dispute;
        var staged = Ok(DisputeRules.Update(d, w.Charge, new Dictionary<string, string> { ["customer_name"] = "Jo" }, false, Now, w.Ids)).Dispute;
        Assert.Equal((DisputeStatus.NeedsResponse, 0, "Jo"), (staged.Status, staged.EvidenceDetails.SubmissionCount, staged.Evidence["customer_name"]));
        var removed = Ok(DisputeRules.Update(staged, w.Charge, new Dictionary<string, string> { ["customer_name"] = "" }, false, Now, w.Ids)).Dispute;
        Assert.False(removed.EvidenceDetails.HasEvidence);
        var review = Ok(DisputeRules.Update(staged, w.Charge, null, true, d.DueBy!.Value + 1, w.Ids));
        Assert.Equal((DisputeStatus.UnderReview, true), (review.Dispute.Status, review.Dispute.EvidenceDetails.PastDue));
        Assert.Equal(["charge.dispute.updated"], review.Events);
        // Under review the evidence is locked, but the network can still decide.
        Err(DisputeRules.Update(review.Dispute, w.Charge, null, true, Now, w.Ids));
        Assert.Equal(DisputeStatus.Won, w.Apply(Ok(DisputeRules.Resolve(review.Dispute, w.Charge, true, Now, w.Ids))).Dispute.Status);
    }

    [Fact]
    public void Inquiry_moves_no_money_until_it_escalates()
    {
        var w = new World("pm_card_createDisputeInquiry");
        var netBefore = w.Net;
        var opened = w.Apply(DisputeRules.ForTestCard(null, w.Charge, Now, w.Ids)[0]);
        Assert.Equal((DisputeStatus.WarningNeedsResponse, DisputeCaseType.Inquiry, null), (opened.Dispute.Status, opened.Dispute.Card.CaseType, opened.Transaction));
        Assert.Equal(["charge.dispute.created"], opened.Events);
        Assert.True(opened.Dispute.IsChargeRefundable);
        Assert.Equal((true, false), (w.Charge.Disputed, w.Charge.RefundBlockedByDispute));
        Assert.Equal(netBefore, w.Net);
        // An inquiry's charge can still be refunded.
        Ok(RefundRules.Create(w.Charge, [], new CreateRefund(100, null, null), Account, Now, w.Ids));

        var closed = Ok(DisputeRules.Update(opened.Dispute, w.Charge, new Dictionary<string, string> { ["uncategorized_text"] = "winning_evidence" }, true, Now, w.Ids));
        Assert.Equal((DisputeStatus.WarningClosed, null), (closed.Dispute.Status, closed.Transaction));

        var escalated = w.Apply(Ok(DisputeRules.Update(opened.Dispute, w.Charge, new Dictionary<string, string> { ["uncategorized_text"] = "losing_evidence" }, true, Now, w.Ids)));
        Assert.Equal((DisputeStatus.NeedsResponse, DisputeCaseType.Chargeback), (escalated.Dispute.Status, escalated.Dispute.Card.CaseType));
        Assert.Equal(netBefore - 11_500, w.Net);
        Assert.True(w.Charge.RefundBlockedByDispute);
    }

    [Fact]
    public void Refund_of_a_chargeback_charge_is_refused()
    {
        var w = new World("pm_card_createDispute");
        w.Apply(DisputeRules.ForTestCard(null, w.Charge, Now, w.Ids)[0]);
        var error = Err(RefundRules.Create(w.Charge, [], new CreateRefund(null, null, null), Account, Now, w.Ids));
        Assert.Equal("charge_disputed", error.Code);
    }

    [Fact]
    public void Multiple_disputes_card_opens_two_and_ordinary_cards_none()
    {
        var w = new World("pm_card_createMultipleDisputes");
        var changes = DisputeRules.ForTestCard(null, w.Charge, Now, w.Ids);
        Assert.Equal(2, changes.Count);
        foreach (var c in changes) w.Apply(c);
        Assert.Equal(2, changes.Select(c => c.Dispute.Id).Distinct().Count());

        Assert.Empty(DisputeRules.ForTestCard(null, new World("pm_card_visa").Charge, Now, NewIds()));
        Assert.Empty(DisputeRules.ForTestCard(null, new World("pm_card_createIssuerFraudRecord").Charge, Now, NewIds()));
        // An authorization is not disputed until captured, and a capture already seen does not open another.
        var held = new World("pm_card_createDispute", capture: CaptureMethod.Manual).Charge;
        Assert.Empty(DisputeRules.ForTestCard(null, held, Now, NewIds()));
        var captured = new World("pm_card_createDispute").Charge;
        Assert.Empty(DisputeRules.ForTestCard(captured, captured, Now, NewIds()));
    }

    [Fact]
    public void Ce3_and_compliance_cards_carry_their_details()
    {
        var ce3 = new World("pm_card_createCe3EligibleDispute");
        Assert.Equal(["visa_compelling_evidence_3"], DisputeRules.ForTestCard(null, ce3.Charge, Now, ce3.Ids)[0].Dispute.EnhancedEligibilityTypes);
        var compliance = new World("pm_card_createComplianceDispute");
        Assert.Equal("noncompliant", DisputeRules.ForTestCard(null, compliance.Charge, Now, compliance.Ids)[0].Dispute.Reason);
    }

    [Fact]
    public void Expire_loses_an_unanswered_dispute_only_after_its_due_date()
    {
        var w = new World("pm_card_createDispute");
        var d = w.Apply(DisputeRules.ForTestCard(null, w.Charge, Now, w.Ids)[0]).Dispute;
        Err(DisputeRules.Expire(d, d.DueBy!.Value));
        var expired = w.Apply(Ok(DisputeRules.Expire(d, d.DueBy!.Value + 1)));
        Assert.Equal((DisputeStatus.Lost, null), (expired.Dispute.Status, expired.Transaction));
        Assert.Equal(["charge.dispute.closed"], expired.Events);
        var review = Ok(DisputeRules.Update(d, w.Charge, null, true, Now, w.Ids)).Dispute;
        Err(DisputeRules.Expire(review, d.DueBy!.Value + 1));
    }

    [Fact]
    public void Open_refuses_uncaptured_and_fully_refunded_charges_and_fees_depend_on_currency()
    {
        var held = new World("pm_card_visa", capture: CaptureMethod.Manual).Charge;
        Err(DisputeRules.Open(held, Fraud, Now, NewIds()));
        var paid = new World("pm_card_visa").Charge;
        Err(DisputeRules.Open(paid with { AmountRefunded = paid.AmountCaptured }, Fraud, Now, NewIds()));
        Assert.Equal(1500, DisputeFees.Amount("usd"));
        Assert.Equal(2000, DisputeFees.Amount("eur"));
        Assert.Equal(15_000, DisputeFees.Amount("kwd"));
        Assert.Equal(1_800_000_000 - 1_800_000_000 % 86_400 + 8 * 86_400 - 1, DisputeRules.DueBy(1_800_000_000));
    }
}
