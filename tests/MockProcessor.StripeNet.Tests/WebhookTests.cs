using System.Text.Json.Nodes;

namespace MockProcessor.StripeNet.Tests;

/// <summary>
/// Webhooks as a .NET integration sees them: endpoints created with the API, signed deliveries to a local Kestrel
/// receiver verified with <see cref="EventUtility.ConstructEvent(string, string, string, long, bool)"/> in strict mode
/// (the event's api_version must be on Stripe.net's release train), typed Data.Object, tampering and stale
/// signatures refused, retries on the virtual clock. Counterpart of webhooks*.test.mjs.
/// Deliveries need the emulator (real Stripe cannot reach 127.0.0.1), hence [EmulatorFact].
/// </summary>
public sealed class WebhookTests(EmulatorTarget target) : StripeTest(target), IAsyncLifetime
{
    private WebhookReceiver _rcv = null!;

    public async Task InitializeAsync() => _rcv = await WebhookReceiver.StartAsync();

    public async Task DisposeAsync() => await _rcv.DisposeAsync();

    private Task<WebhookEndpoint> EndpointAsync(List<string>? events = null, string? apiVersion = null) =>
        Client.V1.WebhookEndpoints.CreateAsync(new WebhookEndpointCreateOptions
        {
            Url = _rcv.Url, EnabledEvents = events ?? ["*"], ApiVersion = apiVersion,
        });

    private static Event Verify(Delivery d, string secret) =>
        EventUtility.ConstructEvent(d.Body, d.Signature, secret, throwOnApiVersionMismatch: true);

    [Fact]
    public async Task The_signing_secret_is_returned_by_create_only()
    {
        var we = await Client.V1.WebhookEndpoints.CreateAsync(new WebhookEndpointCreateOptions
        {
            Url = "https://example.com/hooks/" + Tag, EnabledEvents = ["*"], Description = "orders", Metadata = new() { ["team"] = "payments" },
        });
        try
        {
            we.Id.Should().StartWith("we_");
            we.Object.Should().Be("webhook_endpoint");
            we.Secret.Should().MatchRegex("^whsec_[A-Za-z0-9]{20,}$");
            we.EnabledEvents.Should().Equal("*");
            we.Status.Should().Be("enabled");
            we.ApiVersion.Should().BeNull();
            we.Livemode.Should().BeFalse();
            we.Description.Should().Be("orders");
            we.Metadata.Should().Contain("team", "payments");
            var got = await Client.V1.WebhookEndpoints.GetAsync(we.Id);
            got.Id.Should().Be(we.Id);
            got.Secret.Should().BeNull("retrieve does not show the secret");
            var list = await AllAsync(Client.V1.WebhookEndpoints.ListAutoPagingAsync());
            list.Single(e => e.Id == we.Id).Secret.Should().BeNull("list does not show the secret");
            var updated = await Client.V1.WebhookEndpoints.UpdateAsync(we.Id, new WebhookEndpointUpdateOptions { Description = "all" });
            updated.Description.Should().Be("all");
            updated.Secret.Should().BeNull("update does not show the secret");
        }
        finally
        {
            var deleted = await Client.V1.WebhookEndpoints.DeleteAsync(we.Id);
            deleted.Deleted.Should().BeTrue();
        }
        await ExpectStripeErrorAsync(() => Client.V1.WebhookEndpoints.GetAsync(we.Id), HttpStatusCode.NotFound, "invalid_request_error", "resource_missing");
    }

    [Fact]
    public async Task An_unknown_event_type_is_refused()
    {
        var err = await ExpectStripeErrorAsync(() => Client.V1.WebhookEndpoints.CreateAsync(new WebhookEndpointCreateOptions
        {
            Url = "https://example.com/hooks/" + Tag, EnabledEvents = ["payment_intent.succeeded", "payment_intent.exploded"],
        }), HttpStatusCode.BadRequest, "invalid_request_error");
        err.StripeError.Param.Should().MatchRegex(@"^enabled_events(\[1\])?$");
    }

    [EmulatorFact]
    public async Task During_a_secret_roll_ConstructEvent_accepts_either_secret_and_after_it_only_the_new_one()
    {
        var we = await EndpointAsync(["customer.created"]);
        var roll = await Merchant.PostControlAsync($"/_mock/webhook_endpoints/{we.Id}/roll_secret", ("expires_in", "600"));
        var fresh = (string)roll["secret"]!;
        await Client.V1.Customers.CreateAsync(new CustomerCreateOptions { Name = "during " + Tag });
        await Merchant.FlushWebhooksAsync();
        var during = (await _rcv.WaitForAsync(1)).Single();
        Verify(during, we.Secret).Type.Should().Be("customer.created");
        Verify(during, fresh).Type.Should().Be("customer.created");
        await Merchant.AdvanceClockAsync(600);
        await Client.V1.Customers.CreateAsync(new CustomerCreateOptions { Name = "after " + Tag });
        await Merchant.FlushWebhooksAsync();
        var after = (await _rcv.WaitForAsync(2))[1];
        Verify(after, fresh).Type.Should().Be("customer.created");
        FluentActions.Invoking(() => Verify(after, we.Secret)).Should().Throw<StripeException>("the old secret's overlap has ended");
    }

