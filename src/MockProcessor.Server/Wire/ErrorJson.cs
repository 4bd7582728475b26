using System.Text.Json.Nodes;
using MockProcessor.Domain.Common;
using MockProcessor.Domain.Errors;

namespace MockProcessor.Server.Wire;

/// <summary>Stripe's error envelope. Absent details are omitted, as Stripe omits them.</summary>
public static class ErrorJson
{
    public static JsonObject Render(StripeError e, string requestId, RenderContext? ctx)
    {
        var err = new JsonObject();
        if (e.ChargeId is not null) err["charge"] = e.ChargeId;
        if (e.Code is not null) err["code"] = e.Code;
        if (e.DeclineCode is not null) err["decline_code"] = e.DeclineCode;
        if (e.AdviceCode is not null) err["advice_code"] = e.AdviceCode;
        if (e.DocUrl is not null) err["doc_url"] = e.DocUrl;
        err["message"] = e.Message;
        if (e.Param is not null) err["param"] = e.Param;
        if (ctx is not null)
        {
            if (e.PaymentIntentId is not null && ctx.Tx.Get<StripeObject>(e.PaymentIntentId) is { } pi) err["payment_intent"] = ctx.Render(pi);
            if (e.SetupIntentId is not null && ctx.Tx.Get<StripeObject>(e.SetupIntentId) is { } si) err["setup_intent"] = ctx.Render(si);
            if (e.PaymentMethodId is not null && ctx.Tx.Get<StripeObject>(e.PaymentMethodId) is { } pm) err["payment_method"] = ctx.Render(pm);
        }
        err["request_log_url"] = $"https://dashboard.stripe.com/test/logs/{requestId}";
        err["type"] = e.Type;
        return new JsonObject { ["error"] = err };
    }
}
