using MockProcessor.Domain.Connect;
using MockProcessor.Server.Wire;

namespace MockProcessor.Server.Resources.Connect;

/// <summary>
/// <c>/v1/application_fees</c> and <c>/v1/transfers</c> (docs/connect.md): a platform's Connect money objects, retrieve
/// and list (filters: <c>charge</c> for fees, <c>destination</c> for transfers), with their refunds and reversals.
/// </summary>
public static class ConnectEndpoints
{
    public static IEnumerable<ApiRoute> Routes() =>
    [
        new("GET", "/v1/application_fees", "list:application_fee", ListFees),
        new("GET", "/v1/application_fees/{id}", "application_fee", RetrieveFee),
        new("GET", "/v1/application_fees/{id}/refunds", "list:fee_refund", ListFeeRefunds),
        new("GET", "/v1/transfers", "list:transfer", ListTransfers),
        new("GET", "/v1/transfers/{id}", "transfer", RetrieveTransfer),
        new("GET", "/v1/transfers/{id}/reversals", "list:transfer_reversal", ListReversals),
    ];

    private static ApiResult RetrieveFee(ApiContext c) => c.Respond(c.Load<ApplicationFee>(c.Route("id"), "application_fee"));

    private static ApiResult ListFees(ApiContext c)
    {
        var lp = ListParams.Read(c.P);
        var charge = c.P.String("charge");
        var (page, more) = Lists.Page(c.Tx.NewestFirst<ApplicationFee>("application_fee"), lp, f => charge is null || f.Charge == charge, "application_fee");
        return Lists.Render(page, more, "/v1/application_fees", c.Render, c.Expand);
    }

    private static ApiResult ListFeeRefunds(ApiContext c)
    {
        var fee = c.Load<ApplicationFee>(c.Route("id"), "application_fee");
        var lp = ListParams.Read(c.P);
        var (page, more) = Lists.Page(c.Tx.NewestFirst<FeeRefund>("fee_refund"), lp, r => r.Fee == fee.Id, "fee_refund");
        return Lists.Render(page, more, $"/v1/application_fees/{fee.Id}/refunds", c.Render, c.Expand);
    }

    private static ApiResult RetrieveTransfer(ApiContext c) => c.Respond(c.Load<Transfer>(c.Route("id"), "transfer"));

    private static ApiResult ListTransfers(ApiContext c)
    {
        var lp = ListParams.Read(c.P);
        var destination = c.P.String("destination");
        var (page, more) = Lists.Page(c.Tx.NewestFirst<Transfer>("transfer"), lp, t => destination is null || t.Destination == destination, "transfer");
        return Lists.Render(page, more, "/v1/transfers", c.Render, c.Expand);
    }

    private static ApiResult ListReversals(ApiContext c)
    {
        var transfer = c.Load<Transfer>(c.Route("id"), "transfer");
        var lp = ListParams.Read(c.P);
        var (page, more) = Lists.Page(c.Tx.NewestFirst<TransferReversal>("transfer_reversal"), lp, r => r.Transfer == transfer.Id, "transfer_reversal");
        return Lists.Render(page, more, $"/v1/transfers/{transfer.Id}/reversals", c.Render, c.Expand);
    }
}