    [EmulatorFact]
    public async Task A_payment_is_delivered_once_per_event_signed_and_typed()
    {
        var we = await EndpointAsync();
        var pi = await PayAsync();
        await Merchant.FlushWebhooksAsync();
        var events = await AllAsync(Client.V1.Events.ListAutoPagingAsync(new EventListOptions { Limit = 100 }));
        events.Select(e => e.Type).Should().Contain(["payment_intent.created", "payment_intent.succeeded", "charge.succeeded"]);
        var delivered = (await _rcv.WaitForAsync(events.Count)).ToList();
        delivered.Should().HaveCount(events.Count, "one delivery per event");

        foreach (var d in delivered)
        {
            d.ContentType.Should().StartWith("application/json");
            d.UserAgent.Should().Be("Stripe/1.0 (+https://stripe.com/docs/webhooks)");
            d.Signature.Should().MatchRegex("^t=\\d+,v1=[0-9a-f]{64}");
            var ev = Verify(d, we.Secret);
            ev.ApiVersion.Should().Be(StripeConfiguration.ApiVersion);
            ev.PendingWebhooks.Should().Be(1, "the payload counts the delivery being made");
            var stored = events.Single(e => e.Id == ev.Id);
            ev.Type.Should().Be(stored.Type);
            switch (ev.Data.Object)
            {
                case PaymentIntent p:
                    p.Id.Should().Be(pi.Id);
                    ev.Type.Should().StartWith("payment_intent.");
                    break;
                case Charge c:
                    c.Id.Should().Be(pi.LatestChargeId);
                    c.PaymentIntentId.Should().Be(pi.Id);
                    break;
                default:
                    throw new InvalidOperationException($"unexpected object {ev.Data.Object?.GetType().Name} in {ev.Type}");
            }
            // The signature is made with the wall clock (not the virtual one), so the default 300 s tolerance holds.
            var t = long.Parse(d.Signature.Split(',')[0][2..], System.Globalization.CultureInfo.InvariantCulture);
            Math.Abs(t - d.At.ToUnixTimeSeconds()).Should().BeLessThan(60);
        }
        delivered.Select(d => Verify(d, we.Secret).Id).Order().Should().Equal(events.Select(e => e.Id).Order());
        foreach (var e in events)
            (await Client.V1.Events.GetAsync(e.Id)).PendingWebhooks.Should().Be(0, "delivered: nothing pending");
    }

    [EmulatorFact]
    public async Task An_endpoint_pinned_to_an_older_version_fails_strict_verification_on_the_version_only()
    {
        var pinned = await EndpointAsync(["payment_intent.succeeded"], apiVersion: "2024-06-20");
        pinned.ApiVersion.Should().Be("2024-06-20");
        var plain = await EndpointAsync(["payment_intent.succeeded"]);
        await PayAsync();
        await Merchant.FlushWebhooksAsync();
        var delivered = await _rcv.WaitForAsync(2);
        delivered.Should().HaveCount(2);
        var versions = new Dictionary<string, string>();
        foreach (var d in delivered)
        {
            // Which endpoint a delivery is for is told by the secret that verifies it.
            var forPinned = SignedWith(d, pinned.Secret);
            var secret = forPinned ? pinned.Secret : plain.Secret;
            var lenient = EventUtility.ConstructEvent(d.Body, d.Signature, secret, throwOnApiVersionMismatch: false);
            versions[forPinned ? "pinned" : "plain"] = lenient.ApiVersion;
            if (forPinned)
            {
                var strict = () => Verify(d, secret);
                strict.Should().Throw<StripeException>().WithMessage("*API version*");
            }
            else
            {
                Verify(d, secret).Type.Should().Be("payment_intent.succeeded");
            }
        }
        versions.Should().BeEquivalentTo(new Dictionary<string, string> { ["pinned"] = "2024-06-20", ["plain"] = StripeConfiguration.ApiVersion });
        var ev = (await Client.V1.Events.ListAsync(new EventListOptions { Type = "payment_intent.succeeded" })).Data.Single();
        ev.ApiVersion.Should().Be(StripeConfiguration.ApiVersion, "the event itself keeps the account's version");
    }

