namespace MockProcessor.StripeNet.Tests;

/// <summary>PaymentIntents (card): create, confirm, capture (full, partial), cancel, state errors, a decline and a retry, update/list/search, publishable key. Counterpart of payment_intents*.test.mjs.</summary>
public sealed class PaymentIntentTests(EmulatorTarget target) : StripeTest(target)
{
    [Fact]
    public async Task Create_without_payment_method_requires_one_and_has_a_client_secret()
    {
        var pi = await Client.V1.PaymentIntents.CreateAsync(new PaymentIntentCreateOptions
        {
            Amount = 2000, Currency = "usd", AllowedPaymentMethodTypes = CardOnly,
        });
        pi.Id.Should().MatchRegex("^pi_[A-Za-z0-9]+$");
        pi.Object.Should().Be("payment_intent");
        pi.Status.Should().Be("requires_payment_method");
        pi.Amount.Should().Be(2000);
        pi.Currency.Should().Be("usd");
        pi.PaymentMethodTypes.Should().Equal("card");
        pi.CaptureMethod.Should().Be("automatic_async", "the default since API 2024-04-10");
        pi.AmountReceived.Should().Be(0);
        pi.AmountCapturable.Should().Be(0);
        pi.LatestChargeId.Should().BeNull();
        pi.PaymentMethodId.Should().BeNull();
        pi.LastPaymentError.Should().BeNull();
        pi.CanceledAt.Should().BeNull();
        pi.Livemode.Should().BeFalse();
        pi.Metadata.Should().BeEmpty();
        pi.ClientSecret.Should().StartWith(pi.Id + "_secret_").And.MatchRegex("^pi_[A-Za-z0-9]+_secret_[A-Za-z0-9]+$");
    }

    [Fact]
    public async Task Without_allowed_types_automatic_payment_methods_need_a_return_url_unless_redirects_are_never()
    {
        var pi = await Client.V1.PaymentIntents.CreateAsync(new PaymentIntentCreateOptions { Amount = 1500, Currency = "usd" });
        pi.AutomaticPaymentMethods?.Enabled.Should().BeTrue();
        pi.PaymentMethodTypes.Should().Contain("card");

        var err = await ExpectStripeErrorAsync(() => Client.V1.PaymentIntents.CreateAsync(new PaymentIntentCreateOptions
        {
            Amount = 1500, Currency = "usd", PaymentMethod = "pm_card_visa", Confirm = true,
        }), HttpStatusCode.BadRequest, "invalid_request_error");
        err.StripeError.Message.Should().Contain("return_url");

        var ok = await Client.V1.PaymentIntents.CreateAsync(new PaymentIntentCreateOptions
        {
            Amount = 1500, Currency = "usd", PaymentMethod = "pm_card_visa", Confirm = true,
            AutomaticPaymentMethods = new PaymentIntentAutomaticPaymentMethodsOptions { Enabled = true, AllowRedirects = "never" },
        });
        ok.Status.Should().Be("succeeded");
    }

    [Fact]
    public async Task Create_with_a_payment_method_then_confirm()
    {
        var pi = await Client.V1.PaymentIntents.CreateAsync(new PaymentIntentCreateOptions
        {
            Amount = 2000, Currency = "usd", AllowedPaymentMethodTypes = CardOnly, PaymentMethod = "pm_card_visa",
        });
        pi.Status.Should().Be("requires_confirmation");
        pi.PaymentMethodId.Should().StartWith("pm_");
        var confirmed = await Client.V1.PaymentIntents.ConfirmAsync(pi.Id);
        confirmed.Status.Should().Be("succeeded");
        confirmed.AmountReceived.Should().Be(2000);
    }

