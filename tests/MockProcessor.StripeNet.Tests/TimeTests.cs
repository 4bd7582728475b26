namespace MockProcessor.StripeNet.Tests;

/// <summary>Virtual time via <c>/_mock/merchant_clock</c>: authorization expiry, pending funds becoming available, per-merchant clocks. Counterpart of time.test.mjs (the dispute deadline is in <see cref="DisputeTests"/>).</summary>
public sealed class TimeTests(EmulatorTarget target) : StripeTest(target)
{
    [EmulatorFact]
    public async Task An_uncaptured_authorization_expires_after_seven_days()
    {
        var pi = await PayAsync(2500, configure: o => o.CaptureMethod = "manual");
        pi.Status.Should().Be("requires_capture");
        var expiresAt = ((DateTimeOffset)pi.Created).ToUnixTimeSeconds() + 7 * Day;
        var justBefore = await Merchant.PostControlAsync("/_mock/merchant_clock/advance", ("to", (expiresAt - 1).ToString(System.Globalization.CultureInfo.InvariantCulture)));
        justBefore["fired"]!.GetValue<int>().Should().Be(0);
        (await Client.V1.PaymentIntents.GetAsync(pi.Id)).Status.Should().Be("requires_capture");
        (await Merchant.AdvanceClockAsync(2))["fired"]!.GetValue<int>().Should().Be(1);

        var after = await Client.V1.PaymentIntents.GetAsync(pi.Id, new PaymentIntentGetOptions { Expand = ["latest_charge"] });
        after.Status.Should().Be("canceled");
        after.CancellationReason.Should().Be("automatic");
        after.LatestCharge.Refunded.Should().BeTrue();
        var events = (await Client.V1.Events.ListAsync(new EventListOptions { Limit = 2 })).Data;
        events.Select(e => e.Type).Should().Equal("payment_intent.canceled", "charge.expired");
        ((PaymentIntent)events[0].Data.Object).CancellationReason.Should().Be("automatic");
        ((Charge)events[1].Data.Object).Id.Should().Be(after.LatestChargeId);
        await ExpectStripeErrorAsync(() => Client.V1.PaymentIntents.CaptureAsync(pi.Id), HttpStatusCode.BadRequest, "invalid_request_error", "payment_intent_unexpected_state");
    }

    [EmulatorFact]
    public async Task Pending_funds_become_available_and_clocks_are_per_merchant()
    {
        var other = Target.NewMerchant();
        await other.Client.V1.Balance.GetAsync(); // provisions it
        // Manual payouts, so the available funds stay in the balance instead of leaving in the daily payout.
        await Merchant.PostControlAsync("/_mock/payouts/settings", ("schedule[interval]", "manual"));
        await PayAsync(10000);
        var before = await Client.V1.Balance.GetAsync();
        before.Pending.Single(x => x.Currency == "usd").Amount.Should().Be(9680);
        await Merchant.AdvanceClockAsync(3 * Day);
        var after = await Client.V1.Balance.GetAsync();
        after.Available.Single(x => x.Currency == "usd").Amount.Should().Be(9680);
        after.Pending.Single(x => x.Currency == "usd").Amount.Should().Be(0);
        (await Merchant.NowAsync() - await other.NowAsync()).Should().BeGreaterThanOrEqualTo(3 * Day - 5);
    }
}
