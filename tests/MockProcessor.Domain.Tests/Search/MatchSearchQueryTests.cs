using MockProcessor.Domain.Search;

namespace MockProcessor.Domain.Tests.Search;

public class MatchSearchQueryTests
{
    private static bool Matches(string query, FakeSearchDocument doc)
    {
        var outcome = SearchQuery.Parse(query, TestSchema.Instance);
        Assert.False(outcome.IsError, $"'{query}' should parse, got: {outcome.Error?.Message}");
        return outcome.Value.Matches(doc);
    }

    // Against Jenny: email jenny.rosen@example.com, name "Jenny Q. Rosen", currency usd, status succeeded,
    // created 1700000000, amount 2000, metadata order_id=ORD-42 and donation-id=asdf-jkl; phone absent.
    [Theory]
    // ':' on a string field: the query's words as a contiguous, in-order run, case-insensitive.
    [InlineData("email:\"jenny.rosen@example.com\"", true)]
    [InlineData("email:\"JENNY.ROSEN@EXAMPLE.COM\"", true)]
    [InlineData("name:\"jenny\"", true)]
    [InlineData("name:\"Jenny Q\"", true)]
    [InlineData("name:\"q rosen\"", true)]
    [InlineData("name:\"Rosen Jenny\"", false)]
    [InlineData("name:\"Jenny Rosen\"", false)]
    [InlineData("name:\"jen\"", false)]
    [InlineData("email:\"rosen example\"", true)]
    // '~' is a case-insensitive substring.
    [InlineData("name~\"jen\"", true)]
    [InlineData("email~\"ROSEN@EX\"", true)]
    [InlineData("email~\"rosa\"", false)]
    [InlineData("name~\"nny q. ro\"", true)]
    // Tokens: whole-value equality, case-insensitive.
    [InlineData("currency:\"usd\"", true)]
    [InlineData("currency:'USD'", true)]
    [InlineData("currency:\"us\"", false)]
    [InlineData("status:\"succeeded\"", true)]
    // Numbers.
    [InlineData("created:1700000000", true)]
    [InlineData("created=1700000000", true)]
    [InlineData("created=1700000001", false)]
    [InlineData("created>1699999999", true)]
    [InlineData("created>1700000000", false)]
    [InlineData("created>=1700000000", true)]
    [InlineData("created<1700000000", false)]
    [InlineData("created<=1700000000", true)]
    [InlineData("created<\"1700000001\"", true)]
    [InlineData("amount>-1", true)]
    // Metadata, both quote styles; values compare like tokens.
    [InlineData("metadata[\"order_id\"]:\"ORD-42\"", true)]
    [InlineData("metadata['order_id']:'ord-42'", true)]
    [InlineData("metadata['order_id']:'ORD-4'", false)]
    [InlineData("metadata[\"donation-id\"]:\"asdf-jkl\"", true)]
    [InlineData("metadata[\"missing\"]:\"x\"", false)]
    // Null tests and negation.
    [InlineData("phone:null", true)]
    [InlineData("email:null", false)]
    [InlineData("-email:null", true)]
    [InlineData("metadata[\"missing\"]:null", true)]
    [InlineData("-metadata[\"donation-id\"]:null", true)]
    [InlineData("-metadata[\"missing\"]:null", false)]
    [InlineData("amount:null", false)]
    [InlineData("-currency:\"jpy\"", true)]
    [InlineData("-currency:\"usd\"", false)]
    [InlineData("-created>1600000000", false)]
    [InlineData("-phone:\"+1555\"", true)]
    // Combinations.
    [InlineData("currency:\"usd\" created>1600000000", true)]
    [InlineData("currency:\"usd\" created>1800000000", false)]
    [InlineData("currency:\"usd\" AND name~\"ros\"", true)]
    [InlineData("currency:\"usd\" AND name~\"xyz\"", false)]
    [InlineData("currency:\"eur\" OR name~\"ros\"", true)]
    [InlineData("currency:\"eur\" OR currency:\"gbp\"", false)]
    [InlineData("currency:\"eur\" OR -currency:\"gbp\"", true)]
    public void Query_matches_the_document_as_documented(string query, bool expected)
    {
        Assert.Equal(expected, Matches(query, FakeSearchDocument.Jenny()));
    }

    [Fact]
    public void Empty_strings_count_as_absent()
    {
        var doc = FakeSearchDocument.Jenny();
        doc.Strings["phone"] = "";
        doc.Metadata["blank"] = "";
        Assert.True(Matches("phone:null", doc));
        Assert.True(Matches("metadata[\"blank\"]:null", doc));
        Assert.False(Matches("phone:\"\"", doc));
    }

    [Fact]
    public void Unquoted_number_on_a_token_field_keeps_its_leading_zeros()
    {
        var doc = FakeSearchDocument.Jenny();
        doc.Strings["payment_method_details.card.last4"] = "0042";
        Assert.True(Matches("payment_method_details.card.last4:0042", doc));
        Assert.False(Matches("payment_method_details.card.last4:42", doc));
    }

    [Fact]
    public void Or_query_matches_any_of_several_documents()
    {
        var usd = FakeSearchDocument.Jenny();
        var eur = FakeSearchDocument.Jenny();
        eur.Strings["currency"] = "eur";
        var gbp = FakeSearchDocument.Jenny();
        gbp.Strings["currency"] = "gbp";

        var query = SearchQuery.Parse("currency:\"usd\" OR currency:\"eur\"", TestSchema.Instance).Value;

        Assert.Equal([true, true, false], new[] { usd, eur, gbp }.Select(query.Matches));
    }
}
