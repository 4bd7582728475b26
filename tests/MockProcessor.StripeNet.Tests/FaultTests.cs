namespace MockProcessor.StripeNet.Tests;

/// <summary>
/// HTTP fault injection (<c>/_mock/faults</c>, docs/faults.md) as Stripe.net's retry logic meets it. Every HTTP attempt
/// is recorded below the SDK (<see cref="Merchant.RecordingClient"/>) and checked against the rule's <c>fired</c>
/// count, so no test passes without the fault having fired. Counterpart of faults.test.mjs.
/// </summary>
public sealed class FaultTests(EmulatorTarget target) : StripeTest(target)
{
    private async Task<string> AddFaultAsync(params (string, string)[] form)
    {
        var rule = await Merchant.PostControlAsync("/_mock/faults", form);
        rule["id"]!.GetValue<string>().Should().StartWith("fault_");
        return rule["id"]!.GetValue<string>();
    }

    private async Task<int> FiredAsync(string id) => (await Merchant.GetControlAsync($"/_mock/faults/{id}"))["fired"]!.GetValue<int>();

    [EmulatorFact]
    public async Task The_control_api_lists_validates_and_deletes_rules()
    {
        var rule = await Merchant.PostControlAsync("/_mock/faults", ("method", "POST"), ("path", "/v1/payment_intents*"), ("kind", "api_error"), ("count", "2"));
        rule["object"]!.GetValue<string>().Should().Be("mock.fault_rule");
        rule["remaining"]!.GetValue<int>().Should().Be(2);
        var id = rule["id"]!.GetValue<string>();
        (await Merchant.GetControlAsync("/_mock/faults"))["data"]!.AsArray().Select(r => r!["id"]!.GetValue<string>()).Should().Equal(id);
        var (status, bad) = await Merchant.RawAsync(HttpMethod.Post, "/_mock/faults", ("path", "/v1/customers"), ("kind", "meteor"));
        status.Should().Be(400);
        bad!["error"]!["type"]!.GetValue<string>().Should().Be("invalid_request_error");
        bad["error"]!["param"]!.GetValue<string>().Should().Be("kind");
        (await Merchant.DeleteControlAsync($"/_mock/faults/{id}"))["deleted"]!.GetValue<bool>().Should().BeTrue();
        (await Merchant.GetControlAsync("/_mock/faults"))["data"]!.AsArray().Should().BeEmpty();
    }

    [EmulatorFact]
    public async Task One_injected_500_is_retried_with_the_same_idempotency_key()
    {
        var client = Merchant.RecordingClient(out var attempts);
        var rule = await AddFaultAsync(("method", "POST"), ("path", "/v1/customers"), ("kind", "api_error"));
        var customer = await client.V1.Customers.CreateAsync(new CustomerCreateOptions { Email = "retry@example.com" });
        customer.Id.Should().StartWith("cus_");
        (await FiredAsync(rule)).Should().Be(1);
        attempts.All.Select(a => a.Status).Should().Equal(500, 200);
        attempts.All[0].IdempotencyKey.Should().NotBeNullOrEmpty().And.Be(attempts.All[1].IdempotencyKey);
        Replayed(customer).Should().BeFalse("the injected 500 stored nothing, so the retry executed for real");
        (await Client.V1.Customers.ListAsync()).Data.Select(c => c.Id).Should().Equal(customer.Id);
    }

    [EmulatorFact]
    public async Task A_429_is_retried_only_when_Stripe_Should_Retry_says_so()
    {
        var client = Merchant.RecordingClient(out var attempts);
        var told = await AddFaultAsync(("path", "/v1/customers"), ("kind", "rate_limit"), ("should_retry", "true"));
        var customer = await client.V1.Customers.CreateAsync(new CustomerCreateOptions { Email = "rate@example.com" });
        customer.Id.Should().StartWith("cus_");
        (await FiredAsync(told)).Should().Be(1);
        attempts.All.Select(a => a.Status).Should().Equal(429, 200);

        attempts.Clear();
        var plain = await AddFaultAsync(("path", "/v1/customers"), ("kind", "rate_limit"));
        await ExpectStripeErrorAsync(() => client.V1.Customers.CreateAsync(new CustomerCreateOptions { Email = "rate2@example.com" }),
            (HttpStatusCode)429, "invalid_request_error", "rate_limit");
        (await FiredAsync(plain)).Should().Be(1);
        attempts.All.Should().ContainSingle("a 429 without Stripe-Should-Retry is not retried");
        (await Client.V1.Customers.ListAsync()).Data.Should().ContainSingle();
    }

