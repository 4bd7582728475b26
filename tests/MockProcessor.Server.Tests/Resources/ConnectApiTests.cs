using System.Text.Json.Nodes;

namespace MockProcessor.Server.Tests.Resources;

/// <summary>Connect: connected accounts, hosted onboarding, Stripe-Account, direct and destination charges, refunds reversing them.</summary>
public class ConnectApiTests : IAsyncLifetime
{
    private readonly TestApp _app = new();
    public Task InitializeAsync() => Task.CompletedTask;
    public async Task DisposeAsync() => await _app.DisposeAsync();

    private const string PlatformKey = "sk_test_connect_platform";
    private HttpClient Platform => _app.Client(PlatformKey);

    private HttpClient As(string account, string key = PlatformKey)
    {
        var client = _app.Client(key);
        client.DefaultRequestHeaders.Add("Stripe-Account", account);
        return client;
    }

    private async Task<string> NewConnectedAccount(string type = "express")
    {
        var a = await (await Platform.PostFormAsync("/v1/accounts", ("type", type), ("country", "US"), ("email", "seller@example.com"),
            ("capabilities[card_payments][requested]", "true"), ("capabilities[transfers][requested]", "true"))).OkAsync();
        return (string)a["id"]!;
    }

    /// <summary>available + pending per currency, and the sum of the nets of every balance transaction.</summary>
    private static async Task<(long Balance, long SumOfNets)> Ledger(HttpClient client)
    {
        var balance = await (await client.GetAsync("/v1/balance")).OkAsync();
        long total = 0;
        foreach (var bucket in new[] { "available", "pending" })
            foreach (var f in balance[bucket]!.AsArray()) total += (long)f!["amount"]!;
        var txns = await (await client.GetAsync("/v1/balance_transactions?limit=100")).OkAsync();
        var nets = txns["data"]!.AsArray().Sum(t => (long)t!["net"]!);
        return (total, nets);
    }

    [Fact]
    public async Task Onboarding_through_an_account_link_completes_the_account_and_announces_it_to_connect_endpoints_only()
    {
        var connectHook = await (await Platform.PostFormAsync("/v1/webhook_endpoints", ("url", "http://hooks.test/connect"),
            ("enabled_events[]", "*"), ("connect", "true"))).OkAsync();
        await (await Platform.PostFormAsync("/v1/webhook_endpoints", ("url", "http://hooks.test/own"), ("enabled_events[]", "*"))).OkAsync();
        var id = await NewConnectedAccount();
        var before = await (await Platform.GetAsync($"/v1/accounts/{id}")).OkAsync();
        Assert.False((bool)before["charges_enabled"]!);
        Assert.NotEmpty(before["requirements"]!["currently_due"]!.AsArray());

        var link = await (await Platform.PostFormAsync("/v1/account_links", ("account", id), ("type", "account_onboarding"),
            ("refresh_url", "https://platform.test/refresh"), ("return_url", "https://platform.test/done"))).OkAsync();
        var path = new Uri((string)link["url"]!).PathAndQuery;
        var page = await _app.Client("").GetAsync(path);
        Assert.Equal(200, (int)page.StatusCode);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains(id, html);
        // Its own title, not the 3-D Secure page's it shares a layout with.
        Assert.Contains("<title>MockProcessor Connect onboarding</title>", html);
        Assert.DoesNotContain("3-D Secure", html);
        var submitted = await _app.Client("").PostAsync(path, new FormUrlEncodedContent([]));
        Assert.Equal(303, (int)submitted.StatusCode);
        Assert.Equal("https://platform.test/done", submitted.Headers.Location!.ToString());
        var used = await _app.Client("").PostAsync(path, new FormUrlEncodedContent([]));
        Assert.Equal(404, (int)used.StatusCode); // single use
        Assert.DoesNotContain("3-D Secure", await used.Content.ReadAsStringAsync());

        var after = await (await Platform.GetAsync($"/v1/accounts/{id}")).OkAsync();
        Assert.True((bool)after["charges_enabled"]!);
        Assert.True((bool)after["details_submitted"]!);
        Assert.Equal("active", (string)after["capabilities"]!["card_payments"]!);
        Assert.Empty(after["requirements"]!["currently_due"]!.AsArray());

        // The event is the connected account's: seen through Stripe-Account, not in the platform's own list.
        var events = await (await As(id).GetAsync("/v1/events")).OkAsync();
        var updated = events["data"]!.AsArray().Single(e => (string)e!["type"]! == "account.updated")!;
        Assert.Equal(id, (string)updated["account"]!);
        var own = await (await Platform.GetAsync("/v1/events")).OkAsync();
        Assert.DoesNotContain(own["data"]!.AsArray(), e => (string)e!["type"]! == "account.updated");

        await (await _app.Client("").PostFormAsync("/_mock/webhooks/flush")).OkAsync();
        var deliveries = _app.Receiver.All;
        Assert.Contains(deliveries, d => d.Url.Contains("/connect") && (string)d.Json["type"]! == "account.updated" && (string?)d.Json["account"] == id);
        Assert.DoesNotContain(deliveries, d => d.Url.Contains("/own") && (string)d.Json["type"]! == "account.updated");
        Assert.StartsWith("we_", (string)connectHook["id"]!);
    }

