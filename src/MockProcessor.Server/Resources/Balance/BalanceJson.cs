using System.Text.Json.Nodes;
using MockProcessor.Domain.Balance;

namespace MockProcessor.Server.Resources.Balance;

/// <summary>
/// <c>GET /v1/balance</c>'s body. The balance is derived from balance transactions, never stored, so it is
/// not a StripeObject and has no renderer in the registry.
/// </summary>
public static class BalanceJson
{
    // Stripe shows a zero USD entry for an account that never moved money (fixtures3 "balance").
    private static readonly IReadOnlyList<BalanceFunds> Zero = [new BalanceFunds("usd", 0, 0)];

    public static JsonObject Render(BalanceSummary summary)
    {
        var available = summary.Available.Count == 0 ? Zero : summary.Available;
        var pending = summary.Pending.Count == 0 ? Zero : summary.Pending;
        var reserved = new JsonArray();
        foreach (var f in available) reserved.Add(new JsonObject { ["amount"] = 0, ["currency"] = f.Currency });
        return new JsonObject
        {
            ["object"] = "balance",
            ["available"] = Funds(available),
            // Deviation: no reserve is held against connected accounts' negative balances, so nothing is ever reserved.
            ["connect_reserved"] = reserved,
            ["livemode"] = false,
            ["pending"] = Funds(pending),
        };
    }

    private static JsonArray Funds(IReadOnlyList<BalanceFunds> funds)
    {
        var a = new JsonArray();
        foreach (var f in funds)
            a.Add(new JsonObject { ["amount"] = f.Amount, ["currency"] = f.Currency, ["source_types"] = new JsonObject { ["card"] = f.Card } });
        return a;
    }
}
