using System.Net;
using Stripe;
using Stripe.BillingPortal;

namespace MockProcessor.StripeNet.Tests;

/// <summary>
/// The customer portal through Stripe.net's BillingPortal services (docs/portal.md): a configuration, a session, then the
/// session's page followed over plain HTTP (no key) to cancel the subscription, checked through the API and its events.
/// </summary>
public sealed class PortalTests(EmulatorTarget target) : StripeTest(target)
{
    private async Task<(Price Basic, Price Pro)> PricesAsync()
    {
        var product = await Client.V1.Products.CreateAsync(new ProductCreateOptions { Name = $"Plan {Tag}" });
        Task<Price> Make(long amount) => Client.V1.Prices.CreateAsync(new PriceCreateOptions
        {
            Product = product.Id, Currency = "usd", UnitAmount = amount, Recurring = new PriceRecurringOptions { Interval = "month" },
        });
        return (await Make(900), await Make(2900));
    }

    private async Task<Stripe.Subscription> SubscribeAsync(Price price)
    {
        var customer = await Client.V1.Customers.CreateAsync(new CustomerCreateOptions { Email = $"{Tag}@example.com" });
        var pm = await Client.V1.PaymentMethods.AttachAsync("pm_card_visa", new PaymentMethodAttachOptions { Customer = customer.Id });
        return await Client.V1.Subscriptions.CreateAsync(new SubscriptionCreateOptions
        {
            Customer = customer.Id, DefaultPaymentMethod = pm.Id, Items = [new SubscriptionItemOptions { Price = price.Id }],
        });
    }

    private static HttpClient Browser() => new(new HttpClientHandler { AllowAutoRedirect = false });

    [EmulatorFact("the emulator's portal page (Stripe's is a browser application)")]
    public async Task Configuration_session_and_cancel_on_the_page()
    {
        var (basic, pro) = await PricesAsync();
        var sub = await SubscribeAsync(basic);
        var config = await Client.V1.BillingPortal.Configurations.CreateAsync(new ConfigurationCreateOptions
        {
            BusinessProfile = new ConfigurationBusinessProfileOptions { Headline = "Your plan" },
            DefaultReturnUrl = "https://shop.example/account",
            Features = new ConfigurationFeaturesOptions
            {
                InvoiceHistory = new ConfigurationFeaturesInvoiceHistoryOptions { Enabled = true },
                PaymentMethodUpdate = new ConfigurationFeaturesPaymentMethodUpdateOptions { Enabled = true },
                SubscriptionCancel = new ConfigurationFeaturesSubscriptionCancelOptions
                {
                    Enabled = true, Mode = "at_period_end", ProrationBehavior = "none",
                    CancellationReason = new ConfigurationFeaturesSubscriptionCancelCancellationReasonOptions
                        { Enabled = true, Options = ["too_expensive", "unused"] },
                },
                SubscriptionUpdate = new ConfigurationFeaturesSubscriptionUpdateOptions
                {
                    Enabled = true, DefaultAllowedUpdates = ["price"], ProrationBehavior = "create_prorations",
                    Products = [new ConfigurationFeaturesSubscriptionUpdateProductOptions { Product = basic.ProductId, Prices = [basic.Id, pro.Id] }],
                },
            },
            Metadata = new() { ["tag"] = Tag },
        });
        config.Id.Should().StartWith("bpc_");
        config.IsDefault.Should().BeTrue();
        config.Active.Should().BeTrue();
        config.BusinessProfile.Headline.Should().Be("Your plan");
        config.Features.SubscriptionCancel.Mode.Should().Be("at_period_end");
        config.Features.SubscriptionCancel.CancellationReason.Options.Should().Equal("too_expensive", "unused");
        config.Features.SubscriptionUpdate.Products.Should().ContainSingle().Which.Prices.Should().Equal(basic.Id, pro.Id);
        (await Client.V1.BillingPortal.Configurations.GetAsync(config.Id)).Metadata["tag"].Should().Be(Tag);
        var renamed = await Client.V1.BillingPortal.Configurations.UpdateAsync(config.Id, new ConfigurationUpdateOptions { Name = "Main" });
        renamed.Name.Should().Be("Main");
        var defaults = await Client.V1.BillingPortal.Configurations.ListAsync(new ConfigurationListOptions { IsDefault = true });
        defaults.Data.Select(c => c.Id).Should().Equal(config.Id);

        await ExpectStripeErrorAsync(() => Client.V1.BillingPortal.Configurations.CreateAsync(new ConfigurationCreateOptions
        {
            Features = new ConfigurationFeaturesOptions
            {
                SubscriptionUpdate = new ConfigurationFeaturesSubscriptionUpdateOptions { Enabled = true, DefaultAllowedUpdates = ["price"] },
            },
        }), HttpStatusCode.BadRequest, "invalid_request_error", param: "features[subscription_update][products]");

        var session = await Client.V1.BillingPortal.Sessions.CreateAsync(new SessionCreateOptions { Customer = sub.CustomerId });
        session.Id.Should().StartWith("bps_");
        session.ConfigurationId.Should().Be(config.Id);
        session.Customer.Should().Be(sub.CustomerId);
        session.ReturnUrl.Should().Be("https://shop.example/account");
        session.Livemode.Should().BeFalse();
        session.Url.Should().StartWith($"{Target.BaseUrl}/billing_portal/session/{session.Id}/");

        // The page: no key, the URL is the credential.
        using var browser = Browser();
        var page = await browser.GetStringAsync(session.Url);
        page.Should().Contain("$9.00 per month").And.Contain($"cancel-{sub.Id}").And.Contain("Your plan");
        using var cancel = await browser.PostAsync(session.Url, new FormUrlEncodedContent(
            [new("action", "cancel"), new("subscription", sub.Id), new("reason", "too_expensive")]));
        cancel.StatusCode.Should().Be(HttpStatusCode.SeeOther);
        (await browser.GetStringAsync(new Uri(new Uri(session.Url), cancel.Headers.Location!))).Should().Contain("will be canceled at the end");

        var after = await Client.V1.Subscriptions.GetAsync(sub.Id);
        after.Status.Should().Be("active");
        after.CancelAtPeriodEnd.Should().BeTrue();
        after.CancellationDetails.Feedback.Should().Be("too_expensive");

        var events = await Client.V1.Events.ListAsync(new EventListOptions { Limit = 5 });
        events.Data.Select(e => e.Type).Should().StartWith(["customer.subscription.updated", "billing_portal.session.created",
            "billing_portal.configuration.updated"]);
        var updated = (Stripe.Subscription)events.Data[0].Data.Object;
        updated.Id.Should().Be(sub.Id);
        updated.CancelAtPeriodEnd.Should().BeTrue();
    }

