using MockProcessor.Domain.Customers;

namespace MockProcessor.Domain.Tests.Customers;

public class TaxIdRulesTests
{
    [Theory]
    [InlineData("eu_vat", "DE123456789", "DE")]
    [InlineData("eu_vat", "ATU12345678", "AT")]
    [InlineData("eu_vat", "EL123456789", "GR")]
    [InlineData("eu_vat", "NL123456789B12", "NL")]
    [InlineData("eu_vat", "fr ab 123456789", "FR")]
    [InlineData("gb_vat", "GB123456789", "GB")]
    [InlineData("us_ein", "12-3456789", "US")]
    [InlineData("au_abn", "12345678912", "AU")]
    [InlineData("ca_gst_hst", "123456789RT0002", "CA")]
    [InlineData("ch_vat", "CHE-123.456.789 MWST", "CH")]
    [InlineData("br_cpf", "123.456.789-87", "BR")]
    [InlineData("in_gst", "12ABCDE3456FGZH", "IN")]
    [InlineData("kr_brn", "anything goes", "KR")] // a type whose format is not checked
    public void Accepted_values_and_their_country(string type, string value, string country)
    {
        Assert.Null(TaxIdRules.Validate(type, value));
        Assert.Equal(country, TaxIdRules.CountryOf(type, value));
    }

    [Theory]
    [InlineData("eu_vat", "DE12345678")]
    [InlineData("eu_vat", "US123456789")]
    [InlineData("gb_vat", "123456789")]
    [InlineData("us_ein", "123-45-6789")]
    [InlineData("au_abn", "1234567891")]
    [InlineData("br_cnpj", "01234456543210")]
    [InlineData("kr_brn", "")]
    public void Malformed_values_are_tax_id_invalid_on_value(string type, string value)
    {
        var error = TaxIdRules.Validate(type, value)!;
        Assert.Equal(("tax_id_invalid", "value", 400), (error.Code, error.Param, error.Status));
    }

    [Fact]
    public void An_unknown_type_is_refused_on_type() =>
        Assert.Equal("type", TaxIdRules.Validate("xx_vat", "1")!.Param);

    [Theory]
    [InlineData("eu_vat", "DE000000000", TaxIdVerificationStatus.Verified)]
    [InlineData("gb_vat", "GB111111111", TaxIdVerificationStatus.Unverified)]
    [InlineData("au_abn", "12345678912", null)]
    public void Test_values_settle_a_pending_verification(string type, string value, TaxIdVerificationStatus? outcome)
    {
        Assert.Equal(TaxIdVerificationStatus.Pending, TaxIdRules.Initial(type));
        var taxId = new TaxId { Id = "txi_1", AccountId = "acct_1", Created = 1, Type = type, Value = value, Verification = TaxIdRules.Initial(type) };
        Assert.Equal(outcome, TaxIdRules.Outcome(taxId));
        Assert.Null(TaxIdRules.Outcome(taxId with { Verification = TaxIdVerificationStatus.Verified }));
    }

    [Fact]
    public void Types_without_an_authority_check_are_unavailable() =>
        Assert.Equal(TaxIdVerificationStatus.Unavailable, TaxIdRules.Initial("us_ein"));
}
