using System.Net;
using Stripe.Checkout;

namespace MockProcessor.StripeNet.Tests;

/// <summary>
/// Checkout's SessionService: create, retrieve, list, line items, expire, Stripe's errors, and completing a session with
/// the emulator's control call <c>POST /_mock/checkout/sessions/{id}/complete</c>. Counterpart of checkout_sessions.test.mjs.
/// </summary>
public sealed class CheckoutSessionTests(EmulatorTarget target) : StripeTest(target)
{
    private const string Success = "https://shop.example/done?session_id={CHECKOUT_SESSION_ID}";

    private Task<Session> CreateAsync(Action<SessionCreateOptions>? configure = null)
    {
        var options = new SessionCreateOptions
        {
            Mode = "payment",
            SuccessUrl = Success,
            CancelUrl = "https://shop.example/cart",
            ClientReferenceId = Tag,
            LineItems =
            [
                new SessionLineItemOptions
                {
                    Quantity = 2,
                    PriceData = new SessionLineItemPriceDataOptions
                    {
                        Currency = "usd", UnitAmount = 1500, ProductData = new SessionLineItemPriceDataProductDataOptions { Name = "T-shirt" },
                    },
                },
            ],
        };
        configure?.Invoke(options);
        return Client.V1.Checkout.Sessions.CreateAsync(options);
    }

    [Fact]
    public async Task Create_retrieve_list_and_line_items()
    {
        var session = await CreateAsync(o => o.Metadata = new() { ["tag"] = Tag });
        session.Status.Should().Be("open");
        session.PaymentStatus.Should().Be("unpaid");
        session.AmountTotal.Should().Be(3000);
        session.Currency.Should().Be("usd");
        session.Url.Should().StartWith("http");
        session.PaymentIntentId.Should().BeNull();
        session.ExpiresAt.Should().BeAfter(session.Created.AddHours(23));

        var fetched = await Client.V1.Checkout.Sessions.GetAsync(session.Id, new SessionGetOptions { Expand = ["line_items"] });
        fetched.LineItems.Data.Should().ContainSingle().Which.Description.Should().Be("T-shirt");

        var items = await Client.V1.Checkout.Sessions.LineItems.ListAsync(session.Id);
        var item = items.Data.Should().ContainSingle().Subject;
        item.Quantity.Should().Be(2);
        item.AmountTotal.Should().Be(3000);
        item.Price.UnitAmount.Should().Be(1500);

        var open = await Client.V1.Checkout.Sessions.ListAsync(new SessionListOptions { Status = "open", Limit = 100 });
        open.Data.Select(s => s.Id).Should().Contain(session.Id);
    }

    [Fact]
    public async Task Recurring_price_in_payment_mode_and_relative_success_url_are_refused()
    {
        var ex = await ExpectStripeErrorAsync(() => CreateAsync(o => o.LineItems[0].PriceData.Recurring =
            new SessionLineItemPriceDataRecurringOptions { Interval = "month" }), HttpStatusCode.BadRequest, "invalid_request_error");
        ex.StripeError.Message.Should().Contain("recurring price");
        await ExpectStripeErrorAsync(() => CreateAsync(o => o.SuccessUrl = "/done"), HttpStatusCode.BadRequest, "invalid_request_error",
            code: "url_invalid", param: "success_url");
        await ExpectStripeErrorAsync(() => CreateAsync(o => o.LineItems = []), HttpStatusCode.BadRequest, "invalid_request_error", param: "line_items");
    }

    [Fact]
    public async Task Expire_an_open_session_then_expire_again_is_refused()
    {
        var session = await CreateAsync();
        var expired = await Client.V1.Checkout.Sessions.ExpireAsync(session.Id);
        expired.Status.Should().Be("expired");
        expired.Url.Should().BeNull();
        await ExpectStripeErrorAsync(() => Client.V1.Checkout.Sessions.ExpireAsync(session.Id), HttpStatusCode.BadRequest, "invalid_request_error");
    }

    [EmulatorFact]
    public async Task Completing_through_the_control_call_pays_the_session()
    {
        var session = await CreateAsync(o => o.CustomerCreation = "always");
        var (status, body) = await Merchant.RawAsync(HttpMethod.Post, $"/_mock/checkout/sessions/{session.Id}/complete",
            ("payment_method", "pm_card_visa"), ("email", "ann@example.com"));
        status.Should().Be(200, body?.ToJsonString());
        var done = await Client.V1.Checkout.Sessions.GetAsync(session.Id, new SessionGetOptions { Expand = ["payment_intent", "customer"] });
        done.Status.Should().Be("complete");
        done.PaymentStatus.Should().Be("paid");
        done.PaymentIntent.Status.Should().Be("succeeded");
        done.PaymentIntent.Amount.Should().Be(3000);
        done.Customer.Email.Should().Be("ann@example.com");
        var byPi = await Client.V1.Checkout.Sessions.ListAsync(new SessionListOptions { PaymentIntent = done.PaymentIntentId });
        byPi.Data.Should().ContainSingle().Which.Id.Should().Be(session.Id);
        var events = await Client.V1.Events.ListAsync(new Stripe.EventListOptions { Type = "checkout.session.completed", Limit = 10 });
        events.Data.Select(e => ((Session)e.Data.Object).Id).Should().Contain(session.Id);
    }

    [EmulatorFact]
    public async Task A_setup_session_saves_the_card_on_a_new_customer()
    {
        var session = await Client.V1.Checkout.Sessions.CreateAsync(new SessionCreateOptions
        {
            Mode = "setup", Currency = "usd", SuccessUrl = Success, CancelUrl = "https://shop.example/account",
        });
        session.Mode.Should().Be("setup");
        var (status, body) = await Merchant.RawAsync(HttpMethod.Post, $"/_mock/checkout/sessions/{session.Id}/complete",
            ("payment_method", "pm_card_visa"), ("email", "sam@example.com"));
        status.Should().Be(200, body?.ToJsonString());
        var done = await Client.V1.Checkout.Sessions.GetAsync(session.Id, new SessionGetOptions { Expand = ["setup_intent"] });
        done.Status.Should().Be("complete");
        done.PaymentStatus.Should().Be("no_payment_required");
        done.PaymentIntentId.Should().BeNull();
        done.SetupIntent.Status.Should().Be("succeeded");
        done.SetupIntent.CustomerId.Should().Be(done.CustomerId).And.NotBeNull();
        var saved = await Client.V1.Customers.PaymentMethods.ListAsync(done.CustomerId);
        saved.Data.Should().ContainSingle().Which.Id.Should().Be(done.SetupIntent.PaymentMethodId);
    }
}
