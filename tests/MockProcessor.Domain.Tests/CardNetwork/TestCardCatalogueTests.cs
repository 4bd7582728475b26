using MockProcessor.Domain.CardNetwork;

namespace MockProcessor.Domain.Tests.CardNetwork;

public class TestCardCatalogueTests
{
    private static readonly TestCardCatalogue Catalogue = TestCardCatalogue.Default;

    public static TheoryData<string> AllAliases()
    {
        var data = new TheoryData<string>();
        foreach (var card in Catalogue.All)
        foreach (var alias in card.PaymentMethods.Concat(card.Tokens))
            data.Add(alias);
        return data;
    }

    // pm_card_*, tok_* or a raw number, the three ways a test card reaches the API.
    private static TestCard Resolve(string key)
    {
        var card = key.StartsWith("pm_", StringComparison.Ordinal) ? Catalogue.ByPaymentMethodAlias(key)
            : key.StartsWith("tok_", StringComparison.Ordinal) ? Catalogue.ByTokenAlias(key)
            : Catalogue.ByNumber(key);
        Assert.True(card is not null, $"'{key}' is not in the catalogue");
        return card!;
    }

    [Fact]
    public void Catalogue_is_loaded_from_the_embedded_resource()
    {
        Assert.True(Catalogue.All.Count > 120, $"only {Catalogue.All.Count} cards loaded");
        Assert.Same(Catalogue, TestCardCatalogue.Default);
    }

    [Fact]
    public void Every_number_passes_Luhn_except_the_one_flagged_invalid()
    {
        var flagged = Catalogue.All.Where(c => !c.LuhnValid).Select(c => c.Number).ToList();
        Assert.Equal(["4242424242424241"], flagged);
        Assert.All(Catalogue.All.Where(c => c.LuhnValid), c => Assert.True(CardNumbers.LuhnValid(c.Number), c.Number));
        Assert.False(CardNumbers.LuhnValid("4242424242424241"));
    }

    [Fact]
    public void BrandOf_matches_the_catalogue_brand_for_every_card_that_is_not_co_branded()
    {
        var mismatches = Catalogue.All
            .Where(c => !c.IsCoBranded && CardNumbers.BrandOf(c.Number) != c.Brand)
            .Select(c => $"{c.Number}: catalogue {c.Brand}, IIN {CardNumbers.BrandOf(c.Number)}")
            .ToList();
        Assert.Empty(mismatches);
    }

    [Fact]
    public void Every_number_has_a_valid_length_for_its_brand() =>
        Assert.All(Catalogue.All, c => Assert.True(CardNumbers.ValidLength(c.Number, c.Brand), $"{c.Number} ({c.Brand})"));

    [Fact]
    public void Co_branded_cards_list_their_brand_among_their_networks() =>
        Assert.All(Catalogue.All.Where(c => c.IsCoBranded), c => Assert.Contains(c.Brand, c.Networks!));

    [Theory]
    [MemberData(nameof(AllAliases))]
    public void Every_alias_resolves_to_the_card_that_lists_it(string alias)
    {
        var owner = Catalogue.All.Single(c => c.PaymentMethods.Contains(alias) || c.Tokens.Contains(alias));
        Assert.Same(owner, Resolve(alias));
    }

    [Fact]
    public void Every_number_resolves_to_a_regular_entry_never_an_alias_only_one()
    {
        foreach (var number in Catalogue.All.Select(c => c.Number).Distinct())
        {
            var card = Resolve(number);
            Assert.False(card.AliasOnly, number);
            Assert.Equal(number, card.Number);
        }
    }

    [Theory]
    [InlineData("PM_CARD_VISA")]
    [InlineData("pm_card_Visa")]
    [InlineData("pm_card_chargedeclined")]
    [InlineData("TOK_VISA")]
    [InlineData("tok_GB")]
    [InlineData("tok_visa_chargedeclinedinsufficientfunds")]
    [InlineData("pm_card_visa ")]
    public void Lookups_are_case_sensitive_like_Stripe_ids(string id)
    {
        Assert.Null(Catalogue.ByPaymentMethodAlias(id));
        Assert.Null(Catalogue.ByTokenAlias(id));
    }

