using System.Text.Json.Nodes;
using MockProcessor.Domain.Balance;
using MockProcessor.Domain.Common;
using MockProcessor.Server.Wire;

namespace MockProcessor.Server.Resources.BalanceTransactions;

/// <summary>
/// BalanceTransaction → Stripe's wire shape (see fixtures3.current.json). <c>status</c> is not stored: it
/// is rendered at the call's time (<see cref="RenderContext.Now"/>), so it flips to available as time passes.
/// </summary>
public static class BalanceTransactionJson
{
    public static JsonObject Render(BalanceTransaction t, RenderContext ctx, ExpandNode expand)
    {
        var fees = new JsonArray();
        foreach (var f in t.FeeDetails)
            fees.Add(new JsonObject
            {
                ["amount"] = f.Amount, ["application"] = f.Application, ["currency"] = f.Currency,
                ["description"] = f.Description, ["type"] = f.Type.ToWire(),
            });
        return new JsonObject
        {
            ["id"] = t.Id,
            ["object"] = "balance_transaction",
            ["amount"] = t.Amount,
            ["available_on"] = t.AvailableOn,
            ["balance_type"] = t.BalanceType,
            ["created"] = t.Created,
            ["currency"] = t.Currency,
            ["description"] = t.Description,
            ["exchange_rate"] = t.ExchangeRate,
            ["fee"] = t.Fee,
            ["fee_details"] = fees,
            ["net"] = t.Net,
            ["reporting_category"] = t.ReportingCategory.ToWire(),
            ["source"] = ctx.Ref(expand, "source", t.Source),
            ["status"] = t.StatusAt(ctx.Now).ToWire(),
            ["type"] = t.Type.ToWire(),
        };
    }
}
