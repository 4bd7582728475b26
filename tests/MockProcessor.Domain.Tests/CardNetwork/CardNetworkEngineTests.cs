using MockProcessor.Domain.CardNetwork;
using MockProcessor.Domain.Charges;
using static MockProcessor.Domain.Tests.Support.Fixtures;

namespace MockProcessor.Domain.Tests.CardNetwork;

public class CardNetworkEngineTests
{
    private static NetworkDecision Run(TestCard card, bool cvc = true, bool line1 = false, bool postal = false,
        bool offSession = false, bool authenticated = false, bool setup = false) =>
        CardNetworkEngine.Authorize(card, 2000, "usd", cvc, line1, postal, offSession, authenticated, setup, Now);

    // Every card whose issuer answer is a decline and that needs no 3DS first (3DS cards are tested below).
    public static TheoryData<string> DeclineCards()
    {
        var data = new TheoryData<string>();
        foreach (var key in DeclineCardKeys()) data.Add(key);
        return data;
    }

    private static IEnumerable<string> DeclineCardKeys() =>
        TestCardCatalogue.Default.All
            .Where(card => card.Behavior.Charge is ChargeResult.Decline
                && !CardNetworkEngine.NeedsAuthentication(card.Behavior.ThreeDSecure, offSession: false, setupForOffSession: false))
            .Select(card => card.PaymentMethods.Concat(card.Tokens).FirstOrDefault() ?? card.Number);

    private static TestCard Find(string key) =>
        TestCardCatalogue.Default.ByPaymentMethodAlias(key) ?? TestCardCatalogue.Default.ByTokenAlias(key)
        ?? TestCardCatalogue.Default.ByNumber(key) ?? throw new ArgumentException(key);

    [Theory]
    [MemberData(nameof(DeclineCards))]
    public void Decline_cards_decline_with_the_catalogue_codes(string key)
    {
        var card = Find(key);
        var declined = Assert.IsType<NetworkDecision.Declined>(Run(card, cvc: true));
        Assert.Equal(card.Behavior.ErrorCode, declined.Failure.Code);
        Assert.Equal(card.Behavior.DeclineCode, declined.Failure.DeclineCode);
        Assert.Equal(card.Behavior.Message, declined.Failure.Message);
        Assert.Equal(card.Behavior.NetworkStatus, declined.Outcome.NetworkStatus);
        Assert.Equal(card.Behavior.OutcomeType, declined.Outcome.Type);
    }

    [Fact]
    public void The_decline_table_covers_the_section_18_3_cards()
    {
        var keys = DeclineCardKeys().ToHashSet();
        Assert.Subset(keys, new HashSet<string>
        {
            "pm_card_visa_chargeDeclined", "pm_card_visa_chargeDeclinedInsufficientFunds", "pm_card_visa_chargeDeclinedLostCard",
            "pm_card_visa_chargeDeclinedStolenCard", "pm_card_chargeDeclinedExpiredCard", "pm_card_chargeDeclinedIncorrectCvc",
            "pm_card_chargeDeclinedProcessingError", "pm_card_visa_chargeDeclinedVelocityLimitExceeded", "pm_card_chargeCustomerFail",
        });
    }

    [Theory]
    [InlineData("pm_card_visa_chargeDeclinedInsufficientFunds", "The bank returned the decline code `insufficient_funds`.", "try_again_later")]
    [InlineData("pm_card_visa_chargeDeclined", "The bank did not return any further details with this decline.", null)]
    [InlineData("pm_card_visa_chargeDeclinedStolenCard", "The bank returned the decline code `stolen_card`.", "do_not_try_again")]
    public void Decline_outcome_explains_the_decline_to_the_seller(string alias, string sellerMessage, string? advice)
    {
        var declined = Assert.IsType<NetworkDecision.Declined>(Run(Card(alias)));
        Assert.Equal(sellerMessage, declined.Outcome.SellerMessage);
        Assert.Equal(advice, declined.Failure.AdviceCode);
    }

    [Theory]
    [InlineData("pm_card_radarBlock", 95)]
    [InlineData("pm_card_riskLevelHighest", 85)]
    public void Radar_blocks_before_the_network(string alias, int score)
    {
        foreach (var offSession in new[] { false, true })
        {
            var blocked = Assert.IsType<NetworkDecision.Blocked>(Run(Card(alias), offSession: offSession));
            Assert.Equal(("card_declined", "fraudulent"), (blocked.Failure.Code, blocked.Failure.DeclineCode));
            Assert.Equal(NetworkStatus.NotSentToNetwork, blocked.Outcome.NetworkStatus);
            Assert.Equal(OutcomeType.Blocked, blocked.Outcome.Type);
            Assert.Equal("highest_risk_level", blocked.Outcome.Reason);
            Assert.Equal(RiskLevel.Highest, blocked.Outcome.RiskLevel);
            Assert.Equal(score, blocked.Outcome.RiskScore);
        }
    }

    [Theory]
    [InlineData("pm_card_cvcCheckFail")]
    [InlineData("pm_card_cvcCheckFailElevatedRisk")]
    public void Cvc_fail_cards_decline_only_when_a_cvc_was_sent(string alias)
    {
        var declined = Assert.IsType<NetworkDecision.Declined>(Run(Card(alias), cvc: true));
        Assert.Equal("incorrect_cvc", declined.Failure.Code);
        Assert.Equal("cvc", declined.Failure.Param);
        Assert.Equal(CheckResult.Fail, declined.Checks.CvcCheck);

        var approved = Assert.IsType<NetworkDecision.Approved>(Run(Card(alias), cvc: false));
        Assert.Null(approved.Checks.CvcCheck);
        Assert.Null(approved.Outcome.Reason);
        Assert.Equal(NetworkStatus.ApprovedByNetwork, approved.Outcome.NetworkStatus);
    }