    [Fact]
    public void Token_and_PaymentMethod_lookups_do_not_cross()
    {
        Assert.Null(Catalogue.ByTokenAlias("pm_card_visa"));
        Assert.Null(Catalogue.ByPaymentMethodAlias("tok_visa"));
    }

    [Fact]
    public void Numbers_may_be_looked_up_with_spaces_or_dashes() =>
        Assert.Same(Resolve("4242424242424242"), Catalogue.ByNumber("4242 4242-4242 4242"));

    [Fact]
    public void Every_decline_or_block_card_has_error_code_decline_code_and_message()
    {
        var failing = Catalogue.All.Where(c => c.Behavior.Charge is not ChargeResult.Succeed && c.LuhnValid).ToList();
        Assert.True(failing.Count >= 15, $"only {failing.Count} failing cards");
        Assert.All(failing, c =>
        {
            Assert.False(string.IsNullOrEmpty(c.Behavior.ErrorCode), c.Number);
            Assert.False(string.IsNullOrEmpty(c.Behavior.DeclineCode), c.Number);
            Assert.False(string.IsNullOrEmpty(c.Behavior.Message), c.Number);
            Assert.NotEqual(NetworkStatus.ApprovedByNetwork, c.Behavior.NetworkStatus);
        });
    }

    [Fact]
    public void Risk_scores_fall_in_the_band_of_their_risk_level() =>
        Assert.All(Catalogue.All, c =>
        {
            var (score, level) = (c.Behavior.RiskScore, c.Behavior.RiskLevel);
            var inBand = level switch
            {
                RiskLevel.Normal => score is >= 0 and < 65,
                RiskLevel.Elevated => score is >= 65 and < 75,
                _ => score is >= 75 and <= 100,
            };
            Assert.True(inBand, $"{c.Number}: {level} with score {score}");
        });

    [Fact]
    public void After_authentication_decline_repeats_the_card_decline() =>
        Assert.All(Catalogue.All.Where(c => c.Behavior.AfterAuthentication is not null), c =>
        {
            var after = c.Behavior.AfterAuthentication!;
            Assert.Equal(c.Behavior.DeclineCode, after.DeclineCode);
            Assert.Equal(c.Behavior.ErrorCode, after.ErrorCode);
            Assert.NotEqual(ThreeDSecureRequirement.NotSupported, c.Behavior.ThreeDSecure);
        });

    // Section 18.2: pm_card_<cc> and tok_<cc> exist for every country, and set card.country.
    [Theory]
    [InlineData("US AR BR CA CL CO CR EC MX PA PY PE UY AT BE BG BY CY CZ DK FI FR DE GR HU IE IT LV LT LU MT NL NO PL PT RO SA SI SK ES SE CH GB AU CN HK IN JP MY NZ SG TW TH")]
    public void Every_country_has_pm_card_and_tok_aliases_with_that_country(string countries)
    {
        foreach (var cc in countries.Split(' '))
        {
            Assert.Equal(cc, Resolve($"pm_card_{cc.ToLowerInvariant()}").Country);
            Assert.Same(Resolve($"pm_card_{cc.ToLowerInvariant()}"), Resolve($"tok_{cc.ToLowerInvariant()}"));
        }
    }

    // Section 18.3: decline cards cannot be attached; 0341 (and its token variants) can.
    [Theory]
    [InlineData("4000000000000002", AttachResult.Decline)]
    [InlineData("4000000000009995", AttachResult.Decline)]
    [InlineData("4000000000000069", AttachResult.Decline)]
    [InlineData("4000000000006975", AttachResult.Decline)]
    [InlineData("4100000000000019", AttachResult.Decline)]
    [InlineData("4000000000000341", AttachResult.Succeed)]
    [InlineData("tok_visa_chargeCustomerFailLostCard", AttachResult.Succeed)]
    [InlineData("4242424242424242", AttachResult.Succeed)]
    public void Attach_follows_section_18_3(string key, AttachResult attach) =>
        Assert.Equal(attach, Resolve(key).Behavior.Attach);

