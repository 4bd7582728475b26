using MockProcessor.Server.Storage;
using MockProcessor.Domain.Balance;
using MockProcessor.Domain.Common;
using MockProcessor.Server.Wire;

namespace MockProcessor.Server.Resources.BalanceTransactions;

public static class BalanceTransactionEndpoints
{
    public static readonly SecondaryIndex<BalanceTransaction> BySource = new("balance_transaction", "source", t => t.Source);

    public static IEnumerable<ApiRoute> Routes() =>
    [
        new("GET", "/v1/balance_transactions", "list:balance_transaction", List)
            { Params = "created currency ending_before limit payout source starting_after type" },
        new("GET", "/v1/balance_transactions/{id}", "balance_transaction", Retrieve) { Params = "" },
    ];

    private static ApiResult Retrieve(ApiContext c) =>
        c.Respond(c.Load<BalanceTransaction>(c.Route("id"), "balance_transaction"));

    private static ApiResult List(ApiContext c)
    {
        var p = c.P;
        var lp = ListParams.Read(p);
        var type = p.Enum("type", WireEnum.AllWire<BalanceTransactionType>().ToArray());
        var source = p.String("source");
        var currency = p.String("currency")?.ToLowerInvariant();
        // What an automatic payout settled comes from the one function the reports use too (docs/payouts.md).
        var payout = p.String("payout");
        var all = payout is not null ? Payouts.PayoutLedger.TransactionsOf(c.Tx, payout) : c.Tx.FindOrAll(BySource, source);
        var (page, more) = Lists.Page(all, lp,
            t => (type is null || t.Type.ToWire() == type)
                 && (source is null || t.Source == source)
                 && (currency is null || t.Currency == currency),
            "balance_transaction");
        return Lists.Render(page, more, "/v1/balance_transactions", c.Render, c.Expand);
    }
}
