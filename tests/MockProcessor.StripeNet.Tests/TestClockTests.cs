namespace MockProcessor.StripeNet.Tests;

/// <summary>Stripe's test clocks through <c>client.V1.TestHelpers.TestClocks</c>: the resource and its events, customers bound to a clock, and a held payment expiring on its customer's clock. Counterpart of test_clocks.test.mjs.</summary>
public sealed class TestClockTests(EmulatorTarget target) : StripeTest(target)
{
    private static DateTime Now => DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds()).UtcDateTime;

    /// <summary>What integration code does after an advance: poll until the clock is ready (Stripe advances asynchronously).</summary>
    private async Task<Stripe.TestHelpers.TestClock> AdvanceAndWaitAsync(Stripe.TestHelpers.TestClock clock, TimeSpan by)
    {
        var current = await Client.V1.TestHelpers.TestClocks.AdvanceAsync(clock.Id, new Stripe.TestHelpers.TestClockAdvanceOptions { FrozenTime = clock.FrozenTime + by });
        for (var i = 0; current.Status != "ready" && i < 120; i++)
        {
            await Task.Delay(EmulatorTarget.IsRealStripe ? 1000 : 10);
            current = await Client.V1.TestHelpers.TestClocks.GetAsync(clock.Id);
        }
        current.Status.Should().Be("ready");
        return current;
    }

    [Fact]
    public async Task Create_retrieve_list_advance_and_delete()
    {
        var frozen = Now.AddDays(-30);
        var clock = await Client.V1.TestHelpers.TestClocks.CreateAsync(new Stripe.TestHelpers.TestClockCreateOptions { FrozenTime = frozen, Name = "renewals " + Tag });
        clock.Id.Should().StartWith("clock_");
        clock.Object.Should().Be("test_helpers.test_clock");
        clock.FrozenTime.Should().Be(frozen);
        clock.Name.Should().Be("renewals " + Tag);
        clock.Status.Should().Be("ready");
        clock.DeletesAfter.Should().Be(clock.Created.AddDays(7));
        var got = await Client.V1.TestHelpers.TestClocks.GetAsync(clock.Id);
        got.Id.Should().Be(clock.Id);
        got.FrozenTime.Should().Be(frozen);
        (await AllAsync(Client.V1.TestHelpers.TestClocks.ListAutoPagingAsync())).Select(c => c.Id).Should().Contain(clock.Id);

        var advanced = await AdvanceAndWaitAsync(clock, TimeSpan.FromDays(2));
        advanced.FrozenTime.Should().Be(frozen.AddDays(2));
        var deleted = await Client.V1.TestHelpers.TestClocks.DeleteAsync(clock.Id);
        deleted.Id.Should().Be(clock.Id);
        deleted.Deleted.Should().BeTrue();
        await ExpectStripeErrorAsync(() => Client.V1.TestHelpers.TestClocks.GetAsync(clock.Id), HttpStatusCode.NotFound, "invalid_request_error", "resource_missing");

        if (!EmulatorTarget.IsRealStripe)
        {
            var types = (await Client.V1.Events.ListAsync(new EventListOptions { Limit = 10 })).Data.Select(e => e.Type).Reverse();
            types.Should().Equal("test_helpers.test_clock.created", "test_helpers.test_clock.advancing", "test_helpers.test_clock.ready", "test_helpers.test_clock.deleted");
        }
    }

    [Fact]
    public async Task A_clock_only_moves_forward_and_not_too_far()
    {
        var clock = await Client.V1.TestHelpers.TestClocks.CreateAsync(new Stripe.TestHelpers.TestClockCreateOptions { FrozenTime = Now });
        try
        {
            await ExpectStripeErrorAsync(() => Client.V1.TestHelpers.TestClocks.AdvanceAsync(clock.Id, new Stripe.TestHelpers.TestClockAdvanceOptions { FrozenTime = clock.FrozenTime.AddSeconds(-60) }),
                HttpStatusCode.BadRequest, "invalid_request_error", param: "frozen_time");
            await ExpectStripeErrorAsync(() => Client.V1.TestHelpers.TestClocks.AdvanceAsync(clock.Id, new Stripe.TestHelpers.TestClockAdvanceOptions { FrozenTime = clock.FrozenTime.AddDays(3 * 366) }),
                HttpStatusCode.BadRequest, "invalid_request_error", param: "frozen_time");
        }
        finally
        {
            await Client.V1.TestHelpers.TestClocks.DeleteAsync(clock.Id);
        }
    }

    [Fact]
    public async Task Customers_on_a_clock_are_listed_with_test_clock_and_deleted_with_it()
    {
        var clock = await Client.V1.TestHelpers.TestClocks.CreateAsync(new Stripe.TestHelpers.TestClockCreateOptions { FrozenTime = Now });
        var email = $"{Tag}@example.com";
        var plain = await Client.V1.Customers.CreateAsync(new CustomerCreateOptions { Email = email });
        var bound = await Client.V1.Customers.CreateAsync(new CustomerCreateOptions { Email = email, TestClock = clock.Id });
        bound.TestClockId.Should().Be(clock.Id);
        plain.TestClockId.Should().BeNull();
        (await Client.V1.Customers.ListAsync(new CustomerListOptions { Email = email })).Data.Select(c => c.Id).Should().Equal(plain.Id);
        (await Client.V1.Customers.ListAsync(new CustomerListOptions { TestClock = clock.Id })).Data.Select(c => c.Id).Should().Equal(bound.Id);
        await ExpectStripeErrorAsync(() => Client.V1.Customers.CreateAsync(new CustomerCreateOptions { TestClock = "clock_missing" }),
            HttpStatusCode.NotFound, "invalid_request_error", param: "test_clock");
        await Client.V1.TestHelpers.TestClocks.DeleteAsync(clock.Id);
        for (var i = 0; i < 60 && (await Client.V1.Customers.GetAsync(bound.Id)).Deleted != true; i++) await Task.Delay(1000);
        (await Client.V1.Customers.GetAsync(bound.Id)).Deleted.Should().BeTrue();
        (await Client.V1.Customers.GetAsync(plain.Id)).Deleted.Should().NotBe(true);
    }

    [EmulatorFact]
    public async Task A_clock_customers_held_payment_expires_on_its_clock_not_the_merchant_clock()
    {
        var clock = await Client.V1.TestHelpers.TestClocks.CreateAsync(new Stripe.TestHelpers.TestClockCreateOptions { FrozenTime = Now });
        var other = await Client.V1.TestHelpers.TestClocks.CreateAsync(new Stripe.TestHelpers.TestClockCreateOptions { FrozenTime = Now });
        var customer = await Client.V1.Customers.CreateAsync(new CustomerCreateOptions { TestClock = clock.Id });
        var onClock = await PayAsync(2500, configure: o => { o.CaptureMethod = "manual"; o.Customer = customer.Id; });
        var normal = await PayAsync(2500, configure: o => o.CaptureMethod = "manual");
        async Task<string> StatusAsync(PaymentIntent pi) => (await Client.V1.PaymentIntents.GetAsync(pi.Id)).Status;

        await AdvanceAndWaitAsync(other, TimeSpan.FromDays(8));
        (await StatusAsync(onClock)).Should().Be("requires_capture");
        await AdvanceAndWaitAsync(clock, TimeSpan.FromDays(8));
        (await StatusAsync(onClock)).Should().Be("canceled");
        (await StatusAsync(normal)).Should().Be("requires_capture");
        (await Merchant.AdvanceClockAsync(8 * Day))["fired"]!.GetValue<int>().Should().Be(1);
        (await StatusAsync(normal)).Should().Be("canceled");
    }
}