    [Theory]
    [InlineData("4000000000009995", "decline_code", "insufficient_funds")]
    [InlineData("4000000000009995", "message", "Your card has insufficient funds.")]
    [InlineData("pm_card_chargeDeclined", "decline_code", "generic_decline")]
    [InlineData("pm_card_chargeDeclined", "number", "4000000000000002")]
    [InlineData("4100000000000019", "charge", "Block")]
    [InlineData("4100000000000019", "decline_code", "fraudulent")]
    [InlineData("4100000000000019", "risk_level", "Highest")]
    [InlineData("4100000000000019", "outcome_reason", "highest_risk_level")]
    [InlineData("tok_chargeDeclinedFraudulent", "number", "4100000000000019")]
    [InlineData("tok_chargeDeclinedFraudulent", "charge", "Block")]
    [InlineData("tok_visa_chargeDeclinedFraudulent", "charge", "Decline")]
    [InlineData("4000000000000077", "funds", "Available")]
    [InlineData("4000000000000341", "attach", "Succeed")]
    [InlineData("4000000000000341", "charge", "Decline")]
    [InlineData("tok_visa_chargeCustomerFailStolenCard", "decline_code", "stolen_card")]
    [InlineData("tok_gb", "country", "GB")]
    [InlineData("tok_gb_mastercard", "brand", "mastercard")]
    [InlineData("378282246310005", "brand", "amex")]
    [InlineData("pm_card_amex_threeDSecureNotSupported", "three_d_secure", "NotSupported")]
    [InlineData("4000000000000069", "error_code", "expired_card")]
    [InlineData("4000000000000069", "decline_code", "expired_card")]
    [InlineData("tok_chargeDeclinedIncorrectCvc", "error_code", "incorrect_cvc")]
    [InlineData("pm_card_chargeDeclinedProcessingError", "error_code", "processing_error")]
    [InlineData("4000056655665556", "funding", "debit")]
    [InlineData("pm_card_mastercard_prepaid", "funding", "prepaid")]
    [InlineData("4000002760003184", "three_d_secure", "RequiredAlways")]
    [InlineData("4000008400001629", "after_authentication", "generic_decline")]
    [InlineData("4000000000009235", "risk_level", "Elevated")]
    [InlineData("4000000000004954", "charge", "Block")]
    [InlineData("4000000000000101", "cvc_check", "Fail")]
    [InlineData("4000000000000044", "address_postal_code_check", "Unavailable")]
    [InlineData("4000000000000101", "decline_only_with_cvc", "True")]
    [InlineData("4000000000000127", "decline_only_with_cvc", "False")]
    [InlineData("4000000000001976", "dispute", "fraudulent/warning_needs_response")]
    [InlineData("4000008400000779", "dispute", "noncompliant/needs_response")]
    [InlineData("4000000000005423", "early_fraud_warning", "True")]
    [InlineData("4000000000007726", "refund", "PendingThenSucceed")]
    [InlineData("4000000000005126", "refund", "SucceedThenFail")]
    [InlineData("4000002500001001", "display_brand", "cartes_bancaires")]
    [InlineData("3566002020360505", "country", "JP")]
    public void Section_18_facts(string key, string field, string expected)
    {
        var card = Resolve(key);
        var b = card.Behavior;
        string? actual = field switch
        {
            "number" => card.Number,
            "brand" => card.Brand,
            "display_brand" => card.DisplayBrand,
            "country" => card.Country,
            "funding" => card.Funding,
            "charge" => b.Charge.ToString(),
            "error_code" => b.ErrorCode,
            "decline_code" => b.DeclineCode,
            "message" => b.Message,
            "outcome_reason" => b.OutcomeReason,
            "risk_level" => b.RiskLevel.ToString(),
            "attach" => b.Attach.ToString(),
            "cvc_check" => b.CvcCheck.ToString(),
            "address_postal_code_check" => b.AddressPostalCodeCheck.ToString(),
            "three_d_secure" => b.ThreeDSecure.ToString(),
            "after_authentication" => b.AfterAuthentication?.DeclineCode,
            "dispute" => b.Dispute is null ? null : $"{b.Dispute.Reason}/{b.Dispute.Status}",
            "early_fraud_warning" => b.EarlyFraudWarning.ToString(),
            "decline_only_with_cvc" => b.DeclineOnlyWithCvc.ToString(),
            "refund" => b.Refund.ToString(),
            "funds" => b.Funds.ToString(),
            _ => throw new ArgumentOutOfRangeException(nameof(field), field, "no accessor in this test"),
        };
        Assert.Equal(expected, actual);
    }
}