    [Fact]
    public void Incorrect_cvc_card_0127_declines_even_without_a_cvc() =>
        Assert.IsType<NetworkDecision.Declined>(Run(Card("pm_card_chargeDeclinedIncorrectCvc"), cvc: false));

    [Theory]
    [InlineData("pm_card_avsZipFail", true, true, null, CheckResult.Fail)]
    [InlineData("pm_card_avsLine1Fail", true, true, CheckResult.Fail, CheckResult.Pass)]
    [InlineData("pm_card_avsFail", true, true, CheckResult.Fail, CheckResult.Fail)]
    [InlineData("pm_card_avsFail", false, false, null, null)]
    [InlineData("pm_card_avsUnchecked", true, true, CheckResult.Unavailable, CheckResult.Unavailable)]
    public void Address_checks_report_only_what_was_supplied(string alias, bool line1, bool postal, CheckResult? line1Check, CheckResult? postalCheck)
    {
        var approved = Assert.IsType<NetworkDecision.Approved>(Run(Card(alias), line1: line1, postal: postal));
        Assert.Equal(postalCheck, approved.Checks.AddressPostalCodeCheck);
        if (alias != "pm_card_avsZipFail") Assert.Equal(line1Check, approved.Checks.AddressLine1Check);
    }

    public enum Expect { Approved, RequiresAuthentication, AuthenticationRequired, Declined }

    // (card, off session, set up for off session, authenticated) → answer; §18.5.
    [Theory]
    [InlineData("pm_card_threeDSecure2Required", false, false, false, Expect.RequiresAuthentication)]
    [InlineData("pm_card_threeDSecure2Required", false, false, true, Expect.Approved)]
    [InlineData("pm_card_threeDSecure2Required", true, false, false, Expect.AuthenticationRequired)]
    [InlineData("pm_card_authenticationRequired", true, true, false, Expect.AuthenticationRequired)]
    [InlineData("pm_card_authenticationRequired", false, false, true, Expect.Approved)]
    [InlineData("pm_card_authenticationRequiredOnSetup", false, true, false, Expect.RequiresAuthentication)]
    [InlineData("pm_card_authenticationRequiredOnSetup", true, false, false, Expect.AuthenticationRequired)]
    [InlineData("pm_card_authenticationRequiredOnSetup", true, true, false, Expect.Approved)]
    [InlineData("pm_card_authenticationRequiredSetupForOffSession", true, false, false, Expect.Approved)]
    [InlineData("pm_card_authenticationRequiredSetupForOffSession", false, false, false, Expect.RequiresAuthentication)]
    [InlineData("pm_card_authenticationRequiredChargeDeclinedInsufficientFunds", false, false, false, Expect.RequiresAuthentication)]
    [InlineData("pm_card_authenticationRequiredChargeDeclinedInsufficientFunds", false, false, true, Expect.Declined)]
    [InlineData("pm_card_threeDSecureRequiredChargeDeclined", false, false, true, Expect.Declined)]
    [InlineData("pm_card_threeDSecureRequiredProcessingError", false, false, false, Expect.Declined)]
    [InlineData("pm_card_threeDSecureOptional", false, false, false, Expect.Approved)]
    [InlineData("pm_card_threeDSecureOptional", true, false, false, Expect.Approved)]
    [InlineData("pm_card_visa", true, false, false, Expect.Approved)]
    public void Three_d_secure_on_and_off_session(string alias, bool offSession, bool setup, bool authenticated, Expect expected)
    {
        var decision = Run(Card(alias), offSession: offSession, setup: setup, authenticated: authenticated);
        switch (expected)
        {
            case Expect.Approved: Assert.IsType<NetworkDecision.Approved>(decision); break;
            case Expect.RequiresAuthentication: Assert.IsType<NetworkDecision.RequiresAuthentication>(decision); break;
            case Expect.AuthenticationRequired:
                var d = Assert.IsType<NetworkDecision.Declined>(decision);
                Assert.Equal(("authentication_required", "authentication_required"), (d.Failure.Code, d.Failure.DeclineCode));
                break;
            case Expect.Declined:
                var declined = Assert.IsType<NetworkDecision.Declined>(decision);
                Assert.NotEqual("authentication_required", declined.Failure.Code);
                break;
        }
    }

    [Fact]
    public void After_authentication_the_catalogue_decline_applies()
    {
        var declined = Assert.IsType<NetworkDecision.Declined>(Run(Card("pm_card_authenticationRequiredChargeDeclinedInsufficientFunds"), authenticated: true));
        Assert.Equal(("card_declined", "insufficient_funds"), (declined.Failure.Code, declined.Failure.DeclineCode));
        Assert.Equal(ThreeDSecureResult.Authenticated, declined.ThreeDSecure?.Result);
    }

    [Fact]
    public void Plain_visa_approves_with_passing_checks()
    {
        var approved = Assert.IsType<NetworkDecision.Approved>(Run(Card("pm_card_visa"), line1: true, postal: true));
        Assert.Equal(new CardChecks(CheckResult.Pass, CheckResult.Pass, CheckResult.Pass), approved.Checks);
        Assert.Equal("Payment complete.", approved.Outcome.SellerMessage);
        Assert.Equal(OutcomeType.Authorized, approved.Outcome.Type);
        Assert.Null(approved.ThreeDSecure);
    }
}
