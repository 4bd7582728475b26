namespace MockProcessor.StripeNet.Tests;

/// <summary>
/// Payouts: automatic payouts on the merchant's schedule as its clock advances (itemized with <c>BalanceTransactionListOptions.Payout</c>),
/// manual payouts, cancel, failures to Stripe's failing test bank accounts, schedules, and payout webhooks. Counterpart of payouts.test.mjs.
/// </summary>
public sealed class PayoutTests(EmulatorTarget target) : StripeTest(target)
{
    private Task AdvanceToAsync(DateTime to) =>
        Merchant.PostControlAsync("/_mock/merchant_clock/advance", ("to", ((DateTimeOffset)to).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture)));

    private async Task<BalanceTransaction> ChargeTxnAsync(PaymentIntent pi) =>
        (await Client.V1.Charges.GetAsync(pi.LatestChargeId, new ChargeGetOptions { Expand = ["balance_transaction"] })).BalanceTransaction;

    private async Task<List<BalanceTransaction>> SettledByAsync(Payout payout) =>
        await AllAsync(Client.V1.BalanceTransactions.ListAutoPagingAsync(new BalanceTransactionListOptions { Payout = payout.Id, Limit = 100 }));

    private async Task<List<string>> EventTypesOldestFirstAsync() =>
        (await AllAsync(Client.V1.Events.ListAutoPagingAsync(new EventListOptions { Limit = 100 }))).Select(e => e.Type).Reverse().ToList();

    [EmulatorFact]
    public async Task An_automatic_daily_payout_sweeps_the_available_funds_and_is_paid_the_next_day()
    {
        var a = await PayAsync(10000);
        var b = await PayAsync(2000);
        await Client.V1.Refunds.CreateAsync(new RefundCreateOptions { PaymentIntent = b.Id, Amount = 500 });
        var txn = await ChargeTxnAsync(a);
        txn.Status.Should().Be("pending");
        await AdvanceToAsync(txn.AvailableOn.AddSeconds(60));

        var payout = (await Client.V1.Payouts.ListAsync()).Data.Single();
        payout.Automatic.Should().BeTrue();
        payout.Status.Should().Be("pending");
        payout.Amount.Should().Be(9680 + 1912 - 500);
        payout.Created.Should().Be(txn.AvailableOn);
        payout.ArrivalDate.Should().Be(txn.AvailableOn.AddDays(1));
        payout.ReconciliationStatus.Should().Be("in_progress");
        var settled = await SettledByAsync(payout);
        settled.Should().HaveCount(3);
        settled.Sum(t => t.Net).Should().Be(payout.Amount);
        settled.Should().Contain(t => t.SourceId == a.LatestChargeId);
        var own = await Client.V1.BalanceTransactions.GetAsync(payout.BalanceTransactionId);
        own.Type.Should().Be("payout");
        own.Amount.Should().Be(-payout.Amount);
        (await Client.V1.Balance.GetAsync()).Available.Single(x => x.Currency == "usd").Amount.Should().Be(0);

        await AdvanceToAsync(payout.ArrivalDate);
        var paid = await Client.V1.Payouts.GetAsync(payout.Id);
        paid.Status.Should().Be("paid");
        paid.ReconciliationStatus.Should().Be("completed");
        (await EventTypesOldestFirstAsync()).Where(t => t.StartsWith("payout.", StringComparison.Ordinal))
            .Should().Equal("payout.created", "payout.updated", "payout.updated", "payout.paid", "payout.reconciliation_completed");
    }

    [EmulatorFact(EmulatorTarget.FreshAccount)]
    public async Task A_manual_payout_draws_on_the_available_balance_and_can_be_canceled()
    {
        await PayAsync(10000, "pm_card_bypassPending");
        await ExpectStripeErrorAsync(() => Client.V1.Payouts.CreateAsync(new PayoutCreateOptions { Amount = 9681, Currency = "usd" }),
            HttpStatusCode.BadRequest, "invalid_request_error", "balance_insufficient", param: "amount");
        var po = await Client.V1.Payouts.CreateAsync(new PayoutCreateOptions { Amount = 4000, Currency = "usd", Metadata = new() { ["batch"] = "1" } });
        po.Id.Should().StartWith("po_");
        po.Status.Should().Be("pending");
        po.Automatic.Should().BeFalse();
        po.ReconciliationStatus.Should().Be("not_applicable");
        po.DestinationId.Should().StartWith("ba_");
        (await Client.V1.Balance.GetAsync()).Available[0].Amount.Should().Be(5680);
        (await Client.V1.Payouts.UpdateAsync(po.Id, new PayoutUpdateOptions { Metadata = new() { ["batch"] = "2" } })).Metadata["batch"].Should().Be("2");
        (await Client.V1.Payouts.ListAsync(new PayoutListOptions { Status = "pending" })).Data.Select(p => p.Id).Should().Equal(po.Id);
        (await SettledByAsync(po)).Should().BeEmpty("manual payouts are not itemized");

        var canceled = await Client.V1.Payouts.CancelAsync(po.Id, new PayoutCancelOptions { Expand = ["failure_balance_transaction"] });
        canceled.Status.Should().Be("canceled");
        canceled.FailureBalanceTransaction.Type.Should().Be("payout_cancel");
        canceled.FailureBalanceTransaction.Amount.Should().Be(4000);
        (await Client.V1.Balance.GetAsync()).Available[0].Amount.Should().Be(9680);
        await ExpectStripeErrorAsync(() => Client.V1.Payouts.CancelAsync(po.Id), HttpStatusCode.BadRequest, "invalid_request_error");
        (await EventTypesOldestFirstAsync()).Should().Contain("payout.canceled");
    }

    [EmulatorFact]
    public async Task A_payout_to_a_failing_bank_account_fails_and_the_next_payout_sweeps_the_funds()
    {
        var settings = await Merchant.PostControlAsync("/_mock/payouts/settings", ("bank_account[account_number]", "000111111116"));
        settings["schedule"]!["interval"]!.GetValue<string>().Should().Be("daily");
        var pi = await PayAsync(5000);
        var txn = await ChargeTxnAsync(pi);
        await AdvanceToAsync(txn.AvailableOn.AddDays(1));
        var failed = (await Client.V1.Payouts.ListAsync()).Data.Single();
        failed.Status.Should().Be("failed");
        failed.FailureCode.Should().Be("no_account");
        failed.FailureMessage.Should().NotBeNullOrEmpty();
        var back = await Client.V1.BalanceTransactions.GetAsync(failed.FailureBalanceTransactionId);
        back.Type.Should().Be("payout_failure");
        back.ReportingCategory.Should().Be("payout_reversal");
        back.Amount.Should().Be(failed.Amount);
        (await EventTypesOldestFirstAsync()).Should().Contain("payout.failed");

        await Merchant.PostControlAsync("/_mock/payouts/settings", ("bank_account[account_number]", "000123456789"));
        await AdvanceToAsync(txn.AvailableOn.AddDays(2));
        var next = (await Client.V1.Payouts.ListAsync()).Data.First();
        next.Id.Should().NotBe(failed.Id);
        var settled = await SettledByAsync(next);
        settled.Select(t => t.Type).Should().Equal("payout_failure");
        settled[0].Net.Should().Be(next.Amount);
    }

    [EmulatorFact]
    public async Task A_manual_schedule_makes_no_payouts_and_weekly_runs_on_its_anchor_day()
    {
        await Merchant.PostControlAsync("/_mock/payouts/settings", ("schedule[interval]", "manual"));
        var txn = await ChargeTxnAsync(await PayAsync(3000));
        await AdvanceToAsync(txn.AvailableOn.AddDays(10));
        (await Client.V1.Payouts.ListAsync()).Data.Should().BeEmpty();
        var weekly = await Merchant.PostControlAsync("/_mock/payouts/settings", ("schedule[interval]", "weekly"), ("schedule[weekly_anchor]", "tuesday"));
        weekly["schedule"]!["weekly_anchor"]!.GetValue<string>().Should().Be("tuesday");
        await AdvanceToAsync(txn.AvailableOn.AddDays(18));
        var payout = (await Client.V1.Payouts.ListAsync()).Data.First();
        payout.Created.DayOfWeek.Should().Be(DayOfWeek.Tuesday);
        (await SettledByAsync(payout)).Sum(t => t.Net).Should().Be(payout.Amount);
    }

    [EmulatorFact]
    public async Task Payout_events_reach_a_webhook_endpoint_signed_with_the_typed_payout()
    {
        await using var rcv = await WebhookReceiver.StartAsync();
        var types = new List<string> { "payout.created", "payout.updated", "payout.paid", "payout.reconciliation_completed" };
        var we = await Client.V1.WebhookEndpoints.CreateAsync(new WebhookEndpointCreateOptions { Url = rcv.Url, EnabledEvents = types });
        // Noon UTC: a payout made after 23:00 arrives (at the next midnight) before its hour as pending is over, and
        // skips in_transit (one payout.updated, not two).
        await AdvanceToAsync(DateTimeOffset.FromUnixTimeSeconds(await Merchant.NowAsync()).UtcDateTime.Date.AddDays(1).AddHours(12));
        await PayAsync(4000, "pm_card_bypassPending");
        var run = await Merchant.PostControlAsync("/_mock/payouts/run");
        var payoutId = run["data"]!.AsArray()[0]!["id"]!.GetValue<string>();
        var payout = await Client.V1.Payouts.GetAsync(payoutId);
        await AdvanceToAsync(payout.ArrivalDate);
        await Merchant.FlushWebhooksAsync();
        var events = (await rcv.WaitForAsync(5)).Select(d => EventUtility.ConstructEvent(d.Body, d.Signature, we.Secret, throwOnApiVersionMismatch: true)).ToList();
        events.Select(e => e.Type).Order().Should().Equal(types.Append("payout.updated").Order());
        events.Should().OnlyContain(e => ((Payout)e.Data.Object).Id == payoutId);
        ((Payout)events.Single(e => e.Type == "payout.paid").Data.Object).Status.Should().Be("paid");
        events.Should().OnlyContain(e => (e.Type == "payout.created") == (e.Request.Id != null), "only the create was a request");
    }
}
