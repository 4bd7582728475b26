using System.Net;
using System.Net.Sockets;
using FluentAssertions;
using MockProcessor.Server.Time;
using MockProcessor.Testing;
using Stripe;

namespace OrderService.Tests.HostTests;

public sealed class HostTransportTests
{
    [Fact]
    public async Task In_process_Stripe_calls_open_no_socket_and_socket_calls_do()
    {
        await using var mp = await MockProcessorHost.StartAsync(new() { Seed = 42 });
        var key = mp.NewMerchantKey();
        var inProcess = mp.CreateStripeClient(key);

        for (var i = 0; i < 20; i++)
            await inProcess.V1.Customers.CreateAsync(new CustomerCreateOptions { Email = $"c{i}@example.com" });
        var listed = await inProcess.V1.Customers.ListAsync(new CustomerListOptions { Limit = 100 });

        listed.Data.Should().HaveCount(20);
        mp.SocketConnections.Should().Be(0);

        var overSocket = mp.CreateStripeClient(key, Transport.Socket);
        var viaSocket = await overSocket.V1.Customers.ListAsync(new CustomerListOptions { Limit = 1 });

        viaSocket.Data.Single().Id.Should().Be(listed.Data[0].Id, "both transports reach the same emulator");
        mp.SocketConnections.Should().BeGreaterThan(0);
    }

    [Fact]
    public async Task BaseUrl_is_a_real_loopback_listener_until_disposed()
    {
        var mp = await MockProcessorHost.StartAsync();
        var uri = new Uri(mp.BaseUrl);
        uri.Host.Should().Be("127.0.0.1");
        uri.Port.Should().BeGreaterThan(0);
        using (var raw = new HttpClient())
            (await raw.GetAsync(mp.BaseUrl + "/healthz")).StatusCode.Should().Be(HttpStatusCode.OK);

        await mp.DisposeAsync();

        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        var connect = async () => await socket.ConnectAsync(IPAddress.Loopback, uri.Port);
        await connect.Should().ThrowAsync<SocketException>();
    }

    [Fact]
    public async Task Hosts_with_one_seed_make_the_same_ids_and_another_seed_does_not()
    {
        async Task<string[]> Ids(long seed)
        {
            await using var mp = await MockProcessorHost.StartAsync(new() { Seed = seed, Clock = ClockMode.Manual });
            var stripe = mp.CreateStripeClient(mp.NewMerchantKey());
            var customer = await stripe.V1.Customers.CreateAsync(new CustomerCreateOptions { Name = "Jenny" });
            var pi = await stripe.V1.PaymentIntents.CreateAsync(new PaymentIntentCreateOptions
            {
                Amount = 1000, Currency = "usd", Customer = customer.Id, PaymentMethod = "pm_card_visa", Confirm = true,
                AllowedPaymentMethodTypes = ["card"],
            });
            return [customer.Id, pi.Id, pi.LatestChargeId];
        }

        var first = await Ids(42);
        var again = await Ids(42);
        var other = await Ids(43);

        again.Should().Equal(first);
        other[0].Should().NotBe(first[0]);
        other[1].Should().NotBe(first[1]);
    }

    [Fact]
    public async Task Each_new_merchant_key_is_an_isolated_merchant()
    {
        await using var mp = await MockProcessorHost.StartAsync();
        var (a, b) = (mp.NewMerchantKey(), mp.NewMerchantKey());
        a.Should().StartWith("sk_test_").And.NotBe(b);

        await mp.CreateStripeClient(a).V1.Customers.CreateAsync(new CustomerCreateOptions { Name = "only in a" });

        (await mp.CreateStripeClient(a).V1.Customers.ListAsync()).Data.Should().ContainSingle();
        (await mp.CreateStripeClient(b).V1.Customers.ListAsync()).Data.Should().BeEmpty();
        var accountA = await mp.CreateStripeClient(a).V1.Accounts.GetSelfAsync();
        var accountB = await mp.CreateStripeClient(b).V1.Accounts.GetSelfAsync();
        accountA.Id.Should().NotBe(accountB.Id);
    }

    [Fact]
    public async Task An_onboarded_merchant_gets_working_keys_of_its_own()
    {
        await using var mp = await MockProcessorHost.StartAsync(new() { Seed = 7 });
        var merchant = await mp.OnboardMerchantAsync("Acme", "GB", "gbp");

        merchant.Id.Should().StartWith("acct_");
        merchant.SecretKey.Should().StartWith("sk_test_");
        merchant.PublishableKey.Should().StartWith("pk_test_");
        var account = await mp.CreateStripeClient(merchant.SecretKey).V1.Accounts.GetSelfAsync();
        account.Id.Should().Be(merchant.Id);
        account.Country.Should().Be("GB");
        account.DefaultCurrency.Should().Be("gbp");
    }
}
