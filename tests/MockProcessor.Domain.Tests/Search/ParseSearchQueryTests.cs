using MockProcessor.Domain.Errors;
using MockProcessor.Domain.Search;

namespace MockProcessor.Domain.Tests.Search;

public class ParseSearchQueryTests
{
    private static SearchQuery ParseOk(string query)
    {
        var outcome = SearchQuery.Parse(query, TestSchema.Instance);
        Assert.False(outcome.IsError, $"'{query}' should parse, got: {outcome.Error?.Message}");
        return outcome.Value;
    }

    private static StripeError ParseError(string query)
    {
        var outcome = SearchQuery.Parse(query, TestSchema.Instance);
        Assert.True(outcome.IsError, $"'{query}' should be rejected, parsed as: {(outcome.IsError ? "" : outcome.Value)}");
        return outcome.Error!;
    }

    // Each valid query and its canonical form (explicit AND/OR, double quotes, bare numbers).
    [Theory]
    [InlineData("email:\"amy@rocketrides.io\"", "email:\"amy@rocketrides.io\"")]
    [InlineData("email:'amy@rocketrides.io'", "email:\"amy@rocketrides.io\"")]
    [InlineData("email~\"amy\"", "email~\"amy\"")]
    [InlineData("currency:\"usd\"", "currency:\"usd\"")]
    [InlineData("created:1700000000", "created:1700000000")]
    [InlineData("created=1700000000", "created=1700000000")]
    [InlineData("created>1700000000", "created>1700000000")]
    [InlineData("created<1700000000", "created<1700000000")]
    [InlineData("created>=1700000000", "created>=1700000000")]
    [InlineData("created<=1700000000", "created<=1700000000")]
    [InlineData("created>=\"1700000000\"", "created>=1700000000")]
    [InlineData("amount>-5", "amount>-5")]
    [InlineData("payment_method_details.card.last4:4242", "payment_method_details.card.last4:\"4242\"")]
    [InlineData("payment_method_details.card.last4:0042", "payment_method_details.card.last4:\"0042\"")]
    [InlineData("name:\"the story called \\\"The Sky\\\"\"", "name:\"the story called \\\"The Sky\\\"\"")]
    [InlineData("name:'it\\'s'", "name:\"it's\"")]
    [InlineData("name:'say \"hi\"'", "name:\"say \\\"hi\\\"\"")]
    [InlineData("name:\"back\\\\slash\"", "name:\"back\\\\slash\"")]
    [InlineData("metadata[\"order_id\"]:\"ORD-42\"", "metadata[\"order_id\"]:\"ORD-42\"")]
    [InlineData("metadata['order_id']:'ORD-42'", "metadata[\"order_id\"]:\"ORD-42\"")]
    [InlineData("metadata['odd\"key']:'v'", "metadata[\"odd\\\"key\"]:\"v\"")]
    [InlineData("-currency:\"jpy\"", "-currency:\"jpy\"")]
    [InlineData("email:null", "email:null")]
    [InlineData("email:NULL", "email:null")]
    [InlineData("email:\"null\"", "email:\"null\"")]
    [InlineData("-metadata[\"donation-id\"]:null", "-metadata[\"donation-id\"]:null")]
    [InlineData("created:null", "created:null")]
    [InlineData("email:\"a@b.c\" currency:\"usd\"", "email:\"a@b.c\" AND currency:\"usd\"")]
    [InlineData("email:\"a@b.c\" AND currency:\"usd\"", "email:\"a@b.c\" AND currency:\"usd\"")]
    [InlineData("email:\"a@b.c\" and currency:\"usd\" And -status:\"failed\"", "email:\"a@b.c\" AND currency:\"usd\" AND -status:\"failed\"")]
    [InlineData("currency:\"usd\" OR currency:\"eur\"", "currency:\"usd\" OR currency:\"eur\"")]
    [InlineData("currency:\"usd\" or currency:\"eur\" Or currency:\"gbp\"", "currency:\"usd\" OR currency:\"eur\" OR currency:\"gbp\"")]
    [InlineData("  currency:\"usd\"\t\n", "currency:\"usd\"")]
    [InlineData("name:\"(not a group)\"", "name:\"(not a group)\"")]
    [InlineData("name:\"a AND b OR c\"", "name:\"a AND b OR c\"")]
    // Stripe does not say whether whitespace may surround an operator; we accept it.
    [InlineData("email : \"x@y.z\"", "email:\"x@y.z\"")]
    [InlineData("created >= 5", "created>=5")]
    public void Valid_query_parses_to_its_canonical_form(string query, string canonical)
    {
        Assert.Equal(canonical, ParseOk(query).ToString());
    }

