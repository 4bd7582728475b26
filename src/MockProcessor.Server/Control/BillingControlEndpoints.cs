using System.Text.Json.Nodes;
using MockProcessor.Domain.Accounts;
using MockProcessor.Domain.Billing;
using MockProcessor.Domain.Common;
using MockProcessor.Domain.Errors;
using MockProcessor.Server.Resources.Billing;
using MockProcessor.Server.Wire;

namespace MockProcessor.Server.Control;

/// <summary>
/// A merchant's billing settings (docs/billing.md), which Stripe keeps in the Dashboard: the days after a renewal's first
/// failed attempt on which it is retried, what becomes of the subscription when the last retry fails, and how many days
/// before a renewal <c>invoice.upcoming</c> goes out (0: never).
/// </summary>
public static class BillingControlEndpoints
{
    public const int MaxRetries = 8;
    /// <summary>Stripe's dashboard offers up to 45 days of notice for upcoming renewals [?]; the emulator takes 0–60.</summary>
    public const long MaxUpcomingDays = 60;

    public static IEnumerable<ApiRoute> Routes() =>
    [
        new("GET", "/_mock/billing/settings", "mock.billing_settings", Get) { Params = "" },
        new("POST", "/_mock/billing/settings", "mock.billing_settings", Set) { Params = "after_final_failure retry_days upcoming_days" },
    ];

    private static ApiResult Get(ApiContext c) => Render(c.Account.Id, BillingEngine.Settings(c));

    private static ApiResult Set(ApiContext c)
    {
        var account = c.Tx.Get<Account>(c.Account.Id) ?? c.Account;
        var current = account.Billing ?? BillingSettings.Default;
        var days = current.RetryDays;
        if (c.P.StringList("retry_days") is { } list)
        {
            if (list.Count > MaxRetries)
                throw new StripeException(StripeError.InvalidValue("retry_days", $"At most {MaxRetries} retries can be scheduled."), beforeExecution: true);
            var parsed = new List<long>();
            foreach (var text in list)
            {
                if (!long.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var d) || d is < 1 or > 60
                    || parsed.Count > 0 && d <= parsed[^1])
                    throw new StripeException(StripeError.InvalidValue("retry_days",
                        "retry_days are whole days after the first failed attempt, each from 1 to 60 and each later than the one before."), beforeExecution: true);
                parsed.Add(d);
            }
            days = parsed;
        }
        var after = c.P.Enum<FinalFailureAction>("after_final_failure") ?? current.AfterFinalFailure;
        var upcoming = c.P.Long("upcoming_days", 0, MaxUpcomingDays) ?? current.UpcomingDays;
        var settings = new BillingSettings(days, after) { UpcomingDays = upcoming };
        c.Tx.Put(account with { Billing = settings });
        // Each live subscription's next due time depends on upcoming_days: stored again, its timer is queued anew.
        if (upcoming != current.UpcomingDays)
            foreach (var sub in c.Tx.NewestFirst<Subscription>("subscription").Where(s => !SubscriptionRules.IsTerminal(s.Status)).ToList())
                c.Tx.Put(sub);
        return Render(account.Id, settings);
    }

    private static JsonObject Render(string account, BillingSettings s)
    {
        var days = new JsonArray();
        foreach (var d in s.RetryDays) days.Add(d);
        return new JsonObject
        {
            ["object"] = "mock.billing_settings", ["account"] = account, ["retry_days"] = days, ["after_final_failure"] = s.AfterFinalFailure.ToWire(),
            ["upcoming_days"] = s.UpcomingDays,
        };
    }
}
