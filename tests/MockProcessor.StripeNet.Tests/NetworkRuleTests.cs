using System.Text.Json.Nodes;

namespace MockProcessor.StripeNet.Tests;

/// <summary>
/// Network rules (<c>/_mock/network_rules</c>, docs/network-rules.md) script the card network's answer; payments go
/// through Stripe.net and the outcome is read from typed objects and <see cref="StripeException"/>s. Counterpart of network_rules.test.mjs.
/// </summary>
public sealed class NetworkRuleTests(EmulatorTarget target) : StripeTest(target)
{
    private async Task<JsonObject> AddRuleAsync(params (string, string)[] form)
    {
        var rule = await Merchant.PostControlAsync("/_mock/network_rules", form);
        rule["object"]!.GetValue<string>().Should().Be("mock.network_rule");
        rule["id"]!.GetValue<string>().Should().StartWith("rule_");
        return rule;
    }

    private async Task<JsonArray> RulesAsync() => (await Merchant.GetControlAsync("/_mock/network_rules"))["data"]!.AsArray();

    private Task<JsonObject> NetworkAsync(string chargeId) => Merchant.GetControlAsync($"/_mock/charges/{chargeId}/network");

    private Task<StripeException> DeclinedAsync(Task call, string declineCode, string code = "card_declined") =>
        ExpectStripeErrorAsync(() => call, HttpStatusCode.PaymentRequired, "card_error", code, declineCode);

    [EmulatorFact]
    public async Task Decline_with_a_chosen_code()
    {
        var rule = await AddRuleAsync(("outcome", "decline"), ("decline_code", "insufficient_funds"));
        rule["fired"]!.GetValue<int>().Should().Be(0);
        rule["active"]!.GetValue<bool>().Should().BeTrue();
        var err = await DeclinedAsync(PayAsync(), "insufficient_funds");
        err.StripeError.PaymentIntent.Status.Should().Be("requires_payment_method");
        err.StripeError.PaymentIntent.LastPaymentError.DeclineCode.Should().Be("insufficient_funds");
        var ch = await Client.V1.Charges.GetAsync(err.StripeError.Charge);
        ch.Status.Should().Be("failed");
        ch.Paid.Should().BeFalse();
        ch.BalanceTransactionId.Should().BeNull();
        ch.FailureCode.Should().Be("card_declined");
        ch.FailureMessage.Should().Be(err.StripeError.Message);
        ch.Outcome.Type.Should().Be("issuer_declined");
        ch.Outcome.NetworkStatus.Should().Be("declined_by_network");
        ch.Outcome.Reason.Should().Be("insufficient_funds");
        var net = await NetworkAsync(ch.Id);
        net["network_rule"]!.GetValue<string>().Should().Be(rule["id"]!.GetValue<string>());
        net["status"]!.GetValue<string>().Should().Be("failed");
        net["pending_settlement"].Should().BeNull();

        await Merchant.DeleteControlAsync("/_mock/network_rules");
        await AddRuleAsync(("outcome", "decline"), ("decline_code", "expired_card"));
        await DeclinedAsync(PayAsync(), "expired_card", code: "expired_card");
    }

    [EmulatorFact]
    public async Task Block_declines_legacy_charges_and_payment_intents_as_fraudulent()
    {
        await AddRuleAsync(("outcome", "block"));
        var err = await DeclinedAsync(Client.V1.Charges.CreateAsync(new ChargeCreateOptions { Amount = 1500, Currency = "usd", Source = "tok_visa" }), "fraudulent");
        var ch = await Client.V1.Charges.GetAsync(err.StripeError.Charge);
        ch.Status.Should().Be("failed");
        ch.Outcome.Type.Should().Be("blocked");
        ch.Outcome.NetworkStatus.Should().Be("not_sent_to_network");
        var err2 = await DeclinedAsync(PayAsync(), "fraudulent");
        (await Client.V1.Charges.GetAsync(err2.StripeError.Charge)).Outcome.Type.Should().Be("blocked");
        (await RulesAsync())[0]!["fired"]!.GetValue<int>().Should().Be(2);
    }

    [EmulatorFact]
    public async Task Require_3ds_then_authenticate_through_the_control_api()
    {
        await AddRuleAsync(("outcome", "require_3ds"), ("match[brand]", "visa"));
        var pi = await PayAsync();
        pi.Status.Should().Be("requires_action");
        pi.NextAction.Type.Should().Be("use_stripe_sdk");
        pi.LatestChargeId.Should().BeNull();
        var res = await Merchant.PostControlAsync($"/_mock/payment_intents/{pi.Id}/authenticate", ("outcome", "complete"));
        res["status"]!.GetValue<string>().Should().Be("succeeded");
        var done = await Client.V1.PaymentIntents.GetAsync(pi.Id, new PaymentIntentGetOptions { Expand = ["latest_charge"] });
        done.Status.Should().Be("succeeded");
        done.LatestCharge.Status.Should().Be("succeeded");
        done.LatestCharge.Paid.Should().BeTrue();
    }

