using MockProcessor.Domain.Common;
using MockProcessor.Domain.Customers;
using MockProcessor.Domain.TestClocks;
using MockProcessor.Server.Wire;

namespace MockProcessor.Server.Resources.Billing;

/// <summary>
/// Which time billing runs at (docs/billing.md, "Clocks"). A customer on a test clock has its subscriptions and
/// invoices dated on the clock (<c>frozen_time</c>), as Stripe shows them; everyone else on the merchant's clock.
/// The timer queues are on the merchant's scale (docs/time.md: a clock fires what is due at merchant time +
/// <see cref="TestClock.Advanced"/>), so billing due times are shifted by the clock's fixed skew:
/// frozen_time at creation − merchant time at creation.
/// </summary>
public static class BillingClock
{
    public static TestClock? Of(string customerId, Func<string, StripeObject?> get) =>
        get(customerId) is Customer { TestClock: { } id } && get(id) is TestClock { Deleted: false } clock ? clock : null;

    /// <summary>The skew between a clock's time and the merchant scale its queue runs on (0 for the merchant's clock).</summary>
    public static long Skew(TestClock? clock) => clock is null ? 0 : clock.FrozenTime - clock.Advanced - clock.Created;

    /// <summary>Now on the customer's billing clock: the test clock's frozen time, or the call's time.</summary>
    public static long Now(ApiContext c, string customerId) =>
        Of(customerId, id => c.Tx.Get<StripeObject>(id)) is { } clock ? clock.FrozenTime : c.Now;

    /// <summary>A billing due time (on the customer's clock) on the scale of the timer queue it goes to.</summary>
    public static long? ToQueue(long? due, string customerId, Func<string, StripeObject?> get) =>
        due is { } d ? d - Skew(Of(customerId, get)) : null;

    /// <summary>A timer's context (at its queue due time) moved to the customer's clock.</summary>
    public static ApiContext AtClock(ApiContext c, string customerId) =>
        c.AtTime(c.Now + Skew(Of(customerId, id => c.Tx.Get<StripeObject>(id))));

    /// <summary>A request's context moved to the customer's billing clock (its test clock's frozen time, else unchanged).</summary>
    public static ApiContext AtCustomerClock(ApiContext c, string customerId) => c.AtTime(Now(c, customerId));
}
