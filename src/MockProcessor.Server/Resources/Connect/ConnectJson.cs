using System.Text.Json.Nodes;
using MockProcessor.Domain.Connect;
using MockProcessor.Server.Wire;

namespace MockProcessor.Server.Resources.Connect;

/// <summary>Wire shapes of Connect's money objects (fixtures3.current.json): application fees, fee refunds, transfers, reversals.</summary>
public static class ConnectJson
{
    // transfer_data.amount is left out when not set: the spec never makes it null (typed SDKs would fail on a null).
    public static JsonObject? TransferData(ConnectPayment? cp)
    {
        if (cp?.TransferDestination is not { } destination) return null;
        var o = new JsonObject();
        if (cp.TransferAmount is { } amount) o["amount"] = amount;
        o["destination"] = destination;
        return o;
    }

    public static JsonObject ApplicationFee(ApplicationFee f, RenderContext ctx, ExpandNode expand) => new()
    {
        ["id"] = f.Id,
        ["object"] = "application_fee",
        ["account"] = f.Account,
        ["amount"] = f.Amount,
        ["amount_refunded"] = f.AmountRefunded,
        ["application"] = f.AccountId,
        ["balance_transaction"] = ctx.Ref(expand, "balance_transaction", f.BalanceTransaction),
        ["charge"] = f.Charge,
        ["created"] = f.Created,
        ["currency"] = f.Currency,
        ["fee_source"] = new JsonObject { ["charge"] = f.Charge, ["type"] = "charge" },
        ["livemode"] = false,
        ["originating_transaction"] = null,
        ["refunded"] = f.Refunded,
        ["refunds"] = Embedded(ctx, ctx.Tx.Find(ConnectEndpoints.RefundsByFee, f.Id), $"/v1/application_fees/{f.Id}/refunds"),
    };

    public static JsonObject FeeRefund(FeeRefund r, RenderContext ctx, ExpandNode expand) => new()
    {
        ["id"] = r.Id, ["object"] = "fee_refund", ["amount"] = r.Amount,
        ["balance_transaction"] = ctx.Ref(expand, "balance_transaction", r.BalanceTransaction),
        ["created"] = r.Created, ["currency"] = r.Currency, ["fee"] = r.Fee, ["metadata"] = ctx.Metadata(r.Metadata),
    };

    public static JsonObject Transfer(Transfer t, RenderContext ctx, ExpandNode expand) => new()
    {
        ["id"] = t.Id,
        ["object"] = "transfer",
        ["amount"] = t.Amount,
        ["amount_reversed"] = t.AmountReversed,
        ["balance_transaction"] = ctx.Ref(expand, "balance_transaction", t.BalanceTransaction),
        ["created"] = t.Created,
        ["currency"] = t.Currency,
        ["description"] = t.Description,
        ["destination"] = t.Destination,
        ["destination_payment"] = t.DestinationPayment,
        ["livemode"] = false,
        ["metadata"] = ctx.Metadata(t.Metadata),
        ["reversals"] = Embedded(ctx, ctx.Tx.Find(ConnectEndpoints.ReversalsByTransfer, t.Id), $"/v1/transfers/{t.Id}/reversals"),
        ["reversed"] = t.Reversed,
        ["source_transaction"] = t.SourceTransaction,
        ["source_type"] = "card",
        ["transfer_group"] = null,
    };

    public static JsonObject TransferReversal(TransferReversal r, RenderContext ctx, ExpandNode expand) => new()
    {
        ["id"] = r.Id, ["object"] = "transfer_reversal", ["amount"] = r.Amount,
        ["balance_transaction"] = ctx.Ref(expand, "balance_transaction", r.BalanceTransaction),
        ["created"] = r.Created, ["currency"] = r.Currency, ["destination_payment_refund"] = null,
        ["metadata"] = ctx.Metadata(r.Metadata), ["source_refund"] = r.SourceRefund, ["transfer"] = r.Transfer,
    };

    // The first page of a sub-list, as Stripe embeds refunds and reversals (ten, newest first).
    private static JsonObject Embedded<T>(RenderContext ctx, IEnumerable<T> items, string url) where T : Domain.Common.StripeObject
    {
        var all = items.Take(11).ToList();
        var data = new JsonArray();
        foreach (var o in all.Take(10)) data.Add(ctx.Render(o));
        return new JsonObject { ["object"] = "list", ["data"] = data, ["has_more"] = all.Count > 10, ["url"] = url };
    }
}