    [Fact]
    public async Task Create_and_confirm_succeeds_and_books_a_captured_charge()
    {
        var pi = await PayAsync();
        pi.Status.Should().Be("succeeded");
        pi.AmountReceived.Should().Be(2000);
        pi.AmountCapturable.Should().Be(0);
        pi.LatestChargeId.Should().StartWith("ch_");
        pi.PaymentMethodId.Should().StartWith("pm_").And.NotBe("pm_card_visa", "an alias becomes a fresh pm_ object");
        pi.LastPaymentError.Should().BeNull();
        pi.NextAction.Should().BeNull();

        var ch = await Client.V1.Charges.GetAsync(pi.LatestChargeId);
        ch.Object.Should().Be("charge");
        ch.Status.Should().Be("succeeded");
        ch.Captured.Should().BeTrue();
        ch.Paid.Should().BeTrue();
        ch.Refunded.Should().BeFalse();
        ch.Amount.Should().Be(2000);
        ch.AmountCaptured.Should().Be(2000);
        ch.AmountRefunded.Should().Be(0);
        ch.Currency.Should().Be("usd");
        ch.PaymentIntentId.Should().Be(pi.Id);
        ch.PaymentMethod.Should().Be(pi.PaymentMethodId);
        ch.BalanceTransactionId.Should().StartWith("txn_");
        ch.FailureCode.Should().BeNull();
        ch.PaymentMethodDetails.Type.Should().Be("card");
        ch.PaymentMethodDetails.Card.Brand.Should().Be("visa");
        ch.PaymentMethodDetails.Card.Last4.Should().Be("4242");
        ch.Outcome.Type.Should().Be("authorized");
        ch.Outcome.NetworkStatus.Should().Be("approved_by_network");
        ch.Outcome.RiskLevel.Should().Be("normal");
    }

    [Fact]
    public async Task Manual_capture_holds_then_captures_in_full()
    {
        var pi = await PayAsync(configure: o => o.CaptureMethod = "manual");
        pi.Status.Should().Be("requires_capture");
        pi.AmountCapturable.Should().Be(2000);
        pi.AmountReceived.Should().Be(0);
        var auth = await Client.V1.Charges.GetAsync(pi.LatestChargeId);
        auth.Captured.Should().BeFalse();
        auth.Paid.Should().BeTrue();
        auth.Status.Should().Be("succeeded");
        auth.AmountCaptured.Should().Be(0);

        var captured = await Client.V1.PaymentIntents.CaptureAsync(pi.Id);
        captured.Status.Should().Be("succeeded");
        captured.AmountReceived.Should().Be(2000);
        captured.AmountCapturable.Should().Be(0);
        var ch = await Client.V1.Charges.GetAsync(pi.LatestChargeId);
        ch.Captured.Should().BeTrue();
        ch.AmountCaptured.Should().Be(2000);
        ch.BalanceTransactionId.Should().StartWith("txn_");
    }

    [Fact]
    public async Task Partial_capture_refunds_the_remainder()
    {
        var pi = await PayAsync(1000, configure: o => o.CaptureMethod = "manual");
        var captured = await Client.V1.PaymentIntents.CaptureAsync(pi.Id, new PaymentIntentCaptureOptions { AmountToCapture = 600 });
        captured.Status.Should().Be("succeeded");
        captured.AmountReceived.Should().Be(600);
        captured.AmountCapturable.Should().Be(0);
        var ch = await Client.V1.Charges.GetAsync(captured.LatestChargeId);
        ch.Captured.Should().BeTrue();
        ch.AmountCaptured.Should().Be(600);
        ch.AmountRefunded.Should().Be(400);
        ch.Refunded.Should().BeFalse("refunded is true only when fully refunded");
    }

    [Fact]
    public async Task Cancel_with_a_reason()
    {
        var pi = await Client.V1.PaymentIntents.CreateAsync(new PaymentIntentCreateOptions { Amount = 2000, Currency = "usd", AllowedPaymentMethodTypes = CardOnly });
        var canceled = await Client.V1.PaymentIntents.CancelAsync(pi.Id, new PaymentIntentCancelOptions { CancellationReason = "requested_by_customer" });
        canceled.Status.Should().Be("canceled");
        canceled.CancellationReason.Should().Be("requested_by_customer");
        canceled.CanceledAt.Should().NotBeNull();
        canceled.CanceledAt!.Value.Should().BeOnOrAfter(pi.Created);
    }

    [Fact]
    public async Task Cancel_of_an_authorized_intent_releases_the_hold()
    {
        var pi = await PayAsync(configure: o => o.CaptureMethod = "manual");
        var canceled = await Client.V1.PaymentIntents.CancelAsync(pi.Id);
        canceled.Status.Should().Be("canceled");
        canceled.AmountCapturable.Should().Be(0);
        var ch = await Client.V1.Charges.GetAsync(pi.LatestChargeId);
        ch.Captured.Should().BeFalse();
        ch.AmountRefunded.Should().Be(2000);
        ch.Refunded.Should().BeTrue();
    }

