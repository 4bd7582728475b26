using MockProcessor.Domain.Faults;

namespace MockProcessor.Domain.Tests.Faults;

/// <summary>The pure fault decision: glob matching, counters, first-match order and seeded percentages.</summary>
public class FaultRulesTests
{
    private static FaultRule Rule(string path, string method = "*", long? count = 1, int? pct = null, long seed = 0, string id = "fault_1") =>
        new()
        {
            Id = id, Created = 0, Method = method, Path = path, Kind = FaultKind.ApiError,
            Count = count, Remaining = count, Percentage = pct, Seed = seed, RandomState = (ulong)seed,
        };

    [Theory]
    [InlineData("/v1/customers", "/v1/customers", true)]
    [InlineData("/v1/customers", "/v1/customers/cus_1", false)]
    [InlineData("/v1/customers*", "/v1/customers/cus_1", true)]
    [InlineData("/v1/payment_intents*", "/v1/payment_intents/pi_1/confirm", true)]
    [InlineData("/v1/*/confirm", "/v1/payment_intents/pi_1/confirm", true)]
    [InlineData("/v1/*/confirm", "/v1/payment_intents/pi_1/capture", false)]
    [InlineData("*", "/v1/anything", true)]
    [InlineData("/v1/Customers", "/v1/customers", false)]
    [InlineData("/v1/c*s*s", "/v1/customers", true)]
    public void Glob_star_spans_any_characters_everything_else_is_literal(string pattern, string path, bool expected) =>
        Assert.Equal(expected, FaultRules.GlobMatches(pattern, path));

    [Fact]
    public void A_count_rule_fires_n_times_then_is_spent()
    {
        FaultRule[] rules = [Rule("/v1/x", count: 2)];
        var fired = 0;
        for (var i = 0; i < 5; i++)
        {
            (rules, var f) = FaultRules.Decide(rules, "POST", "/v1/x");
            if (f is not null) fired++;
        }
        Assert.Equal(2, fired);
        Assert.True(rules[0].Spent);
        Assert.Equal(2, rules[0].Fired);
    }

    [Fact]
    public void Method_is_case_insensitive_and_a_non_match_changes_nothing()
    {
        FaultRule[] rules = [Rule("/v1/x", method: "POST")];
        var (same, none) = FaultRules.Decide(rules, "GET", "/v1/x");
        Assert.Null(none);
        Assert.Same(rules, same);
        Assert.NotNull(FaultRules.Decide(rules, "post", "/v1/x").Fired);
    }

    [Fact]
    public void The_first_matching_rule_fires_and_later_rules_draw_nothing()
    {
        FaultRule[] rules = [Rule("/v1/*", id: "fault_a"), Rule("/v1/x", pct: 50, count: null, id: "fault_b")];
        var (after, fired) = FaultRules.Decide(rules, "GET", "/v1/x");
        Assert.Equal("fault_a", fired!.Id);
        Assert.Equal(rules[1], after[1]); // untouched: same random state, no match counted
    }

    private static string Pattern(long seed, int n)
    {
        FaultRule[] rules = [Rule("/v1/x", pct: 30, count: null, seed: seed)];
        var s = new char[n];
        for (var i = 0; i < n; i++)
        {
            (rules, var f) = FaultRules.Decide(rules, "GET", "/v1/x");
            s[i] = f is null ? '.' : 'X';
        }
        return new string(s);
    }

    [Fact]
    public void A_percentage_is_a_function_of_the_seed()
    {
        Assert.Equal(Pattern(3, 200), Pattern(3, 200));
        Assert.NotEqual(Pattern(3, 200), Pattern(4, 200));
        Assert.InRange(Pattern(3, 1000).Count(c => c == 'X'), 240, 360); // ~30%
    }
}
