using MockProcessor.Server.Wire;

namespace MockProcessor.Server.Tests.Wire;

public class FormReaderTests
{
    private static string? Leaf(FormObject root, params string[] path)
    {
        FormNode? node = root;
        foreach (var p in path) node = (node as FormObject)?[p];
        return (node as FormString)?.Value;
    }

    [Fact]
    public void Metadata_is_applied_by_stripes_rules_and_left_alone_when_absent()
    {
        var current = MockProcessor.Domain.Common.Metadata.Empty.Add("keep", "1").Add("drop", "2");
        Assert.Same(current, new Params(FormReader.Parse(null, "email=a%40b.com")).Metadata(current));
        var changed = new Params(FormReader.Parse(null, "metadata[drop]=&metadata[new]=3")).Metadata(current);
        Assert.Equal(new Dictionary<string, string> { ["keep"] = "1", ["new"] = "3" }, changed);
        Assert.Empty(new Params(FormReader.Parse(null, "metadata=")).Metadata(current));
        var tooLong = Assert.Throws<StripeException>(() => new Params(FormReader.Parse(null, "metadata[" + new string('k', 41) + "]=v")).Metadata(current));
        Assert.Equal("metadata[" + new string('k', 41) + "]", tooLong.Error.Param);
    }

    [Fact]
    public void Nested_brackets_build_nested_objects()
    {
        var f = FormReader.Parse(null, "payment_method_data[billing_details][address][postal_code]=94107&amount=2000");
        Assert.Equal("94107", Leaf(f, "payment_method_data", "billing_details", "address", "postal_code"));
        Assert.Equal("2000", Leaf(f, "amount"));
    }

    [Theory]
    [InlineData("expand[]=customer&expand[]=latest_charge")]
    [InlineData("expand[0]=customer&expand[1]=latest_charge")]
    [InlineData("expand%5B0%5D=customer&expand%5B1%5D=latest_charge")]
    [InlineData("expand[0]=customer&expand[]=latest_charge")]
    public void Array_forms_decode_alike(string body)
    {
        var p = new Params(FormReader.Parse(null, body));
        Assert.Equal(["customer", "latest_charge"], p.StringList("expand"));
    }

    [Fact]
    public void Indexed_arrays_are_ordered_by_index_not_appearance()
    {
        var p = new Params(FormReader.Parse(null, "items[1]=b&items[0]=a&items[10]=c"));
        Assert.Equal(["a", "b", "c"], p.StringList("items"));
    }

    [Fact]
    public void Query_and_body_merge_into_one_bag()
    {
        var f = FormReader.Parse("?limit=3", "email=a%40b.com");
        Assert.Equal("3", Leaf(f, "limit"));
        Assert.Equal("a@b.com", Leaf(f, "email"));
    }

    [Theory]
    [InlineData("name=J+Doe", "J Doe")]
    [InlineData("name=%C3%A9t%C3%A9", "été")]
    [InlineData("name=", "")]
    [InlineData("name", "")]
    [InlineData("name=a%3Db%26c", "a=b&c")]
    public void Values_are_percent_decoded(string body, string expected) =>
        Assert.Equal(expected, Leaf(FormReader.Parse(null, body), "name"));

    [Theory]
    [InlineData("a=%zz")]
    [InlineData("a=%4")]
    [InlineData("a=%C3%28")] // invalid UTF-8
    [InlineData("a[b=1")]
    [InlineData("a]=1")]
    [InlineData("[a]=1")]
    [InlineData("a[b]c=1")]
    [InlineData("a[[b]]=1")]
    [InlineData("=1")]
    [InlineData("a=1&a=2")]
    [InlineData("a=1&a[b]=2")]
    [InlineData("a[b]=2&a=1")]
    [InlineData("a[b][c][d][e][f][g][h][i]=1")]
    public void Malformed_input_is_a_form_error(string body) =>
        Assert.Throws<FormException>(() => FormReader.Parse(null, body));

    [Fact]
    public void Repeating_a_parameter_with_the_same_value_is_harmless()
    {
        var f = FormReader.Parse(null, "a=1&a=1");
        Assert.Equal("1", Leaf(f, "a"));
    }

    [Fact]
    public void Too_many_pairs_is_a_form_error()
    {
        var body = string.Join("&", Enumerable.Range(0, FormReader.MaxPairs + 1).Select(i => $"k{i}=v"));
        Assert.Throws<FormException>(() => FormReader.Parse(null, body));
    }

    [Fact]
    public void Canonical_form_ignores_parameter_order()
    {
        var a = FormReader.Parse(null, "amount=1&metadata[x]=1&metadata[y]=2").Canonical();
        var b = FormReader.Parse(null, "metadata[y]=2&amount=1&metadata[x]=1").Canonical();
        var c = FormReader.Parse(null, "metadata[y]=2&amount=2&metadata[x]=1").Canonical();
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }
}