    [Fact]
    public void Canonical_form_parses_back_to_itself()
    {
        var canonical = ParseOk("name:'it\\'s \"x\"' and metadata['k\\'ey']:'v\\\\' AND -created<=3").ToString();
        Assert.Equal(canonical, ParseOk(canonical).ToString());
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("   ", "empty")]
    [InlineData("currency:\"usd\" AND status:\"x\" OR currency:\"eur\"", "AND and OR cannot be combined")]
    [InlineData("currency:\"usd\" OR status:\"x\" currency:\"eur\"", "AND and OR cannot be combined")]
    [InlineData("(currency:\"usd\" OR currency:\"eur\")", "Parentheses")]
    [InlineData("currency:\"usd\" AND (status:\"x\")", "Parentheses")]
    [InlineData("currency:\"usd\")", "Parentheses")]
    [InlineData("amount>5)", "Parentheses")]
    [InlineData("-(currency:\"usd\")", "Parentheses")]
    [InlineData("colour:\"red\"", "Field 'colour' at position 0")]
    [InlineData("email:\"a\" -colour:\"red\"", "Field 'colour' at position 11")]
    [InlineData("email~\"am\"", "at least 3 characters")]
    [InlineData("email~''", "at least 3 characters")]
    [InlineData("email>\"amy\"", "only on numeric fields")]
    [InlineData("email<=5", "only on numeric fields")]
    [InlineData("email=\"amy\"", "only on numeric fields")]
    [InlineData("currency>\"usd\"", "only allows exact match")]
    [InlineData("currency~\"usd\"", "only allows exact match")]
    [InlineData("metadata[\"k\"]~\"abc\"", "only allows exact match")]
    [InlineData("created~\"170\"", "only on string fields")]
    [InlineData("email:amy", "String values must be quoted")]
    [InlineData("currency:usd", "String values must be quoted")]
    [InlineData("metadata[\"k\"]:value", "String values must be quoted")]
    [InlineData("email:\"amy", "Unterminated quoted string starting at position 6")]
    [InlineData("email:'amy\\'", "Unterminated quoted string")]
    [InlineData("email:\"amy\\", "Unterminated quoted string")]
    [InlineData("metadata['k\\", "Unterminated quoted string starting at position 9")]
    [InlineData("metadata[\"k:\"v\"", "Expected ]")]
    [InlineData("currency:\"usd\" AND", "ends after AND")]
    [InlineData("currency:\"usd\" or  ", "ends after OR")]
    [InlineData("AND currency:\"usd\"", "Unexpected AND at position 0")]
    [InlineData("currency:\"usd\" AND AND status:\"x\"", "Unexpected AND at position 19")]
    [InlineData("created>\"soon\"", "not an integer")]
    [InlineData("created>abc", "not an integer")]
    [InlineData("created>1.5", "not an integer")]
    [InlineData("created>99999999999999999999", "not an integer")]
    [InlineData("created>null", "null can only be used with ':'")]
    [InlineData("metadata:\"x\"", "Expected [\"key\"]")]
    [InlineData("metadata[k]:\"x\"", "Metadata keys must be quoted")]
    [InlineData("email\"x\"", "Expected an operator")]
    [InlineData("email", "Expected an operator")]
    [InlineData("email:", "Expected a value")]
    [InlineData("email:\"a\"name:\"b\"", "Expected whitespace, AND or OR after the clause ending at position 9")]
    [InlineData("-", "Expected a field name at position 1")]
    [InlineData(":\"x\"", "Expected a field name at position 0")]
    [InlineData("Email:\"x\"", "Field 'Email'")]
    public void Invalid_query_is_a_400_on_param_query(string query, string messagePart)
    {
        var error = ParseError(query);
        Assert.Equal(400, error.Status);
        Assert.Equal("invalid_request_error", error.Type);
        Assert.Equal("query", error.Param);
        Assert.Null(error.Code);
        Assert.Contains(messagePart, error.Message);
    }

    [Fact]
    public void Unknown_field_error_lists_the_searchable_fields()
    {
        var error = ParseError("colour:\"red\"");
        Assert.Contains("customers", error.Message);
        Assert.Contains("created, currency, email", error.Message);
    }

    [Fact]
    public void Ten_clauses_are_allowed_but_eleven_are_not()
    {
        var ten = string.Join(" AND ", Enumerable.Range(1, 10).Select(i => $"amount>{i}"));
        ParseOk(ten);
        Assert.Contains("at most 10 clauses", ParseError(ten + " AND amount>11").Message);
    }

    [Fact]
    public void Stripe_resource_schemas_accept_their_documented_examples()
    {
        Assert.False(SearchQuery.Parse("payment_method_details.interac_present.exp_year:2022", StripeSearchSchemas.Charges).IsError);
        Assert.False(SearchQuery.Parse("refunded:null AND disputed:\"true\"", StripeSearchSchemas.Charges).IsError);
        Assert.False(SearchQuery.Parse("url~\"/dinosaur_swag\"", StripeSearchSchemas.Products).IsError);
        Assert.False(SearchQuery.Parse("total>1000", StripeSearchSchemas.Invoices).IsError);
        Assert.True(SearchQuery.Parse("email:\"x\"", StripeSearchSchemas.Subscriptions).IsError);
        Assert.Same(StripeSearchSchemas.PaymentIntents, StripeSearchSchemas.ForResource("payment_intents"));
        Assert.Null(StripeSearchSchemas.ForResource("refunds"));
    }
}
