namespace MockProcessor.StripeNet.Tests;

/// <summary>Every decline test card as a <see cref="StripeException"/> and the failed charge it leaves. Counterpart of declines.test.mjs.</summary>
public sealed class DeclineTests(EmulatorTarget target) : StripeTest(target)
{
    private const string Issuer = "issuer_declined";

    public static TheoryData<string, string, string, string> Cases => new()
    {
        { "pm_card_visa_chargeDeclined", "card_declined", "generic_decline", Issuer },
        { "pm_card_visa_chargeDeclinedInsufficientFunds", "card_declined", "insufficient_funds", Issuer },
        { "pm_card_visa_chargeDeclinedLostCard", "card_declined", "lost_card", Issuer },
        { "pm_card_visa_chargeDeclinedStolenCard", "card_declined", "stolen_card", Issuer },
        { "pm_card_chargeDeclinedExpiredCard", "expired_card", "expired_card", Issuer },
        { "pm_card_chargeDeclinedIncorrectCvc", "incorrect_cvc", "incorrect_cvc", Issuer },
        { "pm_card_chargeDeclinedProcessingError", "processing_error", "processing_error", Issuer },
        { "pm_card_visa_chargeDeclinedVelocityLimitExceeded", "card_declined", "card_velocity_exceeded", Issuer },
        { "pm_card_radarBlock", "card_declined", "fraudulent", "blocked" },
        { "pm_card_chargeDeclined", "card_declined", "generic_decline", Issuer },
        { "pm_card_chargeDeclinedInsufficientFunds", "card_declined", "insufficient_funds", Issuer },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Decline_through_a_payment_intent(string alias, string code, string declineCode, string outcomeType)
    {
        var err = await ExpectStripeErrorAsync(() => PayAsync(2000, alias), HttpStatusCode.PaymentRequired, "card_error", code, declineCode,
            param: code == "incorrect_cvc" ? "cvc" : null);
        var ch = await CheckDeclineAsync(err, code, declineCode, outcomeType, 2000);
        if (alias == "pm_card_radarBlock")
        {
            ch.Outcome.NetworkStatus.Should().Be("not_sent_to_network");
            ch.Outcome.RiskLevel.Should().Be("highest");
            ch.Outcome.Reason.Should().Be("highest_risk_level");
        }
    }

    [Fact]
    public async Task ChargeCustomerFail_attaches_but_its_charge_is_declined()
    {
        var customer = await Client.V1.Customers.CreateAsync(new CustomerCreateOptions());
        var pm = await Client.V1.PaymentMethods.AttachAsync("pm_card_chargeCustomerFail", new PaymentMethodAttachOptions { Customer = customer.Id });
        pm.Id.Should().StartWith("pm_");
        pm.CustomerId.Should().Be(customer.Id);
        var err = await ExpectStripeErrorAsync(() => PayAsync(1200, pm.Id, o => o.Customer = customer.Id),
            HttpStatusCode.PaymentRequired, "card_error", "card_declined", "generic_decline");
        await CheckDeclineAsync(err, "card_declined", "generic_decline", Issuer, 1200);
        err.StripeError.PaymentIntent.CustomerId.Should().Be(customer.Id);
        err.StripeError.PaymentMethod.Id.Should().Be(pm.Id);
    }

    [Fact]
    public async Task A_declined_confirm_on_an_existing_intent_leaves_it_retryable()
    {
        var pi = await Client.V1.PaymentIntents.CreateAsync(new PaymentIntentCreateOptions { Amount = 2000, Currency = "usd", AllowedPaymentMethodTypes = CardOnly });
        var err = await ExpectStripeErrorAsync(
            () => Client.V1.PaymentIntents.ConfirmAsync(pi.Id, new PaymentIntentConfirmOptions { PaymentMethod = "pm_card_visa_chargeDeclinedInsufficientFunds" }),
            HttpStatusCode.PaymentRequired, "card_error", "card_declined", "insufficient_funds");
        err.StripeError.PaymentIntent.Id.Should().Be(pi.Id);
        await CheckDeclineAsync(err, "card_declined", "insufficient_funds", Issuer, 2000);
    }

    [Theory]
    [InlineData("tok_visa_chargeDeclined", "card_declined", "generic_decline")]
    [InlineData("tok_visa_chargeDeclinedInsufficientFunds", "card_declined", "insufficient_funds")]
    [InlineData("tok_chargeDeclinedExpiredCard", "expired_card", "expired_card")]
    public async Task Decline_through_the_legacy_charges_api(string token, string code, string declineCode)
    {
        var err = await ExpectStripeErrorAsync(
            () => Client.V1.Charges.CreateAsync(new ChargeCreateOptions { Amount = 1500, Currency = "usd", Source = token }),
            HttpStatusCode.PaymentRequired, "card_error", code, declineCode);
        err.StripeError.Charge.Should().StartWith("ch_");
        var ch = await Client.V1.Charges.GetAsync(err.StripeError.Charge);
        ch.Status.Should().Be("failed");
        ch.Paid.Should().BeFalse();
        ch.Amount.Should().Be(1500);
        ch.FailureCode.Should().Be(code);
        ch.Outcome.Type.Should().Be(Issuer);
        ch.Outcome.Reason.Should().Be(declineCode);
        ch.PaymentIntentId.Should().BeNull("a legacy charge has no payment intent");
    }

    [Fact]
    public async Task Legacy_charge_with_tok_visa_succeeds()
    {
        var ch = await Client.V1.Charges.CreateAsync(new ChargeCreateOptions { Amount = 1500, Currency = "usd", Source = "tok_visa" });
        ch.Id.Should().StartWith("ch_");
        ch.Status.Should().Be("succeeded");
        ch.Paid.Should().BeTrue();
        ch.Captured.Should().BeTrue();
        ch.BalanceTransactionId.Should().StartWith("txn_");
        ch.PaymentMethodDetails.Card.Brand.Should().Be("visa");
        ch.Outcome.Type.Should().Be("authorized");
    }

    private async Task<Charge> CheckDeclineAsync(StripeException err, string code, string declineCode, string outcomeType, long amount)
    {
        var e = err.StripeError;
        e.Charge.Should().StartWith("ch_", "the error names the failed charge");
        var pi = e.PaymentIntent;
        pi.Should().NotBeNull("the error embeds the payment intent");
        pi.Id.Should().StartWith("pi_");
        pi.Status.Should().Be("requires_payment_method");
        pi.AmountReceived.Should().Be(0);
        pi.LatestChargeId.Should().Be(e.Charge);
        var lpe = pi.LastPaymentError;
        lpe.Type.Should().Be("card_error");
        lpe.Code.Should().Be(code);
        lpe.DeclineCode.Should().Be(declineCode);
        lpe.Message.Should().Be(e.Message);
        lpe.Charge.Should().Be(e.Charge);
        lpe.PaymentMethod?.Id.Should().StartWith("pm_", "last_payment_error embeds the payment method");
        e.PaymentMethod?.Id.Should().StartWith("pm_");
        e.PaymentMethod.Should().NotBeNull();

        var again = await Client.V1.PaymentIntents.GetAsync(pi.Id);
        again.Status.Should().Be("requires_payment_method");
        again.LastPaymentError.DeclineCode.Should().Be(declineCode);

        var ch = await Client.V1.Charges.GetAsync(e.Charge);
        ch.Status.Should().Be("failed");
        ch.Paid.Should().BeFalse();
        ch.Captured.Should().BeFalse();
        ch.Amount.Should().Be(amount);
        ch.AmountCaptured.Should().Be(0);
        ch.BalanceTransactionId.Should().BeNull();
        ch.PaymentIntentId.Should().Be(pi.Id);
        ch.FailureCode.Should().Be(code);
        ch.FailureMessage.Should().Be(e.Message);
        ch.Outcome.Type.Should().Be(outcomeType);
        if (outcomeType == Issuer)
        {
            ch.Outcome.NetworkStatus.Should().Be("declined_by_network");
            ch.Outcome.Reason.Should().Be(declineCode);
        }
        return ch;
    }
}
