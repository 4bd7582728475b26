using System.Collections.Immutable;
using MockProcessor.Domain.Common;
using MockProcessor.Domain.Connect;
using MockProcessor.Domain.Errors;
using MockProcessor.Domain.Money;
using MockProcessor.Server.Wire;

namespace MockProcessor.Server.Resources.Connect;

/// <summary>
/// <c>/v1/application_fees</c> and <c>/v1/transfers</c> (docs/connect.md): a platform's Connect money objects, retrieve
/// and list (filters: <c>charge</c> for fees, <c>destination</c> for transfers), their refunds and reversals, and
/// transfers from the platform's available balance.
/// </summary>
public static class ConnectEndpoints
{
    public static readonly Storage.SecondaryIndex<ApplicationFee> FeesByCharge = new("application_fee", "charge", f => f.Charge);
    public static readonly Storage.SecondaryIndex<FeeRefund> RefundsByFee = new("fee_refund", "fee", r => r.Fee);
    public static readonly Storage.SecondaryIndex<Transfer> TransfersByDestination = new("transfer", "destination", t => t.Destination);
    public static readonly Storage.SecondaryIndex<TransferReversal> ReversalsByTransfer = new("transfer_reversal", "transfer", r => r.Transfer);

    public static IEnumerable<Storage.SecondaryIndex> Indexes => [FeesByCharge, RefundsByFee, TransfersByDestination, ReversalsByTransfer];

    public static IEnumerable<ApiRoute> Routes() =>
    [
        new("GET", "/v1/application_fees", "list:application_fee", ListFees)
            { Params = "charge created ending_before limit starting_after" },
        new("GET", "/v1/application_fees/{id}", "application_fee", RetrieveFee) { Params = "" },
        new("GET", "/v1/application_fees/{id}/refunds", "list:fee_refund", ListFeeRefunds)
            { Params = "created ending_before limit starting_after" },
        new("POST", "/v1/application_fees/{id}/refunds", "fee_refund", CreateFeeRefund) { Params = "amount metadata" },
        new("POST", "/v1/transfers", "transfer", CreateTransfer)
            { Params = "amount currency description destination metadata transfer_group" },
        new("GET", "/v1/transfers", "list:transfer", ListTransfers) { Params = "created destination ending_before limit starting_after" },
        new("GET", "/v1/transfers/{id}", "transfer", RetrieveTransfer) { Params = "" },
        new("GET", "/v1/transfers/{id}/reversals", "list:transfer_reversal", ListReversals)
            { Params = "created ending_before limit starting_after" },
        new("POST", "/v1/transfers/{id}/reversals", "transfer_reversal", CreateReversal)
            { Params = "amount metadata refund_application_fee" },
    ];

    /// <summary>An amount to give back: at most what remains, all of it by default.</summary>
    private static long AmountBack(ApiContext c, long remaining, string what)
    {
        var amount = c.P.Long("amount", min: 1) ?? remaining;
        if (amount > remaining || remaining == 0)
            throw new StripeException(StripeError.InvalidValue("amount",
                $"The amount ({amount}) is greater than what remains of the {what} ({remaining})."), beforeExecution: true);
        return amount;
    }

    private static ApiResult CreateFeeRefund(ApiContext c)
    {
        var fee = c.Load<ApplicationFee>(c.Route("id"), "application_fee");
        var amount = AmountBack(c, fee.Amount - fee.AmountRefunded, "application fee");
        return c.Respond(ConnectMoney.RefundFee(c, fee, amount, c.P.Metadata(Metadata.Empty)));
    }

    private static ApiResult CreateTransfer(ApiContext c)
    {
        var p = c.P;
        var amount = p.RequiredLong("amount", min: 1);
        var currency = p.RequiredString("currency", 3).ToLowerInvariant();
        Currencies.ValidateCurrency(currency).OrThrow();
        var destination = Accounts.AccountEndpoints.LoadConnected(c, p.RequiredString("destination", 100), "destination");
        var description = p.String("description", 1000);
        p.String("transfer_group", 500);
        var metadata = c.P.Metadata(Metadata.Empty);
        return c.Respond(ConnectMoney.SendTransfer(c, destination, amount, currency, description, metadata));
    }

    private static ApiResult CreateReversal(ApiContext c)
    {
        var transfer = c.Load<Transfer>(c.Route("id"), "transfer");
        var amount = AmountBack(c, transfer.Amount - transfer.AmountReversed, "transfer");
        c.P.Bool("refund_application_fee");
        return c.Respond(ConnectMoney.ReverseTransfer(c, transfer, amount, null, c.P.Metadata(Metadata.Empty)));
    }

    private static ApiResult RetrieveFee(ApiContext c) => c.Respond(c.Load<ApplicationFee>(c.Route("id"), "application_fee"));

    private static ApiResult ListFees(ApiContext c)
    {
        var lp = ListParams.Read(c.P);
        var charge = c.P.String("charge");
        var (page, more) = Lists.Page(c.Tx.FindOrAll(FeesByCharge, charge), lp, f => charge is null || f.Charge == charge, "application_fee");
        return Lists.Render(page, more, "/v1/application_fees", c.Render, c.Expand);
    }

    private static ApiResult ListFeeRefunds(ApiContext c)
    {
        var fee = c.Load<ApplicationFee>(c.Route("id"), "application_fee");
        var lp = ListParams.Read(c.P);
        var (page, more) = Lists.Page(c.Tx.Find(RefundsByFee, fee.Id), lp, r => r.Fee == fee.Id, "fee_refund");
        return Lists.Render(page, more, $"/v1/application_fees/{fee.Id}/refunds", c.Render, c.Expand);
    }

    private static ApiResult RetrieveTransfer(ApiContext c) => c.Respond(c.Load<Transfer>(c.Route("id"), "transfer"));

    private static ApiResult ListTransfers(ApiContext c)
    {
        var lp = ListParams.Read(c.P);
        var destination = c.P.String("destination");
        var (page, more) = Lists.Page(c.Tx.FindOrAll(TransfersByDestination, destination), lp, t => destination is null || t.Destination == destination, "transfer");
        return Lists.Render(page, more, "/v1/transfers", c.Render, c.Expand);
    }

    private static ApiResult ListReversals(ApiContext c)
    {
        var transfer = c.Load<Transfer>(c.Route("id"), "transfer");
        var lp = ListParams.Read(c.P);
        var (page, more) = Lists.Page(c.Tx.Find(ReversalsByTransfer, transfer.Id), lp, r => r.Transfer == transfer.Id, "transfer_reversal");
        return Lists.Render(page, more, $"/v1/transfers/{transfer.Id}/reversals", c.Render, c.Expand);
    }
}
