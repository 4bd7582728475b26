using FluentAssertions;
using MockProcessor.Testing;
using Stripe;

namespace OrderService.Tests.HostTests;

/// <summary>The in-process host serves the emulator's Prometheus metrics like the executable (docs/observability.md).</summary>
public sealed class HostMetricsTests
{
    [Theory]
    [InlineData(Transport.InProcess)]
    [InlineData(Transport.Socket)]
    public async Task Metrics_count_this_hosts_payments_over_either_transport(Transport transport)
    {
        await using var mp = await MockProcessorHost.StartAsync(new() { Seed = 7 });
        var stripe = mp.CreateStripeClient(mp.NewMerchantKey(), transport);
        for (var i = 0; i < 3; i++)
            await stripe.V1.PaymentIntents.CreateAsync(new PaymentIntentCreateOptions
            {
                Amount = 1000, Currency = "usd", PaymentMethod = "pm_card_visa", Confirm = true,
                AutomaticPaymentMethods = new() { Enabled = true, AllowRedirects = "never" },
            });

        using var http = mp.CreateHttpClient(transport: transport);
        var response = await http.GetAsync("/metrics");
        var text = await response.Content.ReadAsStringAsync();

        response.IsSuccessStatusCode.Should().BeTrue();
        var line = text.Split('\n').Single(l => l.StartsWith("mockprocessor_requests_total{", StringComparison.Ordinal)
            && l.Contains("http_route=\"/v1/payment_intents\"") && l.Contains("http_response_status_code=\"200\""));
        line.Split(' ')[^1].Should().Be("3");
        text.Should().Contain("mockprocessor_card_network_decisions_total{");
    }
}
