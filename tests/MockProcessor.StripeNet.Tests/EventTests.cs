namespace MockProcessor.StripeNet.Tests;

/// <summary>
/// Events read back through the API, with <c>Event.Data.Object</c> cast to the typed PaymentIntent, Charge or Refund,
/// <c>Event.Request</c> tied to the SDK call, and the SDK's pinned API version. Counterpart of events.test.mjs.
/// Within one request only the set of types is asserted (Stripe does not order them); <c>charge.updated</c> is optional.
/// </summary>
public sealed class EventTests(EmulatorTarget target) : StripeTest(target)
{
    private static readonly HashSet<string> Optional = ["charge.updated"];

    private async Task<List<Event>> AllEventsAsync(EventListOptions? options = null) =>
        await AllAsync(Client.V1.Events.ListAutoPagingAsync(options ?? new EventListOptions { Limit = 100 }));

    private static List<string> Types(IEnumerable<Event> events) => events.Select(e => e.Type).Where(t => !Optional.Contains(t)).Order().ToList();

    [EmulatorFact(EmulatorTarget.FreshAccount)]
    public async Task Create_and_confirm_emit_created_charge_succeeded_and_succeeded()
    {
        var pi = await PayAsync();
        var events = await AllEventsAsync();
        Types(events).Should().Equal("charge.succeeded", "payment_intent.created", "payment_intent.succeeded");
        events.Where(e => !Optional.Contains(e.Type)).Last().Type.Should().Be("payment_intent.created", "oldest last");

        var byType = events.ToDictionary(e => e.Type);
        var created = byType["payment_intent.created"].Data.Object.Should().BeOfType<PaymentIntent>().Subject;
        created.Id.Should().Be(pi.Id);
        var succeeded = (PaymentIntent)byType["payment_intent.succeeded"].Data.Object;
        succeeded.Id.Should().Be(pi.Id);
        succeeded.Status.Should().Be("succeeded");
        var charge = byType["charge.succeeded"].Data.Object.Should().BeOfType<Charge>().Subject;
        charge.Id.Should().Be(pi.LatestChargeId);
        charge.PaymentIntentId.Should().Be(pi.Id);

        pi.StripeResponse.IdempotencyKey.Should().NotBeNullOrEmpty("Stripe.net sends an Idempotency-Key on every POST and the answer echoes it");
        foreach (var e in events)
        {
            e.Id.Should().StartWith("evt_");
            e.Object.Should().Be("event");
            e.Livemode.Should().BeFalse();
            e.ApiVersion.Should().Be(StripeConfiguration.ApiVersion).And.Be("2026-10-28.endive");
            if (Optional.Contains(e.Type)) continue;
            e.Request.Id.Should().Be(pi.StripeResponse.RequestId, $"{e.Type} was made by the create request");
            e.Request.IdempotencyKey.Should().Be(pi.StripeResponse.IdempotencyKey);
        }
    }

    [EmulatorFact(EmulatorTarget.FreshAccount)]
    public async Task A_decline_emits_charge_failed_and_payment_failed()
    {
        var err = await ExpectStripeErrorAsync(() => PayAsync(paymentMethod: "pm_card_chargeDeclined"), HttpStatusCode.PaymentRequired, "card_error", "card_declined");
        var events = await AllEventsAsync();
        Types(events).Should().Equal("charge.failed", "payment_intent.created", "payment_intent.payment_failed");
        var failedCharge = (Charge)events.Single(e => e.Type == "charge.failed").Data.Object;
        failedCharge.Id.Should().Be(err.StripeError.Charge);
        failedCharge.Status.Should().Be("failed");
        var failed = (PaymentIntent)events.Single(e => e.Type == "payment_intent.payment_failed").Data.Object;
        failed.Id.Should().Be(err.StripeError.PaymentIntent.Id);
        failed.Status.Should().Be("requires_payment_method");
        failed.LastPaymentError.DeclineCode.Should().Be("generic_decline");
        foreach (var e in events.Where(x => !Optional.Contains(x.Type)))
            e.Request.Id.Should().Be(err.StripeResponse.RequestId, "the failed request still made the events");
    }

