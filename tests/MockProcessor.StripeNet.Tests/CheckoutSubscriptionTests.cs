using Stripe;
using Stripe.Checkout;

namespace MockProcessor.StripeNet.Tests;

/// <summary>
/// Buying a subscription through a Checkout Session in subscription mode with Stripe.net, the session paid by the
/// emulator's control call <c>POST /_mock/checkout/sessions/{id}/complete</c> (docs/checkout.md "Subscription mode").
/// </summary>
public sealed class CheckoutSubscriptionTests(EmulatorTarget target) : StripeTest(target)
{
    private const string Success = "https://shop.example/welcome?session_id={CHECKOUT_SESSION_ID}";

    [Fact]
    public async Task A_subscription_bought_through_checkout_is_active_on_the_card_with_its_first_invoice_paid()
    {
        var price = await Client.V1.Prices.CreateAsync(new PriceCreateOptions
        {
            Currency = "usd", UnitAmount = 1200, Recurring = new PriceRecurringOptions { Interval = "month" },
            ProductData = new PriceProductDataOptions { Name = $"Plan {Tag}" },
        });
        var session = await Client.V1.Checkout.Sessions.CreateAsync(new SessionCreateOptions
        {
            Mode = "subscription", SuccessUrl = Success, CustomerEmail = $"{Tag}@example.com", AllowPromotionCodes = true,
            LineItems = [new SessionLineItemOptions { Price = price.Id, Quantity = 3 }],
            SubscriptionData = new SessionSubscriptionDataOptions { Metadata = new() { ["tag"] = Tag } },
        });
        session.Mode.Should().Be("subscription");
        session.AmountTotal.Should().Be(3600);
        session.SubscriptionId.Should().BeNull();

        var (status, body) = await Merchant.RawAsync(HttpMethod.Post, $"/_mock/checkout/sessions/{session.Id}/complete",
            ("card", "4242424242424242"), ("name", "Ann"));
        status.Should().Be(200, body?.ToJsonString());

        var done = await Client.V1.Checkout.Sessions.GetAsync(session.Id, new SessionGetOptions { Expand = ["subscription", "invoice"] });
        done.Status.Should().Be("complete");
        done.PaymentStatus.Should().Be("paid");
        done.Subscription.Status.Should().Be("active");
        done.Subscription.Metadata["tag"].Should().Be(Tag);
        done.Subscription.CustomerId.Should().Be(done.CustomerId);
        done.Subscription.Items.Data.Should().ContainSingle().Which.Quantity.Should().Be(3);
        done.Invoice.Status.Should().Be("paid");
        done.Invoice.AmountPaid.Should().Be(3600);
        done.Subscription.LatestInvoiceId.Should().Be(done.InvoiceId);

        var card = await Client.V1.PaymentMethods.GetAsync(done.Subscription.DefaultPaymentMethodId);
        card.CustomerId.Should().Be(done.CustomerId);
        card.Card.Last4.Should().Be("4242");
        var customer = await Client.V1.Customers.GetAsync(done.CustomerId);
        customer.Email.Should().Be($"{Tag}@example.com");
        var subs = await Client.V1.Subscriptions.ListAsync(new SubscriptionListOptions { Customer = done.CustomerId });
        subs.Data.Should().ContainSingle().Which.Id.Should().Be(done.SubscriptionId);
    }
}