    [Fact]
    public async Task A_report_run_for_a_connected_account_is_refused_without_claiming_connect_is_missing()
    {
        var error = await (await Platform.PostFormAsync("/v1/reporting/report_runs", ("report_type", "balance.summary.1"),
            ("parameters[interval_start]", (TestApp.StartTime - 86_400).ToString()), ("parameters[interval_end]", TestApp.StartTime.ToString()),
            ("parameters[connected_account]", await NewConnectedAccount()))).ErrorAsync(400);
        Assert.Equal("parameters[connected_account]", (string)error["param"]!);
        Assert.DoesNotContain("not emulated", (string)error["message"]!);
    }

    [Fact]
    public async Task Stripe_account_works_only_for_the_platforms_own_connected_accounts()
    {
        var id = await NewConnectedAccount();
        await (await As(id).GetAsync("/v1/account")).OkAsync();
        Assert.Equal(id, (string)(await (await As(id).GetAsync("/v1/account")).OkAsync())["id"]!);
        var other = await (await As(id, "sk_test_connect_other").GetAsync("/v1/customers")).ErrorAsync(403);
        Assert.Equal("account_invalid", (string)other["code"]!);
        var unknown = await (await As("acct_doesnotexist00", "sk_test_connect_other").GetAsync("/v1/customers")).ErrorAsync(403);
        Assert.Equal(((string)other["message"]!).Replace(id, "X"), ((string)unknown["message"]!).Replace("acct_doesnotexist00", "X"));
        await (await _app.Client("sk_test_connect_other").GetAsync($"/v1/accounts/{id}")).ErrorAsync(404);

        // A customer made on the connected account is the connected account's only.
        var cus = await (await As(id).PostFormAsync("/v1/customers", ("email", "c@example.com"))).OkAsync();
        await (await Platform.GetAsync($"/v1/customers/{cus["id"]}")).ErrorAsync(404);
        await (await As(id).GetAsync($"/v1/customers/{cus["id"]}")).OkAsync();
        Assert.Empty((await (await Platform.GetAsync("/v1/customers")).OkAsync())["data"]!.AsArray());

        var listed = await (await Platform.GetAsync("/v1/accounts")).OkAsync();
        Assert.Equal(id, (string)listed["data"]![0]!["id"]!);
        await (await Platform.DeleteAsync($"/v1/accounts/{id}")).OkAsync();
        Assert.Equal("account_invalid", (string)(await (await As(id).GetAsync("/v1/customers")).ErrorAsync(403))["code"]!);
    }

