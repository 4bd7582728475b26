namespace MockProcessor.StripeNet.Tests;

/// <summary>
/// SetupIntents through Stripe.net: create/confirm/cancel/list, 3-D Secure on setup completed through the emulator's
/// control call, declines with last_setup_error, and the saved card paying off session. Counterpart of setup_intents.test.mjs.
/// </summary>
public sealed class SetupIntentTests(EmulatorTarget target) : StripeTest(target)
{
    private async Task<(Customer Customer, SetupIntent SetupIntent)> SetUpAsync(string card, Action<SetupIntentCreateOptions>? configure = null)
    {
        var customer = await Client.V1.Customers.CreateAsync(new CustomerCreateOptions { Email = $"{Tag}@example.com" });
        var options = new SetupIntentCreateOptions
        {
            Customer = customer.Id, PaymentMethod = card, AllowedPaymentMethodTypes = CardOnly, Confirm = true,
        };
        configure?.Invoke(options);
        return (customer, await Client.V1.SetupIntents.CreateAsync(options));
    }

    private Task<(int Status, System.Text.Json.Nodes.JsonObject? Body)> AuthenticateAsync(string id, string outcome) =>
        Merchant.RawAsync(HttpMethod.Post, $"/_mock/setup_intents/{id}/authenticate", ("outcome", outcome));

    private Task<PaymentIntent> ChargeOffSessionAsync(string customer, string paymentMethod) =>
        PayAsync(1500, paymentMethod, o => { o.Customer = customer; o.OffSession = true; });

    [Fact]
    public async Task Create_then_confirm_saves_the_card_on_the_customer()
    {
        var customer = await Client.V1.Customers.CreateAsync(new CustomerCreateOptions());
        var si = await Client.V1.SetupIntents.CreateAsync(new SetupIntentCreateOptions
        {
            Customer = customer.Id, AllowedPaymentMethodTypes = CardOnly, Metadata = new() { ["tag"] = Tag },
        });
        si.Status.Should().Be("requires_payment_method");
        si.Usage.Should().Be("off_session");
        si.ClientSecret.Should().StartWith(si.Id + "_secret_");

        var confirmed = await Client.V1.SetupIntents.ConfirmAsync(si.Id, new SetupIntentConfirmOptions { PaymentMethod = "pm_card_visa" });
        confirmed.Status.Should().Be("succeeded");
        confirmed.Metadata["tag"].Should().Be(Tag);
        var pm = await Client.V1.PaymentMethods.GetAsync(confirmed.PaymentMethodId);
        pm.CustomerId.Should().Be(customer.Id);
        pm.Card.Last4.Should().Be("4242");
    }

    [Fact]
    public async Task Cancel_and_list()
    {
        var si = await Client.V1.SetupIntents.CreateAsync(new SetupIntentCreateOptions { AllowedPaymentMethodTypes = CardOnly });
        var canceled = await Client.V1.SetupIntents.CancelAsync(si.Id, new SetupIntentCancelOptions { CancellationReason = "requested_by_customer" });
        canceled.Status.Should().Be("canceled");
        canceled.CancellationReason.Should().Be("requested_by_customer");

        var (customer, saved) = await SetUpAsync("pm_card_visa");
        var list = await Client.V1.SetupIntents.ListAsync(new SetupIntentListOptions { Customer = customer.Id });
        list.Data.Select(s => s.Id).Should().Equal(saved.Id);
    }

    [Fact]
    public async Task Canceling_a_succeeded_setup_intent_is_unexpected_state()
    {
        var (_, si) = await SetUpAsync("pm_card_visa");
        si.Status.Should().Be("succeeded");
        var err = await ExpectStripeErrorAsync(() => Client.V1.SetupIntents.CancelAsync(si.Id),
            HttpStatusCode.BadRequest, "invalid_request_error", "setup_intent_unexpected_state");
        err.StripeError.SetupIntent.Status.Should().Be("succeeded");
    }

