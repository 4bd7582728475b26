using System.Text.Json.Nodes;

namespace MockProcessor.StripeNet.Tests;

/// <summary>
/// Connect with <c>RequestOptions.StripeAccount</c>: connected accounts and hosted onboarding, destination and direct
/// charges with application fees, refunds with reversal, separate transfers and reversals, fee refunds, Connect
/// webhooks; plus onboarding, rolled, revoked, restricted and publishable keys through the emulator's /_mock/merchants
/// and /_mock/keys. Each money test checks that both balances equal the sum of their transactions' nets.
/// Counterpart of connect.test.mjs.
/// </summary>
public sealed class ConnectTests(EmulatorTarget target) : StripeTest(target)
{
    private const string Platform = "a Connect platform of its own (a fresh sk_test_ key) and the emulator's control API";

    private async Task<Account> ConnectedAccountAsync()
    {
        var account = await Client.V1.Accounts.CreateAsync(new AccountCreateOptions
        {
            Type = "express", Country = "US", Email = $"seller-{Tag}@example.com",
            Capabilities = new AccountCapabilitiesOptions
            {
                CardPayments = new AccountCapabilitiesCardPaymentsOptions { Requested = true },
                Transfers = new AccountCapabilitiesTransfersOptions { Requested = true },
            },
        });
        account.Id.Should().StartWith("acct_");
        account.ChargesEnabled.Should().BeFalse();
        return account;
    }

    private async Task<(long Total, long Nets)> LedgerAsync(RequestOptions? options = null)
    {
        var balance = await Client.V1.Balance.GetAsync(null, options);
        var total = balance.Available.Concat(balance.Pending).Sum(b => b.Amount);
        var nets = (await AllAsync(Client.V1.BalanceTransactions.ListAutoPagingAsync(new BalanceTransactionListOptions { Limit = 100 }, options))).Sum(t => t.Net);
        return (total, nets);
    }

    private async Task<JsonObject> OnboardAsync(params (string, string)[] extra)
    {
        var form = new List<(string, string)> { ("name", $"Shop {Tag[..6]}") };
        form.AddRange(extra);
        using var http = new HttpClient();
        using var res = await http.PostAsync($"{Merchant.BaseUrl}/_mock/merchants",
            new FormUrlEncodedContent(form.Select(f => new KeyValuePair<string, string>(f.Item1, f.Item2))));
        var body = JsonNode.Parse(await res.Content.ReadAsStringAsync())!.AsObject();
        res.StatusCode.Should().Be(HttpStatusCode.OK, body.ToJsonString());
        return body;
    }

