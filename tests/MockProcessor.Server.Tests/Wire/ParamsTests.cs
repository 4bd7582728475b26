using MockProcessor.Server.Wire;

namespace MockProcessor.Server.Tests.Wire;

public class ParamsTests
{
    private static Params P(string body) => new(FormReader.Parse(null, body));

    private static MockProcessor.Domain.Errors.StripeError ErrorOf(Action a) =>
        Assert.Throws<StripeException>(a).Error;

    [Fact]
    public void Unknown_parameter_is_named_with_its_bracket_path()
    {
        var p = P("card[number]=4242&card[colour]=red");
        var card = p.Object("card")!;
        card.String("number");
        var e = ErrorOf(p.EnsureAllConsumed);
        Assert.Equal("parameter_unknown", e.Code);
        Assert.Equal("card[colour]", e.Param);
    }

    [Fact]
    public void Missing_and_empty_required_parameters_have_distinct_codes()
    {
        Assert.Equal("parameter_missing", ErrorOf(() => P("").RequiredString("type")).Code);
        var empty = ErrorOf(() => P("type=").RequiredString("type"));
        Assert.Equal("parameter_invalid_empty", empty.Code);
        Assert.Equal("type", empty.Param);
    }

    [Theory]
    [InlineData("12a")]
    [InlineData("1.5")]
    [InlineData("99999999999999999999")]
    [InlineData(" 1")]
    public void Non_integers_are_parameter_invalid_integer(string value)
    {
        var e = ErrorOf(() => P("amount=" + Uri.EscapeDataString(value)).Long("amount"));
        Assert.Equal("parameter_invalid_integer", e.Code);
        Assert.Equal("amount", e.Param);
        Assert.Equal(400, e.Status);
    }

    [Theory]
    [InlineData("true", true)]
    [InlineData("false", false)]
    [InlineData("True", true)] // stripe-python before 2025 sends Python's spelling; Stripe accepts it
    [InlineData("False", false)]
    [InlineData("TRUE", true)]
    public void Booleans_are_true_or_false(string value, bool expected) => Assert.Equal(expected, P("confirm=" + value).Bool("confirm"));

    [Theory]
    [InlineData("yes")]
    [InlineData("1")]
    [InlineData("Truee")]
    public void Other_boolean_spellings_are_rejected(string value) =>
        Assert.Equal("confirm", ErrorOf(() => P("confirm=" + value).Bool("confirm")).Param);

    [Fact]
    public void Empty_string_unsets_in_a_patch_and_absence_leaves_alone()
    {
        var p = P("description=");
        Assert.Equal(new Patch<string>(true, null), p.StringPatch("description"));
        Assert.False(p.StringPatch("name").IsSet);
    }

    [Fact]
    public void Enum_values_outside_the_set_name_the_parameter()
    {
        var e = ErrorOf(() => P("capture_method=later").Enum("capture_method", "automatic", "manual"));
        Assert.Equal("capture_method", e.Param);
        Assert.Contains("automatic", e.Message);
    }

    [Fact]
    public void Typed_enums_read_wire_spellings_and_honour_a_subset()
    {
        Assert.Equal(Domain.PaymentIntents.CaptureMethod.AutomaticAsync,
            P("capture_method=automatic_async").Enum<Domain.PaymentIntents.CaptureMethod>("capture_method"));
        Assert.Null(P("").Enum<Domain.PaymentIntents.CaptureMethod>("capture_method"));
        var e = ErrorOf(() => P("reason=automatic").Enum("reason",
            Domain.PaymentIntents.CancellationReason.Duplicate, Domain.PaymentIntents.CancellationReason.Abandoned));
        Assert.Equal("reason", e.Param);
        Assert.Contains("duplicate", e.Message);
    }

    [Fact]
    public void A_scalar_where_a_hash_is_expected_is_an_error_not_a_crash()
    {
        var e = ErrorOf(() => P("card=4242").Object("card"));
        Assert.Equal("card", e.Param);
    }

    [Fact]
    public void Metadata_map_reports_deletions_and_clear_all()
    {
        var map = P("metadata[a]=1&metadata[b]=").StringMap("metadata", out var clear)!;
        Assert.False(clear);
        Assert.Equal("1", map["a"]);
        Assert.Equal("", map["b"]);
        Assert.NotNull(P("metadata=").StringMap("metadata", out var clearAll));
        Assert.True(clearAll);
    }
}
