using FluentAssertions;
using MockProcessor.Server.Time;
using MockProcessor.Testing;
using Stripe;

namespace OrderService.Tests.HostTests;

public sealed class HostWebhookTests
{
    private static PaymentIntentCreateOptions Card(long amount, string pm = "pm_card_visa") => new()
    {
        Amount = amount, Currency = "usd", PaymentMethod = pm, Confirm = true, AllowedPaymentMethodTypes = ["card"],
    };

    [Fact]
    public async Task The_receiver_returns_a_verified_typed_event_as_it_is_dispatched()
    {
        await using var mp = await MockProcessorHost.StartAsync(new() { Seed = 42 });
        var key = mp.NewMerchantKey();
        var endpoint = await mp.Webhooks.ListenAsync(key);
        endpoint.Secret.Should().StartWith("whsec_");
        var stripe = mp.CreateStripeClient(key);

        var pi = await stripe.V1.PaymentIntents.CreateAsync(Card(4200));
        var e = await mp.Webhooks.WaitForAsync(EventTypes.PaymentIntentSucceeded, TimeSpan.FromSeconds(10),
            ev => ((PaymentIntent)ev.Data.Object).Id == pi.Id);

        e.ApiVersion.Should().Be(StripeConfiguration.ApiVersion);
        var received = (PaymentIntent)e.Data.Object;
        received.Amount.Should().Be(4200);
        received.Status.Should().Be("succeeded");
        mp.Webhooks.Rejected.Should().BeEmpty();
        mp.SocketConnections.Should().Be(0, "the receiver is in-process too");
    }

    [Fact]
    public async Task With_manual_dispatch_waiting_flushes()
    {
        await using var mp = await MockProcessorHost.StartAsync(new() { Clock = ClockMode.Manual, WebhookAutoDispatch = false });
        var key = mp.NewMerchantKey();
        await mp.Webhooks.ListenAsync(key, [EventTypes.PaymentIntentPaymentFailed]);
        var declined = () => mp.CreateStripeClient(key).V1.PaymentIntents.CreateAsync(Card(1000, "pm_card_chargeDeclinedInsufficientFunds"));
        await declined.Should().ThrowAsync<StripeException>();
        mp.Webhooks.Sent.Should().BeEmpty("nothing is sent before a flush");

        var e = await mp.Webhooks.WaitForAsync(EventTypes.PaymentIntentPaymentFailed, TimeSpan.FromSeconds(10));

        ((PaymentIntent)e.Data.Object).LastPaymentError.DeclineCode.Should().Be("insufficient_funds");
        mp.Webhooks.Received.Should().ContainSingle("the endpoint only takes payment_failed");
    }

    [Fact]
    public async Task A_delivery_signed_with_the_wrong_secret_is_rejected_and_never_returned()
    {
        await using var mp = await MockProcessorHost.StartAsync(new() { WebhookAutoDispatch = false });
        var key = mp.NewMerchantKey();
        var endpoint = await mp.Webhooks.ListenAsync(key);
        using (var http = mp.CreateHttpClient(key))
            (await http.PostAsync($"/_mock/webhook_endpoints/{endpoint.Id}/faults",
                new FormUrlEncodedContent([new("wrong_secret", "true")]))).EnsureSuccessStatusCode();
        await mp.CreateStripeClient(key).V1.Customers.CreateAsync(new());

        var wait = () => mp.Webhooks.WaitForAsync(EventTypes.CustomerCreated, TimeSpan.FromSeconds(2));

        (await wait.Should().ThrowAsync<TimeoutException>()).Which.Message.Should().Contain("rejected");
        mp.Webhooks.Rejected.Should().NotBeEmpty();
        mp.Webhooks.Received.Should().BeEmpty();
        mp.Webhooks.Sent.Should().OnlyContain(r => r.Status == 400);
    }
}
