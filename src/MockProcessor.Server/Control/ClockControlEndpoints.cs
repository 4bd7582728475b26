using System.Text.Json.Nodes;
using MockProcessor.Domain.Accounts;
using MockProcessor.Domain.Common;
using MockProcessor.Domain.Errors;
using MockProcessor.Server.Time;
using MockProcessor.Server.Wire;

namespace MockProcessor.Server.Control;

/// <summary>
/// One merchant's clock (docs/time.md): read it, advance it by seconds or to an instant, freeze it, resume real
/// time. Advancing fires the merchant's due time-driven work in due-time order, each at its own due time, in this
/// call's unit of work. Runs through the Stripe pipeline (the merchant's secret key, Stripe errors).
/// </summary>
public static class ClockControlEndpoints
{
    public static IEnumerable<ApiRoute> Routes() =>
    [
        new("GET", "/_mock/merchant_clock", "mock.merchant_clock", Get) { Params = "" },
        new("POST", "/_mock/merchant_clock/advance", "mock.merchant_clock", Advance) { Params = "seconds to" },
        new("POST", "/_mock/merchant_clock/freeze", "mock.merchant_clock", Freeze) { Params = "" },
        new("POST", "/_mock/merchant_clock/resume", "mock.merchant_clock", Resume) { Params = "" },
    ];

    private static ApiResult Get(ApiContext c) => Render(c.Account, c.Now, fired: 0);

    private static ApiResult Advance(ApiContext c)
    {
        var seconds = c.P.Long("seconds", min: 0, max: Timestamps.Latest);
        var to = c.P.Long("to", min: 0, max: Timestamps.Latest);
        if (seconds is not null && to is not null)
            throw new StripeException(StripeError.ParametersExclusive("seconds", "to"), beforeExecution: true);
        if (seconds is null && to is null) throw new StripeException(StripeError.ParameterMissing("seconds"), beforeExecution: true);
        var target = to ?? c.Now + seconds!.Value;
        if (target > Timestamps.Latest)
            throw new StripeException(StripeError.InvalidValue(to is null ? "seconds" : "to",
                $"The merchant's clock cannot pass {Timestamps.LatestText} ({Timestamps.Latest}): it is {c.Now}."), beforeExecution: true);
        if (target < c.Now)
        {
            // A merchant that holds nothing yet may start in the past (mockprocessor seed back-dates demo data this
            // way): no object's timestamps or timers can contradict the earlier time.
            if (to is null || c.Tx.Account.CountsByType().Any(t => t.Count > 0 && t.Type != "account"))
                throw new StripeException(StripeError.InvalidValue("to",
                    $"The clock only moves forward once the merchant has objects: it is {c.Now}, and {target} is earlier."), beforeExecution: true);
            var rewound = MoveTo(c.Tx.Get<Account>(c.Account.Id)!, c.Now, target);
            c.Tx.Put(rewound);
            return Render(rewound, target, fired: 0);
        }
        var fired = c.Service<TimeDriver>().RunDue(c.Tx.Account, c.Tx, c.Account, target);
        var account = MoveTo(c.Tx.Get<Account>(c.Account.Id)!, c.Now, target);
        c.Tx.Put(account);
        c.Service<Webhooks.WebhookDueQueue>().Wake();
        return Render(account, target, fired);
    }

    private static ApiResult Freeze(ApiContext c)
    {
        var account = c.Account with { ClockFrozenAt = c.Now };
        c.Tx.Put(account);
        return Render(account, c.Now, fired: 0);
    }

    private static ApiResult Resume(ApiContext c)
    {
        // Real time resumes from where the frozen clock stood: the offset keeps the merchant's "now" continuous.
        var baseNow = c.Service<VirtualClock>().UnixNow();
        var account = c.Account with { ClockFrozenAt = null, ClockOffset = c.Now - baseNow };
        c.Tx.Put(account);
        return Render(account, c.Now, fired: 0);
    }

    private static Account MoveTo(Account account, long now, long target) =>
        account.ClockFrozenAt is not null
            ? account with { ClockFrozenAt = target }
            : account with { ClockOffset = account.ClockOffset + (target - now) };

    private static JsonObject Render(Account account, long now, int fired) => new()
    {
        ["object"] = "mock.merchant_clock",
        ["account"] = account.Id,
        ["now"] = now,
        ["frozen"] = account.ClockFrozenAt is not null,
        ["offset"] = account.ClockOffset,
        ["fired"] = fired,
    };
}
