using System.Text.Json.Nodes;
using MockProcessor.Domain.Balance;
using MockProcessor.Domain.Charges;
using MockProcessor.Domain.Common;
using MockProcessor.Domain.Errors;
using MockProcessor.Server.Wire;

namespace MockProcessor.Server.Control;

/// <summary>
/// Discrepancies on demand (docs/payouts.md): settle a transaction in a later payout than expected, or book a fee
/// adjustment against a charge, so a merchant's reconciliation can be tested against known differences. Each is
/// recorded and listed oldest first. Dropping a webhook is the fault/webhook tooling's (docs/faults.md).
/// </summary>
public static class DiscrepancyControlEndpoints
{
    public static IEnumerable<ApiRoute> Routes() =>
    [
        new("POST", "/_mock/discrepancies", "mock.discrepancy", Create)
            { Params = "amount balance_transaction charge days kind reporting_category" },
        new("GET", "/_mock/discrepancies", "list:mock.discrepancy", List) { Params = "" },
    ];

    private static ApiResult Create(ApiContext c)
    {
        var p = c.P;
        var kind = p.Enum<DiscrepancyKind>("kind") ?? throw new StripeException(StripeError.ParameterMissing("kind"), beforeExecution: true);
        DiscrepancyChange change;
        if (kind is DiscrepancyKind.LateSettlement)
        {
            var days = (int)(p.Long("days", min: 1, max: 365) ?? 1);
            var txnId = p.String("balance_transaction");
            var chargeId = p.String("charge");
            if (txnId is not null && chargeId is not null)
                throw new StripeException(StripeError.ParametersExclusive("balance_transaction", "charge"), beforeExecution: true);
            if (txnId is null && chargeId is null)
                throw new StripeException(StripeError.ParameterMissing("balance_transaction"), beforeExecution: true);
            if (chargeId is not null)
                txnId = c.Load<Charge>(chargeId, "charge", "charge").BalanceTransaction
                    ?? throw new StripeException(StripeError.InvalidValue("charge", $"Charge {chargeId} has not been captured: it has no balance transaction yet."));
            var txn = c.Load<BalanceTransaction>(txnId!, "balance_transaction", chargeId is null ? "balance_transaction" : "charge");
            change = DiscrepancyRules.LateSettlement(txn, days, c.Now, c.Ids).OrThrow();
        }
        else
        {
            var charge = c.Load<Charge>(p.RequiredString("charge"), "charge", "charge");
            var amount = p.RequiredLong("amount");
            if (amount == 0) throw new StripeException(StripeError.InvalidValue("amount", "A fee adjustment needs a non-zero amount (negative charges the merchant)."), beforeExecution: true);
            var category = p.Enum("reporting_category", "fee", "other_adjustment") == "other_adjustment"
                ? ReportingCategory.OtherAdjustment : ReportingCategory.Fee;
            change = DiscrepancyRules.FeeAdjustment(charge.Id, charge.Currency, amount, category, c.Account.Id, c.Now, c.Ids);
        }
        c.Tx.Put(change.Transaction);
        c.Tx.Put(change.Discrepancy);
        return Render(change.Discrepancy);
    }

    private static ApiResult List(ApiContext c) => new JsonObject
    {
        ["object"] = "list",
        ["url"] = "/_mock/discrepancies",
        ["has_more"] = false,
        ["data"] = new JsonArray(c.Tx.NewestFirst<Discrepancy>("mock.discrepancy").Reverse().Select(d => (JsonNode)Render(d)).ToArray()),
    };

    private static JsonObject Render(Discrepancy d) => new()
    {
        ["id"] = d.Id,
        ["object"] = "mock.discrepancy",
        ["kind"] = d.Kind.ToWire(),
        ["created"] = d.Created,
        ["balance_transaction"] = d.BalanceTransaction,
        ["charge"] = d.Charge,
        ["available_on_before"] = d.AvailableOnBefore,
        ["available_on_after"] = d.AvailableOnAfter,
        ["amount"] = d.Amount,
    };
}