    [Fact]
    public async Task Confirm_capture_and_cancel_of_a_succeeded_intent_are_unexpected_state_errors_carrying_the_intent()
    {
        var pi = await PayAsync();
        var calls = new Func<Task>[]
        {
            () => Client.V1.PaymentIntents.ConfirmAsync(pi.Id),
            () => Client.V1.PaymentIntents.CaptureAsync(pi.Id),
            () => Client.V1.PaymentIntents.CancelAsync(pi.Id),
        };
        foreach (var call in calls)
        {
            var err = await ExpectStripeErrorAsync(call, HttpStatusCode.BadRequest, "invalid_request_error", "payment_intent_unexpected_state");
            err.StripeError.PaymentIntent.Should().NotBeNull();
            err.StripeError.PaymentIntent.Id.Should().Be(pi.Id);
            err.StripeError.PaymentIntent.Status.Should().Be("succeeded");
        }
    }

    [Fact]
    public async Task A_canceled_intent_cannot_be_confirmed_and_a_succeeded_one_cannot_change_its_amount()
    {
        var pi = await Client.V1.PaymentIntents.CreateAsync(new PaymentIntentCreateOptions { Amount = 2000, Currency = "usd", AllowedPaymentMethodTypes = CardOnly });
        await Client.V1.PaymentIntents.CancelAsync(pi.Id);
        var err = await ExpectStripeErrorAsync(
            () => Client.V1.PaymentIntents.ConfirmAsync(pi.Id, new PaymentIntentConfirmOptions { PaymentMethod = "pm_card_visa" }),
            HttpStatusCode.BadRequest, "invalid_request_error", "payment_intent_unexpected_state");
        err.StripeError.PaymentIntent.Status.Should().Be("canceled");

        var paid = await PayAsync();
        await ExpectStripeErrorAsync(
            () => Client.V1.PaymentIntents.UpdateAsync(paid.Id, new PaymentIntentUpdateOptions { Amount = 3000 }),
            HttpStatusCode.BadRequest, "invalid_request_error", "payment_intent_unexpected_state");
        var updated = await Client.V1.PaymentIntents.UpdateAsync(paid.Id, new PaymentIntentUpdateOptions
        {
            Metadata = new Dictionary<string, string> { ["after"] = "yes" },
        });
        updated.Metadata["after"].Should().Be("yes");
    }

    [Fact]
    public async Task A_decline_then_a_successful_retry_on_the_same_intent()
    {
        var pi = await Client.V1.PaymentIntents.CreateAsync(new PaymentIntentCreateOptions { Amount = 3000, Currency = "usd", AllowedPaymentMethodTypes = CardOnly });
        var err = await ExpectStripeErrorAsync(
            () => Client.V1.PaymentIntents.ConfirmAsync(pi.Id, new PaymentIntentConfirmOptions { PaymentMethod = "pm_card_chargeDeclined" }),
            HttpStatusCode.PaymentRequired, "card_error", "card_declined", "generic_decline");
        var failedCharge = err.StripeError.Charge;
        failedCharge.Should().StartWith("ch_");
        err.StripeError.PaymentIntent.Id.Should().Be(pi.Id);
        err.StripeError.PaymentIntent.Status.Should().Be("requires_payment_method");
        err.StripeError.PaymentIntent.LastPaymentError.Code.Should().Be("card_declined");
        err.StripeError.PaymentIntent.LastPaymentError.DeclineCode.Should().Be("generic_decline");
        err.StripeError.PaymentIntent.LatestChargeId.Should().Be(failedCharge);

        var ok = await Client.V1.PaymentIntents.ConfirmAsync(pi.Id, new PaymentIntentConfirmOptions { PaymentMethod = "pm_card_visa" });
        ok.Status.Should().Be("succeeded");
        ok.AmountReceived.Should().Be(3000);
        ok.LatestChargeId.Should().NotBe(failedCharge);

        var charges = await Client.V1.Charges.ListAsync(new ChargeListOptions { PaymentIntent = pi.Id });
        charges.Data.Select(c => c.Status).Should().Equal("succeeded", "failed");
        charges.Data.Select(c => c.Id).Should().Equal(ok.LatestChargeId, failedCharge);
    }

