using MockProcessor.Server.Storage;
using MockProcessor.Domain.Charges;
using MockProcessor.Domain.Common;
using MockProcessor.Domain.Errors;
using MockProcessor.Domain.Events;
using MockProcessor.Domain.PaymentIntents;
using MockProcessor.Domain.Refunds;
using MockProcessor.Server.Resources.Shared;
using MockProcessor.Server.Wire;

namespace MockProcessor.Server.Resources.Refunds;

/// <summary>Refunds of card charges (§14): create via RefundRules, read, update metadata, list, cancel.</summary>
public static class RefundEndpoints
{
    public static readonly SecondaryIndex<Refund> ByCharge = new("refund", "charge", r => r.Charge);
    public static readonly SecondaryIndex<Refund> ByPaymentIntent = new("refund", "payment_intent", r => r.PaymentIntent);

    public static IEnumerable<ApiRoute> Routes() =>
    [
        new("POST", "/v1/refunds", "refund", Create)
            { Params = "amount charge metadata payment_intent reason refund_application_fee reverse_transfer" },
        new("GET", "/v1/refunds", "list:refund", List) { Params = "charge created ending_before limit payment_intent starting_after" },
        new("GET", "/v1/refunds/{id}", "refund", Retrieve) { Params = "" },
        new("POST", "/v1/refunds/{id}", "refund", Update) { Params = "metadata" },
        new("POST", "/v1/refunds/{id}/cancel", "refund", Cancel) { Params = "" },
    ];

    // The reasons a caller may give; expired_uncaptured_charge is Stripe's own.
    private static readonly RefundReason[] UserReasons = [RefundReason.Duplicate, RefundReason.Fraudulent, RefundReason.RequestedByCustomer];

    private static ApiResult Create(ApiContext c)
    {
        var chargeId = c.P.String("charge");
        var piId = c.P.String("payment_intent");
        Charge charge;
        if (piId is not null)
        {
            // A PaymentIntent is refunded through its latest charge, the one that took the money.
            var pi = c.Load<PaymentIntent>(piId, "payment_intent", "payment_intent");
            if (pi.LatestCharge is null || c.Tx.Get<Charge>(pi.LatestCharge) is not { } latest)
                throw new StripeException(StripeError.PaymentIntentHasNoCharge(pi.Id));
            if (chargeId is not null && chargeId != latest.Id)
                throw new StripeException(StripeError.RefundChargeNotOfPaymentIntent(chargeId, pi.Id));
            charge = latest;
        }
        else if (chargeId is not null) charge = c.Load<Charge>(chargeId, "charge", "charge");
        else throw new StripeException(StripeError.RefundMissingTarget(), beforeExecution: true);
        return CreateFor(c, charge);
    }

    /// <summary>Refunds a charge; shared by <c>POST /v1/refunds</c> and the legacy <c>POST /v1/charges/:id/refunds</c>.</summary>
    internal static ApiResult CreateFor(ApiContext c, Charge charge)
    {
        var p = c.P;
        var amount = p.Long("amount");
        if (amount is < 1) throw new StripeException(StripeError.AmountNotPositive(), beforeExecution: true);
        var reason = p.Enum("reason", UserReasons);
        var metadata = p.Metadata(Metadata.Empty);
        var reverseTransfer = p.Bool("reverse_transfer") ?? false;
        var refundApplicationFee = p.Bool("refund_application_fee") ?? false;

        var earlier = c.Tx.Find(ByCharge, charge.Id).ToList();
        var change = RefundRules.Create(charge, earlier, new CreateRefund(amount, reason, metadata), c.Account.Id, c.Now, c.Ids).OrThrow();
        Changes.Apply(c, change);
        var refund = reverseTransfer || refundApplicationFee
            ? Connect.ConnectMoney.OnRefund(c, change.Charge, change.Refund, reverseTransfer, refundApplicationFee)
            : change.Refund;
        return c.Respond(refund);
    }

    private static ApiResult Retrieve(ApiContext c) => c.Respond(c.Load<Refund>(c.Route("id"), "refund"));

    private static ApiResult Update(ApiContext c)
    {
        var before = c.Load<Refund>(c.Route("id"), "refund");
        var after = before with { Metadata = c.P.Metadata(before.Metadata) };
        return c.Update(before, after, EventTypes.RefundUpdated);
    }

    private static ApiResult Cancel(ApiContext c)
    {
        var refund = c.Load<Refund>(c.Route("id"), "refund");
        var charge = c.Load<Charge>(refund.Charge, "charge", "charge");
        var change = RefundRules.Cancel(refund, charge, c.Now, c.Ids).OrThrow();
        Changes.Apply(c, change);
        return c.Respond(change.Refund);
    }

    private static ApiResult List(ApiContext c) =>
        ListFor(c, c.P.String("charge"), c.P.String("payment_intent"), "/v1/refunds");

    internal static ApiResult ListFor(ApiContext c, string? chargeId, string? paymentIntentId, string url)
    {
        var lp = ListParams.Read(c.P);
        var source = chargeId is not null ? c.Tx.Find(ByCharge, chargeId) : c.Tx.FindOrAll(ByPaymentIntent, paymentIntentId);
        var (page, more) = Lists.Page(source, lp,
            r => (chargeId is null || r.Charge == chargeId) && (paymentIntentId is null || r.PaymentIntent == paymentIntentId), "refund");
        return Lists.Render(page, more, url, c.Render, c.Expand);
    }
}