    [Fact]
    public async Task A_destination_charge_transfers_to_the_connected_account_and_a_refund_reverses_it()
    {
        var id = await NewConnectedAccount();
        var pi = await (await Platform.PostFormAsync("/v1/payment_intents", ("amount", "10000"), ("currency", "usd"),
            ("payment_method", "pm_card_visa"), ("allowed_payment_method_types[]", "card"), ("confirm", "true"),
            ("application_fee_amount", "1000"), ("transfer_data[destination]", id), ("on_behalf_of", id))).OkAsync();
        Assert.Equal("succeeded", (string)pi["status"]!);
        Assert.Equal(1000, (long)pi["application_fee_amount"]!);
        Assert.Equal(id, (string)pi["transfer_data"]!["destination"]!);
        var charge = await (await Platform.GetAsync($"/v1/charges/{pi["latest_charge"]}")).OkAsync();
        Assert.StartsWith("fee_", (string)charge["application_fee"]!);

        var transfers = await (await Platform.GetAsync("/v1/transfers")).OkAsync();
        var transfer = transfers["data"]![0]!;
        Assert.Equal(9000, (long)transfer["amount"]!);
        Assert.Equal(id, (string)transfer["destination"]!);
        var py = await (await As(id).GetAsync($"/v1/charges/{transfer["destination_payment"]}")).OkAsync();
        Assert.Equal(9000, (long)py["amount"]!);
        Assert.Equal((string)transfer["id"]!, (string)py["source_transfer"]!);
        var pyTxn = await (await As(id).GetAsync($"/v1/balance_transactions/{py["balance_transaction"]}")).OkAsync();
        Assert.Equal("payment", (string)pyTxn["type"]!);
        Assert.Equal(9000, (long)pyTxn["net"]!);

        var refund = await (await Platform.PostFormAsync("/v1/refunds", ("payment_intent", (string)pi["id"]!), ("reverse_transfer", "true"),
            ("refund_application_fee", "true"))).OkAsync();
        Assert.StartsWith("trr_", (string)refund["transfer_reversal"]!);
        var reversed = await (await Platform.GetAsync($"/v1/transfers/{transfer["id"]}")).OkAsync();
        Assert.True((bool)reversed["reversed"]!);
        Assert.Equal(9000, (long)reversed["amount_reversed"]!);
        var fee = await (await Platform.GetAsync($"/v1/application_fees/{charge["application_fee"]}")).OkAsync();
        Assert.True((bool)fee["refunded"]!);

        var (pBalance, pNets) = await Ledger(Platform);
        var (cBalance, cNets) = await Ledger(As(id));
        Assert.Equal(pNets, pBalance);
        Assert.Equal(cNets, cBalance);
        Assert.Equal(0, cBalance); // the connected account gave back all it received
        Assert.Equal(-(long)(await (await Platform.GetAsync($"/v1/balance_transactions/{charge["balance_transaction"]}")).OkAsync())["fee"]!, pBalance);
    }

    [Fact]
    public async Task A_direct_charge_lives_on_the_connected_account_and_pays_the_platform_its_fee()
    {
        var id = await NewConnectedAccount("standard");
        var connected = As(id);
        var pi = await (await connected.PostFormAsync("/v1/payment_intents", ("amount", "5000"), ("currency", "usd"),
            ("payment_method", "pm_card_visa"), ("allowed_payment_method_types[]", "card"), ("confirm", "true"), ("application_fee_amount", "700"))).OkAsync();
        await (await Platform.GetAsync($"/v1/payment_intents/{pi["id"]}")).ErrorAsync(404);
        var charge = await (await connected.GetAsync($"/v1/charges/{pi["latest_charge"]}")).OkAsync();
        var txn = await (await connected.GetAsync($"/v1/balance_transactions/{charge["balance_transaction"]}")).OkAsync();
        Assert.Contains(txn["fee_details"]!.AsArray(), f => (string)f!["type"]! == "application_fee" && (long)f["amount"]! == 700);

        var fees = await (await Platform.GetAsync("/v1/application_fees")).OkAsync();
        var fee = fees["data"]![0]!;
        Assert.Equal(700, (long)fee["amount"]!);
        Assert.Equal(id, (string)fee["account"]!);
        Assert.Equal((string)charge["id"]!, (string)fee["charge"]!);
        var earning = await (await Platform.GetAsync($"/v1/balance_transactions/{fee["balance_transaction"]}")).OkAsync();
        Assert.Equal("application_fee", (string)earning["type"]!);
        Assert.Equal(700, (long)earning["net"]!);
        await (await connected.GetAsync("/v1/application_fees")).OkAsync();
        Assert.Empty((await (await connected.GetAsync("/v1/application_fees")).OkAsync())["data"]!.AsArray());

        await (await connected.PostFormAsync("/v1/refunds", ("charge", (string)charge["id"]!), ("amount", "2500"), ("refund_application_fee", "true"))).OkAsync();
        var refunded = await (await Platform.GetAsync($"/v1/application_fees/{fee["id"]}")).OkAsync();
        Assert.Equal(350, (long)refunded["amount_refunded"]!);
        Assert.Single(refunded["refunds"]!["data"]!.AsArray());

        var (pBalance, pNets) = await Ledger(Platform);
        var (cBalance, cNets) = await Ledger(connected);
        Assert.Equal(pNets, pBalance);
        Assert.Equal(cNets, cBalance);
        Assert.Equal(350, pBalance);
    }