    [EmulatorFact]
    public async Task ConstructEvent_rejects_another_secret_a_tampered_body_and_a_stale_timestamp()
    {
        var we = await EndpointAsync(["customer.created"]);
        var email = $"sig.{Tag}@example.com";
        var customer = await Client.V1.Customers.CreateAsync(new CustomerCreateOptions { Email = email });
        await Merchant.FlushWebhooksAsync();
        var d = (await _rcv.WaitForAsync(1)).Single();
        var ev = Verify(d, we.Secret);
        ev.Type.Should().Be("customer.created");
        ev.Data.Object.Should().BeOfType<Customer>().Which.Id.Should().Be(customer.Id);

        var other = "whsec_" + new string('x', 32);
        ((Action)(() => Verify(d, other))).Should().Throw<StripeException>();
        var forged = Header(d.Body, other, DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        ((Action)(() => EventUtility.ConstructEvent(d.Body, forged, we.Secret))).Should().Throw<StripeException>();
        EventUtility.ConstructEvent(d.Body, forged, other).Id.Should().Be(ev.Id, "the forged header is well-formed");

        var tampered = d.Body.Replace(email, $"sig.{Tag}@example.org", StringComparison.Ordinal);
        tampered.Should().NotBe(d.Body);
        ((Action)(() => EventUtility.ConstructEvent(tampered, d.Signature, we.Secret))).Should().Throw<StripeException>();

        var stale = Header(d.Body, we.Secret, DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 600);
        ((Action)(() => EventUtility.ConstructEvent(d.Body, stale, we.Secret))).Should().Throw<StripeException>().WithMessage("*tolerance*");
        EventUtility.ConstructEvent(d.Body, stale, we.Secret, tolerance: 3600).Id.Should().Be(ev.Id);
    }

    [EmulatorFact]
    public async Task Failed_deliveries_are_retried_on_the_virtual_clock_until_acknowledged()
    {
        var script = new[] { 500, 500, 200 };
        _rcv.Respond = i => i < script.Length ? script[i] : 200;
        var we = await EndpointAsync(["customer.created"]);
        var customer = await Client.V1.Customers.CreateAsync(new CustomerCreateOptions());
        var ev = (await Client.V1.Events.ListAsync(new EventListOptions { Type = "customer.created" })).Data.Single();
        ((Customer)ev.Data.Object).Id.Should().Be(customer.Id);
        ev.PendingWebhooks.Should().Be(1);

        await Merchant.FlushWebhooksAsync();
        await _rcv.WaitForAsync(1);
        (await Client.V1.Events.GetAsync(ev.Id)).PendingWebhooks.Should().Be(1, "failed attempt: still pending");
        var log = await DeliveryLogAsync(ev.Id);
        log["endpoint"]!.GetValue<string>().Should().Be(we.Id);
        log["status"]!.GetValue<string>().Should().Be("pending");
        log["attempt_count"]!.GetValue<int>().Should().Be(1);

        await Merchant.FlushWebhooksAsync();
        _rcv.Deliveries.Should().HaveCount(1, "a retry is not due at once");
        // The emulator's "stripe" schedule: 5 minutes, then 30 minutes.
        await Merchant.PostControlAsync("/_mock/clock/advance?seconds=300");
        await Merchant.FlushWebhooksAsync();
        await _rcv.WaitForAsync(2);
        await Merchant.PostControlAsync("/_mock/clock/advance?seconds=1800");
        await Merchant.FlushWebhooksAsync();
        var all = await _rcv.WaitForAsync(3);
        all.Select(d => d.AnsweredStatus).Should().Equal(500, 500, 200);
        all.Should().OnlyContain(d => Verify(d, we.Secret).Id == ev.Id, "the same event each time, freshly signed");
        (await Client.V1.Events.GetAsync(ev.Id)).PendingWebhooks.Should().Be(0, "delivered: nothing pending");
        log = await DeliveryLogAsync(ev.Id);
        log["status"]!.GetValue<string>().Should().Be("succeeded");
        log["attempts"]!.AsArray().Select(a => a!["status"]!.GetValue<int>()).Should().Equal(500, 500, 200);
    }

    [EmulatorFact]
    public async Task Deleted_endpoints_receive_nothing()
    {
        var we = await EndpointAsync(["customer.created"]);
        await Client.V1.WebhookEndpoints.DeleteAsync(we.Id);
        await Client.V1.Customers.CreateAsync(new CustomerCreateOptions());
        await Merchant.FlushWebhooksAsync();
        _rcv.Deliveries.Should().BeEmpty();
    }

    [EmulatorFact]
    public async Task Enabled_events_route_deliveries_and_a_disabled_endpoint_gets_nothing_new()
    {
        var we = await EndpointAsync(["payment_intent.succeeded"]);
        await PayAsync();
        await Client.V1.Customers.CreateAsync(new CustomerCreateOptions());
        await Merchant.FlushWebhooksAsync();
        var first = (await _rcv.WaitForAsync(1)).Single();
        var ev = Verify(first, we.Secret);
        ev.Type.Should().Be("payment_intent.succeeded");
        ((PaymentIntent)ev.Data.Object).Status.Should().Be("succeeded");

        var updated = await Client.V1.WebhookEndpoints.UpdateAsync(we.Id, new WebhookEndpointUpdateOptions { EnabledEvents = ["customer.created"] });
        updated.EnabledEvents.Should().Equal("customer.created");
        var customer = await Client.V1.Customers.CreateAsync(new CustomerCreateOptions());
        await Merchant.FlushWebhooksAsync();
        var second = (await _rcv.WaitForAsync(2))[1];
        ((Customer)Verify(second, we.Secret).Data.Object).Id.Should().Be(customer.Id);

        var off = await Client.V1.WebhookEndpoints.UpdateAsync(we.Id, new WebhookEndpointUpdateOptions { Disabled = true });
        off.Status.Should().Be("disabled");
        await Client.V1.Customers.CreateAsync(new CustomerCreateOptions());
        await Merchant.FlushWebhooksAsync();
        _rcv.Deliveries.Should().HaveCount(2, "a disabled endpoint receives nothing");
    }

    [EmulatorFact]
    public async Task A_resend_through_the_control_api_is_a_new_verified_delivery()
    {
        var we = await EndpointAsync(["customer.created"]);
        await Client.V1.Customers.CreateAsync(new CustomerCreateOptions());
        await Merchant.FlushWebhooksAsync();
        var ev = Verify((await _rcv.WaitForAsync(1)).Single(), we.Secret);
        var res = await Merchant.PostControlAsync("/_mock/webhooks/deliveries/resend", ("event", ev.Id), ("endpoint", we.Id));
        res["resend"]!.GetValue<bool>().Should().BeTrue();
        await Merchant.FlushWebhooksAsync();
        Verify((await _rcv.WaitForAsync(2))[1], we.Secret).Id.Should().Be(ev.Id);
    }

    [EmulatorFact]
    public async Task QA_faults_wrong_secret_and_stale_timestamp_are_caught_by_ConstructEvent()
    {
        var we = await EndpointAsync(["customer.created"]);
        await Merchant.PostControlAsync($"/_mock/webhook_endpoints/{we.Id}/faults", ("wrong_secret", "true"));
        await Client.V1.Customers.CreateAsync(new CustomerCreateOptions());
        await Merchant.FlushWebhooksAsync();
        var wrong = (await _rcv.WaitForAsync(1)).Single();
        ((Action)(() => Verify(wrong, we.Secret))).Should().Throw<StripeException>();

        await Merchant.PostControlAsync($"/_mock/webhook_endpoints/{we.Id}/faults", ("wrong_secret", "false"), ("stale_timestamp", "true"));
        await Client.V1.Customers.CreateAsync(new CustomerCreateOptions());
        await Merchant.FlushWebhooksAsync();
        var stale = (await _rcv.WaitForAsync(2))[1];
        ((Action)(() => Verify(stale, we.Secret))).Should().Throw<StripeException>().WithMessage("*tolerance*");
        EventUtility.ConstructEvent(stale.Body, stale.Signature, we.Secret, tolerance: 3600, throwOnApiVersionMismatch: true).Type.Should().Be("customer.created");
    }

    [EmulatorFact]
    public async Task QA_fault_duplicate_sends_a_delivery_twice_with_the_same_event()
    {
        var we = await EndpointAsync(["customer.created"]);
        await Merchant.PostControlAsync($"/_mock/webhook_endpoints/{we.Id}/faults", ("duplicate", "true"));
        await Client.V1.Customers.CreateAsync(new CustomerCreateOptions());
        await Merchant.FlushWebhooksAsync();
        var both = await _rcv.WaitForAsync(2);
        both.Select(d => Verify(d, we.Secret).Id).Distinct().Should().ContainSingle("a duplicate carries the same event id: receivers dedupe on it");
    }

    private async Task<JsonObject> DeliveryLogAsync(string eventId)
    {
        var list = await Merchant.GetControlAsync($"/_mock/webhooks/deliveries?event={eventId}");
        return list["data"]!.AsArray().Single()!.AsObject();
    }

    /// <summary>True when <paramref name="secret"/> verifies the delivery's signature (version not checked).</summary>
    private static bool SignedWith(Delivery d, string secret)
    {
        try
        {
            EventUtility.ValidateSignature(d.Body, d.Signature, secret);
            return true;
        }
        catch (StripeException)
        {
            return false;
        }
    }

    private static string Header(string body, string secret, long timestamp)
    {
        var t = timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return $"t={t},v1={EventUtility.ComputeSignature(secret, t, body)}";
    }
}
