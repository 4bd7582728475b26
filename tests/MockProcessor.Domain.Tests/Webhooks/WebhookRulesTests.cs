using MockProcessor.Domain.Webhooks;

namespace MockProcessor.Domain.Tests.Webhooks;

public class WebhookRulesTests
{
    private static WebhookEndpoint Endpoint(WebhookFaults? faults = null, params string[] events) => new()
    {
        Id = "we_1", AccountId = "acct_1", Created = 0, Url = "https://example.com", Secret = "whsec_" + new string('a', 31) + "b",
        EnabledEvents = events.Length == 0 ? ["*"] : events, Faults = faults ?? WebhookFaults.None,
    };

    private static WebhookDelivery Delivery(WebhookEndpoint e, long now = 1000, string type = "charge.succeeded") =>
        WebhookRules.NewDelivery("whd_1", e, "evt_1", type, now);

    private static WebhookAttempt Answer(int? status) => new() { AttemptedAt = 0, WallTime = 0, Status = status };

    [Fact]
    public void Matching_takes_star_or_the_exact_type_and_only_active_endpoints()
    {
        Assert.True(WebhookRules.Matches(Endpoint(), "charge.succeeded"));
        Assert.True(WebhookRules.Matches(Endpoint(null, "charge.succeeded"), "charge.succeeded"));
        Assert.False(WebhookRules.Matches(Endpoint(null, "charge.succeeded"), "charge.failed"));
        Assert.False(WebhookRules.Matches(Endpoint() with { Disabled = true }, "charge.succeeded"));
        Assert.False(WebhookRules.Matches(Endpoint() with { Deleted = true }, "charge.succeeded"));
    }

    [Fact]
    public void Enabled_events_must_be_known()
    {
        Assert.False(WebhookRules.ValidateEnabledEvents(["*", "charge.succeeded", "refund.created"]).IsError);
        var err = WebhookRules.ValidateEnabledEvents(["charge.succeeded", "charge.nope"]).Error!;
        Assert.Equal("enabled_events", err.Param);
        Assert.Contains("enabled_events[1]", err.Message);
        Assert.True(WebhookRules.ValidateEnabledEvents([]).IsError);
        Assert.Equal("parameter_missing", WebhookRules.ValidateEnabledEvents(null).Error!.Code);
    }

    [Fact]
    public void Retries_follow_the_schedule_then_give_up()
    {
        var s = RetrySchedule.Fast;
        var d = Delivery(Endpoint());
        Assert.Equal(1000, d.NextAttemptAt);
        var expected = new long[] { 1, 2, 4, 8, 16, 32 };
        for (var i = 0; i < expected.Length; i++)
        {
            d = WebhookRules.ApplyAttempt(d, Answer(500), 2000, s);
            Assert.Equal(DeliveryStatus.Pending, d.Status);
            Assert.Equal(2000 + expected[i], d.NextAttemptAt);
        }
        d = WebhookRules.ApplyAttempt(d, Answer(null), 2000, s);
        Assert.Equal(DeliveryStatus.Failed, d.Status);
        Assert.Null(d.NextAttemptAt);
        Assert.Equal(7, d.AttemptCount);
    }

    [Theory]
    [InlineData(200, DeliveryStatus.Succeeded)]
    [InlineData(204, DeliveryStatus.Succeeded)]
    [InlineData(302, DeliveryStatus.Pending)] // redirects are failures, as in Stripe
    [InlineData(404, DeliveryStatus.Pending)]
    public void Only_2xx_succeeds(int status, string expected) =>
        Assert.Equal(expected, WebhookRules.ApplyAttempt(Delivery(Endpoint()), Answer(status), 0, RetrySchedule.Stripe).Status);

    [Fact]
    public void The_stripe_schedule_spans_about_three_days()
    {
        Assert.Equal(9, RetrySchedule.Stripe.MaxAttempts);
        Assert.InRange(RetrySchedule.Stripe.Delays.Sum(), 2.5 * 86400, 3.5 * 86400);
    }

    [Fact]
    public void Delay_and_reorder_postpone_the_first_attempt_and_are_named_on_it()
    {
        var e = Endpoint(new WebhookFaults { DelaySeconds = 30, ReorderWindow = 10 });
        var d = Delivery(e);
        var offset = WebhookRules.ReorderOffset("whd_1", 10);
        Assert.InRange(offset, 0, 9);
        Assert.Equal(1030 + offset, d.NextAttemptAt);
        Assert.Equal(["delay", "reorder"], WebhookRules.Plan(e, d, 5000, 1000).Faults);
        var after = WebhookRules.ApplyAttempt(d, Answer(500), 2000, RetrySchedule.Stripe);
        Assert.Empty(WebhookRules.Plan(e, after, 5000, 1000).Faults);
    }

