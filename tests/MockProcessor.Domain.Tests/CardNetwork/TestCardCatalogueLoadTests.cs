using MockProcessor.Domain.CardNetwork;

namespace MockProcessor.Domain.Tests.CardNetwork;

public class TestCardCatalogueLoadTests
{
    private const string Behavior = """
        { "charge": "succeed", "error_code": null, "decline_code": null, "message": null, "outcome_reason": null,
          "network_status": "approved_by_network", "outcome_type": "authorized", "risk_level": "normal", "risk_score": 32,
          "attach": "succeed", "cvc_check": "pass", "address_line1_check": "pass", "address_postal_code_check": "pass",
          "three_d_secure": "supported", "after_authentication": null, "dispute": null, "early_fraud_warning": false,
          "refund": "succeed", "funds": "pending" }
        """;

    private static string Card(string number, string pms, string toks, string extra = "", string behavior = Behavior) => $$"""
        { "number": "{{number}}", "brand": "visa", "display_brand": "visa", "country": "US", "funding": "credit",
          "payment_methods": [{{pms}}], "tokens": [{{toks}}], "description": "d", {{extra}} "behavior": {{behavior}} }
        """;

    private static InvalidDataException LoadFails(params string[] cards) =>
        Assert.ThrowsAny<Exception>(() => TestCardCatalogue.FromJson($"[{string.Join(",", cards)}]")) switch
        {
            InvalidDataException e => e,
            var other => throw new Xunit.Sdk.XunitException($"expected InvalidDataException, got {other.GetType().Name}: {other.Message}"),
        };

    [Fact]
    public void A_valid_file_loads()
    {
        var catalogue = TestCardCatalogue.FromJson($"[{Card("4242424242424242", "\"pm_card_visa\"", "\"tok_visa\"")}]");
        Assert.Equal("4242424242424242", catalogue.ByTokenAlias("tok_visa")?.Number);
    }

    [Fact]
    public void Duplicate_alias_is_rejected_naming_the_alias()
    {
        var e = LoadFails(
            Card("4242424242424242", "\"pm_card_visa\"", "\"tok_visa\""),
            Card("4000056655665556", "\"pm_card_visa\"", "\"tok_visa_debit\""));
        Assert.Contains("'pm_card_visa'", e.Message);
        Assert.Contains("4000056655665556", e.Message);
    }

    [Fact]
    public void Duplicate_number_without_alias_only_is_rejected()
    {
        var e = LoadFails(
            Card("4242424242424242", "\"pm_card_visa\"", ""),
            Card("4242424242424242", "", "\"tok_visa\""));
        Assert.Contains("alias_only", e.Message);
    }

    [Fact]
    public void Alias_only_entry_shares_a_number_and_is_found_only_by_alias()
    {
        var catalogue = TestCardCatalogue.FromJson(
            $"[{Card("4242424242424242", "\"pm_card_visa\"", "")},{Card("4242424242424242", "", "\"tok_special\"", "\"alias_only\": true,")}]");
        Assert.True(catalogue.ByTokenAlias("tok_special")!.AliasOnly);
        Assert.False(catalogue.ByNumber("4242424242424242")!.AliasOnly);
    }

    [Fact]
    public void Alias_only_entry_without_a_regular_twin_is_rejected() =>
        LoadFails(Card("4242424242424242", "", "\"tok_special\"", "\"alias_only\": true,"));

    [Fact]
    public void Luhn_flag_must_agree_with_the_number()
    {
        LoadFails(Card("4242424242424241", "", ""));
        LoadFails(Card("4242424242424242", "", "", "\"luhn_valid\": false,"));
    }

    [Fact]
    public void Alias_in_the_wrong_list_is_rejected() =>
        Assert.Contains("tok_visa", LoadFails(Card("4242424242424242", "\"tok_visa\"", "")).Message);

    [Fact]
    public void Decline_without_codes_is_rejected() =>
        LoadFails(Card("4000000000000002", "", "", behavior: Behavior.Replace("\"charge\": \"succeed\"", "\"charge\": \"decline\"")));

    [Theory]
    [InlineData("\"risk_level\": \"normal\"", "\"risk_level\": \"medium\"")]          // unknown enum value
    [InlineData("\"funds\": \"pending\"", "\"funds\": \"pending\", \"surprise\": 1")]  // unknown field
    [InlineData("\"refund\": \"succeed\", ", "")]                                     // missing field
    [InlineData("\"risk_level\": \"normal\"", "\"risk_level\": 0")]                   // enum as integer
    public void Malformed_behavior_fails_to_load(string find, string replace)
    {
        var json = $"[{Card("4242424242424242", "", "", behavior: Behavior.Replace(find, replace))}]";
        Assert.NotEqual(json, $"[{Card("4242424242424242", "", "")}]"); // the replacement really happened
        Assert.Contains("malformed", LoadFails(json[1..^1]).Message);
    }
}
