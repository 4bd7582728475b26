using MockProcessor.Domain.Common;
using MockProcessor.Domain.Events;
using MockProcessor.Domain.Money;
using MockProcessor.Domain.Payouts;
using MockProcessor.Server.Wire;

namespace MockProcessor.Server.Resources.Payouts;

/// <summary>Payouts (§17): manual create, retrieve, update metadata, list, cancel. Automatic ones come from PayoutTimers.</summary>
public static class PayoutEndpoints
{
    public static IEnumerable<ApiRoute> Routes() =>
    [
        new("POST", "/v1/payouts", "payout", Create)
            { Params = "amount currency description destination metadata method source_type statement_descriptor" },
        new("GET", "/v1/payouts", "list:payout", List)
            { Params = "arrival_date created destination ending_before limit starting_after status" },
        new("GET", "/v1/payouts/{id}", "payout", Retrieve) { Params = "" },
        new("POST", "/v1/payouts/{id}", "payout", Update) { Params = "metadata" },
        new("POST", "/v1/payouts/{id}/cancel", "payout", Cancel) { Params = "" },
    ];

    private static ApiResult Create(ApiContext c)
    {
        var p = c.P;
        var amount = p.RequiredLong("amount");
        var currency = Currencies.ValidateCurrency(p.RequiredString("currency").ToLowerInvariant()).OrThrow();
        var description = p.String("description");
        var descriptor = p.String("statement_descriptor", maxLength: 22);
        // Only standard payouts to the merchant's bank account are emulated.
        p.Enum("method", "standard");
        p.Enum("source_type", "card");
        var destination = p.String("destination");
        var metadata = p.Metadata(Metadata.Empty);
        var bank = PayoutRuns.BankAccountOf(c);
        if (destination is not null && destination != bank.Id)
            throw new StripeException(Domain.Errors.StripeError.ResourceMissing("bank_account", destination, "destination"));
        var available = AvailableBalance(c, currency);
        var change = PayoutRules.CreateManual(new CreatePayout(amount, currency, description, descriptor, metadata),
            available, c.Account.Id, bank, c.Now, c.Ids).OrThrow();
        PayoutRuns.Apply(c, change);
        return c.Respond(change.Payout);
    }

    private static long AvailableBalance(ApiContext c, string currency) =>
        Balance.BalanceEndpoints.SummaryOf(c.Tx, c.Now, currency).Available.FirstOrDefault()?.Amount ?? 0;

    private static ApiResult Retrieve(ApiContext c) => c.Respond(c.Load<Payout>(c.Route("id"), "payout"));

    private static ApiResult Update(ApiContext c)
    {
        var before = c.Load<Payout>(c.Route("id"), "payout");
        var after = before with { Metadata = c.P.Metadata(before.Metadata) };
        return c.Update(before, after, EventTypes.PayoutUpdated);
    }

    private static ApiResult Cancel(ApiContext c)
    {
        var before = c.Load<Payout>(c.Route("id"), "payout");
        var change = PayoutRules.Cancel(before, c.Now, c.Ids).OrThrow();
        PayoutRuns.Apply(c, change, before);
        return c.Respond(change.Payout);
    }

    private static ApiResult List(ApiContext c)
    {
        var p = c.P;
        var lp = ListParams.Read(p);
        var status = p.Enum<PayoutStatus>("status");
        var arrival = RangeFilter.Read(p, "arrival_date");
        var destination = p.String("destination");
        var (page, more) = Lists.Page(c.Tx.NewestFirst<Payout>("payout"), lp,
            x => (status is null || x.Status == status) && (arrival is null || arrival.Matches(x.ArrivalDate))
                 && (destination is null || x.Destination == destination),
            "payout");
        return Lists.Render(page, more, "/v1/payouts", c.Render, c.Expand);
    }
}