    [Fact]
    public void Reorder_offsets_are_a_stable_spread_of_the_id()
    {
        Assert.Equal(WebhookRules.ReorderOffset("whd_abc", 60), WebhookRules.ReorderOffset("whd_abc", 60));
        var offsets = Enumerable.Range(0, 50).Select(i => WebhookRules.ReorderOffset($"whd_{i}", 60)).Distinct().Count();
        Assert.True(offsets > 20, $"only {offsets} distinct offsets");
        Assert.Equal(0, WebhookRules.ReorderOffset("whd_abc", 1));
    }

    [Fact]
    public void A_rolled_secret_signs_beside_the_new_one_until_its_overlap_ends()
    {
        var e = Endpoint();
        var rolled = WebhookRules.RollSecret(e, "whsec_new", now: 1000, overlapSeconds: 3600);
        Assert.Equal("whsec_new", rolled.Secret);
        Assert.Equal(["whsec_new", e.Secret], WebhookRules.SigningSecrets(rolled, 4599));
        Assert.Equal(["whsec_new"], WebhookRules.SigningSecrets(rolled, 4600));
        // A second roll during the overlap keeps the first former secret until its own expiry.
        var again = WebhookRules.RollSecret(rolled, "whsec_newer", now: 2000, overlapSeconds: 60);
        Assert.Equal(["whsec_newer", "whsec_new", e.Secret], WebhookRules.SigningSecrets(again, 2000));
        Assert.Equal(["whsec_newer", e.Secret], WebhookRules.SigningSecrets(again, 2060));
        // No overlap: the old secret stops at once; expired former secrets are forgotten.
        Assert.Equal(["whsec_x"], WebhookRules.SigningSecrets(WebhookRules.RollSecret(again, "whsec_x", 5000, 0), 5000));
        Assert.Empty(WebhookRules.RollSecret(again, "whsec_x", 5000, 0).ExpiringSecrets);
        // The header carries one v1 per secret, each over the same payload.
        var header = WebhookSignature.Header(["whsec_a", "whsec_b"], 77, "{}"u8);
        Assert.Equal($"t=77,v1={WebhookSignature.Compute("whsec_a", 77, "{}"u8)},v1={WebhookSignature.Compute("whsec_b", 77, "{}"u8)}", header);
    }

    [Fact]
    public void Faults_change_the_plan()
    {
        var d = Delivery(Endpoint());
        var plain = WebhookRules.Plan(Endpoint(), d, 5000, 1000);
        Assert.Equal((false, false, 5000L, false), (plain.Drop, plain.FailWithoutSending, plain.Timestamp, plain.Duplicate));
        Assert.Equal([Endpoint().Secret], plain.Secrets);
        Assert.Empty(plain.Faults);

        var stale = WebhookRules.Plan(Endpoint(new WebhookFaults { StaleTimestamp = true }), d, 5000, 1000);
        Assert.Equal(4400, stale.Timestamp);
        var wrong = WebhookRules.Plan(Endpoint(new WebhookFaults { WrongSecret = true }), d, 5000, 1000);
        Assert.NotEqual(Endpoint().Secret, Assert.Single(wrong.Secrets));
        Assert.StartsWith("whsec_", wrong.Secrets[0]);
        Assert.True(WebhookRules.Plan(Endpoint(new WebhookFaults { Duplicate = true }), d, 5000, 1000).Duplicate);
        Assert.True(WebhookRules.Plan(Endpoint(new WebhookFaults { DropTypes = ["charge.succeeded"] }), d, 5000, 1000).Drop);
        Assert.False(WebhookRules.Plan(Endpoint(new WebhookFaults { DropTypes = ["charge.failed"] }), d, 5000, 1000).Drop);

        var failFirst = Endpoint(new WebhookFaults { FailFirst = 1 });
        Assert.True(WebhookRules.Plan(failFirst, d, 5000, 1000).FailWithoutSending);
        var second = WebhookRules.ApplyAttempt(d, Answer(null), 0, RetrySchedule.Stripe);
        Assert.False(WebhookRules.Plan(failFirst, second, 5000, 1000).FailWithoutSending);
    }

    [Fact]
    public void Drop_and_cancel_end_a_delivery_without_an_attempt_count()
    {
        var d = Delivery(Endpoint());
        Assert.Equal(DeliveryStatus.Dropped, WebhookRules.Drop(d, Answer(null)).Status);
        var canceled = WebhookRules.Cancel(d);
        Assert.Equal(DeliveryStatus.Canceled, canceled.Status);
        Assert.Null(canceled.NextAttemptAt);
        Assert.False(canceled.IsPending);
    }
}
