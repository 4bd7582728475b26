using MockProcessor.Domain.Limits;

namespace MockProcessor.Domain.Tests.Limits;

/// <summary>The token bucket's arithmetic and what <c>--rate-limit</c> values mean (docs/rate-limits.md).</summary>
public class RateLimitsTests
{
    private const long Hz = 1000; // a clock in milliseconds

    [Fact]
    public void A_bucket_starts_full_refills_at_its_rate_and_never_beyond_its_capacity()
    {
        var bucket = new TokenBucket(perSecond: 10, capacity: 10);
        Assert.Equal(10, bucket.Available(0, Hz));
        for (var i = 0; i < 10; i++) bucket.Take();
        Assert.Equal(0, bucket.Available(0, Hz));
        Assert.Equal(1, bucket.Available(100, Hz), 9);   // 100 ms at 10 a second
        Assert.Equal(10, bucket.Available(60_000, Hz)); // a minute later: full, not 600
        Assert.Equal(10, bucket.Available(1_000, Hz));  // a clock going backwards changes nothing
    }

    [Theory]
    [InlineData(null, null)]
    [InlineData("off", null)]
    [InlineData("0", null)]
    [InlineData("stripe", "stripe")]
    [InlineData("true", "stripe")]
    [InlineData("1", "1")]
    [InlineData("100", "100")]
    [InlineData("0.5", "0.5")]
    public void Values_name_stripes_profile_a_rate_or_nothing(string? value, string? description) =>
        Assert.Equal(description, RateLimitPolicy.Parse(value)?.Description);

    [Theory]
    [InlineData("fast")]
    [InlineData("-1")]
    [InlineData("NaN")]
    [InlineData("Infinity")]
    public void Anything_else_is_refused(string value) => Assert.Throws<ArgumentException>(() => RateLimitPolicy.Parse(value));

    [Theory]
    [InlineData("GET", "/v1/customers/search", "search")]
    [InlineData("GET", "/v1/payment_intents/search", "search")]
    [InlineData("GET", "/v1/files/{id}", "files_read")]
    [InlineData("POST", "/v1/files", "files_write")]
    [InlineData("POST", "/v1/payouts", "payouts_create")]
    [InlineData("GET", "/v1/payouts", null)]
    [InlineData("POST", "/v1/payment_intents", null)]
    public void Stripes_profile_gives_search_files_and_payout_creation_their_own_limits(string method, string pattern, string? limit) =>
        Assert.Equal(limit, RateLimitPolicy.Stripe.For(method, pattern).SingleOrDefault()?.Name);
}