    [EmulatorFact(Platform)]
    public async Task Accounts_create_update_list_onboard_and_delete()
    {
        var account = await ConnectedAccountAsync();
        var updated = await Client.V1.Accounts.UpdateAsync(account.Id, new AccountUpdateOptions
        {
            Metadata = new() { ["tier"] = "gold" }, BusinessProfile = new AccountBusinessProfileOptions { Name = "Seller" },
        });
        updated.Metadata["tier"].Should().Be("gold");
        (await Client.V1.Accounts.GetAsync(account.Id)).BusinessProfile.Name.Should().Be("Seller");
        (await Client.V1.Accounts.ListAsync()).Data.Select(a => a.Id).Should().Equal(account.Id);

        var link = await Client.V1.AccountLinks.CreateAsync(new AccountLinkCreateOptions
        {
            Account = account.Id, Type = "account_onboarding", RefreshUrl = "https://p.test/refresh", ReturnUrl = "https://p.test/return",
        });
        link.Object.Should().Be("account_link");
        using (var browser = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }))
        {
            (await browser.GetAsync(link.Url)).StatusCode.Should().Be(HttpStatusCode.OK);
            var done = await browser.PostAsync(link.Url, new FormUrlEncodedContent([]));
            done.StatusCode.Should().Be(HttpStatusCode.SeeOther);
            done.Headers.Location!.ToString().Should().Be("https://p.test/return");
        }
        var onboarded = await Client.V1.Accounts.GetAsync(account.Id);
        onboarded.ChargesEnabled.Should().BeTrue();
        onboarded.PayoutsEnabled.Should().BeTrue();
        onboarded.DetailsSubmitted.Should().BeTrue();
        onboarded.Requirements.CurrentlyDue.Should().BeEmpty();

        var events = await Client.V1.Events.ListAsync(new EventListOptions { Limit = 10 }, new RequestOptions { StripeAccount = account.Id });
        var updates = events.Data.Where(e => e.Type == "account.updated").ToList();
        updates.Should().HaveCount(2).And.OnlyContain(e => e.Account == account.Id);
        updates.Should().OnlyContain(e => ((Account)e.Data.Object).Id == account.Id);

        var other = Target.NewMerchant().Client;
        await ExpectStripeErrorAsync(() => other.V1.Customers.ListAsync(null, new RequestOptions { StripeAccount = account.Id }),
            HttpStatusCode.Forbidden, "invalid_request_error", "account_invalid");
        await ExpectStripeErrorAsync(() => other.V1.Accounts.GetAsync(account.Id), HttpStatusCode.NotFound, "invalid_request_error", "resource_missing");
        (await Client.V1.Accounts.DeleteAsync(account.Id)).Deleted.Should().BeTrue();
        await ExpectStripeErrorAsync(() => Client.V1.Accounts.GetAsync(account.Id), HttpStatusCode.NotFound, "invalid_request_error");
    }

    [EmulatorFact(Platform)]
    public async Task A_destination_charge_with_an_application_fee_refunded_with_reversal()
    {
        var seller = await ConnectedAccountAsync();
        var asSeller = new RequestOptions { StripeAccount = seller.Id };
        var pi = await PayAsync(10000, configure: o =>
        {
            o.ApplicationFeeAmount = 1230;
            o.TransferData = new PaymentIntentTransferDataOptions { Destination = seller.Id };
            o.OnBehalfOf = seller.Id;
        });
        pi.Status.Should().Be("succeeded");
        pi.TransferData.DestinationId.Should().Be(seller.Id);
        var charge = await Client.V1.Charges.GetAsync(pi.LatestChargeId, new ChargeGetOptions { Expand = ["application_fee"] });
        charge.ApplicationFee.Amount.Should().Be(1230);
        charge.ApplicationFee.AccountId.Should().Be(seller.Id);
        var transfer = (await Client.V1.Transfers.ListAsync(new TransferListOptions { Destination = seller.Id })).Data.Single();
        transfer.Id.Should().StartWith("tr_");
        transfer.Amount.Should().Be(8770);
        charge.TransferId.Should().Be(transfer.Id, "charge.transfer names the destination transfer");
        (await Client.V1.Charges.GetAsync(pi.LatestChargeId, new ChargeGetOptions { Expand = ["transfer"] })).Transfer.Amount.Should().Be(8770);
        var payment = await Client.V1.Charges.GetAsync(transfer.DestinationPaymentId, null, asSeller);
        payment.Id.Should().StartWith("py_");
        payment.Amount.Should().Be(8770);
        await ExpectStripeErrorAsync(() => Client.V1.Charges.GetAsync(transfer.DestinationPaymentId), HttpStatusCode.NotFound, "invalid_request_error", "resource_missing");

        var refund = await Client.V1.Refunds.CreateAsync(new RefundCreateOptions { PaymentIntent = pi.Id, Amount = 5000, ReverseTransfer = true, RefundApplicationFee = true });
        refund.TransferReversalId.Should().StartWith("trr_");
        var reversed = await Client.V1.Transfers.GetAsync(transfer.Id);
        reversed.AmountReversed.Should().Be(4385);
        reversed.Reversals.Data[0].Id.Should().Be(refund.TransferReversalId);
        (await Client.V1.ApplicationFees.GetAsync(charge.ApplicationFee.Id)).AmountRefunded.Should().Be(615);

        var p = await LedgerAsync();
        var c = await LedgerAsync(asSeller);
        p.Total.Should().Be(p.Nets, "platform: available + pending == Σ net");
        c.Total.Should().Be(c.Nets, "connected account: available + pending == Σ net");
        c.Total.Should().Be(8770 - 4385);
    }

    [EmulatorFact(Platform)]
    public async Task A_direct_charge_with_an_application_fee_refunded_with_the_fee()
    {
        var seller = await ConnectedAccountAsync();
        var asSeller = new RequestOptions { StripeAccount = seller.Id };
        var pi = await PayAsync(4000, configure: o => o.ApplicationFeeAmount = 400, requestOptions: asSeller);
        pi.ApplicationFeeAmount.Should().Be(400);
        await ExpectStripeErrorAsync(() => Client.V1.PaymentIntents.GetAsync(pi.Id), HttpStatusCode.NotFound, "invalid_request_error", "resource_missing");
        var charge = await Client.V1.Charges.GetAsync(pi.LatestChargeId, new ChargeGetOptions { Expand = ["balance_transaction"] }, asSeller);
        charge.BalanceTransaction.FeeDetails.Should().Contain(f => f.Type == "application_fee" && f.Amount == 400);
        var fee = (await Client.V1.ApplicationFees.ListAsync(new ApplicationFeeListOptions { Charge = charge.Id })).Data.Single();
        fee.Amount.Should().Be(400);
        fee.AccountId.Should().Be(seller.Id);
        (await Client.V1.BalanceTransactions.GetAsync(fee.BalanceTransactionId)).Type.Should().Be("application_fee");

        await Client.V1.Refunds.CreateAsync(new RefundCreateOptions { Charge = charge.Id, RefundApplicationFee = true }, asSeller);
        (await Client.V1.ApplicationFees.GetAsync(fee.Id)).Refunded.Should().BeTrue();
        (await Client.V1.ApplicationFees.Refunds.ListAsync(fee.Id)).Data[0].Amount.Should().Be(400);
        var p = await LedgerAsync();
        var c = await LedgerAsync(asSeller);
        p.Total.Should().Be(p.Nets);
        c.Total.Should().Be(c.Nets);
        p.Total.Should().Be(0, "the platform returned the whole fee");
        c.Total.Should().Be(-charge.BalanceTransaction.Fee + 400, "the connected account is left with Stripe's fee only");
    }

    [EmulatorFact(Platform)]
    public async Task Separate_transfers_partial_reversals_and_direct_fee_refunds()
    {
        var seller = await ConnectedAccountAsync();
        var asSeller = new RequestOptions { StripeAccount = seller.Id };
        await Client.V1.Charges.CreateAsync(new ChargeCreateOptions { Amount = 8000, Currency = "usd", Source = "tok_bypassPending" });
        await ExpectStripeErrorAsync(() => Client.V1.Transfers.CreateAsync(new TransferCreateOptions { Amount = 9000, Currency = "usd", Destination = seller.Id }),
            HttpStatusCode.BadRequest, "invalid_request_error", "balance_insufficient");
        var transfer = await Client.V1.Transfers.CreateAsync(new TransferCreateOptions { Amount = 6000, Currency = "usd", Destination = seller.Id, Metadata = new() { ["order"] = "7" } });
        transfer.Metadata["order"].Should().Be("7");
        var part = await Client.V1.Transfers.Reversals.CreateAsync(transfer.Id, new TransferReversalCreateOptions { Amount = 1000 });
        part.Amount.Should().Be(1000);
        (await Client.V1.Transfers.Reversals.ListAsync(transfer.Id)).Data.Should().ContainSingle();
        var c = await LedgerAsync(asSeller);
        c.Total.Should().Be(5000);
        c.Total.Should().Be(c.Nets);

        var pi = await PayAsync(3000, configure: o => o.ApplicationFeeAmount = 300, requestOptions: asSeller);
        var fee = (await Client.V1.ApplicationFees.ListAsync(new ApplicationFeeListOptions { Charge = pi.LatestChargeId })).Data.Single();
        var fr = await Client.V1.ApplicationFees.Refunds.CreateAsync(fee.Id, new ApplicationFeeRefundCreateOptions { Amount = 100 });
        fr.Object.Should().Be("fee_refund");
        (await Client.V1.ApplicationFees.GetAsync(fee.Id)).AmountRefunded.Should().Be(100);
        var p = await LedgerAsync();
        var after = await LedgerAsync(asSeller);
        p.Total.Should().Be(p.Nets);
        after.Total.Should().Be(after.Nets);
    }

    [EmulatorFact(Platform)]
    public async Task Connect_endpoints_get_connected_accounts_events_ordinary_ones_do_not()
    {
        var seller = await ConnectedAccountAsync();
        var connectHook = await Client.V1.WebhookEndpoints.CreateAsync(new WebhookEndpointCreateOptions { Url = "http://127.0.0.1:9/connect", EnabledEvents = ["*"], Connect = true });
        var ownHook = await Client.V1.WebhookEndpoints.CreateAsync(new WebhookEndpointCreateOptions { Url = "http://127.0.0.1:9/own", EnabledEvents = ["*"] });
        await PayAsync(2500, configure: o => o.ApplicationFeeAmount = 100, requestOptions: new RequestOptions { StripeAccount = seller.Id });
        async Task<List<string>> TypesAsync(string endpoint) =>
            (await Merchant.GetControlAsync($"/_mock/webhooks/deliveries?endpoint={endpoint}&limit=100"))["data"]!.AsArray()
                .Select(d => d!["event_type"]!.GetValue<string>()).ToList();
        var toConnect = await TypesAsync(connectHook.Id);
        var toOwn = await TypesAsync(ownHook.Id);
        toConnect.Should().Contain("charge.succeeded").And.NotContain("application_fee.created");
        toOwn.Should().Contain("application_fee.created", "the fee is the platform's own event").And.NotContain("charge.succeeded");
    }

    [EmulatorFact]
    public async Task Onboarding_returns_working_keys_and_the_webhook_secret()
    {
        var m = await OnboardAsync(("email", "ops@shop.test"), ("country", "US"), ("default_currency", "usd"),
            ("webhook[url]", "http://127.0.0.1:9/hook"), ("webhook[enabled_events][0]", "charge.succeeded"));
        m["secret_key"]!.GetValue<string>().Should().StartWith("sk_test_");
        m["publishable_key"]!.GetValue<string>().Should().StartWith("pk_test_");
        m["webhook_endpoint"]!["secret"]!.GetValue<string>().Should().StartWith("whsec_");
        var client = Merchant.ClientWithKey(m["secret_key"]!.GetValue<string>());
        // GET /v1/account (Stripe.net 53 has no typed call for the caller's own account: Accounts.GetAsync(null) asks /v1/accounts/).
        var (status, account) = await new Merchant(Target, m["secret_key"]!.GetValue<string>()).RawAsync(HttpMethod.Get, "/v1/account");
        status.Should().Be(200);
        account!["id"]!.GetValue<string>().Should().Be(m["id"]!.GetValue<string>());
        account["business_profile"]!["name"]!.GetValue<string>().Should().Be(m["name"]!.GetValue<string>());
        (await client.V1.WebhookEndpoints.ListAsync()).Data.Select(e => e.Id).Should().Equal(m["webhook_endpoint"]!["id"]!.GetValue<string>());
        (await PayAsync(1500, client: client)).Status.Should().Be("succeeded");
    }

    [EmulatorFact]
    public async Task A_rolled_key_works_until_its_expiry_on_the_merchant_clock()
    {
        var m = await OnboardAsync();
        var secret = m["secret_key"]!.GetValue<string>();
        var keyId = m["keys"]!.AsArray().Single(k => k!["secret"]?.GetValue<string>() == secret)!["id"]!.GetValue<string>();
        var owner = new Merchant(Target, secret);
        var rolled = await owner.PostControlAsync($"/_mock/keys/{keyId}/roll", ("expires_in", "3600"));
        var oldKey = owner.Client;
        var newKey = Merchant.ClientWithKey(rolled["secret"]!.GetValue<string>());
        (await oldKey.V1.Customers.CreateAsync(new CustomerCreateOptions { Email = "a@b.test" })).Object.Should().Be("customer");
        await new Merchant(Target, rolled["secret"]!.GetValue<string>()).AdvanceClockAsync(3600);
        var err = await ExpectStripeErrorAsync(() => oldKey.V1.Customers.ListAsync(), HttpStatusCode.Unauthorized, "invalid_request_error", "api_key_expired");
        err.StripeError.Message.Should().StartWith("Expired API Key provided: sk_test_****");
        (await newKey.V1.Customers.ListAsync()).Data.Should().ContainSingle();
    }

    [EmulatorFact]
    public async Task A_revoked_key_is_invalid_and_a_restricted_key_is_held_to_its_permissions()
    {
        var m = await OnboardAsync();
        var owner = new Merchant(Target, m["secret_key"]!.GetValue<string>());
        var extra = await owner.PostControlAsync("/_mock/keys", ("type", "secret"));
        await owner.PostControlAsync($"/_mock/keys/{extra["id"]!.GetValue<string>()}/revoke");
        var revoked = await ExpectStripeErrorAsync(() => Merchant.ClientWithKey(extra["secret"]!.GetValue<string>()).V1.Customers.ListAsync(),
            HttpStatusCode.Unauthorized, "invalid_request_error");
        revoked.StripeError.Message.Should().StartWith("Invalid API Key provided");

        var rk = await owner.PostControlAsync("/_mock/keys", ("type", "restricted"), ("permissions[customers]", "read"), ("permissions[payment_intents]", "write"));
        rk["secret"]!.GetValue<string>().Should().StartWith("rk_test_");
        var restricted = Merchant.ClientWithKey(rk["secret"]!.GetValue<string>());
        (await restricted.V1.Customers.ListAsync()).Data.Should().BeEmpty();
        var pi = await restricted.V1.PaymentIntents.CreateAsync(new PaymentIntentCreateOptions { Amount = 900, Currency = "usd", AllowedPaymentMethodTypes = CardOnly });
        (await restricted.V1.PaymentIntents.GetAsync(pi.Id)).Id.Should().Be(pi.Id);
        var err = await ExpectStripeErrorAsync(() => restricted.V1.Customers.CreateAsync(new CustomerCreateOptions { Email = "x@y.test" }),
            HttpStatusCode.Forbidden, "invalid_request_error");
        err.StripeError.Message.Should().Contain($"does not have the required permissions for this endpoint on account '{m["id"]!.GetValue<string>()}'")
            .And.Contain("Having the 'rak_customer_write' permission would allow this request to continue.");
        (await ExpectStripeErrorAsync(() => restricted.V1.Refunds.ListAsync(), HttpStatusCode.Forbidden, "invalid_request_error"))
            .StripeError.Message.Should().Contain("'rak_refund_read'");
    }

    [EmulatorFact(EmulatorTarget.PublishableKey)]
    public async Task A_publishable_key_is_held_to_stripe_js_calls()
    {
        var pk = Merchant.ClientWithKey(Merchant.PublishableKey);
        var pm = await pk.V1.PaymentMethods.CreateAsync(new PaymentMethodCreateOptions { Type = "card", Card = new PaymentMethodCardOptions { Token = "tok_visa" } });
        var pi = await Client.V1.PaymentIntents.CreateAsync(new PaymentIntentCreateOptions { Amount = 1200, Currency = "usd", AllowedPaymentMethodTypes = CardOnly });
        (await pk.V1.PaymentIntents.ConfirmAsync(pi.Id, new PaymentIntentConfirmOptions { ClientSecret = pi.ClientSecret, PaymentMethod = pm.Id })).Status.Should().Be("succeeded");
        var calls = new Func<Task>[]
        {
            () => pk.V1.Customers.ListAsync(), () => pk.V1.Charges.ListAsync(),
            () => pk.V1.Refunds.CreateAsync(new RefundCreateOptions { PaymentIntent = pi.Id }), () => pk.V1.Balance.GetAsync(),
        };
        foreach (var call in calls)
            await ExpectStripeErrorAsync(call, HttpStatusCode.Unauthorized, "invalid_request_error", "secret_key_required");
        await ExpectStripeErrorAsync(() => pk.V1.PaymentIntents.GetAsync(pi.Id), HttpStatusCode.BadRequest, "invalid_request_error", param: "client_secret");
    }
}
