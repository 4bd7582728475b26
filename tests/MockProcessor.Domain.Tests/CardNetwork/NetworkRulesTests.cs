using System.Collections.Immutable;
using MockProcessor.Domain.CardNetwork;
using MockProcessor.Domain.Charges;
using MockProcessor.Domain.Events;
using MockProcessor.Domain.PaymentIntents;
using static MockProcessor.Domain.Tests.Support.Fixtures;

namespace MockProcessor.Domain.Tests.CardNetwork;

public class NetworkRulesTests
{
    private static readonly AttemptFacts Visa = new("visa", "4242", "US", "cus_1",
        ImmutableSortedDictionary<string, string>.Empty.Add("order", "A"), Attempt: 1);

    private static NetworkRule Rule(NetworkRuleMatch? match = null, NetworkRuleOutcome? outcome = null, int? remaining = null, string id = "rule_1") =>
        new() { Id = id, Created = Now, Match = match ?? new(), Outcome = outcome ?? new(NetworkRuleOutcomeKind.Decline), Remaining = remaining };

    private static bool Matches(NetworkRuleMatch m, long amount = 2000, string currency = "usd", AttemptFacts? facts = null) =>
        NetworkRules.Matches(m, amount, currency, facts ?? Visa);

    [Fact]
    public void Each_condition_narrows_the_match()
    {
        Assert.True(Matches(new()));
        Assert.True(Matches(new() { Amount = 2000 }));
        Assert.False(Matches(new() { Amount = 2001 }));
        Assert.True(Matches(new() { AmountGte = 2000, AmountLte = 2000 }));
        Assert.False(Matches(new() { AmountGte = 2001 }));
        Assert.False(Matches(new() { AmountLte = 1999 }));
        Assert.True(Matches(new() { Currency = "USD", Brand = "Visa", Country = "us" }));
        Assert.False(Matches(new() { Currency = "eur" }));
        Assert.False(Matches(new() { Brand = "mastercard" }));
        Assert.True(Matches(new() { Last4 = "4242", Customer = "cus_1", Attempt = 1 }));
        Assert.False(Matches(new() { Last4 = "0002" }));
        Assert.False(Matches(new() { Customer = "cus_2" }));
        Assert.False(Matches(new() { Attempt = 2 }));
        Assert.True(Matches(new() { Metadata = ImmutableSortedDictionary<string, string>.Empty.Add("order", "A") }));
        Assert.False(Matches(new() { Metadata = ImmutableSortedDictionary<string, string>.Empty.Add("order", "B") }));
        Assert.False(Matches(new() { Metadata = ImmutableSortedDictionary<string, string>.Empty.Add("other", "A") }));
    }

    [Fact]
    public void The_first_active_matching_rule_wins_and_spent_rules_are_skipped()
    {
        var spent = Rule(new() { Amount = 2000 }, remaining: 0, id: "rule_spent");
        var miss = Rule(new() { Currency = "eur" }, id: "rule_miss");
        var first = Rule(new() { AmountGte = 1000 }, id: "rule_first");
        var second = Rule(id: "rule_second");
        Assert.Equal("rule_first", NetworkRules.FirstMatch([spent, miss, first, second], 2000, "usd", Visa)!.Id);
        Assert.Null(NetworkRules.FirstMatch([spent, miss], 2000, "usd", Visa));
    }

    [Fact]
    public void Firing_counts_and_spends_the_next_N()
    {
        var rules = ImmutableList.Create(Rule(remaining: 2), Rule(id: "rule_forever"));
        rules = NetworkRules.RecordFired(NetworkRules.RecordFired(rules, "rule_1"), "rule_1");
        Assert.Equal((2, 0, false), (rules[0].Fired, rules[0].Remaining!.Value, rules[0].Active));
        rules = NetworkRules.RecordFired(rules, "rule_forever");
        Assert.Equal((1, (int?)null, true), (rules[1].Fired, rules[1].Remaining, rules[1].Active));
    }

    private static NetworkDecision Decide(NetworkRuleOutcome outcome, string pm = "pm_card_visa", bool offSession = false, bool authenticated = false)
    {
        var card = Card(pm);
        var request = new AuthorizationRequest(card, 2000, "usd", true, false, false, offSession, authenticated, false, Now)
        {
            Rules = [Rule(outcome: outcome)], Facts = Visa,
        };
        return CardNetworkEngine.Authorize(request);
    }

    [Fact]
    public void A_decline_rule_uses_stripes_codes_and_messages()
    {
        var d = Assert.IsType<NetworkDecision.Declined>(Decide(new(NetworkRuleOutcomeKind.Decline) { DeclineCode = "insufficient_funds" }));
        Assert.Equal(("card_declined", "insufficient_funds", "Your card has insufficient funds."), (d.Failure.Code, d.Failure.DeclineCode, d.Failure.Message));
        Assert.Equal("rule_1", d.RuleId);
        Assert.Equal("insufficient_funds", d.Outcome.Reason);
        var expired = Assert.IsType<NetworkDecision.Declined>(Decide(new(NetworkRuleOutcomeKind.Decline) { DeclineCode = "expired_card" }));
        Assert.Equal("expired_card", expired.Failure.Code);
        var custom = Assert.IsType<NetworkDecision.Declined>(Decide(new(NetworkRuleOutcomeKind.Decline)
            { DeclineCode = "pickup_card", ErrorCode = "card_declined", Message = "Keep the card." }));
        Assert.Equal(("card_declined", "pickup_card", "Keep the card."), (custom.Failure.Code, custom.Failure.DeclineCode, custom.Failure.Message));
        var generic = Assert.IsType<NetworkDecision.Declined>(Decide(new(NetworkRuleOutcomeKind.Decline)));
        Assert.Equal(("generic_decline", "Your card was declined."), (generic.Failure.DeclineCode, generic.Failure.Message));
    }

