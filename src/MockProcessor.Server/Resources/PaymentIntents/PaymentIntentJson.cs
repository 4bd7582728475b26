using System.Text.Json.Nodes;
using MockProcessor.Domain.Common;
using MockProcessor.Domain.PaymentIntents;
using MockProcessor.Server.Wire;

namespace MockProcessor.Server.Resources.PaymentIntents;

/// <summary>PaymentIntent → the current API's shape: no <c>charges</c> list (gone since 2022-11-15), <c>latest_charge</c> instead.</summary>
public static class PaymentIntentJson
{
    public static JsonObject Render(PaymentIntent pi, RenderContext ctx, ExpandNode expand)
    {
        var types = new JsonArray();
        foreach (var t in pi.PaymentMethodTypes) types.Add(t);
        return new JsonObject(WireJson.Room(42))
        {
            ["id"] = pi.Id,
            ["object"] = "payment_intent",
            ["allowed_payment_method_types"] = Strings(pi.AllowedPaymentMethodTypes),
            ["amount"] = pi.Amount,
            ["amount_capturable"] = pi.AmountCapturable,
            ["amount_details"] = new JsonObject { ["tip"] = new JsonObject() },
            ["amount_received"] = pi.AmountReceived,
            ["application"] = null,
            ["application_fee_amount"] = pi.Connect?.ApplicationFeeAmount,
            ["automatic_payment_methods"] = pi.AutomaticPaymentMethods is { } apm
                ? new JsonObject { ["allow_redirects"] = apm.AllowRedirects, ["enabled"] = apm.Enabled }
                : null,
            ["canceled_at"] = pi.CanceledAt,
            ["cancellation_reason"] = pi.CancellationReason?.ToWire(),
            ["capture_method"] = pi.CaptureMethod.ToWire(),
            ["client_secret"] = pi.ClientSecret,
            ["confirmation_method"] = pi.ConfirmationMethod.ToWire(),
            ["created"] = pi.Created,
            ["currency"] = pi.Currency,
            ["customer"] = ctx.Ref(expand, "customer", pi.Customer),
            ["customer_account"] = null,
            ["description"] = pi.Description,
            ["excluded_payment_method_types"] = Strings(pi.ExcludedPaymentMethodTypes),
            ["last_payment_error"] = LastPaymentError(pi.LastPaymentError, ctx),
            ["latest_charge"] = ctx.Ref(expand, "latest_charge", pi.LatestCharge),
            ["livemode"] = false,
            ["metadata"] = ctx.Metadata(pi.Metadata),
            ["next_action"] = ThreeDSecureFlow.RenderNextAction(pi.NextAction, ThreeDSecureFlow.PageUrl(pi), pi.PaymentMethod),
            ["on_behalf_of"] = pi.Connect?.OnBehalfOf,
            ["payment_method"] = ctx.Ref(expand, "payment_method", pi.PaymentMethod),
            ["payment_method_configuration_details"] = null,
            ["payment_method_options"] = new JsonObject
            {
                ["card"] = new JsonObject
                {
                    ["installments"] = null, ["mandate_options"] = null, ["network"] = null,
                    ["request_three_d_secure"] = "automatic",
                },
            },
            ["payment_method_types"] = types,
            ["processing"] = null,
            ["receipt_email"] = pi.ReceiptEmail,
            ["review"] = null,
            ["setup_future_usage"] = pi.SetupFutureUsage?.ToWire(),
            ["shipping"] = null,
            ["source"] = null,
            ["statement_descriptor"] = pi.StatementDescriptor,
            ["statement_descriptor_suffix"] = pi.StatementDescriptorSuffix,
            ["status"] = pi.Status.ToWire(),
            ["transfer_data"] = Connect.ConnectJson.TransferData(pi.Connect),
            ["transfer_group"] = null,
        };
    }

    private static JsonArray? Strings(IReadOnlyList<string>? list) => list is null ? null : new JsonArray([.. list.Select(s => JsonValue.Create(s))]);

    /// <summary><c>last_payment_error</c>, and a SetupIntent's <c>last_setup_error</c> (the same shape).</summary>
    internal static JsonObject? LastPaymentError(PaymentError? e, RenderContext ctx)
    {
        if (e is null) return null;
        var o = new JsonObject();
        if (e.AdviceCode is not null) o["advice_code"] = e.AdviceCode;
        if (e.ChargeId is not null) o["charge"] = e.ChargeId;
        if (e.Code is not null) o["code"] = e.Code;
        if (e.DeclineCode is not null) o["decline_code"] = e.DeclineCode;
        if (e.DocUrl is not null) o["doc_url"] = e.DocUrl;
        o["message"] = e.Message;
        if (e.Param is not null) o["param"] = e.Param;
        // Stripe embeds the payment method that failed, in full.
        if (e.PaymentMethodId is not null && ctx.Tx.Get<StripeObject>(e.PaymentMethodId) is { } pm) o["payment_method"] = ctx.Render(pm);
        o["type"] = e.Type;
        return o;
    }
}