    [EmulatorFact]
    public async Task A_503_is_retried_like_any_5xx()
    {
        var client = Merchant.RecordingClient(out var attempts);
        var rule = await AddFaultAsync(("method", "GET"), ("path", "/v1/balance"), ("kind", "service_unavailable"));
        var balance = await client.V1.Balance.GetAsync();
        balance.Object.Should().Be("balance");
        (await FiredAsync(rule)).Should().Be(1);
        attempts.All.Select(a => a.Status).Should().Equal(503, 200);
    }

    [EmulatorFact]
    public async Task Stripe_Should_Retry_false_stops_the_retry()
    {
        var client = Merchant.RecordingClient(out var attempts);
        // count 1: had the SDK retried, the retry would have succeeded.
        var rule = await AddFaultAsync(("path", "/v1/customers"), ("kind", "api_error"), ("should_retry", "false"));
        var err = await ExpectStripeErrorAsync(() => client.V1.Customers.CreateAsync(new CustomerCreateOptions { Email = "no-retry@example.com" }),
            HttpStatusCode.InternalServerError, "api_error");
        err.Message.Should().Contain(rule);
        attempts.All.Should().ContainSingle();
        (await FiredAsync(rule)).Should().Be(1);
        (await Client.V1.Customers.ListAsync()).Data.Should().BeEmpty("an injected error changes nothing");
    }

    [EmulatorFact]
    public async Task A_lost_response_is_replayed_by_the_retry_exactly_one_payment_and_charge()
    {
        var client = Merchant.RecordingClient(out var attempts);
        var rule = await AddFaultAsync(("method", "POST"), ("path", "/v1/payment_intents"), ("kind", "apply_then_fail"));
        var pi = await PayAsync(client: client);
        pi.Status.Should().Be("succeeded");
        (await FiredAsync(rule)).Should().Be(1);
        attempts.All.Select(a => a.Status).Should().Equal(500, 200);
        attempts.All[0].IdempotencyKey.Should().Be(attempts.All[1].IdempotencyKey);
        Replayed(pi).Should().BeTrue("the retry is answered from the stored result");
        (await Client.V1.PaymentIntents.ListAsync()).Data.Select(p => p.Id).Should().Equal(pi.Id);
        (await Client.V1.Charges.ListAsync()).Data.Select(c => c.Id).Should().Equal(pi.LatestChargeId);
    }

    [EmulatorFact]
    public async Task A_dropped_connection_after_commit_leaves_one_charge()
    {
        var client = Merchant.RecordingClient(out var attempts);
        var rule = await AddFaultAsync(("method", "POST"), ("path", "/v1/charges"), ("kind", "apply_then_disconnect"));
        var charge = await client.V1.Charges.CreateAsync(new ChargeCreateOptions { Amount = 1500, Currency = "usd", Source = "tok_visa" });
        charge.Status.Should().Be("succeeded");
        (await FiredAsync(rule)).Should().Be(1);
        attempts.All.Should().HaveCount(2);
        attempts.All[0].Status.Should().BeNull("the connection was dropped");
        Replayed(charge).Should().BeTrue();
        (await Client.V1.Charges.ListAsync()).Data.Select(c => c.Id).Should().Equal(charge.Id);
    }

    [EmulatorFact]
    public async Task A_dropped_connection_before_execution_is_retried_and_creates_one_object()
    {
        var client = Merchant.RecordingClient(out var attempts);
        var rule = await AddFaultAsync(("method", "POST"), ("path", "/v1/customers"), ("kind", "disconnect"));
        var customer = await client.V1.Customers.CreateAsync(new CustomerCreateOptions { Email = "drop@example.com" });
        (await FiredAsync(rule)).Should().Be(1);
        attempts.All.Should().HaveCount(2);
        Replayed(customer).Should().BeFalse();
        (await Client.V1.Customers.ListAsync()).Data.Select(c => c.Id).Should().Equal(customer.Id);
    }

    [EmulatorFact]
    public async Task A_seeded_percentage_fails_the_same_requests_in_two_runs()
    {
        var client = Merchant.RecordingClient(out var attempts, maxNetworkRetries: 0);
        async Task<string> RunAsync()
        {
            var rule = await AddFaultAsync(("method", "GET"), ("path", "/v1/customers"), ("kind", "api_error"), ("percentage", "40"), ("seed", "99"));
            var pattern = "";
            for (var i = 0; i < 25; i++)
            {
                try
                {
                    await client.V1.Customers.ListAsync();
                    pattern += ".";
                }
                catch (StripeException e) when (e.HttpStatusCode == HttpStatusCode.InternalServerError)
                {
                    pattern += "X";
                }
            }
            await Merchant.DeleteControlAsync($"/_mock/faults/{rule}");
            return pattern;
        }
        var first = await RunAsync();
        (await RunAsync()).Should().Be(first);
        first.Should().Contain("X").And.Contain(".");
        attempts.All.Should().HaveCount(50, "no retries with maxNetworkRetries 0");
    }
}