    [EmulatorFact]
    public async Task Approve_lets_decline_and_radar_block_cards_through()
    {
        await AddRuleAsync(("outcome", "approve"));
        var pi = await PayAsync(paymentMethod: "pm_card_chargeDeclined");
        pi.Status.Should().Be("succeeded");
        var ch = await Client.V1.Charges.GetAsync(pi.LatestChargeId);
        ch.Status.Should().Be("succeeded");
        ch.Outcome.Type.Should().Be("authorized");
        (await PayAsync(paymentMethod: "pm_card_radarBlock")).Status.Should().Be("succeeded");
        (await Client.V1.Charges.CreateAsync(new ChargeCreateOptions { Amount = 1000, Currency = "usd", Source = "tok_chargeDeclined" })).Status.Should().Be("succeeded");
    }

    [EmulatorTheory]
    [InlineData("succeed")]
    [InlineData("decline")]
    public async Task A_timeout_settles_on_the_merchant_clock(string settleOutcome)
    {
        await Merchant.PostControlAsync("/_mock/merchant_clock/freeze");
        var form = new List<(string, string)> { ("outcome", "timeout"), ("settle_after_seconds", "120"), ("remaining", "1") };
        if (settleOutcome == "decline") form.AddRange([("settle_outcome", "decline"), ("decline_code", "do_not_honor")]);
        var rule = await AddRuleAsync(form.ToArray());
        rule["settle_after_seconds"]!.GetValue<int>().Should().Be(120);

        var first = await PayAsync(1000, "pm_card_mastercard");
        first.Status.Should().Be("processing");
        var ch = await Client.V1.Charges.GetAsync(first.LatestChargeId);
        ch.Status.Should().Be("pending");
        ch.Paid.Should().BeFalse();
        ch.Outcome.Should().BeNull();
        ch.BalanceTransactionId.Should().BeNull();
        var net = await NetworkAsync(ch.Id);
        net["status"]!.GetValue<string>().Should().Be("pending");
        net["pending_settlement"]!["outcome"]!.GetValue<string>().Should().Be(settleOutcome);
        net["pending_settlement"]!["settle_at"]!.GetValue<long>().Should().Be(((DateTimeOffset)ch.Created).ToUnixTimeSeconds() + 120);
        var types = (await Client.V1.Events.ListAsync(new EventListOptions { Limit = 100 })).Data.Select(e => e.Type).ToList();
        types.Should().Contain(["charge.pending", "payment_intent.processing"]);
        await ExpectStripeErrorAsync(() => Client.V1.PaymentIntents.CancelAsync(first.Id), HttpStatusCode.BadRequest, "invalid_request_error", "payment_intent_unexpected_state");
        await BalanceMatchesNetsAsync();

        (await Merchant.AdvanceClockAsync(119))["fired"]!.GetValue<int>().Should().Be(0);
        (await Client.V1.PaymentIntents.GetAsync(first.Id)).Status.Should().Be("processing");
        var before = (await Client.V1.Events.ListAsync(new EventListOptions { Limit = 100 })).Data.Select(e => e.Id).ToHashSet();
        (await Merchant.AdvanceClockAsync(1))["fired"]!.GetValue<int>().Should().Be(1);
        var fresh = (await Client.V1.Events.ListAsync(new EventListOptions { Limit = 100 })).Data
            .Where(e => !before.Contains(e.Id) && e.Type != "charge.updated").ToList();
        fresh.Should().OnlyContain(e => e.Request.Id == null, "the network's answer is no API request");

        var pi = await Client.V1.PaymentIntents.GetAsync(first.Id);
        var settled = await Client.V1.Charges.GetAsync(ch.Id);
        if (settleOutcome == "succeed")
        {
            fresh.Select(e => e.Type).Order().Should().Equal("charge.succeeded", "payment_intent.succeeded");
            pi.Status.Should().Be("succeeded");
            pi.AmountReceived.Should().Be(1000);
            settled.Status.Should().Be("succeeded");
            settled.Paid.Should().BeTrue();
            settled.Captured.Should().BeTrue();
            settled.Outcome.Type.Should().Be("authorized");
            settled.BalanceTransactionId.Should().StartWith("txn_");
            (await BalanceMatchesNetsAsync()).Should().Be(1000 - 59);
            (await PayAsync()).Status.Should().Be("succeeded", "remaining 1: the card decides again");
        }
        else
        {
            fresh.Select(e => e.Type).Order().Should().Equal("charge.failed", "payment_intent.payment_failed");
            pi.Status.Should().Be("requires_payment_method");
            pi.LastPaymentError.Type.Should().Be("card_error");
            pi.LastPaymentError.Code.Should().Be("card_declined");
            pi.LastPaymentError.DeclineCode.Should().Be("do_not_honor");
            pi.LastPaymentError.Charge.Should().Be(ch.Id);
            settled.Status.Should().Be("failed");
            settled.Outcome.Reason.Should().Be("do_not_honor");
            settled.BalanceTransactionId.Should().BeNull();
            (await BalanceMatchesNetsAsync()).Should().Be(0);
            (await Client.V1.PaymentIntents.ConfirmAsync(pi.Id, new PaymentIntentConfirmOptions { PaymentMethod = "pm_card_visa" })).Status.Should().Be("succeeded");
        }
        await BalanceMatchesNetsAsync();
    }

