using System.Text.Json.Nodes;
using MockProcessor.Domain.Charges;
using MockProcessor.Domain.Common;
using MockProcessor.Server.Resources.Customers;
using MockProcessor.Server.Resources.PaymentMethods;
using MockProcessor.Server.Wire;

namespace MockProcessor.Server.Resources.Charges;

/// <summary>Charge → Stripe's wire shape at the current API version (see fixtures3.current.json).</summary>
public static class ChargeJson
{
    public static JsonObject Render(Charge ch, RenderContext ctx, ExpandNode expand)
    {
        var json = Fields(ch, ctx, expand);
        // `transfer` (a destination charge's transfer) is optional in Stripe's schema: present only when there is one.
        if (ch.Transfer is not null) json.Insert(json.IndexOf("transfer_data"), "transfer", ctx.Ref(expand, "transfer", ch.Transfer));
        return json;
    }

    private static JsonObject Fields(Charge ch, RenderContext ctx, ExpandNode expand) => new(WireJson.Room(42))
    {
        ["id"] = ch.Id,
        ["object"] = "charge",
        ["amount"] = ch.Amount,
        ["amount_captured"] = ch.AmountCaptured,
        ["amount_refunded"] = ch.AmountRefunded,
        ["application"] = null,
        ["application_fee"] = ctx.Ref(expand, "application_fee", ch.ApplicationFee),
        ["application_fee_amount"] = ch.Connect?.ApplicationFeeAmount,
        ["balance_transaction"] = ctx.Ref(expand, "balance_transaction", ch.BalanceTransaction),
        ["billing_details"] = PaymentMethodJson.BillingDetailsJson(ch.BillingDetails),
        ["calculated_statement_descriptor"] = ch.CalculatedStatementDescriptor ?? CalculatedDescriptor(ch),
        ["captured"] = ch.Captured,
        ["created"] = ch.Created,
        ["currency"] = ch.Currency,
        ["customer"] = ctx.Ref(expand, "customer", ch.Customer),
        ["description"] = ch.Description,
        ["disputed"] = ch.Disputed,
        ["failure_balance_transaction"] = null,
        ["failure_code"] = ch.FailureCode,
        ["failure_message"] = ch.FailureMessage,
        ["fraud_details"] = ch.FraudStripeReport is null ? new JsonObject() : new JsonObject { ["stripe_report"] = ch.FraudStripeReport },
        ["livemode"] = false,
        ["metadata"] = ctx.Metadata(ch.Metadata),
        ["on_behalf_of"] = ch.Connect?.OnBehalfOf,
        ["outcome"] = ch.Outcome is null ? null : Outcome(ch.Outcome),
        ["paid"] = ch.Paid,
        ["payment_intent"] = ctx.Ref(expand, "payment_intent", ch.PaymentIntent),
        ["payment_method"] = ch.PaymentMethod,
        ["payment_method_details"] = ch.PaymentMethodDetails is null ? null : Details(ch),
        ["receipt_email"] = ch.ReceiptEmail,
        ["receipt_number"] = null,
        // Deviation: Stripe's receipt_url is a hosted receipt page; the emulator serves none, so this is null
        // until the charge has a stored ReceiptUrl.
        ["receipt_url"] = ch.ReceiptUrl,
        ["refunded"] = ch.Refunded,
        ["review"] = null,
        ["shipping"] = null,
        // A charge on a saved card shows the card as charged; PaymentMethod charges have no source.
        ["source"] = ch.Source is null ? null : CardJson.Render(ch.Source, ctx, ExpandNode.None),
        ["source_transfer"] = ch.SourceTransfer,
        ["statement_descriptor"] = ch.StatementDescriptor,
        ["statement_descriptor_suffix"] = ch.StatementDescriptorSuffix,
        ["status"] = ch.Status.ToWire(),
        ["transfer_data"] = Connect.ConnectJson.TransferData(ch.Connect),
        ["transfer_group"] = null,
    };

    // Stripe shows the descriptor the cardholder sees: the charge's own, or the account's with the suffix.
    // Deviation: accounts have no descriptor setting here, so the account part is always MOCKPROCESSOR.
    private static string? CalculatedDescriptor(Charge ch) =>
        ch.Status is ChargeStatus.Failed ? null
        : ch.StatementDescriptor ?? (ch.StatementDescriptorSuffix is { } s ? $"MOCKPROCESSOR* {s}" : "MOCKPROCESSOR").ToUpperInvariant();

    private static JsonObject Outcome(ChargeOutcome o)
    {
        var outcome = new JsonObject
        {
            ["advice_code"] = o.AdviceCode,
            ["network_advice_code"] = o.NetworkAdviceCode,
            ["network_decline_code"] = o.NetworkDeclineCode,
            ["network_status"] = o.NetworkStatus.ToWire(),
            ["reason"] = o.Reason,
            ["risk_level"] = o.RiskLevel.ToWire(),
            ["risk_score"] = o.RiskScore,
            ["seller_message"] = o.SellerMessage,
            ["type"] = o.Type.ToWire(),
        };
        // Stripe leaves `rule` out unless a Radar rule decided; it is never null (spec and typed SDKs agree).
        if (o.Rule is not null) outcome["rule"] = o.Rule;
        return outcome;
    }

    private static JsonObject Details(Charge ch)
    {
        var d = ch.PaymentMethodDetails!;
        var card = new JsonObject
        {
            ["amount_authorized"] = d.AmountAuthorized,
            ["authorization_code"] = null,
            ["brand"] = d.Brand,
            ["checks"] = new JsonObject
            {
                ["address_line1_check"] = d.Checks.AddressLine1Check?.ToWire(),
                ["address_postal_code_check"] = d.Checks.AddressPostalCodeCheck?.ToWire(),
                ["cvc_check"] = d.Checks.CvcCheck?.ToWire(),
            },
            ["country"] = d.Country,
            ["exp_month"] = d.ExpMonth,
            ["exp_year"] = d.ExpYear,
            ["extended_authorization"] = new JsonObject { ["status"] = "disabled" },
            ["fingerprint"] = d.Fingerprint,
            ["funding"] = d.Funding,
            ["incremental_authorization"] = new JsonObject { ["status"] = "unavailable" },
            ["installments"] = null,
            ["last4"] = d.Last4,
            ["mandate"] = null,
            ["multicapture"] = new JsonObject { ["status"] = "unavailable" },
            ["network"] = d.Network,
            ["network_token"] = new JsonObject { ["used"] = false },
            ["network_transaction_id"] = null,
            ["overcapture"] = new JsonObject { ["maximum_amount_capturable"] = ch.Amount, ["status"] = "unavailable" },
            ["regulated_status"] = "unregulated",
            ["three_d_secure"] = d.ThreeDSecure is null ? null : new JsonObject
            {
                ["authentication_flow"] = d.ThreeDSecure.Result is Domain.Charges.ThreeDSecureResult.Authenticated ? "challenge" : null,
                ["electronic_commerce_indicator"] = null,
                ["exemption_indicator"] = null,
                ["result"] = d.ThreeDSecure.Result.ToWire(),
                ["result_reason"] = null,
                ["transaction_id"] = null,
                ["version"] = d.ThreeDSecure.Version,
            },
            ["transaction_link_id"] = null,
            ["wallet"] = null,
        };
        // Stripe omits capture_before unless the charge awaits capture; Stripe.net's model has it non-nullable,
        // so a null here makes the whole response fail to deserialize there.
        if (d.CaptureBefore is { } before) card["capture_before"] = before;
        return new JsonObject { ["card"] = card, ["type"] = "card" };
    }
}