    [Fact]
    public async Task Confirm_without_payment_method_and_unknown_customer_are_refused()
    {
        var si = await Client.V1.SetupIntents.CreateAsync(new SetupIntentCreateOptions { AllowedPaymentMethodTypes = CardOnly });
        await ExpectStripeErrorAsync(() => Client.V1.SetupIntents.ConfirmAsync(si.Id),
            HttpStatusCode.BadRequest, "invalid_request_error", "setup_intent_unexpected_state");
        await ExpectStripeErrorAsync(() => Client.V1.SetupIntents.CreateAsync(new SetupIntentCreateOptions { Customer = "cus_doesnotexist" }),
            HttpStatusCode.NotFound, "invalid_request_error", "resource_missing", param: "customer");
    }

    [Fact]
    public async Task A_decline_card_fails_with_last_setup_error()
    {
        var customer = await Client.V1.Customers.CreateAsync(new CustomerCreateOptions());
        var err = await ExpectStripeErrorAsync(() => Client.V1.SetupIntents.CreateAsync(new SetupIntentCreateOptions
        {
            Customer = customer.Id, PaymentMethod = "pm_card_visa_chargeDeclined", AllowedPaymentMethodTypes = CardOnly, Confirm = true,
        }), HttpStatusCode.PaymentRequired, "card_error", "card_declined", "generic_decline");
        var si = err.StripeError.SetupIntent;
        si.Status.Should().Be("requires_payment_method");
        si.LastSetupError.Code.Should().Be("card_declined");
        si.LastSetupError.DeclineCode.Should().Be("generic_decline");
        si.LastSetupError.PaymentMethod.Should().NotBeNull();
        (await Client.V1.PaymentMethods.ListAsync(new PaymentMethodListOptions { Customer = customer.Id })).Data.Should().BeEmpty();
    }

    [EmulatorFact]
    public async Task Three_d_secure_on_setup_then_the_card_pays_off_session()
    {
        var (customer, si) = await SetUpAsync("pm_card_authenticationRequiredOnSetup");
        si.Status.Should().Be("requires_action");
        si.NextAction.Type.Should().Be("use_stripe_sdk");
        var (status, body) = await AuthenticateAsync(si.Id, "complete");
        status.Should().Be(200);
        ((string)body!["status"]!).Should().Be("succeeded");

        var after = await Client.V1.SetupIntents.GetAsync(si.Id, new SetupIntentGetOptions { Expand = ["payment_method"] });
        after.PaymentMethod.CustomerId.Should().Be(customer.Id);
        var pi = await ChargeOffSessionAsync(customer.Id, after.PaymentMethodId);
        pi.Status.Should().Be("succeeded");
    }

    [EmulatorFact]
    public async Task Always_authenticate_card_is_refused_off_session_even_when_set_up()
    {
        var (customer, si) = await SetUpAsync("pm_card_authenticationRequired");
        (await AuthenticateAsync(si.Id, "complete")).Status.Should().Be(200);
        var err = await ExpectStripeErrorAsync(() => ChargeOffSessionAsync(customer.Id, si.PaymentMethodId),
            HttpStatusCode.PaymentRequired, "card_error", "authentication_required", "authentication_required");
        err.StripeError.PaymentIntent.Status.Should().Be("requires_payment_method");
        err.StripeError.PaymentIntent.LastPaymentError.Code.Should().Be("authentication_required");
    }

    [EmulatorFact]
    public async Task A_failed_challenge_leaves_requires_payment_method()
    {
        var (_, si) = await SetUpAsync("pm_card_threeDSecure2Required");
        (await AuthenticateAsync(si.Id, "fail")).Status.Should().Be(200);
        var after = await Client.V1.SetupIntents.GetAsync(si.Id);
        after.Status.Should().Be("requires_payment_method");
        after.LastSetupError.Code.Should().Be("setup_intent_authentication_failure");
    }

    [Fact]
    public async Task Setup_future_usage_saves_the_card_for_a_later_off_session_payment()
    {
        var customer = await Client.V1.Customers.CreateAsync(new CustomerCreateOptions());
        var first = await PayAsync(paymentMethod: "pm_card_visa", configure: o => { o.Customer = customer.Id; o.SetupFutureUsage = "off_session"; });
        first.Status.Should().Be("succeeded");
        (await Client.V1.PaymentMethods.GetAsync(first.PaymentMethodId)).CustomerId.Should().Be(customer.Id);
        (await ChargeOffSessionAsync(customer.Id, first.PaymentMethodId)).Status.Should().Be("succeeded");
    }
}