    [EmulatorFact]
    public async Task Matching_on_amount_currency_brand_last4_and_metadata()
    {
        await AddRuleAsync(("outcome", "decline"), ("decline_code", "insufficient_funds"), ("match[amount_gte]", "5000"));
        await AddRuleAsync(("outcome", "decline"), ("decline_code", "currency_not_supported"), ("match[currency]", "eur"));
        await AddRuleAsync(("outcome", "decline"), ("decline_code", "do_not_honor"), ("match[brand]", "mastercard"));
        await AddRuleAsync(("outcome", "block"), ("match[metadata][scenario]", "fraud"));
        (await PayAsync(4999)).Status.Should().Be("succeeded");
        await DeclinedAsync(PayAsync(5000), "insufficient_funds");
        await DeclinedAsync(PayAsync(configure: o => o.Currency = "eur"), "currency_not_supported");
        await DeclinedAsync(PayAsync(paymentMethod: "pm_card_mastercard"), "do_not_honor");
        await DeclinedAsync(PayAsync(configure: o => o.Metadata = new() { ["scenario"] = "fraud", ["other"] = "x" }), "fraudulent");
        (await PayAsync(configure: o => o.Metadata = new() { ["scenario"] = "normal" })).Status.Should().Be("succeeded");
        (await PayAsync(paymentMethod: "pm_card_amex")).Status.Should().Be("succeeded");
        (await RulesAsync()).Select(r => r!["fired"]!.GetValue<int>()).Should().Equal(1, 1, 1, 1);
    }

    [EmulatorFact]
    public async Task Attempt_one_is_declined_and_a_retry_on_the_same_intent_succeeds()
    {
        await AddRuleAsync(("outcome", "decline"), ("decline_code", "try_again_later"), ("match[attempt]", "1"));
        var err = await DeclinedAsync(PayAsync(), "try_again_later");
        var piId = err.StripeError.PaymentIntent.Id;
        (await Client.V1.PaymentIntents.ConfirmAsync(piId, new PaymentIntentConfirmOptions { PaymentMethod = "pm_card_visa" })).Status.Should().Be("succeeded");
        (await Client.V1.Charges.ListAsync(new ChargeListOptions { PaymentIntent = piId })).Data.Select(c => c.Status).Order().Should().Equal("failed", "succeeded");
        await DeclinedAsync(PayAsync(), "try_again_later");
    }

    [EmulatorFact]
    public async Task Remaining_one_fires_once_and_rules_are_per_merchant()
    {
        await AddRuleAsync(("outcome", "decline"), ("decline_code", "insufficient_funds"), ("remaining", "1"));
        await DeclinedAsync(PayAsync(), "insufficient_funds");
        (await PayAsync()).Status.Should().Be("succeeded");
        await DeclinedAsync(PayAsync(paymentMethod: "pm_card_chargeDeclined"), "generic_decline");
        var rule = (await RulesAsync()).Single()!;
        rule["fired"]!.GetValue<int>().Should().Be(1);
        rule["remaining"]!.GetValue<int>().Should().Be(0);
        rule["active"]!.GetValue<bool>().Should().BeFalse();

        var other = Target.NewMerchant();
        (await other.GetControlAsync("/_mock/network_rules"))["data"]!.AsArray().Should().BeEmpty();
    }

    [EmulatorFact]
    public async Task Delete_one_and_delete_all()
    {
        var r1 = await AddRuleAsync(("outcome", "decline"), ("decline_code", "insufficient_funds"), ("match[amount_gte]", "5000"));
        var r2 = await AddRuleAsync(("outcome", "approve"), ("match[currency]", "eur"));
        var id2 = r2["id"]!.GetValue<string>();
        var one = await Merchant.DeleteControlAsync($"/_mock/network_rules/{id2}");
        one["deleted"]!.GetValue<bool>().Should().BeTrue();
        var (status, missing) = await Merchant.RawAsync(HttpMethod.Delete, $"/_mock/network_rules/{id2}");
        status.Should().Be(404);
        missing!["error"]!["code"]!.GetValue<string>().Should().Be("resource_missing");
        (await RulesAsync()).Select(r => r!["id"]!.GetValue<string>()).Should().Equal(r1["id"]!.GetValue<string>());
        (await Merchant.DeleteControlAsync("/_mock/network_rules"))["deleted"]!.GetValue<int>().Should().Be(1);
        (await PayAsync(6000)).Status.Should().Be("succeeded");
    }
}
