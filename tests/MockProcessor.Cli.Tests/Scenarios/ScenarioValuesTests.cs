using System.Text.Json.Nodes;
using MockProcessor.Scenarios;

namespace MockProcessor.Cli.Tests.Scenarios;

public class ScenarioValuesTests
{
    [Fact]
    public void Params_are_encoded_as_the_sdks_encode_them()
    {
        var form = JsonNode.Parse("""
            {"amount": 2000, "confirm": true, "metadata": {"order": "6 7"}, "types": ["card"],
             "items": [{"price": "p_1", "quantity": 2}], "description": null, "tags": []}
            """)!.AsObject();
        Assert.Equal("amount=2000&confirm=true&metadata[order]=6%207&types[0]=card&items[0][price]=p_1&items[0][quantity]=2&description=&tags=",
            FormEncoder.Text(FormEncoder.Encode(form)));
    }

    [Fact]
    public void Substitution_keeps_the_type_of_a_whole_reference_and_writes_text_inside_strings()
    {
        var vars = new Variables(JsonNode.Parse("""{"amt": 2000, "pi": "pi_1"}""")!.AsObject());
        vars.Set("obj", JsonNode.Parse("""{"data": [{"id": "ch_9"}]}"""));
        Assert.Equal(2000, Substitution.Value("${amt}", vars)!.GetValue<long>());
        Assert.Equal("/v1/payment_intents/pi_1/capture", Substitution.Text("/v1/payment_intents/${pi}/capture", vars));
        Assert.Equal("ch_9 and ${x}", Substitution.Text("${obj.data[0].id} and $${x}", vars));
        var ex = Assert.Throws<SubstitutionException>(() => Substitution.Text("${nope}", vars));
        Assert.Contains("known: amt, obj, pi", ex.Message);
    }

    [Theory]
    [InlineData("2000", "2000", true)]
    [InlineData("2000", "2000.0", true)]
    [InlineData("\"2000\"", "2000", false)]
    [InlineData("null", "null", true)]
    [InlineData("{\"matches\": \"^pi_\"}", "\"pi_123\"", true)]
    [InlineData("{\"matches\": \"^pi_\"}", "\"ch_123\"", false)]
    [InlineData("{\"gte\": 5, \"lt\": 10}", "5", true)]
    [InlineData("{\"gte\": 5, \"lt\": 10}", "10", false)]
    [InlineData("{\"length\": {\"gte\": 2}}", "[1, 2]", true)]
    [InlineData("{\"contains\": \"b\"}", "[\"a\", \"b\"]", true)]
    [InlineData("{\"one_of\": [\"a\", \"b\"]}", "\"c\"", false)]
    [InlineData("{\"type\": \"number\"}", "3", true)]
    [InlineData("{\"exists\": false}", "null", true)]
    [InlineData("{\"eq\": {\"a\": [1]}}", "{\"a\": [1]}", true)]
    public void Matchers_compare_as_documented(string expected, string actual, bool holds)
    {
        var m = Matchers.Check("x", true, JsonNode.Parse(actual), JsonNode.Parse(expected));
        Assert.Equal(holds, m is null);
    }

    [Fact]
    public void An_absent_field_fails_everything_but_ne_and_exists_false()
    {
        Assert.NotNull(Matchers.Check("x", false, null, JsonValue.Create((string?)null)));
        Assert.Null(Matchers.Check("x", false, null, JsonNode.Parse("{\"exists\": false}")));
        Assert.Null(Matchers.Check("x", false, null, JsonNode.Parse("{\"ne\": 1}")));
        Assert.Equal("(absent)", Matchers.Check("x", false, null, JsonValue.Create(1))!.Actual);
    }

    [Theory]
    [InlineData("90", 90)]
    [InlineData("5m", 300)]
    [InlineData("1h 30m", 5400)]
    [InlineData("1w 1d", 691200)]
    public void Durations_read_as_seconds(string text, long seconds) =>
        Assert.Equal(seconds, ScenarioExecutor.Seconds(JsonValue.Create(text)));
}