    [EmulatorFact(EmulatorTarget.FreshAccount)]
    public async Task Manual_capture_emits_capturable_then_captured_and_succeeded()
    {
        var pi = await PayAsync(configure: o => o.CaptureMethod = "manual");
        var before = await AllEventsAsync();
        Types(before).Should().Equal("charge.succeeded", "payment_intent.amount_capturable_updated", "payment_intent.created");
        ((Charge)before.Single(e => e.Type == "charge.succeeded").Data.Object).Captured.Should().BeFalse();
        var capturable = (PaymentIntent)before.Single(e => e.Type == "payment_intent.amount_capturable_updated").Data.Object;
        capturable.AmountCapturable.Should().Be(2000);
        capturable.Status.Should().Be("requires_capture");

        var captured = await Client.V1.PaymentIntents.CaptureAsync(pi.Id);
        var after = await AllEventsAsync();
        var fresh = after.Where(e => before.All(b => b.Id != e.Id) && !Optional.Contains(e.Type)).ToList();
        Types(fresh).Should().Equal("charge.captured", "payment_intent.succeeded");
        fresh.Should().OnlyContain(e => e.Request.Id == captured.StripeResponse.RequestId && e.Request.IdempotencyKey == captured.StripeResponse.IdempotencyKey);
        after.FindIndex(e => e.Type == "charge.captured").Should().BeLessThan(after.FindIndex(e => e.Type == "payment_intent.amount_capturable_updated"), "newest first");
        ((Charge)after.First(e => e.Type == "charge.captured").Data.Object).Captured.Should().BeTrue();
    }

    [EmulatorFact(EmulatorTarget.FreshAccount)]
    public async Task A_refund_emits_refund_created_and_charge_refunded()
    {
        var pi = await PayAsync();
        var before = await AllEventsAsync();
        var re = await Client.V1.Refunds.CreateAsync(new RefundCreateOptions { PaymentIntent = pi.Id });
        var fresh = (await AllEventsAsync()).Where(e => before.All(b => b.Id != e.Id) && !Optional.Contains(e.Type)).ToList();
        Types(fresh).Should().Equal("charge.refunded", "refund.created");
        ((Refund)fresh.Single(e => e.Type == "refund.created").Data.Object).Id.Should().Be(re.Id);
        var refunded = (Charge)fresh.Single(e => e.Type == "charge.refunded").Data.Object;
        refunded.Id.Should().Be(pi.LatestChargeId);
        refunded.Refunded.Should().BeTrue();
        refunded.AmountRefunded.Should().Be(2000);
        fresh.Should().OnlyContain(e => e.Request.Id == re.StripeResponse.RequestId);
    }

    [EmulatorFact(EmulatorTarget.FreshAccount)]
    public async Task List_filters_by_type_wildcard_and_types_and_retrieve_returns_the_same_event()
    {
        var a = await PayAsync(1000);
        var b = await PayAsync(1100);
        var succeeded = await Client.V1.Events.ListAsync(new EventListOptions { Type = "charge.succeeded" });
        succeeded.Object.Should().Be("list");
        succeeded.Url.Should().Be("/v1/events");
        succeeded.Data.Select(e => ((Charge)e.Data.Object).Id).Should().Equal(b.LatestChargeId, a.LatestChargeId);
        var wildcard = await Client.V1.Events.ListAsync(new EventListOptions { Type = "payment_intent.*" });
        wildcard.Data.Should().HaveCountGreaterThanOrEqualTo(4).And.OnlyContain(e => e.Type.StartsWith("payment_intent.", StringComparison.Ordinal));
        var several = await Client.V1.Events.ListAsync(new EventListOptions { Types = ["payment_intent.created", "charge.succeeded"] });
        several.Data.Should().HaveCount(4);
        several.Data.Select(e => e.Type).Distinct().Order().Should().Equal("charge.succeeded", "payment_intent.created");
        var one = await Client.V1.Events.GetAsync(succeeded.Data[0].Id);
        one.Id.Should().Be(succeeded.Data[0].Id);
        one.Type.Should().Be("charge.succeeded");
        ((Charge)one.Data.Object).Id.Should().Be(b.LatestChargeId);
        one.Created.Should().Be(succeeded.Data[0].Created);
    }

    [EmulatorFact(EmulatorTarget.FreshAccount)]
    public async Task An_idempotent_replay_emits_no_new_events()
    {
        var key = "events-replay-" + Tag;
        var first = await PayAsync(1000, requestOptions: new RequestOptions { IdempotencyKey = key });
        var before = await AllEventsAsync();
        var again = await PayAsync(1000, requestOptions: new RequestOptions { IdempotencyKey = key });
        again.Id.Should().Be(first.Id);
        Replayed(again).Should().BeTrue();
        var after = await AllEventsAsync();
        after.Select(e => e.Id).Should().Equal(before.Select(e => e.Id));
        after.Where(e => !Optional.Contains(e.Type)).Should().OnlyContain(e => e.Request.IdempotencyKey == key && e.Request.Id == first.StripeResponse.RequestId);
    }

    [EmulatorFact(EmulatorTarget.FreshAccount)]
    public async Task Events_are_per_merchant()
    {
        await PayAsync(1000);
        var other = Target.NewMerchant().Client;
        (await other.V1.Events.ListAsync()).Data.Should().BeEmpty();
        var first = (await Client.V1.Events.ListAsync(new EventListOptions { Limit = 1 })).Data.Single();
        await ExpectStripeErrorAsync(() => other.V1.Events.GetAsync(first.Id), HttpStatusCode.NotFound, "invalid_request_error", "resource_missing");
    }
}