    [Fact]
    public void A_block_rule_is_a_radar_block()
    {
        var b = Assert.IsType<NetworkDecision.Blocked>(Decide(new(NetworkRuleOutcomeKind.Block)));
        Assert.Equal(("card_declined", "fraudulent"), (b.Failure.Code, b.Failure.DeclineCode));
        Assert.Equal(OutcomeType.Blocked, b.Outcome.Type);
        Assert.Equal(NetworkStatus.NotSentToNetwork, b.Outcome.NetworkStatus);
    }

    [Fact]
    public void An_approve_rule_approves_a_decline_card()
    {
        var a = Assert.IsType<NetworkDecision.Approved>(Decide(new(NetworkRuleOutcomeKind.Approve), "pm_card_chargeDeclined"));
        Assert.Equal(OutcomeType.Authorized, a.Outcome.Type);
        Assert.Equal("rule_1", a.RuleId);
    }

    [Fact]
    public void A_require_3ds_rule_challenges_on_session_soft_declines_off_session_and_is_satisfied_by_authentication()
    {
        var outcome = new NetworkRuleOutcome(NetworkRuleOutcomeKind.RequireThreeDSecure);
        Assert.IsType<NetworkDecision.RequiresAuthentication>(Decide(outcome));
        Assert.Equal("authentication_required", Assert.IsType<NetworkDecision.Declined>(Decide(outcome, offSession: true)).Failure.Code);
        var after = Assert.IsType<NetworkDecision.Approved>(Decide(outcome, authenticated: true));
        Assert.Null(after.RuleId); // the card decided once the challenge was passed
    }

    [Fact]
    public void A_timeout_rule_answers_later_with_the_settlement_outcome()
    {
        var yes = Assert.IsType<NetworkDecision.TimedOut>(Decide(new(NetworkRuleOutcomeKind.Timeout) { SettleAfterSeconds = 30 }));
        Assert.Equal(Now + 30, yes.Settlement.DueAt);
        Assert.True(yes.Settlement.Succeeds);
        var no = Assert.IsType<NetworkDecision.TimedOut>(Decide(new(NetworkRuleOutcomeKind.Timeout) { SettleSucceeds = false, DeclineCode = "do_not_honor" }));
        Assert.Equal("do_not_honor", no.Settlement.Failure!.DeclineCode);
    }

    [Fact]
    public void Without_a_matching_rule_the_card_decides()
    {
        var card = Card("pm_card_chargeDeclined");
        var request = new AuthorizationRequest(card, 2000, "usd", true, false, false, false, false, false, Now)
        {
            Rules = [Rule(new() { Currency = "eur" }, new(NetworkRuleOutcomeKind.Approve))], Facts = Visa,
        };
        var d = Assert.IsType<NetworkDecision.Declined>(CardNetworkEngine.Authorize(request));
        Assert.Null(d.RuleId);
    }

    [Fact]
    public void A_timed_out_payment_intent_processes_then_settles_either_way()
    {
        var ids = NewIds();
        var options = new ConfirmOptions { NetworkRules = [Rule(outcome: new(NetworkRuleOutcomeKind.Timeout) { SettleAfterSeconds = 5 })] };
        var processing = Pay("pm_card_visa", ids, options: options);
        Assert.Equal(PaymentIntentStatus.Processing, processing.PaymentIntent.Status);
        Assert.Equal(ChargeStatus.Pending, processing.Charge!.Status);
        Assert.Null(processing.BalanceTransaction);
        Assert.Equal("rule_1", processing.FiredRule);
        Assert.Equal([EventTypes.ChargePending, EventTypes.PaymentIntentProcessing], processing.Events);
        Assert.Equal("payment_intent_unexpected_state",
            Err(PaymentIntentRules.Cancel(processing.PaymentIntent, processing.Charge, null, Now, ids)).Code);

        var settled = PaymentIntentRules.SettleNetwork(processing.PaymentIntent, processing.Charge, Now + 5, ids);
        Assert.Equal(PaymentIntentStatus.Succeeded, settled.PaymentIntent.Status);
        Assert.NotNull(settled.BalanceTransaction);
        Assert.Equal(Now + 5, settled.BalanceTransaction!.Created);
        Assert.Null(settled.Charge!.PendingSettlement);

        var failing = new ConfirmOptions { NetworkRules = [Rule(outcome: new(NetworkRuleOutcomeKind.Timeout) { SettleSucceeds = false })] };
        var p2 = Pay("pm_card_visa", ids, options: failing);
        var failed = PaymentIntentRules.SettleNetwork(p2.PaymentIntent, p2.Charge!, Now + 60, ids);
        Assert.Equal(PaymentIntentStatus.RequiresPaymentMethod, failed.PaymentIntent.Status);
        Assert.Equal(ChargeStatus.Failed, failed.Charge!.Status);
        Assert.Equal([EventTypes.ChargeFailed, EventTypes.PaymentIntentPaymentFailed], failed.Events);
    }
}
