using System.Net;
using System.Net.Http.Json;
using FluentAssertions;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using MockProcessor.Server.Time;
using MockProcessor.Testing;
using OrderService;
using Stripe;

namespace OrderService.Tests;

/// <summary>
/// The sample service under test, wired to an in-process emulator: its StripeClient is the host's (no socket), and the
/// emulator's webhooks for its endpoint are routed to the WebApplicationFactory's in-memory server. Webhooks are sent
/// only on <c>FlushAsync</c>, which answers once the service has answered them, so every assertion after it is exact.
/// </summary>
public sealed class OrderServiceTests : IAsyncLifetime
{
    private static readonly Uri ServiceOrigin = new("http://orders.test");
    private MockProcessorHost _mp = null!;
    private WebApplicationFactory<Program> _factory = null!;
    private HttpClient _http = null!;
    private string _key = null!;

    public async Task InitializeAsync()
    {
        _mp = await MockProcessorHost.StartAsync(new()
        {
            Seed = 42, Clock = ClockMode.Manual, StartTime = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000), WebhookAutoDispatch = false,
        });
        _key = _mp.NewMerchantKey();
        var endpoint = await _mp.Webhooks.CreateEndpointAsync(_key, new Uri(ServiceOrigin, "/webhooks/stripe").ToString(),
            [EventTypes.PaymentIntentSucceeded, EventTypes.PaymentIntentPaymentFailed]);
        _factory = new WebApplicationFactory<Program>().WithWebHostBuilder(web =>
        {
            web.UseSetting("Stripe:ApiKey", _key);
            web.UseSetting("Stripe:WebhookSecret", endpoint.Secret);
            web.ConfigureTestServices(services => services.AddSingleton(_mp.CreateStripeClient(_key)));
        });
        _http = _factory.CreateClient();
        _mp.Webhooks.Route(ServiceOrigin, _factory.Server.CreateHandler());
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _factory.DisposeAsync();
        await _mp.DisposeAsync();
    }

    private async Task<(HttpStatusCode Status, Order Order)> PlaceOrder(string paymentMethod, long amount = 2500)
    {
        var response = await _http.PostAsJsonAsync("/orders", new CreateOrder(amount, "usd", paymentMethod));
        return (response.StatusCode, (await response.Content.ReadFromJsonAsync<Order>())!);
    }

    private async Task<Order> GetOrder(string id) => (await _http.GetFromJsonAsync<Order>($"/orders/{id}"))!;

    [Fact]
    public async Task A_successful_payment_makes_the_order_paid_only_through_the_webhook()
    {
        var (status, order) = await PlaceOrder("pm_card_visa");

        status.Should().Be(HttpStatusCode.OK);
        order.Status.Should().Be(OrderStatus.Pending);
        order.PaymentIntent.Should().StartWith("pi_");
        (await GetOrder(order.Id)).Status.Should().Be(OrderStatus.Pending, "no webhook was sent yet");

        (await _mp.Webhooks.FlushAsync()).Should().Be(1);

        var paid = await GetOrder(order.Id);
        paid.Status.Should().Be(OrderStatus.Paid);
        paid.LastEvent.Should().Be(EventTypes.PaymentIntentSucceeded);
        var delivery = _mp.Webhooks.Sent.Should().ContainSingle().Subject;
        delivery.Url.Should().Be("http://orders.test/webhooks/stripe");
        delivery.Status.Should().Be(200);
        var pi = await _mp.CreateStripeClient(_key).V1.PaymentIntents.GetAsync(order.PaymentIntent);
        pi.Status.Should().Be("succeeded");
        pi.Metadata["order_id"].Should().Be(order.Id);
    }

    [Fact]
    public async Task A_declined_card_fails_the_order_with_its_decline_code()
    {
        var (status, order) = await PlaceOrder("pm_card_chargeDeclined");

        status.Should().Be(HttpStatusCode.PaymentRequired);
        order.Status.Should().Be(OrderStatus.Failed);
        order.DeclineCode.Should().Be("generic_decline");
        order.PaymentIntent.Should().StartWith("pi_");

        (await _mp.Webhooks.FlushAsync()).Should().Be(1);
        var failed = await GetOrder(order.Id);
        failed.Status.Should().Be(OrderStatus.Failed);
        failed.DeclineCode.Should().Be("generic_decline");
        failed.LastEvent.Should().Be(EventTypes.PaymentIntentPaymentFailed);
    }

    [Fact]
    public async Task A_3ds_card_leaves_the_order_requiring_action()
    {
        var (status, order) = await PlaceOrder("pm_card_authenticationRequired");

        status.Should().Be(HttpStatusCode.OK);
        order.Status.Should().Be(OrderStatus.RequiresAction);
        await _mp.Webhooks.FlushAsync();
        (await GetOrder(order.Id)).Status.Should().Be(OrderStatus.RequiresAction, "neither succeeded nor payment_failed was sent");
        var pi = await _mp.CreateStripeClient(_key).V1.PaymentIntents.GetAsync(order.PaymentIntent);
        pi.Status.Should().Be("requires_action");
        pi.NextAction.Should().NotBeNull();
    }

    [Fact]
    public async Task A_tampered_webhook_is_rejected_and_changes_nothing()
    {
        var (_, order) = await PlaceOrder("pm_card_chargeDeclined");
        await _mp.Webhooks.FlushAsync();
        var genuine = _mp.Webhooks.Sent.Should().ContainSingle().Subject;
        genuine.Status.Should().Be(200);

        // Same signature, body altered to claim success.
        var forged = genuine.Body.Replace(EventTypes.PaymentIntentPaymentFailed, EventTypes.PaymentIntentSucceeded, StringComparison.Ordinal);
        forged.Should().NotBe(genuine.Body);
        (await PostWebhook(forged, genuine.Signature)).Should().Be(HttpStatusCode.BadRequest);
        (await PostWebhook(genuine.Body, null)).Should().Be(HttpStatusCode.BadRequest, "an unsigned event is not trusted either");
        (await GetOrder(order.Id)).Status.Should().Be(OrderStatus.Failed);

        // The untouched delivery replayed is accepted: the rejection above is about the bytes, not the route.
        (await PostWebhook(genuine.Body, genuine.Signature)).Should().Be(HttpStatusCode.OK);
    }

    private async Task<HttpStatusCode> PostWebhook(string body, string? signature)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/stripe")
        {
            Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json"),
        };
        if (signature is not null) request.Headers.TryAddWithoutValidation("Stripe-Signature", signature);
        using var response = await _http.SendAsync(request);
        return response.StatusCode;
    }
}