    [Fact]
    public async Task Update_before_confirmation_changes_amount_description_and_metadata()
    {
        var pi = await Client.V1.PaymentIntents.CreateAsync(new PaymentIntentCreateOptions { Amount = 2000, Currency = "usd", AllowedPaymentMethodTypes = CardOnly });
        var updated = await Client.V1.PaymentIntents.UpdateAsync(pi.Id, new PaymentIntentUpdateOptions
        {
            Amount = 2500, Description = "order 17", Metadata = new Dictionary<string, string> { ["order"] = "17" },
        });
        updated.Amount.Should().Be(2500);
        updated.Description.Should().Be("order 17");
        updated.Metadata.Should().Contain("order", "17");
        (await Client.V1.PaymentIntents.GetAsync(pi.Id)).Amount.Should().Be(2500);
    }

    [Fact]
    public async Task List_by_customer_with_auto_pagination()
    {
        var customer = await Client.V1.Customers.CreateAsync(new CustomerCreateOptions { Email = "pi-list@example.com" });
        var ids = new List<string>();
        for (var i = 0; i < 5; i++)
            ids.Add((await Client.V1.PaymentIntents.CreateAsync(new PaymentIntentCreateOptions
            {
                Amount = 1000 + i, Currency = "usd", AllowedPaymentMethodTypes = CardOnly, Customer = customer.Id,
            })).Id);
        await Client.V1.PaymentIntents.CreateAsync(new PaymentIntentCreateOptions { Amount = 999, Currency = "usd", AllowedPaymentMethodTypes = CardOnly });

        var all = await AllAsync(Client.V1.PaymentIntents.ListAutoPagingAsync(new PaymentIntentListOptions { Customer = customer.Id, Limit = 2 }));
        all.Select(p => p.Id).Should().Equal(Enumerable.Reverse(ids), "lists are newest first and filtered by customer");
        all.Should().OnlyContain(p => p.CustomerId == customer.Id);
    }

    [Fact]
    public async Task Search_by_metadata_and_status()
    {
        var tagged = await PayAsync(configure: o => o.Metadata = new Dictionary<string, string> { ["order_id"] = "ord_77" });
        await PayAsync(configure: o => o.Metadata = new Dictionary<string, string> { ["order_id"] = "ord_78" });
        // Real Stripe's search index lags by up to a minute; the emulator's is immediate.
        var found = await Client.V1.PaymentIntents.SearchAsync(new PaymentIntentSearchOptions
        {
            Query = "metadata['order_id']:'ord_77' AND status:'succeeded'",
        });
        found.Data.Select(p => p.Id).Should().Equal(tagged.Id);
    }

    [EmulatorFact(EmulatorTarget.PublishableKey)]
    public async Task Publishable_key_retrieves_and_confirms_with_the_client_secret_only()
    {
        var pi = await Client.V1.PaymentIntents.CreateAsync(new PaymentIntentCreateOptions
        {
            Amount = 2000, Currency = "usd", AllowedPaymentMethodTypes = CardOnly, Metadata = new Dictionary<string, string> { ["secret"] = "s" },
        });
        var publishable = Merchant.ClientWithKey(Merchant.PublishableKey);
        var seen = await publishable.V1.PaymentIntents.GetAsync(pi.Id, new PaymentIntentGetOptions { ClientSecret = pi.ClientSecret });
        seen.Id.Should().Be(pi.Id);
        seen.Amount.Should().Be(2000);
        seen.Metadata.Should().BeNullOrEmpty("metadata is hidden from publishable keys");

        var confirmed = await publishable.V1.PaymentIntents.ConfirmAsync(pi.Id, new PaymentIntentConfirmOptions
        {
            ClientSecret = pi.ClientSecret, PaymentMethod = "pm_card_visa",
        });
        confirmed.Status.Should().Be("succeeded");

        var err = await Assert.ThrowsAsync<StripeException>(() => publishable.V1.PaymentIntents.GetAsync(pi.Id));
        ((int)err.HttpStatusCode).Should().BeInRange(400, 404);
    }

    [Fact]
    public async Task Zero_decimal_currency_and_amount_limits()
    {
        var jpy = await PayAsync(500, configure: o => o.Currency = "jpy");
        jpy.Status.Should().Be("succeeded");
        jpy.Amount.Should().Be(500);
        jpy.Currency.Should().Be("jpy");

        await ExpectStripeErrorAsync(() => PayAsync(10), HttpStatusCode.BadRequest, "invalid_request_error", "amount_too_small");
        await ExpectStripeErrorAsync(
            () => Client.V1.PaymentIntents.CreateAsync(new PaymentIntentCreateOptions { Amount = 1000, Currency = "xyz", AllowedPaymentMethodTypes = CardOnly }),
            HttpStatusCode.BadRequest, "invalid_request_error");
    }
}
