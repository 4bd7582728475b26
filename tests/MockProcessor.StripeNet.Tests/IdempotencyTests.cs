namespace MockProcessor.StripeNet.Tests;

/// <summary>Idempotency-Key through RequestOptions: replay, mismatch, cross-endpoint, scoping, fresh keys per POST, concurrency. Counterpart of idempotency.test.mjs (SDK retries against faults: <see cref="FaultTests"/>).</summary>
public sealed class IdempotencyTests(EmulatorTarget target) : StripeTest(target)
{
    [Fact]
    public async Task Same_key_and_parameters_replay_the_same_object()
    {
        var key = Guid.NewGuid().ToString();
        var options = new CustomerCreateOptions { Email = $"idem.{Tag}@example.com", Metadata = new() { ["n"] = "1" } };
        var first = await Client.V1.Customers.CreateAsync(options, new RequestOptions { IdempotencyKey = key });
        var second = await Client.V1.Customers.CreateAsync(options, new RequestOptions { IdempotencyKey = key });
        second.Id.Should().Be(first.Id);
        second.StripeResponse.Content.Should().Be(first.StripeResponse.Content, "the replayed body is identical");
        Replayed(first).Should().BeFalse();
        Replayed(second).Should().BeTrue();
        second.StripeResponse.IdempotencyKey.Should().Be(key, "Idempotency-Key is echoed");
        second.StripeResponse.RequestId.Should().NotBe(first.StripeResponse.RequestId);
        (await Client.V1.Customers.ListAsync(new CustomerListOptions { Email = options.Email })).Data.Select(c => c.Id).Should().Equal(first.Id);
    }

    [Fact]
    public async Task Same_key_with_different_parameters_is_an_idempotency_error()
    {
        var key = Guid.NewGuid().ToString();
        var first = await Client.V1.Customers.CreateAsync(new CustomerCreateOptions { Email = $"one.{Tag}@example.com" }, new RequestOptions { IdempotencyKey = key });
        var err = await ExpectStripeErrorAsync(
            () => Client.V1.Customers.CreateAsync(new CustomerCreateOptions { Email = $"two.{Tag}@example.com" }, new RequestOptions { IdempotencyKey = key }),
            HttpStatusCode.BadRequest, "idempotency_error");
        err.Message.Should().MatchRegex("(?i)idempoten|same parameters");
        (await Client.V1.Customers.ListAsync(new CustomerListOptions { Email = $"two.{Tag}@example.com" })).Data.Should().BeEmpty();
        (await Client.V1.Customers.GetAsync(first.Id)).Email.Should().Be($"one.{Tag}@example.com");
    }

    [Fact]
    public async Task Same_key_on_another_endpoint_is_a_mismatch()
    {
        var key = Guid.NewGuid().ToString();
        await Client.V1.Customers.CreateAsync(new CustomerCreateOptions { Name = "x" }, new RequestOptions { IdempotencyKey = key });
        await ExpectStripeErrorAsync(() => Client.V1.PaymentMethods.CreateAsync(
                new PaymentMethodCreateOptions { Type = "card", Card = new PaymentMethodCardOptions { Token = "tok_visa" } },
                new RequestOptions { IdempotencyKey = key }),
            HttpStatusCode.BadRequest, "idempotency_error");
    }

    [EmulatorFact(EmulatorTarget.FreshAccount)]
    public async Task Keys_are_scoped_to_the_api_key()
    {
        var key = Guid.NewGuid().ToString();
        var a = await Client.V1.Customers.CreateAsync(new CustomerCreateOptions { Name = "A" }, new RequestOptions { IdempotencyKey = key });
        var b = await Target.NewMerchant().Client.V1.Customers.CreateAsync(new CustomerCreateOptions { Name = "B" }, new RequestOptions { IdempotencyKey = key });
        b.Id.Should().NotBe(a.Id);
        b.Name.Should().Be("B");
        Replayed(b).Should().BeFalse();
    }

    [Fact]
    public async Task Posts_without_a_chosen_key_each_create_an_object()
    {
        // Stripe.net sends a fresh random Idempotency-Key on every POST.
        var email = $"same.{Tag}@example.com";
        var a = await Client.V1.Customers.CreateAsync(new CustomerCreateOptions { Email = email });
        var b = await Client.V1.Customers.CreateAsync(new CustomerCreateOptions { Email = email });
        a.StripeResponse.IdempotencyKey.Should().NotBeNullOrEmpty().And.NotBe(b.StripeResponse.IdempotencyKey);
        a.Id.Should().NotBe(b.Id);
        (await Client.V1.Customers.ListAsync(new CustomerListOptions { Email = email })).Data.Should().HaveCount(2);
    }

    [Fact]
    public async Task A_replayed_payment_is_one_payment_and_one_charge()
    {
        var key = Guid.NewGuid().ToString();
        var first = await PayAsync(2500, requestOptions: new RequestOptions { IdempotencyKey = key });
        var again = await PayAsync(2500, requestOptions: new RequestOptions { IdempotencyKey = key });
        again.Id.Should().Be(first.Id);
        again.LatestChargeId.Should().Be(first.LatestChargeId);
        Replayed(again).Should().BeTrue();
        (await Client.V1.Charges.ListAsync(new ChargeListOptions { PaymentIntent = first.Id })).Data.Should().ContainSingle();
    }

    [Fact]
    public async Task Twenty_concurrent_creates_with_one_key_make_one_customer()
    {
        var key = Guid.NewGuid().ToString();
        var email = $"race.{Tag}@example.com";
        var calls = Enumerable.Range(0, 20).Select(async _ =>
        {
            try
            {
                return (Customer?)await Client.V1.Customers.CreateAsync(new CustomerCreateOptions { Email = email, Name = "Race" }, new RequestOptions { IdempotencyKey = key });
            }
            catch (StripeException e) when (e.HttpStatusCode == HttpStatusCode.Conflict)
            {
                // 409 idempotency_key_in_use is retryable; a lingering one after the SDK's retries is acceptable.
                e.StripeError.Code.Should().Be("idempotency_key_in_use");
                return null;
            }
        }).ToList();
        var results = await Task.WhenAll(calls);
        var ids = results.Where(c => c is not null).Select(c => c!.Id).Distinct().ToList();
        ids.Should().ContainSingle("all successful calls return the same customer");
        (await Client.V1.Customers.ListAsync(new CustomerListOptions { Email = email, Limit = 100 })).Data.Select(c => c.Id).Should().Equal(ids);
    }
}
