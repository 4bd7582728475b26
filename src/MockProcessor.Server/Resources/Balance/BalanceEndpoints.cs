using MockProcessor.Domain.Balance;
using MockProcessor.Server.Wire;

namespace MockProcessor.Server.Resources.Balance;

public static class BalanceEndpoints
{
    public static IEnumerable<ApiRoute> Routes() =>
    [
        new("GET", "/v1/balance", "balance", Retrieve) { Params = "" },
    ];

    // Summed over every balance transaction of the account at the call's time, so pending funds move to
    // available as the (virtual) clock passes their available_on.
    private static ApiResult Retrieve(ApiContext c) =>
        BalanceJson.Render(BalanceRules.Summarize(c.Tx.NewestFirst<BalanceTransaction>("balance_transaction"), c.Now));
}
