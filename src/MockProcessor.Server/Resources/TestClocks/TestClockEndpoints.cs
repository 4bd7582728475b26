using MockProcessor.Domain.Common;
using MockProcessor.Domain.Customers;
using MockProcessor.Domain.Errors;
using MockProcessor.Domain.TestClocks;
using MockProcessor.Server.Storage;
using MockProcessor.Server.Time;
using MockProcessor.Server.Wire;

namespace MockProcessor.Server.Resources.TestClocks;

/// <summary>
/// <c>/v1/test_helpers/test_clocks</c> (STRIPE_BEHAVIOR.md §20.1). An advance does its work (the clock's due
/// time-driven work, docs/time.md) inside the call, so it answers <c>ready</c> where Stripe answers <c>advancing</c>
/// and finishes later; both <c>.advancing</c> and <c>.ready</c> are emitted, so SDK code that polls works unchanged.
/// </summary>
public static class TestClockEndpoints
{
    private const string Base = "/v1/test_helpers/test_clocks";

    public static IEnumerable<ApiRoute> Routes() =>
    [
        new("POST", Base, TestClockJson.Object, Create) { Params = "frozen_time name" },
        new("GET", Base, "list:" + TestClockJson.Object, List) { Params = "created ending_before limit starting_after" },
        new("GET", Base + "/{id}", TestClockJson.Object, Retrieve) { Params = "" },
        new("DELETE", Base + "/{id}", TestClockJson.Object, Delete) { Params = "" },
        new("POST", Base + "/{id}/advance", TestClockJson.Object, Advance) { Params = "frozen_time" },
    ];

    private static ApiResult Create(ApiContext c)
    {
        var clock = new TestClock
        {
            Id = c.Ids.Next("clock", 24),
            AccountId = c.Account.Id,
            Created = c.Now,
            // Past or future: Stripe accepts any start time.
            FrozenTime = c.P.RequiredLong("frozen_time", min: 0, max: Timestamps.Latest),
            Name = c.P.String("name", 300),
            DeletesAfter = c.Now + TestClock.Lifetime,
        };
        c.Tx.Put(clock);
        c.Emit("test_helpers.test_clock.created", clock);
        return c.Respond(clock);
    }

    /// <summary>A clock of this merchant that is not deleted, or Stripe's 404 on <paramref name="param"/>.</summary>
    public static TestClock LoadLive(ApiContext c, string id, string param = "id")
    {
        var clock = c.Load<TestClock>(id, "test_clock", param);
        return clock.Deleted ? throw new StripeException(StripeError.ResourceMissing("test_clock", id, param)) : clock;
    }

    private static ApiResult Retrieve(ApiContext c) => c.Respond(LoadLive(c, c.Route("id")));

    private static ApiResult List(ApiContext c)
    {
        var lp = ListParams.Read(c.P);
        var (page, more) = Lists.Page(c.Tx.NewestFirst<TestClock>(TestClockJson.Object), lp, t => !t.Deleted, TestClockJson.Object);
        return Lists.Render(page, more, Base, c.Render, c.Expand);
    }

    private static ApiResult Delete(ApiContext c)
    {
        var clock = LoadLive(c, c.Route("id"));
        // Stripe deletes the clock's customers (and everything else on it) with it.
        foreach (var customer in c.Tx.Find(Customers.CustomerEndpoints.ByTestClock, clock.Id).ToList())
        {
            // Their subscriptions end with them, at the clock's time (docs/billing.md).
            foreach (var sub in c.Tx.Find(Subscriptions.SubscriptionEndpoints.ByCustomer, customer.Id).ToList())
                if (!Domain.Billing.SubscriptionRules.IsTerminal(sub.Status))
                    Billing.BillingEngine.Cancel(c.AtTime(clock.FrozenTime), sub, Domain.Billing.CancellationReason.CancellationRequested);
            c.Emit("customer.deleted", customer);
            c.Tx.Put(customer with { Deleted = true });
        }
        c.Emit("test_helpers.test_clock.deleted", clock);
        c.Tx.Put(clock with { Deleted = true });
        return TestClockJson.Deleted(clock.Id);
    }

    private static ApiResult Advance(ApiContext c)
    {
        var clock = LoadLive(c, c.Route("id"));
        var target = c.P.RequiredLong("frozen_time", min: 0, max: Timestamps.Latest);
        if (target <= clock.FrozenTime)
            throw new StripeException(StripeError.InvalidValue("frozen_time",
                $"The test clock can only move forward: frozen_time must be after its current frozen_time ({clock.FrozenTime})."), beforeExecution: true);
        // Stripe's limit for a clock without subscriptions: two years. (Its tighter limit of two billing intervals with
        // subscriptions is not applied: docs/billing.md.)
        var limit = Math.Min(DateTimeOffset.FromUnixTimeSeconds(clock.FrozenTime).AddYears(2).ToUnixTimeSeconds(), Timestamps.Latest);
        if (target > limit)
            throw new StripeException(StripeError.InvalidValue("frozen_time",
                $"A test clock can be advanced at most two years at a time: frozen_time must be at most {limit}."), beforeExecution: true);
        var advancing = clock with
        {
            FrozenTime = target, Advanced = clock.Advanced + (target - clock.FrozenTime), Status = TestClockStatus.Advancing,
        };
        c.Tx.Put(advancing);
        c.Emit("test_helpers.test_clock.advancing", advancing);
        RunDue(c, advancing);
        var ready = advancing with { Status = TestClockStatus.Ready };
        c.Tx.Put(ready);
        c.Emit("test_helpers.test_clock.ready", ready);
        return c.Respond(ready);
    }

    /// <summary>
    /// Fires the clock's due time-driven work (docs/time.md): its objects' due times are on the merchant's scale,
    /// and the clock stands <see cref="TestClock.Advanced"/> seconds ahead of the merchant.
    /// </summary>
    private static void RunDue(ApiContext c, TestClock clock)
    {
        c.Service<TimeDriver>().RunDue(c.Tx.Account, c.Tx, c.Account, c.Now + clock.Advanced, clock.Id);
        c.Service<Webhooks.WebhookDueQueue>().Wake();
    }
}
