using FluentAssertions;
using MockProcessor.Server.Time;
using MockProcessor.Testing;
using Stripe;

namespace OrderService.Tests.HostTests;

/// <summary>The code of README's "Pointing an SDK at it" section, run as written (only the base URL comes from the host).</summary>
public sealed class ReadmeExampleTests
{
    [Fact]
    public async Task A_plain_StripeClient_with_apiBase_reaches_the_emulator()
    {
        await using var mp = await MockProcessorHost.StartAsync();

        var client = new StripeClient("sk_test_mysuite", apiBase: mp.BaseUrl);
        var customer = await client.V1.Customers.CreateAsync(new CustomerCreateOptions { Email = "jenny@example.com" });

        customer.Id.Should().StartWith("cus_");
        customer.Email.Should().Be("jenny@example.com");
        mp.SocketConnections.Should().BeGreaterThan(0, "a plain client goes over the port");
    }

    [Fact]
    public async Task The_MockProcessorHost_example_runs_as_written()
    {
        await using var mp = await MockProcessorHost.StartAsync(new() { Seed = 42, Clock = ClockMode.Manual });
        var key = mp.NewMerchantKey();
        var stripe = mp.CreateStripeClient(key);
        await mp.Webhooks.ListenAsync(key);

        var pi = await stripe.V1.PaymentIntents.CreateAsync(new PaymentIntentCreateOptions
        {
            Amount = 2000, Currency = "usd", PaymentMethod = "pm_card_visa", Confirm = true, AllowedPaymentMethodTypes = ["card"],
        });
        var succeeded = await mp.Webhooks.WaitForAsync("payment_intent.succeeded", TimeSpan.FromSeconds(5));

        ((PaymentIntent)succeeded.Data.Object).Id.Should().Be(pi.Id);
        mp.SocketConnections.Should().Be(0);
    }

    [Fact]
    public void Setting_ApiKey_after_StripeClient_replaces_the_client_with_one_for_api_stripe_com()
    {
        var (savedClient, savedKey) = (StripeConfiguration.StripeClient, StripeConfiguration.ApiKey);
        try
        {
            var mine = new StripeClient("sk_test_readme_a", apiBase: "http://127.0.0.1:12111");
            StripeConfiguration.StripeClient = mine;
            StripeConfiguration.StripeClient.ApiBase.Should().Be("http://127.0.0.1:12111");

            StripeConfiguration.ApiKey = "sk_test_readme_b";

            StripeConfiguration.StripeClient.Should().NotBeSameAs(mine);
            StripeConfiguration.StripeClient.ApiBase.Should().Be("https://api.stripe.com");

            // The safe order: key first, client last.
            StripeConfiguration.StripeClient = mine;
            StripeConfiguration.StripeClient.ApiBase.Should().Be("http://127.0.0.1:12111");
        }
        finally
        {
            StripeConfiguration.ApiKey = savedKey;
            StripeConfiguration.StripeClient = savedClient;
        }
    }
}
