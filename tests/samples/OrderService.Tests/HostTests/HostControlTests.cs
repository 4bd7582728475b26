using FluentAssertions;
using MockProcessor.Server.Time;
using MockProcessor.Testing;
using Stripe;

namespace OrderService.Tests.HostTests;

public sealed class HostControlTests
{
    private static readonly DateTimeOffset Start = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);

    private static PaymentIntentCreateOptions Card(long amount, string pm = "pm_card_visa") => new()
    {
        Amount = amount, Currency = "usd", PaymentMethod = pm, Confirm = true, AllowedPaymentMethodTypes = ["card"],
    };

    [Fact]
    public async Task The_manual_clock_moves_only_when_told_and_stamps_objects()
    {
        await using var mp = await MockProcessorHost.StartAsync(new() { Clock = ClockMode.Manual, StartTime = Start });
        var stripe = mp.CreateStripeClient(mp.NewMerchantKey());

        mp.Clock.UtcNow.Should().Be(Start);
        (await stripe.V1.Customers.CreateAsync(new())).Created.Should().Be(Start.UtcDateTime);

        (await mp.Clock.AdvanceAsync(TimeSpan.FromHours(1))).Should().Be(Start.AddHours(1));
        mp.Clock.UtcNow.Should().Be(Start.AddHours(1));
        (await stripe.V1.Customers.CreateAsync(new())).Created.Should().Be(Start.AddHours(1).UtcDateTime);

        (await mp.Clock.SetAsync(Start.AddDays(2))).Should().Be(Start.AddDays(2));
        var back = () => mp.Clock.SetAsync(Start);
        await back.Should().ThrowAsync<ArgumentOutOfRangeException>();
    }

    [Fact]
    public async Task Advancing_the_clock_fires_time_driven_work()
    {
        await using var mp = await MockProcessorHost.StartAsync(new() { Clock = ClockMode.Manual, StartTime = Start });
        var key = mp.NewMerchantKey();
        var stripe = mp.CreateStripeClient(key);
        var options = Card(3000);
        options.CaptureMethod = "manual";
        var pi = await stripe.V1.PaymentIntents.CreateAsync(options);
        pi.Status.Should().Be("requires_capture");

        await mp.Clock.AdvanceAsync(TimeSpan.FromDays(8));

        (await stripe.V1.PaymentIntents.GetAsync(pi.Id)).Status.Should().Be("canceled", "an authorization expires after 7 days");
        (await mp.EventsAsync(key, "payment_intent.canceled")).Should().ContainSingle();
    }

    [Fact]
    public async Task A_network_rule_declines_the_next_large_payment_once()
    {
        await using var mp = await MockProcessorHost.StartAsync(new() { Seed = 1 });
        var key = mp.NewMerchantKey();
        var stripe = mp.CreateStripeClient(key);
        var rule = await mp.NetworkRules(key).AddAsync(new NetworkRuleSpec(NetworkOutcome.Decline)
        {
            Match = new() { AmountGte = 5000 }, DeclineCode = "insufficient_funds", Remaining = 1,
        });
        rule.Id.Should().StartWith("rule_");

        (await stripe.V1.PaymentIntents.CreateAsync(Card(1000))).Status.Should().Be("succeeded", "below the rule's amount");
        var declined = () => stripe.V1.PaymentIntents.CreateAsync(Card(6000));
        (await declined.Should().ThrowAsync<StripeException>()).Which.StripeError.DeclineCode.Should().Be("insufficient_funds");
        (await stripe.V1.PaymentIntents.CreateAsync(Card(6000))).Status.Should().Be("succeeded", "the rule was for one attempt");

        var listed = (await mp.NetworkRules(key).ListAsync()).Should().ContainSingle().Subject;
        listed.Fired.Should().Be(1);
        listed.Active.Should().BeFalse();
        (await mp.NetworkRules(key).ClearAsync()).Should().Be(1);
    }

    [Fact]
    public async Task A_fault_rule_fails_a_request_and_the_SDK_retry_gets_through()
    {
        await using var mp = await MockProcessorHost.StartAsync();
        var key = mp.NewMerchantKey();
        await mp.Faults(key).AddAsync(new FaultSpec("/v1/customers", FaultKind.ApiError) { Method = "POST", Count = 2 });

        var noRetries = mp.CreateStripeClient(key, maxNetworkRetries: 0);
        var failing = () => noRetries.V1.Customers.CreateAsync(new());
        (await failing.Should().ThrowAsync<StripeException>()).Which.HttpStatusCode.Should().Be(System.Net.HttpStatusCode.InternalServerError);

        var customer = await mp.CreateStripeClient(key, maxNetworkRetries: 1).V1.Customers.CreateAsync(new());
        customer.Id.Should().StartWith("cus_");
        var rule = (await mp.Faults(key).ListAsync()).Should().ContainSingle().Subject;
        rule.Fired.Should().Be(2);
        rule.Remaining.Should().Be(0);
        (await mp.CreateStripeClient(key).V1.Customers.ListAsync()).Data.Should().ContainSingle("the injected errors executed nothing");
    }

    [Fact]
    public async Task The_event_log_lists_a_payment_story_oldest_first()
    {
        await using var mp = await MockProcessorHost.StartAsync(new() { Clock = ClockMode.Manual, StartTime = Start });
        var key = mp.NewMerchantKey();
        await mp.CreateStripeClient(key).V1.PaymentIntents.CreateAsync(Card(2000));

        var types = (await mp.EventsAsync(key)).Select(e => e.Type).ToList();

        types.Should().ContainInOrder("payment_intent.created", "charge.succeeded", "payment_intent.succeeded");
        (await mp.EventsAsync(key, "charge.succeeded")).Should().ContainSingle();
        (await mp.EventsAsync(mp.NewMerchantKey())).Should().BeEmpty();
    }
}

public sealed class HostFaultTransportTests
{
    [Theory]
    [InlineData(Transport.InProcess)]
    [InlineData(Transport.Socket)]
    public async Task A_lost_response_is_retried_by_Stripe_net_and_replayed_from_the_idempotency_store(Transport transport)
    {
        await using var mp = await MockProcessorHost.StartAsync(new() { Seed = 5 });
        var key = mp.NewMerchantKey();
        await mp.Faults(key).AddAsync(new FaultSpec("/v1/customers", FaultKind.ApplyThenDisconnect) { Method = "POST", Count = 1 });

        var customer = await mp.CreateStripeClient(key, transport, maxNetworkRetries: 1).V1.Customers.CreateAsync(new() { Name = "once" });

        customer.Id.Should().StartWith("cus_");
        (await mp.CreateStripeClient(key).V1.Customers.ListAsync()).Data.Should().ContainSingle().Which.Id.Should().Be(customer.Id);
        (await mp.Faults(key).ListAsync()).Single().Fired.Should().Be(1);
    }

    [Theory]
    [InlineData(Transport.InProcess)]
    [InlineData(Transport.Socket)]
    public async Task Without_retries_a_dropped_connection_is_an_HttpRequestException_on_either_transport(Transport transport)
    {
        await using var mp = await MockProcessorHost.StartAsync();
        var key = mp.NewMerchantKey();
        await mp.Faults(key).AddAsync(new FaultSpec("/v1/customers", FaultKind.Disconnect) { Method = "POST", Count = 1 });

        var call = () => mp.CreateStripeClient(key, transport, maxNetworkRetries: 0).V1.Customers.CreateAsync(new());

        await call.Should().ThrowAsync<HttpRequestException>();
        (await mp.CreateStripeClient(key).V1.Customers.ListAsync()).Data.Should().BeEmpty("a disconnect executes nothing");
    }
}