    [Fact]
    public async Task Connect_parameters_are_checked()
    {
        var id = await NewConnectedAccount();
        var noDestination = await (await Platform.PostFormAsync("/v1/payment_intents", ("amount", "1000"), ("currency", "usd"),
            ("application_fee_amount", "100"))).ErrorAsync(400);
        Assert.Equal("application_fee_amount", (string)noDestination["param"]!);
        var foreign = await (await _app.Client("sk_test_connect_other").PostFormAsync("/v1/payment_intents", ("amount", "1000"), ("currency", "usd"),
            ("transfer_data[destination]", id))).ErrorAsync(404);
        Assert.Equal("transfer_data[destination]", (string)foreign["param"]!);
        var tooBig = await (await Platform.PostFormAsync("/v1/payment_intents", ("amount", "1000"), ("currency", "usd"),
            ("transfer_data[destination]", id), ("application_fee_amount", "1001"))).ErrorAsync(400);
        Assert.Equal("application_fee_amount", (string)tooBig["param"]!);
    }

    [Fact]
    public async Task A_connected_accounts_time_driven_work_runs_as_that_account_on_the_platforms_clock()
    {
        var id = await NewConnectedAccount();
        var pi = await (await As(id).PostFormAsync("/v1/payment_intents", ("amount", "2000"), ("currency", "usd"), ("confirm", "true"),
            ("payment_method", "pm_card_visa"), ("allowed_payment_method_types[]", "card"), ("capture_method", "manual"))).OkAsync();
        await (await As(id).PostFormAsync("/_mock/merchant_clock/advance", ("seconds", "3600"))).ErrorAsync(400);
        await (await Platform.PostFormAsync("/_mock/merchant_clock/advance", ("seconds", (8 * 86_400).ToString()))).OkAsync();
        var expired = await (await As(id).GetAsync($"/v1/payment_intents/{pi["id"]}")).OkAsync();
        Assert.Equal("canceled", (string)expired["status"]!);
        var events = await (await As(id).GetAsync("/v1/events?type=payment_intent.canceled")).OkAsync();
        Assert.Equal(id, (string)events["data"]![0]!["account"]!);
    }

    [Fact]
    public async Task Automatic_payouts_run_for_the_platform_and_the_connected_account_each_from_its_own_balance()
    {
        var id = await NewConnectedAccount();
        await (await Platform.PostFormAsync("/v1/payment_intents", ("amount", "10000"), ("currency", "usd"), ("confirm", "true"),
            ("payment_method", "pm_card_visa"), ("allowed_payment_method_types[]", "card"), ("transfer_data[destination]", id),
            ("application_fee_amount", "1000"))).OkAsync();
        await (await As(id).PostFormAsync("/v1/payment_intents", ("amount", "4000"), ("currency", "usd"), ("confirm", "true"),
            ("payment_method", "pm_card_visa"), ("allowed_payment_method_types[]", "card"), ("application_fee_amount", "400"))).OkAsync();
        await (await Platform.PostFormAsync("/_mock/merchant_clock/advance", ("seconds", (10 * 86_400).ToString()))).OkAsync();

        foreach (var client in new[] { Platform, As(id) })
        {
            var payouts = await (await client.GetAsync("/v1/payouts")).OkAsync();
            Assert.NotEmpty(payouts["data"]!.AsArray());
            var (balance, nets) = await Ledger(client);
            Assert.Equal(nets, balance);
            Assert.Equal(0, balance); // everything available was paid out
        }
        var platformPayouts = (await (await Platform.GetAsync("/v1/payouts")).OkAsync())["data"]!.AsArray().Sum(p => (long)p!["amount"]!);
        var connectedPayouts = (await (await As(id).GetAsync("/v1/payouts")).OkAsync())["data"]!.AsArray().Sum(p => (long)p!["amount"]!);
        Assert.Equal(9000 + 4000 - 400, connectedPayouts + (await Fee(As(id), 4000)));
        Assert.True(platformPayouts > 0);
    }