    [EmulatorFact("the emulator's portal page (Stripe's is a browser application)")]
    public async Task A_subscription_update_flow_switches_the_plan_with_prorations()
    {
        var (basic, pro) = await PricesAsync();
        var sub = await SubscribeAsync(basic);
        var config = await Client.V1.BillingPortal.Configurations.CreateAsync(new ConfigurationCreateOptions
        {
            Features = new ConfigurationFeaturesOptions
            {
                SubscriptionUpdate = new ConfigurationFeaturesSubscriptionUpdateOptions
                {
                    Enabled = true, DefaultAllowedUpdates = ["price"], ProrationBehavior = "create_prorations",
                    Products = [new ConfigurationFeaturesSubscriptionUpdateProductOptions { Product = basic.ProductId, Prices = [basic.Id, pro.Id] }],
                },
            },
        });
        // Ten days into the period: the switch prorates (a session's link lasts minutes, so it is made afterwards).
        await Merchant.AdvanceClockAsync(10 * Day);
        var session = await Client.V1.BillingPortal.Sessions.CreateAsync(new SessionCreateOptions
        {
            Customer = sub.CustomerId, Configuration = config.Id, ReturnUrl = "https://shop.example/back",
            FlowData = new SessionFlowDataOptions
            {
                Type = "subscription_update", SubscriptionUpdate = new SessionFlowDataSubscriptionUpdateOptions { Subscription = sub.Id },
            },
        });
        session.Flow.Type.Should().Be("subscription_update");
        session.Flow.SubscriptionUpdate.Subscription.Should().Be(sub.Id);
        session.Flow.AfterCompletion.Type.Should().Be("portal_homepage");

        using var browser = Browser();
        (await browser.GetStringAsync(session.Url)).Should().Contain($"switch-{pro.Id}").And.NotContain("save-card");
        using var res = await browser.PostAsync(session.Url, new FormUrlEncodedContent(
            [new("action", "switch"), new("subscription", sub.Id), new("price", pro.Id)]));
        res.StatusCode.Should().Be(HttpStatusCode.SeeOther);

        var after = await Client.V1.Subscriptions.GetAsync(sub.Id);
        after.Items.Data.Should().ContainSingle().Which.Price.Id.Should().Be(pro.Id);
        var items = await Client.V1.InvoiceItems.ListAsync(new InvoiceItemListOptions { Customer = sub.CustomerId });
        items.Data.Should().HaveCount(2, "create_prorations leaves a credit for the old price and a charge for the new one");
        items.Data.Sum(i => i.Amount).Should().BeGreaterThan(0);
    }
}
