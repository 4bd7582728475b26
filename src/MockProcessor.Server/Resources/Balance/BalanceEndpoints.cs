using MockProcessor.Domain.Balance;
using MockProcessor.Server.Wire;

namespace MockProcessor.Server.Resources.Balance;

public static class BalanceEndpoints
{
    public static IEnumerable<ApiRoute> Routes() =>
    [
        new("GET", "/v1/balance", "balance", Retrieve) { Params = "" },
    ];

    /// <summary>
    /// The nets of the account's balance transactions summed by currency and <c>available_on</c>, kept by the store as
    /// transactions are booked (docs/storage.md, "Running totals"): a balance reads a few sums, not the whole ledger
    /// (which, in a file store, is mostly on disk: at a million payments reading it back took 19 s).
    /// </summary>
    public static readonly Storage.TotalIndex<BalanceTransaction> Funds = new("balance_transaction", "funds", t => (t.Currency, t.AvailableOn, t.Net));

    /// <summary>The acting account's balance at <paramref name="now"/> (this call's bookings included), in every currency or one.</summary>
    public static BalanceSummary SummaryOf(Storage.Tx tx, long now, string? currency = null) =>
        BalanceRules.Summarize(tx.Totals(Funds).Where(s => currency is null || s.Group == currency).Select(s => (s.Group, s.Order, s.Sum)), now);

    // At the call's time, so pending funds move to available as the (virtual) clock passes their available_on.
    private static ApiResult Retrieve(ApiContext c) => BalanceJson.Render(SummaryOf(c.Tx, c.Now));
}