    // Stripe's processing fee on a domestic USD card charge of this amount, as the connected account's charge booked it.
    private static async Task<long> Fee(HttpClient client, long amount)
    {
        var txns = await (await client.GetAsync("/v1/balance_transactions?type=charge")).OkAsync();
        return txns["data"]!.AsArray().Where(t => (long)t!["amount"]! == amount).Sum(t => (long)t!["fee"]! - 400);
    }

    [Fact]
    public async Task Separate_transfers_come_from_the_available_balance_and_can_be_reversed_in_parts()
    {
        var id = await NewConnectedAccount();
        await (await Platform.PostFormAsync("/v1/charges", ("amount", "10000"), ("currency", "usd"), ("source", "tok_bypassPending"))).OkAsync();
        var tooMuch = await (await Platform.PostFormAsync("/v1/transfers", ("amount", "10000"), ("currency", "usd"), ("destination", id))).ErrorAsync(400);
        Assert.Equal("balance_insufficient", (string)tooMuch["code"]!);
        var transfer = await (await Platform.PostFormAsync("/v1/transfers", ("amount", "5000"), ("currency", "usd"), ("destination", id),
            ("description", "payout share"), ("metadata[order]", "42"))).OkAsync();
        Assert.Equal("42", (string)transfer["metadata"]!["order"]!);
        var (cBalance, cNets) = await Ledger(As(id));
        Assert.Equal(5000, cBalance);
        Assert.Equal(cNets, cBalance);

        var reversal = await (await Platform.PostFormAsync($"/v1/transfers/{transfer["id"]}/reversals", ("amount", "2000"))).OkAsync();
        Assert.Equal("transfer_reversal", (string)reversal["object"]!);
        Assert.Equal(2000, (long)reversal["amount"]!);
        var over = await (await Platform.PostFormAsync($"/v1/transfers/{transfer["id"]}/reversals", ("amount", "3001"))).ErrorAsync(400);
        Assert.Equal("amount", (string)over["param"]!);
        var rest = await (await Platform.PostFormAsync($"/v1/transfers/{transfer["id"]}/reversals")).OkAsync();
        Assert.Equal(3000, (long)rest["amount"]!);
        Assert.True((bool)(await (await Platform.GetAsync($"/v1/transfers/{transfer["id"]}")).OkAsync())["reversed"]!);
        (cBalance, cNets) = await Ledger(As(id));
        Assert.Equal(0, cBalance);
        Assert.Equal(cNets, cBalance);
        var (pBalance, pNets) = await Ledger(Platform);
        Assert.Equal(pNets, pBalance);
        await (await _app.Client("sk_test_connect_other").PostFormAsync($"/v1/transfers/{transfer["id"]}/reversals")).ErrorAsync(404);
    }

    [Fact]
    public async Task An_application_fee_can_be_refunded_directly_in_parts()
    {
        var id = await NewConnectedAccount();
        var pi = await (await As(id).PostFormAsync("/v1/payment_intents", ("amount", "5000"), ("currency", "usd"), ("confirm", "true"),
            ("payment_method", "pm_card_visa"), ("allowed_payment_method_types[]", "card"), ("application_fee_amount", "600"))).OkAsync();
        var fee = (await (await Platform.GetAsync("/v1/application_fees")).OkAsync())["data"]![0]!;
        var fr = await (await Platform.PostFormAsync($"/v1/application_fees/{fee["id"]}/refunds", ("amount", "250"))).OkAsync();
        Assert.Equal("fee_refund", (string)fr["object"]!);
        Assert.Equal((string)fee["id"]!, (string)fr["fee"]!);
        await (await Platform.PostFormAsync($"/v1/application_fees/{fee["id"]}/refunds", ("amount", "351"))).ErrorAsync(400);
        var (pBalance, pNets) = await Ledger(Platform);
        var (cBalance, cNets) = await Ledger(As(id));
        Assert.Equal(350, pBalance);
        Assert.Equal(pNets, pBalance);
        Assert.Equal(cNets, cBalance);
        Assert.Single((await (await Platform.GetAsync($"/v1/application_fees/{fee["id"]}")).OkAsync())["refunds"]!["data"]!.AsArray());
        Assert.Equal((string)pi["latest_charge"]!, (string)fee["charge"]!);
    }
}
